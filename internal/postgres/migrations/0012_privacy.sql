-- Data-subject requests (GDPR art. 15 export, art. 17 erasure) and consent records
-- (policy/privacy).
--
-- A request names its subject only by HMAC-SHA256 digests of the normalised identifiers
-- (keyed by a secret of the deployment), never by the raw e-mail address or phone number: the
-- record that an erasure happened survives the erasure without being a trace of the person.
-- subject_hash covers the whole subject as asked; identifier_hashes holds one digest per
-- identifier ("email:…", "phone:…", "customer:…", "conversation:…") so that later requests
-- about the same person find earlier ones.
CREATE TABLE privacy_requests (
    id                uuid PRIMARY KEY,
    kind              text NOT NULL CHECK (kind IN ('export', 'erasure')),
    subject_hash      text NOT NULL CHECK (subject_hash ~ '^[0-9a-f]{64}$'),
    identifier_hashes text[] NOT NULL DEFAULT '{}',
    status            text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'done', 'failed')),
    requested_by      text NOT NULL CHECK (requested_by <> ''), -- the staff account that asked
    requested_at      timestamptz NOT NULL DEFAULT now(),
    due_at            timestamptz NOT NULL, -- requested_at + the stated SLA
    completed_at      timestamptz,
    -- Rows exported or deleted per table; never identifiers.
    summary           jsonb NOT NULL DEFAULT '{}',
    -- The step that failed ('terminate', 'shred', 'delete', 'read') for a failed request.
    failure           text NOT NULL DEFAULT '',
    CHECK ((status = 'received') = (completed_at IS NULL))
);
CREATE INDEX privacy_requests_recent ON privacy_requests (requested_at DESC);
CREATE INDEX privacy_requests_identifiers ON privacy_requests USING gin (identifier_hashes);

-- What the customer agreed or declined to, per conversation, as a history: the newest row
-- of a purpose is the current answer. Deleted with the conversation.
CREATE TABLE consents (
    id              uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    purpose         text NOT NULL CHECK (purpose IN ('ai_processing', 'transcript_retention', 'marketing')),
    granted         boolean NOT NULL,
    policy_version  text NOT NULL CHECK (policy_version <> ''),
    locale          text NOT NULL DEFAULT '',
    channel         text NOT NULL DEFAULT '',
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_conversation ON consents (conversation_id, recorded_at);

-- Finding a data subject's conversations by the identity a verified token recorded, and
-- their knowledge gaps, without scanning every row.
CREATE INDEX conversations_identity_email ON conversations (lower(identity ->> 'email')) WHERE identity IS NOT NULL;
CREATE INDEX conversations_identity_phone ON conversations ((identity ->> 'phone')) WHERE identity IS NOT NULL;
CREATE INDEX conversations_identity_customer ON conversations ((identity ->> 'customer_id')) WHERE identity IS NOT NULL;
CREATE INDEX kb_gaps_conversation ON kb_gaps (conversation_id) WHERE conversation_id IS NOT NULL;
-- The retention sweep takes the oldest conversations first.
CREATE INDEX conversations_updated ON conversations (updated_at);

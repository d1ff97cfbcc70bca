-- The handoff queue: conversations the AI passed to human agents, waiting for (queued), held
-- by (claimed) or done with (resolved, handed_back) a person. handoff/queue owns the queries;
-- handoff/routing decides the team; the packet (summary, translation, transcript pointers) is
-- opaque JSON here.
--
-- A conversation has at most one open (queued or claimed) handoff: the partial unique index
-- handoffs_one_open, which Open's INSERT ... ON CONFLICT targets.
--
-- Every insert or update goes through handoffs_touch, which stamps the row with a new
-- version (from handoffs_version_seq), the writing transaction's ID (changed_xid) and
-- updated_at. Live views poll for rows whose changed_xid is at or above the oldest
-- transaction still running at their previous poll (see queue.Store.Since): transactions
-- commit out of sequence order, so "version > last seen" alone would miss a change that
-- drew a lower version and committed later.
CREATE SEQUENCE handoffs_version_seq;

CREATE TABLE handoffs (
    id              uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    reason          text NOT NULL CHECK (reason IN (
                        'customer_request', 'low_confidence', 'missing_knowledge', 'tool_failure',
                        'policy_limit', 'approval_needed', 'negative_sentiment', 'complaint',
                        'rollout_stage', 'taboo_block', 'model_no_answer', 'other')),
    team            text NOT NULL CHECK (team <> ''),
    -- The customer's language (BCP 47) and market, '' when unknown.
    language        text NOT NULL DEFAULT '',
    market          text NOT NULL DEFAULT '',
    -- 1 is the most urgent; the queue serves lower numbers first.
    priority        integer NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
    status          text NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'claimed', 'resolved', 'handed_back')),
    -- The staff account that holds (claimed) or last held (resolved, handed_back) it.
    claimed_by      text,
    claimed_at      timestamptz,
    sla_due_at      timestamptz,
    escalated_at    timestamptz,
    packet          jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- When it was resolved or handed back to the AI.
    resolved_at     timestamptz,
    version         bigint NOT NULL DEFAULT 0,
    changed_xid     xid8 NOT NULL DEFAULT '0',
    CHECK (status <> 'queued' OR (claimed_by IS NULL AND claimed_at IS NULL)),
    CHECK (status <> 'claimed' OR (claimed_by IS NOT NULL AND claimed_by <> '' AND claimed_at IS NOT NULL)),
    CHECK ((status IN ('resolved', 'handed_back')) = (resolved_at IS NOT NULL))
);

CREATE UNIQUE INDEX handoffs_one_open ON handoffs (conversation_id)
    WHERE status IN ('queued', 'claimed');
-- The queue view: open handoffs of a team in serving order.
CREATE INDEX handoffs_queue ON handoffs (team, priority, sla_due_at, created_at)
    WHERE status IN ('queued', 'claimed');
CREATE INDEX handoffs_conversation ON handoffs (conversation_id, created_at);
CREATE INDEX handoffs_changed ON handoffs (changed_xid);

CREATE FUNCTION handoffs_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := nextval('handoffs_version_seq');
    NEW.changed_xid := pg_current_xact_id();
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
CREATE TRIGGER handoffs_touch BEFORE INSERT OR UPDATE ON handoffs
    FOR EACH ROW EXECUTE FUNCTION handoffs_touch();

-- Internal notes staff write on a handoff; never shown to the customer. They may hold
-- personal data and go with the conversation when it is erased.
CREATE TABLE handoff_notes (
    id         uuid PRIMARY KEY,
    handoff_id uuid NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
    author     text NOT NULL CHECK (author <> ''),
    body       text NOT NULL CHECK (body <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handoff_notes_handoff ON handoff_notes (handoff_id, created_at);

-- Questions the knowledge base could not answer well: no good passage, only a passage in
-- another language than the customer's, or a handoff for missing knowledge. Knowledge
-- managers read them grouped, per locale and market, newest first.
CREATE TABLE kb_gaps (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id uuid,
    question        text NOT NULL,
    norm            text NOT NULL,
    locale          text NOT NULL,
    market          text NOT NULL DEFAULT '',
    reason          text NOT NULL CHECK (reason IN ('no_passage', 'fallback_locale', 'handoff_missing_knowledge')),
    top_score       double precision,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_gaps_recent ON kb_gaps (locale, market, created_at DESC);

-- Customer satisfaction (CSAT): the answer to the widget's post-chat "How did we do?" survey,
-- one per conversation, 1 (bad) to 5 (great), with an optional comment that is PII-redacted
-- before it is stored (evals/analytics). Deleted with the conversation, so an erasure or a
-- retention sweep removes it by cascade.
CREATE TABLE csat_responses (
    conversation_id uuid PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    score           smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment         text NOT NULL DEFAULT '' CHECK (char_length(comment) <= 1000),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX csat_responses_created ON csat_responses (created_at);

-- Evidence that the customer was told they talk to an AI: the text they were shown, in which
-- language and on which channel, and with which message. One row per disclosing message.
CREATE TABLE ai_disclosures (
    message_id      uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    channel         text NOT NULL,
    locale          text NOT NULL,
    text            text NOT NULL,
    reason          text NOT NULL CHECK (reason IN ('first_ai_message', 'channel_change', 'handback')),
    disclosed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ai_disclosures_conversation ON ai_disclosures (conversation_id, disclosed_at);

-- Conversations, their participants and messages. Transcripts live here, not in workflow
-- history: the conversation workflow carries IDs and a little state only.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE conversations (
    id             uuid PRIMARY KEY,
    channel        text NOT NULL DEFAULT 'web',
    locale         text NOT NULL DEFAULT '',
    market         text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handoff', 'closed')),
    handoff_reason text NOT NULL DEFAULT '',
    last_seq       bigint NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE participants (
    id              uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('customer', 'ai', 'human_agent', 'system')),
    display_name    text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, kind, display_name)
);

CREATE TABLE messages (
    id              uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             bigint NOT NULL,
    turn_id         text NOT NULL,
    part            integer NOT NULL DEFAULT 0,
    participant_id  uuid NOT NULL REFERENCES participants (id),
    author          text NOT NULL CHECK (author IN ('customer', 'ai', 'human_agent', 'system')),
    body            text NOT NULL,
    lang            text NOT NULL DEFAULT '',
    intent          text NOT NULL DEFAULT '',
    ai_generated    boolean NOT NULL DEFAULT false,
    handoff         boolean NOT NULL DEFAULT false,
    -- Agent annotations of an AI message (pending intent, handoff reason, confidence...).
    meta            jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, seq),
    -- One message per turn, author and part: a retried activity finds the row it wrote.
    UNIQUE (conversation_id, turn_id, author, part)
);

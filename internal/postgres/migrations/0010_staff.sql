-- Staff: the people (and scripts) who work in Attaché's console and API, their roles, their
-- login sessions and their API keys. Customers are not here (see tools/identity).
--
-- Secrets are never stored in the clear: password_hash is an argon2id PHC string, and
-- sessions and API keys are found by the SHA-256 of their token. An account without a
-- password signs in only through its API keys.
CREATE TABLE staff_accounts (
    id            uuid PRIMARY KEY,
    email         text NOT NULL UNIQUE CHECK (email = lower(email) AND email <> ''),
    display_name  text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('agent', 'knowledge_manager', 'evaluator', 'admin')),
    password_hash text,
    -- BCP 47 tags of the languages the person speaks, for routing handoffs.
    languages     text[] NOT NULL DEFAULT '{}',
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff_sessions (
    token_hash   bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    account_id   uuid NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_sessions_account ON staff_sessions (account_id);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);

CREATE TABLE staff_api_keys (
    id           uuid PRIMARY KEY,
    account_id   uuid NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (name <> ''),
    key_hash     bytea NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX staff_api_keys_account ON staff_api_keys (account_id, created_at);

-- The staged rollout (evals/rollout): the stage the AI works at per market × intent ×
-- locale × channel, and every change of it. '' in a key column means any value; the most
-- specific matching rule wins (evals/rollout decides, not SQL).
--
-- version counts a rule's changes (1, 2, 3...) for optimistic concurrency. A canary sends
-- canary_percent of conversations to the next stage up, so there is none at autonomous.
-- evidence is what the last change was based on (the gate's run figures, or the live
-- figures of a demotion).
CREATE TABLE rollout_rules (
    market         text NOT NULL DEFAULT '' CHECK (market = '' OR market ~ '^[A-Z]{2}$'),
    intent         text NOT NULL DEFAULT '' CHECK (intent = '' OR intent ~ '^[a-z][a-z0-9_]*$'),
    locale         text NOT NULL DEFAULT '',
    channel        text NOT NULL DEFAULT '',
    stage          text NOT NULL CHECK (stage IN ('assist', 'standard', 'autonomous')),
    canary_percent integer NOT NULL DEFAULT 0 CHECK (canary_percent BETWEEN 0 AND 100),
    regression_set text NOT NULL DEFAULT '',
    version        integer NOT NULL CHECK (version > 0),
    updated_by     text NOT NULL CHECK (updated_by <> ''),
    reason         text NOT NULL DEFAULT '',
    evidence       jsonb NOT NULL DEFAULT '{}',
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (market, intent, locale, channel),
    CHECK (stage <> 'autonomous' OR canary_percent = 0)
);

-- The history of the rules: one row per change, never updated. action is 'set' (a person
-- or a script through the API or CLI) or 'demoted' (the live monitor). from_stage is the
-- stage the key had before, inherited from a broader rule or the default when it had no
-- rule of its own. The audit log holds the same changes, hash-chained.
CREATE TABLE rollout_changes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    market         text NOT NULL,
    intent         text NOT NULL,
    locale         text NOT NULL,
    channel        text NOT NULL,
    action         text NOT NULL CHECK (action IN ('set', 'demoted')),
    from_stage     text NOT NULL CHECK (from_stage IN ('assist', 'standard', 'autonomous')),
    to_stage       text NOT NULL CHECK (to_stage IN ('assist', 'standard', 'autonomous')),
    from_canary    integer NOT NULL CHECK (from_canary BETWEEN 0 AND 100),
    to_canary      integer NOT NULL CHECK (to_canary BETWEEN 0 AND 100),
    regression_set text NOT NULL DEFAULT '',
    version        integer NOT NULL CHECK (version > 0),
    changed_by     text NOT NULL CHECK (changed_by <> ''),
    reason         text NOT NULL CHECK (reason <> ''),
    evidence       jsonb NOT NULL DEFAULT '{}',
    at             timestamptz NOT NULL
);
CREATE INDEX rollout_changes_key ON rollout_changes (market, intent, locale, channel, id);

-- Evaluation runs (evals/runstore): one row per run of regression sets, started by the
-- runner (status running) and finished with the whole run as JSON (report) or failed with
-- a reason. summary is the run's figures, kept beside the report so that lists need not
-- read the transcripts. report is json, not jsonb: it is only ever read whole, and json keeps
-- it as written (tool-call arguments keep their key order and spacing).
CREATE TABLE eval_runs (
    id          text PRIMARY KEY CHECK (id <> ''),
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    engine      text NOT NULL DEFAULT '',
    repeat      integer NOT NULL CHECK (repeat > 0),
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'failed')),
    started_by  text NOT NULL DEFAULT '',
    labels      jsonb NOT NULL DEFAULT '{}',
    summary     jsonb,
    report      json,
    error       text NOT NULL DEFAULT '',
    CHECK ((status = 'running') = (finished_at IS NULL)),
    CHECK (status <> 'finished' OR report IS NOT NULL)
);

CREATE INDEX eval_runs_started_at ON eval_runs (started_at DESC, id DESC);

-- The sets a run covers, for "the runs of set X" and "the latest finished run of set X"
-- (the rollout gate).
CREATE TABLE eval_run_sets (
    run_id   text NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
    set_name text NOT NULL CHECK (set_name <> ''),
    position integer NOT NULL,
    path     text NOT NULL DEFAULT '',
    kind     text NOT NULL DEFAULT '',
    cases    integer NOT NULL DEFAULT 0,
    runnable boolean NOT NULL DEFAULT true,
    reason   text NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, set_name)
);

CREATE INDEX eval_run_sets_set_name ON eval_run_sets (set_name);

-- The conversations an evaluation created, so that analytics and live metrics can leave
-- them out. There is deliberately no foreign key to conversations: the runner may record a
-- conversation before its first message is stored, and erasing a conversation must never be
-- blocked by (nor need to know about) this table. A row holds no personal data.
CREATE TABLE eval_conversations (
    conversation_id uuid PRIMARY KEY,
    run_id          text NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX eval_conversations_run_id ON eval_conversations (run_id);

-- Taboo packs edited by admins (policy/taboo/pgstore). The packs embedded in the binary
-- are the defaults; a row here replaces the embedded pack with the same id, adds a pack
-- when no embedded pack has it, or switches the pack off (disabled). The document is one
-- pack in the schema of one entry of packs.json, kept as the admin wrote it.
--
-- version counts the row's edits (1, 2, 3...) for optimistic concurrency; every edit is
-- also kept in taboo_pack_versions. Workers poll count, sum(version) and max(updated_at)
-- to notice an edit.
CREATE TABLE taboo_packs (
    id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_.-]*$'),
    document   text NOT NULL,
    disabled   boolean NOT NULL DEFAULT false,
    version    integer NOT NULL CHECK (version > 0),
    updated_by text NOT NULL CHECK (updated_by <> ''),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE taboo_pack_versions (
    id         text NOT NULL,
    version    integer NOT NULL CHECK (version > 0),
    document   text NOT NULL,
    disabled   boolean NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (id, version)
);

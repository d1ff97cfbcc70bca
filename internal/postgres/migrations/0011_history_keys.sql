-- Per-workflow data keys for the Temporal payload codec (policy/historycodec). Everything the
-- workers put into Temporal history (workflow inputs, update arguments, activity arguments
-- and results) is encrypted with the key of its workflow; destroying a workflow's key makes
-- whatever history still holds of it unreadable (crypto-shredding, for erasure requests).
--
-- wrapped_key is the 32-byte data key sealed with AES-256-GCM under the master key (KEK)
-- named by kek_id, bound to workflow_id. It is never stored in the clear. Shredding sets
-- wrapped_key to NULL and shredded_at: the row stays as a tombstone so that the codec refuses
-- to create a new key for an erased workflow. The workflow ID '_global' holds the key of
-- payloads encoded without a workflow (the SDK may encode without serialization context).
CREATE TABLE history_keys (
    workflow_id text PRIMARY KEY CHECK (workflow_id <> ''),
    wrapped_key bytea,
    kek_id      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    shredded_at timestamptz,
    CONSTRAINT history_keys_shredded_or_wrapped
        CHECK ((wrapped_key IS NULL) = (shredded_at IS NOT NULL)),
    CONSTRAINT history_keys_kek_named
        CHECK (wrapped_key IS NULL OR kek_id IS NOT NULL)
);

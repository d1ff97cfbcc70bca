-- The audit log: who did what to which subject, one row per event, hash-chained so that a
-- changed or removed row is found by `attache audit verify`. seq runs 1, 2, 3... without
-- gaps; hash is SHA-256 over a canonical encoding of the row and prev_hash (the previous
-- row's hash; 32 zero bytes for the first). policy/audit computes and checks the hashes.
--
-- Append-only: the triggers below refuse UPDATE, DELETE and TRUNCATE for every role. A
-- superuser or the table owner can still disable them; the hash chain is what detects that.
-- Gap: erasing a customer's data (GDPR art. 17) will need a redaction scheme that keeps the
-- chain verifiable; details must therefore never hold customer message text.
CREATE TABLE audit_log (
    seq       bigint PRIMARY KEY CHECK (seq > 0),
    at        timestamptz NOT NULL,
    actor     text NOT NULL CHECK (actor <> ''),
    action    text NOT NULL CHECK (action <> ''),
    subject   text NOT NULL DEFAULT '',
    details   jsonb NOT NULL DEFAULT '{}',
    prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash      bytea NOT NULL CHECK (octet_length(hash) = 32)
);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

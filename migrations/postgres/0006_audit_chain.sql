-- The audit trail is append-only for the application: entries cannot be changed or removed
-- (UPDATE, DELETE and TRUNCATE raise), and the head row only moves forward (take the next
-- sequence number, then record the hash of the entry just inserted). Entry hashes are HMACs under
-- a key outside the database, and signed checkpoints of the head are kept outside it too: the
-- triggers stop the application's role; a table owner or superuser can drop them, and that is
-- what the key and the checkpoints are for. Run the portal as a role that does not own these
-- tables to make them binding.

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = OLD.id AND (
        (NEW.seq = OLD.seq + 1 AND NEW.hash = OLD.hash)
        OR (NEW.seq = OLD.seq AND NEW.hash = (SELECT hash FROM audit_log WHERE seq = NEW.seq))
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_head only moves forward to the entry just appended'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();

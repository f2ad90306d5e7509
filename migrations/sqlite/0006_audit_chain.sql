-- The audit trail is append-only for the application: entries cannot be changed or removed,
-- and the head row only moves forward (take the next sequence number, then record the hash of
-- the entry just inserted). Entry hashes are HMACs under a key outside the database, and signed
-- checkpoints of the head are kept outside it too: these triggers stop mistakes and the
-- application's own SQL; whoever holds the database file can drop them, and that is what the key
-- and the checkpoints are for.

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed');
END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_head cannot be deleted');
END;

CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NOT (
    NEW.id IS OLD.id
    AND (
        (NEW.seq IS OLD.seq + 1 AND NEW.hash IS OLD.hash)
        OR (NEW.seq IS OLD.seq AND NEW.hash IS (SELECT hash FROM audit_log WHERE seq = NEW.seq))
    )
)
BEGIN
    SELECT RAISE(ABORT, 'audit_head only moves forward to the entry just appended');
END;

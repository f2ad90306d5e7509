-- Sign-in back-off instead of a permanent lock (issue 12). One row per key tried: the keyed hash
-- of a My Number (known or not) or of a staff username, so a stranger's answers never depend on
-- whether an account exists.
CREATE TABLE signin_backoff (
    key_hash       BYTEA PRIMARY KEY,
    attempts       BIGINT NOT NULL,           -- password checks since the last success (drives the wait)
    last_at        BIGINT NOT NULL,           -- when the last one was admitted
    version        BIGINT NOT NULL DEFAULT 0, -- compare-and-set guard for admissions
    failed_total   BIGINT NOT NULL DEFAULT 0, -- failed or refused attempts the owner has not been told of
    failed_since   BIGINT NOT NULL,
    audited_total  BIGINT NOT NULL DEFAULT 0, -- failed_total at the last summary in the audit log
    audited_at     BIGINT
);

-- Locks set by the old three-strike rule could be set by anyone who knew a number: released.
UPDATE accounts SET failed_count = 0, locked_at = NULL;
UPDATE staff SET failed_count = 0, locked_at = NULL;

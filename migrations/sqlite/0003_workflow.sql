-- The correction workflow: staff and their sessions, mismatch reports with their items, events,
-- internal notes, resident notices, and the log of every staff access to a resident's data.

-- The register search (relink, pre-check) blocks on the birth date.
CREATE INDEX residents_birth_date ON residents (birth_date);

-- Items leave a resident's view when unlinked; the row stays as evidence.
ALTER TABLE linked_items ADD COLUMN unlinked_at INTEGER;

CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,            -- helpdesk, caseworker, supervisor, administrator
    institution_id  INTEGER REFERENCES institutions (id),  -- set for caseworkers
    password_hash   TEXT NOT NULL,
    totp_secret     TEXT NOT NULL,            -- base32, RFC 6238 (SHA-1, 30 s, 6 digits)
    totp_last_step  INTEGER NOT NULL DEFAULT 0,  -- a code is accepted once
    failed_count    INTEGER NOT NULL DEFAULT 0,
    locked_at       INTEGER,
    created_at      INTEGER NOT NULL
);

-- Staff sessions exist only after password and second factor; only the token's SHA-256 is kept.
CREATE TABLE staff_sessions (
    token_hash    BLOB PRIMARY KEY,
    staff_id      INTEGER NOT NULL REFERENCES staff (id),
    mfa_at        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

CREATE TABLE reports (
    id                  INTEGER PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE,     -- 11 characters, no hyphens
    reporter_id         INTEGER NOT NULL REFERENCES residents (id),
    institution_id      INTEGER NOT NULL REFERENCES institutions (id),
    category            TEXT NOT NULL,
    kind                TEXT NOT NULL,            -- not_mine, details_wrong, outdated, missing
    note                TEXT NOT NULL,
    status              TEXT NOT NULL,
    verdict             TEXT NOT NULL,
    verdict_reasons     TEXT NOT NULL,            -- codes joined by ';'
    assignee_id         INTEGER REFERENCES staff (id),
    proposer_id         INTEGER REFERENCES staff (id),
    approver_id         INTEGER REFERENCES staff (id),
    outcome             TEXT,                     -- relink, unlink, correct_details, no_error
    outcome_target_id   INTEGER REFERENCES residents (id),
    outcome_reason      TEXT,
    filed_by_staff_id   INTEGER REFERENCES staff (id),
    submitted_at        INTEGER NOT NULL,
    paused_secs         INTEGER NOT NULL DEFAULT 0,
    paused_since        INTEGER,
    extended            INTEGER NOT NULL DEFAULT 0,
    decided_at          INTEGER,
    version             INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reports_reporter ON reports (reporter_id, submitted_at);
CREATE INDEX reports_queue ON reports (institution_id, status, submitted_at);

CREATE TABLE report_items (
    report_id  INTEGER NOT NULL REFERENCES reports (id),
    item_id    INTEGER NOT NULL REFERENCES linked_items (id),
    PRIMARY KEY (report_id, item_id)
);
CREATE INDEX report_items_item ON report_items (item_id);

-- The timeline. resident_visible: shown on the resident's pages; message: text to/from the resident.
CREATE TABLE report_events (
    id                INTEGER PRIMARY KEY,
    report_id         INTEGER NOT NULL REFERENCES reports (id),
    at                INTEGER NOT NULL,
    kind              TEXT NOT NULL,
    actor_role        TEXT NOT NULL,
    actor_id          INTEGER NOT NULL,
    resident_visible  INTEGER NOT NULL,
    message           TEXT
);
CREATE INDEX report_events_report ON report_events (report_id, id);

-- Staff-only notes on a case; never read by any resident-facing query.
CREATE TABLE internal_notes (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES reports (id),
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL,        -- note, call (helpdesk call note)
    body       TEXT NOT NULL
);
CREATE INDEX internal_notes_report ON internal_notes (report_id, id);

-- お知らせ: the resident's inbox. params: 'key=value' pairs joined by newlines.
CREATE TABLE notices (
    id           INTEGER PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES residents (id),
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    reference    TEXT,
    params       TEXT NOT NULL,
    read_at      INTEGER
);
CREATE INDEX notices_resident ON notices (resident_id, id);

-- Every staff read of a resident's data: who (never shown to residents by name), which
-- organisation and role, for what purpose and which case.
CREATE TABLE access_log (
    id              INTEGER PRIMARY KEY,
    resident_id     INTEGER NOT NULL REFERENCES residents (id),
    item_id         INTEGER,
    staff_id        INTEGER NOT NULL REFERENCES staff (id),
    institution_id  INTEGER REFERENCES institutions (id),
    role            TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    report_id       INTEGER REFERENCES reports (id),
    at              INTEGER NOT NULL
);
CREATE INDEX access_log_resident ON access_log (resident_id, at);
CREATE INDEX access_log_item ON access_log (item_id, at);

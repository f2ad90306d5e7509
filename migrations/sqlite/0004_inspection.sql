-- The integrity scan inside the portal: background jobs (claimed by one server at a time through
-- a lease, so several app servers run each job once), the findings each scan run raised, and the
-- findings raised by re-verification when a register entry changes.

CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,            -- inspection
    status          TEXT NOT NULL,            -- queued, running, done, failed
    requested_by    INTEGER REFERENCES staff (id),
    progress_done   INTEGER NOT NULL DEFAULT 0,
    progress_total  INTEGER NOT NULL DEFAULT 0,
    worker          TEXT,                     -- the server process that holds the lease
    lease_until     INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    finished_at     INTEGER,
    error           TEXT
);
-- At most one queued or running job of a kind: starting a scan twice gives the same job.
CREATE UNIQUE INDEX jobs_one_active ON jobs (kind) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_kind ON jobs (kind, id);

CREATE TABLE findings (
    id                     INTEGER PRIMARY KEY,
    job_id                 INTEGER REFERENCES jobs (id),   -- NULL: raised by re-verification
    source                 TEXT NOT NULL,                  -- scan, recheck
    item_id                INTEGER NOT NULL REFERENCES linked_items (id),
    resident_id            INTEGER NOT NULL REFERENCES residents (id),
    institution_id         INTEGER NOT NULL REFERENCES institutions (id),
    category               TEXT NOT NULL,
    score                  REAL NOT NULL,
    verdict                TEXT NOT NULL,                  -- wrong_person, needs_review
    reasons                TEXT NOT NULL,                  -- codes joined by ';'
    suggested_resident_id  INTEGER REFERENCES residents (id),
    report_id              INTEGER REFERENCES reports (id),
    created_at             INTEGER NOT NULL
);
CREATE UNIQUE INDEX findings_job_item ON findings (job_id, item_id);
CREATE INDEX findings_job_rank ON findings (job_id, institution_id, category, score);
CREATE INDEX findings_item ON findings (item_id);
CREATE INDEX findings_source ON findings (source, id);

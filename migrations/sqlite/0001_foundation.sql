-- Foundation: institutions, the resident register, linked items in six categories, accounts, sessions.
-- Timestamps are unix seconds (INTEGER); dates are ISO text 'YYYY-MM-DD'.

CREATE TABLE institutions (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,          -- municipality, prefecture, insurer, pension, digital_agency
    code        TEXT NOT NULL UNIQUE,   -- official code (local government code, insurer number, ...)
    name_ja     TEXT NOT NULL,
    name_en     TEXT NOT NULL
);

-- The resident register (住民基本台帳): the reference other links are checked against.
CREATE TABLE residents (
    id                INTEGER PRIMARY KEY,
    my_number_hash    BLOB NOT NULL UNIQUE,   -- HMAC-SHA256(server secret, 12 digits); never the number itself
    my_number_last4   TEXT NOT NULL,
    resident_code     TEXT NOT NULL,          -- 住民票コード, 11 digits
    name_kanji        TEXT NOT NULL,
    name_kana         TEXT NOT NULL,
    birth_date        TEXT NOT NULL,
    sex               TEXT NOT NULL,          -- 'M' or 'F'
    address           TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    household_id      INTEGER NOT NULL,
    relationship      TEXT NOT NULL,          -- head, spouse, child, parent, other
    deceased_on       TEXT,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX residents_household ON residents (household_id);

-- Every item an institution linked to a My Number. The snapshot is the institution's own copy of
-- the identity attributes it matched on (NULL: not held).
CREATE TABLE linked_items (
    id               INTEGER PRIMARY KEY,
    resident_id      INTEGER NOT NULL REFERENCES residents (id),
    category         TEXT NOT NULL,
    institution_id   INTEGER NOT NULL REFERENCES institutions (id),
    link_method      TEXT NOT NULL,
    snap_name_kanji  TEXT,
    snap_name_kana   TEXT,
    snap_birth_date  TEXT,
    snap_sex         TEXT,
    snap_address     TEXT,
    linked_at        INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX linked_items_resident ON linked_items (resident_id, category);
CREATE INDEX linked_items_institution ON linked_items (institution_id, category);

CREATE TABLE item_resident_record (
    item_id        INTEGER PRIMARY KEY REFERENCES linked_items (id),
    resident_code  TEXT NOT NULL,
    address        TEXT NOT NULL,
    household_head TEXT NOT NULL,
    relationship   TEXT NOT NULL,
    history        TEXT NOT NULL
);

CREATE TABLE item_tax (
    item_id       INTEGER PRIMARY KEY REFERENCES linked_items (id),
    person_key    TEXT NOT NULL,     -- 宛名番号
    tax_year      INTEGER NOT NULL,
    total_income  INTEGER NOT NULL,
    deductions    INTEGER NOT NULL,
    resident_tax  INTEGER NOT NULL
);

CREATE TABLE item_health_insurance (
    item_id         INTEGER PRIMARY KEY REFERENCES linked_items (id),
    insurer_number  TEXT NOT NULL,   -- 8 digits
    symbol          TEXT NOT NULL,   -- 記号
    number          TEXT NOT NULL,   -- 番号
    branch          TEXT NOT NULL,   -- 枝番, 2 digits
    insured_kind    TEXT NOT NULL,   -- insured, dependant
    coverage_start  TEXT NOT NULL,
    coverage_end    TEXT
);
CREATE INDEX item_health_insurance_key ON item_health_insurance (insurer_number, symbol, number, branch);

CREATE TABLE item_pension (
    item_id              INTEGER PRIMARY KEY REFERENCES linked_items (id),
    basic_pension_number TEXT NOT NULL,   -- 4+6 digits
    scheme               TEXT NOT NULL,
    enrolment            TEXT NOT NULL,
    benefit_status       TEXT NOT NULL
);

CREATE TABLE item_disability (
    item_id            INTEGER PRIMARY KEY REFERENCES linked_items (id),
    certificate_number TEXT NOT NULL,
    certificate_type   TEXT NOT NULL,   -- physical, intellectual, mental
    grade              TEXT NOT NULL,
    issued_on          TEXT NOT NULL,
    renewal_on         TEXT
);
CREATE INDEX item_disability_cert ON item_disability (certificate_number);

CREATE TABLE item_bank_account (
    item_id        INTEGER PRIMARY KEY REFERENCES linked_items (id),
    bank_code      TEXT NOT NULL,
    bank_name      TEXT NOT NULL,
    branch_code    TEXT NOT NULL,
    branch_name    TEXT NOT NULL,
    account_type   TEXT NOT NULL,   -- ordinary, current, savings
    account_number TEXT NOT NULL,
    holder_kana    TEXT NOT NULL
);
CREATE INDEX item_bank_account_key ON item_bank_account (bank_code, branch_code, account_number);

-- Portal accounts exist only for residents who activated one.
CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY,
    resident_id    INTEGER NOT NULL UNIQUE REFERENCES residents (id),
    password_hash  TEXT NOT NULL,
    failed_count   INTEGER NOT NULL DEFAULT 0,
    locked_at      INTEGER,
    created_at     INTEGER NOT NULL
);

-- Server-side sessions; only the SHA-256 of the token is stored.
CREATE TABLE sessions (
    token_hash    BLOB PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

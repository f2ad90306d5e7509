-- Passkeys as the card (issue 12): one-time activation codes handed out by the municipality,
-- the passkeys of residents and staff, and the WebAuthn ceremonies between their two requests.

-- A code is single use and valid 72 hours; only its SHA-256 is kept.
CREATE TABLE activation_codes (
    id           INTEGER PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES residents (id),
    code_hash    BLOB NOT NULL UNIQUE,
    issued_by    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
);
CREATE INDEX activation_codes_resident ON activation_codes (resident_id);

-- An account made at activation may have no password (passkeys only): an empty hash never verifies.
-- The WebAuthn user handle of a person: random, so it tells nothing about the account.
ALTER TABLE accounts ADD COLUMN passkey_handle TEXT;
CREATE UNIQUE INDEX accounts_passkey_handle ON accounts (passkey_handle);
ALTER TABLE staff ADD COLUMN passkey_handle TEXT;
CREATE UNIQUE INDEX staff_passkey_handle ON staff (passkey_handle);

-- A passkey belongs to a resident's account or to a staff member, never both.
CREATE TABLE passkeys (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER REFERENCES accounts (id),
    staff_id       INTEGER REFERENCES staff (id),
    credential_id  TEXT NOT NULL UNIQUE,      -- base64url, as the browser presents it
    passkey        TEXT NOT NULL,             -- the public key and counter (webauthn-rs JSON)
    label          TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    last_used_at   INTEGER,
    CHECK ((account_id IS NULL) <> (staff_id IS NULL))
);
CREATE INDEX passkeys_account ON passkeys (account_id);
CREATE INDEX passkeys_staff ON passkeys (staff_id);

-- A ceremony's server-side state, for five minutes, single use; only the token's SHA-256 is kept.
CREATE TABLE passkey_ceremonies (
    token_hash  BLOB PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('activate', 'add', 'signin', 'staff_add', 'staff_signin')),
    subject     TEXT NOT NULL,                -- whose ceremony: an account, a staff member, a code
    state       TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);

//! Keys and hashes: the keyed hash that stands in for the My Number in the database, session
//! tokens, passwords.

use crate::domain::my_number::MyNumber;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;

/// HMAC-SHA256 over the 12 digits with a server secret: the database can look a number up but
/// never holds it, and a stolen database cannot be reversed by trying all 10^11 numbers without
/// the key.
#[derive(Clone)]
pub struct NumberHasher {
    key: [u8; 32],
}

impl std::fmt::Debug for NumberHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NumberHasher(..)")
    }
}

impl NumberHasher {
    pub fn new(key: [u8; 32]) -> Self {
        NumberHasher { key }
    }

    /// Reads the key from `PORTAL_NUMBER_KEY` (64 hex digits) or from `path`, creating the file
    /// with a fresh random key (mode 0600) when neither exists.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        Ok(Self::new(load_or_create_secret(
            "PORTAL_NUMBER_KEY",
            path,
            "number key",
        )?))
    }

    #[expect(clippy::expect_used, reason = "HMAC takes a key of any length")]
    pub fn hash(&self, n: &MyNumber) -> Vec<u8> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(n.expose().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The keyed hash of a staff username, as the key of its sign-in back-off. The input starts
    /// with a letter and a NUL, so it can never equal a number's 12 digits.
    #[expect(clippy::expect_used, reason = "HMAC takes a key of any length")]
    pub fn staff_key(&self, username: &str) -> Vec<u8> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(b"staff\0");
        mac.update(username.trim().to_lowercase().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// A bounded queue for argon2 work: as many checks at once as there are cores, a few more
/// waiting briefly, and the rest turned away at once, so a flood of sign-ins gets quick 503s
/// instead of exhausting CPU and memory (each check holds 19 MiB).
#[derive(Clone, Debug)]
pub struct PasswordGate {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    waiting: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    max_waiting: usize,
    max_wait: std::time::Duration,
}

impl PasswordGate {
    /// `workers` checks at once (0: one per core) and four times as many waiting up to 1 s.
    pub fn new(workers: usize) -> Self {
        let workers = if workers == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        } else {
            workers
        };
        PasswordGate {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(workers)),
            waiting: Default::default(),
            max_waiting: workers * 4,
            max_wait: std::time::Duration::from_secs(1),
        }
    }

    /// A place to check a password, or `None` when the queue is full or the wait too long.
    pub async fn enter(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        use std::sync::atomic::Ordering;
        if let Ok(p) = self.permits.clone().try_acquire_owned() {
            return Some(p);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let got = tokio::time::timeout(self.max_wait, self.permits.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        got.ok().and_then(Result::ok)
    }

    /// Verifies a password on the blocking pool while holding `permit`.
    pub async fn verify(
        &self,
        permit: tokio::sync::OwnedSemaphorePermit,
        password: &str,
        phc: &str,
    ) -> bool {
        let (password, phc) = (password.to_string(), phc.to_string());
        tokio::task::spawn_blocking(move || {
            let ok = verify_password(&password, &phc);
            drop(permit);
            ok
        })
        .await
        .unwrap_or(false)
    }
}

/// A 32-byte secret from the environment variable `env` (64 hex digits) or from the file `path`,
/// which is created with a fresh random key (mode 0600) when neither exists. `what` names the key
/// in error messages.
pub fn load_or_create_secret(env: &str, path: &Path, what: &str) -> anyhow::Result<[u8; 32]> {
    if let Ok(hexkey) = std::env::var(env) {
        return secret_from_hex(hexkey.trim()).map_err(|e| anyhow::anyhow!("{env}: {what} {e}"));
    }
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the {what} file {}: {e}", path.display()))?;
        return secret_from_hex(text.trim())
            .map_err(|e| anyhow::anyhow!("the {what} file {}: {what} {e}", path.display()));
    }
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot create the {what} file {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, hex::encode(key).as_bytes())?;
    file.sync_all()?;
    Ok(key)
}

fn secret_from_hex(s: &str) -> Result<[u8; 32], &'static str> {
    let bytes = hex::decode(s).map_err(|_| "must be 64 hex digits")?;
    bytes
        .try_into()
        .map_err(|_| "must be 32 bytes (64 hex digits)")
}

/// A new session token (256 random bits, URL-safe base64) and the hash stored for it.
pub fn new_session_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The stored hash of a session token a browser sent, or `None` when it cannot be one (empty, or
/// longer than any token issued), without a database look-up.
pub fn presented_token_hash(token: &str) -> Option<Vec<u8>> {
    (!token.is_empty() && token.len() <= 128).then(|| token_hash(token))
}

/// A nonce for the Content-Security-Policy of one response.
pub fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[expect(
    clippy::expect_used,
    reason = "the argon2 parameters are constants within the allowed ranges"
)]
fn argon2() -> Argon2<'static> {
    // OWASP's argon2id recommendation: m=19456 KiB, t=2, p=1.
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[expect(
    clippy::expect_used,
    reason = "hashing with a fresh salt and fixed parameters cannot fail"
)]
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid parameters")
        .to_string()
}

/// Verifies a password against a stored PHC string; a malformed hash verifies as false.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A hash of a random password, verified against when a number has no account, so that an
/// unknown number costs the same time as a wrong password.
/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        hash_password(&hex::encode(bytes))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_hash_is_keyed_and_stable() {
        let n = MyNumber::parse("123456789018").unwrap();
        let a = NumberHasher::new([1; 32]);
        let b = NumberHasher::new([2; 32]);
        assert_eq!(a.hash(&n), a.hash(&n));
        assert_ne!(a.hash(&n), b.hash(&n));
        assert_eq!(a.hash(&n).len(), 32);
    }

    #[test]
    fn staff_keys_are_keyed_and_ignore_case() {
        let a = NumberHasher::new([1; 32]);
        assert_eq!(a.staff_key("cw1"), a.staff_key(" CW1 "));
        assert_ne!(a.staff_key("cw1"), a.staff_key("cw2"));
        assert_ne!(
            a.staff_key("cw1"),
            NumberHasher::new([2; 32]).staff_key("cw1")
        );
    }

    #[tokio::test]
    async fn the_password_gate_turns_away_what_it_cannot_queue() {
        let gate = PasswordGate::new(1);
        let held = gate.enter().await.expect("a free place");
        // Four may wait; the fifth is turned away at once.
        let waiting: Vec<_> = (0..4)
            .map(|_| {
                let g = gate.clone();
                tokio::spawn(async move { g.enter().await.is_some() })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        assert!(gate.enter().await.is_none());
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
        drop(held);
        for w in waiting {
            assert!(w.await.unwrap(), "a waiting check gets its turn");
        }
    }

    #[test]
    fn passwords_verify_and_use_argon2id_parameters() {
        let h = hash_password("correct horse");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn session_tokens_are_long_and_distinct() {
        let (t1, h1) = new_session_token();
        let (t2, _) = new_session_token();
        assert_ne!(t1, t2);
        assert!(t1.len() >= 43);
        assert_eq!(token_hash(&t1), h1);
    }
}

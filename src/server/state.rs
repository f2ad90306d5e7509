//! Shared application state.

use super::throttle::{Throttle, ThrottleConfig};
use crate::service::auth::AuthService;
use crate::service::clock::Clock;
use crate::service::crypto::{NumberHasher, PasswordGate};
use crate::service::inspection::Inspection;
use crate::service::passkeys::PasskeyService;
use crate::service::staff_auth::StaffAuthService;
use crate::service::workflow::Workflow;
use crate::store::Db;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// The public origin when none is configured.
pub const DEFAULT_PUBLIC_ORIGIN: &str = "http://localhost:3000";

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Serve behind HTTPS: every cookie `Secure` (session cookies with the `__Host-` prefix),
    /// HSTS, and `https` expected in `Origin`.
    pub secure_cookies: bool,
    /// Per-client-address limits on sign-in and anonymous POSTs; `None` turns them off.
    pub throttle: Option<ThrottleConfig>,
    /// A header a trusted proxy sets to the client's address (`X-Forwarded-For`, `X-Real-IP`);
    /// its last entry is the client. `None`: the socket's peer address.
    pub client_ip_header: Option<http::HeaderName>,
    /// Password checks (argon2) at once; 0: one per core.
    pub password_workers: usize,
    /// The portal's public address, whose host the passkeys are bound to (the WebAuthn relying
    /// party). Must be a domain name: `http://localhost:3000` locally, any port on localhost.
    pub public_origin: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            secure_cookies: false,
            throttle: Some(ThrottleConfig::default()),
            client_ip_header: None,
            password_workers: 0,
            public_origin: DEFAULT_PUBLIC_ORIGIN.to_string(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub auth: AuthService,
    pub staff_auth: StaffAuthService,
    pub workflow: Workflow,
    pub inspection: Inspection,
    pub passkeys: PasskeyService,
    pub config: Arc<ServerConfig>,
    /// The per-client limits, when on.
    pub throttle: Option<Arc<Throttle>>,
}

impl AppState {
    #[expect(
        clippy::expect_used,
        reason = "the public origin is checked when the configuration is read (main) and defaults to localhost"
    )]
    pub fn new(
        leptos_options: LeptosOptions,
        db: Db,
        hasher: NumberHasher,
        clock: Arc<dyn Clock>,
        config: ServerConfig,
    ) -> Self {
        let gate = PasswordGate::new(config.password_workers);
        let auth = AuthService {
            db: db.clone(),
            hasher: hasher.clone(),
            clock: clock.clone(),
            gate: gate.clone(),
        };
        let staff_auth = StaffAuthService {
            db: db.clone(),
            clock: clock.clone(),
            hasher: hasher.clone(),
            gate: gate.clone(),
        };
        let passkeys = PasskeyService {
            db: db.clone(),
            hasher: hasher.clone(),
            clock: clock.clone(),
            gate,
            webauthn: Arc::new(
                crate::service::passkeys::relying_party(&config.public_origin)
                    .expect("the public origin is checked when the configuration is read"),
            ),
        };
        let throttle = config
            .throttle
            .map(|t| Arc::new(Throttle::new(t, config.client_ip_header.clone())));
        let workflow = Workflow {
            db: db.clone(),
            hasher,
            clock,
        };
        let inspection = Inspection::new(
            workflow.clone(),
            format!(
                "{}-{}",
                std::process::id(),
                crate::service::crypto::new_nonce()
            ),
        );
        AppState {
            leptos_options,
            db,
            auth,
            staff_auth,
            workflow,
            inspection,
            passkeys,
            config: Arc::new(config),
            throttle,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}

//! Shared application state.

use crate::service::auth::AuthService;
use crate::service::clock::Clock;
use crate::service::crypto::NumberHasher;
use crate::service::inspection::Inspection;
use crate::service::staff_auth::StaffAuthService;
use crate::service::workflow::Workflow;
use crate::store::Db;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Serve cookies with `Secure` and the `__Host-` prefix (behind HTTPS).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub auth: AuthService,
    pub staff_auth: StaffAuthService,
    pub workflow: Workflow,
    pub inspection: Inspection,
    pub config: Arc<ServerConfig>,
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        db: Db,
        hasher: NumberHasher,
        clock: Arc<dyn Clock>,
        config: ServerConfig,
    ) -> Self {
        let auth = AuthService {
            db: db.clone(),
            hasher: hasher.clone(),
            clock: clock.clone(),
        };
        let staff_auth = StaffAuthService {
            db: db.clone(),
            clock: clock.clone(),
        };
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
            config: Arc::new(config),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}

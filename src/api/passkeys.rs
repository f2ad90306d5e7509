//! The "sign-in and security" pages' data: the viewer's own passkeys, nothing of anyone else's.

use crate::domain::activation::SecurityView;
use leptos::prelude::*;

/// The signed-in resident's passkeys and whether a password is set.
#[server(prefix = "/api", endpoint = "my_security")]
pub async fn get_my_security() -> Result<SecurityView, ServerFnError> {
    use super::ssr;
    use crate::store::passkeys::Owner;
    let me = ssr::require_resident().await?;
    ssr::state()
        .passkeys
        .security(Owner::Account(me.account_id))
        .await
        .map_err(ssr::internal)
}

/// The signed-in staff member's passkeys.
#[server(prefix = "/api", endpoint = "staff/security")]
pub async fn get_staff_security() -> Result<SecurityView, ServerFnError> {
    use super::ssr;
    use crate::store::passkeys::Owner;
    let me = ssr::require_staff().await?;
    ssr::state()
        .passkeys
        .security(Owner::Staff(me.staff_id))
        .await
        .map_err(ssr::internal)
}

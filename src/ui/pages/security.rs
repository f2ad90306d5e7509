//! "サインインとセキュリティ": the resident's passkeys (add, remove) and how they can sign in
//! without one.

use crate::api::passkeys::get_my_security;
use crate::ui::components::LoadFailed;
use crate::ui::components::SecurityPanel;
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| get_my_security());
    view! {
        <Title text=i18n.t("security.page_title") />
        <h1>{i18n.t("security.title")}</h1>
        <p class="lead">{i18n.t("security.lead")}</p>
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <SecurityPanel view=v staff=false /> }.into_any(),
                    Err(_) => view! { <LoadFailed /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

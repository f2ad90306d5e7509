use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("page.not_found") />
        <h1>{i18n.t("page.not_found")}</h1>
        <p>{i18n.t("common.not_found_text")}</p>
        <p>
            <a href="/">{i18n.t("nav.home")}</a>
        </p>
    }
}

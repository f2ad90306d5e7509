use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("common.portal_name") />
        <h1>{i18n.t("home.title")}</h1>
        <p class="lead">{i18n.t("home.lead")}</p>
        <div class="grid">
            <section class="card">
                <h2>{i18n.t("home.check_title")}</h2>
                <p>{i18n.t("home.check_text")}</p>
            </section>
            <section class="card">
                <h2>{i18n.t("home.how_title")}</h2>
                <p>{i18n.t("home.how_text")}</p>
            </section>
        </div>
        <p class="actions">
            <a class="btn btn-primary" href="/me">
                {i18n.t("home.cta")}
            </a>
        </p>
    }
}

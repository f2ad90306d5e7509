//! Pieces the resident pages share: the load-failed box and the links to report a missing item.

use crate::domain::category::Category;
use crate::ui::components::Alert;
use crate::ui::context::use_i18n;
use leptos::prelude::*;

/// What a page shows when its data could not be loaded (usually: not signed in).
#[component]
pub fn LoadFailed() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Alert kind="error" message=i18n.t("error.load_failed") />
        <p>
            <a href="/login">{i18n.t("signin.title")}</a>
        </p>
    }
}

/// Links to report an item that is missing, one per category.
#[component]
pub fn MissingItemLinks() -> impl IntoView {
    let i18n = use_i18n();
    let links = Category::ALL
        .into_iter()
        .map(|c| {
            view! {
                <li>
                    <a href=format!("/me/report?category={}", c.code())>
                        {i18n.tf("reports.missing.link", &[("category", &i18n.t(c.label_key()))])}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="missing-links" aria-labelledby="missing-links-h">
            <h2 id="missing-links-h">{i18n.t("reports.missing.heading")}</h2>
            <p>{i18n.t("reports.missing.explain")}</p>
            <ul class="link-list">{links}</ul>
        </section>
    }
}

//! Searching the register for the person an item really belongs to, on the four basic items (the
//! birth date is required, the others narrow the search). A
//! purpose is required: it is logged with every person shown and appears in their access log.
//! Each person found comes with a form proposing to relink the case's items to them.

use crate::api::staff::search_register;
use crate::domain::reports::PersonView;
use crate::ui::components::{error_code, PersonDetails, StaffLoadError};
use crate::ui::components::{Alert, Required, TextField};
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The search as the query string gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Criteria {
    reference: String,
    name: String,
    birth_date: String,
    sex: String,
    address: String,
    purpose: String,
    /// Whether the form was sent (the query has a `purpose` field, even empty).
    sent: bool,
}

impl Criteria {
    /// The register is searched by birth date (required), narrowed by name, sex and address; a
    /// purpose is required.
    fn ready(&self) -> bool {
        !self.birth_date.is_empty() && !self.purpose.is_empty()
    }
}

#[component]
pub fn StaffSearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    // `try_with`: the title reads this after a server render may have disposed the params.
    let reference = move || {
        params
            .try_with(|p| p.get("reference"))
            .flatten()
            .unwrap_or_default()
    };
    let criteria = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        Criteria {
            reference: reference(),
            name: get("name"),
            birth_date: get("birth_date"),
            sex: get("sex"),
            address: get("address"),
            purpose: get("purpose"),
            sent: q.get("purpose").is_some(),
        }
    };
    let results = Resource::new(criteria, |c: Criteria| async move {
        if !c.ready() {
            return Ok(None);
        }
        search_register(
            c.reference,
            c.name,
            c.birth_date,
            c.sex,
            c.address,
            c.purpose,
        )
        .await
        .map(Some)
    });

    view! {
        <Title text=move || i18n.tf("staff.page.search", &[("reference", &reference())]) />
        <p class="back-link">
            <a href=move || format!("/staff/cases/{}", reference())>
                {i18n.t("case.search.back")}
            </a>
        </p>
        <h1>{move || i18n.tf("case.search.title", &[("reference", &reference())])}</h1>
        <p class="lead">{i18n.t("case.search.lead")}</p>
        <Alert kind="warning" message=i18n.t("case.search.logged_note") />
        {move || {
            let c = criteria();
            view! { <SearchForm criteria=c /> }
        }}
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || {
                let c = criteria();
                Suspend::new(async move {
                    if c.sent && !c.ready() {
                        let key = if c.purpose.is_empty() {
                            "staff.error.purpose_required"
                        } else {
                            "staff.error.birth_date_required"
                        };
                        return view! { <Alert kind="error" message=i18n.t(key) /> }.into_any();
                    }
                    match results.await {
                        Ok(None) => ().into_any(),
                        Ok(Some(people)) => {
                            view! { <Results reference=c.reference people /> }.into_any()
                        }
                        Err(e) => view! { <StaffLoadError code=error_code(&e) /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The search form, filled with the last search.
#[component]
fn SearchForm(criteria: Criteria) -> impl IntoView {
    let i18n = use_i18n();
    let action = format!("/staff/cases/{}/search", criteria.reference);
    let sex_options = [
        ("", i18n.t("case.search.sex_any")),
        ("M", i18n.t("sex.m")),
        ("F", i18n.t("sex.f")),
    ]
    .into_iter()
    .map(|(value, text)| {
        let selected = criteria.sex == value;
        view! {
            <option value=value selected=selected>
                {text}
            </option>
        }
    })
    .collect_view();
    let purpose_missing = criteria.sent && criteria.purpose.is_empty();
    let birth_missing = criteria.sent && criteria.birth_date.is_empty();
    view! {
        <form class="card stack search-form" method="get" action=action>
            <h2>{i18n.t("case.search.form_title")}</h2>
            <p class="hint" id="search-criteria-hint">
                {i18n.t("case.search.criteria_hint")}
            </p>
            <TextField
                id="search-name"
                name="name"
                label=i18n.t("case.search.name_label")
                hint=i18n.t("case.search.name_hint")
                maxlength=100
                value=criteria.name.clone()
                shared_hint="search-criteria-hint"
            />
            <TextField
                id="search-birth"
                name="birth_date"
                label=i18n.t("attr.birth_date")
                hint=i18n.t("case.search.birth_hint")
                required=Required::Browser
                inputmode="numeric"
                maxlength=10
                class="input-short"
                value=criteria.birth_date.clone()
                shared_hint="search-criteria-hint"
                invalid=birth_missing
            />
            <div class="field">
                <label for="search-sex">{i18n.t("attr.sex")}</label>
                <select id="search-sex" name="sex" class="input-short">
                    {sex_options}
                </select>
            </div>
            <TextField
                id="search-address"
                name="address"
                label=i18n.t("attr.address")
                hint=i18n.t("case.search.address_hint")
                maxlength=200
                value=criteria.address.clone()
            />
            <TextField
                id="search-purpose"
                name="purpose"
                label=i18n.t("case.search.purpose_label")
                hint=i18n.t("case.search.purpose_hint")
                required=Required::Browser
                maxlength=200
                value=criteria.purpose.clone()
                invalid=purpose_missing
            />
            <button type="submit" class="btn btn-primary">
                {i18n.t("case.search.submit")}
            </button>
        </form>
    }
}

/// The people found, each with a form proposing the relink to them.
#[component]
fn Results(reference: String, people: Vec<PersonView>) -> impl IntoView {
    let i18n = use_i18n();
    let n = people.len();
    let list = if people.is_empty() {
        view! { <p class="empty">{i18n.t("case.search.none_found")}</p> }.into_any()
    } else {
        people
            .into_iter()
            .map(|p| {
                let rid = p.resident_id;
                let heading_id = format!("person-{rid}-h");
                let labelled_by = heading_id.clone();
                let reason_id = format!("person-{rid}-reason");
                let hint_id = format!("{reason_id}-hint");
                let heading = p
                    .identity
                    .name_kanji
                    .clone()
                    .or_else(|| p.identity.name_kana.clone())
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(|| p.my_number_masked.clone());
                view! {
                    <article class="item person" aria-labelledby=labelled_by>
                        <h3 id=heading_id>{heading}</h3>
                        <PersonDetails person=p />
                        <form
                            class="stack"
                            method="post"
                            action=format!("/staff/cases/{reference}/propose")
                        >
                            <input type="hidden" name="outcome" value="relink" />
                            <input type="hidden" name="target_id" value=rid.to_string() />
                            <div class="field">
                                <label for=reason_id.clone()>
                                    {i18n.t("case.search.reason_label")} " "
                                    <span class="req">{i18n.t("common.required")}</span>
                                </label>
                                <p class="hint" id=hint_id.clone()>
                                    {i18n.t("case.search.reason_hint")}
                                </p>
                                <textarea
                                    id=reason_id
                                    name="reason"
                                    rows="3"
                                    required=true
                                    aria-describedby=hint_id
                                ></textarea>
                            </div>
                            <button type="submit" class="btn btn-primary">
                                {i18n.t("case.search.propose_relink")}
                            </button>
                        </form>
                    </article>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="search-results" aria-labelledby="search-results-h">
            <h2 id="search-results-h">
                {i18n.t("case.search.results_title")} " "
                <span class="count">{i18n.tf("case.count", &[("n", &n.to_string())])}</span>
            </h2>
            <p class="muted">{i18n.t("case.search.results_note")}</p>
            {list}
        </section>
    }
}

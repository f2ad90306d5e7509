//! The caseworker's and supervisor's queue: open and recent cases, soonest deadline first, with a
//! filter form (a plain GET form, so it works without JavaScript).

use crate::api::staff::get_queue;
use crate::domain::category::Category;
use crate::domain::reports::{QueueFilter, QueueRow, QueueView, StaffRole, Verdict};
use crate::domain::workflow::Status;
use crate::ui::components::{error_code, StaffLoadError, VerdictBadge};
use crate::ui::components::{DeadlineText, StatusBadge};
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The `due` filter's values (`queue.due.<code>`).
const DUE_CODES: [&str; 2] = ["overdue", "week"];

#[component]
pub fn StaffQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |k: &str| {
        query
            .read()
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let filter = move || QueueFilter {
        status: param("status"),
        category: param("category"),
        verdict: param("verdict"),
        due: param("due"),
        page: param("page").and_then(|p| p.parse().ok()),
    };
    let data = Resource::new(filter, get_queue);

    view! {
        <Title text=i18n.t("staff.page.queue") />
        <h1>{i18n.t("queue.title")}</h1>
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || {
                let current = filter();
                Suspend::new(async move {
                    match data.await {
                        Ok(queue) => view! { <Queue queue filter=current /> }.into_any(),
                        Err(e) => view! { <StaffLoadError code=error_code(&e) /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Queue(queue: QueueView, filter: QueueFilter) -> impl IntoView {
    let i18n = use_i18n();
    let me = queue.me;
    let institution = i18n.pick(
        me.institution_name_ja.as_deref().unwrap_or_default(),
        me.institution_name_en.as_deref().unwrap_or_default(),
    );
    let who = if institution.is_empty() {
        i18n.tf(
            "queue.signed_in_as",
            &[
                ("name", &me.display_name),
                ("role", &i18n.t(me.role.label_key())),
            ],
        )
    } else {
        i18n.tf(
            "queue.signed_in_as_at",
            &[
                ("name", &me.display_name),
                ("role", &i18n.t(me.role.label_key())),
                ("institution", &institution),
            ],
        )
    };
    let helpdesk = me.role == StaffRole::Helpdesk;
    let filtered = QueueFilter {
        page: None,
        ..filter.clone()
    } != QueueFilter::default();
    let n = queue.total;
    let overdue = queue.overdue;
    let (page, pages) = (queue.page, queue.pages);
    let page_href = {
        let f = filter.clone();
        move |p: usize| {
            let mut q = vec![format!("page={p}")];
            for (k, v) in [
                ("status", &f.status),
                ("category", &f.category),
                ("verdict", &f.verdict),
                ("due", &f.due),
            ] {
                if let Some(v) = v {
                    q.push(format!("{k}={v}"));
                }
            }
            format!("/staff?{}", q.join("&"))
        }
    };
    let pager = (pages > 1).then(|| {
        let (prev, next) = (page_href(page.saturating_sub(1)), page_href(page + 1));
        view! {
            <nav class="pager" aria-label=i18n.t("queue.pager_label")>
                {(page > 1).then(|| view! { <a href=prev>{i18n.t("queue.prev_page")}</a> })}
                " "
                <span>
                    {i18n
                        .tf(
                            "queue.page_of",
                            &[("page", &page.to_string()), ("pages", &pages.to_string())],
                        )}
                </span>
                " "
                {(page < pages).then(|| view! { <a href=next>{i18n.t("queue.next_page")}</a> })}
            </nav>
        }
    });

    let statuses = Status::ALL
        .into_iter()
        .map(|s| (s.code().to_string(), i18n.t(s.label_key())))
        .collect();
    let categories = Category::ALL
        .into_iter()
        .map(|c| (c.code().to_string(), i18n.t(c.label_key())))
        .collect();
    let verdicts = Verdict::ALL
        .into_iter()
        .map(|v| (v.code().to_string(), i18n.t(v.label_key())))
        .collect();
    let dues = DUE_CODES
        .into_iter()
        .map(|d| (d.to_string(), i18n.t(&format!("queue.due.{d}"))))
        .collect();

    let body = if queue.rows.is_empty() {
        view! {
            <p class="empty">
                {i18n.t(if filtered { "queue.empty_filtered" } else { "queue.empty" })}
            </p>
        }
        .into_any()
    } else {
        let rows = queue
            .rows
            .into_iter()
            .map(|row| view! { <QueueTableRow row /> })
            .collect_view();
        view! {
            <div
                class="table-wrap"
                tabindex="0"
                role="region"
                aria-label=i18n.t("queue.table_label")
            >
                <table class="queue-table">
                    <caption>
                        {i18n.tf("queue.caption", &[("n", &n.to_string())])}
                        {(overdue > 0)
                            .then(|| {
                                view! {
                                    " "
                                    {i18n.tf("queue.caption_overdue", &[("n", &overdue.to_string())])}
                                }
                            })}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("queue.col.reference")}</th>
                            <th scope="col">{i18n.t("queue.col.category")}</th>
                            <th scope="col">{i18n.t("queue.col.kind")}</th>
                            <th scope="col">{i18n.t("queue.col.verdict")}</th>
                            <th scope="col">{i18n.t("queue.col.status")}</th>
                            <th scope="col">{i18n.t("queue.col.submitted")}</th>
                            <th scope="col">{i18n.t("queue.col.deadline")}</th>
                            <th scope="col">{i18n.t("queue.col.assignee")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <p class="staff-me">{who}</p>
        {helpdesk
            .then(|| {
                view! {
                    <p>
                        <a href="/staff/helpdesk">{i18n.t("staff.go_to_helpdesk")}</a>
                    </p>
                }
            })}
        <p class="lead">{i18n.t("queue.lead")}</p>
        <form class="card filter-form" method="get" action="/staff">
            <h2 class="filter-title">{i18n.t("queue.filter_title")}</h2>
            <div class="filter-fields">
                <FilterSelect
                    name="status"
                    label=i18n.t("queue.filter.status")
                    current=filter.status.clone()
                    options=statuses
                />
                <FilterSelect
                    name="category"
                    label=i18n.t("queue.filter.category")
                    current=filter.category.clone()
                    options=categories
                />
                <FilterSelect
                    name="verdict"
                    label=i18n.t("queue.filter.verdict")
                    current=filter.verdict.clone()
                    options=verdicts
                />
                <FilterSelect
                    name="due"
                    label=i18n.t("queue.filter.due")
                    current=filter.due.clone()
                    options=dues
                />
            </div>
            <div class="actions">
                <button type="submit" class="btn btn-primary">
                    {i18n.t("queue.filter_submit")}
                </button>
                {filtered
                    .then(|| {
                        view! {
                            <a class="btn btn-secondary" href="/staff">
                                {i18n.t("queue.filter_clear")}
                            </a>
                        }
                    })}
            </div>
        </form>
        {body}
        {pager}
    }
}

/// A select of the filter form, "all" first.
#[component]
fn FilterSelect(
    name: &'static str,
    label: String,
    current: Option<String>,
    options: Vec<(String, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("filter-{name}");
    let opts = options
        .into_iter()
        .map(|(value, text)| {
            let selected = current.as_deref() == Some(value.as_str());
            view! {
                <option value=value selected=selected>
                    {text}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name>
                <option value="" selected=current.is_none()>
                    {i18n.t("queue.all")}
                </option>
                {opts}
            </select>
        </div>
    }
}

#[component]
fn QueueTableRow(row: QueueRow) -> impl IntoView {
    let i18n = use_i18n();
    let open = row.status.awaits_decision();
    let overdue = open && row.deadline.overdue;
    let another = row.verdict == Verdict::LikelyAnotherPerson;
    let class = match (overdue, another) {
        (true, true) => "row-overdue row-another",
        (true, false) => "row-overdue",
        (false, true) => "row-another",
        (false, false) => "",
    };
    let class = (!class.is_empty()).then_some(class);
    let assignee = if row.mine {
        view! { <strong>{i18n.t("queue.assignee_me")}</strong> }.into_any()
    } else {
        match row.assignee_name {
            Some(name) => view! { <span>{name}</span> }.into_any(),
            None => view! { <span class="muted">{i18n.t("queue.unassigned")}</span> }.into_any(),
        }
    };
    let institution = i18n.pick(&row.institution_name_ja, &row.institution_name_en);
    view! {
        <tr class=class>
            <th scope="row">
                <a href=format!("/staff/cases/{}", row.reference)>{row.reference.clone()}</a>
                {overdue
                    .then(|| {
                        view! {
                            " "
                            <span class="badge badge-differs badge-overdue">
                                {i18n.t("queue.overdue_badge")}
                            </span>
                        }
                    })}
            </th>
            <td>
                {i18n.t(row.category.label_key())}
                <br />
                <small class="muted">{institution}</small>
            </td>
            <td>{i18n.t(row.kind.label_key())}</td>
            <td>
                <VerdictBadge verdict=row.verdict />
            </td>
            <td>
                <StatusBadge status=row.status />
            </td>
            <td>{i18n.date(row.submitted_at)}</td>
            <td>
                {if open {
                    view! { <DeadlineText deadline=row.deadline open=true /> }.into_any()
                } else {
                    view! { <span class="muted">{i18n.t("case.deadline_closed")}</span> }.into_any()
                }}
            </td>
            <td>{assignee}</td>
        </tr>
    }
}

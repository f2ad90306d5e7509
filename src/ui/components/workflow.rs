//! Pieces the workflow pages share: status and deadline badges, the timeline, notice texts.

use crate::domain::reports::{Deadline, Notice, TimelineEntry};
use crate::domain::workflow::Status;
use crate::i18n::I18n;
use crate::ui::context::use_i18n;
use leptos::prelude::*;

/// A report's status as a badge.
#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    let i18n = use_i18n();
    let class = match status {
        Status::Closed | Status::Withdrawn => "badge badge-same",
        Status::AwaitingResident => "badge badge-review",
        _ => "badge badge-method-strong",
    };
    view! { <span class=class>{i18n.t(status.label_key())}</span> }
}

/// The deadline in words: due date and days left, overdue, paused or extended. An open report
/// only; `open` false shows nothing.
#[component]
pub fn DeadlineText(deadline: Deadline, open: bool) -> impl IntoView {
    let i18n = use_i18n();
    open.then(|| {
        let due = i18n.tf("deadline.due", &[("date", &i18n.date(deadline.due_at))]);
        let state = if deadline.paused {
            view! { <span class="badge badge-review">{i18n.t("deadline.paused")}</span> }.into_any()
        } else if deadline.overdue {
            view! {
                <strong class="badge badge-differs">
                    {i18n.tf("deadline.overdue", &[("n", &(-deadline.days_left).to_string())])}
                </strong>
            }
            .into_any()
        } else {
            view! {
                <span>
                    {i18n.tf("deadline.days_left", &[("n", &deadline.days_left.to_string())])}
                </span>
            }
            .into_any()
        };
        view! {
            <span class="deadline">
                {due} " " {state}
                {deadline
                    .extended
                    .then(|| view! { " " <span class="badge">{i18n.t("deadline.extended")}</span> })}
            </span>
        }
    })
}

/// A timeline as an ordered list, oldest first. Messages are plain text.
#[component]
pub fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let items = entries
        .into_iter()
        .map(|e| {
            view! {
                <li class="timeline-entry">
                    <time>{i18n.date(e.at)}</time>
                    " "
                    <span class="timeline-what">{i18n.t(&e.kind.label_key())}</span>
                    {e.message.map(|m| view! { <p class="timeline-message">{m}</p> })}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="timeline">{items}</ol> }
}

/// A notice's title and body in the reader's language. Parameter values written `key:<key>` are
/// translated, `date:<unix>` are written as dates, `both:<ja>\u{1f}<en>` give the name in each
/// language; anything else is shown as it is.
pub fn notice_text(i18n: I18n, n: &Notice) -> (String, String) {
    let args: Vec<(String, String)> = n
        .params
        .iter()
        .map(|(k, v)| {
            let shown = if let Some(key) = v.strip_prefix("key:") {
                i18n.t(key)
            } else if let Some(d) = v.strip_prefix("date:").and_then(|d| d.parse::<i64>().ok()) {
                i18n.date(d)
            } else if let Some((ja, en)) =
                v.strip_prefix("both:").and_then(|b| b.split_once('\u{1f}'))
            {
                match i18n.lang {
                    crate::i18n::Lang::Ja => ja.to_string(),
                    crate::i18n::Lang::En => en.to_string(),
                }
            } else {
                v.clone()
            };
            (k.clone(), shown)
        })
        .collect();
    let refs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    (
        i18n.tf(&format!("notice.{}.title", n.kind), &refs),
        i18n.tf(&format!("notice.{}.body", n.kind), &refs),
    )
}

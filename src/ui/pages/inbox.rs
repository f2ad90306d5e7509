//! "お知らせ": the resident's notices, newest first, unread ones marked. Marking as read is a
//! plain form posting to `/inbox/read` (with `id` for one notice, without for all).

use crate::api::workflow::get_inbox;
use crate::domain::reports::{InboxView, Notice};
use crate::ui::components::notice_text;
use crate::ui::components::LoadFailed;
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let inbox = Resource::new(|| (), |_| get_inbox());

    view! {
        <Title text=i18n.t("inbox.page_title") />
        <h1>{i18n.t("inbox.title")}</h1>
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match inbox.await {
                    Ok(v) => view! { <Inbox inbox=v /> }.into_any(),
                    Err(_) => view! { <LoadFailed /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Inbox(inbox: InboxView) -> impl IntoView {
    let i18n = use_i18n();
    let lead = if inbox.unread > 0 {
        i18n.tf("inbox.lead_unread", &[("n", &inbox.unread.to_string())])
    } else {
        i18n.t("inbox.lead_all_read")
    };
    let mark_all = (inbox.unread > 0).then(|| {
        view! {
            <form class="inbox-actions" method="post" action="/inbox/read">
                <button type="submit" class="btn btn-secondary">
                    {i18n.t("inbox.mark_all_read")}
                </button>
            </form>
        }
    });
    let list = if inbox.notices.is_empty() {
        view! { <p class="empty">{i18n.t("inbox.empty")}</p> }.into_any()
    } else {
        let items = inbox
            .notices
            .into_iter()
            .map(|n| view! { <NoticeItem notice=n /> })
            .collect_view();
        view! { <ul class="notices">{items}</ul> }.into_any()
    };
    view! {
        <p class="lead">{lead}</p>
        {mark_all}
        {list}
    }
}

#[component]
fn NoticeItem(notice: Notice) -> impl IntoView {
    let i18n = use_i18n();
    let (title, body) = notice_text(i18n, &notice);
    let heading_id = format!("notice-{}-h", notice.id);
    let labelled_by = heading_id.clone();
    let unread = !notice.read;
    let link = notice.reference.clone().map(|r| {
        view! {
            <a href=format!("/reports/{r}")>
                {i18n.tf("inbox.open_report", &[("reference", &r)])}
            </a>
        }
    });
    let mark_read = unread.then(|| {
        view! {
            <form class="mark-read-form" method="post" action="/inbox/read">
                <input type="hidden" name="id" value=notice.id.to_string() />
                <button type="submit" class="btn btn-link btn-small">
                    {i18n.t("inbox.mark_read")}
                    <span class="visually-hidden">{format!(" ({title})")}</span>
                </button>
            </form>
        }
    });
    view! {
        <li class=if unread { "notice notice-unread" } else { "notice" }>
            <article aria-labelledby=labelled_by>
                <h2 class="notice-title" id=heading_id>
                    {unread
                        .then(|| {
                            view! { <span class="badge badge-unread">{i18n.t("inbox.unread")}</span> " " }
                        })}
                    {title.clone()}
                </h2>
                <p class="notice-date">
                    <time>{i18n.date(notice.at)}</time>
                </p>
                <p class="plain-text">{body}</p>
                <div class="actions">{link} {mark_read}</div>
            </article>
        </li>
    }
}

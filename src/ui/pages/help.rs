//! "ヘルプ": how reporting works, for residents and for staff. Static text, no data.

use crate::i18n::I18n;
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;

/// One topic: an anchor, a heading and its paragraphs (i18n keys).
struct Topic {
    id: &'static str,
    heading: &'static str,
    paragraphs: &'static [&'static str],
}

const RESIDENT_TOPICS: [Topic; 8] = [
    Topic {
        id: "help-what",
        heading: "help.what.heading",
        paragraphs: &["help.what.p1"],
    },
    Topic {
        id: "help-how",
        heading: "help.how.heading",
        paragraphs: &["help.how.p1"],
    },
    Topic {
        id: "help-after",
        heading: "help.after.heading",
        paragraphs: &["help.after.p1", "help.after.p2"],
    },
    Topic {
        id: "help-deadline",
        heading: "help.deadline.heading",
        paragraphs: &["help.deadline.p1", "help.deadline.p2", "help.deadline.p3"],
    },
    Topic {
        id: "help-reference",
        heading: "help.reference.heading",
        paragraphs: &["help.reference.p1", "help.reference.p2"],
    },
    Topic {
        id: "help-inbox",
        heading: "help.inbox.heading",
        paragraphs: &["help.inbox.p1"],
    },
    Topic {
        id: "help-answer",
        heading: "help.answer.heading",
        paragraphs: &["help.answer.p1", "help.answer.p2"],
    },
    Topic {
        id: "help-access",
        heading: "help.access.heading",
        paragraphs: &["help.access.p1", "help.access.p2"],
    },
];

const STAFF_TOPICS: [Topic; 10] = [
    Topic {
        id: "help-roles",
        heading: "help.roles.heading",
        paragraphs: &["help.roles.p1"],
    },
    Topic {
        id: "help-signin",
        heading: "help.signin.heading",
        paragraphs: &["help.signin.p1", "help.signin.p2"],
    },
    Topic {
        id: "help-queue",
        heading: "help.queue.heading",
        paragraphs: &["help.queue.p1", "help.queue.p2"],
    },
    Topic {
        id: "help-verdict",
        heading: "help.verdict.heading",
        paragraphs: &["help.verdict.p1"],
    },
    Topic {
        id: "help-outcomes",
        heading: "help.outcomes.heading",
        paragraphs: &["help.outcomes.p1"],
    },
    Topic {
        id: "help-approval",
        heading: "help.approval.heading",
        paragraphs: &["help.approval.p1"],
    },
    Topic {
        id: "help-impact",
        heading: "help.impact.heading",
        paragraphs: &["help.impact.p1"],
    },
    Topic {
        id: "help-extend",
        heading: "help.extend.heading",
        paragraphs: &["help.extend.p1"],
    },
    Topic {
        id: "help-inspection",
        heading: "help.inspection.heading",
        paragraphs: &["help.inspection.p1", "help.inspection.p2"],
    },
    Topic {
        id: "help-privacy",
        heading: "help.privacy.heading",
        paragraphs: &["help.privacy.p1"],
    },
];

const HOW_STEPS: [&str; 4] = [
    "help.how.step1",
    "help.how.step2",
    "help.how.step3",
    "help.how.step4",
];

/// Terms and their explanations: (label key, explanation key).
const STATUSES: [(&str, &str); 7] = [
    ("status.submitted", "help.status.submitted"),
    ("status.investigating", "help.status.investigating"),
    ("status.awaiting_resident", "help.status.awaiting_resident"),
    ("status.proposed", "help.status.proposed"),
    ("status.impact_review", "help.status.impact_review"),
    ("status.closed", "help.status.closed"),
    ("status.withdrawn", "help.status.withdrawn"),
];

const ROLES: [(&str, &str); 4] = [
    ("role.helpdesk", "help.role.helpdesk"),
    ("role.caseworker", "help.role.caseworker"),
    ("role.supervisor", "help.role.supervisor"),
    ("role.administrator", "help.role.administrator"),
];

const VERDICTS: [(&str, &str); 4] = [
    (
        "verdict.likely_another_person",
        "help.verdict.likely_another_person",
    ),
    ("verdict.likely_outdated", "help.verdict.likely_outdated"),
    ("verdict.needs_review", "help.verdict.needs_review"),
    ("verdict.consistent", "help.verdict.consistent"),
];

const OUTCOMES: [(&str, &str); 4] = [
    ("outcome.relink", "help.outcome.relink"),
    ("outcome.unlink", "help.outcome.unlink"),
    ("outcome.correct_details", "help.outcome.correct_details"),
    ("outcome.no_error", "help.outcome.no_error"),
];

fn terms(i18n: I18n, pairs: &[(&str, &str)]) -> AnyView {
    let rows = pairs
        .iter()
        .map(|(term, text)| {
            view! {
                <div>
                    <dt>{i18n.t(term)}</dt>
                    <dd>{i18n.t(text)}</dd>
                </div>
            }
        })
        .collect_view();
    view! { <dl class="fields help-terms">{rows}</dl> }.into_any()
}

/// What a topic shows after its paragraphs, if anything.
fn extra(i18n: I18n, id: &str) -> Option<AnyView> {
    match id {
        "help-how" => {
            let steps = HOW_STEPS
                .map(|k| view! { <li>{i18n.t(k)}</li> })
                .into_iter()
                .collect_view();
            Some(
                view! {
                    <ol class="help-steps">{steps}</ol>
                    <p>{i18n.t("help.how.missing")}</p>
                }
                .into_any(),
            )
        }
        "help-after" => Some(terms(i18n, &STATUSES)),
        "help-roles" => Some(terms(i18n, &ROLES)),
        "help-reference" => Some(figure(
            i18n,
            "/help/report-submitted.png",
            "help.figure.submitted",
        )),
        "help-verdict" => Some(
            view! {
                {terms(i18n, &VERDICTS)}
                {figure(i18n, "/help/staff-case.png", "help.figure.case")}
            }
            .into_any(),
        ),
        "help-outcomes" => {
            Some(view! { {terms(i18n, &OUTCOMES)} <p>{i18n.t("help.outcomes.p2")}</p> }.into_any())
        }
        _ => None,
    }
}

/// A screenshot with its description as alt text and caption (the pictures show the Japanese
/// pages).
fn figure(i18n: I18n, src: &'static str, key: &'static str) -> AnyView {
    let text = i18n.t(key);
    view! {
        <figure class="help-figure">
            <img src=src alt=text.clone() width="1100" height="1500" loading="lazy" />
            <figcaption>{text}</figcaption>
        </figure>
    }
    .into_any()
}

fn topics(i18n: I18n, list: &'static [Topic]) -> impl IntoView {
    list.iter()
        .map(|t| {
            let hid = format!("{}-h", t.id);
            let labelled_by = hid.clone();
            let paragraphs = t
                .paragraphs
                .iter()
                .map(|p| view! { <p>{i18n.t(p)}</p> })
                .collect_view();
            view! {
                <section class="help-topic" id=t.id aria-labelledby=labelled_by>
                    <h3 id=hid>{i18n.t(t.heading)}</h3>
                    {paragraphs}
                    {extra(i18n, t.id)}
                </section>
            }
        })
        .collect_view()
}

fn toc(i18n: I18n, list: &'static [Topic]) -> impl IntoView {
    list.iter()
        .map(|t| {
            view! {
                <li>
                    <a href=format!("#{}", t.id)>{i18n.t(t.heading)}</a>
                </li>
            }
        })
        .collect_view()
}

#[component]
pub fn HelpPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("help.page_title") />
        <h1>{i18n.t("help.title")}</h1>
        <p class="lead">{i18n.t("help.lead")}</p>
        <nav class="help-toc" aria-labelledby="help-toc-h">
            <h2 id="help-toc-h">{i18n.t("help.toc")}</h2>
            <div class="help-toc-groups">
                <div>
                    <p class="help-toc-group">
                        <a href="#help-residents">{i18n.t("help.residents.heading")}</a>
                    </p>
                    <ul>{toc(i18n, &RESIDENT_TOPICS)}</ul>
                </div>
                <div>
                    <p class="help-toc-group">
                        <a href="#help-staff">{i18n.t("help.staff.heading")}</a>
                    </p>
                    <ul>{toc(i18n, &STAFF_TOPICS)}</ul>
                </div>
            </div>
        </nav>
        <section class="help-part" id="help-residents" aria-labelledby="help-residents-h">
            <h2 id="help-residents-h">{i18n.t("help.residents.heading")}</h2>
            <p>{i18n.t("help.residents.intro")}</p>
            {topics(i18n, &RESIDENT_TOPICS)}
        </section>
        <section class="help-part" id="help-staff" aria-labelledby="help-staff-h">
            <h2 id="help-staff-h">{i18n.t("help.staff.heading")}</h2>
            <p>{i18n.t("help.staff.intro")}</p>
            {topics(i18n, &STAFF_TOPICS)}
        </section>
    }
}

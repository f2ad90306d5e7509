//! "わたしの情報": every item linked to the resident's number, by category.

use crate::api::get_my_data;
use crate::domain::items::MyDataView;
use crate::ui::components::{Alert, ItemCard};
use crate::ui::context::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MyDataPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let reveal = move || {
        query
            .read()
            .get("reveal")
            .and_then(|s| s.parse::<i64>().ok())
    };
    let data = Resource::new(reveal, get_my_data);

    view! {
        <Title text=i18n.t("page.my_data") />
        <h1>{i18n.t("mydata.title")}</h1>
        <Suspense fallback=move || view! { <p>{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <MyData data=d /> }.into_any(),
                    Err(_) => {
                        view! {
                            <Alert kind="error" message=i18n.t("error.load_failed") />
                            <p>
                                <a href="/login">{i18n.t("signin.title")}</a>
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn MyData(data: MyDataView) -> impl IntoView {
    let i18n = use_i18n();
    let total: usize = data.categories.iter().map(|c| c.items.len()).sum();
    let nav = data
        .categories
        .iter()
        .map(|c| {
            let n = c.items.len();
            view! {
                <li>
                    <a href=format!("#cat-{}", c.category.code())>
                        {i18n.t(c.category.label_key())} " "
                        <span class="count">
                            {i18n.tf("mydata.count", &[("n", &n.to_string())])}
                        </span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let sections = data
        .categories
        .into_iter()
        .map(|c| {
            let code = c.category.code();
            let hid = format!("cat-{code}-h");
            let labelled_by = hid.clone();
            let n = c.items.len();
            let body = if c.items.is_empty() {
                view! { <p class="empty">{i18n.t("mydata.empty")}</p> }.into_any()
            } else {
                c.items.into_iter().map(|item| view! { <ItemCard item /> }).collect_view().into_any()
            };
            view! {
                <section class="category" id=format!("cat-{code}") aria-labelledby=labelled_by>
                    <h2 id=hid>
                        {i18n.t(c.category.label_key())} " "
                        <span class="count">{i18n.tf("mydata.count", &[("n", &n.to_string())])}</span>
                    </h2>
                    {body}
                </section>
            }
        })
        .collect_view();

    view! {
        <p class="lead">
            {i18n
                .tf(
                    "mydata.lead",
                    &[
                        ("name", &data.name_kanji),
                        ("number", &data.my_number_masked),
                        ("total", &total.to_string()),
                    ],
                )}
        </p>
        <p>{i18n.t("mydata.how_to_read")}</p>
        <nav class="category-nav" aria-label=i18n.t("mydata.categories_label")>
            <ul>{nav}</ul>
        </nav>
        {sections}
    }
}

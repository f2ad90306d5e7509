//! "わたしの情報": everything linked to the signed-in resident's number.

use crate::domain::category::Category;
use crate::domain::items::{CategoryView, ItemView, MyDataView};
use crate::domain::matching::match_card;
use crate::domain::my_number::mask_last4;
use crate::store::residents::ResidentRow;
use crate::store::Db;

/// Builds the page for `resident_id`; `reveal` unmasks identifiers of that one item, and only if
/// it belongs to this resident. `known` is the resident's register entry when the caller has
/// already read it (a page render has, with the session).
pub async fn my_data(
    db: &Db,
    resident_id: i64,
    known: Option<&ResidentRow>,
    reveal: Option<i64>,
) -> Result<Option<MyDataView>, sqlx::Error> {
    let read;
    let resident = match known.filter(|r| r.id == resident_id) {
        Some(r) => r,
        None => match db.resident(resident_id).await? {
            Some(r) => {
                read = r;
                &read
            }
            None => return Ok(None),
        },
    };
    let register = resident.identity();
    let items = db.items_of_resident(resident_id).await?;
    let categories = Category::ALL
        .into_iter()
        .map(|category| CategoryView {
            category,
            items: items
                .iter()
                .filter(|i| i.category == category)
                .map(|i| {
                    let revealed = reveal == Some(i.id);
                    ItemView {
                        id: i.id,
                        category,
                        institution_id: i.institution_id,
                        under_review: i.under_review,
                        institution_name_ja: i.institution_name_ja.clone(),
                        institution_name_en: i.institution_name_en.clone(),
                        link_method: i.link_method,
                        linked_at: i.linked_at,
                        updated_at: i.updated_at,
                        fields: i.details.fields(revealed),
                        revealed,
                        has_identifier: i.details.has_identifier(),
                        match_card: match_card(&i.snapshot, &register),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(Some(MyDataView {
        name_kanji: resident.name_kanji.clone(),
        my_number_masked: mask_last4(&resident.my_number_last4),
        categories,
    }))
}

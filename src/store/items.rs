//! Linked items and their category-specific details. Loading a resident's items takes a fixed
//! number of queries (one for the items, one per category), however many items there are.

use super::{Db, StoreResult};
use crate::domain::category::{Category, LinkMethod};
use crate::domain::items::ItemDetails;
use crate::domain::matching::Identity;
use crate::on_db;
use std::collections::HashMap;

#[derive(Debug, Clone, sqlx::FromRow)]
struct ItemRow {
    id: i64,
    resident_id: i64,
    institution_id: i64,
    under_review: bool,
    unlinked_at: Option<i64>,
    category: String,
    link_method: String,
    institution_name_ja: String,
    institution_name_en: String,
    snap_name_kanji: Option<String>,
    snap_name_kana: Option<String>,
    snap_birth_date: Option<String>,
    snap_sex: Option<String>,
    snap_address: Option<String>,
    linked_at: i64,
    updated_at: i64,
}

/// A linked item with everything the owner's page needs.
#[derive(Debug, Clone)]
pub struct LinkedItem {
    pub id: i64,
    pub resident_id: i64,
    pub institution_id: i64,
    /// Named in an open report: restricted, not to be passed on until the report is decided.
    pub under_review: bool,
    /// Set when a correction took the item off the number it was linked to.
    pub unlinked_at: Option<i64>,
    pub category: Category,
    pub link_method: LinkMethod,
    pub institution_name_ja: String,
    pub institution_name_en: String,
    pub snapshot: Identity,
    pub linked_at: i64,
    pub updated_at: i64,
    pub details: ItemDetails,
}

#[derive(sqlx::FromRow)]
struct ResidentRecordRow {
    item_id: i64,
    resident_code: String,
    address: String,
    household_head: String,
    relationship: String,
    history: String,
}

#[derive(sqlx::FromRow)]
struct TaxRow {
    item_id: i64,
    person_key: String,
    tax_year: i64,
    total_income: i64,
    deductions: i64,
    resident_tax: i64,
}

#[derive(sqlx::FromRow)]
struct HealthRow {
    item_id: i64,
    insurer_number: String,
    symbol: String,
    number: String,
    branch: String,
    insured_kind: String,
    coverage_start: String,
    coverage_end: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PensionRow {
    item_id: i64,
    basic_pension_number: String,
    scheme: String,
    enrolment: String,
    benefit_status: String,
}

#[derive(sqlx::FromRow)]
struct DisabilityRow {
    item_id: i64,
    certificate_number: String,
    certificate_type: String,
    grade: String,
    issued_on: String,
    renewal_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct BankRow {
    item_id: i64,
    bank_code: String,
    bank_name: String,
    branch_code: String,
    branch_name: String,
    account_type: String,
    account_number: String,
    holder_kana: String,
}

/// Which items to load: a resident's current items, or the items named in a report (wherever
/// they are linked now).
#[derive(Debug, Clone, Copy)]
enum Which {
    OfResident(i64),
    OfReport(i64),
    One(i64),
}

impl Which {
    fn filter(self) -> &'static str {
        match self {
            Which::OfResident(_) => "i.resident_id = $1 AND i.unlinked_at IS NULL",
            Which::OfReport(_) => "i.id IN (SELECT item_id FROM report_items WHERE report_id = $1)",
            Which::One(_) => "i.id = $1",
        }
    }

    fn key(self) -> i64 {
        match self {
            Which::OfResident(k) | Which::OfReport(k) | Which::One(k) => k,
        }
    }
}

/// Fetches the rows of one detail table for the selected items.
macro_rules! details_of {
    ($db:expr, $row:ty, $table:literal, $cols:literal, $which:expr) => {{
        let sql = format!(
            "SELECT {} FROM {} d JOIN linked_items i ON i.id = d.item_id WHERE {}",
            $cols,
            $table,
            $which.filter()
        );
        on_db!($db, |p| sqlx::query_as::<_, $row>(&sql)
            .bind($which.key())
            .fetch_all(p)
            .await)
    }};
}

impl Db {
    /// Every item linked to a resident, ordered by link time.
    pub async fn items_of_resident(&self, resident_id: i64) -> StoreResult<Vec<LinkedItem>> {
        self.load_items(Which::OfResident(resident_id)).await
    }

    /// The items named in a report, wherever they are linked now.
    pub async fn items_of_report(&self, report_id: i64) -> StoreResult<Vec<LinkedItem>> {
        self.load_items(Which::OfReport(report_id)).await
    }

    /// One item, wherever it is linked now (also after it was unlinked).
    pub async fn item(&self, item_id: i64) -> StoreResult<Option<LinkedItem>> {
        Ok(self.load_items(Which::One(item_id)).await?.pop())
    }

    async fn load_items(&self, which: Which) -> StoreResult<Vec<LinkedItem>> {
        let sql = format!(
            "SELECT i.id, i.resident_id, i.institution_id, i.category, i.link_method, \
             n.name_ja AS institution_name_ja, n.name_en AS institution_name_en, \
             i.snap_name_kanji, i.snap_name_kana, i.snap_birth_date, i.snap_sex, i.snap_address, \
             i.linked_at, i.updated_at, i.unlinked_at, \
             EXISTS (SELECT 1 FROM report_items ri JOIN reports r ON r.id = ri.report_id \
                     WHERE ri.item_id = i.id \
                     AND r.status NOT IN ('closed', 'withdrawn', 'impact_review')) AS under_review \
             FROM linked_items i JOIN institutions n ON n.id = i.institution_id \
             WHERE {} ORDER BY i.linked_at, i.id",
            which.filter()
        );
        let rows: Vec<ItemRow> = on_db!(self, |p| sqlx::query_as(&sql)
            .bind(which.key())
            .fetch_all(p)
            .await)?;

        let mut details: HashMap<i64, ItemDetails> = HashMap::new();
        for r in details_of!(
            self,
            ResidentRecordRow,
            "item_resident_record",
            "d.item_id, d.resident_code, d.address, d.household_head, d.relationship, d.history",
            which
        )? {
            details.insert(
                r.item_id,
                ItemDetails::ResidentRecord {
                    resident_code: r.resident_code,
                    address: r.address,
                    household_head: r.household_head,
                    relationship: r.relationship,
                    history: r.history,
                },
            );
        }
        for r in details_of!(
            self,
            TaxRow,
            "item_tax",
            "d.item_id, d.person_key, d.tax_year, d.total_income, d.deductions, d.resident_tax",
            which
        )? {
            details.insert(
                r.item_id,
                ItemDetails::Tax {
                    person_key: r.person_key,
                    tax_year: i32::try_from(r.tax_year).unwrap_or_default(),
                    total_income: r.total_income,
                    deductions: r.deductions,
                    resident_tax: r.resident_tax,
                },
            );
        }
        for r in details_of!(self, HealthRow, "item_health_insurance",
            "d.item_id, d.insurer_number, d.symbol, d.number, d.branch, d.insured_kind, d.coverage_start, d.coverage_end",
            which)?
        {
            details.insert(r.item_id, ItemDetails::HealthInsurance {
                insurer_number: r.insurer_number,
                symbol: r.symbol,
                number: r.number,
                branch: r.branch,
                insured_kind: r.insured_kind,
                coverage_start: r.coverage_start,
                coverage_end: r.coverage_end,
            });
        }
        for r in details_of!(
            self,
            PensionRow,
            "item_pension",
            "d.item_id, d.basic_pension_number, d.scheme, d.enrolment, d.benefit_status",
            which
        )? {
            details.insert(
                r.item_id,
                ItemDetails::Pension {
                    basic_pension_number: r.basic_pension_number,
                    scheme: r.scheme,
                    enrolment: r.enrolment,
                    benefit_status: r.benefit_status,
                },
            );
        }
        for r in details_of!(self, DisabilityRow, "item_disability",
            "d.item_id, d.certificate_number, d.certificate_type, d.grade, d.issued_on, d.renewal_on", which)?
        {
            details.insert(r.item_id, ItemDetails::Disability {
                certificate_number: r.certificate_number,
                certificate_type: r.certificate_type,
                grade: r.grade,
                issued_on: r.issued_on,
                renewal_on: r.renewal_on,
            });
        }
        for r in details_of!(self, BankRow, "item_bank_account",
            "d.item_id, d.bank_code, d.bank_name, d.branch_code, d.branch_name, d.account_type, d.account_number, d.holder_kana",
            which)?
        {
            details.insert(r.item_id, ItemDetails::PublicFundAccount {
                bank_code: r.bank_code,
                bank_name: r.bank_name,
                branch_code: r.branch_code,
                branch_name: r.branch_name,
                account_type: r.account_type,
                account_number: r.account_number,
                holder_kana: r.holder_kana,
            });
        }

        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let category = Category::from_code(&r.category)?;
                let link_method = LinkMethod::from_code(&r.link_method)?;
                let details = details.remove(&r.id)?;
                (details.category() == category).then_some(LinkedItem {
                    id: r.id,
                    resident_id: r.resident_id,
                    institution_id: r.institution_id,
                    under_review: r.under_review,
                    unlinked_at: r.unlinked_at,
                    category,
                    link_method,
                    institution_name_ja: r.institution_name_ja,
                    institution_name_en: r.institution_name_en,
                    snapshot: Identity {
                        name_kanji: r.snap_name_kanji,
                        name_kana: r.snap_name_kana,
                        birth_date: r.snap_birth_date,
                        sex: r.snap_sex,
                        address: r.snap_address,
                    },
                    linked_at: r.linked_at,
                    updated_at: r.updated_at,
                    details,
                })
            })
            .collect())
    }
}

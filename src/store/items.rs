//! Linked items and their category-specific details. Loading a resident's items takes one query
//! (the six detail tables LEFT JOINed onto the items), however many items there are.

use super::{Db, StoreResult};
use crate::domain::category::{Category, LinkMethod};
use crate::domain::items::ItemDetails;
use crate::domain::matching::Identity;
use crate::on_db;

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
    #[sqlx(flatten)]
    details: DetailCols,
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

/// The columns of the six detail tables, LEFT JOINed onto the item row: only the table of the
/// item's category has a row, so only its columns are set.
#[derive(Debug, Clone, sqlx::FromRow)]
struct DetailCols {
    rr_resident_code: Option<String>,
    rr_address: Option<String>,
    rr_household_head: Option<String>,
    rr_relationship: Option<String>,
    rr_history: Option<String>,
    tx_person_key: Option<String>,
    tx_tax_year: Option<i64>,
    tx_total_income: Option<i64>,
    tx_deductions: Option<i64>,
    tx_resident_tax: Option<i64>,
    hi_insurer_number: Option<String>,
    hi_symbol: Option<String>,
    hi_number: Option<String>,
    hi_branch: Option<String>,
    hi_insured_kind: Option<String>,
    hi_coverage_start: Option<String>,
    hi_coverage_end: Option<String>,
    pn_basic_pension_number: Option<String>,
    pn_scheme: Option<String>,
    pn_enrolment: Option<String>,
    pn_benefit_status: Option<String>,
    ds_certificate_number: Option<String>,
    ds_certificate_type: Option<String>,
    ds_grade: Option<String>,
    ds_issued_on: Option<String>,
    ds_renewal_on: Option<String>,
    ba_bank_code: Option<String>,
    ba_bank_name: Option<String>,
    ba_branch_code: Option<String>,
    ba_branch_name: Option<String>,
    ba_account_type: Option<String>,
    ba_account_number: Option<String>,
    ba_holder_kana: Option<String>,
}

/// The detail columns of the query, with the joins that supply them.
const DETAIL_COLUMNS: &str = "\
    rr.resident_code AS rr_resident_code, rr.address AS rr_address, \
    rr.household_head AS rr_household_head, rr.relationship AS rr_relationship, \
    rr.history AS rr_history, \
    tx.person_key AS tx_person_key, tx.tax_year AS tx_tax_year, \
    tx.total_income AS tx_total_income, tx.deductions AS tx_deductions, \
    tx.resident_tax AS tx_resident_tax, \
    hi.insurer_number AS hi_insurer_number, hi.symbol AS hi_symbol, hi.number AS hi_number, \
    hi.branch AS hi_branch, hi.insured_kind AS hi_insured_kind, \
    hi.coverage_start AS hi_coverage_start, hi.coverage_end AS hi_coverage_end, \
    pn.basic_pension_number AS pn_basic_pension_number, pn.scheme AS pn_scheme, \
    pn.enrolment AS pn_enrolment, pn.benefit_status AS pn_benefit_status, \
    ds.certificate_number AS ds_certificate_number, ds.certificate_type AS ds_certificate_type, \
    ds.grade AS ds_grade, ds.issued_on AS ds_issued_on, ds.renewal_on AS ds_renewal_on, \
    ba.bank_code AS ba_bank_code, ba.bank_name AS ba_bank_name, ba.branch_code AS ba_branch_code, \
    ba.branch_name AS ba_branch_name, ba.account_type AS ba_account_type, \
    ba.account_number AS ba_account_number, ba.holder_kana AS ba_holder_kana";

const DETAIL_JOINS: &str = "\
    LEFT JOIN item_resident_record rr ON rr.item_id = i.id \
    LEFT JOIN item_tax tx ON tx.item_id = i.id \
    LEFT JOIN item_health_insurance hi ON hi.item_id = i.id \
    LEFT JOIN item_pension pn ON pn.item_id = i.id \
    LEFT JOIN item_disability ds ON ds.item_id = i.id \
    LEFT JOIN item_bank_account ba ON ba.item_id = i.id";

impl DetailCols {
    /// The details of an item of `category`, or `None` when its detail row is missing.
    fn into_details(self, category: Category) -> Option<ItemDetails> {
        Some(match category {
            Category::ResidentRecord => ItemDetails::ResidentRecord {
                resident_code: self.rr_resident_code?,
                address: self.rr_address?,
                household_head: self.rr_household_head?,
                relationship: self.rr_relationship?,
                history: self.rr_history?,
            },
            Category::Tax => ItemDetails::Tax {
                person_key: self.tx_person_key?,
                tax_year: i32::try_from(self.tx_tax_year?).unwrap_or_default(),
                total_income: self.tx_total_income?,
                deductions: self.tx_deductions?,
                resident_tax: self.tx_resident_tax?,
            },
            Category::HealthInsurance => ItemDetails::HealthInsurance {
                insurer_number: self.hi_insurer_number?,
                symbol: self.hi_symbol?,
                number: self.hi_number?,
                branch: self.hi_branch?,
                insured_kind: self.hi_insured_kind?,
                coverage_start: self.hi_coverage_start?,
                coverage_end: self.hi_coverage_end,
            },
            Category::Pension => ItemDetails::Pension {
                basic_pension_number: self.pn_basic_pension_number?,
                scheme: self.pn_scheme?,
                enrolment: self.pn_enrolment?,
                benefit_status: self.pn_benefit_status?,
            },
            Category::Disability => ItemDetails::Disability {
                certificate_number: self.ds_certificate_number?,
                certificate_type: self.ds_certificate_type?,
                grade: self.ds_grade?,
                issued_on: self.ds_issued_on?,
                renewal_on: self.ds_renewal_on,
            },
            Category::PublicFundAccount => ItemDetails::PublicFundAccount {
                bank_code: self.ba_bank_code?,
                bank_name: self.ba_bank_name?,
                branch_code: self.ba_branch_code?,
                branch_name: self.ba_branch_name?,
                account_type: self.ba_account_type?,
                account_number: self.ba_account_number?,
                holder_kana: self.ba_holder_kana?,
            },
        })
    }
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
    /// The table the selection starts from and its condition. The query joins nine tables, more
    /// than PostgreSQL's `join_collapse_limit` (8), so the joins run in the order written: the
    /// selective table comes first. (A report's items as `i.id IN (SELECT …)` made PostgreSQL join
    /// every item with its details before picking the report's few: seconds a case page.)
    fn selection(self) -> (&'static str, &'static str) {
        match self {
            Which::OfResident(_) => (
                "linked_items i",
                "i.resident_id = $1 AND i.unlinked_at IS NULL",
            ),
            Which::OfReport(_) => (
                "report_items sel JOIN linked_items i ON i.id = sel.item_id",
                "sel.report_id = $1",
            ),
            Which::One(_) => ("linked_items i", "i.id = $1"),
        }
    }

    fn key(self) -> i64 {
        match self {
            Which::OfResident(k) | Which::OfReport(k) | Which::One(k) => k,
        }
    }
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

    /// `under_review` is a scalar subquery with `LIMIT 1`, not `EXISTS`: PostgreSQL may run an
    /// `EXISTS` as a hashed subplan, reading every report on every call (0.5 ms at 1,000 reports,
    /// growing with them); the subquery probes `report_items_item` per item (0.07 ms).
    async fn load_items(&self, which: Which) -> StoreResult<Vec<LinkedItem>> {
        let (from, filter) = which.selection();
        let sql = format!(
            "SELECT i.id, i.resident_id, i.institution_id, i.category, i.link_method, \
             n.name_ja AS institution_name_ja, n.name_en AS institution_name_en, \
             i.snap_name_kanji, i.snap_name_kana, i.snap_birth_date, i.snap_sex, i.snap_address, \
             i.linked_at, i.updated_at, i.unlinked_at, \
             (SELECT 1 FROM report_items ri JOIN reports r ON r.id = ri.report_id \
              WHERE ri.item_id = i.id \
              AND r.status NOT IN ('closed', 'withdrawn', 'impact_review') LIMIT 1) IS NOT NULL \
             AS under_review, \
             {DETAIL_COLUMNS} \
             FROM {from} JOIN institutions n ON n.id = i.institution_id {DETAIL_JOINS} \
             WHERE {filter} ORDER BY i.linked_at, i.id"
        );
        let rows: Vec<ItemRow> = on_db!(self, |p| sqlx::query_as(&sql)
            .bind(which.key())
            .fetch_all(p)
            .await)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let category = Category::from_code(&r.category)?;
                let link_method = LinkMethod::from_code(&r.link_method)?;
                let details = r.details.into_details(category)?;
                Some(LinkedItem {
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

//! Bulk loading for the population generator and test fixtures: multi-row INSERTs inside one
//! transaction per batch.

use super::{Db, StoreResult};
use crate::domain::items::ItemDetails;
use crate::domain::matching::Identity;
use crate::on_db;
use sqlx::QueryBuilder;

#[derive(Debug, Clone)]
pub struct InstitutionRow {
    pub id: i64,
    pub kind: String,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

#[derive(Debug, Clone)]
pub struct NewResident {
    pub id: i64,
    pub my_number_hash: Vec<u8>,
    pub my_number_last4: String,
    pub resident_code: String,
    pub name_kanji: String,
    pub name_kana: String,
    pub birth_date: String,
    pub sex: String,
    pub address: String,
    pub municipality_code: String,
    pub household_id: i64,
    pub relationship: String,
}

#[derive(Debug, Clone)]
pub struct NewItem {
    pub id: i64,
    pub resident_id: i64,
    pub institution_id: i64,
    pub link_method: &'static str,
    pub snapshot: Identity,
    pub linked_at: i64,
    pub details: ItemDetails,
}

/// A set of rows inserted together.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    pub residents: Vec<NewResident>,
    pub items: Vec<NewItem>,
}

impl Batch {
    pub fn rows(&self) -> usize {
        self.residents.len() + 2 * self.items.len()
    }
}

// Rows per INSERT statement; keeps binds under SQLite's 32,766 and PostgreSQL's 65,535.
const CHUNK: usize = 1000;

macro_rules! insert_chunks {
    ($conn:expr, $rows:expr, $head:literal, |$b:ident, $r:ident| $push:block) => {{
        for chunk in $rows.chunks(CHUNK) {
            if chunk.is_empty() {
                continue;
            }
            let mut qb = QueryBuilder::new($head);
            qb.push_values(chunk, |mut $b, $r| $push);
            qb.build().execute(&mut *$conn).await?;
        }
    }};
}

macro_rules! insert_details {
    ($conn:expr, $items:expr, $variant:ident, $head:literal, |$b:ident, $id:ident, { $($f:ident),* }| $push:block) => {{
        let rows: Vec<(i64, &ItemDetails)> = $items
            .iter()
            .filter(|i| matches!(i.details, ItemDetails::$variant { .. }))
            .map(|i| (i.id, &i.details))
            .collect();
        insert_chunks!($conn, rows, $head, |$b, r| {
            let ($id, d) = *r;
            if let ItemDetails::$variant { $($f),* } = d $push
        });
    }};
}

/// Inserts the category-specific rows of `$items` (each `NewItem` with its final id).
macro_rules! insert_all_details {
    ($tx:expr, $items:expr) => {{
            insert_details!($tx, $items, ResidentRecord,
            "INSERT INTO item_resident_record (item_id, resident_code, address, household_head, relationship, history) ",
            |b, id, { resident_code, address, household_head, relationship, history }| {
                b.push_bind(id).push_bind(resident_code).push_bind(address).push_bind(household_head)
                    .push_bind(relationship).push_bind(history);
            });
            insert_details!($tx, $items, Tax,
            "INSERT INTO item_tax (item_id, person_key, tax_year, total_income, deductions, resident_tax) ",
            |b, id, { person_key, tax_year, total_income, deductions, resident_tax }| {
                b.push_bind(id).push_bind(person_key).push_bind(i64::from(*tax_year)).push_bind(total_income)
                    .push_bind(deductions).push_bind(resident_tax);
            });
            insert_details!($tx, $items, HealthInsurance,
            "INSERT INTO item_health_insurance (item_id, insurer_number, symbol, number, branch, insured_kind, \
             coverage_start, coverage_end) ",
            |b, id, { insurer_number, symbol, number, branch, insured_kind, coverage_start, coverage_end }| {
                b.push_bind(id).push_bind(insurer_number).push_bind(symbol).push_bind(number).push_bind(branch)
                    .push_bind(insured_kind).push_bind(coverage_start).push_bind(coverage_end);
            });
            insert_details!($tx, $items, Pension,
            "INSERT INTO item_pension (item_id, basic_pension_number, scheme, enrolment, benefit_status) ",
            |b, id, { basic_pension_number, scheme, enrolment, benefit_status }| {
                b.push_bind(id).push_bind(basic_pension_number).push_bind(scheme).push_bind(enrolment)
                    .push_bind(benefit_status);
            });
            insert_details!($tx, $items, Disability,
            "INSERT INTO item_disability (item_id, certificate_number, certificate_type, grade, issued_on, renewal_on) ",
            |b, id, { certificate_number, certificate_type, grade, issued_on, renewal_on }| {
                b.push_bind(id).push_bind(certificate_number).push_bind(certificate_type).push_bind(grade)
                    .push_bind(issued_on).push_bind(renewal_on);
            });
            insert_details!($tx, $items, PublicFundAccount,
            "INSERT INTO item_bank_account (item_id, bank_code, bank_name, branch_code, branch_name, account_type, \
             account_number, holder_kana) ",
            |b, id, { bank_code, bank_name, branch_code, branch_name, account_type, account_number, holder_kana }| {
                b.push_bind(id).push_bind(bank_code).push_bind(bank_name).push_bind(branch_code)
                    .push_bind(branch_name).push_bind(account_type).push_bind(account_number).push_bind(holder_kana);
            });
    }};
}

impl Db {
    pub async fn insert_institutions(&self, rows: &[InstitutionRow]) -> StoreResult<()> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            insert_chunks!(
                tx,
                rows,
                "INSERT INTO institutions (id, kind, code, name_ja, name_en) ",
                |b, r| {
                    b.push_bind(r.id)
                        .push_bind(&r.kind)
                        .push_bind(&r.code)
                        .push_bind(&r.name_ja)
                        .push_bind(&r.name_en);
                }
            );
            tx.commit().await
        })
    }

    /// Inserts residents and items with their details in one transaction.
    pub async fn insert_batch(&self, batch: &Batch, now: i64) -> StoreResult<()> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            insert_chunks!(tx, batch.residents,
                "INSERT INTO residents (id, my_number_hash, my_number_last4, resident_code, name_kanji, name_kana, \
                 birth_date, sex, address, municipality_code, household_id, relationship, updated_at) ",
                |b, r| {
                    b.push_bind(r.id).push_bind(&r.my_number_hash).push_bind(&r.my_number_last4)
                        .push_bind(&r.resident_code).push_bind(&r.name_kanji).push_bind(&r.name_kana)
                        .push_bind(&r.birth_date).push_bind(&r.sex).push_bind(&r.address)
                        .push_bind(&r.municipality_code).push_bind(r.household_id).push_bind(&r.relationship)
                        .push_bind(now);
                });
            insert_chunks!(tx, batch.items,
                "INSERT INTO linked_items (id, resident_id, category, institution_id, link_method, snap_name_kanji, \
                 snap_name_kana, snap_birth_date, snap_sex, snap_address, linked_at, updated_at) ",
                |b, r| {
                    b.push_bind(r.id).push_bind(r.resident_id).push_bind(r.details.category().code())
                        .push_bind(r.institution_id).push_bind(r.link_method)
                        .push_bind(&r.snapshot.name_kanji).push_bind(&r.snapshot.name_kana)
                        .push_bind(&r.snapshot.birth_date).push_bind(&r.snapshot.sex)
                        .push_bind(&r.snapshot.address).push_bind(r.linked_at).push_bind(r.linked_at);
                });
            insert_all_details!(tx, batch.items);
            tx.commit().await
        })
    }

    /// Links one new item to a resident (the id comes from the database) with its details, the
    /// resident's notice and the audit entry, in one transaction. Returns the item's id.
    pub async fn link_new_item(
        &self,
        item: &NewItem,
        notice_kind: &str,
        notice_params: &str,
        audit: &super::audit::NewAudit<'_>,
    ) -> StoreResult<i64> {
        on_db!(self, |p| {
            let mut tx = p.begin().await?;
            crate::append_audit_in!(&mut *tx, audit);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO linked_items (resident_id, category, institution_id, link_method, \
                 snap_name_kanji, snap_name_kana, snap_birth_date, snap_sex, snap_address, \
                 linked_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                 RETURNING id",
            )
            .bind(item.resident_id)
            .bind(item.details.category().code())
            .bind(item.institution_id)
            .bind(item.link_method)
            .bind(&item.snapshot.name_kanji)
            .bind(&item.snapshot.name_kana)
            .bind(&item.snapshot.birth_date)
            .bind(&item.snapshot.sex)
            .bind(&item.snapshot.address)
            .bind(item.linked_at)
            .fetch_one(&mut *tx)
            .await?;
            let items = [NewItem { id, ..item.clone() }];
            insert_all_details!(tx, items);
            sqlx::query(
                "INSERT INTO notices (resident_id, at, kind, reference, params) \
                 VALUES ($1, $2, $3, NULL, $4)",
            )
            .bind(item.resident_id)
            .bind(item.linked_at)
            .bind(notice_kind)
            .bind(notice_params)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Refreshes the planner's statistics of the tables a bulk load fills.
    ///
    /// Only those: statistics taken of the empty workflow tables (`reports`, `report_items`, …)
    /// told PostgreSQL they hold nothing, so the cached plan of every page that asks whether an
    /// item is under review scanned `report_items` whole, hundreds of milliseconds per request
    /// once a few thousand reports had come in, until autovacuum analysed them again. Tables
    /// never analysed are assumed to have some rows, and their indexes are used.
    ///
    /// On SQLite only the per-index summaries (`sqlite_stat1`) are kept. The bundled SQLite is
    /// built with STAT4, and with `sqlite_stat4` samples present every statement that compares an
    /// indexed column with a parameter is prepared again each time a value is bound: 14% of the
    /// server's CPU on わたしの情報 at saturation. The summaries choose the same indexes for every
    /// query the pages make (`bench/explain.sh`).
    pub async fn analyze(&self) -> StoreResult<()> {
        const LOADED: [&str; 9] = [
            "institutions",
            "residents",
            "linked_items",
            "item_resident_record",
            "item_tax",
            "item_health_insurance",
            "item_pension",
            "item_disability",
            "item_bank_account",
        ];
        match self {
            Db::Sqlite(p) => {
                for table in LOADED {
                    sqlx::query(&format!("ANALYZE {table}")).execute(p).await?;
                }
                let stat4: Option<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_schema WHERE name = 'sqlite_stat4'",
                )
                .fetch_optional(p)
                .await?;
                if stat4.is_some() {
                    sqlx::query("DELETE FROM sqlite_stat4").execute(p).await?;
                }
                // Connections load statistics when they open; this one reloads them now.
                sqlx::query("ANALYZE sqlite_schema").execute(p).await?;
                Ok(())
            }
            Db::Postgres(p) => sqlx::query(&format!("ANALYZE {}", LOADED.join(", ")))
                .execute(p)
                .await
                .map(|_| ()),
        }
    }

    /// After loading rows with explicit ids, moves PostgreSQL's identity sequences past them.
    pub async fn reset_sequences(&self) -> StoreResult<()> {
        if let Db::Postgres(p) = self {
            for table in ["institutions", "residents", "linked_items", "accounts"] {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                );
                sqlx::query(&sql).execute(p).await?;
            }
        }
        Ok(())
    }

    /// Whether the database already holds a population.
    pub async fn is_empty(&self) -> StoreResult<bool> {
        Ok(self.count_residents().await? == 0)
    }
}

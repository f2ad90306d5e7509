//! The resident register.

use super::{Db, StoreResult};
use crate::domain::matching::Identity;
use crate::on_db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResidentRow {
    pub id: i64,
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

impl ResidentRow {
    pub fn identity(&self) -> Identity {
        Identity {
            name_kanji: Some(self.name_kanji.clone()),
            name_kana: Some(self.name_kana.clone()),
            birth_date: Some(self.birth_date.clone()),
            sex: Some(self.sex.clone()),
            address: Some(self.address.clone()),
        }
    }
}

/// The columns of [`ResidentRow`], of the table aliased `r`.
pub(super) const COLUMNS: &str = "r.id, r.my_number_last4, r.resident_code, r.name_kanji, \
    r.name_kana, r.birth_date, r.sex, r.address, r.municipality_code, r.household_id, \
    r.relationship";

impl Db {
    pub async fn resident(&self, id: i64) -> StoreResult<Option<ResidentRow>> {
        let sql = format!("SELECT {COLUMNS} FROM residents r WHERE r.id = $1");
        on_db!(self, |p| sqlx::query_as::<_, ResidentRow>(&sql)
            .bind(id)
            .fetch_optional(p)
            .await)
    }

    pub async fn resident_by_number_hash(&self, hash: &[u8]) -> StoreResult<Option<ResidentRow>> {
        let sql = format!("SELECT {COLUMNS} FROM residents r WHERE r.my_number_hash = $1");
        on_db!(self, |p| sqlx::query_as::<_, ResidentRow>(&sql)
            .bind(hash)
            .fetch_optional(p)
            .await)
    }

    pub async fn count_residents(&self) -> StoreResult<i64> {
        on_db!(self, |p| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM residents"
        )
        .fetch_one(p)
        .await)
    }
}

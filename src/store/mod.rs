//! Storage: one [`Db`] type hides whether the portal runs on SQLite or PostgreSQL. Every query is
//! written once with `$n` placeholders (both drivers accept them) and compiled against both pools
//! by [`on_db!`], so a query that does not work on one backend fails to build or fails its test.

pub mod accounts;
pub mod audit;
pub mod backoff;
pub mod bulk;
pub mod inspection;
pub mod items;
pub mod passkeys;
pub mod residents;
pub mod sessions;
pub mod staff;
pub mod workflow;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// SQLite's `synchronous` setting: FULL unless `PORTAL_SQLITE_SYNCHRONOUS=normal` says otherwise
/// (an operator's measured choice: NORMAL may lose the last commits on a power loss, not on a
/// process crash; `bench/load.sh` measures both).
fn sqlite_synchronous() -> SqliteSynchronous {
    match std::env::var("PORTAL_SQLITE_SYNCHRONOUS").as_deref() {
        Ok("normal") | Ok("NORMAL") => SqliteSynchronous::Normal,
        _ => SqliteSynchronous::Full,
    }
}

/// A connection pool to one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the native pool of whichever backend `$db` is.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}

pub type StoreResult<T> = Result<T, sqlx::Error>;

impl Db {
    /// Connects to `url` (`sqlite://path`, `sqlite::memory:` or `postgres://...`) and creates a
    /// SQLite file if it is missing.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            return Ok(Db::Postgres(pool));
        }
        let memory = url.contains(":memory:");
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .journal_mode(if memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            // FULL: a commit is on disk before it is acknowledged, so an acknowledged report,
            // audit entry or sign-in back-off survives a power loss, not only a process crash
            // (in WAL mode, NORMAL may lose the last commits then).
            .synchronous(sqlite_synchronous())
            // 32 MiB of page cache per connection (the default is 2 MiB): the unique index on the
            // number hash takes random inserts, which thrash a small cache at national scale.
            .pragma("cache_size", "-32768");
        if let Some(path) = url.strip_prefix("sqlite://").filter(|_| !memory) {
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
                }
            }
        }
        let pool = SqlitePoolOptions::new()
            // Each connection to :memory: is its own database.
            .max_connections(if memory { 1 } else { 8 })
            .connect_with(opts)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    /// Applies the migrations of this backend.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await,
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Connections open in the pool, and how many of them are idle.
    pub fn pool_stats(&self) -> (u32, usize) {
        on_db!(self, |p| (p.size(), p.num_idle()))
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        on_db!(self, |p| sqlx::query("SELECT 1")
            .execute(p)
            .await
            .map(|_| ()))
    }
}

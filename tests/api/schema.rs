//! The two migration trees cannot drift: after all migrations, SQLite and PostgreSQL have the
//! same tables, the same columns in each, and the same named indexes.

use crate::common::*;
use myna_portal::store::Db;
use std::collections::{BTreeMap, BTreeSet};

/// Table → its columns, and the names of the indexes made with `CREATE INDEX` (not those a
/// primary key or a UNIQUE constraint makes implicitly, which each database names its own way).
type Schema = (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>);

async fn schema(db: &Db) -> Schema {
    let mut tables = BTreeMap::new();
    match db {
        Db::Sqlite(p) => {
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
            )
            .fetch_all(p)
            .await
            .unwrap();
            for t in names {
                let cols: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                        .bind(&t)
                        .fetch_all(p)
                        .await
                        .unwrap();
                tables.insert(t, cols.into_iter().collect());
            }
            let indexes: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'index' \
                 AND name NOT LIKE 'sqlite_autoindex%'",
            )
            .fetch_all(p)
            .await
            .unwrap();
            (tables, indexes.into_iter().collect())
        }
        Db::Postgres(p) => {
            let cols: Vec<(String, String)> = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
                 JOIN information_schema.tables t \
                   ON t.table_name = c.table_name AND t.table_schema = c.table_schema \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 AND c.table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(p)
            .await
            .unwrap();
            for (t, c) in cols {
                tables.entry(t).or_insert_with(BTreeSet::new).insert(c);
            }
            // Indexes that back a primary key or a UNIQUE constraint are the implicit ones.
            let indexes: Vec<String> = sqlx::query_scalar(
                "SELECT i.indexname::text FROM pg_indexes i \
                 WHERE i.schemaname = current_schema() AND NOT EXISTS ( \
                   SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname \
                   AND k.contype IN ('p', 'u'))",
            )
            .fetch_all(p)
            .await
            .unwrap();
            (tables, indexes.into_iter().collect())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_have_the_same_schema() {
    let (sqlite, _, _) = fresh_db(Backend::Sqlite).await;
    let (postgres, _, _) = fresh_db(Backend::Postgres).await;
    sqlite.migrate().await.unwrap();
    postgres.migrate().await.unwrap();
    let (s_tables, s_indexes) = schema(&sqlite).await;
    let (p_tables, p_indexes) = schema(&postgres).await;
    assert!(s_tables.len() > 10, "{s_tables:?}");
    assert!(s_indexes.contains("sessions_account") && s_indexes.contains("passkeys_account"));
    assert!(s_tables["passkeys"].contains("credential_id"));
    let names = |t: &BTreeMap<String, BTreeSet<String>>| t.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(
        names(&s_tables),
        names(&p_tables),
        "tables only on one side: SQLite {:?}, PostgreSQL {:?}",
        names(&s_tables)
            .difference(&names(&p_tables))
            .collect::<Vec<_>>(),
        names(&p_tables)
            .difference(&names(&s_tables))
            .collect::<Vec<_>>()
    );
    for (table, cols) in &s_tables {
        assert_eq!(cols, &p_tables[table], "columns of {table}");
    }
    assert_eq!(
        s_indexes,
        p_indexes,
        "indexes only on one side: SQLite {:?}, PostgreSQL {:?}",
        s_indexes.difference(&p_indexes).collect::<Vec<_>>(),
        p_indexes.difference(&s_indexes).collect::<Vec<_>>()
    );
}

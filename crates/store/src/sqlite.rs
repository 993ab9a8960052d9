//! The embedded default backend: one SQLite file in the data directory, WAL mode.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    pool: Pool<Sqlite>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::new().filename(path).create_if_missing(true);
        Self::connect_with(opts, 8).await
    }

    /// Opens a `sqlite:` URL.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)?.create_if_missing(true);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        // Every connection to an in-memory database is a new database: keep one.
        Self::connect_with(opts, if in_memory { 1 } else { 8 }).await
    }

    async fn connect_with(opts: SqliteConnectOptions, max: u32) -> Result<Self, StoreError> {
        let opts = opts
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(max).connect_with(opts).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await.map_err(StoreError::Migrate)?;
        let store = SqliteStore { pool };
        // Derived data the migrations cannot compute (normalised item names, migration 0009).
        store.catch_up_resource_items().await?;
        Ok(store)
    }
}

crate::backend::impl_store!(SqliteStore, sqlx::Sqlite, "sqlite");
crate::sharing_backend::impl_sharing_store!(SqliteStore, sqlx::Sqlite);
crate::elements_backend::impl_element_store!(SqliteStore, sqlx::Sqlite);
crate::web_backend::impl_web_store!(SqliteStore, sqlx::Sqlite);
crate::open_backend::impl_open_store!(SqliteStore, sqlx::Sqlite);
crate::portal_backend::impl_portal_store!(SqliteStore, sqlx::Sqlite);

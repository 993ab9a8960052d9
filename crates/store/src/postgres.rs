//! The production backend: PostgreSQL.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Pool, Postgres};

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool<Postgres>,
}

impl PgStore {
    /// Connects to a `postgres://` URL and applies migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let opts = PgConnectOptions::from_str(url)?;
        Self::connect_with(opts).await
    }

    /// Connects with every table in `schema` (created if missing): isolates test runs and lets
    /// several platforms share one server.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        if !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || schema.is_empty() {
            return Err(StoreError::Conflict {
                message: format!("模式名“{schema}”只能包含字母、数字和下划线")
            });
        }
        let opts = PgConnectOptions::from_str(url)?;
        let admin = PgPoolOptions::new().max_connections(1).connect_with(opts.clone()).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {schema}"))).execute(&admin).await?;
        admin.close().await;
        Self::connect_with(opts.options([("search_path", schema)])).await
    }

    async fn connect_with(opts: PgConnectOptions) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new().max_connections(16).connect_with(opts).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await.map_err(StoreError::Migrate)?;
        let store = PgStore { pool };
        // Derived data the migrations cannot compute (normalised item names, migration 0009).
        store.catch_up_resource_items().await?;
        Ok(store)
    }
}

crate::backend::impl_store!(PgStore, sqlx::Postgres, "postgres");
crate::sharing_backend::impl_sharing_store!(PgStore, sqlx::Postgres);
crate::elements_backend::impl_element_store!(PgStore, sqlx::Postgres);
crate::web_backend::impl_web_store!(PgStore, sqlx::Postgres);
crate::open_backend::impl_open_store!(PgStore, sqlx::Postgres);
crate::portal_backend::impl_portal_store!(PgStore, sqlx::Postgres);

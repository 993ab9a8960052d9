//! Store errors: what the caller can act on (not found, conflict, stale version) apart from what it
//! cannot (the database failed), whose details go to the log and never to a client.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The object does not exist. `what` is a Chinese noun phrase such as “部门 12”.
    #[error("{what}不存在")]
    NotFound { what: String },
    /// A uniqueness rule was broken; the message says which (Chinese).
    #[error("{message}")]
    Conflict { message: String },
    /// Someone else changed the object since it was read (optimistic concurrency).
    #[error("该记录已被他人修改（当前版本{current}），请刷新后重试")]
    StaleVersion { current: i64 },
    /// Stored data could not be decoded: a bug or a damaged database.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database error")]
    Backend(#[source] sqlx::Error),
    /// Migrations failed.
    #[error("database migration failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound { what: what.into() }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound { what: "记录".into() },
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict { message: unique_message(db.message()) }
            }
            _ => StoreError::Backend(e),
        }
    }
}

/// Turns a unique-constraint violation into a message a clerk understands.
fn unique_message(raw: &str) -> String {
    let known = [
        ("departments.credit_code", "departments_credit_code", "该统一社会信用代码已被其他部门使用"),
        ("departments.name", "departments_name", "已有同名部门"),
        ("departments.local_code", "departments_local_code", "该本地机构代码已被其他部门使用"),
        ("users.username", "users_username", "用户名已被占用"),
        ("systems.name", "systems_department_name", "本部门已登记同名的信息系统"),
        ("categories.code", "categories_pkey", "该分类代码已存在"),
        ("resources.code", "resources_code", "信息资源代码已存在"),
        ("platforms.region_code", "platforms_region_code", "该行政区划已有平台"),
        (
            "data_elements.name_key",
            "data_elements_name_key",
            "已有同名的数据元：一个数据只登记一次、只有一个采集责任部门（一数一源），请修订已有的数据元",
        ),
    ];
    for (sqlite, pg, msg) in known {
        if raw.contains(sqlite) || raw.contains(pg) {
            return msg.to_string();
        }
    }
    "记录重复，违反唯一性约束".to_string()
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

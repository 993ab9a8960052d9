//! Command-line arguments, parsed into a checked `Config` before any work starts.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use domain::calendar::WorkCalendar;
use domain::org::PlatformLevel;

/// govshare — 政务信息资源目录、共享与开放平台.
#[derive(Debug, Parser)]
#[command(name = "govshare", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the platform.
    Serve(ServeArgs),
    /// Start a demo city (示例市) on a fresh data directory and serve it.
    Demo(DemoArgs),
    /// Accounts, run with the machine owner's authority.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Catalogue import and export in the compilation-template layout.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Working-day arithmetic on the platform calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// The tamper-evident audit log: verify it, or show the platform's public key.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The catalogue's search index (kept in DATA/search, caught up automatically when serving).
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Apply database migrations and exit.
    Migrate(StoreArgs),
    /// Print the OpenAPI document of the JSON API.
    Openapi,
    /// Write synthetic data (示例数据) for a table as CSV: the benchmark's population table or a
    /// catalogue resource's data items.
    Synth(SynthArgs),
    /// Publish data for a catalogue resource from a file (提供): CSV, XLSX, JSON, NDJSON or Parquet.
    Import(ImportArgs),
    /// Tell which download a leaked data file came from (国发〔2016〕51号 第十四条): the order of
    /// its rows carries the fingerprint of the download's recipient. For auditors and coordinators.
    Trace(TraceArgs),
}

#[derive(Debug, Args, Clone)]
pub struct StoreArgs {
    /// Data directory (the SQLite database and, later, datasets live here).
    #[arg(long, env = "GOVSHARE_DATA", default_value = "./govshare-data")]
    pub data: PathBuf,
    /// Metadata database URL; default: SQLite in the data directory. E.g. postgres://user@host/db.
    #[arg(long, env = "GOVSHARE_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Extra holiday calendar files (same CSV layout as the built-in one), e.g. next year's notice.
    #[arg(long = "calendar", env = "GOVSHARE_CALENDAR", value_delimiter = ',')]
    pub calendars: Vec<PathBuf>,
    /// Where dataset versions (Parquet) live: a directory, file:///abs/dir, or
    /// s3://bucket[/prefix]?endpoint=URL&region=NAME&allow_http=true (credentials from AWS_* variables).
    /// Default: the data directory.
    #[arg(long, env = "GOVSHARE_DATASETS_URL")]
    pub datasets_url: Option<String>,
    /// Resource code scheme: guide-2017 (分类码/顺序码, default) or gbt21063-5 (机构前段码/顺序码).
    #[arg(long, env = "GOVSHARE_CODE_SCHEME", default_value = "guide-2017")]
    pub code_scheme: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[arg(long, env = "GOVSHARE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Name of this platform (used on first run).
    #[arg(long, env = "GOVSHARE_PLATFORM_NAME", default_value = "政务信息资源共享平台")]
    pub platform_name: String,
    /// national, provincial, city or county.
    #[arg(long, env = "GOVSHARE_PLATFORM_LEVEL", default_value = "city")]
    pub platform_level: String,
    /// GB/T 2260 region code of this platform.
    #[arg(long, env = "GOVSHARE_REGION_CODE", default_value = "350100")]
    pub region_code: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Username to act as (a data provider of the resource's department).
    #[arg(long = "as")]
    pub as_user: String,
    /// The resource: its code (e.g. 307001/000001) or id.
    pub resource: String,
    /// The file to publish.
    pub file: PathBuf,
    /// replace (default), append or upsert.
    #[arg(long, default_value = "replace")]
    pub mode: String,
    /// Publish the valid rows even if some are rejected (default: all or nothing).
    #[arg(long)]
    pub accept_valid: bool,
    /// csv, xlsx, json, ndjson or parquet (default: from the file name).
    #[arg(long)]
    pub format: Option<String>,
    /// CSV encoding: utf-8 or gb18030 (default: detected).
    #[arg(long)]
    pub encoding: Option<String>,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Username to act as (an auditor or a coordinator).
    #[arg(long = "as")]
    pub as_user: String,
    /// Compare only with the downloads of this resource: its code (e.g. 101002/000001) or id.
    #[arg(long)]
    pub resource: Option<String>,
    /// The leaked file: CSV (UTF-8 or GB18030), XLSX, JSON, NDJSON or Parquet, by its extension.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Data directory; default: a fresh directory under the system temp dir.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Seed the demo and exit instead of serving.
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// The data directory's catalogue is read only for a resource code.
    #[command(flatten)]
    pub store: StoreArgs,
    /// `population` (常住人口基础信息, twenty columns) or a resource code such as 101002/000001.
    #[arg(long)]
    pub table: String,
    /// Number of rows.
    #[arg(long, default_value_t = 1000)]
    pub rows: u64,
    /// The same seed always gives the same file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output CSV file.
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the table's data items (信息项, as the catalogue's JSON has them) to this file.
    #[arg(long)]
    pub items_json: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Rebuild the index from the catalogue in the store (stop the server first: one writer at a
    /// time).
    Rebuild {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every entry's hash, replay the Merkle log and check every signed checkpoint;
    /// names the first entry edited, removed or reordered, or a cut-off tail.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
        /// The platform's public key (hex, from `govshare audit key`); default: the key file in
        /// the data directory. Pin it to detect a replaced key file.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Print the platform's audit public key (hex) and key id.
    Key {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a user and print a new API token for them (once).
    CreateUser {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        username: String,
        /// Display name (姓名).
        #[arg(long)]
        name: String,
        /// Department id, credit code or local code.
        #[arg(long)]
        department: String,
        /// Roles: catalog_editor, data_provider, data_consumer, approver, coordinator, auditor, admin.
        #[arg(long = "role", required = true, value_delimiter = ',')]
        roles: Vec<String>,
        /// Also set a password (for the web console); read from GOVSHARE_PASSWORD if set.
        #[arg(long, env = "GOVSHARE_PASSWORD")]
        password: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Import a catalogue file (.xlsx, .json, or a resources .csv with --items).
    Import {
        #[command(flatten)]
        store: StoreArgs,
        file: PathBuf,
        /// The data-items CSV, for CSV imports.
        #[arg(long)]
        items: Option<PathBuf>,
        /// Username to act as (a catalogue editor of the department).
        #[arg(long = "as")]
        as_user: String,
        /// all_or_nothing (default), valid_only, dry_run.
        #[arg(long, default_value = "all_or_nothing")]
        mode: String,
    },
    /// Export the catalogue (.xlsx, .csv or .json, from the output file name).
    Export {
        #[command(flatten)]
        store: StoreArgs,
        /// Output file.
        out: PathBuf,
        /// Username to act as (determines what is visible).
        #[arg(long = "as")]
        as_user: String,
        /// For CSV: resources or items.
        #[arg(long, default_value = "resources")]
        sheet: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// The n-th working day after a date (the date itself not counted).
    Deadline {
        #[command(flatten)]
        store: StoreArgs,
        /// YYYY-MM-DD.
        from: String,
        days: u32,
    },
}

impl StoreArgs {
    /// The database URL: the given one, or the SQLite file in the data directory.
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(u) = &self.database_url {
            if store::Backend::of_url(u).is_none() {
                bail!("数据库地址应以 sqlite: 或 postgres:// 开头：{u}");
            }
            return Ok(u.clone());
        }
        std::fs::create_dir_all(&self.data).with_context(|| format!("无法创建数据目录 {}", self.data.display()))?;
        let file = self.data.join("govshare.db");
        Ok(format!("sqlite://{}?mode=rwc", file.display()))
    }

    /// The built-in calendar extended with the configured files.
    pub fn calendar(&self) -> anyhow::Result<WorkCalendar> {
        let mut cal = WorkCalendar::builtin();
        for path in &self.calendars {
            let text = std::fs::read_to_string(path).with_context(|| format!("无法读取日历文件 {}", path.display()))?;
            let extra = WorkCalendar::from_csv(&text).with_context(|| format!("日历文件 {} 有误", path.display()))?;
            cal.extend(extra).with_context(|| format!("日历文件 {} 与现有日历冲突", path.display()))?;
        }
        Ok(cal)
    }
}

pub fn parse_listen(s: &str) -> anyhow::Result<SocketAddr> {
    s.parse().with_context(|| format!("监听地址“{s}”无效，应为 IP:端口，如 127.0.0.1:8080"))
}

pub fn parse_level(s: &str) -> anyhow::Result<PlatformLevel> {
    PlatformLevel::parse(s).with_context(|| format!("平台层级“{s}”无效，可选：national、provincial、city、county"))
}

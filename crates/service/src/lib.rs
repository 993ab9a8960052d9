//! The use cases of govshare: each public function here is one thing a user does (register a
//! resource, publish it, create a token, record a change of duties…). Each checks the actor's
//! permission, applies the domain's rules, writes through the store and leaves an audit event.
//! The HTTP API, the CLI and the demo all call these functions, so every rule has one
//! implementation.

pub mod accounts;
pub mod apps;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod clock;
pub mod currency;
pub mod dashboard;
pub mod datasets;
pub mod deadlines;
pub mod developers;
pub mod elements;
mod error;
pub mod interchange_io;
pub mod limits;
pub mod open;
pub mod open_requests;
pub mod search;
pub mod sharing;
pub mod signin;
pub mod supervision;
pub mod trace;

use std::sync::Arc;

use domain::calendar::WorkCalendar;
use domain::catalog::ResourceCodeScheme;
use store::Store;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::ServiceError;

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Working days a department has to update its catalogue after a change (第八条: 15).
    pub currency_window_days: u32,
    /// Rejected rows listed in a publish report (all are counted).
    pub report_rejections: usize,
    /// Working days a provider has to answer an application (第十二条: 10).
    pub reply_days: u32,
    /// Verification requests a user may make per minute.
    pub verify_per_minute: u32,
    /// Where uploads are spooled before they are checked (default: the system temp directory).
    /// The binary points it at `DATA/tmp` and clears what a killed process left there at start.
    pub spool_dir: Option<std::path::PathBuf>,
    /// Calls of the open-data API one developer key may make per minute.
    pub open_api_per_minute: u32,
    /// Public submissions (API key registrations, apps, applications for conditionally open
    /// data) one client address may make per hour.
    pub public_submissions_per_hour: u32,
    /// Reads of open data through the portal (dataset pages with their preview, downloads) one
    /// client address may make per minute: each reads data and writes audit and usage rows.
    pub portal_reads_per_minute: u32,
    /// Calls with a refused open-data API key (malformed, unknown or revoked) one client address
    /// may make per minute. Past it they get a 429 and are no longer audited one by one, so a
    /// flood of guessed keys can neither hammer the key lookup nor fill the audit ledger.
    pub rejected_api_keys_per_minute: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            currency_window_days: domain::currency::UPDATE_WINDOW_WORKING_DAYS,
            report_rejections: 100,
            reply_days: domain::sharing::DEFAULT_REPLY_DAYS,
            verify_per_minute: 120,
            spool_dir: None,
            open_api_per_minute: 60,
            public_submissions_per_hour: 10,
            portal_reads_per_minute: 120,
            rejected_api_keys_per_minute: 30,
        }
    }
}

/// Everything the use cases run against. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub calendar: Arc<WorkCalendar>,
    pub scheme: Arc<dyn ResourceCodeScheme>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    /// Where dataset versions live.
    pub datasets: data::storage::DatasetStorage,
    /// Per-user rate limits of this process.
    pub limits: limits::Limits,
    /// The audit writer and its Merkle log (one per process; clones share it).
    pub audit: audit::AuditLedger,
    pub search: search::SearchIndex,
    /// Rate limits of the open-data portal's public side (per API key, per client address).
    pub portal_limits: developers::PortalLimits,
}

impl Services {
    /// Services with the built-in calendar, the guide's code scheme, the system clock and dataset
    /// files kept in memory. The binary always points `datasets` at the data directory (or an S3
    /// bucket) with [`Services::with_datasets`]; memory is for tests and throwaway demos.
    pub fn new(store: Arc<dyn Store>) -> Services {
        Services {
            store,
            calendar: Arc::new(WorkCalendar::builtin()),
            scheme: Arc::new(domain::catalog::Guide2017::default()),
            clock: Arc::new(SystemClock),
            settings: Settings::default(),
            limits: limits::Limits::new(Settings::default().verify_per_minute),
            audit: audit::AuditLedger::ephemeral(),
            search: search::SearchIndex::in_memory(),
            portal_limits: developers::PortalLimits::new(&Settings::default()),
            datasets: data::storage::DatasetStorage::new(Arc::new(data::object_store::memory::InMemory::new())),
        }
    }

    /// The same services with other settings (rate limits follow them).
    pub fn with_settings(mut self, settings: Settings) -> Services {
        self.limits = limits::Limits::new(settings.verify_per_minute);
        self.portal_limits = developers::PortalLimits::new(&settings);
        self.settings = settings;
        self
    }

    /// The same services signing audit checkpoints with the platform key.
    pub fn with_audit_key(mut self, key: ledger::SigningKey) -> Services {
        self.audit = audit::AuditLedger::new(key);
        self
    }

    /// A new spool file for an upload, in the spool directory.
    pub fn spool_file(&self) -> std::io::Result<tempfile::NamedTempFile> {
        match &self.settings.spool_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                tempfile::NamedTempFile::new_in(dir)
            }
            None => tempfile::NamedTempFile::new(),
        }
    }

    /// The same services with dataset files in `storage`.
    /// Keeps the catalogue index in `dir` instead of memory.
    pub fn with_search_dir(mut self, dir: &std::path::Path) -> Services {
        self.search = search::SearchIndex::on_disk(dir);
        self
    }

    pub fn with_datasets(mut self, storage: data::storage::DatasetStorage) -> Services {
        self.datasets = storage;
        self
    }
}

/// The result type of every use case.
pub type Result<T> = std::result::Result<T, ServiceError>;

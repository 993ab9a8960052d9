//! Where version files live: an `object_store` (a local directory by default; S3-compatible by
//! configuration). DataFusion reads them through the same store, registered under the
//! `govshare://data/` URL, so queries work the same on every backend.

use std::path::Path;
use std::sync::Arc;

use datafusion::execution::context::SessionContext;
use object_store::{ObjectStore, ObjectStoreExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;

use crate::DataError;

/// The URL under which the dataset store is registered with DataFusion.
pub const STORE_URL: &str = "govshare://data/";

/// The object store of dataset files.
#[derive(Clone, Debug)]
pub struct DatasetStorage {
    store: Arc<dyn ObjectStore>,
}

impl DatasetStorage {
    /// Files under a local directory (created if missing).
    pub fn local(dir: &Path) -> Result<DatasetStorage, DataError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| DataError::Storage(format!("cannot create {}: {e}", dir.display())))?;
        let fs = LocalFileSystem::new_with_prefix(dir).map_err(|e| DataError::Storage(e.to_string()))?;
        Ok(DatasetStorage { store: Arc::new(fs) })
    }

    /// Any object store (S3-compatible, in memory for tests…).
    pub fn new(store: Arc<dyn ObjectStore>) -> DatasetStorage {
        DatasetStorage { store }
    }

    pub fn store(&self) -> Arc<dyn ObjectStore> {
        self.store.clone()
    }

    /// A new, unique directory for the files of a version of `resource_id`. Never reused, so a
    /// failed or abandoned publish cannot clash with a later one.
    pub fn new_version_dir(&self, resource_id: i64) -> String {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        format!("datasets/{resource_id}/{nanos:x}-{:x}-{:x}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
    }

    /// Removes files of a publish that did not commit (best effort).
    pub async fn remove(&self, paths: &[String]) {
        for p in paths {
            if let Err(e) = self.store.delete(&ObjectPath::from(p.as_str())).await {
                tracing::warn!(path = %p, error = %e, "could not remove uncommitted dataset file");
            }
        }
    }

    /// A DataFusion session that can read this store's files.
    pub fn session(&self) -> Result<SessionContext, DataError> {
        let ctx = SessionContext::new();
        let url = url::Url::parse(STORE_URL).map_err(|e| DataError::Storage(e.to_string()))?;
        ctx.register_object_store(&url, self.store.clone());
        Ok(ctx)
    }

    /// The DataFusion URL of a stored file.
    pub fn file_url(path: &str) -> String {
        format!("{STORE_URL}{path}")
    }
}

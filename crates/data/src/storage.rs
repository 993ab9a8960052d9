//! Where version files live: an `object_store` (a local directory by default; S3-compatible by
//! configuration, see [`DatasetStorage::from_url`]). DataFusion reads them through the same store,
//! registered under the `govshare://data/` URL, so queries work the same on every backend.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;

use datafusion::execution::context::SessionContext;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use futures::stream::BoxStream;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::client::ClientConfigKey;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore, ObjectStoreExt,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result as OsResult,
};

use crate::DataError;

/// The URL under which the dataset store is registered with DataFusion.
pub const STORE_URL: &str = "govshare://data/";

/// The object store of dataset files, and the DataFusion runtime that reads them.
#[derive(Clone, Debug)]
pub struct DatasetStorage {
    store: Arc<dyn ObjectStore>,
    /// One runtime for every query on this store, so that what DataFusion caches about a file
    /// (its Parquet footer and page index, its statistics) is read once, not once per query. A
    /// cached entry is used only while the file's size and modification time are unchanged, so a
    /// replaced file is read afresh. The listing cache is off: every query asks the store for
    /// the file's current metadata (one `head`), which is what keeps the other caches honest.
    runtime: Arc<RuntimeEnv>,
}

impl DatasetStorage {
    /// Files under a local directory (created if missing).
    pub fn local(dir: &Path) -> Result<DatasetStorage, DataError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| DataError::Storage(format!("cannot create {}: {e}", dir.display())))?;
        let fs = LocalFileSystem::new_with_prefix(dir).map_err(|e| DataError::Storage(e.to_string()))?;
        Ok(DatasetStorage::new(Arc::new(fs)))
    }

    /// The store named by a configuration URL:
    ///
    /// - `file:///absolute/dir`, or a plain path (absolute or relative): a local directory,
    ///   created if missing;
    /// - `s3://bucket[/prefix][?endpoint=URL&region=NAME&allow_http=true]`: an S3-compatible
    ///   bucket. Credentials and defaults come from the standard `AWS_*` environment variables
    ///   (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_DEFAULT_REGION`,
    ///   `AWS_ENDPOINT`…), never from the URL, so the URL can be logged; the query parameters
    ///   override the environment. A path after the bucket keeps every file under that prefix.
    ///
    /// Nothing is contacted here: a wrong endpoint or missing bucket shows at the first read or
    /// write.
    pub fn from_url(url: &str) -> Result<DatasetStorage, DataError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(bad_url("数据集存储地址为空：请填写本地目录（如 /var/lib/govshare/data）或 s3://存储桶"));
        }
        let Some((scheme, _)) = url.split_once("://") else {
            return DatasetStorage::local(Path::new(url));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "file" => {
                let parsed =
                    url::Url::parse(url).map_err(|e| bad_url(format!("数据集存储地址“{url}”无法解析：{e}")))?;
                let dir = parsed.to_file_path().map_err(|()| {
                    bad_url(format!("数据集存储地址“{url}”不是本地绝对路径：请写成 file:///绝对路径，或直接写目录路径"))
                })?;
                DatasetStorage::local(&dir)
            }
            "s3" => s3_from_url(url),
            other => Err(bad_url(format!(
                "不支持的数据集存储地址协议“{other}”：请使用本地目录（file:///绝对路径，或直接写路径）或 \
                 s3://存储桶[/前缀]?endpoint=…&region=…&allow_http=true"
            ))),
        }
    }

    /// Any object store (S3-compatible, in memory for tests…).
    pub fn new(store: Arc<dyn ObjectStore>) -> DatasetStorage {
        let runtime = RuntimeEnvBuilder::new()
            .with_object_list_cache_limit(0)
            .build_arc()
            .expect("a runtime with the default memory pool and disk manager builds");
        let url = url::Url::parse(STORE_URL).expect("STORE_URL is a valid URL");
        runtime.register_object_store(&url, store.clone());
        DatasetStorage { store, runtime }
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

    /// Deletes files under `datasets/` that no version references and that are older than
    /// `min_age` (so a publish still in flight on another node is left alone): what a killed
    /// publish leaves behind. Returns the paths removed.
    pub async fn sweep_orphans(
        &self,
        referenced: &std::collections::BTreeSet<String>,
        min_age: std::time::Duration,
    ) -> Result<Vec<String>, DataError> {
        use futures::TryStreamExt;
        let cutoff = chrono::Utc::now() - chrono::Duration::from_std(min_age).unwrap_or(chrono::Duration::zero());
        let prefix = ObjectPath::from("datasets");
        let objects: Vec<object_store::ObjectMeta> = self.store.list(Some(&prefix)).try_collect().await?;
        let mut removed = Vec::new();
        for o in objects {
            let path = o.location.to_string();
            if referenced.contains(&path) || o.last_modified > cutoff {
                continue;
            }
            self.store.delete(&o.location).await?;
            removed.push(path);
        }
        Ok(removed)
    }

    /// A DataFusion session that can read this store's files.
    pub fn session(&self) -> Result<SessionContext, DataError> {
        // Late materialisation: filters are evaluated while decoding Parquet, so the other columns
        // are decoded only for matching rows (selective queries), cheapest filters first.
        let mut config = datafusion::prelude::SessionConfig::new();
        let parquet = &mut config.options_mut().execution.parquet;
        parquet.pushdown_filters = true;
        parquet.reorder_filters = true;
        // Versions are written clustered by region and date (`cluster.rs`): the page index skips
        // the pages of other regions.
        parquet.enable_page_index = true;
        Ok(SessionContext::new_with_config_rt(config, self.runtime.clone()))
    }

    /// The DataFusion URL of a stored file.
    pub fn file_url(path: &str) -> String {
        format!("{STORE_URL}{path}")
    }
}

fn bad_url(message: impl Into<String>) -> DataError {
    DataError::invalid(Some("datasets_url"), message)
}

/// `s3://bucket[/prefix]?endpoint=…&region=…&allow_http=…` on top of the `AWS_*` environment.
fn s3_from_url(raw: &str) -> Result<DatasetStorage, DataError> {
    let url = url::Url::parse(raw).map_err(|e| bad_url(format!("S3 存储地址“{raw}”无法解析：{e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad_url(
            "S3 存储地址中不能包含访问密钥：请通过环境变量 AWS_ACCESS_KEY_ID 和 AWS_SECRET_ACCESS_KEY 提供",
        ));
    }
    if url.port().is_some() {
        return Err(bad_url(format!(
            "S3 存储地址“{raw}”中存储桶名后不能带端口：服务地址请写在 endpoint 参数中，如 s3://存储桶?endpoint=http://127.0.0.1:9000"
        )));
    }
    let bucket = url.host_str().unwrap_or_default();
    if bucket.is_empty() {
        return Err(bad_url(format!("S3 存储地址“{raw}”缺少存储桶名：请写成 s3://存储桶[/前缀]")));
    }
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "endpoint" => {
                let endpoint = url::Url::parse(&value)
                    .ok()
                    .filter(|e| matches!(e.scheme(), "http" | "https") && e.host_str().is_some())
                    .ok_or_else(|| {
                        bad_url(format!("S3 存储地址的 endpoint 参数“{value}”不是 http:// 或 https:// 开头的服务地址"))
                    })?;
                let endpoint = endpoint.as_str().trim_end_matches('/').to_string();
                // Both keys, so the URL wins over `AWS_ENDPOINT_URL_S3` in the environment too.
                builder = builder
                    .with_config(AmazonS3ConfigKey::Endpoint, endpoint.clone())
                    .with_config(AmazonS3ConfigKey::S3Endpoint, endpoint);
            }
            "region" => {
                if value.trim().is_empty() {
                    return Err(bad_url("S3 存储地址的 region 参数为空"));
                }
                builder = builder.with_region(value.trim());
            }
            "allow_http" => {
                let allow = match value.to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" | "on" => true,
                    "false" | "0" | "no" | "off" => false,
                    _ => {
                        return Err(bad_url(format!(
                            "S3 存储地址的 allow_http 参数只能是 true 或 false，而不是“{value}”"
                        )));
                    }
                };
                builder = builder.with_allow_http(allow);
            }
            other => {
                return Err(bad_url(format!(
                    "S3 存储地址中有不认识的参数“{other}”：只支持 endpoint、region 和 allow_http；\
                     访问密钥等其他设置请用 AWS_* 环境变量"
                )));
            }
        }
    }
    let endpoint = builder
        .get_config_value(&AmazonS3ConfigKey::S3Endpoint)
        .or_else(|| builder.get_config_value(&AmazonS3ConfigKey::Endpoint));
    let allow_http = builder
        .get_config_value(&AmazonS3ConfigKey::Client(ClientConfigKey::AllowHttp))
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "y" | "on"));
    if let Some(endpoint) = endpoint
        && endpoint.to_ascii_lowercase().starts_with("http://")
        && !allow_http
    {
        return Err(bad_url(format!(
            "S3 服务地址“{endpoint}”使用未加密的 http://：确需如此（如本机测试服务）请在地址中加 allow_http=true"
        )));
    }
    let s3 = builder.build().map_err(|e| bad_url(format!("S3 存储配置有误：{e}")))?;
    let prefix = url.path().trim_matches('/');
    if prefix.is_empty() {
        return Ok(DatasetStorage::new(Arc::new(s3)));
    }
    let prefix = ObjectPath::parse(prefix)
        .map_err(|e| bad_url(format!("S3 存储地址中的前缀“{prefix}”不是有效的对象路径：{e}")))?;
    Ok(DatasetStorage::new(Arc::new(Prefixed(PrefixStore::new(s3, prefix)))))
}

/// [`PrefixStore`] with one fix. In object_store 0.13.2, `PrefixStore::get_opts` (and so `head`)
/// returns the object's full key, prefix included, while `list` strips it; DataFusion checks the
/// `head` of a file URL against the URL and then finds "no files" in every version under a
/// prefix. Upstream: apache/arrow-rs-object-store#664, fixed by #686 after 0.13.2; drop this
/// wrapper once the dependency has the fix (`prefixed_head_is_relative` below will tell).
#[derive(Debug)]
struct Prefixed<T: ObjectStore>(PrefixStore<T>);

impl<T: ObjectStore> std::fmt::Display for Prefixed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[async_trait::async_trait]
#[deny(clippy::missing_trait_methods)]
impl<T: ObjectStore> ObjectStore for Prefixed<T> {
    async fn put_opts(&self, location: &ObjectPath, payload: PutPayload, opts: PutOptions) -> OsResult<PutResult> {
        self.0.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &ObjectPath,
        opts: PutMultipartOptions,
    ) -> OsResult<Box<dyn MultipartUpload>> {
        self.0.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &ObjectPath, options: GetOptions) -> OsResult<GetResult> {
        let mut result = self.0.get_opts(location, options).await?;
        // The fix: the location as the caller named it, inside the prefix.
        result.meta.location = location.clone();
        Ok(result)
    }

    async fn get_ranges(&self, location: &ObjectPath, ranges: &[Range<u64>]) -> OsResult<Vec<Bytes>> {
        self.0.get_ranges(location, ranges).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, OsResult<ObjectPath>>,
    ) -> BoxStream<'static, OsResult<ObjectPath>> {
        self.0.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&ObjectPath>) -> BoxStream<'static, OsResult<ObjectMeta>> {
        self.0.list(prefix)
    }

    fn list_with_offset(
        &self,
        prefix: Option<&ObjectPath>,
        offset: &ObjectPath,
    ) -> BoxStream<'static, OsResult<ObjectMeta>> {
        self.0.list_with_offset(prefix, offset)
    }

    async fn list_with_delimiter(&self, prefix: Option<&ObjectPath>) -> OsResult<ListResult> {
        self.0.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &ObjectPath, to: &ObjectPath, options: CopyOptions) -> OsResult<()> {
        self.0.copy_opts(from, to, options).await
    }

    async fn rename_opts(&self, from: &ObjectPath, to: &ObjectPath, options: RenameOptions) -> OsResult<()> {
        self.0.rename_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(url: &str) -> String {
        match DatasetStorage::from_url(url) {
            Ok(s) => panic!("{url} should be refused, got {s:?}"),
            Err(DataError::Invalid { field, message }) => {
                assert_eq!(field.as_deref(), Some("datasets_url"));
                message
            }
            Err(e) => panic!("{url}: not an Invalid error: {e}"),
        }
    }

    #[test]
    fn local_urls() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a").join("b");
        DatasetStorage::from_url(sub.to_str().unwrap()).unwrap();
        assert!(sub.is_dir(), "a plain path is created");
        let url = url::Url::from_directory_path(dir.path().join("c")).unwrap();
        DatasetStorage::from_url(url.as_str()).unwrap();
        assert!(dir.path().join("c").is_dir(), "a file:// URL is created");
        assert!(message("file://host/dir").contains("file:///"));
    }

    #[test]
    fn s3_urls() {
        let ok = [
            "s3://bucket",
            "s3://bucket/some/prefix?endpoint=http://127.0.0.1:5000&region=us-east-1&allow_http=true",
            "s3://bucket?endpoint=https://minio.example:9000/&region=cn-north-1",
        ];
        for url in ok {
            DatasetStorage::from_url(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        }
        let plain = DatasetStorage::from_url("s3://bucket").unwrap();
        assert_eq!(plain.store().to_string(), "AmazonS3(bucket)");
        let prefixed = DatasetStorage::from_url("s3://bucket/some/prefix/").unwrap();
        assert_eq!(prefixed.store().to_string(), "PrefixObjectStore(some/prefix)");
    }

    #[tokio::test]
    async fn prefixed_head_is_relative() {
        let inner = Arc::new(object_store::memory::InMemory::new());
        let store = Prefixed(PrefixStore::new(inner.clone(), "p/q"));
        let path = ObjectPath::from("datasets/1/a.parquet");
        store.put(&path, PutPayload::from_static(b"x")).await.unwrap();
        assert!(inner.head(&ObjectPath::from("p/q/datasets/1/a.parquet")).await.is_ok());
        assert_eq!(store.head(&path).await.unwrap().location, path);
        assert_eq!(store.get(&path).await.unwrap().meta.location, path);
        // If this starts failing, PrefixStore got the upstream fix and `Prefixed` can go.
        let plain = PrefixStore::new(inner, "p/q");
        assert_ne!(plain.head(&path).await.unwrap().location, path, "object_store fixed PrefixStore::head");
    }

    fn parquet_of(values: &[i64]) -> Bytes {
        use datafusion::arrow::array::{Int64Array, RecordBatch};
        use datafusion::arrow::datatypes::{DataType, Field, Schema};
        use datafusion::parquet::arrow::ArrowWriter;
        let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from(values.to_vec()))]).unwrap();
        let mut writer = ArrowWriter::try_new(Vec::new(), schema, None).unwrap();
        writer.write(&batch).unwrap();
        Bytes::from(writer.into_inner().unwrap())
    }

    async fn sum_of(storage: &DatasetStorage, path: &str) -> i64 {
        use datafusion::arrow::array::{Array, Int64Array};
        use datafusion::functions_aggregate::expr_fn::sum;
        use datafusion::prelude::{ParquetReadOptions, col};
        let ctx = storage.session().unwrap();
        let df = ctx.read_parquet(DatasetStorage::file_url(path), ParquetReadOptions::default()).await.unwrap();
        let batches = df.aggregate(vec![], vec![sum(col("n"))]).unwrap().collect().await.unwrap();
        let col = batches[0].column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        assert!(!col.is_null(0));
        col.value(0)
    }

    /// Sessions share one runtime (and its caches of file metadata), yet a file replaced under
    /// the same name is read as it now is, never from what was cached of the old one.
    #[tokio::test]
    async fn shared_runtime_never_serves_a_replaced_file_from_cache() {
        let storage = DatasetStorage::new(Arc::new(object_store::memory::InMemory::new()));
        let path = "datasets/1/v/part-0.parquet";
        let at = ObjectPath::from(path);
        storage.store().put(&at, PutPayload::from(parquet_of(&[1, 2, 3]))).await.unwrap();
        assert_eq!(sum_of(&storage, path).await, 6);
        assert_eq!(sum_of(&storage.clone(), path).await, 6, "a second session on the same runtime");
        let cached = storage.runtime.cache_manager.get_file_metadata_cache().list_entries();
        assert!(!cached.is_empty(), "the footer read by the first query is kept for the next");
        storage.store().put(&at, PutPayload::from(parquet_of(&[10, 20, 30, 40]))).await.unwrap();
        assert_eq!(sum_of(&storage, path).await, 100);
        storage.store().delete(&at).await.unwrap();
        let ctx = storage.session().unwrap();
        let read = ctx.read_parquet(DatasetStorage::file_url(path), datafusion::prelude::ParquetReadOptions::default());
        let gone = match read.await {
            Ok(df) => df.collect().await.is_err(),
            Err(_) => true,
        };
        assert!(gone, "a deleted file is not answered from the cache");
    }

    #[test]
    fn bad_urls_say_what_to_fix() {
        assert!(message("").contains("为空"));
        assert!(message("ftp://host/dir").contains("不支持的数据集存储地址协议“ftp”"));
        assert!(message("gs://bucket").contains("s3://"));
        assert!(message("s3:///prefix").contains("缺少存储桶名"));
        assert!(message("s3://bucket?endpoint=127.0.0.1:5000").contains("endpoint"));
        assert!(message("s3://bucket?endpoint=http://127.0.0.1:5000&allow_http=maybe").contains("allow_http"));
        assert!(message("s3://bucket?bogus=1").contains("不认识的参数“bogus”"));
        assert!(message("s3://key:secret@bucket").contains("AWS_ACCESS_KEY_ID"));
        assert!(message("s3://bucket:9000").contains("endpoint"));
        if std::env::var_os("AWS_ALLOW_HTTP").is_none() {
            assert!(message("s3://bucket?endpoint=http://127.0.0.1:5000").contains("allow_http=true"));
        }
    }
}

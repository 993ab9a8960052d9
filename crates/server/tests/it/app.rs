//! A test application: a fresh store, a small world (platform, two departments, one user per
//! role with a token) and helpers to send requests.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::account::{Actor, Role};
use domain::org::DepartmentSpec;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use service::Services;
use service::accounts::{self, PlatformIdentity, UserInput};
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub svc: Services,
    pub tokens: std::collections::HashMap<&'static str, String>,
    pub dept_a: i64,
    pub dept_b: i64,
    _dir: Option<tempfile::TempDir>,
}

pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub bytes: Vec<u8>,
    pub headers: axum::http::HeaderMap,
}

pub fn credit_code(body17: &str) -> String {
    let c = domain::identifiers::credit_code_check_char(body17).expect("check char");
    format!("{body17}{c}")
}

pub fn org_code(body8: &str) -> String {
    let c = domain::identifiers::org_code_check_char(body8).expect("check char");
    format!("{body8}{c}")
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = store::SqliteStore::open(&dir.path().join("t.db")).await.unwrap();
        Self::with_store(Arc::new(store), Some(dir)).await
    }

    pub async fn postgres() -> Option<TestApp> {
        let url = std::env::var("GOVSHARE_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())?;
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let schema = format!("gs_it_{}_{}_{}", std::process::id(), nanos, N.fetch_add(1, Ordering::SeqCst));
        let store = store::PgStore::connect_in_schema(&url, &schema).await.unwrap();
        Some(Self::with_store(Arc::new(store), None).await)
    }

    /// SQLite metadata with dataset files on `datasets` (an S3 bucket in `s3.rs`).
    pub async fn sqlite_with_datasets(datasets: data::storage::DatasetStorage) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = store::SqliteStore::open(&dir.path().join("t.db")).await.unwrap();
        let mut app = Self::with_store(Arc::new(store), Some(dir)).await;
        app.svc = app.svc.with_datasets(datasets);
        app.router = server::router(app.svc.clone());
        app
    }

    async fn with_store(store: Arc<dyn store::Store>, dir: Option<tempfile::TempDir>) -> TestApp {
        let svc = Services::new(store);
        let boot = accounts::bootstrap(
            &svc,
            &PlatformIdentity {
                name: "测试市平台".into(),
                level: domain::org::PlatformLevel::City,
                region_code: "350100".into(),
            },
        )
        .await
        .unwrap()
        .unwrap();
        let admin_user = svc.store.find_user_by_username("admin").await.unwrap().unwrap();
        let admin = Actor {
            user_id: admin_user.id,
            username: "admin".into(),
            department_id: admin_user.department_id,
            roles: vec![Role::Admin],
            system: None,
        };
        let platform = svc.store.list_platforms().await.unwrap()[0].id;
        let mk = |name: &str, n: &str| DepartmentSpec {
            name: name.into(),
            credit_code: Some(credit_code(&format!("11350100{}", org_code(&format!("MB{n}"))))),
            local_code: Some(format!("T-{n}")),
            parent_id: None,
            platform_id: platform,
        };
        let a = accounts::create_department(&svc, &admin, mk("测试市公安局", "000001")).await.unwrap();
        let b = accounts::create_department(&svc, &admin, mk("测试市民政局", "000002")).await.unwrap();
        for (code, name) in [("307001", "测试市公安局"), ("307002", "测试市民政局"), ("101001", "人口基本信息")]
        {
            service::catalog::create_category(&svc, &admin, code, name).await.unwrap();
        }
        let mut tokens = std::collections::HashMap::new();
        tokens.insert("admin", boot.token);
        let users: [(&'static str, i64, Role); 8] = [
            ("a_provider", a.id, Role::DataProvider),
            ("a_editor", a.id, Role::CatalogEditor),
            ("a_approver", a.id, Role::Approver),
            ("b_editor", b.id, Role::CatalogEditor),
            ("b_approver", b.id, Role::Approver),
            ("b_consumer", b.id, Role::DataConsumer),
            ("coordinator", b.id, Role::Coordinator),
            ("auditor", b.id, Role::Auditor),
        ];
        for (name, dept, role) in users {
            let u = accounts::create_user_unchecked(
                &svc,
                UserInput {
                    username: name.into(),
                    display_name: name.into(),
                    department_id: dept,
                    roles: vec![role],
                    password: None,
                },
            )
            .await
            .unwrap();
            let t = accounts::issue_token_unchecked(&svc, u.id, "test", None).await.unwrap();
            tokens.insert(name, t.secret);
        }
        TestApp { router: server::router(svc.clone()), svc, tokens, dept_a: a.id, dept_b: b.id, _dir: dir }
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp { status, body, bytes, headers }
    }

    fn req(&self, method: &str, uri: &str, who: Option<&str>) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(w) = who {
            b = b.header("authorization", format!("Bearer {}", self.tokens[w]));
        }
        b
    }

    pub async fn get(&self, uri: &str, who: &str) -> Resp {
        self.send(self.req("GET", uri, Some(who)).body(Body::empty()).unwrap()).await
    }

    pub async fn json(&self, method: &str, uri: &str, who: &str, body: Value) -> Resp {
        let req = self
            .req(method, uri, Some(who))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    pub async fn raw(
        &self,
        method: &str,
        uri: &str,
        who: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Resp {
        let mut b = self.req(method, uri, who);
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// A multipart upload with the given (field, file name, bytes).
    pub async fn upload(&self, uri: &str, who: &str, parts: &[(&str, &str, &[u8])]) -> Resp {
        let boundary = "----govsharetestboundary";
        let mut body = Vec::new();
        for (field, file, bytes) in parts {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.raw("POST", uri, Some(who), Some(&format!("multipart/form-data; boundary={boundary}")), body).await
    }
}

/// A valid conditional database resource in category `cat`.
pub fn resource(name: &str, cat: &str) -> Value {
    json!({
        "category": cat,
        "name": name,
        "provider_division": "户政处",
        "summary": format!("{name}的摘要"),
        "format": {"class": "database", "subtype": "oracle"},
        "data_items": [
            {"name": "公民身份号码", "data_type": "C", "length": 18, "is_key": true, "identifier": "citizen_id"},
            {"name": "姓名", "data_type": "字符型", "length": 50},
            {"name": "出生日期", "data_type": "D"}
        ],
        "share_type": "conditional",
        "share_condition": "仅限办理户籍相关业务使用",
        "share_methods": ["api", "在线查询"],
        "open_type": "not_open",
        "update_cycle": "daily",
        "tags": ["户籍"]
    })
}

macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::app::TestApp::sqlite().await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = crate::app::TestApp::postgres().await else {
                    eprintln!("skip: GOVSHARE_TEST_POSTGRES_URL unset");
                    return;
                };
                super::$name(app).await;
            }
        }
    };
}
pub(crate) use both;

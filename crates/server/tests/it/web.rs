//! The web console's sign-in: sessions, the anti-forgery token, lockout, safe redirects, and a
//! small cookie-keeping client (`WebClient`) that the page tests of other modules use.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;

use crate::app::{TestApp, both};

/// The password every test account gets for the web tests.
pub const PASSWORD: &str = "Test-Password-2026";

/// A browser-like client: keeps the session cookie, reads the anti-forgery token from pages and
/// sends it with forms.
pub struct WebClient<'a> {
    pub app: &'a TestApp,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

/// A page as the client saw it.
pub struct Page {
    pub status: StatusCode,
    pub html: String,
    pub headers: axum::http::HeaderMap,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

impl<'a> WebClient<'a> {
    pub fn new(app: &'a TestApp) -> WebClient<'a> {
        WebClient { app, cookie: None, csrf: None }
    }

    /// Gives `username` the test password and signs in.
    pub async fn signed_in(app: &'a TestApp, username: &str) -> WebClient<'a> {
        set_password(app, username).await;
        let mut c = WebClient::new(app);
        let p = c.sign_in(username, PASSWORD).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "sign-in of {username}: {}", p.html);
        c
    }

    async fn send(&mut self, req: axum::http::request::Builder, body: Body) -> Page {
        let mut req = req;
        if let Some(c) = &self.cookie {
            req = req.header("cookie", format!("gs_session={c}"));
        }
        let res = tower::ServiceExt::oneshot(self.app.router.clone(), req.body(body).unwrap()).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        if let Some(set) = headers.get("set-cookie").and_then(|v| v.to_str().ok()) {
            let value = set.split(';').next().unwrap().trim_start_matches("gs_session=").to_string();
            self.cookie = (!value.is_empty()).then_some(value);
        }
        let html = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        if let Some(token) = csrf_in(&html) {
            self.csrf = Some(token);
        }
        Page { status, html, headers }
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        self.send(Request::builder().uri(uri), Body::empty()).await
    }

    /// Posts a form; the session's anti-forgery token is added unless the form names `csrf`.
    pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let mut pairs: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        if !fields.iter().any(|(k, _)| *k == "csrf")
            && let Some(t) = &self.csrf
        {
            pairs.push(("csrf".into(), t.clone()));
        }
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("host", "localhost")
            .header("origin", "http://localhost");
        self.send(req, Body::from(body)).await
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> Page {
        self.post("/console/login", &[("username", username), ("password", password), ("next", "/console")]).await
    }
}

/// The anti-forgery token of a page's forms.
pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let token = &html[at..at + html[at..].find('"')?];
    (!token.is_empty()).then(|| token.to_string())
}

/// Gives a test account the test password.
pub async fn set_password(app: &TestApp, username: &str) {
    let user = app.svc.store.find_user_by_username(username).await.unwrap().expect("test user");
    let hash = service::auth::hash_password(PASSWORD).unwrap();
    app.svc.store.set_password(user.id, &hash).await.unwrap();
}

both!(sign_in_and_out);

async fn sign_in_and_out(app: TestApp) {
    // Without a session the console sends the browser to the sign-in page, and back afterwards.
    let mut web = WebClient::new(&app);
    let p = web.get("/console?from=mail").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/console/login?next=%2Fconsole%3Ffrom%3Dmail");
    let p = web.get(p.location()).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("登录政务部门工作台"), "{}", p.html);
    assert!(p.html.contains("value=\"/console?from=mail\""), "next kept: {}", p.html);

    set_password(&app, "b_consumer").await;
    // A wrong password: 401 and the page says so, without saying whether the user exists.
    let p = web.sign_in("b_consumer", "Wrong-Password-1").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.html.contains("用户名或密码错误"));
    let p = web.sign_in("nobody_here", "Wrong-Password-1").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.html.contains("用户名或密码错误"));
    assert!(web.cookie.is_none());

    // The right one: a session cookie (HttpOnly, SameSite=Lax), then the console.
    let p =
        web.post("/console/login", &[("username", "b_consumer"), ("password", PASSWORD), ("next", "/console")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location(), "/console");
    let set = p.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let home = web.get("/console").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.html.contains("工作台") && home.html.contains("共享申请"), "{}", home.html);
    assert!(!home.html.contains("/console/audit"), "no audit menu for a consumer");
    assert!(web.csrf.is_some());

    // Sign-in and sign-out are audited.
    let events = app.get("/api/v1/audit?action=auth.sign_in", "auditor").await;
    let count =
        |action: &str| events.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == action).count();
    assert_eq!(count("auth.sign_in"), 1, "{}", events.body);
    assert_eq!(count("auth.sign_in_failed"), 2, "{}", events.body);

    // A form without this session's token, or from another site, is refused and changes nothing.
    let p = web.post("/console/logout", &[("csrf", &"0".repeat(64))]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let req = Request::builder()
        .method("POST")
        .uri("/console/logout")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "localhost")
        .header("origin", "http://evil.example")
        .header("cookie", format!("gs_session={}", web.cookie.clone().unwrap()))
        .body(Body::from(format!("csrf={}", web.csrf.clone().unwrap())))
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "cross-site form refused");
    assert_eq!(web.get("/console").await.status, StatusCode::OK, "still signed in");

    // Sign-out ends the session on the server: the old cookie no longer works.
    let old = web.cookie.clone().unwrap();
    let p = web.post("/console/logout", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    web.cookie = Some(old);
    assert_eq!(web.get("/console").await.status, StatusCode::SEE_OTHER, "ended session refused");

    // A sign-in deletes the sessions that died over a day ago, and keeps the others.
    let now = app.svc.clock.now();
    let user = app.svc.store.find_user_by_username("b_consumer").await.unwrap().unwrap();
    let day = chrono::Duration::hours(24);
    let dead = store::WebSession {
        id_hash: "f".repeat(64),
        user_id: user.id,
        csrf: "c".repeat(64),
        created_at: now - day * 3,
        last_seen_at: now - day * 3,
        expires_at: now - day * 2,
    };
    app.svc.store.create_web_session(&dead).await.unwrap();
    let p = web.sign_in("b_consumer", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(app.svc.store.delete_dead_web_sessions(now - day).await.unwrap(), 0, "the sign-in deleted it");
    assert_eq!(web.get("/console").await.status, StatusCode::OK, "the new session lives");
}

both!(lockout_and_safe_redirects);

async fn lockout_and_safe_redirects(app: TestApp) {
    set_password(&app, "a_editor").await;
    let mut web = WebClient::new(&app);
    for i in 0..4 {
        let p = web.sign_in("a_editor", &format!("Wrong-Password-{i}")).await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "failure {i}");
    }
    // The fifth failure locks the username; then even the right password is refused.
    let p = web.sign_in("a_editor", "Wrong-Password-5").await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.html.contains("锁定"), "{}", p.html);
    let p = web.sign_in("a_editor", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(web.cookie.is_none());
    let locked = app.get("/api/v1/audit?action=auth.locked_out", "auditor").await;
    let n = locked.body["items"].as_array().unwrap().iter().filter(|e| e["object_id"] == "a_editor").count();
    assert_eq!(n, 1, "{}", locked.body);
    // Unknown usernames lock too (a lockout tells nothing about which usernames exist).
    for i in 0..5 {
        web.sign_in("ghost_user", &format!("Wrong-Password-{i}")).await;
    }
    assert_eq!(web.sign_in("ghost_user", "Wrong-Password-x").await.status, StatusCode::TOO_MANY_REQUESTS);

    // Another account is not affected; `next` never leads off the site.
    set_password(&app, "b_editor").await;
    for next in
        ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/api/v1/users", "/console\r\nSet-Cookie: a=1"]
    {
        let mut web = WebClient::new(&app);
        let p = web.post("/console/login", &[("username", "b_editor"), ("password", PASSWORD), ("next", next)]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        assert_eq!(p.location(), "/console", "next {next:?}");
    }

    // A session of a disabled account stops working at once.
    let mut web = WebClient::signed_in(&app, "b_approver").await;
    assert_eq!(web.get("/console").await.status, StatusCode::OK);
    let user = app.svc.store.find_user_by_username("b_approver").await.unwrap().unwrap();
    app.svc.store.update_user(user.id, &user.roles, false).await.unwrap();
    assert_eq!(web.get("/console").await.status, StatusCode::SEE_OTHER);

    // A form posted after its session ended returns to the console's home after sign-in (its
    // own address only answers posts), and opening such an address directly shows a page.
    let p = WebClient::new(&app).post("/console/logout", &[("csrf", "x")]).await;
    assert_eq!(p.location(), "/console/login?next=%2Fconsole");
    let p = WebClient::new(&app).get("/console/logout").await;
    assert_eq!(p.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(p.html.contains("<html") && p.html.contains("只用于提交表单"), "{}", p.html);

    // A malformed address parameter gets a Chinese page naming it.
    let p = WebClient::new(&app).get("/apps?after=abc").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.html.contains("网址参数“after”有误"), "{}", p.html);

    // Unknown pages are pages, unknown API paths stay JSON.
    let p = WebClient::new(&app).get("/no-such-page").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.html.contains("<html") && p.html.contains("不存在"), "{}", p.html);
    let r = app.get("/api/v1/no-such", "admin").await;
    assert_eq!(r.body["error"]["code"], "not_found");
}

both!(change_password);

async fn change_password(app: TestApp) {
    let mut web = WebClient::signed_in(&app, "b_editor").await;
    let mut other = WebClient::signed_in(&app, "b_editor").await;
    let p = web.get("/console/account").await;
    assert!(p.html.contains("修改密码"), "{}", p.html);
    // Refusals name the field and change nothing.
    let p = web
        .post(
            "/console/account",
            &[
                ("current_password", "Wrong-Pass-1x"),
                ("new_password", "New-Password-2026"),
                ("confirm_password", "New-Password-2026"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("当前密码不正确"), "{}", p.html);
    let p = web
        .post(
            "/console/account",
            &[("current_password", PASSWORD), ("new_password", "short"), ("confirm_password", "short")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The message next to the field (the hint under it always says 至少10位).
    assert!(p.html.contains("id=\"new_password-error\">密码至少10位"), "{}", p.html);
    let p = web
        .post(
            "/console/account",
            &[
                ("current_password", PASSWORD),
                ("new_password", "New-Password-2026"),
                ("confirm_password", "Other-Password-2026"),
            ],
        )
        .await;
    assert!(p.html.contains("两次输入的新密码不一致"), "{}", p.html);
    assert_eq!(other.get("/console").await.status, StatusCode::OK);
    // The change ends every session of the user; the old password no longer works.
    let p = web
        .post(
            "/console/account",
            &[
                ("current_password", PASSWORD),
                ("new_password", "New-Password-2026"),
                ("confirm_password", "New-Password-2026"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location(), "/console/login?changed=1");
    assert_eq!(other.get("/console").await.status, StatusCode::SEE_OTHER, "other sessions ended");
    let mut fresh = WebClient::new(&app);
    assert_eq!(fresh.sign_in("b_editor", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(fresh.sign_in("b_editor", "New-Password-2026").await.status, StatusCode::SEE_OTHER);
}

//! The in-process application for tests: a database of its own per test (a SQLite file, or a
//! fresh schema in the PostgreSQL named by `DEALERPORT_TEST_DATABASE_URL`), the real router
//! called without TCP, and small helpers to sign in and send JSON.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, Utc};
use platform::db::{is_postgres_url, DbOptions};
use platform::{Clock, Db, Query};
use serde_json::Value;
use tower::ServiceExt;

pub mod browser;
pub mod http;

pub const PASSWORD: &str = demo::DEMO_PASSWORD;
/// The key the test servers seal stored secrets with.
pub const TEST_SECRET_KEY: &str = "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592";

/// A small deterministic generator (xorshift) for tests and benchmarks that choose at random:
/// the same seed makes the same choices, so a failure can be run again.
pub struct Sequence(pub u64);

impl Sequence {
    /// The next number below `bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// The PostgreSQL URL the suite runs against, or `None` for SQLite.
pub fn postgres_url() -> Option<String> {
    std::env::var("DEALERPORT_TEST_DATABASE_URL")
        .ok()
        .filter(|url| is_postgres_url(url))
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name no other test of any run will use.
pub fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!("{prefix}_{}_{nanos:x}_{n}", std::process::id())
}

/// One test's database; a SQLite file is removed when the test ends.
pub struct TestDatabase {
    pub url: String,
    pub schema: Option<String>,
    file: Option<PathBuf>,
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        match postgres_url() {
            Some(url) => {
                let admin = Db::connect(&DbOptions {
                    max_connections: 1,
                    ..DbOptions::new(&url)
                })
                .await
                .expect("PostgreSQL named by DEALERPORT_TEST_DATABASE_URL must be reachable");
                let schema = unique_name("t");
                admin
                    .execute(&Query::new(format!("CREATE SCHEMA {schema}")))
                    .await
                    .expect("create schema");
                admin.close().await;
                TestDatabase {
                    url,
                    schema: Some(schema),
                    file: None,
                }
            }
            None => {
                let dir = std::env::temp_dir().join("dealerport-tests");
                std::fs::create_dir_all(&dir).expect("temp dir");
                let file = dir.join(format!("{}.db", unique_name("t")));
                TestDatabase {
                    url: format!("sqlite:{}", file.display()),
                    schema: None,
                    file: Some(file),
                }
            }
        }
    }

    /// The URL a separate process would use: the schema goes into PostgreSQL's `options`.
    pub fn process_url(&self) -> String {
        match &self.schema {
            Some(schema) => {
                let separator = if self.url.contains('?') { '&' } else { '?' };
                format!("{}{separator}options=-c%20search_path%3D{schema}", self.url)
            }
            None => self.url.clone(),
        }
    }

    pub async fn connect(&self) -> Db {
        let db = Db::connect(&DbOptions {
            url: self.url.clone(),
            max_connections: 5,
            schema: self.schema.clone(),
        })
        .await
        .expect("connect to the test database");
        db.migrate().await.expect("migrate the test database");
        db.with_secret_key(platform::secret::SecretKey::parse(TEST_SECRET_KEY).expect("the test key is well formed"))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
    }
}

pub fn test_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// The application under test.
pub struct TestApp {
    pub db: Db,
    pub clock: Clock,
    pub router: Router,
    pub database: TestDatabase,
}

impl TestApp {
    /// An empty, migrated database and the router over it, with a clock fixed at [`test_time`].
    pub async fn new() -> TestApp {
        let database = TestDatabase::create().await;
        let db = database.connect().await;
        let clock = Clock::fixed(test_time());
        let router = web::router(web::AppState {
            db: db.clone(),
            clock: clock.clone(),
            secure_cookies: false,
            direct_export_rows: platform::page::MAX_EXPORT_ROWS,
        });
        TestApp {
            db,
            clock,
            router,
            database,
        }
    }

    /// With the demo tenant seeded: its logins all use [`PASSWORD`].
    pub async fn with_demo() -> TestApp {
        let app = TestApp::new().await;
        demo::seed(&app.db, &app.clock, demo::Scale::Small)
            .await
            .expect("seed demo");
        app
    }

    /// With list exports of more than `rows` rows running in the background, so that tests
    /// need not seed thousands of rows to follow a background export.
    pub fn with_direct_export_rows(mut self, rows: u32) -> TestApp {
        self.router = web::router(web::AppState {
            db: self.db.clone(),
            clock: self.clock.clone(),
            secure_cookies: false,
            direct_export_rows: rows,
        });
        self
    }

    /// Serves the router over TCP on a free local port, as a browser needs; returns its base URL.
    /// The server stops with the test's runtime.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free local port");
        let address = listener.local_addr().expect("the bound address");
        let router = self.router.clone();
        tokio::spawn(async move { axum::serve(listener, router.into_make_service()).await });
        format!("http://{address}")
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        TestResponse {
            status,
            headers,
            body: body.to_vec(),
        }
    }

    /// A bearer token for a login with the demo password.
    pub async fn token(&self, login: &str) -> String {
        let response = self
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(serde_json::json!({ "login": login, "password": PASSWORD })),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "sign in {login}: {}", response.text());
        response.json()["token"].as_str().expect("token").to_owned()
    }

    /// A JSON request to the API, with a bearer token when given.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> TestResponse {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        self.send(request.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> TestResponse {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> TestResponse {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> TestResponse {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    /// A single number from the database, such as a row count.
    pub async fn count(&self, sql: &str) -> i64 {
        self.db
            .fetch_one(&Query::new(sql))
            .await
            .expect("count")
            .get("n")
            .expect("column n")
    }

    /// Signs in through the sign-in page like a browser; returns the session's cookie header.
    pub async fn browser_session(&self, login: &str) -> BrowserSession {
        let page = self.send(Request::get("/login").body(Body::empty()).unwrap()).await;
        let csrf_cookie = page.cookie("dealerport_signin").expect("sign-in cookie");
        let form = format!(
            "csrf_token={csrf_cookie}&login={}&password={PASSWORD}&next=%2F",
            login.replace('@', "%40")
        );
        let response = self
            .send(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, format!("dealerport_signin={csrf_cookie}"))
                    .body(Body::from(form))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "browser sign-in: {}",
            response.text()
        );
        let session = response.cookie("dealerport_session").expect("session cookie");
        let home = self
            .send(
                Request::get("/")
                    .header(header::COOKIE, format!("dealerport_session={session}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let html = home.text();
        let csrf_token = html
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("csrf token in the page")
            .to_owned();
        BrowserSession {
            cookie: format!("dealerport_session={session}"),
            csrf_token,
        }
    }

    pub async fn page(&self, session: &BrowserSession, path: &str) -> TestResponse {
        self.send(
            Request::get(path)
                .header(header::COOKIE, &session.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Posts a form as the browser would, with the session's CSRF token added.
    pub async fn submit(&self, session: &BrowserSession, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let mut body = format!("csrf_token={}", session.csrf_token);
        for (name, value) in fields {
            body.push_str(&format!("&{}={}", encode(name), encode(value)));
        }
        self.send(
            Request::post(path)
                .header(header::COOKIE, &session.cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub struct BrowserSession {
    pub cookie: String,
    pub csrf_token: String,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, value)| *key == name && !value.is_empty())
            .map(|(_, value)| value.to_owned())
    }

    /// The field names of a problem's errors.
    pub fn error_fields(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn error_codes(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

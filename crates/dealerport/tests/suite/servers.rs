//! Several server processes on one database behave as one system: nothing that matters lives
//! in a process.

use std::process::Stdio;

use serde_json::json;
use testkit::http::request;
use testkit::TestDatabase;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A `dealerport serve` process on a free port.
struct Server {
    child: Child,
    address: String,
}

async fn start(database_url: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealerport"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", database_url])
        .env("DEALERPORT_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start dealerport serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines
            .next_line()
            .await
            .expect("read")
            .expect("the server says where it listens");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().expect("address").to_owned();
        }
    };
    Server { child, address }
}

async fn token(server: &Server, login: &str) -> String {
    let body = json!({"login": login, "password": testkit::PASSWORD}).to_string();
    let response = request(
        &server.address,
        "POST",
        "/api/v1/auth/token",
        &[("Content-Type", "application/json")],
        &body,
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    serde_json::from_str::<serde_json::Value>(&response.body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn two_servers_on_one_database_share_sessions_tokens_and_data() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    demo::seed(&db, &platform::Clock::system(), demo::Scale::Small)
        .await
        .unwrap();
    let url = database.process_url();
    let first = start(&url).await;
    let second = start(&url).await;

    let token = token(&first, "admin@demo.test").await;
    let bearer = format!("Bearer {token}");
    let me = request(&second.address, "GET", "/api/v1/me", &[("Authorization", &bearer)], "").await;
    assert_eq!(me.status, 200, "a token issued by one server works on the other");

    let body = json!({"code": "RU-VLA", "name": "Владимирская область", "kind": "territory",
        "parent_id": crate::id_of_in(&db, "regions", "code", "RU-CEN").await})
    .to_string();
    let created = request(
        &first.address,
        "POST",
        "/api/v1/regions",
        &[("Authorization", &bearer), ("Content-Type", "application/json")],
        &body,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let listed = request(
        &second.address,
        "GET",
        "/api/v1/regions",
        &[("Authorization", &bearer)],
        "",
    )
    .await;
    assert!(listed.body.contains("RU-VLA"), "written on one, read on the other");

    let login_page = request(&first.address, "GET", "/login", &[], "").await;
    let csrf = login_page.set_cookie("dealerport_signin").unwrap();
    let cookie = format!("dealerport_signin={csrf}");
    let form = format!(
        "csrf_token={csrf}&login=manager%40demo.test&password={}&next=%2F",
        testkit::PASSWORD
    );
    let signed_in = request(
        &second.address,
        "POST",
        "/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &cookie),
        ],
        &form,
    )
    .await;
    assert_eq!(
        signed_in.status, 303,
        "a sign-in form from one server is accepted by the other"
    );
    let session = format!(
        "dealerport_session={}",
        signed_in.set_cookie("dealerport_session").unwrap()
    );
    let home = request(&first.address, "GET", "/dealers", &[("Cookie", &session)], "").await;
    assert_eq!(home.status, 200, "the session made on one server is known to the other");
    assert!(home.body.contains("VEKTOR"));
}

#[tokio::test]
async fn a_terminated_server_shuts_down_cleanly() {
    let database = TestDatabase::create().await;
    database.connect().await;
    let mut server = start(&database.process_url()).await;
    let health = request(&server.address, "GET", "/healthz", &[], "").await;
    assert_eq!(health.status, 200);
    let pid = server.child.id().expect("running").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), server.child.wait())
        .await
        .expect("stops within 20 s")
        .unwrap();
    assert!(status.success(), "{status:?}");
}

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
        // Servers of one database share one key, as in production.
        .env("DEALERPORT_SECRET_KEY", testkit::TEST_SECRET_KEY)
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

/// The invariants of stock after any mix of orders: what is reserved is what open orders hold,
/// and on hand and reserved equal the sums of the movement ledger.
async fn assert_stock_is_consistent(db: &platform::Db) {
    let count = |sql: &'static str| async move {
        db.fetch_one(&platform::Query::new(sql))
            .await
            .unwrap()
            .get::<i64>("n")
            .unwrap()
    };
    let reserved = count("SELECT CAST(COALESCE(SUM(reserved), 0) AS BIGINT) AS n FROM stock_levels").await;
    let held = count(
        "SELECT CAST(COALESCE(SUM(COALESCE(l.confirmed_quantity, l.quantity) - l.shipped_quantity), 0) AS BIGINT) AS n
         FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.state IN ('submitted', 'on_credit_hold', 'confirmed', 'partially_confirmed', 'partially_shipped')",
    )
    .await;
    assert_eq!(reserved, held, "no reservation without an open order, and none missing");
    let mismatches = count(
        "SELECT COUNT(*) AS n FROM stock_levels s
         WHERE s.on_hand <> (SELECT COALESCE(SUM(m.on_hand_delta), 0) FROM stock_movements m
                             WHERE m.warehouse_id = s.warehouse_id AND m.product_id = s.product_id)
            OR s.reserved <> (SELECT COALESCE(SUM(m.reserved_delta), 0) FROM stock_movements m
                              WHERE m.warehouse_id = s.warehouse_id AND m.product_id = s.product_id)",
    )
    .await;
    assert_eq!(mismatches, 0, "stock levels agree with the movement ledger");
}

fn order_body(number: &str, location: i64, product: i64, quantity: i64) -> String {
    json!({
        "dealer_order_number": number,
        "delivery_location_id": location,
        "requested_delivery_on": (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(7)).to_string(),
        "lines": [{ "product_id": product, "quantity": quantity }],
    })
    .to_string()
}

async fn vektor_location(db: &platform::Db) -> i64 {
    db.fetch_one(&platform::Query::new(
        "SELECT l.id AS n FROM delivery_locations l JOIN dealers d ON d.id = l.dealer_id WHERE d.code = 'VEKTOR' AND l.is_primary = TRUE",
    ))
    .await
    .unwrap()
    .get("n")
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_order_survives_the_server_being_killed() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    demo::seed(&db, &platform::Clock::system(), demo::Scale::Small)
        .await
        .unwrap();
    let url = database.process_url();
    let mut server = start(&url).await;
    let bearer = format!("Bearer {}", token(&server, "dealer@demo.test").await);
    let location = vektor_location(&db).await;
    let water = crate::id_of_in(&db, "products", "sku", "BS-0001").await;

    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, i64)>::new()));
    let mut streams = tokio::task::JoinSet::new();
    for stream in 0..4 {
        let (address, bearer, acknowledged) = (server.address.clone(), bearer.clone(), acknowledged.clone());
        streams.spawn(async move {
            for n in 0.. {
                let number = format!("KILL-{stream}-{n}");
                let sent = testkit::http::try_request(
                    &address,
                    "POST",
                    "/api/v1/orders",
                    &[("Authorization", &bearer), ("Content-Type", "application/json")],
                    &order_body(&number, location, water, 12),
                )
                .await;
                match sent {
                    Ok(response) if response.status == 201 => {
                        let id = serde_json::from_str::<serde_json::Value>(&response.body).unwrap()["order_id"]
                            .as_i64()
                            .unwrap();
                        acknowledged.lock().unwrap().push((number, id));
                    }
                    // The server died mid-request: this placement was never acknowledged.
                    _ => break,
                }
            }
        });
    }
    while acknowledged.lock().unwrap().len() < 60 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.child.start_kill().unwrap();
    server.child.wait().await.unwrap();
    streams.join_all().await;

    let restarted = start(&url).await;
    let bearer = format!("Bearer {}", token(&restarted, "dealer@demo.test").await);
    let acknowledged = acknowledged.lock().unwrap().clone();
    for (number, id) in &acknowledged {
        let order = request(
            &restarted.address,
            "GET",
            &format!("/api/v1/orders/{id}"),
            &[("Authorization", &bearer)],
            "",
        )
        .await;
        assert_eq!(order.status, 200, "acknowledged order {number} is there");
        let order: serde_json::Value = serde_json::from_str(&order.body).unwrap();
        assert_eq!(order["dealer_order_number"], number.as_str());
        assert_eq!(
            order["lines"].as_array().unwrap().len(),
            2,
            "complete: the water and its free bottle"
        );
    }
    assert_stock_is_consistent(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_never_oversell_shared_stock() {
    let database = TestDatabase::create().await;
    let db = database.connect().await;
    demo::seed(&db, &platform::Clock::system(), demo::Scale::Small)
        .await
        .unwrap();
    let url = database.process_url();
    let servers = [start(&url).await, start(&url).await];
    let admin = format!("Bearer {}", token(&servers[0], "admin@demo.test").await);
    let dealer = format!("Bearer {}", token(&servers[1], "dealer@demo.test").await);
    let product = crate::id_of_in(&db, "products", "sku", "BS-0003").await;
    let pack: i64 = db
        .fetch_one(&platform::Query::new(format!(
            "SELECT pack_size AS n FROM products WHERE id = {product}"
        )))
        .await
        .unwrap()
        .get("n")
        .unwrap();
    for (warehouse, quantity) in [("MSK-DC", 5 * pack), ("NSK-DC", 0), ("SH-DC", 0)] {
        let warehouse = crate::id_of_in(&db, "warehouses", "code", warehouse).await;
        let body =
            json!({ "warehouse_id": warehouse, "product_id": product, "kind": "stocktake", "quantity": quantity })
                .to_string();
        let counted = request(
            &servers[0].address,
            "POST",
            "/api/v1/stock/changes",
            &[("Authorization", &admin), ("Content-Type", "application/json")],
            &body,
        )
        .await;
        assert_eq!(counted.status, 204, "{}", counted.body);
    }
    let location = vektor_location(&db).await;
    let mut placements = tokio::task::JoinSet::new();
    for n in 0..16 {
        let (address, dealer) = (servers[n % 2].address.clone(), dealer.clone());
        placements.spawn(async move {
            let body = order_body(&format!("TWO-{n}"), location, product, pack);
            request(
                &address,
                "POST",
                "/api/v1/orders",
                &[("Authorization", &dealer), ("Content-Type", "application/json")],
                &body,
            )
            .await
            .status
        });
    }
    let statuses = placements.join_all().await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 5, "{statuses:?}");
    assert!(statuses.iter().all(|s| [201, 409, 422].contains(s)), "{statuses:?}");
    assert_stock_is_consistent(&db).await;
}

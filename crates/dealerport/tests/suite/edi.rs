//! EDI through the API channel: a partner's system posts EANCOM interchanges to the inbox and
//! fetches ours from the outbox. An ORDERS places an order exactly as the portal would; a
//! syntax error is answered with a CONTRL rejection, an application problem with an APERAK, and
//! nothing of a rejected message is applied; the same interchange twice is applied once.

use axum::body::Body;
use axum::http::{header, Method, Request};
use platform::Query;
use serde_json::{json, Value};
use testkit::{TestApp, TestResponse};

/// Baikal Springs' GLN in the demo.
pub(crate) const OURS: &str = "4601234500005";
/// A GTIN with a valid check digit that no product has.
pub(crate) const UNKNOWN_GTIN: &str = "4607099999992";
/// A GLN with a valid check digit that no delivery location has, yet.
const NEW_LOCATION_GLN: &str = "4601234599900";

pub(crate) async fn text(app: &TestApp, sql: &str) -> String {
    app.db.fetch_one(&Query::new(sql)).await.unwrap().get("t").unwrap()
}

pub(crate) async fn vektor(app: &TestApp) -> (String, String) {
    (
        text(app, "SELECT gln AS t FROM dealers WHERE code = 'VEKTOR'").await,
        text(
            app,
            "SELECT l.gln AS t FROM delivery_locations l JOIN dealers d ON d.id = l.dealer_id
             WHERE d.code = 'VEKTOR' AND l.is_primary = TRUE",
        )
        .await,
    )
}

pub(crate) async fn gtin(app: &TestApp, sku: &str) -> String {
    text(app, &format!("SELECT gtin AS t FROM products WHERE sku = '{sku}'")).await
}

/// An ORDERS interchange from `sender`, asking for a CONTRL.
fn orders(sender: &str, reference: &str, number: &str, delivery: &str, lines: &[(&str, i64)]) -> String {
    interchange(sender, reference, &[orders_message(1, sender, number, delivery, lines)])
}

/// An interchange of `messages` from `sender`, asking for a CONTRL.
fn interchange(sender: &str, reference: &str, messages: &[String]) -> String {
    format!(
        "UNA:+.? '\nUNB+UNOC:3+{sender}:14+{OURS}:14+261124:1000+{reference}++ORDERS++1'\n{}\nUNZ+{}+{reference}'\n",
        messages.join("\n"),
        messages.len()
    )
}

/// One ORDERS message, UNH to UNT, with message reference `reference`.
fn orders_message(reference: usize, sender: &str, number: &str, delivery: &str, lines: &[(&str, i64)]) -> String {
    let mut segments = vec![
        format!("UNH+{reference}+ORDERS:D:96A:UN:EAN008'"),
        format!("BGM+220+{number}+9'"),
        "DTM+137:20261124:102'".to_owned(),
        "DTM+2:20261201:102'".to_owned(),
        format!("NAD+BY+{sender}::9'"),
        format!("NAD+DP+{delivery}::9'"),
    ];
    for (index, (gtin, quantity)) in lines.iter().enumerate() {
        segments.push(format!("LIN+{}++{gtin}:SRV'", index + 1));
        segments.push(format!("QTY+21:{quantity}'"));
    }
    segments.push("UNS+S'".to_owned());
    segments.push(format!("UNT+{}+{reference}'", segments.len() + 1));
    segments.join("\n")
}

pub(crate) async fn post(app: &TestApp, token: &str, interchange: &str) -> TestResponse {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/edi/inbox")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/EDIFACT")
            .body(Body::from(interchange.to_owned()))
            .unwrap(),
    )
    .await
}

async fn outbox(app: &TestApp, token: &str) -> Vec<Value> {
    app.get("/api/v1/edi/outbox", token)
        .await
        .json()
        .as_array()
        .unwrap()
        .clone()
}

pub(crate) async fn content(app: &TestApp, token: &str, id: &Value) -> String {
    let response = app.get(&format!("/api/v1/edi/interchanges/{id}/content"), token).await;
    assert_eq!(response.status, 200);
    response.text()
}

#[tokio::test]
async fn an_orders_interchange_places_the_order_and_is_acknowledged_with_a_contrl() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let (sender, warehouse) = vektor(&app).await;
    let water = gtin(&app, "BS-0001").await;
    let interchange = orders(&sender, "T1001", "EDI-1001", &warehouse, &[(&water, 48)]);

    let receipt = post(&app, &dealer, &interchange).await;
    assert_eq!(receipt.status, 200, "{}", receipt.text());
    let receipt = receipt.json();
    assert_eq!(receipt["status"], "accepted");
    assert_eq!(receipt["messages"][0]["message_type"], "ORDERS");
    assert_eq!(receipt["messages"][0]["status"], "applied", "{receipt}");
    assert_eq!(receipt["messages"][0]["document_number"], "EDI-1001");
    let order_id = receipt["messages"][0]["order_id"].as_i64().unwrap();
    let order = app.get(&format!("/api/v1/orders/{order_id}"), &dealer).await.json();
    assert_eq!(order["channel"], "edi");
    assert_eq!(order["state"], "submitted");
    assert_eq!(order["lines"][0]["quantity"], 48);
    assert!(order["lines"][0]["unit_net_price"].is_string(), "the server priced it");

    let contrl = receipt["contrl_interchange_id"].clone();
    assert!(outbox(&app, &dealer).await.iter().any(|i| i["id"] == contrl));
    let answer = content(&app, &dealer, &contrl).await;
    assert!(answer.starts_with("UNA"), "{answer}");
    assert!(
        answer.contains(&format!("UCI+T1001+{sender}:14+{OURS}:14+7'")),
        "{answer}"
    );
    let delivered = app
        .post(
            &format!("/api/v1/edi/interchanges/{contrl}/delivered"),
            &dealer,
            json!({}),
        )
        .await;
    assert_eq!(delivered.status, 204);
    assert!(!outbox(&app, &dealer).await.iter().any(|i| i["id"] == contrl));

    let again = post(&app, &dealer, &interchange).await.json();
    assert_eq!(again["status"], "duplicate");
    assert_eq!(again["interchange_id"], receipt["interchange_id"]);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM orders WHERE dealer_order_number = 'EDI-1001'")
            .await,
        1,
        "the same interchange twice places one order"
    );
    let resent = post(
        &app,
        &dealer,
        &orders(&sender, "T1002", "EDI-1001", &warehouse, &[(&water, 48)]),
    )
    .await
    .json();
    assert_eq!(
        resent["messages"][0]["order_id"], order_id,
        "the same order number is the same order"
    );
}

/// More ORDERS than are placed at once (256), with an order number used twice and a
/// cancellation of one of the orders further on: each message is applied as if the interchange
/// were read one message at a time, and the archive keeps them in the interchange's order.
#[tokio::test]
async fn many_orders_in_one_interchange_are_applied_in_their_order() {
    const ORDERS: usize = 270;
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let (sender, warehouse) = vektor(&app).await;
    let water = gtin(&app, "BS-0001").await;
    let mut messages = Vec::new();
    for index in 1..=ORDERS {
        let number = match index {
            5 => "MANY-2".to_owned(),
            _ => format!("MANY-{index}"),
        };
        messages.push(orders_message(index, &sender, &number, &warehouse, &[(&water, 12)]));
        if index == 40 {
            messages.push(format!(
                "UNH+cancel+ORDCHG:D:96A:UN:EAN008'\nBGM+230+CH-MANY-3+1'\nDTM+137:20261124:102'\n\
                 RFF+ON:MANY-3'\nNAD+BY+{sender}::9'\nUNT+6+cancel'"
            ));
        }
    }

    let receipt = post(&app, &dealer, &interchange(&sender, "MANY", &messages)).await;
    assert_eq!(receipt.status, 200, "{}", receipt.text());
    let receipt = receipt.json();
    let received = receipt["messages"].as_array().unwrap();
    let references: Vec<&str> = received
        .iter()
        .map(|m| m["message_reference"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = (1..=40).map(|n| n.to_string()).collect();
    expected.push("cancel".to_owned());
    expected.extend((41..=ORDERS).map(|n| n.to_string()));
    assert_eq!(references, expected, "the archive keeps the interchange's order");
    assert!(received.iter().all(|m| m["status"] == "applied"), "{receipt}");
    assert_eq!(
        received[4]["order_id"], received[1]["order_id"],
        "the number used twice is one order"
    );
    assert!(
        received[4]["notes"].to_string().contains("placed before"),
        "the second use is the one found placed before: {}",
        received[4]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM orders WHERE dealer_order_number LIKE 'MANY-%'")
            .await,
        ORDERS as i64 - 1
    );
    let cancelled = app
        .get(&format!("/api/v1/orders/{}", received[2]["order_id"]), &dealer)
        .await
        .json();
    assert_eq!(cancelled["state"], "cancelled", "the cancellation came after its order");

    let admin = app.token("admin@demo.test").await;
    let second_page = app
        .get(
            &format!(
                "/api/v1/edi/interchanges/{}?page=2&per_page=50",
                receipt["interchange_id"]
            ),
            &admin,
        )
        .await;
    assert_eq!(second_page.status, 200, "{}", second_page.text());
    let second_page = second_page.json();
    assert_eq!(
        second_page["messages"]["total"],
        ORDERS + 1,
        "the interchange's messages, a page at a time"
    );
    let rest: Vec<&str> = second_page["messages"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message_reference"].as_str().unwrap())
        .collect();
    assert_eq!(rest, expected[50..100], "in the interchange's order");
    let envelope = format!("UNB+UNOC:3+{sender}:14+{OURS}:14+261124:1000+MANY++ORDERS++1'");
    assert!(
        second_page["segments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| *s == envelope.as_str()),
        "{second_page}"
    );
}

#[tokio::test]
async fn an_order_with_problems_is_answered_with_an_aperak_and_can_be_reprocessed_once_fixed() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let admin = app.token("admin@demo.test").await;
    let (sender, _) = vektor(&app).await;
    let water = gtin(&app, "BS-0001").await;
    let orders_before = app.count("SELECT COUNT(*) AS n FROM orders").await;

    let bad = orders(
        &sender,
        "T2001",
        "EDI-2001",
        NEW_LOCATION_GLN,
        &[(&water, 48), (UNKNOWN_GTIN, 12)],
    );
    let receipt = post(&app, &dealer, &bad).await.json();
    assert_eq!(receipt["status"], "accepted", "the syntax is fine");
    let message = &receipt["messages"][0];
    assert_eq!(message["status"], "rejected");
    let codes: Vec<&str> = message["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["unknown_delivery_location"], "{message}");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM orders").await, orders_before);
    let aperak = message["answer_interchange_id"].clone();
    let answer = content(&app, &dealer, &aperak).await;
    assert!(answer.contains("APERAK") && answer.contains("ERC+54::91'"), "{answer}");
    assert!(answer.contains("RFF+ON:EDI-2001'"), "{answer}");

    // The location is set up with the GLN the partner uses, and the message applied again.
    let vektor_id = app.count("SELECT id AS n FROM dealers WHERE code = 'VEKTOR'").await;
    let added = app
        .post(
            &format!("/api/v1/dealers/{vektor_id}/locations"),
            &admin,
            json!({"code": "MSK-WH3", "name": "Склад Подольск", "address": "Подольск, ул. Плещеевская, 3", "gln": NEW_LOCATION_GLN}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text());
    let message_id = message["id"].as_i64().unwrap();
    let again = app
        .post(
            &format!("/api/v1/edi/messages/{message_id}/reprocess"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text());
    let again = again.json();
    assert_eq!(
        again["status"], "rejected",
        "the unknown product is still unknown: {again}"
    );
    assert_eq!(again["errors"][0]["code"], "product_not_published");
    assert_eq!(again["errors"][0]["tag"], "LIN");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM orders").await, orders_before);

    let good = orders(&sender, "T2002", "EDI-2002", NEW_LOCATION_GLN, &[(&water, 48)]);
    let placed = post(&app, &dealer, &good).await.json();
    assert_eq!(placed["messages"][0]["status"], "applied", "{placed}");
    let found = app
        .get("/api/v1/edi/interchanges?reference=EDI-2001&direction=in", &admin)
        .await
        .json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["control_reference"], "T2001");
}

#[tokio::test]
async fn an_order_naming_another_buyer_or_supplier_is_rejected_and_places_nothing() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let (sender, warehouse) = vektor(&app).await;
    let water = gtin(&app, "BS-0001").await;
    let orders_before = app.count("SELECT COUNT(*) AS n FROM orders").await;
    // Both GLNs have valid check digits; neither is the partner's dealer nor us. The message
    // gains a segment, so its count in UNT grows by one.
    let strangers = orders(&sender, "T2101", "EDI-2101", &warehouse, &[(&water, 48)])
        .replace(
            &format!("NAD+BY+{sender}::9'"),
            &format!("NAD+BY+{NEW_LOCATION_GLN}::9'\nNAD+SU+{UNKNOWN_GTIN}::9'"),
        )
        .replace("UNT+10+1'", "UNT+11+1'");

    let receipt = post(&app, &dealer, &strangers).await.json();
    let message = &receipt["messages"][0];
    assert_eq!(message["status"], "rejected", "{receipt}");
    let problems: Vec<(&str, &str)> = message["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["code"].as_str().unwrap(), e["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (
                "unknown_party",
                format!("buyer {NEW_LOCATION_GLN} is not this partner").as_str()
            ),
            ("unknown_party", format!("supplier {UNKNOWN_GTIN} is not us").as_str()),
        ],
        "{message}"
    );
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM orders").await, orders_before);
}

#[tokio::test]
async fn a_syntax_error_rejects_the_whole_interchange_with_a_contrl_naming_it() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let (sender, warehouse) = vektor(&app).await;
    let water = gtin(&app, "BS-0001").await;
    let wrong_count =
        orders(&sender, "T3001", "EDI-3001", &warehouse, &[(&water, 48)]).replace("UNT+10+1'", "UNT+12+1'");
    let receipt = post(&app, &dealer, &wrong_count).await.json();
    assert_eq!(receipt["status"], "rejected", "{receipt}");
    assert_eq!(receipt["error_code"], 29);
    assert!(receipt["error"].as_str().unwrap().contains("UNT"), "{receipt}");
    assert!(receipt["messages"].as_array().unwrap().is_empty(), "nothing is applied");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM orders WHERE dealer_order_number = 'EDI-3001'")
            .await,
        0
    );
    let answer = content(&app, &dealer, &receipt["contrl_interchange_id"]).await;
    assert!(answer.contains("UCI+T3001+") && answer.contains("+4+29"), "{answer}");
}

#[tokio::test]
async fn a_partner_speaks_only_for_itself_and_unknown_senders_are_kept_but_not_answered() {
    let app = TestApp::with_demo().await;
    let (sender, warehouse) = vektor(&app).await;
    let water = gtin(&app, "BS-0001").await;
    let interchange = orders(&sender, "T4001", "EDI-4001", &warehouse, &[(&water, 48)]);
    let other_dealer = app.token("dealer2@demo.test").await;
    assert_eq!(post(&app, &other_dealer, &interchange).await.status, 403);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM edi_interchanges WHERE control_reference = 'T4001'")
            .await,
        0,
        "a refused interchange is not kept"
    );
    let manager = app.token("manager@demo.test").await;
    assert_eq!(post(&app, &manager, &interchange).await.status, 403);

    let admin = app.token("admin@demo.test").await;
    let stranger = orders("4601234599900", "T4002", "EDI-4002", &warehouse, &[(&water, 48)]);
    let receipt = post(&app, &admin, &stranger).await.json();
    assert_eq!(receipt["status"], "rejected");
    assert_eq!(receipt["error_code"], 23);
    assert_eq!(receipt["contrl_interchange_id"], Value::Null);
    let archive = app.get("/api/v1/edi/interchanges?status=rejected", &admin).await.json();
    assert!(archive["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["control_reference"] == "T4002"));
    let dealer = app.token("dealer@demo.test").await;
    assert_eq!(app.get("/api/v1/edi/interchanges", &dealer).await.status, 403);
}

#[tokio::test]
async fn the_partners_contrl_is_recorded_on_our_interchange_and_never_answered() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let admin = app.token("admin@demo.test").await;
    let (sender, _) = vektor(&app).await;
    // The demo's ORDERS was answered with a CONTRL of ours; Vektor acknowledges it.
    let ours = outbox(&app, &dealer).await;
    let our_reference = ours[0]["control_reference"].as_str().unwrap().to_owned();
    let contrl = format!(
        "UNB+UNOC:3+{sender}:14+{OURS}:14+261124:1100+T5001++++1'UNH+1+CONTRL:D:3:UN'UCI+{our_reference}+{OURS}:14+{sender}:14+7'UNT+3+1'UNZ+1+T5001'"
    );
    let receipt = post(&app, &dealer, &contrl).await.json();
    assert_eq!(receipt["status"], "accepted", "{receipt}");
    assert_eq!(receipt["messages"][0]["status"], "applied");
    assert_eq!(
        receipt["contrl_interchange_id"],
        Value::Null,
        "a CONTRL is never answered"
    );
    let found = app
        .get(&format!("/api/v1/edi/interchanges/{}", ours[0]["id"]), &admin)
        .await
        .json();
    assert_eq!(found["contrl"], "accepted");
}

#[tokio::test]
async fn partner_profiles_are_checked_and_kept_by_the_edi_administrators() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let qingquan = app
        .count("SELECT id AS n FROM dealers WHERE code = 'SH-QINGQUAN'")
        .await;
    let gln = text(&app, "SELECT gln AS t FROM dealers WHERE code = 'SH-QINGQUAN'").await;
    let profile = |version: i64| {
        json!({"dealer_id": qingquan, "interchange_id": gln, "directory": "D01B", "syntax": "UNOY",
            "syntax_version": version, "channel": "api", "messages_in": ["ORDERS"], "messages_out": ["ORDRSP", "INVOIC"]})
    };
    let refused = app.post("/api/v1/edi/partners", &admin, profile(3)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.error_fields(), vec!["syntax_version"]);
    let created = app.post("/api/v1/edi/partners", &admin, profile(4)).await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.json()["dealer_code"], "SH-QINGQUAN");
    let twice = app.post("/api/v1/edi/partners", &admin, profile(4)).await;
    assert_eq!(twice.error_codes(), vec!["edi.partner_taken"]);

    let dealer = app.token("dealer@demo.test").await;
    assert_eq!(app.post("/api/v1/edi/partners", &dealer, profile(4)).await.status, 403);
    let manager = app.token("manager@demo.test").await;
    let seen: Vec<Value> = app.get("/api/v1/edi/partners", &manager).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["dealer_code"].clone())
        .collect();
    assert_eq!(
        seen,
        vec![json!("VEKTOR")],
        "a sales manager sees the partners of their regions"
    );
}

#[tokio::test]
async fn the_demo_order_from_vektors_erp_is_in_the_archive_with_its_price_difference() {
    let app = TestApp::with_demo().await;
    let desk = app.token("orders@demo.test").await;
    let archive = app
        .get("/api/v1/edi/interchanges?message_type=ORDERS", &desk)
        .await
        .json();
    assert_eq!(archive["total"], 1);
    let detail = app
        .get(
            &format!("/api/v1/edi/interchanges/{}", archive["items"][0]["id"]),
            &desk,
        )
        .await
        .json();
    let message = &detail["messages"]["items"][0];
    assert_eq!(message["status"], "applied");
    assert_eq!(message["document_number"], "VK-EDI-0145");
    assert!(
        message["notes"][0]
            .as_str()
            .unwrap()
            .contains("the buyer's price 41.50 differs from ours"),
        "{message}"
    );
    assert!(detail["segments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "BGM+220+VK-EDI-0145+9'"));
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM orders WHERE dealer_order_number = 'VK-EDI-0145' AND channel = 'edi'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_edi_monitor_shows_the_archive_each_interchange_and_the_order_timeline_links_it() {
    let app = TestApp::with_demo().await;
    let desk = app.browser_session("orders@demo.test").await;
    let list = app.page(&desk, "/edi?message_type=ORDERS").await;
    assert_eq!(list.status, 200);
    assert!(list.text().contains("VK000145"), "{}", list.text());
    let id = app
        .count("SELECT id AS n FROM edi_interchanges WHERE control_reference = 'VK000145'")
        .await;
    let page = app.page(&desk, &format!("/edi/interchanges/{id}")).await.text();
    assert!(page.contains("BGM+220+VK-EDI-0145+9&#39;"), "{page}");
    assert!(page.contains("41.50"), "the price difference is noted");
    assert!(app.page(&desk, "/edi/partners").await.text().contains("VEKTOR"));

    let order = app
        .count("SELECT id AS n FROM orders WHERE dealer_order_number = 'VK-EDI-0145'")
        .await;
    let order_page = app.page(&desk, &format!("/orders/{order}")).await.text();
    assert!(
        order_page.contains(&format!("href=\"/edi/interchanges/{id}\"")),
        "the timeline links the ORDERS"
    );
    let dealer = app.browser_session("dealer@demo.test").await;
    let dealer_view = app.page(&dealer, &format!("/orders/{order}")).await.text();
    assert!(
        dealer_view.contains("ORDERS VK-EDI-0145"),
        "the dealer sees its message on the timeline"
    );
    assert!(!dealer_view.contains("/edi/interchanges/"), "but not the EDI monitor");
    assert_eq!(app.page(&dealer, "/edi").await.status, 403);
}

/// Backdates a file as if it had been written a minute ago, so the folder channel takes it as
/// complete without the test waiting.
fn settled(path: &std::path::Path) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(60))
        .unwrap();
}

/// A folder of this test's own, under the system's temporary folder.
fn test_folder(name: &str) -> std::path::PathBuf {
    std::env::temp_dir()
        .join(format!("dealerport-{name}-{}", std::process::id()))
        .join(format!("{:?}", std::thread::current().id()).replace(['(', ')'], ""))
}

/// Moves the demo's partner, Vektor, to the folder channel on `folder`; returns its id.
async fn on_folder_channel(app: &TestApp, admin: &str, folder: &std::path::Path) -> i64 {
    let (sender, _) = vektor(app).await;
    let vektor_id = app.count("SELECT id AS n FROM dealers WHERE code = 'VEKTOR'").await;
    let partner = app.count("SELECT id AS n FROM edi_partners").await;
    let moved = app
        .put(
            &format!("/api/v1/edi/partners/{partner}"),
            admin,
            json!({"dealer_id": vektor_id, "interchange_id": sender, "directory": "D96A", "syntax": "UNOC",
                "syntax_version": 3, "channel": "directory", "directory_path": folder.to_string_lossy(),
                "messages_in": ["ORDERS", "CONTRL"], "messages_out": ["ORDRSP", "DESADV", "CONTRL", "APERAK"]}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    partner
}

/// The problem the partners list shows for the demo's partner, if any.
async fn partner_problem(app: &TestApp, token: &str) -> Value {
    let listed = app.get("/api/v1/edi/partners", token).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    listed.json()["items"][0]["problem"].clone()
}

#[tokio::test]
async fn a_folder_that_cannot_be_written_is_shown_with_its_partner_until_it_can() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let folder = test_folder("edi-outbox");
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    // A file where the outbox folder should be: nothing can be written into it.
    std::fs::write(folder.join("out"), "not a folder").unwrap();
    on_folder_channel(&app, &admin, &folder).await;

    let done = edi::folders::exchange(&app.db, &app.clock).await.unwrap();
    assert_eq!(done.sent, 0, "the CONTRL the demo's ORDERS got waits");
    let problem = partner_problem(&app, &admin).await;
    assert_eq!(problem["stage"], "outbox", "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("out"), "{problem}");
    let browser = app.browser_session("admin@demo.test").await;
    let page = app.page(&browser, "/edi/partners").await.text();
    assert!(page.contains("Its outbox folder could not be written"), "{page}");
    let since = problem["since"].clone();
    app.clock.advance(chrono::TimeDelta::minutes(1));
    edi::folders::exchange(&app.db, &app.clock).await.unwrap();
    assert_eq!(
        partner_problem(&app, &admin).await["since"],
        since,
        "a problem that recurs keeps the time it began"
    );

    std::fs::remove_file(folder.join("out")).unwrap();
    let done = edi::folders::exchange(&app.db, &app.clock).await.unwrap();
    assert!(done.sent >= 1, "what waited went out");
    assert_eq!(
        partner_problem(&app, &admin).await,
        Value::Null,
        "and the problem is gone"
    );
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test]
async fn the_folder_channel_reads_settled_files_moves_them_aside_and_writes_ours_whole() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let folder = test_folder("edi");
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(folder.join("in")).unwrap();
    let (sender, warehouse) = vektor(&app).await;
    on_folder_channel(&app, &admin, &folder).await;

    let water = gtin(&app, "BS-0001").await;
    let good = folder.join("in").join("T6001.edi");
    std::fs::write(&good, orders(&sender, "T6001", "EDI-6001", &warehouse, &[(&water, 48)])).unwrap();
    settled(&good);
    let bad = folder.join("in").join("T6002.edi");
    std::fs::write(&bad, "UNB+UNOC:3+nonsense'").unwrap();
    settled(&bad);
    let fresh = folder.join("in").join("T6003.edi");
    std::fs::write(
        &fresh,
        orders(&sender, "T6003", "EDI-6003", &warehouse, &[(&water, 48)]),
    )
    .unwrap();

    let done = edi::folders::exchange(&app.db, &app.clock).await.unwrap();
    assert_eq!(done.received, 2, "the file still being written waits");
    assert!(folder.join("processed").join("T6001.edi").exists());
    assert!(
        folder.join("error").join("T6002.edi").exists(),
        "a partner's file is never deleted"
    );
    assert!(fresh.exists());
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM orders WHERE dealer_order_number = 'EDI-6001' AND channel = 'edi'")
            .await,
        1
    );
    // The CONTRL answering T6001 (and the one the demo's ORDERS got) went out whole.
    let written: Vec<String> = std::fs::read_dir(folder.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        written
            .iter()
            .all(|name| name.ends_with(".edi") && !name.starts_with('.')),
        "{written:?}"
    );
    assert!(written.iter().any(|name| name.contains("CONTRL")), "{written:?}");
    let dealer = app.token("dealer@demo.test").await;
    assert!(
        outbox(&app, &dealer).await.is_empty(),
        "what went to the folder is delivered"
    );
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test]
async fn the_order_desks_decision_goes_back_as_an_ordrsp_and_the_shipment_as_a_desadv_once_each() {
    let app = TestApp::with_demo().await;
    let desk = app.token("orders@demo.test").await;
    let dealer = app.token("dealer@demo.test").await;
    let order = app
        .count("SELECT id AS n FROM orders WHERE dealer_order_number = 'VK-EDI-0145'")
        .await;
    let confirmed = app
        .post(
            &format!("/api/v1/orders/{order}/confirm"),
            &desk,
            json!({ "lines": [{ "line_number": 1, "confirmed_quantity": 120, "reason": "Half now, half next week" }] }),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    assert_eq!(edi::dispatch::dispatch(&app.db, &app.clock).await.unwrap(), 1);
    let waiting = outbox(&app, &dealer).await;
    let ordrsp = waiting
        .iter()
        .find(|i| i["message_types"] == json!(["ORDRSP"]))
        .unwrap();
    let answered = app
        .count(&format!(
            "SELECT answer_interchange_id AS n FROM edi_messages WHERE order_id = {order} AND message_type = 'ORDERS'"
        ))
        .await;
    assert_eq!(json!(answered), ordrsp["id"], "the ORDERS is answered by the ORDRSP");
    let text = content(&app, &dealer, &ordrsp["id"]).await;
    assert!(
        text.contains("BGM+231+") && text.contains("+4'"),
        "changed, so accepted with amendment: {text}"
    );
    assert!(text.contains("RFF+ON:VK-EDI-0145'"), "{text}");
    assert!(text.contains("QTY+21:240'") && text.contains("QTY+113:120'"), "{text}");

    let sales_order = app
        .count(&format!(
            "SELECT MIN(id) AS n FROM sales_orders WHERE order_id = {order}"
        ))
        .await;
    let lines: Vec<Value> = app
        .db
        .fetch_all(&Query::new(format!(
            "SELECT line_number, confirmed_quantity FROM order_lines WHERE sales_order_id = {sales_order} ORDER BY line_number"
        )))
        .await
        .unwrap()
        .iter()
        .map(|row| {
            json!({ "line_number": row.get::<i64>("line_number").unwrap(),
                    "quantity": row.get::<i64>("confirmed_quantity").unwrap() })
        })
        .collect();
    let warehouse = app.token("warehouse@demo.test").await;
    let shipped = app
        .post(
            &format!("/api/v1/sales-orders/{sales_order}/shipments"),
            &warehouse,
            json!({ "packages": ["146012345000000019"], "lines": lines }),
        )
        .await;
    assert_eq!(shipped.status, 201, "{}", shipped.text());
    assert_eq!(edi::dispatch::dispatch(&app.db, &app.clock).await.unwrap(), 1);
    let waiting = outbox(&app, &dealer).await;
    let desadv = waiting
        .iter()
        .find(|i| i["message_types"] == json!(["DESADV"]))
        .unwrap();
    let text = content(&app, &dealer, &desadv["id"]).await;
    assert!(text.contains("GIN+BJ+146012345000000019'"), "{text}");
    assert!(text.contains("RFF+ON:VK-EDI-0145"), "{text}");

    assert_eq!(
        edi::dispatch::dispatch(&app.db, &app.clock).await.unwrap(),
        0,
        "each decision and shipment is answered once"
    );
    let timeline = app
        .get(&format!("/api/v1/edi/interchanges?order_id={order}"), &desk)
        .await
        .json();
    assert_eq!(
        timeline["total"], 3,
        "the ORDERS, the ORDRSP and the DESADV: {timeline}"
    );
}

/// A partner's side of the exchange, through one channel.
struct Channel {
    folder: Option<std::path::PathBuf>,
    token: String,
}

impl Channel {
    async fn send(&self, app: &TestApp, name: &str, interchange: &str) {
        match &self.folder {
            None => assert_eq!(post(app, &self.token, interchange).await.status, 200),
            Some(folder) => {
                let path = folder.join("in").join(name);
                std::fs::write(&path, interchange).unwrap();
                settled(&path);
                edi::folders::exchange(&app.db, &app.clock).await.unwrap();
                assert!(folder.join("processed").join(name).exists(), "{name} was not taken");
            }
        }
    }

    /// Our interchanges waiting for the partner, fetched and acknowledged.
    async fn fetch(&self, app: &TestApp) -> Vec<String> {
        edi::dispatch::dispatch(&app.db, &app.clock).await.unwrap();
        match &self.folder {
            None => {
                let mut fetched = Vec::new();
                for waiting in outbox(app, &self.token).await {
                    fetched.push(content(app, &self.token, &waiting["id"]).await);
                    let path = format!("/api/v1/edi/interchanges/{}/delivered", waiting["id"]);
                    assert_eq!(app.post(&path, &self.token, json!({})).await.status, 204);
                }
                fetched
            }
            Some(folder) => {
                edi::folders::exchange(&app.db, &app.clock).await.unwrap();
                let out = folder.join("out");
                let mut names: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).collect();
                names.sort();
                let fetched = names.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
                for name in names {
                    std::fs::remove_file(name).unwrap();
                }
                fetched
            }
        }
    }
}

fn one_of<'a>(fetched: &'a [String], message_type: &str) -> &'a str {
    fetched
        .iter()
        .find(|i| i.contains(&format!("UNH+1+{message_type}:")))
        .unwrap_or_else(|| panic!("no {message_type} among {fetched:?}"))
}

/// PRICAT out, ORDERS in, ORDRSP out, DESADV out, RECADV in: the whole exchange of one order.
async fn full_exchange(folder: Option<std::path::PathBuf>) {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let (sender, warehouse) = vektor(&app).await;
    let vektor_id = app.count("SELECT id AS n FROM dealers WHERE code = 'VEKTOR'").await;
    let partner = app.count("SELECT id AS n FROM edi_partners").await;
    let channel = Channel {
        folder: folder.clone(),
        token: app.token("dealer@demo.test").await,
    };
    if let Some(folder) = &folder {
        let _ = std::fs::remove_dir_all(folder);
        std::fs::create_dir_all(folder.join("in")).unwrap();
    }
    let profile = json!({"dealer_id": vektor_id, "interchange_id": sender, "directory": "D96A", "syntax": "UNOC",
        "syntax_version": 3, "channel": if folder.is_some() { "directory" } else { "api" },
        "directory_path": folder.as_ref().map(|f| f.to_string_lossy().into_owned()),
        "messages_in": ["ORDERS", "RECADV", "CONTRL"], "messages_out": ["PRICAT", "ORDRSP", "DESADV", "CONTRL", "APERAK"]});
    assert_eq!(
        app.put(&format!("/api/v1/edi/partners/{partner}"), &admin, profile)
            .await
            .status,
        200
    );
    channel.fetch(&app).await; // what the demo left waiting

    let water = gtin(&app, "BS-0001").await;
    let sent = app
        .post(&format!("/api/v1/edi/partners/{partner}/pricat"), &admin, json!({}))
        .await;
    assert_eq!(sent.status, 201, "{}", sent.text());
    let fetched = channel.fetch(&app).await;
    let pricat = one_of(&fetched, "PRICAT");
    assert!(
        pricat.contains(&format!("LIN+1+1+{water}:EN'")) || pricat.contains(&format!("{water}:EN")),
        "{pricat}"
    );
    assert!(pricat.contains("PRI+AAA:"), "{pricat}");

    channel
        .send(
            &app,
            "orders.edi",
            &orders(&sender, "X1", "EDI-X1", &warehouse, &[(&water, 48)]),
        )
        .await;
    let order = app
        .count("SELECT id AS n FROM orders WHERE dealer_order_number = 'EDI-X1'")
        .await;
    assert!(one_of(&channel.fetch(&app).await, "CONTRL").contains("UCI+X1+"));

    let confirmed = app
        .post(&format!("/api/v1/orders/{order}/confirm"), &desk, json!({}))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    let fetched = channel.fetch(&app).await;
    assert!(one_of(&fetched, "ORDRSP").contains("BGM+231+"), "{fetched:?}");

    let sales_order = app
        .count(&format!(
            "SELECT MIN(id) AS n FROM sales_orders WHERE order_id = {order}"
        ))
        .await;
    let lines: Vec<(i64, i64, String)> = app
        .db
        .fetch_all(&Query::new(format!(
            "SELECT l.line_number, l.confirmed_quantity, p.gtin FROM order_lines l JOIN products p ON p.id = l.product_id
             WHERE l.sales_order_id = {sales_order} ORDER BY l.line_number"
        )))
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("line_number").unwrap(), r.get("confirmed_quantity").unwrap(), r.get("gtin").unwrap()))
        .collect();
    let warehouse_token = app.token("warehouse@demo.test").await;
    let shipped = app
        .post(
            &format!("/api/v1/sales-orders/{sales_order}/shipments"),
            &warehouse_token,
            json!({ "packages": ["146012345000000019"],
                    "lines": lines.iter().map(|(n, q, _)| json!({"line_number": n, "quantity": q})).collect::<Vec<_>>() }),
        )
        .await;
    assert_eq!(shipped.status, 201, "{}", shipped.text());
    let desadv = channel.fetch(&app).await;
    let desadv = one_of(&desadv, "DESADV").to_owned();
    let note = desadv
        .split('\'')
        .find_map(|segment| segment.trim().strip_prefix("BGM+351+"))
        .and_then(|rest| rest.split('+').next())
        .unwrap()
        .to_owned();

    let mut recadv = vec![
        "UNH+1+RECADV:D:96A:UN:EAN003'".to_owned(),
        "BGM+632+REC-X1+9'".to_owned(),
        "DTM+137:20261124:102'".to_owned(),
        format!("RFF+AAK:{note}'"),
    ];
    for (index, (_, quantity, gtin)) in lines.iter().enumerate() {
        recadv.push(format!("LIN+{}++{gtin}:SRV'", index + 1));
        recadv.push(format!("QTY+12:{quantity}'"));
        recadv.push(format!("QTY+48:{quantity}'"));
        recadv.push(format!("QTY+194:{quantity}'"));
    }
    recadv.push(format!("UNT+{}+1'", recadv.len() + 1));
    let recadv = format!(
        "UNB+UNOC:3+{sender}:14+{OURS}:14+261124:1300+X2++RECADV'{}UNZ+1+X2'",
        recadv.join("")
    );
    channel.send(&app, "recadv.edi", &recadv).await;
    let state = app.get(&format!("/api/v1/orders/{order}"), &desk).await.json()["state"].clone();
    assert_eq!(state, "received", "the goods arrived as shipped");
    let archive = app
        .get(&format!("/api/v1/edi/interchanges?order_id={order}"), &desk)
        .await
        .json();
    let kinds: Vec<String> = archive["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["message_types"][0].as_str().unwrap().to_owned())
        .collect();
    for kind in ["ORDERS", "ORDRSP", "DESADV", "RECADV"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing from {kinds:?}");
    }
    if let Some(folder) = folder {
        let _ = std::fs::remove_dir_all(folder);
    }
}

#[tokio::test]
async fn a_whole_exchange_runs_through_the_api_channel() {
    full_exchange(None).await;
}

#[tokio::test]
async fn a_whole_exchange_runs_through_the_folder_channel() {
    let folder = std::env::temp_dir().join(format!("dealerport-edi-exchange-{}", std::process::id()));
    full_exchange(Some(folder)).await;
}

#[tokio::test]
async fn a_buyers_own_article_numbers_and_location_codes_map_through_its_cross_references() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let dealer = app.token("dealer@demo.test").await;
    let partner = app.count("SELECT id AS n FROM edi_partners").await;
    let location = text(
        &app,
        "SELECT l.code AS t FROM delivery_locations l JOIN dealers d ON d.id = l.dealer_id
         WHERE d.code = 'VEKTOR' AND l.is_primary = TRUE",
    )
    .await;
    let path = format!("/api/v1/edi/partners/{partner}/cross-references");
    let wrong = app
        .put(
            &path,
            &admin,
            json!([{"kind": "article", "partner_code": "VK-ART-17", "sku": "BS-0001"},
                   {"kind": "article", "partner_code": "VK-ART-99", "sku": "NO-SUCH"}]),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.error_fields(), vec!["rows[1].sku"]);
    assert_eq!(app.get(&path, &admin).await.json(), json!([]), "nothing is saved");
    let saved = app
        .put(
            &path,
            &admin,
            json!([{"kind": "article", "partner_code": "VK-ART-17", "sku": "BS-0001"},
                   {"kind": "location", "partner_code": "SKLAD-1", "location_code": location}]),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(saved.json().as_array().unwrap().len(), 2);

    let (sender, _) = vektor(&app).await;
    let interchange = format!(
        "UNB+UNOC:3+{sender}:14+{OURS}:14+261124:1400+T7001++ORDERS'UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220+EDI-7001+9'\
         DTM+2:20261201:102'NAD+BY+{sender}::9'NAD+DP+SKLAD-1::92'LIN+1'PIA+5+VK-ART-17:IN'QTY+21:48'UNS+S'UNT+10+1'UNZ+1+T7001'"
    );
    let receipt = post(&app, &dealer, &interchange).await.json();
    assert_eq!(receipt["messages"][0]["status"], "applied", "{receipt}");
    let order = app
        .get(
            &format!("/api/v1/orders/{}", receipt["messages"][0]["order_id"]),
            &dealer,
        )
        .await
        .json();
    assert_eq!(order["lines"][0]["sku"], "BS-0001");
    assert_eq!(order["delivery_location_code"], json!(location));

    // The same table as a spreadsheet; a problem names its row.
    let headers = ["kind", "partner_code", "sku", "location_code"];
    let row = |values: [&str; 4]| {
        values
            .iter()
            .map(|v| xlsx::Cell::Text((*v).to_owned()))
            .collect::<Vec<_>>()
    };
    let file = xlsx::write_table(
        "cross references",
        &headers,
        &[
            row(["article", "VK-ART-17", "BS-0001", ""]),
            row(["location", "SKLAD-9", "", "NOWHERE"]),
        ],
    )
    .unwrap();
    let imported = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri(format!("{path}/import"))
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .body(Body::from(file))
                .unwrap(),
        )
        .await;
    assert_eq!(imported.status, 422, "{}", imported.text());
    let problem = imported.json();
    assert_eq!(problem["errors"][0]["field"], "rows[1].location_code");
    assert_eq!(problem["errors"][0]["params"]["row"], "3");
}

#[tokio::test]
async fn a_return_announcement_becomes_a_return_request_for_the_goods_of_that_delivery() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let (sender, _) = vektor(&app).await;
    // The demo's juice arrived with two broken bottles.
    let note = text(
        &app,
        "SELECT s.number AS t FROM shipments s JOIN receipts r ON r.shipment_id = s.id WHERE r.discrepancy <> 'none'",
    )
    .await;
    let juice = gtin(&app, "BS-0006").await;
    let still = gtin(&app, "BS-0003").await;
    let retann = |reference: &str, gtin: &str| {
        format!(
            "UNB+UNOC:3+{sender}:14+{OURS}:14+261124:1500+{reference}++RETANN'UNH+1+RETANN:D:01B:UN:EAN003'\
             BGM+Y04+RET-{reference}+9'RFF+AAK:{note}'FTX+AAI+++Broken in transit'LIN+1++{gtin}:SRV'QTY+61:2'QVR++AF'\
             UNT+8+1'UNZ+1+{reference}'"
        )
    };
    let receipt = post(&app, &dealer, &retann("T8001", &juice)).await.json();
    assert_eq!(receipt["messages"][0]["status"], "applied", "{receipt}");
    let returns = app.get("/api/v1/returns", &dealer).await.json();
    let asked = &returns["items"][0];
    assert_eq!(asked["note"], "Broken in transit", "{returns}");
    assert_eq!(asked["lines"][0]["quantity"], 2);
    assert_eq!(asked["lines"][0]["reason"], "damaged");

    let refused = post(&app, &dealer, &retann("T8002", &still)).await.json();
    assert_eq!(refused["messages"][0]["status"], "rejected");
    assert_eq!(
        refused["messages"][0]["errors"][0]["code"], "unknown_product",
        "{refused}"
    );
    assert_eq!(app.get("/api/v1/returns", &dealer).await.json()["total"], 1);
}

#[tokio::test]
async fn a_dealers_stock_report_is_kept_line_by_line_and_a_resent_one_replaces_it() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let (sender, _) = vektor(&app).await;
    let water = gtin(&app, "BS-0001").await;
    let invrpt = |reference: &str, quantity: i64| {
        format!(
            "UNB+UNOC:3+{sender}:14+{OURS}:14+261130:2300+{reference}++INVRPT'UNH+1+INVRPT:D:96A:UN:EAN008'\
             BGM+35+INV-2611-30+9'DTM+366:20261130:102'LOC+162+SKLAD-1::92'LIN+1++{water}:SRV'QTY+145:{quantity}'\
             LIN+2++{UNKNOWN_GTIN}:SRV'QTY+145:12'UNT+9+1'UNZ+1+{reference}'"
        )
    };
    let receipt = post(&app, &dealer, &invrpt("T9001", 240)).await.json();
    assert_eq!(receipt["messages"][0]["status"], "applied", "{receipt}");
    let lines = "SELECT COUNT(*) AS n FROM channel_report_lines";
    assert_eq!(app.count(lines).await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM channel_report_lines WHERE product_id IS NOT NULL")
            .await,
        1,
        "another brand's product is kept unmatched"
    );
    post(&app, &dealer, &invrpt("T9002", 200)).await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM channel_reports").await, 1);
    assert_eq!(
        app.count("SELECT quantity AS n FROM channel_report_lines WHERE product_id IS NOT NULL")
            .await,
        200,
        "the report sent again under its number replaces the first"
    );
}

#[tokio::test]
async fn a_document_that_cannot_be_written_yet_waits_for_the_next_run_without_stopping_the_job() {
    let app = TestApp::with_demo().await;
    let desk = app.token("orders@demo.test").await;
    let order = app
        .count("SELECT id AS n FROM orders WHERE dealer_order_number = 'VK-EDI-0145'")
        .await;
    app.db
        .execute(&Query::new("UPDATE tenants SET gln = NULL"))
        .await
        .unwrap();
    let confirmed = app
        .post(&format!("/api/v1/orders/{order}/confirm"), &desk, json!({}))
        .await;
    assert_eq!(confirmed.status, 200);
    assert_eq!(
        edi::dispatch::dispatch(&app.db, &app.clock).await.unwrap(),
        0,
        "without our GLN no ORDRSP can be written"
    );
    let admin = app.token("admin@demo.test").await;
    let problem = partner_problem(&app, &admin).await;
    assert_eq!(problem["stage"], "documents", "the partners list says why: {problem}");
    app.db
        .execute(&Query::new(format!("UPDATE tenants SET gln = '{OURS}'")))
        .await
        .unwrap();
    assert_eq!(
        edi::dispatch::dispatch(&app.db, &app.clock).await.unwrap(),
        1,
        "the decision is answered once the GLN is set"
    );
    assert_eq!(partner_problem(&app, &admin).await, Value::Null);
}

//! ORDCHG in: a dealer's system cancels an order not yet confirmed, or asks for changes of a
//! confirmed one, which become a change request for the order desk exactly as if asked for on
//! the order page. Whatever cannot be done is answered with an APERAK and changes nothing.

use serde_json::{json, Value};
use testkit::TestApp;

use crate::edi::{content, gtin, post, vektor, OURS, UNKNOWN_GTIN};
use crate::{id_of, reserved};

/// Vektor's order that arrived by EDI in the demo: 240 bottles of still water (BS-0001) and 96
/// of sparkling (BS-0004), submitted and not yet confirmed.
const EDI_ORDER: &str = "VK-EDI-0145";

/// An ORDCHG interchange from `sender` in `directory` (such as "D:96A:UN:EAN008"), asking for
/// a CONTRL: BGM `function` 1 cancels the order named in RFF+ON, 4 changes it by `body`.
fn ordchg(sender: &str, reference: &str, directory: &str, function: &str, order: &str, body: &[String]) -> String {
    let mut segments = vec![
        format!("UNH+1+ORDCHG:{directory}'"),
        format!("BGM+230+CH-{reference}+{function}'"),
        "DTM+137:20261124:102'".to_owned(),
        format!("RFF+ON:{order}'"),
        format!("NAD+BY+{sender}::9'"),
    ];
    segments.extend(body.iter().map(|segment| format!("{segment}'")));
    segments.push(format!("UNT+{}+1'", segments.len() + 1));
    format!(
        "UNA:+.? '\nUNB+UNOC:3+{sender}:14+{OURS}:14+261124:1200+{reference}++ORDCHG++1'\n{}\nUNZ+1+{reference}'\n",
        segments.join("\n")
    )
}

/// A changed line: LIN with action 3 and the new quantity.
fn changed(number: usize, gtin: &str, quantity: i64) -> [String; 2] {
    [format!("LIN+{number}+3+{gtin}:SRV"), format!("QTY+21:{quantity}")]
}

async fn order_json(app: &TestApp, token: &str, order: i64) -> Value {
    app.get(&format!("/api/v1/orders/{order}"), token).await.json()
}

async fn confirm(app: &TestApp, order: i64) {
    let desk = app.token("orders@demo.test").await;
    let confirmed = app
        .post(&format!("/api/v1/orders/{order}/confirm"), &desk, json!({}))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
}

/// The only message of a receipt, which must have been rejected and answered with an APERAK:
/// the APERAK's text, and the problems as the archive keeps them (the APERAK's FTX splits them
/// into components).
async fn rejected_with_aperak(app: &TestApp, token: &str, receipt: &Value) -> (String, String) {
    let message = &receipt["messages"][0];
    assert_eq!(receipt["status"], "accepted", "the syntax is fine: {receipt}");
    assert_eq!(message["status"], "rejected", "{receipt}");
    let aperak = content(app, token, &message["answer_interchange_id"]).await;
    assert!(aperak.contains("UNH+1+APERAK:"), "{aperak}");
    let problems = message["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    (aperak, problems)
}

async fn change_requests(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM change_requests").await
}

#[tokio::test]
async fn a_change_of_a_confirmed_order_becomes_a_change_request_the_order_desk_decides() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let (sender, _) = vektor(&app).await;
    let (still, sparkling) = (gtin(&app, "BS-0001").await, gtin(&app, "BS-0004").await);
    let order = id_of(&app, "orders", "dealer_order_number", EDI_ORDER).await;
    confirm(&app, order).await;
    let before = order_json(&app, &dealer, order).await;

    let mut body = vec!["FTX+AAI+++Less room in the warehouse this week".to_owned()];
    body.extend(changed(1, &still, 120));
    body.extend(changed(2, &sparkling, 96));
    body.push("DTM+2:20261210:102".to_owned());
    let interchange = ordchg(&sender, "T9101", "D:96A:UN:EAN008", "4", EDI_ORDER, &body);
    let receipt = post(&app, &dealer, &interchange).await.json();
    let message = &receipt["messages"][0];
    assert_eq!(message["message_type"], "ORDCHG");
    assert_eq!(message["status"], "applied", "{receipt}");
    assert_eq!(message["order_id"], order, "the message is on the order's timeline");
    assert!(
        message["notes"][0].as_str().unwrap().contains("change request"),
        "{message}"
    );
    assert!(
        content(&app, &dealer, &receipt["contrl_interchange_id"])
            .await
            .contains("UCI+T9101+"),
        "the interchange is acknowledged with a CONTRL"
    );
    assert_eq!(
        order_json(&app, &dealer, order).await["lines"],
        before["lines"],
        "nothing changes before the order desk decides"
    );

    let history = app
        .get(&format!("/api/v1/orders/{order}/change-requests"), &desk)
        .await
        .json();
    let request = &history[0];
    assert_eq!(request["state"], "open");
    assert_eq!(request["raised_by_side"], "dealer");
    assert_eq!(request["reason"], "Less room in the warehouse this week");
    let asked: Vec<(Value, Value)> = request["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["new_quantity"].clone(), l["new_delivery_on"].clone()))
        .collect();
    assert_eq!(
        asked,
        vec![(json!(120), Value::Null), (json!(96), json!("2026-12-10"))],
        "{request}"
    );

    let decided = app
        .post(
            &format!("/api/v1/change-requests/{}/decision", request["id"]),
            &desk,
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(decided.json()["state"], "approved", "{}", decided.text());
    let after = order_json(&app, &dealer, order).await;
    let line = |sku: &str| {
        after["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["sku"] == sku && l["kind"] == "regular")
            .unwrap()
            .clone()
    };
    assert_eq!(line("BS-0001")["quantity"], 120);
    assert_eq!(line("BS-0004")["delivery_on"], "2026-12-10");

    let again = post(&app, &dealer, &interchange).await.json();
    assert_eq!(again["status"], "duplicate");
    assert_eq!(change_requests(&app).await, 1, "the same interchange twice asks once");
}

#[tokio::test]
async fn an_order_not_yet_confirmed_is_cancelled_and_not_changed() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let (sender, _) = vektor(&app).await;
    let still = gtin(&app, "BS-0001").await;
    let order = id_of(&app, "orders", "dealer_order_number", EDI_ORDER).await;

    let change = ordchg(
        &sender,
        "T9201",
        "D:96A:UN:EAN008",
        "4",
        EDI_ORDER,
        &changed(1, &still, 120),
    );
    let receipt = post(&app, &dealer, &change).await.json();
    let (_, problems) = rejected_with_aperak(&app, &dealer, &receipt).await;
    assert!(
        problems.contains("changes are asked for once the order desk has confirmed it"),
        "{problems}"
    );
    assert_eq!(change_requests(&app).await, 0);

    let held = reserved(&app, "BS-0001").await;
    let water_ordered: i64 = order_json(&app, &dealer, order).await["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["sku"] == "BS-0001")
        .map(|l| l["quantity"].as_i64().unwrap())
        .sum();
    let cancellation = ordchg(&sender, "T9202", "D:01B:UN:EAN010", "1", EDI_ORDER, &[]);
    let receipt = post(&app, &dealer, &cancellation).await.json();
    assert_eq!(receipt["messages"][0]["status"], "applied", "{receipt}");
    assert_eq!(order_json(&app, &dealer, order).await["state"], "cancelled");
    assert_eq!(
        reserved(&app, "BS-0001").await,
        held - water_ordered,
        "the cancelled order's stock is released, free goods too"
    );
    let archive = app
        .get(
            &format!("/api/v1/edi/interchanges?order_id={order}&message_type=ORDCHG"),
            &app.token("orders@demo.test").await,
        )
        .await
        .json();
    assert_eq!(
        archive["total"], 2,
        "both messages are in the order's archive, the refused one too"
    );
}

#[tokio::test]
async fn a_confirmed_order_cannot_be_cancelled_by_ordchg() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let (sender, _) = vektor(&app).await;
    let order = id_of(&app, "orders", "dealer_order_number", EDI_ORDER).await;
    confirm(&app, order).await;

    let cancellation = ordchg(&sender, "T9301", "D:96A:UN:EAN008", "1", EDI_ORDER, &[]);
    let receipt = post(&app, &dealer, &cancellation).await.json();
    let (aperak, problems) = rejected_with_aperak(&app, &dealer, &receipt).await;
    assert!(aperak.contains("RFF+ON:VK-EDI-0145'"), "{aperak}");
    assert!(
        problems.contains("order VK-EDI-0145 is confirmed and can no longer be cancelled"),
        "{problems}"
    );
    assert_eq!(order_json(&app, &dealer, order).await["state"], "confirmed");
}

#[tokio::test]
async fn an_unknown_order_or_another_dealers_order_is_answered_with_an_aperak() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let (sender, _) = vektor(&app).await;
    let before = app
        .count("SELECT COUNT(*) AS n FROM orders WHERE state = 'cancelled'")
        .await;
    for (reference, number) in [("T9401", "VK-NO-SUCH"), ("T9402", "QQ-2611-07")] {
        let cancellation = ordchg(&sender, reference, "D:96A:UN:EAN008", "1", number, &[]);
        let receipt = post(&app, &dealer, &cancellation).await.json();
        let (aperak, problems) = rejected_with_aperak(&app, &dealer, &receipt).await;
        assert!(aperak.contains("ERC+12::91'"), "{aperak}");
        assert!(
            problems.contains(&format!("no order {number} was placed by this partner")),
            "{problems}"
        );
        assert_eq!(receipt["messages"][0]["order_id"], Value::Null);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM orders WHERE state = 'cancelled'")
            .await,
        before,
        "Qingquan's order is not Vektor's to cancel"
    );
}

#[tokio::test]
async fn a_change_with_one_bad_line_changes_nothing_and_names_the_line() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let (sender, _) = vektor(&app).await;
    let still = gtin(&app, "BS-0001").await;
    let order = id_of(&app, "orders", "dealer_order_number", EDI_ORDER).await;
    confirm(&app, order).await;

    let mut body = changed(1, &still, 120).to_vec();
    body.extend(changed(2, UNKNOWN_GTIN, 12));
    let receipt = post(
        &app,
        &dealer,
        &ordchg(&sender, "T9501", "D:96A:UN:EAN008", "4", EDI_ORDER, &body),
    )
    .await
    .json();
    let (aperak, problems) = rejected_with_aperak(&app, &dealer, &receipt).await;
    assert!(aperak.contains("ERC+51::91'"), "{aperak}");
    assert!(
        problems.contains(&format!("line 2: the product is not in order {EDI_ORDER}")),
        "{problems}"
    );

    let mut added = changed(1, &still, 120).to_vec();
    added.push(format!("LIN+2+1+{still}:SRV"));
    added.push("QTY+21:12".to_owned());
    let receipt = post(
        &app,
        &dealer,
        &ordchg(&sender, "T9502", "D:96A:UN:EAN008", "4", EDI_ORDER, &added),
    )
    .await
    .json();
    let (_, problems) = rejected_with_aperak(&app, &dealer, &receipt).await;
    assert!(problems.contains("line 2: a line cannot be added"), "{problems}");
    assert_eq!(change_requests(&app).await, 0, "nothing of either message was asked");
}

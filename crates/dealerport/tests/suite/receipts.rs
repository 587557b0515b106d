//! Receiving: the dealer says what arrived of each shipment; a line that differs names its reason
//! and the receipt becomes a discrepancy the order desk settles; once every shipment of a fully
//! shipped order has arrived and every difference is settled, the order is received.

use serde_json::{json, Value};
use testkit::TestApp;

use crate::{assert_ledger_holds, id_of};

const LAST_PALLET: &str = "146012345000000026";

async fn order(app: &TestApp, token: &str, id: i64) -> Value {
    app.get(&format!("/api/v1/orders/{id}"), token).await.json()
}

/// Ships the twelve bottles of juice the demo left behind; returns the new shipment's id.
async fn ship_the_rest(app: &TestApp, order_id: i64) -> i64 {
    let warehouse = app.token("warehouse@demo.test").await;
    let detail = order(app, &warehouse, order_id).await;
    let juice = detail["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == "BS-0006")
        .unwrap();
    let shipped = app
        .post(
            &format!("/api/v1/sales-orders/{}/shipments", juice["sales_order_id"]),
            &warehouse,
            json!({
                "packages": [LAST_PALLET],
                "lines": [{ "line_number": juice["line_number"], "quantity": 12, "batch": "L2611-21", "expiry_on": "2027-05-01" }],
            }),
        )
        .await;
    assert_eq!(shipped.status, 201, "{}", shipped.text());
    shipped.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_receipt_that_differs_waits_for_the_order_desk_whose_settlement_makes_the_order_received() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let order_id = id_of(&app, "orders", "dealer_order_number", "VK-2026-0144").await;

    let open = app.get("/api/v1/receipts?discrepancy=open", &desk).await.json();
    assert_eq!(open["total"], 1, "the demo's broken juice waits to be settled");
    let demo_receipt = &open["items"][0];
    let juice = demo_receipt["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == "BS-0006")
        .unwrap();
    assert_eq!(
        (juice["received_quantity"].as_i64(), juice["rejected_quantity"].as_i64()),
        (Some(24), Some(2))
    );
    assert_eq!(juice["reason"], "damaged");
    assert_eq!(order(&app, &dealer, order_id).await["state"], "partially_shipped");

    let shipment = ship_the_rest(&app, order_id).await;
    assert_eq!(order(&app, &dealer, order_id).await["state"], "shipped");
    let received = app
        .post(&format!("/api/v1/shipments/{shipment}/receipt"), &dealer, json!({}))
        .await;
    assert_eq!(received.status, 201, "{}", received.text());
    let after = order(&app, &dealer, order_id).await;
    assert_eq!(
        after["state"], "shipped",
        "every shipment has arrived, but the broken juice waits to be settled"
    );
    let open = app.get("/api/v1/receipts?discrepancy=open", &desk).await.json();
    assert_eq!(open["total"], 1, "a receipt as shipped leaves nothing to settle");
    assert_eq!(
        app.count(&format!(
            "SELECT CAST(SUM(received_quantity) AS BIGINT) AS n FROM order_lines WHERE order_id = {order_id} AND product_id = (SELECT id FROM products WHERE sku = 'BS-0006')"
        ))
        .await,
        34,
        "the order's lines know what was taken in: 36 arrived, 2 were rejected"
    );

    let receipt = demo_receipt["id"].as_i64().unwrap();
    let unexplained = app
        .post(
            &format!("/api/v1/receipts/{receipt}/settlement"),
            &desk,
            json!({ "note": " " }),
        )
        .await;
    assert_eq!(unexplained.status, 422);
    let settled = app
        .post(
            &format!("/api/v1/receipts/{receipt}/settlement"),
            &desk,
            json!({ "note": "Credit note for two bottles" }),
        )
        .await;
    assert_eq!(settled.status, 204, "{}", settled.text());
    assert_eq!(order(&app, &dealer, order_id).await["state"], "received");
    let again = app
        .post(
            &format!("/api/v1/receipts/{receipt}/settlement"),
            &desk,
            json!({ "note": "Twice" }),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(
        app.get("/api/v1/receipts?discrepancy=open", &desk).await.json()["total"],
        0
    );
    let kinds: Vec<String> = order(&app, &dealer, order_id).await["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        kinds.ends_with(&[
            "receipt".to_owned(),
            "discrepancy_settled".to_owned(),
            "receive".to_owned()
        ]),
        "{kinds:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'receipt' AND action = 'settle'")
            .await,
        1
    );
    assert_ledger_holds(&app).await;
}

#[tokio::test]
async fn receiving_more_than_shipped_unmarked_twice_or_anothers_shipment_is_refused_and_changes_nothing() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let order_id = id_of(&app, "orders", "dealer_order_number", "VK-2026-0144").await;
    let shipment = ship_the_rest(&app, order_id).await;
    let path = format!("/api/v1/shipments/{shipment}/receipt");
    let line = app
        .count(&format!(
            "SELECT order_line_number AS n FROM shipment_lines WHERE shipment_id = {shipment}"
        ))
        .await;
    let receipts = "SELECT COUNT(*) AS n FROM receipts";
    let before = app.count(receipts).await;

    let surplus = app
        .post(
            &path,
            &dealer,
            json!({ "lines": [{ "line_number": line, "received_quantity": 14, "accepted_quantity": 14, "reason": "damaged" }] }),
        )
        .await;
    assert_eq!(surplus.status, 422);
    assert_eq!(surplus.error_codes(), vec!["receipt.surplus_unmarked"]);
    let unknown = app
        .post(
            &path,
            &dealer,
            json!({ "lines": [{ "line_number": line, "received_quantity": 10, "accepted_quantity": 10, "reason": "lost" }] }),
        )
        .await;
    assert_eq!(unknown.error_codes(), vec!["receipt.reason_unknown"]);
    let not_shipped = app
        .post(
            &path,
            &dealer,
            json!({ "lines": [{ "line_number": 99, "received_quantity": 1, "accepted_quantity": 1, "reason": "surplus" }] }),
        )
        .await;
    assert_eq!(not_shipped.error_codes(), vec!["receipt.line_not_shipped"]);

    let china = app.token("dealer2@demo.test").await;
    assert_eq!(
        app.post(&path, &china, json!({})).await.status,
        404,
        "not Qingquan's shipment"
    );
    let warehouse = app.token("warehouse@demo.test").await;
    assert_eq!(
        app.post(&path, &warehouse, json!({})).await.status,
        403,
        "the dealer receives, not the manufacturer"
    );
    assert_eq!(app.count(receipts).await, before, "nothing was recorded");

    let surplus = app
        .post(
            &path,
            &dealer,
            json!({ "lines": [{ "line_number": line, "received_quantity": 14, "accepted_quantity": 14, "reason": "surplus" }] }),
        )
        .await;
    assert_eq!(surplus.status, 201, "a marked surplus is taken: {}", surplus.text());
    let twice = app.post(&path, &dealer, json!({})).await;
    assert_eq!(twice.status, 409);
    assert_eq!(twice.json()["code"], "receipt.already_received");
    assert_ledger_holds(&app).await;
}

#[tokio::test]
async fn the_dealer_receives_on_the_order_page_and_the_desk_settles_from_its_list() {
    let app = TestApp::with_demo().await;
    let order_id = id_of(&app, "orders", "dealer_order_number", "VK-2026-0144").await;
    let shipment = ship_the_rest(&app, order_id).await;
    let line = app
        .count(&format!(
            "SELECT order_line_number AS n FROM shipment_lines WHERE shipment_id = {shipment}"
        ))
        .await;
    let dealer = app.browser_session("dealer@demo.test").await;
    let page = app.page(&dealer, &format!("/orders/{order_id}")).await.text();
    let received = format!("receive_{shipment}_received_{line}");
    assert!(
        page.contains(&format!("name=\"{received}\"")),
        "a form for the shipment not yet received"
    );
    let action = format!("/shipments/{shipment}/receipt");
    let order = order_id.to_string();
    let rejected = format!("receive_{shipment}_rejected_{line}");
    let note = format!("receive_{shipment}_note");
    let unexplained = app
        .submit(
            &dealer,
            &action,
            &[
                ("order_id", order.as_str()),
                (received.as_str(), "12"),
                (rejected.as_str(), "1"),
                (note.as_str(), "One bottle leaked"),
            ],
        )
        .await;
    assert_eq!(unexplained.status, 200);
    let refused = unexplained.text();
    assert!(refused.contains("Give the reason for the difference."));
    assert!(
        refused.contains(&format!(
            "name=\"{rejected}\" inputmode=\"numeric\" size=\"6\" value=\"1\""
        )) && refused.contains("value=\"One bottle leaked\""),
        "the form comes back as it was typed: {refused}"
    );
    let reason = format!("receive_{shipment}_reason_{line}");
    let done = app
        .submit(
            &dealer,
            &action,
            &[
                ("order_id", order.as_str()),
                (received.as_str(), "12"),
                (rejected.as_str(), "1"),
                (reason.as_str(), "expired"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.text());

    let desk = app.browser_session("orders@demo.test").await;
    let list = app.page(&desk, "/discrepancies").await.text();
    assert_eq!(
        list.matches("action=\"/receipts/").count(),
        2,
        "the demo's and this one"
    );
    let receipt = app
        .count(&format!("SELECT id AS n FROM receipts WHERE shipment_id = {shipment}"))
        .await;
    let settled = app
        .submit(
            &desk,
            &format!("/receipts/{receipt}/settlement"),
            &[
                ("order_id", order.as_str()),
                ("from_list", "1"),
                ("note", "Replacement in the next delivery"),
            ],
        )
        .await;
    assert_eq!(settled.status, 303, "{}", settled.text());
    assert_eq!(settled.headers["location"], "/discrepancies?done=settled");
}

/// What the order execution report says the dealer received of the order's juice.
async fn juice_received_in_report(app: &TestApp, token: &str) -> i64 {
    let lines = app
        .get("/api/v1/reports/order-execution?view=lines&per_page=200", token)
        .await
        .json();
    lines["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["dealer_order_number"] == "VK-2026-0144" && l["sku"] == "BS-0006")
        .unwrap()["received_quantity"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn rejected_units_are_not_received_and_keep_the_order_open_until_the_desk_settles_them() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let order_id = id_of(&app, "orders", "dealer_order_number", "VK-2026-0144").await;
    // The demo's first pallet held 24 bottles of juice, two of them broken and rejected.
    assert_eq!(
        juice_received_in_report(&app, &desk).await,
        22,
        "received is what the dealer took in, not what it rejected"
    );

    let shipment = ship_the_rest(&app, order_id).await;
    let received = app
        .post(&format!("/api/v1/shipments/{shipment}/receipt"), &dealer, json!({}))
        .await;
    assert_eq!(received.status, 201, "{}", received.text());
    assert_eq!(juice_received_in_report(&app, &desk).await, 34);
    assert_eq!(
        order(&app, &dealer, order_id).await["state"],
        "shipped",
        "two bottles are missing: the order is not received in full while that is open"
    );

    let open = app.get("/api/v1/receipts?discrepancy=open", &desk).await.json();
    let receipt = open["items"][0]["id"].as_i64().unwrap();
    let settled = app
        .post(
            &format!("/api/v1/receipts/{receipt}/settlement"),
            &desk,
            json!({ "note": "Credit note for two bottles" }),
        )
        .await;
    assert_eq!(settled.status, 204, "{}", settled.text());
    assert_eq!(
        order(&app, &dealer, order_id).await["state"],
        "received",
        "once the difference is settled nothing more is to come"
    );
    assert_eq!(
        juice_received_in_report(&app, &desk).await,
        34,
        "settling receives nothing"
    );
}

#[tokio::test]
async fn receipts_recorded_before_rejected_units_stopped_counting_are_counted_again_by_migration() {
    let app = TestApp::with_demo().await;
    let desk = app.token("orders@demo.test").await;
    let order_id = id_of(&app, "orders", "dealer_order_number", "VK-2026-0144").await;
    // As receiving recorded it before: the two broken bottles counted as received.
    let inflate = platform::Query::new(
        "UPDATE order_lines SET received_quantity = 24 WHERE order_id = $1 AND received_quantity = 22",
    )
    .bind(order_id);
    assert_eq!(app.db.execute(&inflate).await.unwrap(), 1);
    assert_eq!(juice_received_in_report(&app, &desk).await, 24);

    let migration = include_str!("../../../../migrations/0026_received_is_accepted.sql");
    app.db.execute(&platform::Query::new(migration)).await.unwrap();

    assert_eq!(juice_received_in_report(&app, &desk).await, 22);
}

//! Ordering: a dealer's cart becomes an order with every check in one transaction, the order
//! desk decides on it, and stock, credit and promotion budgets hold under concurrent orders.

use axum::body::Body;
use axum::http::{header, Method, Request};
use serde_json::{json, Value};
use testkit::TestApp;
use tower::ServiceExt;

use crate::{assert_ledger_holds, id_of, location_of, reserved};

/// A delivery date after the test clock's today (2026-11-24 in Moscow).
const DELIVERY: &str = "2026-11-30";

pub fn order_body(number: &str, location: i64, lines: &[(i64, i64)]) -> Value {
    json!({
        "dealer_order_number": number,
        "delivery_location_id": location,
        "requested_delivery_on": DELIVERY,
        "lines": lines.iter().map(|(product, quantity)| json!({ "product_id": product, "quantity": quantity })).collect::<Vec<_>>(),
    })
}

pub async fn place(app: &TestApp, token: &str, body: Value) -> Value {
    let response = app.post("/api/v1/orders", token, body).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

#[tokio::test]
async fn a_cart_becomes_an_order_that_the_order_desk_confirms() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let before = reserved(&app, "BS-0001").await;

    let below = app
        .put(
            &format!("/api/v1/cart/lines/{water}"),
            &dealer,
            json!({ "quantity": 5 }),
        )
        .await;
    assert_eq!(below.status, 422);
    assert_eq!(below.error_codes(), vec!["order.below_minimum_quantity"]);
    let odd = app
        .put(
            &format!("/api/v1/cart/lines/{water}"),
            &dealer,
            json!({ "quantity": 18 }),
        )
        .await;
    assert_eq!(odd.error_codes(), vec!["order.not_a_multiple"]);
    let put = app
        .put(
            &format!("/api/v1/cart/lines/{water}"),
            &dealer,
            json!({ "quantity": 24 }),
        )
        .await;
    assert_eq!(put.status, 204, "{}", put.text());

    let cart = app.get("/api/v1/cart", &dealer).await.json();
    assert_eq!(cart["lines"][0]["quantity"], 24);
    assert_eq!(cart["lines"][0]["problem"], Value::Null);
    assert_eq!(
        cart["priced"].as_array().unwrap().len(),
        2,
        "24 bottles earn 2 free: {cart}"
    );
    assert_eq!(cart["priced"][1]["free"], true);
    assert_eq!(cart["priced"][1]["quantity"], 2);
    assert!(cart["gross_total"].is_string());

    let location = location_of(&app, "VEKTOR").await;
    let placed = app
        .post(
            "/api/v1/cart/order",
            &dealer,
            json!({ "dealer_order_number": "T-0001", "delivery_location_id": location, "requested_delivery_on": DELIVERY }),
        )
        .await;
    assert_eq!(placed.status, 201, "{}", placed.text());
    let placed = placed.json();
    assert_eq!(placed["state"], "submitted");
    let order_id = placed["order_id"].as_i64().unwrap();
    assert!(app.get("/api/v1/cart", &dealer).await.json()["lines"]
        .as_array()
        .unwrap()
        .is_empty());

    let order = app.get(&format!("/api/v1/orders/{order_id}"), &dealer).await.json();
    let kinds: Vec<&str> = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["regular", "free"]);
    assert_eq!(order["lines"][1]["line_total"], "0.00");
    assert_eq!(order["timeline"][0]["kind"], "placed");
    assert_eq!(
        reserved(&app, "BS-0001").await,
        before + 26,
        "the free goods are reserved too"
    );

    let desk = app.token("orders@demo.test").await;
    let queue = app.get("/api/v1/order-desk", &desk).await.json();
    assert!(queue["items"].as_array().unwrap().iter().any(|o| o["id"] == order_id));
    let confirmed = app
        .post(&format!("/api/v1/orders/{order_id}/confirm"), &desk, json!({}))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    assert_eq!(confirmed.json()["state"], "confirmed");
    let order = app.get(&format!("/api/v1/orders/{order_id}"), &dealer).await.json();
    assert_eq!(order["state"], "confirmed");
    assert_eq!(order["sales_orders"].as_array().unwrap().len(), 1);
    assert_eq!(order["sales_orders"][0]["warehouse_code"], "MSK-DC");
    assert_eq!(order["timeline"][1]["kind"], "confirm");
    assert_eq!(order["timeline"][1]["user_name"], "Elena Morozova");
    assert_ledger_holds(&app).await;
}

#[tokio::test]
async fn a_partial_confirmation_needs_a_reason_per_line_and_gives_stock_back() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let juice = id_of(&app, "products", "sku", "BS-0007").await;
    let location = location_of(&app, "VEKTOR").await;
    let order = place(&app, &dealer, order_body("T-0002", location, &[(juice, 120)])).await;
    let id = order["order_id"].as_i64().unwrap();
    let before = reserved(&app, "BS-0007").await;

    let no_reason = app
        .post(
            &format!("/api/v1/orders/{id}/confirm"),
            &desk,
            json!({ "lines": [{ "line_number": 1, "confirmed_quantity": 60 }] }),
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(no_reason.error_fields(), vec!["lines[0].reason"]);
    let too_many = app
        .post(
            &format!("/api/v1/orders/{id}/confirm"),
            &desk,
            json!({ "lines": [{ "line_number": 1, "confirmed_quantity": 121, "reason": "more" }] }),
        )
        .await;
    assert_eq!(too_many.error_codes(), vec!["order.confirmed_beyond_ordered"]);

    let partial = app
        .post(
            &format!("/api/v1/orders/{id}/confirm"),
            &desk,
            json!({ "lines": [{ "line_number": 1, "confirmed_quantity": 60, "delivery_on": "2026-12-04", "reason": "Half now, half in December" }] }),
        )
        .await;
    assert_eq!(partial.json()["state"], "partially_confirmed");
    assert_eq!(reserved(&app, "BS-0007").await, before - 60);
    let seen = app.get(&format!("/api/v1/orders/{id}"), &dealer).await.json();
    assert_eq!(seen["lines"][0]["confirmed_quantity"], 60);
    assert_eq!(seen["lines"][0]["delivery_on"], "2026-12-04");
    assert_eq!(seen["lines"][0]["change_reason"], "Half now, half in December");

    let again = app
        .post(&format!("/api/v1/orders/{id}/confirm"), &desk, json!({}))
        .await;
    assert_eq!(again.status, 409, "an order is confirmed once");
    assert_eq!(again.error_codes(), Vec::<String>::new());
    assert_eq!(again.json()["code"], "order.illegal_transition");
    assert_ledger_holds(&app).await;
}

#[tokio::test]
async fn the_same_order_sent_twice_is_placed_once() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let location = location_of(&app, "VEKTOR").await;
    let body = order_body("T-0003", location, &[(water, 12)]);
    let first = place(&app, &dealer, body.clone()).await;
    let second = app.post("/api/v1/orders", &dealer, body).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.json()["order_id"], first["order_id"]);
    assert_eq!(second.json()["created"], false);

    let keyed = |token: &str, body: Value| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/orders")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", "retry-7f3a")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let third = app
        .send(keyed(&dealer, order_body("T-0004", location, &[(water, 12)])))
        .await;
    assert_eq!(third.status, 201);
    let retried = app
        .send(keyed(&dealer, order_body("T-0004-RETRY", location, &[(water, 12)])))
        .await;
    assert_eq!(retried.status, 200, "the key names the first request");
    assert_eq!(retried.json()["order_id"], third.json()["order_id"]);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM orders WHERE dealer_order_number LIKE 'T-000%'")
            .await,
        2
    );

    let chinese = app.token("dealer2@demo.test").await;
    let shanghai = location_of(&app, "SH-QINGQUAN").await;
    let theirs = app
        .send(keyed(&chinese, order_body("QQ-0004", shanghai, &[(water, 240)])))
        .await;
    assert_eq!(theirs.status, 201, "a key is the dealer's own: {}", theirs.text());
    assert_ne!(theirs.json()["order_id"], third.json()["order_id"]);
}

#[tokio::test]
async fn bad_orders_are_refused_with_the_field_named_and_change_nothing() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let chinese = app.token("dealer2@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let energy = app
        .count("SELECT p.id AS n FROM products p JOIN categories c ON c.id = p.category_id WHERE c.code = 'ENERGY'")
        .await;
    let energy_pack = app
        .count(&format!("SELECT pack_size AS n FROM products WHERE id = {energy}"))
        .await;
    let vektor = location_of(&app, "VEKTOR").await;
    let shanghai = location_of(&app, "SH-QINGQUAN").await;
    let vektor_order = id_of(&app, "orders", "dealer_order_number", "VK-2026-0143").await;
    let counts = "SELECT (SELECT COUNT(*) FROM orders) + (SELECT COUNT(*) FROM stock_movements) AS n";
    let before = app.count(counts).await;

    let cases: Vec<(&str, &String, Value, &str, &str)> = vec![
        (
            "unknown product",
            &dealer,
            order_body("B-1", vektor, &[(999_999, 12)]),
            "lines[0].product_id",
            "order.product_not_orderable",
        ),
        (
            "unpublished product",
            &chinese,
            order_body("B-2", shanghai, &[(energy, energy_pack)]),
            "lines[0].product_id",
            "order.product_not_orderable",
        ),
        (
            "zero",
            &dealer,
            order_body("B-3", vektor, &[(water, 0)]),
            "lines[0].quantity",
            "field.positive",
        ),
        (
            "negative",
            &dealer,
            order_body("B-4", vektor, &[(water, -12)]),
            "lines[0].quantity",
            "field.positive",
        ),
        (
            "not a multiple",
            &dealer,
            order_body("B-5", vektor, &[(water, 13)]),
            "lines[0].quantity",
            "order.not_a_multiple",
        ),
        (
            "another dealer's location",
            &dealer,
            order_body("B-6", shanghai, &[(water, 12)]),
            "delivery_location_id",
            "order.location_not_of_dealer",
        ),
        (
            "no lines",
            &dealer,
            order_body("B-7", vektor, &[]),
            "lines",
            "order.no_lines",
        ),
        (
            "below the minimum amount",
            &chinese,
            order_body("B-8", shanghai, &[(water, 12)]),
            "lines",
            "order.below_minimum_amount",
        ),
    ];
    for (case, token, body, field, code) in cases {
        let response = app.post("/api/v1/orders", token, body).await;
        assert_eq!(response.status, 422, "{case}: {}", response.text());
        assert_eq!(response.error_fields(), vec![field], "{case}");
        assert_eq!(response.error_codes(), vec![code], "{case}");
    }

    let mut past = order_body("B-9", vektor, &[(water, 12)]);
    past["requested_delivery_on"] = json!("2026-11-01");
    let response = app.post("/api/v1/orders", &dealer, past).await;
    assert_eq!(response.error_fields(), vec!["requested_delivery_on"]);

    let mut priced = order_body("B-10", vektor, &[(water, 12)]);
    priced["lines"][0]["unit_price"] = json!("1.00");
    let response = app.post("/api/v1/orders", &dealer, priced).await;
    assert_eq!(response.status, 422, "a client's price is refused, not ignored");
    assert_eq!(response.error_fields(), vec!["lines[0].unit_price"]);
    assert_eq!(response.error_codes(), vec!["field.unknown"]);

    let foreign = app.get(&format!("/api/v1/orders/{vektor_order}"), &chinese).await;
    assert_eq!(
        foreign.status, 404,
        "another dealer's order does not exist for Qingquan"
    );
    let cancel = app
        .post(&format!("/api/v1/orders/{vektor_order}/cancel"), &chinese, json!({}))
        .await;
    assert_eq!(cancel.status, 404);
    let by_dealer = app
        .post(&format!("/api/v1/orders/{vektor_order}/confirm"), &dealer, json!({}))
        .await;
    assert_eq!(by_dealer.status, 403, "dealers do not confirm orders");

    assert_eq!(
        app.count(counts).await,
        before,
        "no order and no stock movement was written"
    );
}

#[tokio::test]
async fn an_order_beyond_the_credit_limit_waits_for_finance() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let finance = app.token("finance@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let vektor = id_of(&app, "dealers", "code", "VEKTOR").await;
    let lowered = app
        .put(
            &format!("/api/v1/dealers/{vektor}/credit"),
            &finance,
            json!({ "credit_limit": "100.00" }),
        )
        .await;
    assert_eq!(lowered.status, 204, "{}", lowered.text());
    let exposure = "SELECT open_orders_minor AS n FROM dealers WHERE code = 'VEKTOR'";
    let before = app.count(exposure).await;

    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let order = place(
        &app,
        &dealer,
        order_body("T-0005", location_of(&app, "VEKTOR").await, &[(water, 120)]),
    )
    .await;
    assert_eq!(order["state"], "on_credit_hold");
    let id = order["order_id"].as_i64().unwrap();
    assert_eq!(app.count(exposure).await, before, "a held order does not count yet");

    let confirm = app
        .post(&format!("/api/v1/orders/{id}/confirm"), &desk, json!({}))
        .await;
    assert_eq!(confirm.status, 409, "the order desk cannot confirm past finance");
    let by_desk = app
        .post(
            &format!("/api/v1/orders/{id}/credit-decision"),
            &desk,
            json!({ "release": true }),
        )
        .await;
    assert_eq!(by_desk.status, 403);
    let released = app
        .post(
            &format!("/api/v1/orders/{id}/credit-decision"),
            &finance,
            json!({ "release": true, "reason": "Paid in advance" }),
        )
        .await;
    assert_eq!(released.json()["state"], "submitted");
    assert!(
        app.count(exposure).await > before,
        "released, it counts in the exposure"
    );
    let timeline = app.get(&format!("/api/v1/orders/{id}"), &dealer).await.json()["timeline"].clone();
    assert_eq!(timeline[1]["kind"], "release_credit");
    assert_eq!(timeline[1]["note"], "Paid in advance");
}

#[tokio::test]
async fn a_rejection_gives_everything_back_and_can_be_undone() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let exposure = "SELECT open_orders_minor AS n FROM dealers WHERE code = 'VEKTOR'";
    let (stock_before, exposure_before) = (reserved(&app, "BS-0001").await, app.count(exposure).await);
    let order = place(
        &app,
        &dealer,
        order_body("T-0006", location_of(&app, "VEKTOR").await, &[(water, 12)]),
    )
    .await;
    let id = order["order_id"].as_i64().unwrap();
    assert_eq!(reserved(&app, "BS-0001").await, stock_before + 13);

    let unexplained = app.post(&format!("/api/v1/orders/{id}/reject"), &desk, json!({})).await;
    assert_eq!(unexplained.error_fields(), vec!["reason"]);
    let rejected = app
        .post(
            &format!("/api/v1/orders/{id}/reject"),
            &desk,
            json!({ "reason": "Wrong warehouse" }),
        )
        .await;
    assert_eq!(rejected.json()["state"], "rejected");
    assert_eq!(reserved(&app, "BS-0001").await, stock_before);
    assert_eq!(app.count(exposure).await, exposure_before);

    let undone = app
        .post(&format!("/api/v1/orders/{id}/undo-rejection"), &desk, json!({}))
        .await;
    assert_eq!(undone.json()["state"], "submitted", "{}", undone.text());
    assert_eq!(reserved(&app, "BS-0001").await, stock_before + 13);

    let cancelled = app
        .post(&format!("/api/v1/orders/{id}/cancel"), &dealer, json!({}))
        .await;
    assert_eq!(cancelled.json()["state"], "cancelled");
    assert_eq!(reserved(&app, "BS-0001").await, stock_before);
    assert_eq!(app.count(exposure).await, exposure_before);
    let again = app
        .post(&format!("/api/v1/orders/{id}/cancel"), &dealer, json!({}))
        .await;
    assert_eq!(again.status, 409);

    let confirmed = id_of(&app, "orders", "dealer_order_number", "VK-2026-0141").await;
    let late = app
        .post(&format!("/api/v1/orders/{confirmed}/cancel"), &dealer, json!({}))
        .await;
    assert_eq!(late.status, 409, "a dealer cannot cancel a confirmed order");
    assert_eq!(late.json()["code"], "order.already_decided");
    let timeline = app.get(&format!("/api/v1/orders/{id}"), &dealer).await.json()["timeline"].clone();
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["placed", "reject", "undo_rejection", "cancel"]);
    assert_ledger_holds(&app).await;
}

/// Places the orders all at once, on several threads, and returns their statuses and bodies.
async fn place_concurrently(app: &TestApp, token: &str, bodies: Vec<Value>) -> Vec<(u16, Value)> {
    let mut tasks = tokio::task::JoinSet::new();
    for body in bodies {
        let router = app.router.clone();
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/orders")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        tasks.spawn(async move {
            let response = router.oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
        });
    }
    tasks.join_all().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_orders_never_oversell_stock_nor_overrun_a_promotion_budget() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let dealer = app.token("dealer@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0003").await;
    let pack = app
        .count("SELECT pack_size AS n FROM products WHERE sku = 'BS-0003'")
        .await;
    // Five packs in Moscow and none anywhere else.
    for (warehouse, quantity) in [("MSK-DC", 5 * pack), ("NSK-DC", 0), ("SH-DC", 0)] {
        let warehouse = id_of(&app, "warehouses", "code", warehouse).await;
        let counted = app
            .post(
                "/api/v1/stock/changes",
                &admin,
                json!({ "warehouse_id": warehouse, "product_id": water, "kind": "stocktake", "quantity": quantity }),
            )
            .await;
        assert_eq!(counted.status, 204, "{}", counted.text());
    }
    // 10 % off with a budget that covers two and a half orders.
    let unit = app
        .get(&format!("/api/v1/catalog/{water}/price?quantity={pack}"), &dealer)
        .await
        .json()["list_price"]
        .as_str()
        .unwrap()
        .parse::<f64>()
        .unwrap();
    let discount_minor = (unit * 100.0 * pack as f64 * 0.10).round() as i64;
    let budget_minor = discount_minor * 5 / 2;
    let promotion = app
        .post(
            "/api/v1/promotions",
            &admin,
            json!({
                "code": "RUSH-10", "name": "Rush hour", "kind": "percent_off", "currency": "RUB",
                "starts_on": "2026-11-01", "ends_on": "2026-12-31", "percent": "10",
                "budget": format!("{}.{:02}", budget_minor / 100, budget_minor % 100),
                "audiences": [{ "audience": "all" }], "product_ids": [water]
            }),
        )
        .await;
    assert_eq!(promotion.status, 201, "{}", promotion.text());

    let location = location_of(&app, "VEKTOR").await;
    let bodies = (0..12)
        .map(|n| order_body(&format!("RUSH-{n:02}"), location, &[(water, pack)]))
        .collect();
    let results = place_concurrently(&app, &dealer, bodies).await;
    let placed = results.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(placed, 5, "exactly the five packs in stock were sold: {results:?}");
    for (status, body) in results.iter().filter(|(status, _)| *status != 201) {
        assert!(
            *status == 422 && body["errors"][0]["code"] == "order.stock_insufficient" || *status == 409,
            "{status} {body}"
        );
    }
    assert_eq!(reserved(&app, "BS-0003").await, 5 * pack);
    let used = app
        .count("SELECT budget_used_minor AS n FROM promotions WHERE code = 'RUSH-10'")
        .await;
    let given = app
        .count(
            "SELECT CAST(COALESCE(SUM(op.amount_minor), 0) AS BIGINT) AS n FROM order_promotions op
             JOIN promotions p ON p.id = op.promotion_id WHERE p.code = 'RUSH-10'",
        )
        .await;
    assert_eq!(
        used, budget_minor,
        "the budget was used to the last kopeck, never beyond"
    );
    assert_eq!(given, used, "every kopeck used is on an order");
    assert_ledger_holds(&app).await;
}

#[tokio::test]
async fn quick_entry_saved_carts_and_reordering_fill_the_cart() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let juice = id_of(&app, "products", "sku", "BS-0006").await;
    let gtin = app.get(&format!("/api/v1/catalog/{juice}"), &dealer).await.json()["product"]["gtin"]
        .as_str()
        .unwrap()
        .to_owned();

    let bad = app
        .post(
            "/api/v1/cart/entries",
            &dealer,
            json!({ "text": "BS-0001 24\nBS-0002 many\nNOPE-1 12" }),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.error_fields(), vec!["entries[1]"]);
    let unknown = app
        .post(
            "/api/v1/cart/entries",
            &dealer,
            json!({ "text": "BS-0001 24\n\nNOPE-1 12" }),
        )
        .await;
    assert_eq!(
        unknown.error_fields(),
        vec!["entries[2]"],
        "the text's own line numbers"
    );
    assert!(app.get("/api/v1/cart", &dealer).await.json()["lines"]
        .as_array()
        .unwrap()
        .is_empty());

    let added = app
        .post(
            "/api/v1/cart/entries",
            &dealer,
            json!({ "text": format!("BS-0001\t24\n{gtin};12") }),
        )
        .await;
    assert_eq!(added.json()["added"], 2, "{}", added.text());
    assert_eq!(
        app.post("/api/v1/carts", &dealer, json!({ "name": "Weekly" }))
            .await
            .status,
        204
    );
    assert_eq!(
        app.call(Method::DELETE, "/api/v1/cart", Some(&dealer), None)
            .await
            .status,
        204
    );
    assert!(app.get("/api/v1/cart", &dealer).await.json()["lines"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        app.post("/api/v1/carts/Weekly/restore", &dealer, json!({}))
            .await
            .status,
        204
    );
    let cart = app.get("/api/v1/cart", &dealer).await.json();
    assert_eq!(cart["lines"].as_array().unwrap().len(), 2);
    assert_eq!(cart["saved"][0]["name"], "Weekly");

    let earlier = id_of(&app, "orders", "dealer_order_number", "VK-2026-0143").await;
    let reordered = app
        .post(&format!("/api/v1/orders/{earlier}/reorder"), &dealer, json!({}))
        .await;
    assert_eq!(reordered.json()["added"], 3);
    let water_line = app.get("/api/v1/cart", &dealer).await.json()["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == "BS-0001")
        .cloned()
        .unwrap();
    assert_eq!(
        water_line["quantity"],
        24 + 240,
        "reordering adds to what the cart holds"
    );

    let colleague = app.token("vektor.admin@demo.test").await;
    assert!(
        app.get("/api/v1/cart", &colleague).await.json()["lines"]
            .as_array()
            .unwrap()
            .is_empty(),
        "users of one dealer do not share carts"
    );
}

#[tokio::test]
async fn a_tenant_may_refuse_orders_beyond_the_credit_limit_instead_of_holding_them() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let mut tenant = app.get("/api/v1/tenant", &admin).await.json();
    assert_eq!(tenant["credit_policy"], "hold");
    let settings = json!({
        "name": tenant["name"], "default_locale": tenant["default_locale"], "time_zone": tenant["time_zone"],
        "brand_primary_color": tenant["brand_primary_color"], "brand_accent_color": tenant["brand_accent_color"],
        "credit_policy": "refuse",
    });
    let saved = app
        .call(Method::PUT, "/api/v1/tenant", Some(&admin), Some(settings))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    tenant = app.get("/api/v1/tenant", &admin).await.json();
    assert_eq!(tenant["credit_policy"], "refuse");

    let finance = app.token("finance@demo.test").await;
    let vektor = id_of(&app, "dealers", "code", "VEKTOR").await;
    app.put(
        &format!("/api/v1/dealers/{vektor}/credit"),
        &finance,
        json!({ "credit_limit": "100.00" }),
    )
    .await;
    let dealer = app.token("dealer@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let orders_before = app.count("SELECT COUNT(*) AS n FROM orders").await;
    let refused = app
        .post(
            "/api/v1/orders",
            &dealer,
            order_body("T-0007", location_of(&app, "VEKTOR").await, &[(water, 120)]),
        )
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.json()["code"], "order.credit_limit_exceeded");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM orders").await, orders_before);
}

#[tokio::test]
async fn the_execution_report_sums_what_was_ordered_and_confirmed_within_scope() {
    let app = TestApp::with_demo().await;
    let manager = app.token("manager@demo.test").await;
    // VK-2026-0141: its tea line was confirmed at 36 of 48 bottles.
    let lines = app
        .get("/api/v1/reports/order-execution?view=lines&per_page=200", &manager)
        .await
        .json();
    let tea = lines["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["dealer_order_number"] == "VK-2026-0141" && l["sku"] == "BS-0009")
        .cloned()
        .unwrap();
    assert_eq!(tea["ordered_quantity"], 48);
    assert_eq!(tea["confirmed_quantity"], 36);
    assert_eq!(tea["shipped_quantity"], 0, "nothing has been shipped yet");
    let ordered: f64 = tea["ordered_amount"].as_str().unwrap().parse().unwrap();
    let confirmed: f64 = tea["confirmed_amount"].as_str().unwrap().parse().unwrap();
    assert!(
        (confirmed - ordered * 36.0 / 48.0).abs() < 0.006,
        "{ordered} → {confirmed}"
    );

    let orders = app
        .get("/api/v1/reports/order-execution?state=partially_confirmed", &manager)
        .await
        .json();
    assert_eq!(orders["total"], 1);
    let order = &orders["items"][0];
    assert_eq!(order["dealer_order_number"], "VK-2026-0141");
    let line_sum: i64 = lines["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["dealer_order_number"] == "VK-2026-0141")
        .map(|l| l["ordered_quantity"].as_i64().unwrap())
        .sum();
    assert_eq!(order["ordered_quantity"], line_sum, "an order's row sums its lines");
    assert!(
        !lines.to_string().contains("QQ-2611-07"),
        "Shanghai's order is outside the manager's regions"
    );

    let china = app.token("dealer2@demo.test").await;
    let own = app.get("/api/v1/reports/order-execution", &china).await.json();
    assert_eq!(own["total"], 1, "a dealer sees its own orders only");
    let session = app.browser_session("manager@demo.test").await;
    let export = app.page(&session, "/reports/order-execution/export?view=lines").await;
    assert_eq!(export.headers["content-type"], xlsx::MEDIA_TYPE);
    let table = xlsx::read_table(&export.body).unwrap();
    assert_eq!(table.rows.len() as i64, lines["total"].as_i64().unwrap());
}

#[tokio::test]
async fn a_draft_holds_nothing_until_it_is_submitted_as_the_same_order() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let location = location_of(&app, "VEKTOR").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let reserved_before = reserved(&app, "BS-0001").await;
    let exposure = "SELECT open_orders_minor AS n FROM dealers WHERE code = 'VEKTOR'";
    let exposure_before = app.count(exposure).await;
    let mut body = order_body("VK-DRAFT-1", location, &[(water, 120)]);
    body["draft"] = json!(true);
    let saved = app.post("/api/v1/orders", &dealer, body).await;
    assert_eq!(saved.status, 201, "{}", saved.text());
    let draft = saved.json();
    assert_eq!(draft["state"], "draft");
    let id = draft["order_id"].as_i64().unwrap();
    assert_eq!(
        reserved(&app, "BS-0001").await,
        reserved_before,
        "a draft reserves nothing"
    );
    assert_eq!(app.count(exposure).await, exposure_before, "nor takes credit");
    let seen_by_desk = app.get("/api/v1/orders?search=VK-DRAFT", &desk).await.json();
    assert_eq!(seen_by_desk["total"], 0, "the manufacturer does not see drafts");
    assert_eq!(app.get(&format!("/api/v1/orders/{id}"), &desk).await.status, 404);
    let report = app.get("/api/v1/reports/order-execution", &desk).await.text();
    assert!(
        !report.contains("VK-DRAFT-1"),
        "nor counts them in the execution report"
    );
    let own = app.get("/api/v1/orders?search=VK-DRAFT", &dealer).await.json();
    assert_eq!(own["total"], 1);

    let submitted = app
        .post(&format!("/api/v1/orders/{id}/submit"), &dealer, json!({}))
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.text());
    assert_eq!(submitted.json()["order_id"], id, "the draft becomes the order");
    assert_eq!(submitted.json()["state"], "submitted");
    let order = app.get(&format!("/api/v1/orders/{id}"), &dealer).await.json();
    let held: i64 = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["quantity"].as_i64().unwrap())
        .sum();
    assert_eq!(reserved(&app, "BS-0001").await, reserved_before + held);
    assert!(app.count(exposure).await > exposure_before);
    let kinds: Vec<&str> = order["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["placed", "submit"]);
    let again = app
        .post(&format!("/api/v1/orders/{id}/submit"), &dealer, json!({}))
        .await;
    assert_eq!(again.status, 409);
    assert_ledger_holds(&app).await;
}

#[tokio::test]
async fn a_draft_beyond_stock_stays_a_draft_when_submitted_and_can_be_cancelled() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let location = location_of(&app, "VEKTOR").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let mut body = order_body("VK-DRAFT-2", location, &[(water, 9_999_996)]);
    body["draft"] = json!(true);
    let saved = app.post("/api/v1/orders", &dealer, body).await;
    assert_eq!(saved.status, 201, "{}", saved.text());
    let id = saved.json()["order_id"].as_i64().unwrap();
    let refused = app
        .post(&format!("/api/v1/orders/{id}/submit"), &dealer, json!({}))
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.error_codes(), vec!["order.stock_insufficient"]);
    let still = app.get(&format!("/api/v1/orders/{id}"), &dealer).await.json();
    assert_eq!(still["state"], "draft");
    let cancelled = app
        .post(&format!("/api/v1/orders/{id}/cancel"), &dealer, json!({}))
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text());
    assert_ledger_holds(&app).await;
}

#[tokio::test]
async fn the_order_search_ignores_letter_case_and_takes_wildcards_literally_on_every_database() {
    let app = TestApp::with_demo().await;
    let desk = app.token("orders@demo.test").await;
    let numbers = |found: serde_json::Value| -> Vec<String> {
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["dealer_order_number"].as_str().unwrap().to_owned())
            .collect()
    };
    let lower = app.get("/api/v1/orders?search=vk-2026-0144", &desk).await.json();
    assert_eq!(numbers(lower), ["VK-2026-0144"]);
    for wildcard in ["%25", "_", "VK%25"] {
        let found = app
            .get(&format!("/api/v1/orders?search={wildcard}"), &desk)
            .await
            .json();
        assert_eq!(
            found["total"], 0,
            "`{wildcard}` is matched as written, not as a wildcard"
        );
    }
}

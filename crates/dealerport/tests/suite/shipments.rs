//! Shipments: the warehouse ships a confirmed sales order in one or more parts, with packages by
//! SSCC and batches where the product needs them; shipping takes the goods out of stock, moves the
//! order on, and tells the dealer, who sees what left and what is still to come.

use serde_json::{json, Value};
use testkit::TestApp;

use crate::{assert_ledger_holds, id_of, reserved};

/// SSCCs of the manufacturer's company prefix, with their check digits.
const PALLET_1: &str = "146012345000000019";
const PALLET_2: &str = "146012345000000026";
const PALLET_3: &str = "146012345000000033";

async fn on_hand(app: &TestApp, sku: &str) -> i64 {
    app.count(&format!(
        "SELECT CAST(COALESCE(SUM(s.on_hand), 0) AS BIGINT) AS n FROM stock_levels s JOIN products p ON p.id = s.product_id WHERE p.sku = '{sku}'"
    ))
    .await
}

fn line_of<'a>(order: &'a Value, sku: &str, kind: &str) -> &'a Value {
    order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == sku && l["kind"] == kind)
        .unwrap()
}

/// Ships what every sales order of the order (as `seen`) has still to ship, each on a pallet of
/// its own.
async fn ship_everything_left(app: &TestApp, warehouse: &str, seen: &Value) {
    let pallets = [PALLET_2, PALLET_3];
    let sales_orders: Vec<i64> = seen["sales_orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert!(sales_orders.len() <= pallets.len());
    for (sales_order, pallet) in sales_orders.iter().zip(pallets) {
        let lines: Vec<Value> = seen["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["sales_order_id"] == *sales_order)
            .filter_map(|l| {
                let open = l["confirmed_quantity"].as_i64()? - l["shipped_quantity"].as_i64()?;
                (open > 0).then(|| json!({ "line_number": l["line_number"], "quantity": open }))
            })
            .collect();
        let shipped = app
            .post(
                &format!("/api/v1/sales-orders/{sales_order}/shipments"),
                warehouse,
                json!({ "packages": [pallet], "lines": lines }),
            )
            .await;
        assert_eq!(shipped.status, 201, "{}", shipped.text());
    }
}

#[tokio::test]
async fn a_confirmed_order_ships_in_parts_and_the_dealer_sees_what_is_still_to_come() {
    let app = TestApp::with_demo().await;
    let warehouse = app.token("warehouse@demo.test").await;
    let dealer = app.token("dealer@demo.test").await;
    let order_id = id_of(&app, "orders", "dealer_order_number", "VK-2026-0141").await;
    let order = app.get(&format!("/api/v1/orders/{order_id}"), &warehouse).await.json();
    let water = line_of(&order, "BS-0001", "regular");
    let sales_order = water["sales_order_id"].as_i64().unwrap();
    let (water_on_hand, water_reserved) = (on_hand(&app, "BS-0001").await, reserved(&app, "BS-0001").await);

    let first = app
        .post(
            &format!("/api/v1/sales-orders/{sales_order}/shipments"),
            &warehouse,
            json!({
                "packages": [PALLET_1],
                "vehicle": "А 777 АА 77",
                "planned_arrival_on": "2026-11-27",
                "lines": [{ "line_number": water["line_number"], "quantity": 60 }],
            }),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(
        on_hand(&app, "BS-0001").await,
        water_on_hand - 60,
        "the goods left the warehouse"
    );
    assert_eq!(
        reserved(&app, "BS-0001").await,
        water_reserved - 60,
        "and their reservation with them"
    );
    assert_ledger_holds(&app).await;

    let seen = app.get(&format!("/api/v1/orders/{order_id}"), &dealer).await.json();
    assert_eq!(seen["state"], "partially_shipped");
    assert_eq!(line_of(&seen, "BS-0001", "regular")["shipped_quantity"], 60);
    let shipments = app
        .get(&format!("/api/v1/shipments?order_id={order_id}"), &dealer)
        .await
        .json();
    assert_eq!(shipments["total"], 1);
    assert_eq!(shipments["items"][0]["packages"], json!([PALLET_1]));
    assert_eq!(shipments["items"][0]["lines"][0]["quantity"], 60);
    let messages = app.get("/api/v1/messages", &dealer).await.text();
    assert!(messages.contains("have left under delivery note"), "{messages}");

    ship_everything_left(&app, &warehouse, &seen).await;
    let done = app.get(&format!("/api/v1/orders/{order_id}"), &dealer).await.json();
    assert_eq!(done["state"], "shipped");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM order_lines WHERE order_id = {order_id} AND shipped_quantity <> confirmed_quantity"
        ))
        .await,
        0
    );
    assert_ledger_holds(&app).await;
    let page = app
        .page(
            &app.browser_session("dealer@demo.test").await,
            &format!("/orders/{order_id}"),
        )
        .await
        .text();
    assert!(page.contains(PALLET_1), "the order page lists the shipments");
}

#[tokio::test]
async fn each_shipment_notice_names_its_delivery_note_and_whether_the_order_is_now_shipped_in_full() {
    let app = TestApp::with_demo().await;
    let warehouse = app.token("warehouse@demo.test").await;
    let dealer = app.token("dealer@demo.test").await;
    let order_id = id_of(&app, "orders", "dealer_order_number", "VK-2026-0141").await;
    let order = app.get(&format!("/api/v1/orders/{order_id}"), &warehouse).await.json();
    let water = line_of(&order, "BS-0001", "regular");
    let first = app
        .post(
            &format!("/api/v1/sales-orders/{}/shipments", water["sales_order_id"]),
            &warehouse,
            json!({ "packages": [PALLET_1], "lines": [{ "line_number": water["line_number"], "quantity": 60 }] }),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text());
    let seen = app.get(&format!("/api/v1/orders/{order_id}"), &dealer).await.json();
    ship_everything_left(&app, &warehouse, &seen).await;

    let shipments = app
        .get(&format!("/api/v1/shipments?order_id={order_id}"), &dealer)
        .await
        .json();
    let numbers: Vec<&str> = shipments["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["number"].as_str().unwrap())
        .collect();
    assert!(numbers.len() >= 2, "the order left in parts: {numbers:?}");
    let messages = app.get("/api/v1/messages?per_page=100", &dealer).await.json();
    let mut notices: Vec<(i64, String)> = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["order_id"] == order_id && m["kind"].as_str().unwrap().contains("shipped"))
        .map(|m| (m["id"].as_i64().unwrap(), m["text"].as_str().unwrap().to_owned()))
        .collect();
    notices.sort();
    let texts: Vec<&str> = notices.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(texts.len(), numbers.len(), "one notice per shipment: {texts:?}");
    for number in &numbers {
        assert_eq!(
            texts.iter().filter(|t| t.contains(number)).count(),
            1,
            "one notice names delivery note {number}: {texts:?}"
        );
    }
    assert!(
        texts[0].contains("lines: 1, packages: 1"),
        "the first shipment held the water alone, on one pallet: {}",
        texts[0]
    );
    let (last, earlier) = texts.split_last().unwrap();
    assert!(last.contains("shipped in full"), "{last}");
    for text in earlier {
        assert!(text.contains("still to come"), "{text}");
    }
    for (language, in_full) in [("ru", "заказ отгружен полностью"), ("zh", "订单已全部发货")]
    {
        let translated = app
            .send(
                axum::http::Request::get("/api/v1/messages?per_page=100")
                    .header("authorization", format!("Bearer {dealer}"))
                    .header("accept-language", language)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .text();
        assert!(
            translated.contains(in_full) && translated.contains(numbers[0]),
            "{language}: {translated}"
        );
    }
}

#[tokio::test]
async fn shipping_beyond_the_confirmation_a_wrong_sscc_or_a_missing_batch_changes_nothing() {
    let app = TestApp::with_demo().await;
    let warehouse = app.token("warehouse@demo.test").await;
    let order_id = id_of(&app, "orders", "dealer_order_number", "VK-2026-0141").await;
    let order = app.get(&format!("/api/v1/orders/{order_id}"), &warehouse).await.json();
    let tea = line_of(&order, "BS-0009", "regular");
    let sales_order = tea["sales_order_id"].as_i64().unwrap();
    let path = format!("/api/v1/sales-orders/{sales_order}/shipments");
    let movements = "SELECT COUNT(*) AS n FROM stock_movements";
    let before = app.count(movements).await;
    let tea_line = tea["line_number"].clone();

    let beyond = app
        .post(
            &path,
            &warehouse,
            json!({ "packages": [PALLET_1], "lines": [{ "line_number": tea_line, "quantity": 48 }] }),
        )
        .await;
    assert_eq!(beyond.status, 422);
    assert_eq!(
        beyond.error_codes(),
        vec!["shipment.beyond_confirmed"],
        "36 of 48 were confirmed"
    );

    let wrong = app
        .post(
            &path,
            &warehouse,
            json!({ "packages": ["146012345000000018"], "lines": [{ "line_number": tea_line, "quantity": 12 }] }),
        )
        .await;
    assert_eq!(wrong.error_codes(), vec!["identifier.check_digit"]);

    let used = app
        .post(
            &path,
            &warehouse,
            json!({ "packages": ["346012345000000013"], "lines": [{ "line_number": tea_line, "quantity": 12 }] }),
        )
        .await;
    assert_eq!(
        used.error_codes(),
        vec!["shipment.package_used"],
        "the demo's pallet has left already"
    );

    let shipped = id_of(&app, "orders", "dealer_order_number", "VK-2026-0144").await;
    let juice_order = app.get(&format!("/api/v1/orders/{shipped}"), &warehouse).await.json();
    let juice = line_of(&juice_order, "BS-0006", "regular");
    assert_eq!(juice["shipped_quantity"], 24, "the demo shipped all but twelve bottles");
    let unbatched = app
        .post(
            &format!("/api/v1/sales-orders/{}/shipments", juice["sales_order_id"]),
            &warehouse,
            json!({ "packages": [PALLET_2], "lines": [{ "line_number": juice["line_number"], "quantity": 12 }] }),
        )
        .await;
    assert_eq!(
        unbatched.error_codes(),
        vec!["shipment.batch_required", "shipment.expiry_required"]
    );

    let dealer = app.token("dealer@demo.test").await;
    let by_dealer = app
        .post(
            &path,
            &dealer,
            json!({ "packages": [PALLET_1], "lines": [{ "line_number": tea_line, "quantity": 12 }] }),
        )
        .await;
    assert_eq!(by_dealer.status, 403, "a dealer does not ship");
    let china = app.token("dealer2@demo.test").await;
    let foreign = app
        .get(&format!("/api/v1/shipments?order_id={shipped}"), &china)
        .await
        .json();
    assert_eq!(foreign["total"], 0, "another dealer sees none of Vektor's shipments");
    assert_eq!(app.count(movements).await, before, "no refused shipment moved stock");

    let desk = app.token("orders@demo.test").await;
    let cancelled = app
        .post(
            &format!("/api/v1/orders/{order_id}/cancel"),
            &desk,
            json!({ "reason": "Customer closed" }),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text());
    let released = app.count(movements).await;
    let after_cancel = app
        .post(
            &path,
            &warehouse,
            json!({ "packages": [PALLET_1], "lines": [{ "line_number": tea_line, "quantity": 12 }] }),
        )
        .await;
    assert_eq!(after_cancel.status, 409, "a cancelled order ships nothing");
    assert_eq!(app.count(movements).await, released);
}

#[tokio::test]
async fn the_warehouse_ships_from_the_order_page_and_only_the_dealer_finds_the_shipment() {
    let app = TestApp::with_demo().await;
    let order_id = id_of(&app, "orders", "dealer_order_number", "VK-2026-0141").await;
    let warehouse = app.browser_session("warehouse@demo.test").await;
    let page = app.page(&warehouse, &format!("/orders/{order_id}")).await.text();
    let sales_order = app
        .count(&format!(
            "SELECT MIN(sales_order_id) AS n FROM order_lines WHERE order_id = {order_id}"
        ))
        .await;
    let prefix = format!("ship_{sales_order}_");
    assert!(
        page.contains(&format!("name=\"{prefix}packages\"")),
        "a form per sales order"
    );
    let action = format!("/sales-orders/{sales_order}/shipments");
    let order = order_id.to_string();
    let packages = format!("{prefix}packages");
    let refused = app
        .submit(
            &warehouse,
            &action,
            &[("order_id", order.as_str()), (packages.as_str(), "146012345000000018")],
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(
        refused.text().contains("aria-invalid=\"true\""),
        "the packages field is marked"
    );
    let line = app
        .count(&format!(
            "SELECT MIN(line_number) AS n FROM order_lines WHERE sales_order_id = {sales_order}"
        ))
        .await;
    let quantity = format!("{prefix}quantity_{line}");
    let nothing = app
        .submit(
            &warehouse,
            &action,
            &[("order_id", order.as_str()), (packages.as_str(), PALLET_1)],
        )
        .await;
    assert!(
        nothing.text().contains("Добавьте хотя бы один товар."),
        "no line, no shipment"
    );
    let shipped = app
        .submit(
            &warehouse,
            &action,
            &[
                ("order_id", order.as_str()),
                (packages.as_str(), PALLET_1),
                (quantity.as_str(), "12"),
            ],
        )
        .await;
    assert_eq!(shipped.status, 303, "{}", shipped.text());

    let dealer = app.browser_session("dealer2@demo.test").await;
    let list = app.page(&dealer, "/shipments").await.text();
    assert!(list.contains("Delivery note"), "{list}");
    assert!(!list.contains(PALLET_1), "and sees none of Vektor's shipments");
    let dealer = app.browser_session("dealer@demo.test").await;
    let list = app.page(&dealer, "/shipments").await.text();
    assert!(list.contains(PALLET_1));
    assert!(list.contains("L2611-14"), "the demo's juice names its batch");
}

//! Change requests of confirmed orders: one side asks, the other decides; an approved change is
//! written into the order with its stock, amounts and exposure, a rejected one changes nothing,
//! and the history stays on the order.

use serde_json::json;
use testkit::TestApp;

use crate::{assert_ledger_holds, id_of, reserved};

async fn confirmed_order(app: &TestApp) -> i64 {
    id_of(app, "orders", "dealer_order_number", "VK-2026-0141").await
}

#[tokio::test]
async fn a_dealers_lower_quantity_approved_by_the_manufacturer_changes_the_order() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let order = confirmed_order(&app).await;
    let before = app.get(&format!("/api/v1/orders/{order}"), &dealer).await.json();
    let water = before["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == "BS-0001" && l["kind"] == "regular")
        .unwrap()
        .clone();
    let line = water["line_number"].as_i64().unwrap();
    let stock_before = reserved(&app, "BS-0001").await;
    let exposure = "SELECT open_orders_minor AS n FROM dealers WHERE code = 'VEKTOR'";
    let exposure_before = app.count(exposure).await;

    let priced = app
        .post(
            &format!("/api/v1/orders/{order}/change-requests"),
            &dealer,
            json!({ "reason": "Less space", "lines": [{ "line_number": line, "unit_price": "1.00" }] }),
        )
        .await;
    assert_eq!(priced.status, 422);
    assert_eq!(priced.error_codes(), vec!["change.price_by_manufacturer_only"]);

    let raised = app
        .post(
            &format!("/api/v1/orders/{order}/change-requests"),
            &dealer,
            json!({ "reason": "Less space in the warehouse", "lines": [{ "line_number": line, "quantity": 60 }] }),
        )
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text());
    let request = raised.json()["id"].as_i64().unwrap();
    let second = app
        .post(
            &format!("/api/v1/orders/{order}/change-requests"),
            &dealer,
            json!({ "reason": "Again", "lines": [{ "line_number": line, "quantity": 48 }] }),
        )
        .await;
    assert_eq!(second.status, 409, "one open request at a time");
    let own = app
        .post(
            &format!("/api/v1/change-requests/{request}/decision"),
            &dealer,
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(own.status, 409, "the dealer cannot approve its own request");

    let approved = app
        .post(
            &format!("/api/v1/change-requests/{request}/decision"),
            &desk,
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(approved.json()["state"], "approved", "{}", approved.text());
    let after = app.get(&format!("/api/v1/orders/{order}"), &dealer).await.json();
    let changed = after["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["line_number"] == line)
        .unwrap()
        .clone();
    assert_eq!(changed["quantity"], 60);
    assert_eq!(changed["confirmed_quantity"], 60);
    assert_eq!(
        reserved(&app, "BS-0001").await,
        stock_before - 60,
        "the 60 bottles no longer wanted are released"
    );
    let net_before: f64 = before["net_total"].as_str().unwrap().parse().unwrap();
    let net_after: f64 = after["net_total"].as_str().unwrap().parse().unwrap();
    assert!(net_after < net_before, "{net_before} → {net_after}");
    assert!(
        app.count(exposure).await < exposure_before,
        "the exposure shrinks with the order"
    );
    let kinds: Vec<&str> = after["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.ends_with(&["change_requested", "change_approved"]), "{kinds:?}");
    let history = app
        .get(&format!("/api/v1/orders/{order}/change-requests"), &dealer)
        .await
        .json();
    assert_eq!(history[0]["state"], "approved");
    assert_eq!(history[0]["lines"][0]["new_quantity"], 60);
    assert_eq!(
        history[0]["lines"][0]["old_quantity"], water["confirmed_quantity"],
        "the history keeps what the line was"
    );
    assert_ledger_holds(&app).await;
    let audited = app
        .count("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'change_request' AND action IN ('raise', 'approve')")
        .await;
    assert_eq!(audited, 2, "who asked and who decided are audited");
}

#[tokio::test]
async fn a_rejected_price_change_leaves_the_order_as_it_was() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let order = confirmed_order(&app).await;
    let before = app.get(&format!("/api/v1/orders/{order}"), &dealer).await.json();
    let raised = app
        .post(
            &format!("/api/v1/orders/{order}/change-requests"),
            &desk,
            json!({ "reason": "New contract price", "lines": [{ "line_number": 1, "unit_price": "50.00" }] }),
        )
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text());
    let request = raised.json()["id"].as_i64().unwrap();
    let unexplained = app
        .post(
            &format!("/api/v1/change-requests/{request}/decision"),
            &dealer,
            json!({ "approve": false }),
        )
        .await;
    assert_eq!(unexplained.error_fields(), vec!["reason"]);
    let rejected = app
        .post(
            &format!("/api/v1/change-requests/{request}/decision"),
            &dealer,
            json!({ "approve": false, "reason": "We keep the agreed price" }),
        )
        .await;
    assert_eq!(rejected.json()["state"], "rejected");
    let after = app.get(&format!("/api/v1/orders/{order}"), &dealer).await.json();
    assert_eq!(after["lines"], before["lines"]);
    assert_eq!(after["net_total"], before["net_total"]);
    let history = app
        .get(&format!("/api/v1/orders/{order}/change-requests"), &dealer)
        .await
        .json();
    assert_eq!(history[0]["decision_reason"], "We keep the agreed price");
}

#[tokio::test]
async fn a_change_beyond_stock_or_of_anothers_order_changes_nothing() {
    let app = TestApp::with_demo().await;
    let desk = app.token("orders@demo.test").await;
    let dealer = app.token("dealer@demo.test").await;
    let order = confirmed_order(&app).await;
    let raised = app
        .post(
            &format!("/api/v1/orders/{order}/change-requests"),
            &dealer,
            json!({ "reason": "Much more", "lines": [{ "line_number": 1, "quantity": 99_999_960 }] }),
        )
        .await;
    let request = raised.json()["id"].as_i64().unwrap();
    let movements = app.count("SELECT COUNT(*) AS n FROM stock_movements").await;
    let refused = app
        .post(
            &format!("/api/v1/change-requests/{request}/decision"),
            &desk,
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.error_codes(), vec!["change.stock_insufficient"]);
    assert_eq!(refused.json()["errors"][0]["params"]["line"], "1", "the line is named");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM stock_movements").await, movements);
    let history = app
        .get(&format!("/api/v1/orders/{order}/change-requests"), &dealer)
        .await
        .json();
    assert_eq!(history[0]["state"], "open", "the request waits, unchanged");

    let china = app.token("dealer2@demo.test").await;
    let foreign = app
        .post(
            &format!("/api/v1/orders/{order}/change-requests"),
            &china,
            json!({ "reason": "Hijack", "lines": [{ "line_number": 1, "quantity": 12 }] }),
        )
        .await;
    assert_eq!(foreign.status, 404);
    assert_eq!(
        app.get(&format!("/api/v1/orders/{order}/change-requests"), &china)
            .await
            .json(),
        json!([])
    );
    let submitted = id_of(&app, "orders", "dealer_order_number", "VK-2026-0143").await;
    let early = app
        .post(
            &format!("/api/v1/orders/{submitted}/change-requests"),
            &dealer,
            json!({ "reason": "Not yet confirmed", "lines": [{ "line_number": 1, "quantity": 12 }] }),
        )
        .await;
    assert_eq!(early.status, 409);
}

#[tokio::test]
async fn the_order_page_carries_the_request_from_one_side_to_the_other_in_their_languages() {
    let app = TestApp::with_demo().await;
    let order = confirmed_order(&app).await;
    let path = format!("/orders/{order}");
    let desk = app.browser_session("orders@demo.test").await;
    let page = app.page(&desk, &path).await.text();
    assert!(
        page.contains("name=\"change_price_1\""),
        "the manufacturer may propose prices"
    );
    let unexplained = app
        .submit(
            &desk,
            &format!("{path}/change-requests"),
            &[("change_date_1", "2026-12-20")],
        )
        .await;
    assert_eq!(unexplained.status, 200);
    assert!(
        unexplained.text().contains("Обязательное поле."),
        "{}",
        unexplained.text()
    );
    let sent = app
        .submit(
            &desk,
            &format!("{path}/change-requests"),
            &[
                ("change_date_1", "2026-12-20"),
                ("change_reason", "Машина уходит позже"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text());

    let dealer = app.browser_session("dealer@demo.test").await;
    let seen = app.page(&dealer, &path).await.text();
    assert!(seen.contains("Waiting for a decision"));
    assert!(seen.contains("Машина уходит позже"));
    assert!(
        !seen.contains("name=\"change_price_1\""),
        "no new request while one is open"
    );
    let request = id_of(&app, "change_requests", "reason", "Машина уходит позже").await;
    let approved = app
        .submit(
            &dealer,
            &format!("/change-requests/{request}/decision"),
            &[("decision", "approve"), ("order_id", &order.to_string())],
        )
        .await;
    assert_eq!(approved.status, 303, "{}", approved.text());
    let after = app.page(&desk, &path).await.text();
    assert!(after.contains("Принят"), "the desk sees the approval in Russian");
    assert!(after.contains("20.12.2026"), "the new date is on the line");
}

#[tokio::test]
async fn a_request_decided_twice_at_the_same_moment_is_applied_once() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let admin = app.token("admin@demo.test").await;
    let order = confirmed_order(&app).await;
    let stock_before = reserved(&app, "BS-0001").await;
    let raised = app
        .post(
            &format!("/api/v1/orders/{order}/change-requests"),
            &dealer,
            json!({ "reason": "Less space", "lines": [{ "line_number": 1, "quantity": 12 }] }),
        )
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text());
    let request = raised.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/change-requests/{request}/decision");
    let body = json!({ "approve": true });
    let withdraw = format!("/api/v1/change-requests/{request}/withdraw");
    let (first, second, third) = tokio::join!(
        app.post(&path, &desk, body.clone()),
        app.post(&path, &admin, body.clone()),
        app.post(&withdraw, &dealer, json!({})),
    );
    let statuses = [first.status, second.status, third.status];
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        2,
        "one decision wins, the others find the request closed: {statuses:?}"
    );
    if third.status == 204 {
        assert_eq!(
            reserved(&app, "BS-0001").await,
            stock_before,
            "a withdrawn request changes no stock"
        );
    }
    assert_ledger_holds(&app).await;
    let history = app
        .get(&format!("/api/v1/orders/{order}/change-requests"), &dealer)
        .await
        .json();
    assert_eq!(history.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn two_requests_raised_at_the_same_moment_leave_one_open() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let order = confirmed_order(&app).await;
    let path = format!("/api/v1/orders/{order}/change-requests");
    let (first, second) = tokio::join!(
        app.post(
            &path,
            &dealer,
            json!({ "reason": "Fewer", "lines": [{ "line_number": 1, "quantity": 12 }] })
        ),
        app.post(
            &path,
            &desk,
            json!({ "reason": "Later", "lines": [{ "line_number": 1, "delivery_on": "2026-12-28" }] })
        ),
    );
    let mut statuses = vec![first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, vec![201, 409]);
    let open = app
        .count(&format!(
            "SELECT COUNT(*) AS n FROM change_requests WHERE order_id = {order} AND state = 'open'"
        ))
        .await;
    assert_eq!(open, 1);
}

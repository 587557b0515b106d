//! Returns: a dealer sends back goods of a shipment it received, never more than it received less
//! what it already asked to return; the order desk approves or rejects; on arrival good goods go
//! back to stock and defective ones to the defective-goods warehouse, which is never available.

use serde_json::{json, Value};
use testkit::TestApp;

use crate::{assert_ledger_holds, id_of, on_hand_in};

/// The demo's received shipment of order VK-2026-0144 and its juice line.
async fn received_juice(app: &TestApp) -> (i64, Value) {
    let shipment = app
        .count("SELECT MIN(shipment_id) AS n FROM receipts WHERE discrepancy <> 'none'")
        .await;
    let dealer = app.token("dealer@demo.test").await;
    let found = app.get(&format!("/api/v1/shipments/{shipment}"), &dealer).await.json();
    let juice = found["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == "BS-0006")
        .unwrap()
        .clone();
    (shipment, juice)
}

#[tokio::test]
async fn broken_goods_come_back_to_the_defective_goods_warehouse_and_never_become_available() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let warehouse = app.token("warehouse@demo.test").await;
    let (shipment, juice) = received_juice(&app).await;
    let line = juice["order_line_number"].clone();

    let too_many = app
        .post(
            &format!("/api/v1/shipments/{shipment}/returns"),
            &dealer,
            json!({ "lines": [{ "line_number": line, "quantity": 25, "reason": "damaged" }] }),
        )
        .await;
    assert_eq!(too_many.status, 422);
    assert_eq!(
        too_many.error_codes(),
        vec!["return.beyond_received"],
        "24 bottles arrived"
    );
    let requested = app
        .post(
            &format!("/api/v1/shipments/{shipment}/returns"),
            &dealer,
            json!({ "note": "Broken in transit", "lines": [{ "line_number": line, "quantity": 2, "reason": "damaged" }] }),
        )
        .await;
    assert_eq!(requested.status, 201, "{}", requested.text());
    let id = requested.json()["id"].as_i64().unwrap();
    let again = app
        .post(
            &format!("/api/v1/shipments/{shipment}/returns"),
            &dealer,
            json!({ "lines": [{ "line_number": line, "quantity": 23, "reason": "expired" }] }),
        )
        .await;
    assert_eq!(
        again.error_codes(),
        vec!["return.beyond_received"],
        "22 are left to return"
    );

    let early = app
        .post(
            &format!("/api/v1/returns/{id}/arrival"),
            &warehouse,
            json!({ "lines": [{ "line_number": line, "good_quantity": 0, "defective_quantity": 2 }] }),
        )
        .await;
    assert_eq!(early.status, 409, "goods come back only once the return is approved");
    let unexplained = app
        .post(
            &format!("/api/v1/returns/{id}/decision"),
            &desk,
            json!({ "approve": false }),
        )
        .await;
    assert_eq!(unexplained.error_fields(), vec!["reason"]);
    let approved = app
        .post(
            &format!("/api/v1/returns/{id}/decision"),
            &desk,
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(approved.status, 204, "{}", approved.text());
    let listed = app.get("/api/v1/returns?state=approved", &dealer).await.json();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["notice_number"], format!("RN-{id:06}"));

    let (moscow, defects) = (
        on_hand_in(&app, "MSK-DC", "BS-0006").await,
        on_hand_in(&app, "DEFECT", "BS-0006").await,
    );
    let mismatched = app
        .post(
            &format!("/api/v1/returns/{id}/arrival"),
            &warehouse,
            json!({ "lines": [{ "line_number": line, "good_quantity": 1, "defective_quantity": 2 }] }),
        )
        .await;
    assert_eq!(mismatched.error_codes(), vec!["return.arrival_does_not_add_up"]);
    let arrived = app
        .post(
            &format!("/api/v1/returns/{id}/arrival"),
            &warehouse,
            json!({ "lines": [{ "line_number": line, "good_quantity": 0, "defective_quantity": 2 }] }),
        )
        .await;
    assert_eq!(arrived.status, 204, "{}", arrived.text());
    assert_eq!(on_hand_in(&app, "DEFECT", "BS-0006").await, defects + 2);
    assert_eq!(
        on_hand_in(&app, "MSK-DC", "BS-0006").await,
        moscow,
        "nothing broken goes back on sale"
    );
    let tenant = platform::TenantId(
        app.count("SELECT tenant_id AS n FROM warehouses WHERE code = 'DEFECT'")
            .await,
    );
    let product = id_of(&app, "products", "sku", "BS-0006").await;
    let defect = id_of(&app, "warehouses", "code", "DEFECT").await;
    let mut tx = app.db.begin().await.unwrap();
    let promised = fulfilment::stock::availability(&mut tx, tenant, &[product])
        .await
        .unwrap();
    drop(tx);
    assert!(
        promised.iter().all(|a| a.warehouse_id != defect),
        "defective goods are never available to promise: {promised:?}"
    );
    assert_ledger_holds(&app).await;
    let twice = app
        .post(
            &format!("/api/v1/returns/{id}/arrival"),
            &warehouse,
            json!({ "lines": [{ "line_number": line, "good_quantity": 2, "defective_quantity": 0 }] }),
        )
        .await;
    assert_eq!(twice.status, 409);
}

#[tokio::test]
async fn a_return_of_goods_not_received_or_of_anothers_shipment_is_refused() {
    let app = TestApp::with_demo().await;
    let (shipment, juice) = received_juice(&app).await;
    let china = app.token("dealer2@demo.test").await;
    let foreign = app
        .post(
            &format!("/api/v1/shipments/{shipment}/returns"),
            &china,
            json!({ "lines": [{ "line_number": juice["order_line_number"], "quantity": 1, "reason": "damaged" }] }),
        )
        .await;
    assert_eq!(foreign.status, 404);
    let desk = app.token("orders@demo.test").await;
    let by_desk = app
        .post(
            &format!("/api/v1/shipments/{shipment}/returns"),
            &desk,
            json!({ "lines": [{ "line_number": juice["order_line_number"], "quantity": 1, "reason": "damaged" }] }),
        )
        .await;
    assert_eq!(by_desk.status, 403, "a dealer returns, not the manufacturer");

    // A shipment nobody has received yet has nothing to return.
    let order_id = id_of(&app, "orders", "dealer_order_number", "VK-2026-0141").await;
    let warehouse = app.token("warehouse@demo.test").await;
    let order = app.get(&format!("/api/v1/orders/{order_id}"), &warehouse).await.json();
    let water = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == "BS-0001")
        .unwrap();
    let shipped = app
        .post(
            &format!("/api/v1/sales-orders/{}/shipments", water["sales_order_id"]),
            &warehouse,
            json!({ "packages": ["146012345000000019"], "lines": [{ "line_number": water["line_number"], "quantity": 12 }] }),
        )
        .await;
    let fresh = shipped.json()["id"].as_i64().unwrap();
    let dealer = app.token("dealer@demo.test").await;
    let unreceived = app
        .post(
            &format!("/api/v1/shipments/{fresh}/returns"),
            &dealer,
            json!({ "lines": [{ "line_number": water["line_number"], "quantity": 1, "reason": "damaged" }] }),
        )
        .await;
    assert_eq!(unreceived.error_codes(), vec!["return.line_not_received"]);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM returns").await,
        0,
        "nothing was recorded"
    );
}

#[tokio::test]
async fn a_return_travels_from_the_order_page_through_the_desk_to_the_warehouse() {
    let app = TestApp::with_demo().await;
    let (shipment, juice) = received_juice(&app).await;
    let line = juice["order_line_number"].as_i64().unwrap();
    let order_id = id_of(&app, "orders", "dealer_order_number", "VK-2026-0144").await;
    let dealer = app.browser_session("dealer@demo.test").await;
    let page = app.page(&dealer, &format!("/orders/{order_id}")).await.text();
    let quantity = format!("return_{shipment}_quantity_{line}");
    assert!(
        page.contains(&format!("name=\"{quantity}\"")),
        "a received shipment offers a return"
    );
    let reason = format!("return_{shipment}_reason_{line}");
    let note = format!("return_{shipment}_note");
    let order = order_id.to_string();
    let action = format!("/shipments/{shipment}/returns");
    let too_many = app
        .submit(
            &dealer,
            &action,
            &[
                ("order_id", order.as_str()),
                (quantity.as_str(), "99"),
                (reason.as_str(), "expired"),
                (note.as_str(), "Two crates past their date"),
            ],
        )
        .await;
    assert_eq!(too_many.status, 200);
    let refused = too_many.text();
    assert!(refused.contains("At most 24 units can still be returned."), "{refused}");
    assert!(
        refused.contains(&format!(
            "name=\"{quantity}\" inputmode=\"numeric\" size=\"6\" value=\"99\""
        )) && refused.contains("<option value=\"expired\" selected>")
            && refused.contains("value=\"Two crates past their date\""),
        "the form comes back as it was typed: {refused}"
    );
    let sent = app
        .submit(
            &dealer,
            &action,
            &[
                ("order_id", order.as_str()),
                (quantity.as_str(), "2"),
                (reason.as_str(), "damaged"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text());

    let id = app.count("SELECT MAX(id) AS n FROM returns").await;
    let desk = app.browser_session("orders@demo.test").await;
    let refused = app
        .submit(&desk, &format!("/returns/{id}/decision"), &[("decision", "reject")])
        .await;
    assert_eq!(refused.status, 200, "a rejection needs a reason");
    let approved = app
        .submit(&desk, &format!("/returns/{id}/decision"), &[("decision", "approve")])
        .await;
    assert_eq!(approved.status, 303);
    let warehouse = app.browser_session("warehouse@demo.test").await;
    let list = app.page(&warehouse, "/returns?state=approved").await.text();
    assert!(list.contains(&format!("RN-{id:06}")), "the return notice is listed");
    let good = format!("good_{line}");
    let defective = format!("defective_{line}");
    let taken = app
        .submit(
            &warehouse,
            &format!("/returns/{id}/arrival"),
            &[(good.as_str(), "1"), (defective.as_str(), "1")],
        )
        .await;
    assert_eq!(taken.status, 303, "{}", taken.text());
    assert_ledger_holds(&app).await;
}

async fn post_photo(app: &TestApp, token: &str, id: i64, bytes: &[u8]) -> testkit::TestResponse {
    app.send(
        axum::http::Request::post(format!("/api/v1/returns/{id}/photos"))
            .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
            .header(axum::http::header::CONTENT_TYPE, "image/png")
            .body(axum::body::Body::from(bytes.to_vec()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn photos_of_the_goods_go_with_the_request_and_only_to_those_who_see_it() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let (shipment, juice) = received_juice(&app).await;
    let requested = app
        .post(
            &format!("/api/v1/shipments/{shipment}/returns"),
            &dealer,
            json!({ "lines": [{ "line_number": juice["order_line_number"], "quantity": 2, "reason": "damaged" }] }),
        )
        .await;
    let id = requested.json()["id"].as_i64().unwrap();
    let picture = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR broken bottles";
    let added = post_photo(&app, &dealer, id, picture).await;
    assert_eq!(added.status, 201, "{}", added.text());
    let photo = added.json()["id"].as_i64().unwrap();
    let script = post_photo(&app, &dealer, id, b"<svg onload=alert(1)>").await;
    assert_eq!(script.error_codes(), vec!["product.image_type"], "only real pictures");
    let mine = app.get("/api/v1/returns", &dealer).await.json();
    assert_eq!(mine["items"][0]["photo_ids"], json!([photo]));
    let seen = app.get(&format!("/api/v1/returns/{id}/photos/{photo}"), &dealer).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.headers["content-type"], "image/png");
    assert_eq!(seen.body, picture.to_vec());
    let china = app.token("dealer2@demo.test").await;
    assert_eq!(
        app.get(&format!("/api/v1/returns/{id}/photos/{photo}"), &china)
            .await
            .status,
        404
    );
    let desk = app.token("orders@demo.test").await;
    assert_eq!(
        app.get(&format!("/api/v1/returns/{id}/photos/{photo}"), &desk)
            .await
            .status,
        200
    );
    app.post(
        &format!("/api/v1/returns/{id}/decision"),
        &desk,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(
        post_photo(&app, &dealer, id, picture).await.status,
        409,
        "decided returns take no more photos"
    );
}

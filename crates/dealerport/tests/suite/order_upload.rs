//! Orders uploaded as a spreadsheet: rows with one order number and delivery location make an
//! order, one number for several locations makes one order per location (a consolidated order),
//! and a file with any problem places nothing, naming each problem's row and column.

use axum::body::Body;
use axum::http::{header, Method, Request};
use testkit::{TestApp, TestResponse};
use xlsx::Cell;

use crate::{assert_ledger_holds, reserved};

const DAY: &str = "2026-12-15";

/// (order number, delivery location, delivery day, product, quantity) rows.
fn order_file(rows: &[(&str, &str, &str, &str, &str)]) -> Vec<u8> {
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|(number, location, day, product, quantity)| {
            [number, location, day, product, quantity]
                .iter()
                .map(|text| Cell::Text((**text).to_owned()))
                .collect()
        })
        .collect();
    xlsx::write_table(
        "orders",
        &[
            "order_number",
            "delivery_location",
            "delivery_on",
            "product",
            "quantity",
        ],
        &rows,
    )
    .unwrap()
}

async fn upload(app: &TestApp, token: &str, file: Vec<u8>) -> TestResponse {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/orders/upload")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, xlsx::MEDIA_TYPE)
            .header(header::ACCEPT_LANGUAGE, "en")
            .body(Body::from(file))
            .unwrap(),
    )
    .await
}

async fn orders(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM orders").await
}

/// (field, row, code) of each problem of a refused upload.
fn problems(response: &TestResponse) -> Vec<(String, String, String)> {
    response.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["params"]["row"].as_str().unwrap_or("").to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_consolidated_file_places_one_order_per_delivery_location_at_once() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let gtin: String = app
        .db
        .fetch_one(&platform::Query::new("SELECT gtin FROM products WHERE sku = 'BS-0006'"))
        .await
        .unwrap()
        .get("gtin")
        .unwrap();
    let water_before = reserved(&app, "BS-0001").await;
    let file = order_file(&[
        ("PO-777", "MSK-WH1", DAY, "BS-0001", "120"),
        ("PO-777", "msk-wh2", DAY, "BS-0001", "60"),
        ("PO-777", "MSK-WH1", DAY, &gtin, "36"),
    ]);
    let placed = upload(&app, &dealer, file.clone()).await;
    assert_eq!(placed.status, 201, "{}", placed.text());
    let placed = placed.json();
    let ids: Vec<i64> = placed["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "one order per delivery location");
    let first = app.get(&format!("/api/v1/orders/{}", ids[0]), &dealer).await.json();
    let second = app.get(&format!("/api/v1/orders/{}", ids[1]), &dealer).await.json();
    assert_eq!(first["dealer_order_number"], "PO-777-MSK-WH1");
    let regular = |order: &serde_json::Value| {
        order["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["kind"] == "regular")
            .map(|l| (l["sku"].as_str().unwrap().to_owned(), l["quantity"].as_i64().unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        regular(&first),
        vec![("BS-0001".to_owned(), 120), ("BS-0006".to_owned(), 36)],
        "a GTIN finds its product"
    );
    assert_eq!(first["channel"], "xlsx");
    assert_eq!(second["dealer_order_number"], "PO-777-MSK-WH2");
    assert_eq!(regular(&second), vec![("BS-0001".to_owned(), 60)]);
    let water_ordered: i64 = [&first, &second]
        .iter()
        .flat_map(|o| o["lines"].as_array().unwrap().iter())
        .filter(|l| l["sku"] == "BS-0001")
        .map(|l| l["quantity"].as_i64().unwrap())
        .sum();
    assert_eq!(
        reserved(&app, "BS-0001").await,
        water_before + water_ordered,
        "both orders hold their water, free bottles included"
    );
    assert_ledger_holds(&app).await;

    let count = orders(&app).await;
    let again = upload(&app, &dealer, file).await;
    assert_eq!(
        again.status,
        200,
        "the same file again places nothing: {}",
        again.text()
    );
    let again_ids: Vec<i64> = again.json()["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_id"].as_i64().unwrap())
        .collect();
    assert_eq!(again_ids, ids);
    assert_eq!(orders(&app).await, count);

    let partly_again = upload(
        &app,
        &dealer,
        order_file(&[
            ("PO-777", "MSK-WH1", DAY, "BS-0001", "120"),
            ("PO-777", "msk-wh2", DAY, "BS-0001", "60"),
            ("PO-779", "MSK-WH1", DAY, "BS-0001", "12"),
        ]),
    )
    .await;
    assert_eq!(partly_again.status, 422, "{}", partly_again.text());
    let used: Vec<String> = problems(&partly_again).into_iter().map(|(_, _, code)| code).collect();
    assert_eq!(
        used,
        vec!["order.number_used", "order.number_used"],
        "both numbers placed before are named"
    );
    assert_eq!(
        orders(&app).await,
        count,
        "the new order is not placed without the others"
    );
}

#[tokio::test]
async fn a_file_with_any_bad_row_places_nothing_and_names_every_row() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let count = orders(&app).await;
    let movements = app.count("SELECT COUNT(*) AS n FROM stock_movements").await;

    let unreadable = upload(
        &app,
        &dealer,
        order_file(&[
            ("PO-1", "MSK-WH1", DAY, "BS-0001", "120"),
            ("PO-1", "SHOP-1", DAY, "BS-0002", "60"),
            ("PO-1", "MSK-WH1", "15.12.2026", "BS-0006", "36"),
            ("PO-1", "MSK-WH1", DAY, "BS-0009", "a dozen"),
            ("", "MSK-WH1", DAY, "BS-0012", "24"),
        ]),
    )
    .await;
    assert_eq!(unreadable.status, 422, "{}", unreadable.text());
    assert_eq!(
        problems(&unreadable),
        vec![
            ("delivery_location".into(), "3".into(), "order.unknown_location".into()),
            ("delivery_on".into(), "4".into(), "field.date".into()),
            ("quantity".into(), "5".into(), "field.whole_number".into()),
            ("order_number".into(), "6".into(), "field.required".into()),
        ],
        "another dealer's location is not one of Vektor's"
    );

    let unorderable = upload(
        &app,
        &dealer,
        order_file(&[
            ("PO-2", "MSK-WH1", DAY, "BS-0001", "120"),
            ("PO-2", "MSK-WH1", DAY, "NO-SUCH-SKU", "12"),
            ("PO-2", "MSK-WH1", DAY, "BS-0006", "37"),
            ("PO-3", "MSK-WH2", "2026-01-05", "BS-0001", "12"),
            ("PO-3", "MSK-WH2", "2026-01-05", "BS-0002", "0"),
        ]),
    )
    .await;
    assert_eq!(unorderable.status, 422, "{}", unorderable.text());
    let found = problems(&unorderable);
    assert!(
        found.contains(&("product".into(), "3".into(), "order.product_not_orderable".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("quantity".into(), "4".into(), "order.not_a_multiple".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("delivery_on".into(), "5".into(), "order.date_in_past".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("quantity".into(), "6".into(), "field.positive".into())),
        "{found:?}"
    );

    let broken = upload(&app, &dealer, b"PK\x03\x04 not really a workbook".to_vec()).await;
    assert_eq!(broken.status, 422);
    assert_eq!(broken.error_fields(), vec!["file"]);

    assert_eq!(orders(&app).await, count, "no order was placed");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM stock_movements").await,
        movements,
        "no stock was reserved"
    );
    let desk = app.token("orders@demo.test").await;
    let refused = upload(&app, &desk, order_file(&[("PO-4", "MSK-WH1", DAY, "BS-0001", "120")])).await;
    assert_eq!(refused.status, 403, "only a dealer's user orders for its dealer");
}

#[tokio::test]
async fn the_upload_page_shows_the_problems_in_the_dealers_language_with_a_report() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("dealer@demo.test").await;
    let post = |file: Vec<u8>| {
        let boundary = "dealerportboundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"po.xlsx\"\r\nContent-Type: {}\r\n\r\n",
            session.csrf_token,
            xlsx::MEDIA_TYPE
        )
        .into_bytes();
        body.extend(file);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        Request::post("/orders/upload")
            .header(header::COOKIE, &session.cookie)
            .header(header::ACCEPT_LANGUAGE, "ru")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap()
    };
    let form = app.page(&session, "/orders/upload").await;
    assert_eq!(form.status, 200);
    assert!(form.text().contains("/orders/upload/template"));
    let template = app.page(&session, "/orders/upload/template").await;
    assert_eq!(template.status, 200);
    let headers = xlsx::read_table(&template.body).unwrap().headers;
    assert_eq!(
        headers,
        vec![
            "order_number",
            "delivery_location",
            "delivery_on",
            "product",
            "quantity",
            "comment"
        ]
    );

    let refused = app
        .send(post(order_file(&[("PO-9", "NOWHERE", DAY, "BS-0001", "120")])))
        .await;
    assert_eq!(refused.status, 200);
    let page = refused.text();
    assert!(page.contains("Это не ваш адрес доставки."), "{page}");
    assert!(
        page.contains("href=\"data:application/vnd.openxmlformats"),
        "the error report"
    );

    let placed = app
        .send(post(order_file(&[("PO-9", "MSK-WH1", DAY, "BS-0001", "120")])))
        .await;
    assert_eq!(placed.status, 303, "{}", placed.text());
    assert_eq!(placed.headers["location"], "/orders?done=orders_uploaded");
}

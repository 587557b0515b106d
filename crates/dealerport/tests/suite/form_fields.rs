//! A refused form comes back with what was typed and each error next to its own field — and
//! only there — also on pages with several forms: the order, the cart and the dealer card.

use serde_json::json;
use testkit::{BrowserSession, TestApp};

use crate::edi_pages::field_error;
use crate::ordering::{order_body, place};
use crate::{id_of, location_of};

/// The `value` of the input with `id`, as the page gives it back.
fn value_of<'a>(page: &'a str, id: &str) -> Option<&'a str> {
    let tag = page.split(&format!("id=\"{id}\"")).nth(1)?.split('>').next()?;
    tag.split(" value=\"").nth(1)?.split('"').next()
}

/// A Vektor order awaiting the order desk.
async fn submitted_order(app: &TestApp, number: &str, quantity: i64) -> i64 {
    let dealer = app.token("dealer@demo.test").await;
    let water = id_of(app, "products", "sku", "BS-0001").await;
    let location = location_of(app, "VEKTOR").await;
    let order = place(app, &dealer, order_body(number, location, &[(water, quantity)])).await;
    order["order_id"].as_i64().unwrap()
}

async fn post(app: &TestApp, session: &BrowserSession, path: &str, fields: &[(&str, &str)]) -> String {
    let response = app.submit(session, path, fields).await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.text()
}

#[tokio::test]
async fn each_reason_on_the_order_page_has_its_own_error_and_keeps_what_was_typed() {
    let app = TestApp::with_demo().await;
    let id = submitted_order(&app, "F-0001", 12).await;
    let desk = app.browser_session("orders@demo.test").await;

    let page = post(&app, &desk, &format!("/orders/{id}/cancel"), &[("reason", " ")]).await;
    assert!(
        field_error(&page, "cancel_reason").is_some(),
        "the manufacturer's cancellation needs a reason, said at its field: {page}"
    );
    assert_eq!(field_error(&page, "reject_reason"), None, "not at the rejection's");

    let long = "Не тот склад ".repeat(100);
    let page = post(&app, &desk, &format!("/orders/{id}/reject"), &[("reason", &long)]).await;
    assert!(field_error(&page, "reject_reason").is_some(), "too long: {page}");
    assert_eq!(field_error(&page, "cancel_reason"), None);
    assert_eq!(value_of(&page, "reject_reason"), Some(long.as_str()));
    assert_eq!(value_of(&page, "cancel_reason"), Some(""), "the other form stays empty");

    // Finance refuses a held order only with a reason.
    let finance = app.token("finance@demo.test").await;
    let vektor = id_of(&app, "dealers", "code", "VEKTOR").await;
    let lowered = app
        .put(
            &format!("/api/v1/dealers/{vektor}/credit"),
            &finance,
            json!({ "credit_limit": "100.00" }),
        )
        .await;
    assert_eq!(lowered.status, 204, "{}", lowered.text());
    let held = submitted_order(&app, "F-0002", 120).await;
    let finance = app.browser_session("finance@demo.test").await;
    let page = post(
        &app,
        &finance,
        &format!("/orders/{held}/credit-decision"),
        &[("decision", "refuse"), ("reason", "")],
    )
    .await;
    assert!(field_error(&page, "credit_reason").is_some(), "{page}");
}

#[tokio::test]
async fn the_shipment_and_change_forms_keep_what_was_typed() {
    let app = TestApp::with_demo().await;
    let order = id_of(&app, "orders", "dealer_order_number", "VK-2026-0141").await;
    let path = format!("/orders/{order}");
    let warehouse = app.browser_session("warehouse@demo.test").await;
    let page = app.page(&warehouse, &path).await.text();
    let sales_order = page
        .split("action=\"/sales-orders/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let p = format!("ship_{sales_order}_");
    let line = page
        .split(&format!("name=\"{p}quantity_"))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let field = |name: &str| format!("{p}{name}");
    let (quantity, batch) = (field(&format!("quantity_{line}")), field(&format!("batch_{line}")));
    let page = post(
        &app,
        &warehouse,
        &format!("/sales-orders/{sales_order}/shipments"),
        &[
            ("order_id", &order.to_string()),
            (&quantity, "twelve"),
            (&batch, "L-2026-11"),
            (&field("vehicle"), "TRUCK-7"),
            (&field("arrival"), "2026-12-24"),
            (&field("packages"), "00346012345678901231"),
        ],
    )
    .await;
    assert!(field_error(&page, &quantity).is_some(), "{page}");
    assert_eq!(value_of(&page, &quantity), Some("twelve"));
    assert_eq!(value_of(&page, &batch), Some("L-2026-11"));
    assert_eq!(value_of(&page, &field("vehicle")), Some("TRUCK-7"));
    assert_eq!(value_of(&page, &field("arrival")), Some("2026-12-24"));
    assert!(page.contains(">00346012345678901231</textarea>"), "{page}");

    let dealer = app.browser_session("dealer@demo.test").await;
    let page = post(
        &app,
        &dealer,
        &format!("{path}/change-requests"),
        &[
            ("change_quantity_1", "a hundred"),
            ("change_date_2", "2026-12-20"),
            ("change_reason", "The truck leaves later"),
        ],
    )
    .await;
    assert_eq!(field_error(&page, "change_quantity_1"), Some("Enter a whole number."));
    assert_eq!(value_of(&page, "change_quantity_1"), Some("a hundred"));
    assert_eq!(value_of(&page, "change_date_2"), Some("2026-12-20"));
    assert_eq!(value_of(&page, "change_reason"), Some("The truck leaves later"));
}

#[tokio::test]
async fn a_refused_cart_quantity_or_saved_cart_name_is_shown_at_its_field_as_typed() {
    let app = TestApp::with_demo().await;
    let dealer = app.browser_session("dealer@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await.to_string();
    let added = app
        .submit(
            &dealer,
            "/cart/lines",
            &[("product_id", &water), ("quantity", "24"), ("add", "on")],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.text());
    let quantity = format!("quantity_{water}");

    let page = post(
        &app,
        &dealer,
        "/cart/lines",
        &[("product_id", &water), ("quantity", "two dozen")],
    )
    .await;
    assert_eq!(field_error(&page, &quantity), Some("Enter a whole number."), "{page}");
    assert_eq!(value_of(&page, &quantity), Some("two dozen"));

    let page = post(
        &app,
        &dealer,
        "/cart/lines",
        &[("product_id", &water), ("quantity", "-6")],
    )
    .await;
    assert_eq!(field_error(&page, &quantity), Some("Must be greater than zero."));
    assert_eq!(value_of(&page, &quantity), Some("-6"));

    let long = "Monday ".repeat(20);
    let page = post(&app, &dealer, "/cart/saved", &[("action", "save"), ("name", &long)]).await;
    assert_eq!(
        field_error(&page, "cart_name"),
        Some("At most 100 characters."),
        "{page}"
    );
    assert_eq!(value_of(&page, "cart_name"), Some(long.as_str()));
}

#[tokio::test]
async fn a_refused_location_or_contact_keeps_what_was_typed_with_every_error_at_its_field() {
    let app = TestApp::with_demo().await;
    let admin = app.browser_session("admin@demo.test").await;
    let vektor = id_of(&app, "dealers", "code", "VEKTOR").await;

    let page = post(
        &app,
        &admin,
        &format!("/dealers/{vektor}/locations"),
        &[
            ("code", "no spaces please"),
            ("name", "Склад на Ленина"),
            ("address", "ул. Ленина, 5"),
            ("gln", "123"),
            ("is_primary", "on"),
        ],
    )
    .await;
    assert!(field_error(&page, "location_code").is_some(), "{page}");
    assert!(field_error(&page, "location_gln").is_some());
    assert_eq!(value_of(&page, "location_code"), Some("no spaces please"));
    assert_eq!(value_of(&page, "location_name"), Some("Склад на Ленина"));
    assert_eq!(value_of(&page, "location_gln"), Some("123"));
    assert!(page.contains(">ул. Ленина, 5</textarea>"));
    assert!(page.contains("name=\"is_primary\" value=\"on\" checked"));

    let page = post(
        &app,
        &admin,
        &format!("/dealers/{vektor}/contacts"),
        &[
            ("name", "Иван Петров"),
            ("position", &"Director ".repeat(30)),
            ("email", "ivan@vektor.example"),
            ("phone", &"8".repeat(41)),
        ],
    )
    .await;
    assert!(field_error(&page, "contact_position").is_some(), "{page}");
    assert!(field_error(&page, "contact_phone").is_some(), "{page}");
    assert_eq!(field_error(&page, "contact_name"), None);
    assert_eq!(value_of(&page, "contact_name"), Some("Иван Петров"));
    assert_eq!(value_of(&page, "contact_email"), Some("ivan@vektor.example"));
}

//! Sales organisations: the manufacturer's companies that sell and invoice products. A
//! confirmed order becomes one sales order per warehouse and sales organisation.

use serde_json::{json, Value};
use testkit::TestApp;

use crate::{id_of, location_of};

/// A GTIN-13 with a valid check digit that the demo does not use.
const NEW_GTIN: &str = "4607001000013";

fn product(sku: &str, organisation: &str) -> Value {
    json!({"sku": sku, "gtin": NEW_GTIN, "name_en": "Kvass 1 L", "name_ru": "Квас 1 л", "name_zh": "格瓦斯 1升",
        "unit": "BO", "pack_size": 6, "sales_organisation_code": organisation})
}

#[tokio::test]
async fn an_order_of_water_and_juice_becomes_one_sales_order_per_selling_company() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0002").await;
    let juice = id_of(&app, "products", "sku", "BS-0006").await;
    let location = location_of(&app, "VEKTOR").await;
    let placed = app
        .post(
            "/api/v1/orders",
            &dealer,
            json!({"dealer_order_number": "SO-SPLIT-1", "delivery_location_id": location,
                "requested_delivery_on": "2026-11-30",
                "lines": [{"product_id": water, "quantity": 60}, {"product_id": juice, "quantity": 12}]}),
        )
        .await;
    assert_eq!(placed.status, 201, "{}", placed.text());
    let order_id = placed.json()["order_id"].as_i64().unwrap();
    let confirmed = app
        .post(&format!("/api/v1/orders/{order_id}/confirm"), &desk, json!({}))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());

    let order = app.get(&format!("/api/v1/orders/{order_id}"), &dealer).await.json();
    let sales_orders = order["sales_orders"].as_array().unwrap();
    let sellers: Vec<(&str, &str)> = sales_orders
        .iter()
        .map(|s| {
            (
                s["warehouse_code"].as_str().unwrap(),
                s["sales_organisation_code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(sellers, vec![("MSK-DC", "BS01"), ("MSK-DC", "BJ01")]);
    for line in order["lines"].as_array().unwrap() {
        let seller = if line["sku"] == "BS-0006" { "BJ01" } else { "BS01" };
        let sales_order = sales_orders
            .iter()
            .find(|s| s["id"] == line["sales_order_id"])
            .unwrap_or_else(|| panic!("line {line} has no sales order"));
        assert_eq!(sales_order["sales_organisation_code"], seller, "{line}");
    }

    let session = app.browser_session("dealer@demo.test").await;
    let page = app.page(&session, &format!("/orders/{order_id}")).await.text();
    assert!(page.contains("ООО «Байкал Спрингс»"), "{page}");
    assert!(page.contains("ООО «Байкальские соки»"), "{page}");
}

#[tokio::test]
async fn the_administrator_adds_sales_organisations_and_products_name_theirs() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;

    let added = app
        .post(
            "/api/v1/sales-organisations",
            &admin,
            json!({"code": "CN01", "name": "贝加尔泉（上海）贸易有限公司"}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text());
    let again = app
        .post(
            "/api/v1/sales-organisations",
            &admin,
            json!({"code": "CN01", "name": "Twice"}),
        )
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(again.error_codes(), vec!["sales_organisation.code_taken"]);
    let blank = app
        .post("/api/v1/sales-organisations", &admin, json!({"code": " ", "name": ""}))
        .await;
    assert_eq!(blank.error_fields(), vec!["code", "name"]);
    let manager = app.token("manager@demo.test").await;
    let not_allowed = app
        .post(
            "/api/v1/sales-organisations",
            &manager,
            json!({"code": "CN02", "name": "Not mine to add"}),
        )
        .await;
    assert_eq!(not_allowed.status, 403);
    let codes: Vec<Value> = app.get("/api/v1/sales-organisations", &admin).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].clone())
        .collect();
    assert_eq!(codes, vec![json!("BJ01"), json!("BS01"), json!("CN01")]);

    let unknown = app.post("/api/v1/products", &admin, product("KV-1", "NOPE")).await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.error_fields(), vec!["sales_organisation_code"]);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM products WHERE sku = 'KV-1'").await,
        0
    );
    let created = app.post("/api/v1/products", &admin, product("KV-1", "CN01")).await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(
        created.json()["sales_organisation_id"],
        added.json()["id"],
        "the product is sold by the organisation it names"
    );
}

#[tokio::test]
async fn the_sales_organisations_page_lists_them_and_adds_one() {
    let app = TestApp::with_demo().await;
    let admin = app.browser_session("admin@demo.test").await;
    let page = app.page(&admin, "/sales-organisations").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("ООО «Байкальские соки»"));

    let refused = app
        .submit(&admin, "/sales-organisations", &[("code", "BS01"), ("name", "Again")])
        .await;
    assert_eq!(
        refused.status,
        200,
        "the form comes back with its error: {}",
        refused.text()
    );
    assert!(refused
        .text()
        .contains("Another sales organisation already has this code."));
    let added = app
        .submit(
            &admin,
            "/sales-organisations",
            &[("code", "KZ01"), ("name", "ТОО «Байкал Спрингс Казахстан»")],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.text());
    assert!(app
        .page(&admin, "/sales-organisations")
        .await
        .text()
        .contains("ТОО «Байкал Спрингс Казахстан»"));

    let manager = app.browser_session("manager@demo.test").await;
    let read_only = app.page(&manager, "/sales-organisations").await.text();
    assert!(
        !read_only.contains("method=\"post\" action=\"/sales-organisations\""),
        "only administrators add them"
    );
}

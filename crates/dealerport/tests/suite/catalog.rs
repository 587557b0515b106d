//! Each dealer sees its own catalog at its own prices, and can see why.

use serde_json::json;
use testkit::TestApp;

use crate::id_of;

fn skus(page: &serde_json::Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sku"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_dealer_sees_only_what_is_published_to_it() {
    let app = TestApp::with_demo().await;
    let russian = app.token("dealer@demo.test").await;
    let chinese = app.token("dealer2@demo.test").await;
    let energy = id_of(&app, "products", "sku", "BS-0015").await;
    let in_russia = app.get("/api/v1/catalog?per_page=100", &russian).await.json();
    assert_eq!(skus(&in_russia).len(), 17);
    let in_china = app.get("/api/v1/catalog?per_page=100", &chinese).await.json();
    assert_eq!(skus(&in_china).len(), 15, "energy drinks are published to Russia only");
    assert!(!skus(&in_china).contains(&"BS-0015".to_owned()));
    let hidden = app.get(&format!("/api/v1/catalog/{energy}"), &chinese).await;
    assert_eq!(
        hidden.status, 404,
        "an unpublished product does not exist for the dealer"
    );
    let favorite = app
        .call(
            axum::http::Method::PUT,
            &format!("/api/v1/favorites/{energy}"),
            Some(&chinese),
            None,
        )
        .await;
    assert_eq!(favorite.status, 404);
    let search = app
        .get("/api/v1/catalog?search=%E8%83%BD%E9%87%8F", &chinese)
        .await
        .json();
    assert!(
        skus(&search).is_empty(),
        "searching in Chinese for 能量 finds nothing unpublished"
    );
}

#[tokio::test]
async fn each_dealer_is_priced_from_its_most_specific_list_in_its_currency() {
    let app = TestApp::with_demo().await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let vektor = app
        .get(
            &format!("/api/v1/catalog/{water}/price?quantity=12"),
            &app.token("dealer@demo.test").await,
        )
        .await
        .json();
    assert_eq!(vektor["currency"], "RUB");
    assert_eq!(vektor["unit_price"], "45.08", "Vektor's contract price: 92 % of 49.00");
    assert_eq!(vektor["line_total"], "540.96");
    let steps: Vec<(&str, &str)> = vektor["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap(), s["price_list_code"].as_str().unwrap()))
        .collect();
    assert_eq!(steps, vec![("base_price", "BASE-RUB"), ("list_price", "VEKTOR-2026")]);
    let neva = app
        .get(
            &format!("/api/v1/catalog/{water}/price?quantity=12"),
            &app.token("admin@demo.test").await,
        )
        .await;
    assert_eq!(neva.status, 422, "an internal user must say which dealer");
    let neva_id = id_of(&app, "dealers", "code", "NEVA-TRADE").await;
    let neva = app
        .get(
            &format!("/api/v1/catalog/{water}/price?quantity=120&dealer_id={neva_id}"),
            &app.token("admin@demo.test").await,
        )
        .await
        .json();
    assert_eq!(neva["unit_price"], "46.55", "the base list's break from ten packs");
    let shanghai = app
        .get(
            &format!("/api/v1/catalog/{water}/price?quantity=12"),
            &app.token("dealer2@demo.test").await,
        )
        .await
        .json();
    assert_eq!(shanghai["currency"], "CNY");
    assert_eq!(shanghai["unit_price"], "4.41", "the region list for China, in yuan");
}

/// Each server keeps the tenant's price lists in memory; a list added anywhere, even by hand in
/// the database, prices the next request.
#[tokio::test]
async fn a_price_list_added_through_another_server_prices_the_next_request() {
    let app = TestApp::with_demo().await;
    let other_server = app.database.connect().await;
    let admin = app.token("admin@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let neva = id_of(&app, "dealers", "code", "NEVA-TRADE").await;
    let price_path = format!("/api/v1/catalog/{water}/price?quantity=12&dealer_id={neva}");
    let before = app.get(&price_path, &admin).await.json();
    assert_eq!(before["unit_price"], "49.00", "the base list: {before}");

    other_server
        .execute(&platform::Query::new(format!(
            "INSERT INTO price_lists (tenant_id, code, name, audience, audience_id, currency, created_at)
             SELECT tenant_id, 'NEVA-HAND', 'Neva by hand', 'dealer', id, 'RUB', created_at FROM dealers WHERE id = {neva}"
        )))
        .await
        .unwrap();
    other_server
        .execute(&platform::Query::new(format!(
            "INSERT INTO price_list_rows (tenant_id, price_list_id, product_id, min_quantity, unit_price_minor, valid_from)
             SELECT tenant_id, (SELECT id FROM price_lists WHERE code = 'NEVA-HAND'), id, 1, 4000, '2026-01-01'
             FROM products WHERE id = {water}"
        )))
        .await
        .unwrap();
    let after = app.get(&price_path, &admin).await.json();
    assert_eq!(after["unit_price"], "40.00", "Neva's own list: {after}");
    assert_eq!(after["steps"][1]["price_list_code"], "NEVA-HAND", "{after}");
}

#[tokio::test]
async fn a_sales_manager_checks_prices_only_for_dealers_in_their_regions() {
    let app = TestApp::with_demo().await;
    let manager = app.token("manager@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let own = id_of(&app, "dealers", "code", "VEKTOR").await;
    let foreign = id_of(&app, "dealers", "code", "SH-QINGQUAN").await;
    assert_eq!(
        app.get(&format!("/api/v1/catalog/{water}/price?dealer_id={own}"), &manager)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/catalog/{water}/price?dealer_id={foreign}"), &manager)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/catalog?dealer_id={foreign}"), &manager)
            .await
            .status,
        404
    );
    let dealer = app.token("dealer@demo.test").await;
    assert_eq!(
        app.get(&format!("/api/v1/catalog?dealer_id={foreign}"), &dealer)
            .await
            .status,
        404,
        "a dealer sees only its own catalog"
    );
}

#[tokio::test]
async fn favorites_belong_to_each_user_of_a_dealer() {
    let app = TestApp::with_demo().await;
    let buyer = app.token("dealer@demo.test").await;
    let colleague = app.token("vektor.admin@demo.test").await;
    let juice = id_of(&app, "products", "sku", "BS-0006").await;
    let added = app
        .call(
            axum::http::Method::PUT,
            &format!("/api/v1/favorites/{juice}"),
            Some(&buyer),
            None,
        )
        .await;
    assert_eq!(added.status, 204);
    let mine = app.get("/api/v1/catalog?favorites=true", &buyer).await.json();
    assert_eq!(skus(&mine), vec!["BS-0006"]);
    assert_eq!(mine["items"][0]["favorite"], true);
    assert_eq!(
        mine["items"][0]["unit_price"], "173.88",
        "favorites come with prices, ready for the cart"
    );
    let theirs = app.get("/api/v1/catalog?favorites=true", &colleague).await.json();
    assert!(skus(&theirs).is_empty());
    app.call(
        axum::http::Method::DELETE,
        &format!("/api/v1/favorites/{juice}"),
        Some(&buyer),
        None,
    )
    .await;
    assert!(skus(&app.get("/api/v1/catalog?favorites=true", &buyer).await.json()).is_empty());
}

#[tokio::test]
async fn the_manufacturer_sees_who_opened_which_product_and_what_nobody_opened() {
    let app = TestApp::with_demo().await;
    let buyer = app.token("dealer@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    for _ in 0..3 {
        assert_eq!(app.get(&format!("/api/v1/catalog/{water}"), &buyer).await.status, 200);
    }
    let dealer = id_of(&app, "dealers", "code", "VEKTOR").await;
    let manager = app.token("manager@demo.test").await;
    let views = app
        .get(
            &format!("/api/v1/catalog-statistics/views?dealer_id={dealer}"),
            &manager,
        )
        .await
        .json();
    assert_eq!(views["total"], 1);
    assert_eq!(views["items"][0]["view_count"], 3);
    assert_eq!(views["items"][0]["user_login"], "dealer@demo.test");
    let unopened = app
        .get(
            &format!("/api/v1/catalog-statistics/never-viewed?dealer_id={dealer}&per_page=100"),
            &manager,
        )
        .await
        .json();
    assert_eq!(unopened["items"].as_array().unwrap().len(), 16);
    assert_eq!(unopened["total"], 16);
    assert!(
        !unopened["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["sku"] == "BS-0001"),
        "the product opened is not among them"
    );
    let skus = |body: serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["sku"].as_str().unwrap().to_owned())
            .collect()
    };
    let path = format!("/api/v1/catalog-statistics/never-viewed?dealer_id={dealer}&per_page=100");
    let ascending = skus(app.get(&format!("{path}&sort=sku"), &manager).await.json());
    let mut descending = skus(app.get(&format!("{path}&sort=-sku"), &manager).await.json());
    descending.reverse();
    assert_eq!(ascending, descending, "sorted both ways");
    let found = skus(app.get(&format!("{path}&search=bs-0002"), &manager).await.json());
    assert_eq!(found, ["BS-0002"], "searched by SKU in any letter case");
    assert_eq!(app.get(&format!("{path}&sort=views"), &manager).await.status, 422);

    let session = app.browser_session("manager@demo.test").await;
    let statistics = app
        .page(&session, &format!("/catalog-statistics?dealer_id={dealer}"))
        .await
        .text();
    assert!(
        statistics.contains(&format!("href=\"/catalog-statistics/never-viewed?dealer_id={dealer}\"")),
        "the statistics page leads to the list: {statistics}"
    );
    assert!(statistics.contains("Products nobody has opened: 16"), "{statistics}");
    let page = app
        .page(
            &session,
            &format!("/catalog-statistics/never-viewed?dealer_id={dealer}&search=BS-0002"),
        )
        .await
        .text();
    assert!(page.contains("BS-0002") && !page.contains("BS-0003"), "{page}");
    let export = app
        .page(
            &session,
            &format!("/catalog-statistics/never-viewed/export?dealer_id={dealer}&sort=-sku"),
        )
        .await;
    let (headers, rows) = crate::lists::workbook(&export.body);
    assert_eq!(headers, ["SKU", "Product", "GTIN"]);
    let mut exported: Vec<String> = rows.into_iter().map(|row| row[0].clone()).collect();
    exported.reverse();
    assert_eq!(exported, ascending, "the export holds the list in the page's order");
    assert_eq!(
        app.get(&format!("/api/v1/catalog-statistics/views?dealer_id={dealer}"), &buyer)
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn withdrawing_a_publication_removes_the_product_from_the_catalog() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let dealer = app.token("dealer2@demo.test").await;
    let tea = id_of(&app, "products", "sku", "BS-0009").await;
    let shanghai = id_of(&app, "dealers", "code", "SH-QINGQUAN").await;
    let withdrawn = app
        .post(
            "/api/v1/publications/withdraw",
            &admin,
            json!({"product_ids": [tea], "audience": "all"}),
        )
        .await;
    assert_eq!(withdrawn.json()["changed"], 1);
    assert_eq!(app.get(&format!("/api/v1/catalog/{tea}"), &dealer).await.status, 404);
    let published = app
        .post(
            "/api/v1/publications",
            &admin,
            json!({"product_ids": [tea], "audience": "dealer", "audience_id": shanghai}),
        )
        .await;
    assert_eq!(published.json()["changed"], 1);
    assert_eq!(app.get(&format!("/api/v1/catalog/{tea}"), &dealer).await.status, 200);
    assert_eq!(
        app.get(&format!("/api/v1/catalog/{tea}"), &app.token("dealer@demo.test").await)
            .await
            .status,
        404
    );
    let bad = app
        .post(
            "/api/v1/publications",
            &admin,
            json!({"product_ids": [tea], "audience": "dealer", "audience_id": 999999}),
        )
        .await;
    assert_eq!(bad.error_fields(), vec!["audience_id"]);
}

#[tokio::test]
async fn bad_products_and_prices_are_refused_and_nothing_is_saved() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let product = json!({"sku": "NEW-1", "gtin": "4607001000016", "name_en": "X", "name_ru": "X", "name_zh": "X",
        "unit": "BARREL", "pack_size": 6, "vat_rate": "200"});
    let refused = app.post("/api/v1/products", &admin, product).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.error_codes(),
        vec![
            "identifier.check_digit",
            "product.unit_unknown",
            "product.vat_rate_invalid"
        ]
    );
    let no_currency = app
        .post(
            "/api/v1/price-lists",
            &admin,
            json!({"code": "X", "name": "X", "audience": "base", "currency": ""}),
        )
        .await;
    assert_eq!(no_currency.error_codes(), vec!["field.currency"]);
    let list = app
        .post(
            "/api/v1/price-lists",
            &admin,
            json!({"code": "SUMMER", "name": "Summer", "audience": "tier", "audience_id": 1, "currency": "RUB"}),
        )
        .await;
    assert_eq!(list.status, 201, "{}", list.text());
    let list_id = list.json()["id"].as_i64().unwrap();
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let rows = |rows: serde_json::Value| json!({ "rows": rows });
    let overlapping = app
        .post(
            &format!("/api/v1/price-lists/{list_id}/rows"),
            &admin,
            rows(json!([
                {"product_id": water, "min_quantity": 1, "unit_price": "45.00", "valid_from": "2026-06-01", "valid_to": "2026-08-31"},
                {"product_id": water, "min_quantity": 1, "unit_price": "44.00", "valid_from": "2026-08-01"},
                {"product_id": water, "min_quantity": 12, "unit_price": "0", "valid_from": "2026-06-01"},
                {"product_id": water, "min_quantity": 24, "unit_price": "40.00", "valid_from": "2026-06-01", "valid_to": "2026-05-01"}
            ])),
        )
        .await;
    assert_eq!(overlapping.status, 422);
    assert_eq!(
        overlapping.error_fields(),
        vec!["rows[2].unit_price", "rows[3].valid_to"]
    );
    let overlapping = app
        .post(
            &format!("/api/v1/price-lists/{list_id}/rows"),
            &admin,
            rows(json!([
                {"product_id": water, "min_quantity": 1, "unit_price": "45.00", "valid_from": "2026-06-01", "valid_to": "2026-08-31"},
                {"product_id": water, "min_quantity": 1, "unit_price": "44.00", "valid_from": "2026-08-01"}
            ])),
        )
        .await;
    assert_eq!(overlapping.error_codes(), vec!["price_list.period_overlaps"]);
    assert_eq!(overlapping.error_fields(), vec!["rows[1].valid_from"]);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM price_list_rows WHERE price_list_id = {list_id}"
        ))
        .await,
        0
    );
}

#[tokio::test]
async fn the_catalog_and_price_lists_export_to_spreadsheets_within_scope() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let export = app.get("/api/v1/catalog/export", &dealer).await;
    assert_eq!(export.status, 200);
    assert_eq!(
        export.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(export.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(&export.body[..2], b"PK", "an XLSX file is a zip archive");
    let foreign = id_of(&app, "dealers", "code", "SH-QINGQUAN").await;
    assert_eq!(
        app.get(&format!("/api/v1/catalog/export?dealer_id={foreign}"), &dealer)
            .await
            .status,
        404
    );
    let list = id_of(&app, "price_lists", "code", "BASE-RUB").await;
    assert_eq!(
        app.get(&format!("/api/v1/price-lists/{list}/export"), &dealer)
            .await
            .status,
        403
    );
    let admin = app.token("admin@demo.test").await;
    let prices = app.get(&format!("/api/v1/price-lists/{list}/export"), &admin).await;
    assert_eq!(prices.status, 200);
    assert_eq!(&prices.body[..2], b"PK");
}

#[tokio::test]
async fn the_catalog_shows_prices_with_vat_and_whether_stock_can_supply_them() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let page = app.get("/api/v1/catalog?search=BS-0009", &dealer).await.json();
    assert_eq!(page["items"][0]["unit_price"], "73.69");
    assert_eq!(
        page["items"][0]["unit_price_with_vat"], "88.43",
        "20 % VAT, rounded half up per unit"
    );
    assert_eq!(page["items"][0]["stock"], "in_stock");

    let admin = app.token("admin@demo.test").await;
    let lemonade = id_of(&app, "products", "sku", "BS-0012").await;
    let pack = app
        .count("SELECT min_order_quantity AS n FROM products WHERE sku = 'BS-0012'")
        .await;
    for (warehouse, quantity) in [("MSK-DC", 3 * pack), ("NSK-DC", 0), ("SH-DC", 0)] {
        let warehouse = id_of(&app, "warehouses", "code", warehouse).await;
        let reserved = app
            .count(&format!(
                "SELECT COALESCE(MAX(reserved), 0) AS n FROM stock_levels WHERE warehouse_id = {warehouse} AND product_id = {lemonade}"
            ))
            .await;
        let counted = app
            .post(
                "/api/v1/stock/changes",
                &admin,
                serde_json::json!({ "warehouse_id": warehouse, "product_id": lemonade, "kind": "stocktake", "quantity": quantity + reserved }),
            )
            .await;
        assert_eq!(counted.status, 204, "{}", counted.text());
    }
    let page = app.get("/api/v1/catalog?search=BS-0012", &dealer).await.json();
    assert_eq!(page["items"][0]["stock"], "low", "three minimum orders left");
    let session = app.browser_session("vektor.admin@demo.test").await;
    let html = app.page(&session, "/catalog?search=BS-0012").await.text();
    assert!(html.contains("Мало"), "the Russian page says stock is low");
    assert!(html.contains("с НДС"));
}

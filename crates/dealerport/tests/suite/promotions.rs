//! Promotions in the catalog and in "why this price": who gets them, what they give, and the
//! checks that keep a bad promotion out.

use serde_json::json;
use testkit::TestApp;

use crate::id_of;

#[tokio::test]
async fn a_percent_discount_shows_as_a_badge_and_in_the_net_price() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let tea = id_of(&app, "products", "sku", "BS-0009").await;
    let price = app
        .get(&format!("/api/v1/catalog/{tea}/price?quantity=12"), &dealer)
        .await
        .json();
    assert_eq!(price["list_price"], "81.88", "Vektor's list price: 92 % of 89.00");
    assert_eq!(price["unit_price"], "73.69", "10 % off, rounded half up per unit");
    assert_eq!(price["line_total"], "884.28");
    assert_eq!(price["promotions"][0]["promotion_code"], "TEA-10");
    assert_eq!(price["promotions"][0]["amount"], "98.28");
    let page = app.get("/api/v1/catalog?search=BS-0009", &dealer).await.json();
    assert_eq!(page["items"][0]["promotions"][0]["code"], "TEA-10");
    assert_eq!(page["items"][0]["unit_price"], "73.69");
    assert_eq!(page["items"][0]["list_price"], "81.88");
}

#[tokio::test]
async fn buy_twelve_get_one_adds_free_goods() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let price = app
        .get(&format!("/api/v1/catalog/{water}/price?quantity=24"), &dealer)
        .await
        .json();
    assert_eq!(price["free_goods"], json!([[water, 2]]));
    assert_eq!(price["promotions"][0]["kind"], "buy_get");
    let eleven = app
        .get(&format!("/api/v1/catalog/{water}/price?quantity=11"), &dealer)
        .await
        .json();
    assert_eq!(eleven["free_goods"], json!([]));
    assert_eq!(
        eleven["badges"][0]["code"], "WATER-12-1",
        "the badge shows even below the threshold"
    );
}

#[tokio::test]
async fn a_bundle_is_priced_at_its_bundle_price() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer2@demo.test").await;
    let set = id_of(&app, "products", "sku", "BS-0017").await;
    let chinese = app
        .get(&format!("/api/v1/catalog/{set}/price?quantity=1"), &dealer)
        .await
        .json();
    assert!(
        chinese["promotions"].as_array().unwrap().is_empty(),
        "the bundle is a rouble promotion; Shanghai buys in yuan"
    );
    let russian = app
        .get(
            &format!("/api/v1/catalog/{set}/price?quantity=2"),
            &app.token("manager@demo.test").await,
        )
        .await;
    assert_eq!(russian.status, 422, "a manager must name the dealer");
    let neva = id_of(&app, "dealers", "code", "NEVA-TRADE").await;
    let neva = app
        .get(
            &format!("/api/v1/catalog/{set}/price?quantity=2&dealer_id={neva}"),
            &app.token("admin@demo.test").await,
        )
        .await
        .json();
    assert_eq!(neva["line_total"], "698.00", "two sets at 349.00");
    assert_eq!(neva["list_price"], "399.00");
}

#[tokio::test]
async fn promotions_for_another_currency_or_region_do_not_apply() {
    let app = TestApp::with_demo().await;
    let juice = id_of(&app, "products", "sku", "BS-0006").await;
    let shanghai = app
        .get(
            &format!("/api/v1/catalog/{juice}/price?quantity=12"),
            &app.token("dealer2@demo.test").await,
        )
        .await
        .json();
    assert_eq!(shanghai["promotions"][0]["promotion_code"], "CN-JUICE-5");
    let moscow = app
        .get(
            &format!("/api/v1/catalog/{juice}/price?quantity=12"),
            &app.token("dealer@demo.test").await,
        )
        .await
        .json();
    assert!(moscow["promotions"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_bad_promotion_is_refused_and_nothing_is_saved() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let before = app.count("SELECT COUNT(*) AS n FROM promotions").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let reversed = app
        .post(
            "/api/v1/promotions",
            &admin,
            json!({"code": "BAD", "name": "Bad", "kind": "percent_off", "percent": "150", "currency": "RUB",
                   "starts_on": "2026-12-31", "ends_on": "2026-12-01", "product_ids": [water]}),
        )
        .await;
    assert_eq!(reversed.status, 422);
    assert_eq!(reversed.error_fields(), vec!["ends_on", "percent"]);
    let unknown = app
        .post(
            "/api/v1/promotions",
            &admin,
            json!({"code": "BAD2", "name": "Bad", "kind": "amount_off", "amount": "5", "currency": "RUB",
                   "starts_on": "2026-12-01", "ends_on": "2026-12-31", "product_ids": [999999]}),
        )
        .await;
    assert_eq!(unknown.error_fields(), vec!["product_ids"]);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM promotions").await, before);
    let dealer = app.token("dealer@demo.test").await;
    assert_eq!(app.get("/api/v1/promotions", &dealer).await.status, 403);
}

#[tokio::test]
async fn a_paused_promotion_no_longer_applies() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let id = id_of(&app, "promotions", "code", "TEA-10").await;
    let paused = app
        .post(
            &format!("/api/v1/promotions/{id}/status"),
            &admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(paused.json()["status"], "paused");
    let tea = id_of(&app, "products", "sku", "BS-0009").await;
    let price = app
        .get(
            &format!("/api/v1/catalog/{tea}/price?quantity=12"),
            &app.token("dealer@demo.test").await,
        )
        .await
        .json();
    assert_eq!(price["unit_price"], "81.88");
}

#[tokio::test]
async fn a_promotion_on_a_category_reaches_the_products_of_its_sub_categories() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let dealer = app.token("dealer@demo.test").await;
    let tea = id_of(&app, "categories", "code", "TEA").await;
    let lemonades = id_of(&app, "categories", "code", "LEMONADE").await;
    let lemonade = app
        .count(&format!(
            "SELECT MIN(id) AS n FROM products WHERE category_id = {lemonades}"
        ))
        .await;
    let price_path = format!("/api/v1/catalog/{lemonade}/price?quantity=12");
    let before = app.get(&price_path, &dealer).await.json();
    assert!(
        !before.to_string().contains("TEA-10"),
        "lemonade is not tea yet: {before}"
    );

    // Iced tea › Sparkling tea › Lemonades: the tea discount reaches two levels down.
    let sparkling_tea = app
        .post(
            "/api/v1/categories",
            &admin,
            json!({ "code": "TEA-SPARKLING", "name_en": "Sparkling tea", "name_ru": "Газированный чай", "name_zh": "气泡茶", "parent_id": tea }),
        )
        .await;
    assert_eq!(sparkling_tea.status, 201, "{}", sparkling_tea.text());
    let moved = app
        .put(
            &format!("/api/v1/categories/{lemonades}"),
            &admin,
            json!({ "code": "LEMONADE", "name_en": "Lemonades", "name_ru": "Лимонады", "name_zh": "柠檬水",
                    "parent_id": sparkling_tea.json()["id"] }),
        )
        .await;
    assert_eq!(moved.status, 204, "{}", moved.text());

    let after = app.get(&price_path, &dealer).await.json();
    assert_eq!(after["promotions"][0]["promotion_code"], "TEA-10", "{after}");
    let list: f64 = after["list_price"].as_str().unwrap().parse().unwrap();
    let unit: f64 = after["unit_price"].as_str().unwrap().parse().unwrap();
    assert!((unit - list * 0.9).abs() < 0.006, "10 % off {list}: {unit}");
    let put = app
        .put(
            &format!("/api/v1/cart/lines/{lemonade}"),
            &dealer,
            json!({ "quantity": 12 }),
        )
        .await;
    assert_eq!(put.status, 204, "{}", put.text());
    let cart = app.get("/api/v1/cart", &dealer).await.json();
    let priced = cart["priced"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["product_id"] == lemonade)
        .unwrap_or_else(|| panic!("{cart}"));
    assert_eq!(
        priced["promotions"][0]["promotion_code"], "TEA-10",
        "the cart prices it the same: {cart}"
    );
}

/// Each server keeps the promotions in force in memory; a change made anywhere, even by hand in
/// the database, reaches the next price it gives.
#[tokio::test]
async fn a_change_to_promotions_or_categories_made_through_another_server_applies_at_once() {
    let app = TestApp::with_demo().await;
    let other_server = app.database.connect().await;
    let dealer = app.token("dealer@demo.test").await;
    let tea = id_of(&app, "products", "sku", "BS-0009").await;
    let price_path = format!("/api/v1/catalog/{tea}/price?quantity=12");
    let before = app.get(&price_path, &dealer).await.json();
    assert_eq!(before["promotions"][0]["promotion_code"], "TEA-10");

    // A new category below Tea, and the tea moved into it: the promotion on Tea still reaches it.
    let tea_category = id_of(&app, "categories", "code", "TEA").await;
    other_server
        .execute(&platform::Query::new(format!(
            "INSERT INTO categories (tenant_id, parent_id, code, name_en, name_ru, name_zh, created_at)
             SELECT tenant_id, id, 'TEA-GREEN', 'Green tea', 'Зелёный чай', '绿茶', created_at FROM categories WHERE id = {tea_category}"
        )))
        .await
        .unwrap();
    other_server
        .execute(&platform::Query::new(format!(
            "UPDATE products SET category_id = (SELECT id FROM categories WHERE code = 'TEA-GREEN') WHERE id = {tea}"
        )))
        .await
        .unwrap();
    let moved = app.get(&price_path, &dealer).await.json();
    assert_eq!(moved["promotions"][0]["promotion_code"], "TEA-10");
    assert_eq!(moved["unit_price"], "73.69");

    other_server
        .execute(&platform::Query::new(
            "UPDATE promotions SET status = 'paused' WHERE code = 'TEA-10'",
        ))
        .await
        .unwrap();
    let paused = app.get(&price_path, &dealer).await.json();
    assert_eq!(paused["promotions"], json!([]));
    assert_eq!(paused["unit_price"], "81.88", "the list price, no longer 10 % off");
}

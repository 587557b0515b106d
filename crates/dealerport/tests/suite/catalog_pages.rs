//! The catalog and price pages as a browser gets them: each dealer its own catalog, in its
//! language and currency; the manufacturer's product and price-list forms with errors next to
//! the fields.

use axum::body::Body;
use axum::http::Request;
use testkit::{BrowserSession, TestApp, TestResponse};

use crate::id_of;

/// A page asked for in the browser's language.
async fn page_in(app: &TestApp, session: &BrowserSession, path: &str, language: &str) -> TestResponse {
    app.send(
        Request::get(path)
            .header("cookie", &session.cookie)
            .header("accept-language", language)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_russian_dealer_sees_its_catalog_in_russian_at_its_prices_in_roubles() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("dealer@demo.test").await;
    let page = page_in(&app, &session, "/catalog?search=BS-0001", "ru-RU,ru;q=0.9").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("<html lang=\"ru\">"));
    assert!(html.contains("Байкальская вода негазированная 0,5 л"), "{html}");
    assert!(
        html.contains("45,08\u{a0}₽"),
        "Vektor's contract price, written the Russian way: {html}"
    );
    assert!(html.contains("12 × бутылка"), "the pack in words");
}

#[tokio::test]
async fn a_chinese_dealer_sees_prices_in_yuan_and_never_what_is_not_published_to_it() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("dealer2@demo.test").await;
    let page = app.page(&session, "/catalog?sort=sku").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("BS-0001"));
    assert!(
        html.contains("¥4.41"),
        "China's list: 9 % of 49.00 roubles, in yuan: {html}"
    );
    assert!(!html.contains('₽'), "no rouble prices for a dealer buying in yuan");
    assert!(!html.contains("BS-0015"), "energy drinks are published to Russia only");
    let energy = id_of(&app, "products", "sku", "BS-0015").await;
    let hidden = app.page(&session, &format!("/catalog/{energy}")).await;
    assert_eq!(hidden.status, 404);
    let search = app.page(&session, "/catalog?search=BS-0015").await;
    assert!(
        !search.text().contains(">BS-0015</td>"),
        "a search does not find it either"
    );
}

#[tokio::test]
async fn the_product_page_explains_the_price_step_by_step() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("dealer@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let page = app.page(&session, &format!("/catalog/{water}?quantity=12")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("Why this price"));
    assert!(html.contains("Base price"));
    assert!(html.contains("BASE-RUB"), "the base price comes from the base list");
    assert!(html.contains("₽49.00"));
    assert!(html.contains("VEKTOR-2026"), "the deciding list");
    assert!(html.contains("own list"), "the deciding list's audience, in words");
    assert!(html.contains("₽45.08"));
    assert!(html.contains("Total for 12 units"));
    assert!(html.contains("₽540.96"));
    assert!(
        html.contains(&format!("value=\"{}\"", 12)),
        "the quantity asked for stays in the form"
    );
    let wrong = app.page(&session, &format!("/catalog/{water}?quantity=-3")).await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.text().contains("Must be greater than zero."));
    let internal = app.browser_session("admin@demo.test").await;
    let vektor = id_of(&app, "dealers", "code", "VEKTOR").await;
    let as_vektor = app
        .page(&internal, &format!("/catalog/{water}?dealer_id={vektor}&quantity=12"))
        .await;
    assert_eq!(as_vektor.status, 200, "{}", as_vektor.text());
    assert!(as_vektor.text().contains("₽540.96"), "staff see the dealer's price");
}

#[tokio::test]
async fn a_favorite_toggled_in_the_catalog_shows_on_the_favorites_page() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("dealer@demo.test").await;
    let juice = id_of(&app, "products", "sku", "BS-0006").await;
    let before = app.page(&session, "/favorites").await;
    assert_eq!(before.status, 200);
    assert!(!before.text().contains("BS-0006"));
    let added = app
        .submit(
            &session,
            &format!("/catalog/{juice}/favorite"),
            &[("favorite", "on"), ("back", "/catalog?sort=sku")],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.text());
    assert_eq!(added.headers["location"], "/catalog?sort=sku&done=favorite_added");
    let favorites = app.page(&session, "/favorites").await;
    assert!(favorites.text().contains("BS-0006"), "{}", favorites.text());
    assert!(favorites.text().contains("aria-pressed=\"true\""));
    // The favorites page's export holds the favorites, not the whole catalog.
    let html = favorites.text().replace("&amp;", "&");
    let href = html
        .split("href=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.starts_with("/catalog/export?"))
        .expect("the favorites page links its export")
        .to_owned();
    let export = app.page(&session, &href).await;
    assert_eq!(export.status, 200, "GET {href}");
    let table = xlsx::read_table(&export.body).unwrap();
    let skus: Vec<&str> = table.rows.iter().map(|row| row.cell(0)).collect();
    assert_eq!(skus, ["BS-0006"], "GET {href}");
    let removed = app
        .submit(
            &session,
            &format!("/catalog/{juice}/favorite"),
            &[("favorite", "off"), ("back", "//evil.example/")],
        )
        .await;
    assert_eq!(
        removed.headers["location"], "/catalog?done=favorite_removed",
        "only pages of this site are returned to"
    );
    assert!(!app.page(&session, "/favorites").await.text().contains("BS-0006"));
}

#[tokio::test]
async fn a_product_with_a_wrong_gtin_comes_back_with_the_error_next_to_the_field() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let fields = [
        ("sku", "BS-0100"),
        ("gtin", "4607000000999"),
        ("category_code", "WATER"),
        ("name_en", "Baikal water 5 L"),
        ("name_ru", "Байкальская вода 5 л"),
        ("name_zh", "贝加尔湖水 5升"),
        ("unit", "BO"),
        ("pack_size", "2"),
        ("min_order_quantity", "2"),
        ("order_multiple", "two"),
        ("vat_rate", "20"),
    ];
    let response = app.submit(&session, "/products", &fields).await;
    assert_eq!(response.status, 200, "{}", response.text());
    let html = response.text();
    let gtin_field = html.split("id=\"gtin\"").nth(1).unwrap();
    let next_field = gtin_field.split("<label").next().unwrap();
    assert!(
        next_field.contains("The check digit is wrong."),
        "the error follows the GTIN field: {html}"
    );
    assert!(html.contains("Enter a whole number."), "every mistake at once");
    assert!(
        html.contains("value=\"Байкальская вода 5 л\""),
        "the form keeps what was typed"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM products WHERE sku = 'BS-0100'")
            .await,
        0
    );
    let mut corrected = fields;
    corrected[1] = ("gtin", "96385074");
    corrected[9] = ("order_multiple", "2");
    let created = app.submit(&session, "/products", &corrected).await;
    assert_eq!(created.status, 303, "{}", created.text());
    let product = app.page(&session, created.headers["location"].to_str().unwrap()).await;
    assert!(product.text().contains("Created."));
    assert!(product.text().contains("value=\"BS-0100\""));
}

#[tokio::test]
async fn a_price_overlapping_an_existing_period_comes_back_with_the_error() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let base = id_of(&app, "price_lists", "code", "BASE-RUB").await;
    let path = format!("/price-lists/{base}/rows");
    let overlapping = app
        .submit(
            &session,
            &path,
            &[
                ("product", "BS-0001"),
                ("min_quantity", "1"),
                ("unit_price", "50.00"),
                ("valid_from", "2026-06-01"),
            ],
        )
        .await;
    assert_eq!(overlapping.status, 200, "{}", overlapping.text());
    let html = overlapping.text();
    let from_field = html.split("id=\"valid_from\"").nth(1).unwrap();
    assert!(
        from_field
            .split("<label")
            .next()
            .unwrap()
            .contains("Another price for this product and quantity already covers part of this period."),
        "{html}"
    );
    let unknown = app
        .submit(
            &session,
            &path,
            &[
                ("product", "NO-SUCH-SKU"),
                ("min_quantity", "1"),
                ("unit_price", "50.00"),
                ("valid_from", "2026-06-01"),
            ],
        )
        .await;
    assert!(unknown.text().contains("Not found, or not yours to use."));
    let added = app
        .submit(
            &session,
            &path,
            &[
                ("product", "BS-0001"),
                ("min_quantity", "500"),
                ("unit_price", "40.00"),
                ("valid_from", "2026-06-01"),
                ("valid_to", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.text());
    let list = app.page(&session, added.headers["location"].to_str().unwrap()).await;
    assert!(list.text().contains("Price added."));
}

#[tokio::test]
async fn catalog_statistics_show_who_opened_what() {
    let app = TestApp::with_demo().await;
    let dealer = app.browser_session("dealer@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    assert_eq!(app.page(&dealer, &format!("/catalog/{water}")).await.status, 200);
    let admin = app.browser_session("admin@demo.test").await;
    let vektor = id_of(&app, "dealers", "code", "VEKTOR").await;
    let statistics = app
        .page(&admin, &format!("/catalog-statistics?dealer_id={vektor}"))
        .await;
    assert_eq!(statistics.status, 200, "{}", statistics.text());
    let html = statistics.text();
    let (views, _) = html.split_once("Never opened").unwrap();
    assert!(views.contains("dealer@demo.test"));
    assert!(views.contains("BS-0001"));
    let never = app
        .page(&admin, &format!("/catalog-statistics/never-viewed?dealer_id={vektor}"))
        .await
        .text();
    assert!(
        !never.contains(">BS-0001</td>"),
        "an opened product is not among the never opened"
    );
    assert!(never.contains(">BS-0002</td>"));
}

#[tokio::test]
async fn every_catalog_page_renders_for_an_administrator() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let vektor = id_of(&app, "dealers", "code", "VEKTOR").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let base = id_of(&app, "price_lists", "code", "BASE-RUB").await;
    for path in [
        "/catalog".to_owned(),
        format!("/catalog?dealer_id={vektor}&search=%D0%B2&category_id=&sort=sku&favorites=on"),
        format!("/catalog/{water}?dealer_id={vektor}"),
        "/favorites".to_owned(),
        "/catalog-statistics".to_owned(),
        format!("/catalog-statistics?dealer_id={vektor}"),
        format!("/catalog-statistics/never-viewed?dealer_id={vektor}&sort=-name"),
        "/products".to_owned(),
        "/products?search=water&category_id=".to_owned(),
        "/products/new".to_owned(),
        format!("/products/{water}"),
        "/price-lists".to_owned(),
        format!("/price-lists/{base}"),
    ] {
        let page = app.page(&session, &path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.text());
        assert!(
            page.text().contains("Baikal Springs"),
            "{path} shows the tenant's brand"
        );
    }
    let catalog = app.page(&session, "/catalog").await.text();
    assert!(
        catalog.contains("Choose a dealer"),
        "staff first choose whose catalog to see"
    );
}

#[tokio::test]
async fn dealers_may_not_open_the_manufacturers_product_and_price_pages() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("dealer@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let base = id_of(&app, "price_lists", "code", "BASE-RUB").await;
    for path in [
        "/products".to_owned(),
        format!("/products/{water}"),
        "/products/new".to_owned(),
        "/price-lists".to_owned(),
        format!("/price-lists/{base}"),
        "/catalog-statistics".to_owned(),
    ] {
        assert_eq!(app.page(&session, &path).await.status, 403, "{path}");
    }
    let home = app.page(&session, "/").await.text();
    assert!(home.contains("href=\"/catalog\""), "the menu offers the catalog");
    assert!(!home.contains("href=\"/price-lists\""), "and not the price lists");
}

#[tokio::test]
async fn a_product_is_published_to_a_region_and_withdrawn_again() {
    let app = TestApp::with_demo().await;
    let admin = app.browser_session("admin@demo.test").await;
    let china = id_of(&app, "regions", "code", "CN").await;
    let energy = id_of(&app, "products", "sku", "BS-0015").await;
    let dealer2 = app.browser_session("dealer2@demo.test").await;
    let published = app
        .submit(
            &admin,
            &format!("/products/{energy}/publish"),
            &[("target", &format!("region:{china}"))],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.text());
    assert!(app
        .page(&dealer2, "/catalog?search=BS-0015")
        .await
        .text()
        .contains("BS-0015"));
    let withdrawn = app
        .submit(
            &admin,
            &format!("/products/{energy}/withdraw"),
            &[("target", &format!("region:{china}"))],
        )
        .await;
    assert_eq!(withdrawn.status, 303);
    assert_eq!(app.page(&dealer2, &format!("/catalog/{energy}")).await.status, 404);
    let no_choice = app
        .submit(&admin, &format!("/products/{energy}/publish"), &[("target", "")])
        .await;
    assert_eq!(no_choice.status, 200);
    assert!(no_choice.text().contains("This field is required."));
}

#[tokio::test]
async fn a_dealer_downloads_its_catalog_from_the_catalog_page() {
    let app = testkit::TestApp::with_demo().await;
    let session = app.browser_session("dealer@demo.test").await;
    let page = app.page(&session, "/catalog").await;
    assert!(page.text().contains("/catalog/export?"), "the page links to the export");
    let export = app.page(&session, "/catalog/export?search=BS-00").await;
    assert_eq!(export.status, 200);
    assert_eq!(&export.body[..2], b"PK");
    let admin = app.browser_session("admin@demo.test").await;
    let list = crate::id_of(&app, "price_lists", "code", "BASE-RUB").await;
    let prices = app.page(&admin, &format!("/price-lists/{list}/export")).await;
    assert_eq!(prices.status, 200);
    assert_eq!(
        app.page(&session, &format!("/price-lists/{list}/export")).await.status,
        403
    );
}

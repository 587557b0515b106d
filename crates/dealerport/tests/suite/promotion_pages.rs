//! Promotion pages: the list with budgets used, a form for every kind with errors next to the
//! fields in the reader's language, and pausing a promotion.

use testkit::TestApp;

#[tokio::test]
async fn the_promotion_list_shows_every_kind_with_its_budget() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let page = app.page(&session, "/promotions").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    for code in ["TEA-10", "WATER-12-1", "SPEND-50K", "TASTING-SET", "CN-JUICE-5"] {
        assert!(html.contains(code), "{code} is listed");
    }
    assert!(html.contains("Buy N get M"));
    let tea_used = app
        .count("SELECT budget_used_minor AS n FROM promotions WHERE code = 'TEA-10'")
        .await;
    assert!(tea_used > 0, "the demo's orders used some of the tea budget");
    let whole = (tea_used / 100).to_string();
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let used = format!("₽{grouped}.{:02} / ₽250,000.00", tea_used % 100);
    assert!(
        html.contains(&used),
        "the budget shows what is used of it, as money in the reader's language: {used}"
    );
    assert!(
        html.contains("25 Oct 2026 – 23 Jan 2027"),
        "the period, from thirty days before the demo's day to sixty after, as English writes it"
    );
    let units = app
        .count("SELECT quantity_used AS n FROM promotions WHERE code = 'WATER-12-1'")
        .await;
    assert!(
        html.contains(&format!("{units} / 5,000")),
        "the free-goods cap shows the units given"
    );
}

#[tokio::test]
async fn a_promotion_made_on_the_page_prices_the_catalog_and_a_bad_one_is_explained() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let form = app.page(&session, "/promotions/new").await;
    assert_eq!(form.status, 200);
    let reversed = app
        .submit(
            &session,
            "/promotions",
            &[
                ("code", "WINTER"),
                ("name", "Winter juice"),
                ("kind", "percent_off"),
                ("currency", "RUB"),
                ("starts_on", "2026-12-31"),
                ("ends_on", "2026-12-01"),
                ("percent", "7"),
                ("audience", "all"),
                ("skus", "BS-0006"),
            ],
        )
        .await;
    assert_eq!(reversed.status, 200);
    assert!(
        reversed.text().contains("The period ends before it starts."),
        "{}",
        reversed.text()
    );
    let unknown = app
        .submit(
            &session,
            "/promotions",
            &[
                ("code", "WINTER"),
                ("name", "Winter juice"),
                ("kind", "percent_off"),
                ("currency", "RUB"),
                ("starts_on", "2026-11-01"),
                ("ends_on", "2026-12-31"),
                ("percent", "7"),
                ("audience", "all"),
                ("skus", "BS-0006 NO-SUCH"),
            ],
        )
        .await;
    assert!(unknown.text().contains("No product has this SKU."));
    let created = app
        .submit(
            &session,
            "/promotions",
            &[
                ("code", "WINTER"),
                ("name", "Winter juice"),
                ("kind", "percent_off"),
                ("currency", "RUB"),
                ("starts_on", "2026-11-01"),
                ("ends_on", "2026-12-31"),
                ("percent", "7"),
                ("stackable", "on"),
                ("audience", "all"),
                ("skus", "BS-0006"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let dealer = app.token("dealer@demo.test").await;
    let juice = crate::id_of(&app, "products", "sku", "BS-0006").await;
    let price = app.get(&format!("/api/v1/catalog/{juice}/price"), &dealer).await.json();
    assert!(
        price["promotions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["promotion_code"] == "WINTER"),
        "{price}"
    );

    let id = crate::id_of(&app, "promotions", "code", "WINTER").await;
    let paused = app.submit(&session, &format!("/promotions/{id}/status"), &[]).await;
    assert_eq!(paused.status, 303);
    let price = app.get(&format!("/api/v1/catalog/{juice}/price"), &dealer).await.json();
    assert!(!price["promotions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["promotion_code"] == "WINTER"));
}

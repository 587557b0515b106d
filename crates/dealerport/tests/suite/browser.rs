//! The portal's main journeys in a real browser: headless Chromium, driven through the pages as
//! people use them — links, forms and buttons, no script — in Russian, English and Chinese.
//! Each test saves screenshots of the pages it passes to `target/screenshots`.

use testkit::browser::Browser;
use testkit::{TestApp, PASSWORD};

use crate::id_of;

/// Signs in on the sign-in page shown, in whatever language it is in.
async fn sign_in(browser: &Browser, login: &str) {
    browser.fill("#login", login).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("form[action='/login'] button[type=submit]").await;
    let path = browser.path().await;
    assert_eq!(path, "/", "{login} is signed in: {}", browser.text("main").await);
}

async fn sign_out(browser: &Browser) {
    browser.click("form[action='/logout'] button").await;
    assert_eq!(browser.path().await, "/login");
}

/// Follows a link of the main menu.
async fn go_to(browser: &Browser, href: &str) {
    browser.click(&format!("header nav a[href='{href}']")).await;
}

/// How many pixels `css` sticks out of its box once the window is `width` pixels wide: 0 when
/// it fits.
async fn overflow_at(browser: &Browser, width: u32, css: &str) -> u64 {
    browser.resize(width, 900).await;
    browser.overflow_width(css).await
}

/// The notice a page shows after a successful form.
async fn notice(browser: &Browser) -> String {
    browser.text("p.notice").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dealer_orders_in_russian_the_order_desk_confirms_part_in_english_and_the_dealer_sees_why() {
    let app = TestApp::with_demo().await;
    let browser = Browser::start(&app.serve().await).await;
    let lemonade_gtin = app
        .count("SELECT CAST(gtin AS BIGINT) AS n FROM products WHERE sku = 'BS-0010'")
        .await;

    browser.open("/login").await;
    browser.click("nav.languages a[lang=ru]").await;
    assert_eq!(
        browser.text("h1").await,
        "Вход",
        "the language switcher before signing in"
    );
    browser.screenshot("sign-in").await;
    sign_in(&browser, "dealer@demo.test").await;

    go_to(&browser, "/catalog").await;
    browser.fill("#search", "вода газированная").await;
    browser.click("form[role=search] button[type=submit]").await;
    let found = browser.find_all("table.catalog-list tbody tr").await;
    assert_eq!(found.len(), 2, "the search finds both sizes of sparkling water");
    let sparkling = id_of(&app, "products", "sku", "BS-0003").await;
    browser.fill(&format!("#add_{sparkling}"), "24").await;
    browser
        .click(&format!("form:has(#add_{sparkling}) button[type=submit]"))
        .await;
    assert_eq!(notice(&browser).await, "Корзина обновлена.");
    browser.screenshot("catalog").await;

    go_to(&browser, "/cart").await;
    browser
        .fill("#entries", &format!("BS-0012 24\n{lemonade_gtin} 36"))
        .await;
    browser.click("form[action='/cart/entries'] button").await;
    for (sku, quantity) in [("BS-0003", "24"), ("BS-0012", "24"), ("BS-0010", "36")] {
        let row = browser.find_containing("main table.list tbody tr", sku).await;
        assert_eq!(
            row.find("input[name=quantity]").await.value().await,
            quantity,
            "{sku} is in the cart, from the catalog or by SKU or GTIN"
        );
    }
    browser.screenshot("cart").await;
    browser.fill("#dealer_order_number", "WEB-E2E-1").await;
    browser.fill_date("#requested_delivery_on", "2026-12-01").await;
    browser.click("form[action='/cart/order'] button:not([name])").await;
    assert_eq!(notice(&browser).await, "Заказ оформлен.");
    assert!(browser.text("h1").await.contains("WEB-E2E-1"));

    go_to(&browser, "/orders").await;
    let listed = browser.find_containing("main table.list tbody tr", "WEB-E2E-1").await;
    assert!(
        listed.text().await.contains("Ожидает подтверждения"),
        "{}",
        listed.text().await
    );
    sign_out(&browser).await;

    browser.click("nav.languages a[lang=en]").await;
    assert_eq!(browser.text("h1").await, "Sign in");
    sign_in(&browser, "manager@demo.test").await;
    go_to(&browser, "/order-desk").await;
    let waiting = browser.find_containing("main table.list tbody tr", "WEB-E2E-1").await;
    assert!(
        waiting.text().await.contains("Awaiting confirmation"),
        "{}",
        waiting.text().await
    );
    browser.screenshot("order-desk").await;
    waiting.find("a").await.click().await;
    assert_eq!(
        overflow_at(&browser, 1366, ".table-wrap:has(table.order-lines)").await,
        0,
        "the lines to confirm fit a laptop's window without scrolling sideways"
    );
    let tarragon = browser.find_containing("main table.list tbody tr", "BS-0012").await;
    tarragon.find("input[name^=quantity_]").await.fill("12").await;
    tarragon
        .find("input[name^=reason_]")
        .await
        .fill("Only 12 bottles of tarragon left in Podolsk")
        .await;
    browser.click("form[action$='/confirm'] button[type=submit]").await;
    assert_eq!(notice(&browser).await, "The order has been confirmed.");
    assert!(browser.text("h1").await.contains("Partially confirmed"));
    sign_out(&browser).await;

    Box::pin(the_dealer_sees_the_partial_confirmation(&browser)).await;
}

/// The end of the first journey: the dealer, in Russian, sees what was confirmed and why, on a
/// laptop and on a phone. (A function of its own, boxed: one long journey overflows the stack.)
async fn the_dealer_sees_the_partial_confirmation(browser: &Browser) {
    browser.click("nav.languages a[lang=ru]").await;
    sign_in(browser, "dealer@demo.test").await;
    go_to(browser, "/orders").await;
    browser
        .find_containing("main table.list tbody tr", "WEB-E2E-1")
        .await
        .find("a")
        .await
        .click()
        .await;
    assert!(browser.text("h1").await.contains("Подтверждён частично"));
    let tarragon = browser.find_containing("main table.list tbody tr", "BS-0012").await;
    assert_eq!(tarragon.find("dd.ordered").await.text().await, "24");
    assert_eq!(tarragon.find("dd.confirmed").await.text().await, "12");
    assert_eq!(
        tarragon.find("dd.to-come").await.text().await,
        "12",
        "confirmed, not shipped yet"
    );
    assert!(tarragon
        .text()
        .await
        .contains("Only 12 bottles of tarragon left in Podolsk"));
    let timeline = browser.text("ol.timeline").await;
    assert!(timeline.contains("Оформлен"), "{timeline}");
    assert!(timeline.contains("Подтверждён с изменениями"), "{timeline}");
    browser.screenshot_whole_page("order").await;
    assert_eq!(
        overflow_at(browser, 1366, ".table-wrap:has(table.order-lines)").await,
        0,
        "every line with all its figures, in Russian, fits a laptop's window"
    );
    assert_eq!(
        overflow_at(browser, 390, "html").await,
        0,
        "on a phone the page does not scroll sideways; a wide table scrolls inside its own box"
    );
    browser.screenshot_whole_page("order-phone").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_publishes_a_product_to_one_dealer_at_its_own_price_in_chinese() {
    let app = TestApp::with_demo().await;
    let browser = Browser::start(&app.serve().await).await;
    let vektor = id_of(&app, "dealers", "code", "VEKTOR").await;

    browser.open("/login").await;
    sign_in(&browser, "admin@demo.test").await;
    browser.click("header .user a[href='/account']").await;
    browser.select("#locale", "zh").await;
    browser.click("form[action='/account/language'] button").await;
    assert_eq!(notice(&browser).await, "已保存。", "the account's own language");

    go_to(&browser, "/products").await;
    browser.click("main a[href='/products/new']").await;
    browser.fill("#sku", "BS-0100").await;
    browser.fill("#gtin", "4607000001004").await;
    browser.fill("#name_en", "Baikal birch sap 0.5 L").await;
    browser.fill("#name_ru", "Берёзовый сок «Байкал» 0,5 л").await;
    browser.fill("#name_zh", "贝加尔桦树汁 0.5升").await;
    browser.click("form.stacked button[type=submit]").await;
    assert_eq!(notice(&browser).await, "已创建。");
    browser.select("#target", &format!("dealer:{vektor}")).await;
    browser.click("form[action$='/publish'] button:not([formaction])").await;
    assert_eq!(notice(&browser).await, "发布已保存。");

    go_to(&browser, "/price-lists").await;
    browser
        .find_containing("main table.list tbody tr", "VEKTOR-2026")
        .await
        .find("a")
        .await
        .click()
        .await;
    browser.fill("#product", "BS-0100").await;
    browser.fill("#min_quantity", "1").await;
    browser.fill("#unit_price", "123.45").await;
    browser.click("form[action$='/rows'] button[type=submit]").await;
    assert_eq!(notice(&browser).await, "价格已添加。");
    sign_out(&browser).await;

    browser.click("nav.languages a[lang=zh]").await;
    assert_eq!(browser.text("h1").await, "登录");
    sign_in(&browser, "dealer2@demo.test").await;
    go_to(&browser, "/catalog").await;
    browser.fill("#search", "BS-0100").await;
    browser.click("form[role=search] button[type=submit]").await;
    assert_eq!(
        browser.text("table.catalog-list tbody").await,
        "暂无数据。",
        "published to Vektor only"
    );
    sign_out(&browser).await;

    sign_in(&browser, "dealer@demo.test").await;
    assert_eq!(browser.text("header nav a[href='/catalog']").await, "商品目录");
    go_to(&browser, "/catalog").await;
    browser.fill("#search", "BS-0100").await;
    browser.click("form[role=search] button[type=submit]").await;
    let birch = browser.find_containing("table.catalog-list tbody tr", "BS-0100").await;
    let row = birch.text().await;
    assert!(row.contains("贝加尔桦树汁 0.5升"), "{row}");
    assert!(row.contains("₽123.45"), "Vektor's own price: {row}");

    browser.resize(390, 844).await;
    browser.screenshot_whole_page("catalog-phone").await;
}

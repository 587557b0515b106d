//! Ordering in the browser: a dealer fills its cart from the catalog and places the order, the
//! order desk confirms it with a changed line, and each sees the order in its own language.

use testkit::TestApp;

use crate::id_of;

fn location_of(html: &str) -> String {
    html.split("name=\"delivery_location_id\"")
        .nth(1)
        .and_then(|rest| rest.split("<option value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

fn redirect_target(response: &testkit::TestResponse) -> String {
    response.headers["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_dealer_orders_from_the_catalog_and_the_order_desk_confirms_in_part() {
    let app = TestApp::with_demo().await;
    let dealer = app.browser_session("dealer@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await.to_string();

    let catalog = app.page(&dealer, "/catalog?search=BS-0001").await.text();
    assert!(
        catalog.contains("action=\"/cart/lines\""),
        "each catalog row can go to the cart"
    );
    let added = app
        .submit(
            &dealer,
            "/cart/lines",
            &[
                ("product_id", &water),
                ("quantity", "24"),
                ("add", "on"),
                ("back", "/catalog"),
            ],
        )
        .await;
    assert_eq!(added.status, 303);
    assert_eq!(redirect_target(&added), "/catalog?done=cart_updated");

    let refused = app
        .submit(
            &dealer,
            "/cart/lines",
            &[("product_id", &water), ("quantity", "7"), ("add", "on")],
        )
        .await;
    assert_eq!(refused.status, 200, "the cart page explains the refusal");
    assert!(
        refused.text().contains("Order in multiples of 12 units."),
        "{}",
        refused.text()
    );

    let cart = app.page(&dealer, "/cart").await.text();
    assert!(cart.contains("Baikal still water 0.5 L"));
    assert!(
        cart.contains("Free goods"),
        "the free bottles show before ordering: {cart}"
    );
    let location = location_of(&cart);

    let past = app
        .submit(
            &dealer,
            "/cart/order",
            &[
                ("dealer_order_number", "WEB-1"),
                ("delivery_location_id", &location),
                ("requested_delivery_on", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(past.status, 200);
    assert!(
        past.text().contains("The date is in the past."),
        "the error sits by the date field"
    );

    let placed = app
        .submit(
            &dealer,
            "/cart/order",
            &[
                ("dealer_order_number", "WEB-1"),
                ("delivery_location_id", &location),
                ("requested_delivery_on", "2026-12-01"),
                ("allow_adjust", "on"),
            ],
        )
        .await;
    assert_eq!(placed.status, 303, "{}", placed.text());
    let order_path = redirect_target(&placed).split('?').next().unwrap().to_owned();
    let order = app.page(&dealer, &order_path).await.text();
    assert!(order.contains("Awaiting confirmation"));
    assert!(order.contains("free goods"));

    // The order desk works in Russian.
    let desk = app.browser_session("orders@demo.test").await;
    let queue = app.page(&desk, "/order-desk").await.text();
    assert!(queue.contains("WEB-1"), "{queue}");
    assert!(queue.contains("Ожидает подтверждения"));
    let confirm_path = format!("{order_path}/confirm");
    let no_reason = app.submit(&desk, &confirm_path, &[("quantity_1", "12")]).await;
    assert_eq!(no_reason.status, 200);
    assert!(
        no_reason.text().contains("Укажите причину изменения."),
        "{}",
        no_reason.text()
    );
    let confirmed = app
        .submit(
            &desk,
            &confirm_path,
            &[("quantity_1", "12"), ("reason_1", "Остаток на складе ограничен")],
        )
        .await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.text());
    let seen_by_desk = app.page(&desk, &order_path).await.text();
    assert!(seen_by_desk.contains("Подтверждён частично"));
    assert!(seen_by_desk.contains("Заказ покупателя"), "the sales order is listed");

    let seen_by_dealer = app.page(&dealer, &order_path).await.text();
    assert!(seen_by_dealer.contains("Partially confirmed"));
    assert!(
        seen_by_dealer.contains("Остаток на складе ограничен"),
        "the reason reaches the dealer"
    );
    assert!(
        seen_by_dealer.contains("Elena Morozova"),
        "the timeline names who decided"
    );
}

#[tokio::test]
async fn quick_entry_errors_name_the_line_in_the_readers_language() {
    let app = TestApp::with_demo().await;
    let dealer = app.browser_session("dealer2@demo.test").await;
    let chosen = app.submit(&dealer, "/account/language", &[("locale", "zh")]).await;
    assert_eq!(chosen.status, 303);
    let response = app
        .submit(&dealer, "/cart/entries", &[("entries", "BS-0001 24\nBS-0002 多少")])
        .await;
    assert_eq!(response.status, 200);
    let html = response.text();
    assert!(html.contains("第 2 行：数量必须为大于零的整数。"), "{html}");
    assert!(html.contains("BS-0002 多少"), "the box keeps what was typed");
    let orders = app.page(&dealer, "/orders").await.text();
    assert!(orders.contains("QQ-2611-07"));
    assert!(orders.contains("待确认"));
    assert!(!orders.contains("VK-2026"), "only its own orders");
}

#[tokio::test]
async fn order_lists_export_to_spreadsheets_within_scope() {
    let app = TestApp::with_demo().await;
    let manager = app.browser_session("manager@demo.test").await;
    let export = app.page(&manager, "/orders/export?state=submitted").await;
    assert_eq!(export.status, 200);
    assert_eq!(export.headers["content-type"], xlsx::MEDIA_TYPE);
    let list = app.page(&manager, "/orders").await.text();
    assert!(list.contains("VK-2026-0143"));
    assert!(
        !list.contains("QQ-2611-07"),
        "Shanghai is outside the manager's regions"
    );
}

#[tokio::test]
async fn dealer_users_hear_of_the_manufacturers_decisions_in_their_language() {
    let app = TestApp::with_demo().await;
    let vektor = app.token("dealer@demo.test").await;
    let seeded = app.get("/api/v1/messages", &vektor).await.json();
    let texts: Vec<&str> = seeded["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        vec![
            // water and juice leave as two sales orders, one per selling company, each notice
            // naming its own delivery note; twelve bottles of juice are still to come
            "Goods of your order VK-2026-0144 have left under delivery note DN-000004-2 (lines: 1, packages: 1); the rest of the order is still to come.",
            "Goods of your order VK-2026-0144 have left under delivery note DN-000004-1 (lines: 1, packages: 1); the rest of the order is still to come.",
            "Your order VK-2026-0144 has been confirmed.",
            "Your order VK-2026-0142 has been rejected.",
            "Your order VK-2026-0141 has been confirmed with changes; see the reasons on the order.",
        ],
        "the demo's decisions reached Vektor's users"
    );

    let china = app.token("dealer2@demo.test").await;
    assert_eq!(app.get("/api/v1/messages", &china).await.json()["total"], 0);
    let desk = app.token("manager.cn@demo.test").await;
    let order = id_of(&app, "orders", "dealer_order_number", "QQ-2611-07").await;
    let confirmed = app
        .post(
            &format!("/api/v1/orders/{order}/confirm"),
            &desk,
            serde_json::json!({ "lines": [{ "line_number": 1, "confirmed_quantity": 120, "reason": "分两批发货" }] }),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    let messages = app
        .send(
            axum::http::Request::get("/api/v1/messages")
                .header("authorization", format!("Bearer {china}"))
                .header("accept-language", "zh")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .json();
    assert_eq!(
        messages["items"][0]["text"],
        "您的订单 QQ-2611-07 已变更后确认，原因见订单。"
    );
    assert_eq!(messages["items"][0]["order_id"], order);
    assert_eq!(
        app.get("/api/v1/messages", &vektor).await.json()["total"],
        seeded["total"],
        "another dealer's users hear nothing of it"
    );

    let session = app.browser_session("dealer2@demo.test").await;
    let page = app.page(&session, "/messages").await.text();
    assert!(page.contains("class=\"badge\""), "the header shows the unread count");
    assert!(page.contains("class=\"unread\""));
    let read = app.submit(&session, "/messages/read", &[]).await;
    assert_eq!(read.status, 303);
    let page = app.page(&session, "/messages").await.text();
    assert!(!page.contains("class=\"badge\""));
}

#[tokio::test]
async fn favorites_go_straight_to_the_cart() {
    let app = TestApp::with_demo().await;
    let dealer = app.browser_session("dealer@demo.test").await;
    let tea = id_of(&app, "products", "sku", "BS-0009").await.to_string();
    let starred = app
        .submit(
            &dealer,
            &format!("/catalog/{tea}/favorite"),
            &[("favorite", "on"), ("back", "/favorites")],
        )
        .await;
    assert_eq!(starred.status, 303);
    let favorites = app.page(&dealer, "/favorites").await.text();
    assert!(
        favorites.contains(&format!("id=\"add_{tea}\"")),
        "each favorite has its quantity box: {favorites}"
    );
    let added = app
        .submit(
            &dealer,
            "/cart/lines",
            &[
                ("product_id", &tea),
                ("quantity", "12"),
                ("add", "on"),
                ("back", "/favorites"),
            ],
        )
        .await;
    assert_eq!(redirect_target(&added), "/favorites?done=cart_updated");
    assert!(app.page(&dealer, "/cart").await.text().contains("BS-0009"));
}

#[tokio::test]
async fn a_cart_saved_as_a_draft_is_submitted_later_from_its_order_page() {
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
    let cart = app.page(&dealer, "/cart").await.text();
    assert!(
        cart.contains("name=\"action\" value=\"draft\""),
        "the cart offers a draft"
    );
    let location = location_of(&cart);
    let saved = app
        .submit(
            &dealer,
            "/cart/order",
            &[
                ("dealer_order_number", "WEB-DRAFT"),
                ("delivery_location_id", &location),
                ("requested_delivery_on", "2026-12-01"),
                ("action", "draft"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let target = redirect_target(&saved);
    assert!(target.ends_with("done=draft_saved"), "{target}");
    let order_path = target.split('?').next().unwrap().to_owned();
    let page = app.page(&dealer, &order_path).await.text();
    assert!(
        page.contains(&format!("action=\"{order_path}/submit\"")),
        "a draft can be submitted"
    );
    let submitted = app.submit(&dealer, &format!("{order_path}/submit"), &[]).await;
    assert_eq!(submitted.status, 303, "{}", submitted.text());
    let page = app.page(&dealer, &order_path).await.text();
    assert!(page.contains("Awaiting confirmation"), "{page}");
}

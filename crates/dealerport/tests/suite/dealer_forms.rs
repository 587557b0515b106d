//! Forms name a dealer by its code, not by picking it from a list: a tenant may have ten
//! thousand dealers. The code field suggests dealers, links to the dealer list to find others,
//! forgives letter case, and says next to the field when no dealer of the reader has the code.

use testkit::TestApp;

use crate::edi_pages::field_error;
use crate::id_of;

#[tokio::test]
async fn an_edi_partner_is_given_by_its_dealers_code() {
    let app = TestApp::with_demo().await;
    let admin = app.browser_session("admin@demo.test").await;
    let form = app.page(&admin, "/edi/partners/new").await.text();
    assert!(
        form.contains("<input id=\"dealer_code\" name=\"dealer_code\""),
        "{form}"
    );
    assert!(form.contains("<option value=\"SH-QINGQUAN\">"), "a suggestion");
    assert!(form.contains("href=\"/dealers\""), "the way to find other codes");
    assert!(!form.contains("<select id=\"dealer_id\""), "no list of every dealer");

    let profile = |dealer: &'static str, version: &'static str| {
        [
            ("dealer_code", dealer),
            ("interchange_id", "6901234500097"),
            ("interchange_qualifier", "14"),
            ("directory", "D01B"),
            ("syntax", "UNOY"),
            ("syntax_version", version),
            ("channel", "api"),
            ("messages_in", "ORDERS"),
            ("messages_out", "ORDRSP"),
            ("active", "on"),
        ]
    };
    let partners_before = app.count("SELECT COUNT(*) AS n FROM edi_partners").await;
    let unknown = app
        .submit(&admin, "/edi/partners", &profile("NO-SUCH-DEALER", "3"))
        .await;
    assert_eq!(unknown.status, 200);
    let page = unknown.text();
    assert_eq!(
        field_error(&page, "dealer_code"),
        Some("None of your dealers has the code NO-SUCH-DEALER.")
    );
    assert_eq!(
        field_error(&page, "syntax_version"),
        Some("UNOW and UNOY (UTF-8) need syntax version 4."),
        "the other fields' errors at the same time"
    );
    assert!(page.contains("value=\"NO-SUCH-DEALER\""), "what was typed stays");

    let blank = app.submit(&admin, "/edi/partners", &profile("", "4")).await;
    assert_eq!(
        field_error(&blank.text(), "dealer_code"),
        Some("This field is required.")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM edi_partners").await,
        partners_before,
        "nothing is created"
    );

    let created = app
        .submit(&admin, "/edi/partners", &profile(" sh-qingquan ", "4"))
        .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let partner = app
        .count("SELECT p.id AS n FROM edi_partners p JOIN dealers d ON d.id = p.dealer_id WHERE d.code = 'SH-QINGQUAN'")
        .await;
    let edit = app.page(&admin, &format!("/edi/partners/{partner}/edit")).await.text();
    assert!(
        edit.contains("value=\"SH-QINGQUAN\""),
        "the partner's dealer, by its code"
    );
}

#[tokio::test]
async fn a_sub_dealer_is_given_its_distributor_by_code_within_the_readers_scope() {
    let app = TestApp::with_demo().await;
    let manager = app.browser_session("manager@demo.test").await;
    let form = app.page(&manager, "/dealers/new").await.text();
    assert!(form.contains("<input id=\"parent_dealer_code\""), "{form}");
    assert!(
        form.contains("<option value=\"VEKTOR\">"),
        "a distributor of the region"
    );
    assert!(
        !form.contains("<option value=\"SH-QINGQUAN\">"),
        "nor one the manager cannot see"
    );

    let region = id_of(&app, "regions", "code", "RU-MOW").await.to_string();
    let dealer = |parent: &'static str, region: &str| {
        vec![
            ("code", "MOW-KIOSK-7".to_owned()),
            ("legal_name", "ИП Смирнов".to_owned()),
            ("tier", "2".to_owned()),
            ("parent_dealer_code", parent.to_owned()),
            ("region_id", region.to_owned()),
            ("status", "active".to_owned()),
        ]
    };
    let submit = |fields: Vec<(&'static str, String)>, path: &'static str| {
        let app = &app;
        let manager = &manager;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.submit(manager, path, &fields).await
        }
    };
    let dealers_before = app.count("SELECT COUNT(*) AS n FROM dealers").await;

    let foreign = submit(dealer("SH-QINGQUAN", ""), "/dealers").await;
    assert_eq!(foreign.status, 200);
    let page = foreign.text();
    assert_eq!(
        field_error(&page, "parent_dealer_code"),
        Some("None of your dealers has the code SH-QINGQUAN."),
        "a distributor outside the manager's regions is as unknown as a code nobody has"
    );
    let region_field = page.split("id=\"region_id\"").nth(1).unwrap();
    let region_field = region_field.split("<label").next().unwrap();
    assert!(
        region_field.contains("class=\"field-error\""),
        "the missing region is named at the same time: {region_field}"
    );

    let none = submit(dealer("", &region), "/dealers").await;
    assert_eq!(
        field_error(&none.text(), "parent_dealer_code"),
        Some("A tier 2 dealer needs its distributor.")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM dealers").await,
        dealers_before,
        "nothing is created"
    );

    let created = submit(dealer("VEKTOR", &region), "/dealers").await;
    assert_eq!(created.status, 303, "{}", created.text());
    let kiosk = id_of(&app, "dealers", "code", "MOW-KIOSK-7").await;
    assert_eq!(
        app.count(&format!("SELECT parent_dealer_id AS n FROM dealers WHERE id = {kiosk}"))
            .await,
        id_of(&app, "dealers", "code", "VEKTOR").await
    );
    let edit = app.page(&manager, &format!("/dealers/{kiosk}/edit")).await.text();
    assert!(
        edit.contains("id=\"parent_dealer_code\" name=\"parent_dealer_code\" maxlength=\"40\" value=\"VEKTOR\""),
        "{edit}"
    );
}

/// Two hundred more dealers, TUL-001 to TUL-200: more than any select of dealers offered.
async fn add_tula_dealers(app: &TestApp) {
    let token = app.token("admin@demo.test").await;
    let region = id_of(app, "regions", "code", "RU-TUL").await;
    for n in 1..=200 {
        let created = app
            .post(
                "/api/v1/dealers",
                &token,
                serde_json::json!({
                    "code": format!("TUL-{n:03}"),
                    "legal_name": format!("ООО «Тула {n}»"),
                    "tier": 1,
                    "region_id": region,
                    "status": "active"
                }),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text());
    }
}

#[tokio::test]
async fn a_user_is_created_for_any_dealer_by_its_code_not_only_the_first_two_hundred() {
    let app = TestApp::with_demo().await;
    add_tula_dealers(&app).await;
    let admin = app.browser_session("admin@demo.test").await;
    let form = app.page(&admin, "/users/new").await.text();
    assert!(
        form.contains("<input id=\"dealer_code\" name=\"dealer_code\""),
        "{form}"
    );
    assert!(!form.contains("<select id=\"dealer_id\""), "no list of every dealer");
    let beyond = (1..=200)
        .map(|n| format!("TUL-{n:03}"))
        .find(|code| !form.contains(&format!("<option value=\"{code}\">")))
        .expect("a dealer the suggestions do not hold");

    let user = |dealer: &str| {
        vec![
            ("login", "buyer@tula.example".to_owned()),
            ("display_name", "Покупатель".to_owned()),
            ("password", "long-enough".to_owned()),
            ("dealer_code", dealer.to_owned()),
            ("roles", "purchaser".to_owned()),
        ]
    };
    let submit = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        let admin = &admin;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.submit(admin, "/users", &fields).await
        }
    };
    let unknown = submit(user("TUL-999")).await;
    assert_eq!(unknown.status, 200);
    let page = unknown.text();
    assert_eq!(
        field_error(&page, "dealer_code"),
        Some("None of your dealers has the code TUL-999.")
    );
    assert!(page.contains("value=\"TUL-999\""), "what was typed stays");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM users WHERE login = 'buyer@tula.example'")
            .await,
        0
    );

    let created = submit(user(&beyond.to_lowercase())).await;
    assert_eq!(created.status, 303, "{}", created.text());
    assert_eq!(
        app.count("SELECT dealer_id AS n FROM users WHERE login = 'buyer@tula.example'")
            .await,
        id_of(&app, "dealers", "code", &beyond).await
    );
}

#[tokio::test]
async fn lists_and_reports_filter_by_a_dealers_code_for_any_dealer() {
    let app = TestApp::with_demo().await;
    add_tula_dealers(&app).await;
    let token = app.token("admin@demo.test").await;
    let tula = id_of(&app, "dealers", "code", "TUL-200").await;
    let created = app
        .post(
            "/api/v1/users",
            &token,
            serde_json::json!({"login": "buyer@tula.example", "display_name": "Покупатель", "password": "long-enough", "roles": ["purchaser"], "dealer_id": tula}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let admin = app.browser_session("admin@demo.test").await;

    let users = app.page(&admin, "/users?dealer_code=tul-200").await.text();
    assert!(users.contains("buyer@tula.example"), "{users}");
    assert!(!users.contains(">dealer@demo.test<"), "only the dealer's users");
    assert!(users.contains("id=\"dealer_code\" name=\"dealer_code\" maxlength=\"40\" value=\"TUL-200\""));
    assert!(
        users.contains(&format!("dealer_id={tula}")),
        "its pages and sorting keep the dealer"
    );
    assert!(!users.contains("<select id=\"dealer_id\""), "no list of every dealer");
    let linked = app.page(&admin, &format!("/users?dealer_id={tula}")).await.text();
    assert!(
        linked.contains("value=\"TUL-200\""),
        "a link's dealer shows by its code"
    );

    let unknown = app.page(&admin, "/users?dealer_code=NOPE").await.text();
    assert_eq!(
        field_error(&unknown, "dealer_code"),
        Some("None of your dealers has the code NOPE.")
    );
    assert!(
        !unknown.contains("buyer@tula.example"),
        "a code nobody has matches nobody"
    );

    let vektor = id_of(&app, "dealers", "code", "VEKTOR").await;
    let catalog = app.page(&admin, "/catalog?dealer_code=vektor").await.text();
    assert!(
        catalog.contains(&format!("?dealer_id={vektor}\"")),
        "the catalog as Vektor sees it: {catalog}"
    );
    let statistics = app.page(&admin, "/catalog-statistics?dealer_code=VEKTOR").await.text();
    assert!(statistics.contains(&format!("dealer_id={vektor}")), "{statistics}");
    let report = app
        .page(&admin, "/reports/order-execution?dealer_code=VEKTOR")
        .await
        .text();
    assert!(report.contains("<td>VEKTOR</td>"), "{report}");
    assert!(!report.contains("<td>SH-QINGQUAN</td>"), "only Vektor's orders");
}

#[tokio::test]
async fn an_api_token_is_issued_for_a_user_given_by_login() {
    let app = TestApp::with_demo().await;
    let admin = app.browser_session("admin@demo.test").await;
    let page = app.page(&admin, "/admin/api-tokens").await.text();
    assert!(page.contains("<input id=\"user_login\" name=\"user_login\""), "{page}");
    assert!(page.contains("<option value=\"dealer@demo.test\">"), "a suggestion");
    assert!(!page.contains("<select id=\"user_id\""), "no list of every user");

    let token = |login: &'static str| [("name", "ERP"), ("user_login", login), ("role", "")];
    let unknown = app
        .submit(&admin, "/admin/api-tokens", &token("nobody@demo.test"))
        .await;
    assert_eq!(unknown.status, 200);
    let page = unknown.text();
    assert_eq!(
        field_error(&page, "user_login"),
        Some("None of your users has the login nobody@demo.test.")
    );
    assert!(page.contains("value=\"nobody@demo.test\""), "what was typed stays");

    let issued = app
        .submit(&admin, "/admin/api-tokens", &token(" Dealer@demo.test "))
        .await;
    assert_eq!(issued.status, 200, "the secret is shown once");
    assert_eq!(
        app.count("SELECT user_id AS n FROM api_tokens WHERE name = 'ERP'")
            .await,
        id_of(&app, "users", "login", "dealer@demo.test").await
    );
}

/// Uploads a price file on the imports page, into the price list typed as `code`.
async fn upload_prices(app: &TestApp, session: &testkit::BrowserSession, code: &str) -> testkit::TestResponse {
    use axum::body::Body;
    use axum::http::{header, Request};
    let boundary = "dealerportboundary";
    let mut body = Vec::new();
    for (name, value) in [
        ("csrf_token", session.csrf_token.as_str()),
        ("kind", "price_rows"),
        ("price_list_code", code),
    ] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"2027.xlsx\"\r\nContent-Type: {}\r\n\r\n",
            xlsx::MEDIA_TYPE
        )
        .bytes(),
    );
    body.extend(crate::xlsx_imports::price_file(&[("BS-0001", "52.50", "2027-01-01")]));
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    app.send(
        Request::post("/imports")
            .header(header::COOKIE, &session.cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_price_import_names_its_price_list_by_code() {
    let app = TestApp::with_demo().await;
    let admin = app.browser_session("admin@demo.test").await;
    let page = app.page(&admin, "/imports").await.text();
    assert!(
        page.contains("<input id=\"price_list_code\" name=\"price_list_code\""),
        "{page}"
    );
    assert!(page.contains("<option value=\"BASE-RUB\">"), "a suggestion");
    assert!(
        !page.contains("<select id=\"price_list_id\""),
        "no list of every price list"
    );

    let unknown = upload_prices(&app, &admin, "NO-SUCH-LIST").await;
    assert_eq!(unknown.status, 200);
    let page = unknown.text();
    assert_eq!(
        field_error(&page, "price_list_code"),
        Some("No price list has the code NO-SUCH-LIST.")
    );
    assert!(page.contains("value=\"NO-SUCH-LIST\""), "what was typed stays");

    let started = upload_prices(&app, &admin, "BASE-RUB").await;
    assert_eq!(started.status, 303, "{}", started.text());
    assert_eq!(
        app.count("SELECT price_list_id AS n FROM imports ORDER BY id DESC LIMIT 1")
            .await,
        id_of(&app, "price_lists", "code", "BASE-RUB").await
    );
}

#[tokio::test]
async fn a_price_list_or_publication_is_for_any_dealer_typed_by_its_code() {
    let app = TestApp::with_demo().await;
    add_tula_dealers(&app).await;
    let admin = app.browser_session("admin@demo.test").await;
    let form = app.page(&admin, "/price-lists").await.text();
    let beyond = (1..=200)
        .map(|n| format!("TUL-{n:03}"))
        .find(|code| !form.contains(&format!(">{code} · ")))
        .expect("a dealer the select does not offer");
    let dealer = id_of(&app, "dealers", "code", &beyond).await;

    let list = |code: &'static str, dealer_code: &str| {
        vec![
            ("code", code.to_owned()),
            ("name", "Тула".to_owned()),
            ("audience", "base".to_owned()),
            ("audience_dealer_code", dealer_code.to_owned()),
            ("currency", "RUB".to_owned()),
        ]
    };
    let submit = |path: String, fields: Vec<(&'static str, String)>| {
        let app = &app;
        let admin = &admin;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.submit(admin, &path, &fields).await
        }
    };
    let unknown = submit("/price-lists".to_owned(), list("TULA-X", "TUL-999")).await;
    assert_eq!(unknown.status, 200);
    let page = unknown.text();
    assert_eq!(
        field_error(&page, "audience_dealer_code"),
        Some("None of your dealers has the code TUL-999.")
    );
    assert!(page.contains("value=\"TUL-999\""), "what was typed stays");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM price_lists WHERE code = 'TULA-X'")
            .await,
        0
    );

    let created = submit("/price-lists".to_owned(), list("TULA-1", &beyond.to_lowercase())).await;
    assert_eq!(created.status, 303, "{}", created.text());
    assert_eq!(
        app.count("SELECT audience_id AS n FROM price_lists WHERE code = 'TULA-1' AND audience = 'dealer'")
            .await,
        dealer,
        "the code wins over the base list chosen in the select"
    );
    let lists = app.page(&admin, "/price-lists?search=TULA").await.text();
    assert!(
        lists.contains(&format!("{beyond} · ООО «Тула")),
        "the list names its dealer, though the select's first page does not hold it: {lists}"
    );

    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let published = submit(
        format!("/products/{water}/publish"),
        vec![("target", "all".to_owned()), ("audience_dealer_code", beyond.clone())],
    )
    .await;
    assert_eq!(published.status, 303, "{}", published.text());
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM publications WHERE product_id = {water} AND audience = 'dealer' AND audience_id = {dealer}"
        ))
        .await,
        1
    );
    let refused = submit(
        format!("/products/{water}/publish"),
        vec![
            ("target", "all".to_owned()),
            ("audience_dealer_code", "TUL-999".to_owned()),
        ],
    )
    .await;
    assert_eq!(
        field_error(&refused.text(), "audience_dealer_code"),
        Some("None of your dealers has the code TUL-999.")
    );
}

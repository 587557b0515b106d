//! Nobody sees data outside their tenant, region subtree or dealer: every list and detail
//! endpoint, API and page, goes through one check. A new endpoint is covered by adding its
//! path to `LISTS` or `DETAILS`.

use identity::domain::*;
use platform::{Actor, Clock};
use testkit::{BrowserSession, TestApp};

use crate::id_of;

/// Lists and singletons, API and pages.
const LISTS: &[&str] = &[
    "/api/v1/me",
    "/api/v1/tenant",
    "/api/v1/regions",
    "/api/v1/regions/export",
    "/api/v1/dealer-groups",
    "/api/v1/dealer-groups?search=key&sort=-name",
    "/api/v1/dealer-groups/export?sort=-code",
    "/api/v1/dealers",
    "/api/v1/dealers?search=a",
    "/api/v1/dealers/export",
    "/api/v1/users",
    "/api/v1/users/export?sort=-created_at",
    "/api/v1/api-tokens",
    "/api/v1/api-tokens/export?state=active",
    "/api/v1/audit-log",
    "/api/v1/audit-log/export?sort=action",
    "/api/v1/jobs",
    "/api/v1/jobs/export",
    "/api/v1/catalog",
    "/api/v1/categories",
    "/api/v1/categories/export",
    "/api/v1/products",
    "/api/v1/products/export?sort=-name",
    "/api/v1/price-lists",
    "/api/v1/price-lists/export?sort=-rows",
    "/api/v1/promotions",
    "/api/v1/promotions/export",
    "/api/v1/orders",
    "/api/v1/orders?state=submitted,confirmed",
    "/api/v1/order-desk",
    "/api/v1/order-desk?sort=-total",
    "/api/v1/order-desk/export",
    "/api/v1/orders/export?sort=dealer",
    "/api/v1/cart",
    "/api/v1/warehouses",
    "/api/v1/stock",
    "/api/v1/imports",
    "/api/v1/imports/export?status=done",
    "/api/v1/exports",
    "/api/v1/exports?status=done&sort=-list",
    "/api/v1/exports/export?list=dealers",
    "/api/v1/categories/tree",
    "/api/v1/sales-organisations",
    "/api/v1/sales-organisations?search=bs&sort=-name",
    "/api/v1/sales-organisations/export?sort=-code",
    "/api/v1/edi/partners",
    "/api/v1/edi/partners?search=a&sort=-dealer_name",
    "/api/v1/edi/partners/export?channel=api&sort=-active",
    "/api/v1/edi/interchanges",
    "/api/v1/edi/interchanges/export?sort=-status",
    "/api/v1/edi/outbox",
    "/api/v1/reports/order-execution",
    "/api/v1/reports/order-execution?view=lines",
    "/api/v1/reports/order-execution?sort=-paid_amount",
    "/api/v1/reports/order-execution/export?view=lines&sort=dealer",
    "/api/v1/messages",
    "/api/v1/messages/export?unread=true",
    "/",
    "/dashboard",
    "/dashboard?currency=CNY",
    "/dealers",
    "/dealers?sort=-legal_name",
    "/dealers/export",
    "/regions",
    "/regions?search=RU",
    "/regions/export",
    "/dealer-groups",
    "/dealer-groups?sort=-name",
    "/dealer-groups/export?search=key",
    "/users",
    "/users?sort=dealer",
    "/users/export",
    "/account",
    "/admin/api-tokens",
    "/admin/api-tokens/export?sort=-last_used_at",
    "/admin/audit",
    "/admin/audit/export?entity=dealer",
    "/admin/jobs",
    "/admin/jobs/export?sort=-kind",
    "/admin/settings",
    "/catalog",
    "/favorites",
    "/products",
    "/products?status=active&sort=-pack_size",
    "/products/export",
    "/price-lists",
    "/price-lists?currency=rub&sort=-created_at",
    "/price-lists/export",
    "/catalog-statistics",
    "/catalog-statistics?sort=-last_viewed_at",
    "/cart",
    "/orders",
    "/orders?state=confirmed",
    "/order-desk",
    "/order-desk?sort=-placed_at",
    "/order-desk/export",
    "/orders/export",
    "/orders?sort=-total",
    "/imports",
    "/imports/export?sort=file_name",
    "/exports",
    "/exports?list=dealers&sort=status",
    "/exports/export",
    "/categories",
    "/categories?search=water",
    "/categories/export",
    "/sales-organisations",
    "/sales-organisations?sort=-name",
    "/sales-organisations/export?search=bs",
    "/edi",
    "/edi/export?direction=out",
    "/edi/partners",
    "/edi/partners?search=a&sort=-interchange_id",
    "/edi/partners/export?sort=-dealer_name",
    "/edi/partners/new",
    "/promotions",
    "/promotions?status=active&sort=-priority",
    "/promotions/export",
    "/reports/order-execution?view=lines",
    "/reports/order-execution?sort=number",
    "/reports/order-execution/export",
    "/messages",
    "/messages/export?sort=-read_at",
    "/orders/upload",
    "/api/v1/shipments",
    "/api/v1/shipments/export?sort=-planned_arrival",
    "/shipments",
    "/shipments/export?search=DN",
    "/api/v1/receipts",
    "/api/v1/receipts?discrepancy=open",
    "/api/v1/receipts/export?discrepancy=any&sort=dealer",
    "/discrepancies",
    "/discrepancies/export?discrepancy=settled",
    "/stock",
    "/stock?alerts=true",
    "/stock/export?sort=-available",
    "/api/v1/stock?alerts=true",
    "/api/v1/stock/export?warehouse_id=1",
    "/returns",
    "/returns/export?sort=-state",
    "/api/v1/returns",
    "/api/v1/returns/export?state=requested",
];

/// Details, with `{dealer}`, `{region}` and `{user}` standing for ids the viewer must not reach,
/// and `{partner}` for the EDI partner profile of that dealer.
const DETAILS: &[&str] = &[
    "/api/v1/dealers/{dealer}",
    "/api/v1/regions/{region}",
    "/api/v1/users/{user}",
    "/api/v1/catalog?dealer_id={dealer}",
    "/api/v1/catalog/{product}/price?dealer_id={dealer}",
    "/api/v1/catalog/{product}",
    "/api/v1/products/{product}",
    "/api/v1/catalog/export?dealer_id={dealer}",
    "/api/v1/catalog-statistics/views?dealer_id={dealer}",
    "/api/v1/catalog-statistics/never-viewed?dealer_id={dealer}",
    "/api/v1/catalog-statistics/views/export?dealer_id={dealer}",
    "/catalog-statistics/export?dealer_id={dealer}",
    "/api/v1/catalog-statistics/never-viewed/export?dealer_id={dealer}&sort=-name",
    "/catalog-statistics/never-viewed?dealer_id={dealer}&search=water",
    "/catalog-statistics/never-viewed/export?dealer_id={dealer}",
    "/api/v1/orders/{order}",
    "/dealers/{dealer}",
    "/dealers/{dealer}/edit",
    "/catalog?dealer_id={dealer}",
    "/catalog/{product}?dealer_id={dealer}",
    "/catalog/{product}",
    "/products/{product}",
    "/catalog-statistics?dealer_id={dealer}",
    "/users/{user}",
    "/orders/{order}",
    "/api/v1/edi/partners/{partner}",
    "/api/v1/edi/partners/{partner}/cross-references",
    "/api/v1/edi/partners/{partner}/cross-references?search=a",
    "/edi/partners/{partner}/edit",
    "/edi/partners/{partner}/cross-references",
    "/edi/partners/{partner}/cross-references?search=a&sort=-sku",
    "/edi/partners/{partner}/cross-references/export",
    "/edi/partners/{partner}/cross-references/export?search=a",
    "/exports/{export}",
    "/exports/{export}/file",
    "/api/v1/exports/{export}",
    "/api/v1/exports/{export}/file",
];

/// Changes aimed at the same out-of-scope ids; each must be refused and write nothing.
const WRITES: &[(&str, &str, &str)] = &[
    (
        "PUT",
        "/api/v1/dealers/{dealer}",
        r#"{"code":"HIJACK","legal_name":"Hijack","tier":1,"region_id":{region}}"#,
    ),
    (
        "POST",
        "/api/v1/dealers/{dealer}/locations",
        r#"{"code":"HIJACK","name":"Hijack","address":"Nowhere"}"#,
    ),
    ("POST", "/api/v1/dealers/{dealer}/contacts", r#"{"name":"Hijack"}"#),
    ("PATCH", "/api/v1/regions/{region}", r#"{"name":"Hijack"}"#),
    (
        "PUT",
        "/api/v1/users/{user}",
        r#"{"login":"hijack@example.com","display_name":"Hijack","roles":["purchaser"]}"#,
    ),
    (
        "POST",
        "/api/v1/users/{user}/password",
        r#"{"password":"hijacked-password"}"#,
    ),
    ("POST", "/api/v1/orders/{order}/confirm", r#"{}"#),
    ("POST", "/api/v1/orders/{order}/reject", r#"{"reason":"Hijack"}"#),
    ("POST", "/api/v1/orders/{order}/cancel", r#"{"reason":"Hijack"}"#),
    ("POST", "/api/v1/orders/{order}/undo-rejection", r#"{}"#),
    ("POST", "/api/v1/orders/{order}/credit-decision", r#"{"release":true}"#),
    ("POST", "/api/v1/orders/{order}/reorder", r#"{}"#),
    ("PUT", "/api/v1/dealers/{dealer}/credit", r#"{"credit_limit":"1.00"}"#),
    ("DELETE", "/api/v1/products/{product}/images/1", r#"{}"#),
    (
        "POST",
        "/api/v1/orders/{order}/change-requests",
        r#"{"reason":"Hijack","lines":[{"line_number":1,"quantity":1}]}"#,
    ),
    (
        "POST",
        "/api/v1/change-requests/{change}/decision",
        r#"{"approve":true}"#,
    ),
    (
        "POST",
        "/api/v1/change-requests/{change}/decision",
        r#"{"approve":false,"reason":"Hijack"}"#,
    ),
    ("POST", "/api/v1/change-requests/{change}/withdraw", r#"{}"#),
    (
        "POST",
        "/api/v1/sales-orders/{sales_order}/shipments",
        r#"{"packages":["146012345000000019"],"lines":[{"line_number":1,"quantity":1}]}"#,
    ),
    ("POST", "/api/v1/shipments/{shipment}/receipt", r#"{}"#),
    (
        "POST",
        "/api/v1/shipments/{shipment}/returns",
        r#"{"lines":[{"line_number":1,"quantity":1,"reason":"damaged"}]}"#,
    ),
    ("POST", "/api/v1/returns/{return}/decision", r#"{"approve":true}"#),
    ("POST", "/api/v1/receipts/{receipt}/settlement", r#"{"note":"Hijack"}"#),
    (
        "PUT",
        "/api/v1/edi/partners/{partner}",
        r#"{"dealer_id":{dealer},"interchange_id":"4601234599900","directory":"D96A","syntax":"UNOC","syntax_version":3,"channel":"api","messages_in":[],"messages_out":[]}"#,
    ),
    ("PUT", "/api/v1/edi/partners/{partner}/cross-references", r#"[]"#),
];

/// The reason of a change request on the forbidden order, which no list may show the viewer.
const HIDDEN_CHANGE: &str = "HIDDEN-CHANGE-REQUEST";

/// An id no product has, for viewers whose scope hides no product of their own tenant.
const NO_SUCH_PRODUCT: i64 = 999_999;
/// An id no order has, for a viewer that sees every order of its tenant.
const NO_SUCH_ORDER: i64 = 999_999;

/// The demo's orders of Vektor (Moscow) and of Qingquan (Shanghai).
const VEKTOR_ORDER: &str = "VK-2026-0141";
const QINGQUAN_ORDER: &str = "QQ-2611-07";

async fn order_id(app: &TestApp, number: &str) -> i64 {
    id_of(app, "orders", "dealer_order_number", number).await
}

/// What one viewer must never see.
struct Forbidden {
    login: &'static str,
    /// Texts that only appear in data outside the viewer's scope.
    markers: Vec<&'static str>,
    dealer: i64,
    region: i64,
    user: i64,
    /// A product the viewer must not reach (another tenant's, or one not published to it).
    product: i64,
    /// An order of a dealer outside the viewer's scope.
    order: i64,
}

/// A finished export of the user's, straight into the database.
async fn export_of(app: &TestApp, user: i64) -> i64 {
    app.db
        .fetch_one(
            &platform::Query::new(
                "INSERT INTO exports (tenant_id, user_id, list, parameters, locale, status, rows_done, rows_total,
                     file_name, content, created_at, updated_at)
                 SELECT tenant_id, id, 'dealers', '{}', 'en', 'done', 0, 0, 'dealers.xlsx', $1, $2, $2
                 FROM users WHERE id = $3 RETURNING id",
            )
            .bind(b"HIDDEN-EXPORT".to_vec())
            .bind(chrono::Utc::now())
            .bind(user),
        )
        .await
        .unwrap()
        .get("id")
        .unwrap()
}

/// An open change request on the order, straight into the database; an id nothing has when
/// there is no such order.
async fn hidden_change_request(app: &TestApp, order: i64) -> i64 {
    let row = app
        .db
        .fetch_optional(
            &platform::Query::new(
                "INSERT INTO change_requests (tenant_id, order_id, raised_by_side, raised_by_name, reason, state, created_at)
                 SELECT tenant_id, id, 'manufacturer', 'Scope test', $1, 'open', $2 FROM orders WHERE id = $3 RETURNING id",
            )
            .bind(HIDDEN_CHANGE)
            .bind(chrono::Utc::now())
            .bind(order),
        )
        .await
        .unwrap();
    row.map_or(NO_SUCH_ORDER, |row| row.get("id").unwrap())
}

fn fill(template: &str, forbidden: &Forbidden) -> String {
    template
        .replace("{dealer}", &forbidden.dealer.to_string())
        .replace("{region}", &forbidden.region.to_string())
        .replace("{user}", &forbidden.user.to_string())
        .replace("{product}", &forbidden.product.to_string())
        .replace("{order}", &forbidden.order.to_string())
}

async fn assert_scoped(app: &TestApp, forbidden: &Forbidden) {
    let token = app.token(forbidden.login).await;
    let session: BrowserSession = app.browser_session(forbidden.login).await;
    for path in LISTS {
        let response = if path.starts_with("/api/") {
            app.get(path, &token).await
        } else {
            app.page(&session, path).await
        };
        assert!(
            !response.status.is_server_error(),
            "{} GET {path}: {}",
            forbidden.login,
            response.status
        );
        if response.status.is_success() {
            let body = response.text();
            for marker in &forbidden.markers {
                assert!(
                    !body.contains(marker),
                    "{} GET {path} shows {marker:?}",
                    forbidden.login
                );
            }
        }
    }
    // The forbidden dealer's EDI partner, or an id no partner has.
    let partner = app
        .count(&format!(
            "SELECT COALESCE(MIN(id), {NO_SUCH_ORDER}) AS n FROM edi_partners WHERE dealer_id = {}",
            forbidden.dealer
        ))
        .await
        .to_string();
    let export = export_of(app, forbidden.user).await.to_string();
    for template in DETAILS {
        let path = fill(template, forbidden)
            .replace("{partner}", &partner)
            .replace("{export}", &export);
        let response = if path.starts_with("/api/") {
            app.get(&path, &token).await
        } else {
            app.page(&session, &path).await
        };
        // 422 is an internal user not naming a dealer: a refusal that reveals nothing either.
        assert!(
            [403, 404, 422].contains(&response.status.as_u16()),
            "{} GET {path} answered {} instead of a refusal",
            forbidden.login,
            response.status
        );
    }
    let change = hidden_change_request(app, forbidden.order).await.to_string();
    let sales_order = app
        .count(&format!(
            "SELECT COALESCE(MIN(id), {NO_SUCH_ORDER}) AS n FROM sales_orders WHERE order_id = {}",
            forbidden.order
        ))
        .await
        .to_string();
    // The shipments and receipts of the forbidden order's dealer (the demo ships to Vektor only).
    let of_dealer = |table: &str| {
        format!(
            "SELECT COALESCE(MIN(id), {NO_SUCH_ORDER}) AS n FROM {table}
             WHERE dealer_id = (SELECT dealer_id FROM orders WHERE id = {})",
            forbidden.order
        )
    };
    let shipment = app.count(&of_dealer("shipments")).await.to_string();
    let receipt = app.count(&of_dealer("receipts")).await.to_string();
    let return_id = app.count(&of_dealer("returns")).await.to_string();
    let history = app
        .get(&fill("/api/v1/orders/{order}/change-requests", forbidden), &token)
        .await;
    assert!(
        !history.status.is_server_error() && !history.text().contains(HIDDEN_CHANGE),
        "{} sees the change requests of an order outside its scope",
        forbidden.login
    );
    let audit_before = app.count("SELECT COUNT(*) AS n FROM audit_log").await;
    for (method, template, body) in WRITES {
        let path = fill(template, forbidden)
            .replace("{change}", &change)
            .replace("{sales_order}", &sales_order)
            .replace("{shipment}", &shipment)
            .replace("{receipt}", &receipt)
            .replace("{return}", &return_id)
            .replace("{partner}", &partner);
        let body: serde_json::Value = serde_json::from_str(&fill(body, forbidden)).unwrap();
        let response = app.call(method.parse().unwrap(), &path, Some(&token), Some(body)).await;
        assert!(
            [403, 404, 422].contains(&response.status.as_u16()),
            "{} {method} {path} answered {}",
            forbidden.login,
            response.status
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM audit_log").await,
        audit_before,
        "nothing was changed"
    );
}

/// A second manufacturer with a region, a dealer and an administrator of its own.
async fn other_tenant(app: &TestApp) {
    let clock = Clock::system();
    let tenant = identity::commands::create_tenant(
        &app.db,
        &clock,
        &NewTenant {
            code: "other".into(),
            name: "OTHERTENANT Brewing".into(),
            currency: "CNY".into(),
            default_locale: "zh".into(),
            time_zone: "Asia/Shanghai".into(),
        },
    )
    .await
    .unwrap();
    let system = Actor::system(tenant.id);
    let region = identity::commands::create_region(
        &app.db,
        &clock,
        &system,
        &RegionInput {
            code: "OT-LAND".into(),
            name: "OTHERTENANT land".into(),
            kind: "country".into(),
            parent_id: None,
        },
    )
    .await
    .unwrap();
    identity::commands::create_dealer(
        &app.db,
        &clock,
        &system,
        &DealerInput {
            code: "OTHERTENANT-D1".into(),
            legal_name: "OTHERTENANT Dealer".into(),
            tier: 1,
            region_id: region.id,
            ..DealerInput::default()
        },
    )
    .await
    .unwrap();
    catalog::commands::import_products(
        &app.db,
        &clock,
        &system,
        &[catalog::domain::ProductInput {
            sku: "OTHERTENANT-P1".into(),
            gtin: "96385074".into(),
            name_en: "OTHERTENANT beer".into(),
            name_ru: "OTHERTENANT пиво".into(),
            name_zh: "OTHERTENANT 啤酒".into(),
            unit: "BO".into(),
            pack_size: 24,
            ..catalog::domain::ProductInput::default()
        }],
    )
    .await
    .unwrap();
    identity::commands::create_user(
        &app.db,
        &clock,
        &system,
        &UserInput {
            login: "admin@other.test".into(),
            display_name: "OTHERTENANT Admin".into(),
            password: Some(testkit::PASSWORD.into()),
            roles: vec!["administrator".into()],
            all_regions: true,
            ..UserInput::default()
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn tenants_never_see_each_other() {
    let app = TestApp::with_demo().await;
    other_tenant(&app).await;
    assert_scoped(
        &app,
        &Forbidden {
            login: "admin@other.test",
            markers: vec!["VK-2026", "VEKTOR", "Baikal Springs", "admin@demo.test", "RU-CEN"],
            dealer: id_of(&app, "dealers", "code", "VEKTOR").await,
            region: id_of(&app, "regions", "code", "RU-CEN").await,
            product: id_of(&app, "products", "sku", "BS-0001").await,
            user: id_of(&app, "users", "login", "admin@demo.test").await,
            order: order_id(&app, VEKTOR_ORDER).await,
        },
    )
    .await;
    assert_scoped(
        &app,
        &Forbidden {
            login: "admin@demo.test",
            markers: vec!["OTHERTENANT", "admin@other.test", "OT-LAND"],
            dealer: id_of(&app, "dealers", "code", "OTHERTENANT-D1").await,
            region: id_of(&app, "regions", "code", "OT-LAND").await,
            product: id_of(&app, "products", "sku", "OTHERTENANT-P1").await,
            user: id_of(&app, "users", "login", "admin@other.test").await,
            order: NO_SUCH_ORDER,
        },
    )
    .await;
}

#[tokio::test]
async fn a_sales_manager_sees_only_the_regions_in_their_scope() {
    let app = TestApp::with_demo().await;
    assert_scoped(
        &app,
        &Forbidden {
            login: "manager@demo.test",
            markers: vec![
                "QQ-2611",
                "SH-QINGQUAN",
                "NEVA-TRADE",
                "SIBVODA",
                "RU-NW",
                "CN-E",
                "dealer2@demo.test",
            ],
            dealer: id_of(&app, "dealers", "code", "SH-QINGQUAN").await,
            region: id_of(&app, "regions", "code", "CN-E").await,
            product: NO_SUCH_PRODUCT,
            user: id_of(&app, "users", "login", "dealer2@demo.test").await,
            order: order_id(&app, QINGQUAN_ORDER).await,
        },
    )
    .await;
    let token = app.token("manager@demo.test").await;
    let dealers = app.get("/api/v1/dealers", &token).await.json();
    let codes: Vec<&str> = dealers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["DOM-PRODUKTY", "TULA-DIST", "VEKTOR"]);
}

#[tokio::test]
async fn a_dealer_sees_only_its_own_dealer() {
    let app = TestApp::with_demo().await;
    assert_scoped(
        &app,
        &Forbidden {
            login: "dealer@demo.test",
            markers: vec![
                "QQ-2611",
                "DOM-PRODUKTY",
                "TULA-DIST",
                "SH-QINGQUAN",
                "dealer2@demo.test",
            ],
            dealer: id_of(&app, "dealers", "code", "DOM-PRODUKTY").await,
            region: id_of(&app, "regions", "code", "RU-MOW").await,
            product: NO_SUCH_PRODUCT,
            user: id_of(&app, "users", "login", "dealer2@demo.test").await,
            order: order_id(&app, QINGQUAN_ORDER).await,
        },
    )
    .await;
    assert_scoped(
        &app,
        &Forbidden {
            login: "dealer2@demo.test",
            markers: vec!["VK-2026", "VEKTOR", "HZ-XIHU", "dealer@demo.test"],
            dealer: id_of(&app, "dealers", "code", "VEKTOR").await,
            region: id_of(&app, "regions", "code", "CN-SH").await,
            product: id_of(&app, "products", "sku", "BS-0015").await,
            user: id_of(&app, "users", "login", "dealer@demo.test").await,
            order: order_id(&app, VEKTOR_ORDER).await,
        },
    )
    .await;
}

#[tokio::test]
async fn a_distributor_allowed_to_see_its_tier2_dealers_sees_them_and_no_more() {
    let app = TestApp::with_demo().await;
    assert_scoped(
        &app,
        &Forbidden {
            login: "vektor.admin@demo.test",
            markers: vec!["QQ-2611", "TULA-DIST", "HZ-XIHU", "dealer2@demo.test"],
            dealer: id_of(&app, "dealers", "code", "TULA-DIST").await,
            region: id_of(&app, "regions", "code", "RU-MOW").await,
            product: NO_SUCH_PRODUCT,
            user: id_of(&app, "users", "login", "dealer2@demo.test").await,
            order: order_id(&app, QINGQUAN_ORDER).await,
        },
    )
    .await;
    let token = app.token("vektor.admin@demo.test").await;
    let dealers = app.get("/api/v1/dealers", &token).await.json();
    let codes: Vec<&str> = dealers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["DOM-PRODUKTY", "VEKTOR"]);
}

#[tokio::test]
async fn another_tenants_ids_in_a_body_are_unknown_here() {
    let app = TestApp::with_demo().await;
    other_tenant(&app).await;
    let token = app.token("admin@other.test").await;
    let demo_region = id_of(&app, "regions", "code", "RU-MOW").await;
    let demo_distributor = id_of(&app, "dealers", "code", "VEKTOR").await;
    let demo_dealer_for_user = id_of(&app, "dealers", "code", "NEVA-TRADE").await;
    let dealer = app
        .post(
            "/api/v1/dealers",
            &token,
            serde_json::json!({"code": "X-1", "legal_name": "X", "tier": 2, "parent_dealer_id": demo_distributor, "region_id": demo_region}),
        )
        .await;
    assert_eq!(dealer.status, 422);
    assert_eq!(dealer.error_fields(), vec!["region_id", "parent_dealer_id"]);
    let user = app
        .post(
            "/api/v1/users",
            &token,
            serde_json::json!({"login": "x@other.test", "display_name": "X", "password": "long-enough", "roles": ["purchaser"], "dealer_id": demo_dealer_for_user}),
        )
        .await;
    assert_eq!(user.status, 422);
    assert_eq!(user.error_fields(), vec!["dealer_id"]);
}

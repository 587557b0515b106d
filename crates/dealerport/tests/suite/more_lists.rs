//! The lists whose demo holds no rows, or too few to sort: each gets some first, then passes
//! the same checks as every other list (see `lists.rs`): sorting both ways, refusing unknown
//! keys, and exporting its filtered rows in its order, page and API alike.

use platform::jobs;
use testkit::TestApp;

use crate::lists::{assert_exports, assert_sorts, List};

#[tokio::test]
async fn the_job_list_sorts_and_exports() {
    let app = TestApp::with_demo().await;
    let tenant = app.count("SELECT id AS n FROM tenants WHERE code = 'demo'").await;
    let mut tx = app.db.begin().await.unwrap();
    for (n, kind) in ["mail", "import", "mail", "edi.dispatch", "mail"].iter().enumerate() {
        jobs::enqueue(
            &mut tx,
            Some(platform::TenantId(tenant)),
            kind,
            &serde_json::json!({ "n": n }),
            app.clock.now(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let list = List {
        login: "admin@demo.test",
        page: "/admin/jobs",
        api: "/api/v1/jobs",
        filter: "kind=mail",
        sort: "kind",
        identity: "id",
        export_column: 0,
    };
    assert_sorts(&app, &list).await;
    assert_exports(&app, &list).await;
}

#[tokio::test]
async fn the_integration_token_list_filters_by_state_sorts_and_exports() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let manager = crate::id_of(&app, "users", "login", "manager@demo.test").await;
    let mut ids = Vec::new();
    for name in ["ERP", "WMS", "BI", "Mobile"] {
        let created = app
            .post(
                "/api/v1/api-tokens",
                &admin,
                serde_json::json!({ "name": name, "user_id": manager }),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text());
        ids.push(created.json()["id"].as_i64().unwrap());
    }
    for id in &ids[..2] {
        let revoked = app
            .call(
                axum::http::Method::DELETE,
                &format!("/api/v1/api-tokens/{id}"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(revoked.status, 200);
    }
    let list = List {
        login: "admin@demo.test",
        page: "/admin/api-tokens",
        api: "/api/v1/api-tokens",
        filter: "state=revoked",
        sort: "name",
        identity: "name",
        export_column: 0,
    };
    assert_sorts(&app, &list).await;
    assert_exports(&app, &list).await;
}

#[tokio::test]
async fn the_import_list_filters_by_status_sorts_and_exports() {
    let app = TestApp::with_demo().await;
    let admin = crate::id_of(&app, "users", "login", "admin@demo.test").await;
    let actor = identity::queries::acting_user(&app.db, platform::UserId(admin))
        .await
        .unwrap()
        .unwrap();
    let now = app.clock.now();
    let mut ids = Vec::new();
    for file in ["spring.xlsx", "autumn.xlsx", "winter.xlsx", "summer.xlsx"] {
        let mut tx = app.db.begin().await.unwrap();
        let id = platform::imports::create(&mut tx, &actor, "products", None, file, Vec::new(), now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        ids.push(id);
    }
    for (rows, id) in ids[..2].iter().enumerate() {
        platform::imports::finish(&app.db, *id, "done", rows as i64 + 1, &[], now)
            .await
            .unwrap();
    }
    let list = List {
        login: "admin@demo.test",
        page: "/imports",
        api: "/api/v1/imports",
        filter: "status=done",
        sort: "file_name",
        identity: "file_name",
        export_column: 0,
    };
    assert_sorts(&app, &list).await;
    assert_exports(&app, &list).await;
}

/// The partner codes of a cross-reference list, in its order.
fn codes(rows: &serde_json::Value) -> Vec<String> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|row| row["partner_code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_partners_cross_references_sort_and_export_in_the_same_order() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let partner = app.count("SELECT id AS n FROM edi_partners").await;
    let path = format!("/api/v1/edi/partners/{partner}/cross-references");
    let saved = app
        .put(
            &path,
            &admin,
            serde_json::json!([
                {"kind": "article", "partner_code": "VK-ART-2", "sku": "BS-0003"},
                {"kind": "article", "partner_code": "VK-ART-3", "sku": "BS-0001"},
                {"kind": "article", "partner_code": "VK-ART-1", "sku": "BS-0002"},
            ]),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text());

    let by_sku = codes(&app.get(&format!("{path}?sort=sku"), &admin).await.json());
    assert_eq!(
        by_sku,
        ["VK-ART-3", "VK-ART-1", "VK-ART-2"],
        "BS-0001, BS-0002, BS-0003"
    );
    let mut reversed = codes(&app.get(&format!("{path}?sort=-sku"), &admin).await.json());
    reversed.reverse();
    assert_eq!(reversed, by_sku);
    let refused = app.get(&format!("{path}?sort=secret"), &admin).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.error_codes(), vec!["list.sort_invalid"]);

    let session = app.browser_session("admin@demo.test").await;
    let page_path = format!("/edi/partners/{partner}/cross-references");
    let page = app.page(&session, &format!("{page_path}?sort=sku")).await.text();
    assert!(
        page.contains(&format!(
            "<th aria-sort=\"ascending\"><a class=\"sort\" href=\"{page_path}?sort=-sku\">"
        )),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"{page_path}/export?sort=sku\"")));
    let export = app.page(&session, &format!("{page_path}/export?sort=sku")).await;
    let table = xlsx::read_table(&export.body).unwrap();
    let exported: Vec<String> = table.rows.iter().map(|row| row.cell(1).to_owned()).collect();
    assert_eq!(exported, by_sku, "the export keeps the page's order");
    assert_eq!(table.headers[1], "partner_code", "and the columns its import reads");
}

#[tokio::test]
async fn the_return_list_sorts_and_exports() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let admin = app.token("admin@demo.test").await;
    let shipments = app.get("/api/v1/shipments", &dealer).await.json();
    let mut asked = Vec::new();
    // One unit at a time, twice over: each a return of its own.
    for shipment in shipments["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(shipments["items"].as_array().unwrap())
    {
        for line in shipment["lines"].as_array().unwrap() {
            let requested = app
                .post(
                    &format!("/api/v1/shipments/{}/returns", shipment["id"]),
                    &dealer,
                    serde_json::json!({ "lines": [{
                        "line_number": line["order_line_number"], "quantity": 1, "reason": "damaged"
                    }]}),
                )
                .await;
            assert_eq!(requested.status, 201, "{}", requested.text());
            asked.push(requested.json()["id"].as_i64().unwrap());
        }
    }
    assert!(asked.len() > 2, "the demo's received shipments have lines to return");
    let rejected = app
        .post(
            &format!("/api/v1/returns/{}/decision", asked[0]),
            &admin,
            serde_json::json!({ "approve": false, "reason": "Not damaged on arrival" }),
        )
        .await;
    assert!(rejected.status.is_success(), "{}", rejected.text());
    let list = List {
        login: "admin@demo.test",
        page: "/returns",
        api: "/api/v1/returns",
        filter: "state=requested",
        sort: "requested_at",
        identity: "id",
        export_column: 0,
    };
    assert_sorts(&app, &list).await;
    let list = List {
        identity: "shipment_number",
        export_column: 3,
        ..list
    };
    assert_exports(&app, &list).await;
}

#[tokio::test]
async fn dealer_groups_are_the_manufacturers_own_and_a_dealers_people_see_none() {
    let app = TestApp::with_demo().await;
    let manager = app.token("manager@demo.test").await;
    let groups = app.get("/api/v1/dealer-groups?sort=code", &manager).await.json();
    assert_eq!(groups["total"], 3, "{groups}");
    assert_eq!(groups["items"][0]["code"], "HORECA");

    let distributor = app.token("vektor.admin@demo.test").await;
    let none = app.get("/api/v1/dealer-groups", &distributor).await;
    assert_eq!(none.status, 200, "{}", none.text());
    assert_eq!(none.json()["total"], 0);

    let staff = app.browser_session("manager@demo.test").await;
    assert!(app
        .page(&staff, "/dealers")
        .await
        .text()
        .contains("href=\"/dealer-groups\""));
    let dealer = app.browser_session("vektor.admin@demo.test").await;
    assert!(!app
        .page(&dealer, "/dealers")
        .await
        .text()
        .contains("href=\"/dealer-groups\""));
}

#[tokio::test]
async fn the_order_desk_sorts_and_exports() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let water = crate::id_of(&app, "products", "sku", "BS-0002").await;
    let location = crate::location_of(&app, "VEKTOR").await;
    for number in ["DESK-B", "DESK-A", "DESK-C"] {
        let placed = app
            .post(
                "/api/v1/orders",
                &dealer,
                serde_json::json!({"dealer_order_number": number, "delivery_location_id": location,
                    "requested_delivery_on": "2026-11-30", "lines": [{"product_id": water, "quantity": 12}]}),
            )
            .await;
        assert_eq!(placed.status, 201, "{}", placed.text());
    }
    let list = List {
        login: "orders@demo.test",
        page: "/order-desk",
        api: "/api/v1/order-desk",
        // In the numbers' own letter case: PostgreSQL compares order numbers case-sensitively.
        filter: "search=DESK-",
        sort: "number",
        identity: "dealer_order_number",
        export_column: 0,
    };
    assert_sorts(&app, &list).await;
    assert_exports(&app, &list).await;
}

/// The dealer codes of the EDI partners the API lists under `query`.
async fn partner_codes(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let body = app.get(&format!("/api/v1/edi/partners?{query}"), token).await.json();
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|partner| partner["dealer_code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_edi_partner_list_searches_by_dealer_or_gln_sorts_and_exports() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    for code in ["SH-QINGQUAN", "HZ-XIHU", "GZ-NANFANG", "NEVA-TRADE"] {
        let dealer = crate::id_of(&app, "dealers", "code", code).await;
        let gln = crate::edi::text(&app, &format!("SELECT gln AS t FROM dealers WHERE code = '{code}'")).await;
        let (channel, folder) = match code {
            "NEVA-TRADE" => ("directory", Some("/srv/edi/neva")),
            _ => ("api", None),
        };
        let created = app
            .post(
                "/api/v1/edi/partners",
                &admin,
                serde_json::json!({"dealer_id": dealer, "interchange_id": gln, "directory": "D96A", "syntax": "UNOC",
                    "syntax_version": 3, "channel": channel, "directory_path": folder,
                    "messages_in": ["ORDERS"], "messages_out": ["ORDRSP"]}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text());
    }
    // The Chinese dealers' GLNs start 690, the Russian ones' 460.
    let list = List {
        login: "admin@demo.test",
        page: "/edi/partners",
        api: "/api/v1/edi/partners",
        filter: "search=6901234500",
        sort: "dealer_code",
        identity: "dealer_code",
        export_column: 0,
    };
    assert_sorts(&app, &list).await;
    assert_exports(&app, &list).await;

    assert_eq!(
        partner_codes(&app, &admin, "search=%D0%BD%D0%B5%D0%B2%D0%B0").await,
        ["NEVA-TRADE"],
        "нева: the legal name, any case"
    );
    assert_eq!(
        partner_codes(&app, &admin, "search=xihu").await,
        ["HZ-XIHU"],
        "the dealer code, any case"
    );
    assert_eq!(partner_codes(&app, &admin, "channel=directory").await, ["NEVA-TRADE"]);
    assert_eq!(
        partner_codes(&app, &admin, "channel=api&per_page=2&page=2").await,
        ["SH-QINGQUAN", "VEKTOR"],
        "four on the API channel, two a page, by dealer code"
    );

    let session = app.browser_session("admin@demo.test").await;
    let page = app.page(&session, "/edi/partners?search=xihu").await.text();
    assert!(page.contains("HZ-XIHU") && !page.contains("VEKTOR"), "{page}");
    assert!(page.contains("href=\"/edi/partners/export?search=xihu\""), "{page}");
}

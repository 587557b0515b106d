//! A list export larger than what is written at once becomes a background export: the user
//! follows its progress on its page (or through the API), may leave and come back, and downloads
//! the file when the job has written it. The job reads the same list as the same user, so the
//! file holds exactly the rows the list shows them, and nobody else sees their export.

use platform::jobs::Worker;
use serde_json::Value;
use testkit::{BrowserSession, TestApp};

/// The demo with exports of more than one row running in the background.
async fn app() -> TestApp {
    TestApp::with_demo().await.with_direct_export_rows(1)
}

fn worker(app: &TestApp) -> Worker {
    Worker::new(app.db.clone(), app.clock.clone(), "test-exporter".into()).handle(
        platform::exports::JOB_KIND,
        web::exports::job_handler(app.clock.clone()),
    )
}

/// The identifying field of every row of an API list (the demo's lists fit one page).
async fn api_rows(app: &TestApp, token: &str, path: &str, field: &str) -> Vec<String> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let response = app.get(&format!("{path}{separator}per_page=200"), token).await;
    assert_eq!(response.status, 200, "GET {path}: {}", response.text());
    let body = response.json();
    assert!(body["total"].as_i64().unwrap() <= 200);
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| match &item[field] {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// Asks for a list's export on its page and follows the redirect to the export's page.
async fn start_export(app: &TestApp, session: &BrowserSession, path: &str) -> i64 {
    let response = app.page(session, path).await;
    assert_eq!(
        response.status,
        303,
        "GET {path} starts a background export: {}",
        response.text()
    );
    let location = response.headers["location"].to_str().unwrap().to_owned();
    location
        .strip_prefix("/exports/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirected to an export's page, not {location}"))
}

/// The file's headers and the texts of its first column.
fn first_column(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let table = xlsx::read_table(bytes).unwrap();
    let cells = table.rows.iter().map(|row| row.cell(0).to_owned()).collect();
    (table.headers, cells)
}

#[tokio::test]
async fn a_large_dealer_export_runs_in_the_background_and_holds_exactly_the_filtered_rows() {
    let app = app().await;
    let token = app.token("admin@demo.test").await;
    let expected = api_rows(&app, &token, "/api/v1/dealers?tier=1&sort=-legal_name", "code").await;
    let everyone = api_rows(&app, &token, "/api/v1/dealers", "code").await;
    assert!(expected.len() > 2 && expected.len() < everyone.len(), "{expected:?}");

    let session = app.browser_session("admin@demo.test").await;
    let id = start_export(&app, &session, "/dealers/export?tier=1&sort=-legal_name").await;

    let pending = app.page(&session, &format!("/exports/{id}")).await;
    assert_eq!(pending.status, 200);
    let html = pending.text();
    assert!(
        html.contains("<meta http-equiv=\"refresh\""),
        "a running export's page follows it"
    );
    assert!(html.contains("Waiting"), "{html}");
    assert!(
        html.contains("tier = 1") && html.contains("sort = -legal_name"),
        "{html}"
    );
    assert!(!html.contains(&format!("/exports/{id}/file")), "no file yet");
    assert_eq!(app.page(&session, &format!("/exports/{id}/file")).await.status, 404);

    // Part-way through, the page shows the rows written of the rows there are.
    let total = expected.len() as i64;
    platform::exports::set_progress(&app.db, id, 2, total, app.clock.now())
        .await
        .unwrap();
    let running = app.page(&session, &format!("/exports/{id}")).await.text();
    assert!(running.contains(&format!("2 of {total} rows")), "{running}");
    assert!(running.contains(&format!("value=\"{}\"", 200 / total)), "{running}");
    assert!(running.contains("Writing"));

    assert!(worker(&app).run_once().await.unwrap());
    let done = app.page(&session, &format!("/exports/{id}")).await.text();
    assert!(
        !done.contains("http-equiv=\"refresh\""),
        "a finished export's page stays still"
    );
    assert!(done.contains(&format!("{total} of {total} rows")), "{done}");
    assert!(done.contains(&format!("href=\"/exports/{id}/file\"")), "{done}");

    let file = app.page(&session, &format!("/exports/{id}/file")).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.headers["content-type"], xlsx::MEDIA_TYPE);
    let (headers, codes) = first_column(&file.body);
    assert_eq!(codes, expected, "the file holds the filtered rows in the list's order");
    assert_eq!(headers[..2], ["Code", "Legal name"]);

    let mine = app.page(&session, "/exports").await.text();
    assert!(
        mine.contains(&format!("href=\"/exports/{id}\"")),
        "the user's exports list it"
    );
    assert!(mine.contains("Done"));

    // A small export is still written at once.
    let small = app.page(&session, "/dealers/export?search=VEKTOR").await;
    assert_eq!(small.status, 200);
    assert_eq!(first_column(&small.body).1, ["VEKTOR"]);
}

#[tokio::test]
async fn nobody_else_sees_a_users_export() {
    let app = app().await;
    let admin = app.browser_session("admin@demo.test").await;
    let id = start_export(&app, &admin, "/dealers/export").await;
    assert!(worker(&app).run_once().await.unwrap());

    for login in ["manager@demo.test", "finance@demo.test", "dealer@demo.test"] {
        let other = app.browser_session(login).await;
        assert_eq!(app.page(&other, &format!("/exports/{id}")).await.status, 404, "{login}");
        assert_eq!(
            app.page(&other, &format!("/exports/{id}/file")).await.status,
            404,
            "{login}"
        );
        let list = app.page(&other, "/exports").await;
        assert_eq!(list.status, 200);
        assert!(!list.text().contains(&format!("/exports/{id}")), "{login}");
        let token = app.token(login).await;
        assert_eq!(app.get(&format!("/api/v1/exports/{id}"), &token).await.status, 404);
        assert_eq!(app.get(&format!("/api/v1/exports/{id}/file"), &token).await.status, 404);
    }
}

#[tokio::test]
async fn a_sales_managers_background_export_holds_only_their_regions() {
    let app = app().await;
    let token = app.token("manager@demo.test").await;
    let visible = api_rows(&app, &token, "/api/v1/dealers?sort=code", "code").await;
    assert!(visible.len() > 2);
    let session = app.browser_session("manager@demo.test").await;
    let id = start_export(&app, &session, "/dealers/export?sort=code").await;
    assert!(worker(&app).run_once().await.unwrap());
    let file = app.page(&session, &format!("/exports/{id}/file")).await;
    assert_eq!(file.status, 200);
    let (_, codes) = first_column(&file.body);
    assert_eq!(codes, visible);
    assert!(
        !codes.contains(&"SH-QINGQUAN".to_owned()),
        "Shanghai is not the manager's"
    );
}

#[tokio::test]
async fn an_export_of_a_user_who_lost_the_permission_fails_with_a_clear_message() {
    let app = app().await;
    let session = app.browser_session("admin@demo.test").await;
    let id = start_export(&app, &session, "/users/export").await;
    // Before the job runs, the administrator becomes a sales manager, who may not see users.
    let admin = crate::id_of(&app, "users", "login", "admin@demo.test").await;
    app.db
        .execute(&platform::Query::new("UPDATE user_roles SET role = 'sales_manager' WHERE user_id = $1").bind(admin))
        .await
        .unwrap();
    assert!(worker(&app).run_once().await.unwrap());

    let token = app.token("admin@demo.test").await;
    let export = app.get(&format!("/api/v1/exports/{id}"), &token).await.json();
    assert_eq!(export["status"], "failed");
    assert_eq!(export["error_code"], "export.forbidden");
    assert_eq!(
        export["message"],
        "You are no longer allowed to see this list, so the export was not written."
    );
    let page = app.page(&session, &format!("/exports/{id}")).await.text();
    assert!(page.contains("You are no longer allowed to see this list"), "{page}");
    assert_eq!(app.page(&session, &format!("/exports/{id}/file")).await.status, 404);
}

#[tokio::test]
async fn the_api_answers_a_large_export_with_202_and_the_exports_location() {
    let app = app().await;
    let token = app.token("admin@demo.test").await;
    let expected = api_rows(&app, &token, "/api/v1/products?status=active&sort=-sku", "sku").await;
    assert!(expected.len() > 2);

    let accepted = app.get("/api/v1/products/export?status=active&sort=-sku", &token).await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let location = accepted.headers["location"].to_str().unwrap().to_owned();
    let body = accepted.json();
    let id = body["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/exports/{id}"));
    assert_eq!(body["status"], "queued");
    assert_eq!(body["list"], "products");
    assert_eq!(
        body["parameters"],
        serde_json::json!({ "status": "active", "sort": "-sku" })
    );

    let pending = app.get(&location, &token).await.json();
    assert_eq!(
        (pending["status"].as_str(), pending["progress"].as_i64()),
        (Some("queued"), Some(0))
    );
    assert_eq!(app.get(&format!("{location}/file"), &token).await.status, 404);

    assert!(worker(&app).run_once().await.unwrap());
    let done = app.get(&location, &token).await.json();
    assert_eq!(done["status"], "done");
    assert_eq!(done["progress"], 100);
    assert_eq!(done["rows_done"].as_i64(), Some(expected.len() as i64));
    assert_eq!(done["rows_total"].as_i64(), Some(expected.len() as i64));

    let file = app.get(&format!("{location}/file"), &token).await;
    assert_eq!(file.status, 200);
    let (headers, skus) = first_column(&file.body);
    assert_eq!(skus, expected);
    assert_eq!(headers[0], "SKU");

    let mine = app.get("/api/v1/exports", &token).await.json();
    assert_eq!(mine["items"][0]["id"].as_i64(), Some(id));

    // An export of at most the direct limit is the file itself.
    let small = app
        .get(&format!("/api/v1/products/export?search={}", expected[0]), &token)
        .await;
    assert_eq!(small.status, 200);
    assert_eq!(first_column(&small.body).1, [expected[0].clone()]);
}

#[tokio::test]
async fn a_background_export_is_the_file_a_direct_export_would_have_been() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let path = "/admin/audit/export?entity=dealer&sort=-entity_id";
    let direct = app.page(&session, path).await;
    assert_eq!(direct.status, 200, "{}", direct.text());

    let app = app.with_direct_export_rows(1);
    let id = start_export(&app, &session, path).await;
    assert!(worker(&app).run_once().await.unwrap());
    let file = app.page(&session, &format!("/exports/{id}/file")).await;
    assert_eq!(file.status, 200);
    assert_eq!(
        crate::lists::workbook(&file.body),
        crate::lists::workbook(&direct.body),
        "the same headers, rows and moments, written in the tenant's time zone"
    );
}

#[tokio::test]
async fn a_large_catalog_or_price_list_export_runs_in_the_background_with_its_fixed_columns() {
    let app = TestApp::with_demo().await;
    let list = crate::id_of(&app, "price_lists", "code", "BASE-RUB").await;
    let dealer = app.browser_session("dealer@demo.test").await;
    let admin = app.browser_session("admin@demo.test").await;
    let exports = [
        (&dealer, "/catalog/export?search=BS-00".to_owned()),
        (&dealer, "/catalog/export?sort=sku".to_owned()),
        (&admin, format!("/price-lists/{list}/export?sort=-sku")),
    ];
    let mut direct = Vec::new();
    for (session, path) in &exports {
        let file = app.page(session, path).await;
        assert_eq!(file.status, 200, "{path}: {}", file.text());
        direct.push(crate::lists::workbook(&file.body));
    }

    let app = app.with_direct_export_rows(1);
    for ((session, path), direct) in exports.iter().zip(direct) {
        let id = start_export(&app, session, path).await;
        assert!(worker(&app).run_once().await.unwrap());
        let file = app.page(session, &format!("/exports/{id}/file")).await;
        assert_eq!(file.status, 200, "{path}");
        let (headers, rows) = crate::lists::workbook(&file.body);
        assert!(
            headers.contains(&"sku".to_owned()),
            "{path}: fixed column codes: {headers:?}"
        );
        assert!(rows.len() > 1, "{path}: more rows than are written at once");
        assert_eq!(
            (headers, rows),
            direct,
            "{path}: the file a direct export would have been"
        );
    }
}

#[tokio::test]
async fn a_users_exports_filter_by_list_and_status_sort_both_ways_and_export_themselves() {
    let app = app().await;
    let session = app.browser_session("admin@demo.test").await;
    let token = app.token("admin@demo.test").await;
    let dealers = start_export(&app, &session, "/dealers/export").await;
    let users = start_export(&app, &session, "/users/export").await;
    assert!(worker(&app).run_once().await.unwrap(), "the first export is written");
    let ids = |query: &'static str| {
        let app = &app;
        let token = &token;
        async move {
            let page = app.get(&format!("/api/v1/exports{query}"), token).await;
            assert_eq!(page.status, 200, "{query}: {}", page.text());
            page.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|export| export["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids("").await, [users, dealers], "newest first");
    assert_eq!(ids("?list=users").await, [users]);
    assert_eq!(ids("?status=done").await, [dealers], "only the written one is done");
    assert_eq!(ids("?sort=list").await, [dealers, users]);
    assert_eq!(ids("?sort=-list").await, [users, dealers]);
    assert_eq!(app.get("/api/v1/exports?sort=parameters", &token).await.status, 422);

    let page = app.page(&session, "/exports?list=users").await.text();
    assert!(page.contains(&format!("/exports/{users}\"")), "{page}");
    assert!(!page.contains(&format!("/exports/{dealers}\"")), "{page}");
    assert!(
        page.contains("href=\"/exports/export?list=users\""),
        "the export keeps the filter"
    );
    assert!(worker(&app).run_once().await.unwrap(), "the second export is written");
    let itself = start_export(&app, &session, "/exports/export?sort=list").await;
    assert!(worker(&app).run_once().await.unwrap());
    let file = app.page(&session, &format!("/exports/{itself}/file")).await;
    let (headers, rows) = crate::lists::workbook(&file.body);
    assert_eq!(headers[..3], ["List", "Filters and sort", "Status"]);
    let lists_and_statuses: Vec<(&str, &str)> = rows.iter().map(|row| (row[0].as_str(), row[2].as_str())).collect();
    assert_eq!(
        lists_and_statuses,
        [("Dealers", "Done"), ("Exports", "Waiting"), ("Users", "Done")],
        "sorted by list, the export being written among them"
    );

    let other = app.token("finance@demo.test").await;
    let theirs = app.get("/api/v1/exports", &other).await.json();
    assert_eq!(theirs["total"], 0, "nobody sees another user's exports");
}

/// Lists exporting through the shared mechanism: who looks, the page's export with a sort, the
/// API list with the same sort, the field that names a row and the file's column holding it.
const BACKGROUND_LISTS: &[(&str, &str, &str, &str, usize)] = &[
    (
        "admin@demo.test",
        "/dealers/export?sort=-code",
        "/api/v1/dealers?sort=-code",
        "code",
        0,
    ),
    (
        "admin@demo.test",
        "/users/export?sort=-login",
        "/api/v1/users?sort=-login",
        "login",
        0,
    ),
    (
        "manager@demo.test",
        "/products/export?sort=-sku",
        "/api/v1/products?sort=-sku",
        "sku",
        0,
    ),
    (
        "manager@demo.test",
        "/price-lists/export?sort=-code",
        "/api/v1/price-lists?sort=-code",
        "code",
        0,
    ),
    (
        "manager@demo.test",
        "/promotions/export?sort=-code",
        "/api/v1/promotions?sort=-code",
        "code",
        0,
    ),
    (
        "manager@demo.test",
        "/orders/export?sort=-number",
        "/api/v1/orders?sort=-number",
        "dealer_order_number",
        0,
    ),
    (
        "manager@demo.test",
        "/order-desk/export?sort=number",
        "/api/v1/order-desk?sort=number",
        "dealer_order_number",
        0,
    ),
    (
        "admin@demo.test",
        "/admin/audit/export?entity=dealer&sort=-entity_id",
        "/api/v1/audit-log?entity=dealer&sort=-entity_id",
        "entity_id",
        3,
    ),
    (
        "warehouse@demo.test",
        "/stock/export?sort=-available",
        "/api/v1/stock?sort=-available",
        "sku",
        1,
    ),
    (
        "admin@demo.test",
        "/edi/export?sort=control_reference",
        "/api/v1/edi/interchanges?sort=control_reference",
        "control_reference",
        0,
    ),
    (
        "warehouse@demo.test",
        "/shipments/export?sort=-number",
        "/api/v1/shipments?sort=-number",
        "number",
        0,
    ),
    (
        "dealer@demo.test",
        "/messages/export?sort=kind",
        "/api/v1/messages?sort=kind",
        "text",
        1,
    ),
    (
        "manager@demo.test",
        "/reports/order-execution/export?sort=-ordered_amount",
        "/api/v1/reports/order-execution?sort=-ordered_amount",
        "dealer_order_number",
        0,
    ),
    (
        "manager@demo.test",
        "/reports/order-execution/export?view=lines&sort=number",
        "/api/v1/reports/order-execution?view=lines&sort=number",
        "sku",
        5,
    ),
    (
        "admin@demo.test",
        "/sales-organisations/export?sort=-code",
        "/api/v1/sales-organisations?sort=-code",
        "code",
        0,
    ),
    (
        "manager@demo.test",
        "/dealer-groups/export?sort=-name",
        "/api/v1/dealer-groups?sort=-name",
        "code",
        0,
    ),
];

#[tokio::test]
async fn every_list_using_the_export_mechanism_exports_in_the_background_when_large() {
    let app = app().await;
    for (login, export, api, field, column) in BACKGROUND_LISTS {
        let token = app.token(login).await;
        let expected = api_rows(&app, &token, api, field).await;
        assert!(expected.len() > 1, "{api}: more rows than the direct limit");
        let session = app.browser_session(login).await;
        let id = start_export(&app, &session, export).await;
        assert!(worker(&app).run_once().await.unwrap(), "{export}");
        let file = app.page(&session, &format!("/exports/{id}/file")).await;
        assert_eq!(file.status, 200, "{export}");
        assert_eq!(column_of(&file.body, *column), expected, "{export}");

        // The API's export of the same list goes to the background too, and holds the same rows.
        let (path, query) = api.split_once('?').unwrap();
        let accepted = app.get(&format!("{path}/export?{query}"), &token).await;
        assert_eq!(accepted.status, 202, "{api}: {}", accepted.text());
        let location = accepted.headers["location"].to_str().unwrap().to_owned();
        assert!(worker(&app).run_once().await.unwrap(), "{api}");
        let file = app.get(&format!("{location}/file"), &token).await;
        assert_eq!(file.status, 200, "{api}");
        assert_eq!(column_of(&file.body, *column), expected, "{api}");
    }
}

/// The texts of one column of a file.
fn column_of(bytes: &[u8], column: usize) -> Vec<String> {
    let table = xlsx::read_table(bytes).unwrap();
    table.rows.iter().map(|row| row.cell(column).to_owned()).collect()
}

/// The codes of a tree's nodes as its API lists them (in tree order), each with its parent's code.
async fn tree_codes(app: &TestApp, token: &str, path: &str) -> Vec<(String, String)> {
    let nodes = app.get(path, token).await.json();
    let nodes = nodes.as_array().unwrap();
    let code_of = |id: &Value| {
        nodes
            .iter()
            .find(|n| &n["id"] == id)
            .map(|n| n["code"].as_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    nodes
        .iter()
        .map(|n| (n["code"].as_str().unwrap().to_owned(), code_of(&n["parent_id"])))
        .collect()
}

#[tokio::test]
async fn a_tree_search_keeps_each_match_with_its_ancestors_on_the_page_in_the_api_and_in_the_export() {
    let app = TestApp::with_demo().await;
    let token = app.token("admin@demo.test").await;
    let moscow = web::lists::encode("МОСКВА");
    let expected = [("RU", ""), ("RU-CEN", "RU"), ("RU-MOW", "RU-CEN")].map(|(c, p)| (c.to_owned(), p.to_owned()));
    assert_eq!(
        tree_codes(&app, &token, &format!("/api/v1/regions?search={moscow}")).await,
        expected,
        "a search in another letter case finds Moscow, under its district and country"
    );
    let file = app
        .get(&format!("/api/v1/regions/export?search={moscow}"), &token)
        .await;
    assert_eq!(codes_and_parents(&file.body, 3), expected);

    let session = app.browser_session("admin@demo.test").await;
    let page = app.page(&session, &format!("/regions?search={moscow}")).await.text();
    assert!(page.contains("RU-MOW") && page.contains("RU-CEN"), "{page}");
    assert!(!page.contains(">RU-TUL<"), "Tula does not match: {page}");
    assert!(
        page.contains(&format!("/regions/export?search={moscow}")),
        "the export keeps the search"
    );
    let file = app.page(&session, &format!("/regions/export?search={moscow}")).await;
    assert_eq!(codes_and_parents(&file.body, 3), expected);

    let all = tree_codes(&app, &token, "/api/v1/categories/tree").await;
    let water = all.iter().filter(|(code, _)| code == "WATER").count();
    assert_eq!(water, 1);
    let found = tree_codes(
        &app,
        &token,
        &format!("/api/v1/categories/tree?search={}", web::lists::encode("矿泉")),
    )
    .await;
    assert_eq!(
        found,
        [("WATER".to_owned(), String::new())],
        "a category is found by its Chinese name"
    );
    let file = app
        .page(
            &session,
            &format!("/categories/export?search={}", web::lists::encode("минеральная")),
        )
        .await;
    assert_eq!(codes_and_parents(&file.body, 2), found, "and by its Russian name");
    let page = app.page(&session, "/categories?search=no-such-category").await.text();
    assert!(page.contains("class=\"empty\""), "nothing matches: {page}");
    assert_eq!(
        tree_codes(&app, &token, "/api/v1/categories/tree?search=").await,
        all,
        "an empty search keeps the tree"
    );
}

#[tokio::test]
async fn an_export_writes_days_and_times_in_the_tenants_time_zone_in_the_api_as_on_the_page() {
    let app = TestApp::new().await;
    // 23:00 on 24 November in UTC is 02:00 on 25 November in Moscow, the demo tenant's zone.
    app.clock.advance(chrono::TimeDelta::hours(14));
    demo::seed(&app.db, &app.clock, demo::Scale::Small).await.unwrap();
    let token = app.token("admin@demo.test").await;
    let session = app.browser_session("admin@demo.test").await;
    for (page, api, moscow_day) in [
        ("/users/export", "/api/v1/users/export", "2026-11-25"),
        ("/orders/export", "/api/v1/orders/export", "2026-11-25"),
        ("/admin/audit/export", "/api/v1/audit-log/export", "25 Nov 2026 02:00"),
    ] {
        let from_page = app.page(&session, page).await;
        let from_api = app.get(api, &token).await;
        assert_eq!(from_api.status, 200, "{api}: {}", from_api.text());
        let (headers, rows) = crate::lists::workbook(&from_api.body);
        assert!(
            rows.iter().flatten().any(|cell| cell == moscow_day),
            "{api} writes {moscow_day}: {headers:?} {:?}",
            rows.first()
        );
        assert_eq!(
            (headers, rows),
            crate::lists::workbook(&from_page.body),
            "{api} as {page}"
        );
    }
}

/// A file's first column with the column of each row's parent.
fn codes_and_parents(bytes: &[u8], parent_column: usize) -> Vec<(String, String)> {
    xlsx::read_table(bytes)
        .unwrap()
        .rows
        .iter()
        .map(|row| (row.cell(0).to_owned(), row.cell(parent_column).to_owned()))
        .collect()
}

#[tokio::test]
async fn the_region_and_category_trees_export_in_tree_order_with_each_nodes_parent_in_the_background_too() {
    let app = app().await;
    for (login, expected_regions) in [("admin@demo.test", 15), ("manager@demo.test", 0)] {
        let token = app.token(login).await;
        let regions = tree_codes(&app, &token, "/api/v1/regions").await;
        if expected_regions > 0 {
            assert_eq!(regions.len(), expected_regions);
        }
        let session = app.browser_session(login).await;
        let id = start_export(&app, &session, "/regions/export").await;
        assert!(worker(&app).run_once().await.unwrap());
        let file = app.page(&session, &format!("/exports/{id}/file")).await;
        assert_eq!(file.status, 200, "{login}");
        assert_eq!(
            codes_and_parents(&file.body, 3),
            regions,
            "{login} gets the regions the API gives them"
        );
    }

    let direct = TestApp::with_demo().await;
    let direct_token = direct.token("admin@demo.test").await;
    let water = crate::id_of(&direct, "categories", "code", "WATER").await;
    let sparkling = serde_json::json!({
        "code": "SPARKLING", "name_en": "Sparkling", "name_ru": "Газированная", "name_zh": "气泡水", "parent_id": water,
    });
    assert_eq!(
        direct.post("/api/v1/categories", &direct_token, sparkling).await.status,
        201
    );
    let categories = tree_codes(&direct, &direct_token, "/api/v1/categories/tree").await;
    assert!(
        categories.contains(&("SPARKLING".to_owned(), "WATER".to_owned())),
        "{categories:?}"
    );
    let file = direct.get("/api/v1/categories/export", &direct_token).await;
    assert_eq!(file.status, 200, "{}", file.text());
    let table = xlsx::read_table(&file.body).unwrap();
    assert_eq!(table.headers, ["Code", "Category", "Under", "Products"]);
    assert_eq!(codes_and_parents(&file.body, 2), categories);

    let dealer = app.token("dealer@demo.test").await;
    assert_eq!(app.get("/api/v1/categories/export", &dealer).await.status, 403);
    assert_eq!(app.get("/api/v1/regions/export", &dealer).await.status, 403);
}

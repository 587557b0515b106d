//! Every list sorts by its whitelisted columns in both directions (page and API alike), refuses
//! an unknown sort key as a field error, and exports to XLSX exactly the rows the list holds
//! under the same filters and sort, within the viewer's scope.

use serde_json::Value;
use testkit::{BrowserSession, TestApp};

/// One list: who looks at it, its page and API paths, a filter its export must honour, a
/// sortable key whose order is checked, and the JSON field and export column that identify a row.
pub struct List {
    pub login: &'static str,
    pub page: &'static str,
    pub api: &'static str,
    /// A filter (`name=value`) that selects some but not all rows.
    pub filter: &'static str,
    /// A key sorted without empty values, so that descending is exactly ascending reversed.
    pub sort: &'static str,
    /// The JSON field naming a row, and the export's column (0-based) holding the same text.
    pub identity: &'static str,
    pub export_column: usize,
}

const LISTS: &[List] = &[
    List {
        login: "admin@demo.test",
        page: "/dealers",
        api: "/api/v1/dealers",
        filter: "tier=1",
        sort: "legal_name",
        identity: "code",
        export_column: 0,
    },
    List {
        login: "admin@demo.test",
        page: "/admin/audit",
        api: "/api/v1/audit-log",
        filter: "entity=dealer",
        sort: "action",
        identity: "entity_id",
        export_column: 3,
    },
    List {
        login: "warehouse@demo.test",
        page: "/stock",
        api: "/api/v1/stock",
        filter: "sku=BS-001",
        sort: "available",
        identity: "sku",
        export_column: 1,
    },
    List {
        login: "admin@demo.test",
        page: "/edi",
        api: "/api/v1/edi/interchanges",
        filter: "direction=in",
        sort: "control_reference",
        identity: "control_reference",
        export_column: 0,
    },
    List {
        login: "warehouse@demo.test",
        page: "/shipments",
        api: "/api/v1/shipments",
        filter: "search=dn-000004-2",
        sort: "number",
        identity: "number",
        export_column: 0,
    },
    List {
        login: "dealer@demo.test",
        page: "/messages",
        api: "/api/v1/messages",
        filter: "kind=message.order_partially_shipped",
        sort: "kind",
        identity: "text",
        export_column: 1,
    },
    List {
        login: "admin@demo.test",
        page: "/discrepancies",
        api: "/api/v1/receipts",
        filter: "discrepancy=open",
        sort: "shipment",
        identity: "shipment_number",
        export_column: 0,
    },
    List {
        login: "admin@demo.test",
        page: "/users",
        api: "/api/v1/users",
        filter: "search=dealer",
        sort: "display_name",
        identity: "login",
        export_column: 0,
    },
    List {
        login: "manager@demo.test",
        page: "/price-lists",
        api: "/api/v1/price-lists",
        filter: "currency=RUB",
        sort: "name",
        identity: "code",
        export_column: 0,
    },
    List {
        login: "manager@demo.test",
        page: "/promotions",
        api: "/api/v1/promotions",
        filter: "kind=percent_off",
        sort: "code",
        identity: "code",
        export_column: 0,
    },
    List {
        login: "manager@demo.test",
        page: "/orders",
        api: "/api/v1/orders",
        filter: "state=submitted",
        sort: "total",
        identity: "dealer_order_number",
        export_column: 0,
    },
    List {
        login: "admin@demo.test",
        page: "/products",
        api: "/api/v1/products",
        filter: "search=water",
        sort: "gtin",
        identity: "sku",
        export_column: 0,
    },
    List {
        login: "manager@demo.test",
        page: "/dealer-groups",
        api: "/api/v1/dealer-groups",
        filter: "search=re",
        sort: "name",
        identity: "code",
        export_column: 0,
    },
    List {
        login: "admin@demo.test",
        page: "/sales-organisations",
        api: "/api/v1/sales-organisations",
        filter: "search=bj",
        sort: "name",
        identity: "code",
        export_column: 0,
    },
    List {
        login: "manager@demo.test",
        page: "/reports/order-execution",
        api: "/api/v1/reports/order-execution",
        filter: "state=submitted",
        sort: "ordered_amount",
        identity: "dealer_order_number",
        export_column: 0,
    },
];

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else if path.contains('?') {
        format!("{path}&{query}")
    } else {
        format!("{path}?{query}")
    }
}

/// The identifying field of every row of an API list (all pages of at most 200 rows).
async fn api_rows(app: &TestApp, token: &str, path: &str, query: &str, field: &str) -> Vec<String> {
    let response = app
        .get(&with_query(path, &format!("{query}&per_page=200")), token)
        .await;
    assert_eq!(response.status, 200, "GET {path}?{query}: {}", response.text());
    let body = response.json();
    assert!(body["total"].as_i64().unwrap() <= 200, "the demo lists fit one page");
    rows_of(&body, field)
}

fn rows_of(body: &Value, field: &str) -> Vec<String> {
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

/// The exported rows' texts in one column.
async fn export_column(
    app: &TestApp,
    session: &BrowserSession,
    path: &str,
    column: usize,
) -> (Vec<String>, Vec<String>) {
    let export = app.page(session, path).await;
    assert_eq!(export.status, 200, "GET {path}: {}", export.text());
    assert_eq!(export.headers["content-type"], xlsx::MEDIA_TYPE, "GET {path}");
    let table = xlsx::read_table(&export.body).unwrap();
    let cells = table.rows.iter().map(|row| row.cell(column).to_owned()).collect();
    (table.headers, cells)
}

/// A page's HTML with the escaped ampersands of its links read back.
fn unescaped(html: &str) -> String {
    html.replace("&#38;", "&").replace("&amp;", "&")
}

#[tokio::test]
async fn every_list_sorts_both_ways_and_refuses_unknown_sort_keys() {
    let app = TestApp::with_demo().await;
    for list in LISTS {
        assert_sorts(&app, list).await;
    }
}

/// The list sorts both ways by its key, API and page alike, and refuses an unknown key.
pub async fn assert_sorts(app: &TestApp, list: &List) {
    let token = app.token(list.login).await;
    let session = app.browser_session(list.login).await;
    let ascending = api_rows(app, &token, list.api, &format!("sort={}", list.sort), list.identity).await;
    let descending = api_rows(app, &token, list.api, &format!("sort=-{}", list.sort), list.identity).await;
    assert!(ascending.len() > 1, "{}: the demo has rows to sort", list.api);
    assert_ne!(ascending, descending, "{}: the direction changes the order", list.api);
    let mut reversed = ascending.clone();
    reversed.reverse();
    assert_eq!(descending, reversed, "{}: descending is ascending reversed", list.api);

    let refused = app.get(&with_query(list.api, "sort=password_hash"), &token).await;
    assert_eq!(refused.status, 422, "{}", list.api);
    assert_eq!(refused.error_fields(), vec!["sort"], "{}", list.api);
    assert_eq!(refused.error_codes(), vec!["list.sort_invalid"], "{}", list.api);

    let page = app
        .page(&session, &with_query(list.page, &format!("sort=-{}", list.sort)))
        .await;
    assert_eq!(page.status, 200, "{}", list.page);
    let html = unescaped(&page.text());
    assert!(
        html.contains(&format!(
            " aria-sort=\"descending\"><a class=\"sort\" href=\"{}?sort={}\">",
            list.page.split('?').next().unwrap(),
            list.sort
        )),
        "{}: the sorted header says so and links to the other direction",
        list.page
    );
    let refused = app.page(&session, &with_query(list.page, "sort=1%3BDROP")).await;
    assert_eq!(refused.status, 422, "{}", list.page);
}

#[tokio::test]
async fn every_list_exports_its_filtered_rows_in_its_order() {
    let app = TestApp::with_demo().await;
    for list in LISTS {
        assert_exports(&app, list).await;
    }
}

/// The list's export, page and API alike, holds exactly its filtered rows in its order.
pub async fn assert_exports(app: &TestApp, list: &List) {
    let token = app.token(list.login).await;
    let session = app.browser_session(list.login).await;
    let query = format!("{}&sort=-{}", list.filter, list.sort);
    let shown = api_rows(app, &token, list.api, &query, list.identity).await;
    let everything = api_rows(app, &token, list.api, "", list.identity).await;
    assert!(
        !shown.is_empty() && shown.len() < everything.len(),
        "{}: the filter selects some rows",
        list.api
    );
    let page = unescaped(&app.page(&session, &with_query(list.page, &query)).await.text());
    let export_href = format!("{}/export?{query}", list.page.split('?').next().unwrap());
    assert!(
        page.contains(&export_href),
        "{}: the export link keeps filters and sort",
        list.page
    );
    let (headers, exported) = export_column(
        app,
        &session,
        &with_query(&format!("{}/export", list.page), &query),
        list.export_column,
    )
    .await;
    assert_eq!(
        exported, shown,
        "{}: the export holds the list's rows in its order",
        list.page
    );
    assert!(
        headers
            .iter()
            .all(|h| !h.contains('.') || h.contains(' ') || h.ends_with('.')),
        "{}: headers are translated, not keys: {headers:?}",
        list.page
    );
    let api_export = app
        .get(&with_query(&format!("{}/export", list.api), &query), &token)
        .await;
    assert_eq!(api_export.status, 200, "{}/export", list.api);
    let page_export = app.page(&session, &format!("{}/export?{query}", list.page)).await;
    // The same workbook: the files' bytes differ only in the moment they were written.
    assert_eq!(
        workbook(&api_export.body),
        workbook(&page_export.body),
        "{}: the API's export is the page's",
        list.page
    );
}

/// A workbook's headers and cells as text.
pub fn workbook(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let table = xlsx::read_table(bytes).unwrap();
    let width = table.headers.len();
    let rows = table
        .rows
        .iter()
        .map(|row| (0..width).map(|column| row.cell(column).to_owned()).collect())
        .collect();
    (table.headers, rows)
}

#[tokio::test]
async fn a_sales_managers_dealer_export_holds_only_their_regions() {
    let app = TestApp::with_demo().await;
    let admin = app.browser_session("admin@demo.test").await;
    let (_, everyone) = export_column(&app, &admin, "/dealers/export", 0).await;
    assert!(everyone.contains(&"SH-QINGQUAN".to_owned()));

    let manager = app.browser_session("manager@demo.test").await;
    let (headers, exported) = export_column(&app, &manager, "/dealers/export?sort=code", 0).await;
    let token = app.token("manager@demo.test").await;
    let visible = api_rows(&app, &token, "/api/v1/dealers", "sort=code", "code").await;
    assert_eq!(exported, visible);
    assert!(exported.len() < everyone.len());
    assert!(
        !exported.contains(&"SH-QINGQUAN".to_owned()),
        "Shanghai is not the manager's"
    );
    assert_eq!(headers[..2], ["Code", "Legal name"]);

    let chinese = app.browser_session("manager.cn@demo.test").await;
    let (headers, exported) = export_column(&app, &chinese, "/dealers/export", 0).await;
    assert_eq!(headers[0], "编码", "headers in the reader's language");
    assert!(exported.contains(&"SH-QINGQUAN".to_owned()));
    assert!(!exported.contains(&"VEKTOR".to_owned()));
}

#[tokio::test]
async fn the_dealer_list_sorts_by_tier_and_keeps_filters_in_its_header_links() {
    let app = TestApp::with_demo().await;
    let token = app.token("admin@demo.test").await;
    let tiers = api_rows(&app, &token, "/api/v1/dealers", "sort=-tier", "tier").await;
    assert_eq!(tiers.first().map(String::as_str), Some("2"));
    assert_eq!(tiers.last().map(String::as_str), Some("1"));
    assert!(tiers.windows(2).all(|pair| pair[0] >= pair[1]), "{tiers:?}");

    let session = app.browser_session("admin@demo.test").await;
    let html = unescaped(&app.page(&session, "/dealers?status=active&search=%D0%BE").await.text());
    assert!(
        html.contains(
            "<th aria-sort=\"ascending\"><a class=\"sort\" href=\"/dealers?search=%D0%BE&status=active&sort=-code\">"
        ),
        "sorted by code by default, and the header keeps the filters: {html}"
    );
    assert!(html.contains(
        "<th aria-sort=\"none\"><a class=\"sort\" href=\"/dealers?search=%D0%BE&status=active&sort=legal_name\">"
    ));
    assert!(html.contains("href=\"/dealers/export?search=%D0%BE&status=active\""));
}

#[tokio::test]
async fn catalog_statistics_sort_by_views_and_export_the_dealers_views_only() {
    let app = TestApp::with_demo().await;
    let buyer = app.token("dealer@demo.test").await;
    for (sku, times) in [("BS-0001", 3), ("BS-0002", 1), ("BS-0003", 2)] {
        let product = crate::id_of(&app, "products", "sku", sku).await;
        for _ in 0..times {
            assert_eq!(app.get(&format!("/api/v1/catalog/{product}"), &buyer).await.status, 200);
        }
    }
    let vektor = crate::id_of(&app, "dealers", "code", "VEKTOR").await;
    let manager = app.token("manager@demo.test").await;
    let fewest_first = api_rows(
        &app,
        &manager,
        &format!("/api/v1/catalog-statistics/views?dealer_id={vektor}"),
        "sort=views",
        "sku",
    )
    .await;
    assert_eq!(fewest_first, ["BS-0002", "BS-0003", "BS-0001"]);
    let refused = app
        .get(
            &format!("/api/v1/catalog-statistics/views?dealer_id={vektor}&sort=name"),
            &manager,
        )
        .await;
    assert_eq!(refused.error_fields(), vec!["sort"]);

    let session = app.browser_session("manager@demo.test").await;
    let html = unescaped(
        &app.page(&session, &format!("/catalog-statistics?dealer_id={vektor}&sort=-sku"))
            .await
            .text(),
    );
    assert!(html.contains(&format!(
        "href=\"/catalog-statistics/export?dealer_id={vektor}&sort=-sku\""
    )));
    let (headers, exported) = export_column(
        &app,
        &session,
        &format!("/catalog-statistics/export?dealer_id={vektor}&sort=-sku"),
        0,
    )
    .await;
    assert_eq!(exported, ["BS-0003", "BS-0002", "BS-0001"]);
    assert_eq!(headers[0], "SKU");
    let api_export = app
        .get(
            &format!("/api/v1/catalog-statistics/views/export?dealer_id={vektor}&sort=-sku"),
            &manager,
        )
        .await;
    assert_eq!(
        workbook(&api_export.body),
        workbook(
            &app.page(
                &session,
                &format!("/catalog-statistics/export?dealer_id={vektor}&sort=-sku")
            )
            .await
            .body
        )
    );
}

#[tokio::test]
async fn a_price_lists_rows_sort_and_export_under_the_pages_search() {
    let app = TestApp::with_demo().await;
    let token = app.token("manager@demo.test").await;
    let base = crate::id_of(&app, "price_lists", "code", "BASE-RUB").await;
    let rows = format!("/api/v1/price-lists/{base}/rows");
    let prices: Vec<f64> = api_rows(&app, &token, &rows, "sort=-unit_price", "unit_price")
        .await
        .iter()
        .map(|price| price.parse().unwrap())
        .collect();
    assert!(
        prices.len() > 1 && prices.windows(2).all(|pair| pair[0] >= pair[1]),
        "{prices:?}"
    );
    assert!(prices.first() > prices.last(), "{prices:?}");
    let refused = app.get(&format!("{rows}?sort=price"), &token).await;
    assert_eq!(refused.error_fields(), vec!["sort"]);

    let query = "search=bs-001&sort=-sku";
    let shown = api_rows(&app, &token, &rows, query, "sku").await;
    assert!(
        !shown.is_empty() && shown.iter().all(|sku| sku.starts_with("BS-001")),
        "{shown:?}"
    );
    let session = app.browser_session("manager@demo.test").await;
    let html = unescaped(&app.page(&session, &format!("/price-lists/{base}?{query}")).await.text());
    assert!(html.contains(&format!("href=\"/price-lists/{base}/export?{query}\"")));
    assert!(html.contains(&format!(
        " aria-sort=\"descending\"><a class=\"sort\" href=\"/price-lists/{base}?search=bs-001&sort=sku\">"
    )));
    let (headers, exported) = export_column(&app, &session, &format!("/price-lists/{base}/export?{query}"), 0).await;
    assert_eq!(headers[0], "sku", "the export keeps the columns its import reads");
    assert_eq!(exported, shown);
}

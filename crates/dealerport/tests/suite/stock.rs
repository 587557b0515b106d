//! Stock from the ERP and its alerts: stock levels load as a full snapshot or as changes, by API
//! or spreadsheet, every row checked before any is applied, each change a ledger movement; the
//! products outside their safety stock or maximum are flagged on the stock page and the dashboard.

use serde_json::json;
use testkit::TestApp;
use xlsx::Cell;

use crate::xlsx_imports::{import_in, run_jobs, upload};
use crate::{assert_ledger_holds, on_hand_in, reserved};

#[tokio::test]
async fn changes_add_to_stock_and_a_snapshot_sets_it_leaving_out_nothing_orders_hold() {
    let app = TestApp::with_demo().await;
    let admin = app.token("warehouse@demo.test").await;
    let before = on_hand_in(&app, "NSK-DC", "BS-0002").await;
    let changes = app
        .post(
            "/api/v1/stock/import",
            &admin,
            json!({ "mode": "changes", "rows": [
                { "warehouse_code": "NSK-DC", "sku": "BS-0002", "quantity": 120 },
                { "warehouse_code": "NSK-DC", "sku": "BS-0003", "quantity": -10, "safety_stock": 100, "max_stock": 5000 },
            ] }),
        )
        .await;
    assert_eq!(changes.status, 200, "{}", changes.text());
    assert_eq!(on_hand_in(&app, "NSK-DC", "BS-0002").await, before + 120);
    assert_ledger_holds(&app).await;

    // Moscow holds reservations; a snapshot naming only two products would take the rest away.
    let partial = app
        .post(
            "/api/v1/stock/import",
            &admin,
            json!({ "mode": "snapshot", "rows": [
                { "warehouse_code": "MSK-DC", "sku": "BS-0002", "quantity": 10 },
                { "warehouse_code": "MSK-DC", "sku": "BS-0003", "quantity": 10 },
            ] }),
        )
        .await;
    assert_eq!(partial.status, 422);
    assert!(
        partial
            .error_codes()
            .iter()
            .all(|c| c == "stock.snapshot_leaves_reserved"),
        "{}",
        partial.text()
    );
    assert!(partial.text().contains("BS-0001"), "names the product orders hold");
    let movements = app.count("SELECT COUNT(*) AS n FROM stock_movements").await;

    let bad = app
        .post(
            "/api/v1/stock/import",
            &admin,
            json!({ "mode": "snapshot", "rows": [
                { "warehouse_code": "NOWHERE", "sku": "BS-0002", "quantity": 10 },
                { "warehouse_code": "NSK-DC", "sku": "NO-SUCH", "quantity": 10 },
                { "warehouse_code": "NSK-DC", "sku": "BS-0002", "quantity": -1 },
            ] }),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.error_fields(),
        vec!["rows[0].warehouse_code", "rows[1].sku", "rows[2].quantity"]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM stock_movements").await,
        movements,
        "nothing moved"
    );

    // A full snapshot of Novosibirsk: what it names, it holds; what it does not, it does not. The
    // demo's order VK-2026-0141 holds sparkling water there, so the snapshot must count it.
    let held = reserved(&app, "BS-0004").await;
    let snapshot = app
        .post(
            "/api/v1/stock/import",
            &admin,
            json!({ "mode": "snapshot", "rows": [
                { "warehouse_code": "NSK-DC", "sku": "BS-0002", "quantity": 777 },
                { "warehouse_code": "NSK-DC", "sku": "BS-0004", "quantity": 200 },
            ] }),
        )
        .await;
    assert_eq!(snapshot.status, 200, "{}", snapshot.text());
    assert_eq!(on_hand_in(&app, "NSK-DC", "BS-0002").await, 777);
    assert_eq!(
        on_hand_in(&app, "NSK-DC", "BS-0003").await,
        0,
        "not in the snapshot, not in the warehouse"
    );
    assert!(
        on_hand_in(&app, "MSK-DC", "BS-0003").await > 0,
        "other warehouses are untouched"
    );
    assert_eq!(reserved(&app, "BS-0004").await, held, "reservations stay as they were");
    assert_ledger_holds(&app).await;

    let dealer = app.token("dealer@demo.test").await;
    let refused = app
        .post(
            "/api/v1/stock/import",
            &dealer,
            json!({ "mode": "changes", "rows": [{ "warehouse_code": "NSK-DC", "sku": "BS-0002", "quantity": 1 }] }),
        )
        .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn a_stock_spreadsheet_is_checked_row_by_row_and_applied_whole() {
    let app = TestApp::with_demo().await;
    let token = app.token("warehouse@demo.test").await;
    let file = |rows: &[(&str, &str, i64)]| {
        let rows: Vec<Vec<Cell>> = rows
            .iter()
            .map(|(warehouse, sku, quantity)| {
                vec![
                    Cell::Text((*warehouse).into()),
                    Cell::Text((*sku).into()),
                    Cell::Integer(*quantity),
                    Cell::Integer(50),
                ]
            })
            .collect();
        xlsx::write_table("stock", &["warehouse_code", "sku", "quantity", "safety_stock"], &rows).unwrap()
    };
    let bad = upload(
        &app,
        &token,
        "kind=stock_changes&file_name=erp.xlsx",
        file(&[("NSK-DC", "BS-0002", 5), ("NSK-DC", "NO-SUCH", 5)]),
        "ru",
    )
    .await;
    assert_eq!(bad.status, 202, "{}", bad.text());
    run_jobs(&app).await;
    let import = import_in(&app, &token, bad.json()["id"].as_i64().unwrap(), "ru").await;
    assert_eq!(import["status"], "rejected", "{import}");
    assert_eq!(import["problems"][0]["row"], 3);
    assert_eq!(import["problems"][0]["column"], "sku");
    let before = on_hand_in(&app, "NSK-DC", "BS-0002").await;
    let good = upload(
        &app,
        &token,
        "kind=stock_changes&file_name=erp.xlsx",
        file(&[("NSK-DC", "BS-0002", 5), ("NSK-DC", "BS-0003", 7)]),
        "ru",
    )
    .await;
    run_jobs(&app).await;
    let import = import_in(&app, &token, good.json()["id"].as_i64().unwrap(), "ru").await;
    assert_eq!(import["status"], "done", "{import}");
    assert_eq!(on_hand_in(&app, "NSK-DC", "BS-0002").await, before + 5);
}

#[tokio::test]
async fn products_outside_their_safety_stock_or_maximum_are_flagged_on_the_stock_page_and_dashboard() {
    let app = TestApp::with_demo().await;
    let token = app.token("warehouse@demo.test").await;
    let alerts = app.get("/api/v1/stock?alerts=true", &token).await.json();
    let flagged: Vec<(String, String)> = alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["warehouse_code"].as_str().unwrap().to_owned(),
                l["sku"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        flagged,
        vec![
            ("MSK-DC".to_owned(), "BS-0004".to_owned()),
            ("SH-DC".to_owned(), "BS-0001".to_owned())
        ],
        "the demo's sparkling water runs low in Moscow and still water piles up in Shanghai"
    );
    let session = app.browser_session("warehouse@demo.test").await;
    let home = app.page(&session, "/").await.text();
    assert!(home.contains("href=\"/stock?alerts=true\""), "a dashboard card");
    let page = app.page(&session, "/stock?alerts=true").await.text();
    assert!(
        page.contains("Ниже страхового запаса") && page.contains("Выше максимума"),
        "{page}"
    );
    let dealer = app.browser_session("dealer@demo.test").await;
    assert_eq!(
        app.page(&dealer, "/stock").await.status,
        403,
        "dealers do not see the manufacturer's stock"
    );
}

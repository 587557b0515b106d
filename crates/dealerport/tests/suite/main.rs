//! Dealerport's behaviour, as one integration-test binary. Every test gets a database of its
//! own: SQLite by default, PostgreSQL when `DEALERPORT_TEST_DATABASE_URL` names one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod api_contract;
mod audiences;
mod browser;
mod catalog;
mod catalog_pages;
mod categories;
mod change_requests;
mod command_line;
mod dashboard;
mod database;
mod dealer_forms;
mod dealers;
mod demo_tenant;
mod edi;
mod edi_ordchg;
mod edi_pages;
mod exports;
mod form_fields;
mod imports;
mod jobs_and_audit;
mod lists;
mod locale_formats;
mod mail;
mod more_lists;
mod order_upload;
mod ordering;
mod ordering_pages;
mod pages;
mod product_images;
mod promotion_pages;
mod promotions;
mod receipts;
mod returns;
mod sales_organisations;
mod scope;
mod servers;
mod shipments;
mod stock;
mod users;
mod xlsx_imports;

use testkit::TestApp;

/// The id of the row of `table` whose `code` (or other unique column) is `value`.
pub async fn id_of(app: &TestApp, table: &str, column: &str, value: &str) -> i64 {
    app.count(&format!("SELECT id AS n FROM {table} WHERE {column} = '{value}'"))
        .await
}

/// Units of a product reserved over all warehouses.
/// The id of a demo dealer's primary delivery location.
pub async fn location_of(app: &TestApp, dealer_code: &str) -> i64 {
    app.count(&format!(
        "SELECT l.id AS n FROM delivery_locations l JOIN dealers d ON d.id = l.dealer_id WHERE d.code = '{dealer_code}' AND l.is_primary = TRUE"
    ))
    .await
}

pub async fn reserved(app: &TestApp, sku: &str) -> i64 {
    app.count(&format!(
        "SELECT CAST(COALESCE(SUM(s.reserved), 0) AS BIGINT) AS n FROM stock_levels s JOIN products p ON p.id = s.product_id WHERE p.sku = '{sku}'"
    ))
    .await
}

/// Units of a product on hand in one warehouse, by their codes.
pub async fn on_hand_in(app: &TestApp, warehouse: &str, sku: &str) -> i64 {
    app.count(&format!(
        "SELECT COALESCE(MAX(s.on_hand), 0) AS n FROM stock_levels s JOIN products p ON p.id = s.product_id
         JOIN warehouses w ON w.id = s.warehouse_id WHERE p.sku = '{sku}' AND w.code = '{warehouse}'"
    ))
    .await
}

/// On hand and reserved of every stock row equal the sums of its movements.
pub async fn assert_ledger_holds(app: &TestApp) {
    let mismatches = app
        .count(
            "SELECT COUNT(*) AS n FROM stock_levels s
             WHERE s.on_hand <> (SELECT COALESCE(SUM(m.on_hand_delta), 0) FROM stock_movements m
                                 WHERE m.warehouse_id = s.warehouse_id AND m.product_id = s.product_id)
                OR s.reserved <> (SELECT COALESCE(SUM(m.reserved_delta), 0) FROM stock_movements m
                                  WHERE m.warehouse_id = s.warehouse_id AND m.product_id = s.product_id)",
        )
        .await;
    assert_eq!(mismatches, 0, "stock levels agree with the movement ledger");
}

/// The same, straight from a database outside a [`TestApp`].
pub async fn id_of_in(db: &platform::Db, table: &str, column: &str, value: &str) -> i64 {
    db.fetch_one(&platform::Query::new(format!(
        "SELECT id AS n FROM {table} WHERE {column} = '{value}'"
    )))
    .await
    .unwrap()
    .get("n")
    .unwrap()
}

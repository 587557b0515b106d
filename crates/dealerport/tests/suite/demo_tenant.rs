//! The demo tenant is the product's shop window: its identifiers must be valid and seeding
//! must never touch other data.

use platform::{Gln, Gtin, Query};
use testkit::TestApp;

#[tokio::test]
async fn every_gln_and_gtin_of_the_demo_is_valid() {
    let app = TestApp::with_demo().await;
    let glns = app
        .db
        .fetch_all(&Query::new("SELECT gln FROM dealers WHERE gln IS NOT NULL"))
        .await
        .unwrap();
    assert_eq!(glns.len(), 10);
    for row in glns {
        let gln: String = row.get("gln").unwrap();
        assert!(Gln::parse(&gln).is_ok(), "{gln}");
    }
    let gtins = app
        .db
        .fetch_all(&Query::new("SELECT gtin FROM products"))
        .await
        .unwrap();
    assert!(gtins.len() >= 16);
    for row in gtins {
        let gtin: String = row.get("gtin").unwrap();
        assert!(Gtin::parse(&gtin).is_ok(), "{gtin}");
    }
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    let app = TestApp::with_demo().await;
    let dealers = app.count("SELECT COUNT(*) AS n FROM dealers").await;
    let audit = app.count("SELECT COUNT(*) AS n FROM audit_log").await;
    let report = demo::seed(&app.db, &app.clock, demo::Scale::Small).await.unwrap();
    assert!(report.contains("already there"));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM dealers").await, dealers);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM audit_log").await, audit);
}

/// Value samples (SQLite's STAT4) would make SQLite re-plan statements on every run; the
/// planners get per-index figures only.
#[tokio::test]
async fn fresh_statistics_give_the_planner_index_figures_without_value_samples() {
    let app = TestApp::with_demo().await;
    app.db.refresh_statistics().await.unwrap();
    if app.db.backend_name() == "sqlite" {
        assert!(app.count("SELECT COUNT(*) AS n FROM sqlite_stat1").await > 0);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM sqlite_stat4").await, 0);
    } else {
        // Tables never analyzed count -1 rows.
        let products = app
            .count("SELECT CAST(reltuples AS BIGINT) AS n FROM pg_class WHERE oid = 'products'::regclass")
            .await;
        assert_eq!(products, app.count("SELECT COUNT(*) AS n FROM products").await);
    }
}

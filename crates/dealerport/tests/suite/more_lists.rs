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

//! Import speed on the large demo tenant: 100,000 price rows from one XLSX file, through the
//! same job the server runs (read the sheet, check every row, apply all in one transaction).
//!
//! ```sh
//! cargo run --release -- demo --scale large --database-url sqlite:large.db
//! DEALERPORT_BENCH_DATABASE_URL=sqlite:large.db cargo bench -p dealerport --bench imports
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use platform::{Actor, Clock, Query};
use pricing::domain::PriceListInput;
use xlsx::Cell;

mod support;

const ROWS: usize = 100_000;

fn main() {
    support::run(run());
}

async fn run() {
    let db = support::open_database().await;
    let clock = Clock::system();
    let token = identity::commands::issue_sign_in_token(&db, &clock, "admin@demo.test", demo::DEMO_PASSWORD)
        .await
        .expect("seed the large demo first");
    let admin: Actor = identity::queries::bearer(&db, &clock, &token)
        .await
        .unwrap()
        .unwrap()
        .actor;
    let skus: Vec<String> = db
        .fetch_all(&Query::new(format!(
            "SELECT sku FROM products WHERE tenant_id = {} ORDER BY sku LIMIT {ROWS}",
            admin.tenant_id.get()
        )))
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("sku").unwrap())
        .collect();
    assert_eq!(skus.len(), ROWS, "the large demo has 100,000 products");
    let code = format!("IMPORT-{}", chrono::Utc::now().timestamp());
    let list = pricing::commands::create_price_list(
        &db,
        &clock,
        &admin,
        &PriceListInput {
            code: code.clone(),
            name: "Import benchmark".into(),
            audience: "tier".into(),
            audience_id: Some(2),
            currency: "RUB".into(),
        },
    )
    .await
    .unwrap();
    let rows: Vec<Vec<Cell>> = skus
        .iter()
        .enumerate()
        .map(|(n, sku)| {
            vec![
                Cell::Text(sku.clone()),
                Cell::Integer(1),
                Cell::Decimal(format!("{}.{:02}", 40 + n % 60, n % 100)),
                Cell::Text("RUB".into()),
                Cell::Text("2027-01-01".into()),
                Cell::Empty,
            ]
        })
        .collect();
    let file = xlsx::write_table(
        "prices",
        &[
            "sku",
            "min_quantity",
            "unit_price",
            "currency",
            "valid_from",
            "valid_to",
        ],
        &rows,
    )
    .unwrap();
    println!(
        "database: {} · {ROWS} price rows · file of {:.1} MB",
        db.backend_name(),
        file.len() as f64 / 1e6
    );
    let started = Instant::now();
    let id = web::imports::start(
        &db,
        &clock,
        &admin,
        web::imports::ImportKind::PriceRows,
        Some(list),
        "bench.xlsx",
        file,
    )
    .await
    .unwrap();
    let worker = platform::jobs::Worker::new(db.clone(), clock.clone(), "bench".into())
        .handle(platform::imports::JOB_KIND, web::imports::job_handler(clock.clone()));
    while worker.run_once().await.unwrap() {}
    let elapsed = started.elapsed();
    let import = platform::imports::find(&db, &admin, id).await.unwrap();
    assert_eq!(import.status, "done", "{import:?}");
    assert_eq!(import.rows_applied, ROWS as i64);
    println!(
        "import 100,000 price rows from XLSX (upload, read, check, apply)   {:>6.2} s",
        elapsed.as_secs_f64()
    );
}

//! What the benchmarks share: figures from latency samples, and signing in as a browser does.

// Each benchmark is its own crate and uses only part of this.
#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use ordering::domain::{OrderInput, OrderLineInput};
use platform::db::DbOptions;
use platform::{Actor, Clock, Db, DealerAudience, Query};
use testkit::http::request;

/// The benchmarks measure with the binary's memory allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs a benchmark on a multi-threaded runtime, as the server runs.
/// `DEALERPORT_LOG=sql=debug,sqlx=debug` prints every statement with its time, to find the slow ones.
pub fn run(benchmark: impl Future<Output = ()>) {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("DEALERPORT_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(benchmark);
}

/// The database named by `DEALERPORT_BENCH_DATABASE_URL` (`sqlite:large.db` by default),
/// migrated; `DEALERPORT_BENCH_CONNECTIONS` sets the pool's size (the server's default otherwise).
pub async fn open_database() -> Db {
    let url = std::env::var("DEALERPORT_BENCH_DATABASE_URL").unwrap_or_else(|_| "sqlite:large.db".to_owned());
    let mut options = DbOptions::new(&url);
    if let Some(connections) = std::env::var("DEALERPORT_BENCH_CONNECTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        options.max_connections = connections;
    }
    let db = Db::connect(&options).await.expect("open the benchmark database");
    db.migrate().await.unwrap();
    db
}

/// Gathers PostgreSQL's statistics again, as its autovacuum daemon does on a production server
/// once enough rows have changed. This machine's PostgreSQL runs without autovacuum, so the
/// statistics would stay those the seed left. Call it after a warm-up that wrote some orders.
pub async fn analyze_as_autovacuum_would(db: &Db) {
    if db.backend_name() == "postgres" {
        db.refresh_statistics().await.unwrap();
    }
}

/// Signs in with the demo password for an API token; returns it with its actor.
pub async fn sign_in(db: &Db, clock: &Clock, login: &str) -> (String, Actor) {
    let token = identity::commands::issue_sign_in_token(db, clock, login, demo::DEMO_PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{login} cannot sign in ({e}); seed the large demo first"));
    let actor = identity::queries::bearer(db, clock, &token)
        .await
        .unwrap()
        .unwrap()
        .actor;
    (token, actor)
}

/// A large demo dealer's purchaser, ready to order.
pub struct Buyer {
    pub login: String,
    pub actor: Actor,
    pub audience: DealerAudience,
    pub token: String,
    /// The dealer's first delivery location.
    pub location: i64,
}

/// The purchaser of the `n`th of a spread of large demo dealers.
pub async fn buyer(db: &Db, clock: &Clock, n: usize) -> Buyer {
    let login = format!("buyer.{:05}@dealers.demo.test", 1 + n * 7_919 % 10_000);
    let (token, actor) = sign_in(db, clock, &login).await;
    let audience = identity::queries::dealer_audience(db, &actor, None).await.unwrap();
    let location: i64 = db
        .fetch_one(
            &Query::new("SELECT MIN(id) AS id FROM delivery_locations WHERE dealer_id = $1").bind(audience.dealer_id),
        )
        .await
        .unwrap()
        .get("id")
        .unwrap();
    Buyer {
        login,
        actor,
        audience,
        token,
        location,
    }
}

/// Products every large demo dealer may order in any quantity above the minimum, with that
/// minimum.
pub async fn orderable_products(db: &Db) -> Vec<(i64, i64)> {
    db.fetch_all(&Query::new(
        "SELECT id, min_order_quantity FROM products WHERE sku LIKE 'BS-0%' AND order_multiple = 1 ORDER BY id LIMIT 20000",
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| (row.get("id").unwrap(), row.get("min_order_quantity").unwrap()))
    .collect()
}

/// The `q` quantile of sorted samples, in milliseconds.
pub fn percentile(sorted: &[Duration], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q).ceil() as usize)
        .saturating_sub(1)
        .min(sorted.len() - 1)]
    .as_secs_f64()
        * 1000.0
}

/// Prints one line: the count, p50, p99 and max of the samples, and the rate over `wall`.
pub fn summary(name: &str, mut samples: Vec<Duration>, wall: Option<Duration>) {
    samples.sort();
    let rate = wall.map_or(String::new(), |wall| {
        format!("  {:>7.0} /s", samples.len() as f64 / wall.as_secs_f64())
    });
    println!(
        "{name:<52} n={:<5} p50={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms{rate}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples[samples.len() - 1].as_secs_f64() * 1000.0,
    );
}

/// Signs in through the sign-in page; returns the session's `Cookie` header.
pub async fn page_session(address: &str, login: &str, password: &str) -> String {
    let page = request(address, "GET", "/login", &[], "").await;
    let csrf = page.set_cookie("dealerport_signin").unwrap();
    let form = format!(
        "csrf_token={csrf}&login={}&password={password}&next=%2F",
        login.replace('@', "%40"),
    );
    let cookie = format!("dealerport_signin={csrf}");
    let signed_in = request(
        address,
        "POST",
        "/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &cookie),
        ],
        &form,
    )
    .await;
    format!(
        "dealerport_session={}",
        signed_in.set_cookie("dealerport_session").unwrap()
    )
}

/// A portal-style order of `lines` (product, quantity) for delivery in a week.
pub fn order_input(number: String, location: i64, lines: &[(i64, i64)]) -> OrderInput {
    OrderInput {
        dealer_order_number: number,
        delivery_location_id: location,
        requested_delivery_on: Utc::now().date_naive() + TimeDelta::days(7),
        allow_adjust: false,
        comment: None,
        lines: lines
            .iter()
            .map(|(product, quantity)| OrderLineInput {
                product_id: Some(*product),
                product_code: None,
                quantity: *quantity,
            })
            .collect(),
        draft: false,
    }
}

//! Catalog and pricing speed on the large demo tenant.
//!
//! Prepare the tenant once, then run the benchmark against it:
//!
//! ```sh
//! cargo run --release -- demo --scale large --database-url sqlite:large.db
//! DEALERPORT_BENCH_DATABASE_URL=sqlite:large.db cargo bench -p dealerport --bench catalog
//! ```
//!
//! It measures, for dealer users spread over the 10,000 dealers: resolving the prices (list
//! prices and the 200 active promotions) of a 50-item catalog page in-process, the whole priced catalog page in-process, and the catalog
//! API over HTTP on a local socket; and prints p50, p99 and max for each.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use catalog::domain::CatalogFilter;
use chrono::Utc;
use platform::db::DbOptions;
use platform::{Clock, Db, Locale, PageRequest};
use testkit::http::request;

const USERS: usize = 40;
const ROUNDS: usize = 25;

fn summary(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| {
        samples[((samples.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(samples.len() - 1)]
    };
    println!(
        "{name:<48} n={:<5} p50={:>8.3} ms  p99={:>8.3} ms  max={:>8.3} ms",
        samples.len(),
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        samples[samples.len() - 1].as_secs_f64() * 1000.0
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let url = std::env::var("DEALERPORT_BENCH_DATABASE_URL").unwrap_or_else(|_| "sqlite:large.db".to_owned());
    let db = Db::connect(&DbOptions::new(&url))
        .await
        .expect("open the benchmark database");
    db.migrate().await.unwrap();
    let clock = Clock::system();
    let logins: Vec<String> = (0..USERS)
        .map(|n| format!("buyer.{:05}@dealers.demo.test", 1 + n * 9_973 % 10_000))
        .collect();
    let mut actors = Vec::new();
    let mut tokens = Vec::new();
    for login in &logins {
        let token = identity::commands::issue_sign_in_token(&db, &clock, login, demo::DEMO_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{login} cannot sign in ({e}); seed the large demo first"));
        let signed_in = identity::queries::bearer(&db, &clock, &token).await.unwrap().unwrap();
        actors.push(signed_in.actor);
        tokens.push(token);
    }
    println!(
        "database: {} · {} dealer users · {} rounds",
        db.backend_name(),
        USERS,
        ROUNDS
    );
    let today = Utc::now().date_naive();
    let filter = CatalogFilter::default();

    let mut resolve = Vec::new();
    let mut whole_page = Vec::new();
    for round in 0..ROUNDS {
        for actor in &actors {
            let audience = identity::queries::dealer_audience(&db, actor, None).await.unwrap();
            let page = PageRequest::new(Some(1 + (round as u32 % 20)), Some(50));
            let (items, _) = catalog::queries::dealer_catalog(&db, actor, &audience, Locale::Ru, &filter, page)
                .await
                .unwrap();
            let lines: Vec<(i64, i64)> = items.iter().map(|i| (i.product_id, 1)).collect();
            let started = Instant::now();
            let prices = pricing::queries::list_prices(&db, actor, &audience, &lines, today)
                .await
                .unwrap();
            resolve.push(started.elapsed());
            assert_eq!(prices.len(), lines.len(), "every product of the large demo has a price");

            let started = Instant::now();
            let audience = identity::queries::dealer_audience(&db, actor, None).await.unwrap();
            let (entries, _) =
                catalog::queries::priced_catalog(&db, actor, &audience, Locale::Ru, &filter, page, today)
                    .await
                    .unwrap();
            whole_page.push(started.elapsed());
            assert_eq!(entries.len(), 50);
        }
    }
    summary("resolve prices and promotions of 50 items (in-process)", resolve);
    summary("priced catalog page, 50 items (in-process)", whole_page);

    let app = web::router(web::AppState {
        db: db.clone(),
        clock: clock.clone(),
        secure_cookies: false,
        direct_export_rows: platform::page::MAX_EXPORT_ROWS,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut http = Vec::new();
    for round in 0..ROUNDS {
        for token in &tokens {
            let path = format!("/api/v1/catalog?per_page=50&page={}", 1 + round % 20);
            let bearer = format!("Bearer {token}");
            let started = Instant::now();
            let response = request(
                &address,
                "GET",
                &path,
                &[("Authorization", &bearer), ("Accept-Language", "ru")],
                "",
            )
            .await;
            http.push(started.elapsed());
            assert_eq!(response.status, 200, "{}", response.body);
        }
    }
    summary("GET /api/v1/catalog, 50 items (HTTP, local socket)", http);

    let mut cookies = Vec::new();
    for login in logins.iter().take(10) {
        let page = request(&address, "GET", "/login", &[], "").await;
        let csrf = page.set_cookie("dealerport_signin").unwrap();
        let form = format!(
            "csrf_token={csrf}&login={}&password={}&next=%2F",
            login.replace('@', "%40"),
            demo::DEMO_PASSWORD
        );
        let cookie = format!("dealerport_signin={csrf}");
        let signed_in = request(
            &address,
            "POST",
            "/login",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &cookie),
            ],
            &form,
        )
        .await;
        cookies.push(format!(
            "dealerport_session={}",
            signed_in.set_cookie("dealerport_session").unwrap()
        ));
    }
    let mut pages = Vec::new();
    for round in 0..ROUNDS * 4 {
        for cookie in &cookies {
            let path = format!("/catalog?page={}", 1 + round % 20);
            let started = Instant::now();
            let response = request(
                &address,
                "GET",
                &path,
                &[("Cookie", cookie), ("Accept-Language", "ru")],
                "",
            )
            .await;
            pages.push(started.elapsed());
            assert_eq!(response.status, 200);
        }
    }
    summary("GET /catalog page, server-rendered (HTTP)", pages);
}

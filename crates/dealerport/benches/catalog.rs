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

use std::time::Instant;

use catalog::domain::CatalogFilter;
use chrono::Utc;
use platform::{Clock, Locale, PageRequest};
use support::{page_session, summary};
use testkit::http::request;

mod support;

const USERS: usize = 40;
const ROUNDS: usize = 25;

fn main() {
    support::run(run());
}

async fn run() {
    let db = support::open_database().await;
    let clock = Clock::system();
    let logins: Vec<String> = (0..USERS)
        .map(|n| format!("buyer.{:05}@dealers.demo.test", 1 + n * 9_973 % 10_000))
        .collect();
    let mut actors = Vec::new();
    let mut tokens = Vec::new();
    for login in &logins {
        let (token, actor) = support::sign_in(&db, &clock, login).await;
        actors.push(actor);
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
    summary("resolve prices and promotions of 50 items (in-process)", resolve, None);
    summary("priced catalog page, 50 items (in-process)", whole_page, None);

    let app = web::router(web::AppState {
        db: db.clone(),
        clock: clock.clone(),
        secure_cookies: false,
        direct_export_rows: platform::page::MAX_EXPORT_ROWS,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await.unwrap() });
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
    summary("GET /api/v1/catalog, 50 items (HTTP, local socket)", http, None);

    let mut cookies = Vec::new();
    for login in logins.iter().take(10) {
        cookies.push(page_session(&address, login, demo::DEMO_PASSWORD).await);
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
    summary("GET /catalog page, server-rendered (HTTP)", pages, None);
}

//! Dealer workspace pages on the large demo tenant, rendered by the server.
//!
//! Prepare the tenant once, then run the benchmark against it:
//!
//! ```sh
//! cargo run --release -- demo --scale large --database-url sqlite:large.db
//! DEALERPORT_BENCH_DATABASE_URL=sqlite:large.db cargo bench -p dealerport --bench pages
//! ```
//!
//! Ten purchasers of dealers spread over the 10,000 get a working cart of 30 lines, ten
//! favorites and twenty orders each (added on every run, so their order lists grow); then every
//! page of the dealer workspace is fetched over HTTP on a local socket, in Russian, by each of
//! them in turn, and p50, p99 and max are printed per page against the 50 ms target.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use chrono::Utc;
use ordering::domain::Channel;
use platform::Clock;
use support::{order_input, page_session, summary};
use testkit::http::request;

mod support;

const USERS: usize = 10;
const ROUNDS: usize = 30;
const CART_LINES: usize = 30;
const FAVORITES: usize = 10;
const ORDERS: usize = 20;
const ORDER_LINES: usize = 5;

fn main() {
    support::run(run());
}

/// A page's path for one purchaser.
type PathOf = fn(&Purchaser) -> String;

/// What one purchaser's pages show: a product of its catalog and its newest order.
struct Purchaser {
    cookie: String,
    product_id: i64,
    order_id: i64,
}

async fn run() {
    let db = support::open_database().await;
    let clock = Clock::system();
    let products = support::orderable_products(&db).await;
    assert!(products.len() > CART_LINES, "seed the large demo first");

    let app = web::router(web::AppState {
        db: db.clone(),
        clock: clock.clone(),
        secure_cookies: false,
        direct_export_rows: platform::page::MAX_EXPORT_ROWS,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await.unwrap() });

    let run = Utc::now().timestamp();
    let mut purchasers = Vec::new();
    for n in 0..USERS {
        let support::Buyer {
            login,
            actor,
            audience,
            location,
            ..
        } = support::buyer(&db, &clock, n).await;
        // Each purchaser takes its own stretch of products, so that no two race for stock.
        let own = &products[n * CART_LINES..];
        for (product, minimum) in &own[..CART_LINES] {
            ordering::carts::put_in_cart(&db, &clock, &actor, &audience, *product, *minimum, false)
                .await
                .unwrap();
        }
        for (product, _) in &own[..FAVORITES] {
            catalog::commands::set_favorite(&db, &clock, &actor, &audience, *product, true)
                .await
                .unwrap();
        }
        let mut order_id = 0;
        for k in 0..ORDERS {
            let input = order_input(format!("PAGES-{run}-{n}-{k}"), location, &own[k..k + ORDER_LINES]);
            order_id = ordering::commands::place_order(&db, &clock, &actor, &audience, &input, Channel::Portal, None)
                .await
                .unwrap()
                .order_id;
        }
        purchasers.push(Purchaser {
            cookie: page_session(&address, &login, demo::DEMO_PASSWORD).await,
            product_id: own[0].0,
            order_id,
        });
    }
    println!(
        "database: {} · {USERS} dealer purchasers · {ROUNDS} rounds · carts of {CART_LINES} lines",
        db.backend_name()
    );

    let pages: [(&str, PathOf); 14] = [
        ("home", |_| "/".to_owned()),
        ("catalog", |_| "/catalog".to_owned()),
        ("catalog, page 20", |_| "/catalog?page=20".to_owned()),
        ("catalog, search", |_| "/catalog?search=BS-01".to_owned()),
        ("product", |p| format!("/catalog/{}", p.product_id)),
        ("favorites", |_| "/favorites".to_owned()),
        ("cart", |_| "/cart".to_owned()),
        ("orders", |_| "/orders".to_owned()),
        ("order", |p| format!("/orders/{}", p.order_id)),
        ("order upload", |_| "/orders/upload".to_owned()),
        ("shipments", |_| "/shipments".to_owned()),
        ("returns", |_| "/returns".to_owned()),
        ("messages", |_| "/messages".to_owned()),
        ("account", |_| "/account".to_owned()),
    ];
    let mut worst: f64 = 0.0;
    for (name, path) in pages {
        let mut samples: Vec<Duration> = Vec::with_capacity(ROUNDS * USERS);
        for _ in 0..ROUNDS {
            for purchaser in &purchasers {
                let path = path(purchaser);
                let started = Instant::now();
                let response = request(
                    &address,
                    "GET",
                    &path,
                    &[("Cookie", &purchaser.cookie), ("Accept-Language", "ru")],
                    "",
                )
                .await;
                samples.push(started.elapsed());
                assert_eq!(response.status, 200, "GET {path}: {}", response.body);
            }
        }
        samples.sort();
        worst = worst.max(support::percentile(&samples, 0.99));
        summary(&format!("GET {name} (HTTP)"), samples, None);
    }
    println!("slowest page p99: {worst:.2} ms (target ≤ 50 ms)");
}

//! Ordering speed on the large demo tenant.
//!
//! Prepare the tenant once, then run the benchmark against it:
//!
//! ```sh
//! cargo run --release -- demo --scale large --database-url sqlite:large.db
//! DEALERPORT_BENCH_DATABASE_URL=sqlite:large.db cargo bench -p dealerport --bench ordering
//! ```
//!
//! It places 10-line orders with every check (publication, prices and promotions, stock
//! reservation, credit, order amount limits, duplicates) for 64 dealers at once: in-process, then
//! over HTTP on a local socket with 64 concurrent clients. It prints the throughput and the p50 and
//! p99 latency of each, and the time to price a 500-line cart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use ordering::domain::{Channel, OrderInput, OrderLineInput};
use platform::db::DbOptions;
use platform::{Actor, Clock, Currency, Db, DealerAudience, Query};
use testkit::http::request;

const CLIENTS: usize = 64;
const ORDERS: usize = 6_400;
const LINES: usize = 10;
const CART_LINES: usize = 500;

fn percentile(samples: &[Duration], q: f64) -> f64 {
    samples[((samples.len() as f64 * q).ceil() as usize)
        .saturating_sub(1)
        .min(samples.len() - 1)]
    .as_secs_f64()
        * 1000.0
}

fn summary(name: &str, mut samples: Vec<Duration>, wall: Option<Duration>) {
    samples.sort();
    let rate = wall.map_or(String::new(), |wall| {
        format!("  {:>7.0} orders/s", samples.len() as f64 / wall.as_secs_f64())
    });
    println!(
        "{name:<52} n={:<5} p50={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms{rate}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples[samples.len() - 1].as_secs_f64() * 1000.0,
    );
}

struct Buyer {
    actor: Actor,
    audience: DealerAudience,
    token: String,
    location: i64,
}

/// A small deterministic generator for product choices.
struct Sequence(u64);

impl Sequence {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// `count` distinct products with an orderable quantity each.
fn lines(products: &[(i64, i64)], sequence: &mut Sequence, count: usize) -> Vec<(i64, i64)> {
    let mut chosen: Vec<(i64, i64)> = Vec::with_capacity(count);
    while chosen.len() < count {
        let (id, minimum) = products[sequence.below(products.len())];
        if !chosen.iter().any(|(c, _)| *c == id) {
            chosen.push((id, minimum * (1 + sequence.below(3) as i64)));
        }
    }
    chosen
}

fn order_input(number: String, location: i64, lines: &[(i64, i64)]) -> OrderInput {
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
    let mut buyers = Vec::new();
    for n in 0..CLIENTS {
        let login = format!("buyer.{:05}@dealers.demo.test", 1 + n * 7_919 % 10_000);
        let token = identity::commands::issue_sign_in_token(&db, &clock, &login, demo::DEMO_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{login} cannot sign in ({e}); seed the large demo first"));
        let actor = identity::queries::bearer(&db, &clock, &token)
            .await
            .unwrap()
            .unwrap()
            .actor;
        let audience = identity::queries::dealer_audience(&db, &actor, None).await.unwrap();
        let location: i64 = db
            .fetch_one(
                &Query::new("SELECT MIN(id) AS id FROM delivery_locations WHERE dealer_id = $1")
                    .bind(audience.dealer_id),
            )
            .await
            .unwrap()
            .get("id")
            .unwrap();
        buyers.push(Buyer {
            actor,
            audience,
            token,
            location,
        });
    }
    let products: Vec<(i64, i64)> = db
        .fetch_all(&Query::new(
            "SELECT id, min_order_quantity FROM products WHERE sku LIKE 'BS-0%' AND order_multiple = 1 ORDER BY id LIMIT 20000",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get("id").unwrap(), row.get("min_order_quantity").unwrap()))
        .collect();
    let products = Arc::new(products);
    let run = Utc::now().timestamp();
    println!(
        "database: {} · {CLIENTS} dealers at once · {ORDERS} orders of {LINES} lines",
        db.backend_name()
    );

    // Warm-up: fills the connection pool and the statement caches.
    for (n, buyer) in buyers.iter().enumerate() {
        let mut sequence = Sequence(0x0dd5_eed0 + n as u64);
        let input = order_input(
            format!("WARM-{run}-{n}"),
            buyer.location,
            &lines(&products, &mut sequence, LINES),
        );
        ordering::commands::place_order(&db, &clock, &buyer.actor, &buyer.audience, &input, Channel::Api, None)
            .await
            .unwrap();
    }

    // One order at a time: what an order costs when nothing else runs.
    let mut alone = Vec::new();
    let buyer = &buyers[0];
    let mut sequence = Sequence(0xa10e_0000);
    let started = Instant::now();
    for n in 0..200 {
        let input = order_input(
            format!("ALONE-{run}-{n}"),
            buyer.location,
            &lines(&products, &mut sequence, LINES),
        );
        let placed = Instant::now();
        ordering::commands::place_order(&db, &clock, &buyer.actor, &buyer.audience, &input, Channel::Api, None)
            .await
            .unwrap();
        alone.push(placed.elapsed());
    }
    summary(
        "place a 10-line order (in-process, one at a time)",
        alone,
        Some(started.elapsed()),
    );

    let buyers = Arc::new(buyers);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let (db, clock, buyers, products) = (db.clone(), clock.clone(), buyers.clone(), products.clone());
        tasks.spawn(async move {
            let buyer = &buyers[client];
            let mut sequence = Sequence(0x5eed_0000 + client as u64);
            let mut latencies = Vec::new();
            for n in 0..ORDERS / CLIENTS {
                let input = order_input(
                    format!("BENCH-{run}-{client}-{n}"),
                    buyer.location,
                    &lines(&products, &mut sequence, LINES),
                );
                let placed = Instant::now();
                ordering::commands::place_order(&db, &clock, &buyer.actor, &buyer.audience, &input, Channel::Api, None)
                    .await
                    .unwrap();
                latencies.push(placed.elapsed());
            }
            latencies
        });
    }
    let latencies: Vec<Duration> = tasks.join_all().await.into_iter().flatten().collect();
    summary("place a 10-line order (in-process)", latencies, Some(started.elapsed()));

    let app = web::router(web::AppState {
        db: db.clone(),
        clock: clock.clone(),
        secure_cookies: false,
        direct_export_rows: platform::page::MAX_EXPORT_ROWS,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let (buyers, products, address) = (buyers.clone(), products.clone(), address.clone());
        tasks.spawn(async move {
            let buyer = &buyers[client];
            let bearer = format!("Bearer {}", buyer.token);
            let mut sequence = Sequence(0xfeed_0000 + client as u64);
            let mut latencies = Vec::new();
            for n in 0..ORDERS / CLIENTS {
                let lines: Vec<serde_json::Value> = lines(&products, &mut sequence, LINES)
                    .iter()
                    .map(|(product, quantity)| serde_json::json!({ "product_id": product, "quantity": quantity }))
                    .collect();
                let body = serde_json::json!({
                    "dealer_order_number": format!("HTTP-{run}-{client}-{n}"),
                    "delivery_location_id": buyer.location,
                    "requested_delivery_on": (Utc::now().date_naive() + TimeDelta::days(7)).to_string(),
                    "lines": lines,
                })
                .to_string();
                let placed = Instant::now();
                let response = request(
                    &address,
                    "POST",
                    "/api/v1/orders",
                    &[("Authorization", &bearer), ("Content-Type", "application/json")],
                    &body,
                )
                .await;
                latencies.push(placed.elapsed());
                assert_eq!(response.status, 201, "{}", response.body);
            }
            latencies
        });
    }
    let latencies: Vec<Duration> = tasks.join_all().await.into_iter().flatten().collect();
    summary(
        "POST /api/v1/orders, 10 lines (HTTP, 64 clients)",
        latencies,
        Some(started.elapsed()),
    );

    let mut pricing = Vec::new();
    let currency = Currency::parse(&buyers[0].audience.currency).unwrap();
    for (n, buyer) in buyers.iter().enumerate().take(32) {
        let mut sequence = Sequence(0xca27_0000 + n as u64);
        let cart: Vec<(i64, Option<i64>, i64)> = lines(&products, &mut sequence, CART_LINES)
            .into_iter()
            .map(|(product, quantity)| (product, None, quantity))
            .collect();
        let started = Instant::now();
        let draft = ordering::commands::price(
            &db,
            &buyer.actor,
            &buyer.audience,
            &cart,
            Utc::now().date_naive(),
            currency,
        )
        .await
        .unwrap();
        pricing.push(started.elapsed());
        assert!(draft.lines.len() >= CART_LINES);
    }
    summary("price a 500-line cart (in-process)", pricing, None);
}

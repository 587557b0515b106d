//! An ORDERS interchange of 10,000 messages received end to end on the large demo tenant: read,
//! archived, and each message placed as an order with every check that `place_order` makes
//! (publication, prices and promotions, stock reservation, credit, order limits, duplicates).
//!
//! ```sh
//! cargo run --release -- demo --scale large --database-url sqlite:large.db
//! DEALERPORT_BENCH_DATABASE_URL=sqlite:large.db cargo bench -p dealerport --bench edi_orders
//! ```
//!
//! `DEALERPORT_BENCH_MESSAGES` changes the number of messages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use chrono::{TimeDelta, Utc};
use edi::domain::partner::PartnerInput;
use platform::{Clock, Gln, Query};

mod support;

const LINES: usize = 10;

fn main() {
    support::run(run());
}

async fn run() {
    let messages: usize = std::env::var("DEALERPORT_BENCH_MESSAGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let db = support::open_database().await;
    let clock = Clock::system();
    let (_, admin) = support::sign_in(&db, &clock, "admin@demo.test").await;
    let buyer = support::buyer(&db, &clock, 0).await;
    let dealer_gln: String = db
        .fetch_one(&Query::new("SELECT gln FROM dealers WHERE id = $1").bind(buyer.audience.dealer_id))
        .await
        .unwrap()
        .get("gln")
        .unwrap();
    // The dealer's ERP is a partner once; a run against a database used before finds it there.
    let partner = edi::commands::create_partner(
        &db,
        &clock,
        &admin,
        &PartnerInput {
            dealer_id: buyer.audience.dealer_id.get(),
            interchange_id: dealer_gln.clone(),
            interchange_qualifier: None,
            directory: "D96A".into(),
            syntax: "UNOC".into(),
            syntax_version: 3,
            channel: "api".into(),
            directory_path: None,
            messages_in: vec!["ORDERS".into()],
            messages_out: vec![],
            active: true,
        },
    )
    .await;
    if let Err(error) = &partner {
        println!("partner: {error} (kept from an earlier run)");
    }
    let products = support::orderable_products(&db).await;
    let gtins: Vec<(String, i64)> = {
        let mut gtins = Vec::with_capacity(products.len());
        for chunk in products.chunks(1_000) {
            let mut query = Query::new("SELECT id, gtin FROM products WHERE id IN ");
            query.push_bind_list(chunk.iter().map(|(id, _)| *id));
            let found: std::collections::HashMap<i64, String> = db
                .fetch_all(&query)
                .await
                .unwrap()
                .iter()
                .map(|row| (row.get("id").unwrap(), row.get("gtin").unwrap()))
                .collect();
            gtins.extend(chunk.iter().map(|(id, minimum)| (found[id].clone(), *minimum)));
        }
        gtins
    };
    let ours = Gln::with_check_digit("460700000000").unwrap();
    let run = Utc::now().timestamp();
    // Warm-up: fills the connection pool and the statement caches, and writes the orders whose
    // statistics a production database would have gathered by now.
    let warm_up = orders_interchange(&dealer_gln, ours.as_str(), -run, 100, &gtins);
    edi::commands::receive(&db, &clock, &admin, &warm_up, "api")
        .await
        .unwrap();
    support::analyze_as_autovacuum_would(&db).await;
    let interchange = orders_interchange(&dealer_gln, ours.as_str(), run, messages, &gtins);
    let orders_before = count_orders(&db, buyer.audience.dealer_id).await;
    println!(
        "database: {} · one ORDERS interchange of {messages} messages of {LINES} lines, {:.1} MB",
        db.backend_name(),
        interchange.len() as f64 / 1e6
    );

    let started = Instant::now();
    let receipt = edi::commands::receive(&db, &clock, &admin, &interchange, "api")
        .await
        .unwrap();
    let wall = started.elapsed();

    let placed = count_orders(&db, buyer.audience.dealer_id).await - orders_before;
    let applied = receipt.messages.iter().filter(|m| m.status == "applied").count();
    println!(
        "receive and apply: {:.1} s · {} messages applied, {} not · {placed} orders placed · {:.0} orders/s",
        wall.as_secs_f64(),
        applied,
        receipt.messages.len() - applied,
        placed as f64 / wall.as_secs_f64()
    );
    if let Some(problem) = receipt.messages.iter().find(|m| m.status != "applied") {
        println!("first message not applied: {} {:?}", problem.status, problem.errors);
    }
}

async fn count_orders(db: &platform::Db, dealer_id: platform::DealerId) -> i64 {
    db.fetch_one(&Query::new("SELECT COUNT(*) AS n FROM orders WHERE dealer_id = $1").bind(dealer_id))
        .await
        .unwrap()
        .get("n")
        .unwrap()
}

/// `messages` orders of `LINES` distinct products each, as a dealer's ERP sends them in one
/// interchange.
fn orders_interchange(dealer: &str, ours: &str, run: i64, messages: usize, gtins: &[(String, i64)]) -> Vec<u8> {
    let today = Utc::now().date_naive();
    let delivery = (today + TimeDelta::days(7)).format("%Y%m%d");
    let mut text = format!(
        "UNA:+.? 'UNB+UNOC:3+{dealer}:14+{ours}:14+{}:0930+B{run}++ORDERS'",
        today.format("%y%m%d")
    );
    let mut next = 0x2545_f491_u64;
    for message in 1..=messages {
        let mut segments = vec![
            format!("UNH+{message}+ORDERS:D:96A:UN:EAN008'"),
            format!("BGM+220+EDI-{run}-{message}+9'"),
            format!("DTM+137:{}:102'", today.format("%Y%m%d")),
            format!("DTM+2:{delivery}:102'"),
            format!("NAD+BY+{dealer}::9'"),
        ];
        let mut chosen: Vec<usize> = Vec::with_capacity(LINES);
        while chosen.len() < LINES {
            next ^= next << 13;
            next ^= next >> 7;
            next ^= next << 17;
            let pick = (next % gtins.len() as u64) as usize;
            if !chosen.contains(&pick) {
                chosen.push(pick);
            }
        }
        for (line, pick) in chosen.iter().enumerate() {
            let (gtin, minimum) = &gtins[*pick];
            segments.push(format!("LIN+{}++{gtin}:SRV'", line + 1));
            segments.push(format!("QTY+21:{}'", minimum * (1 + (next % 3) as i64)));
        }
        segments.push("UNS+S'".to_owned());
        segments.push(format!("UNT+{}+{message}'", segments.len() + 1));
        text.push_str(&segments.concat());
    }
    text.push_str(&format!("UNZ+{messages}+B{run}'"));
    text.into_bytes()
}

//! Throughput of EANCOM mapping: ORDERS interchanges read and mapped into orders-to-be, and
//! DESADV and PRICAT written, each on about 50 MB.
//!
//! Run with `cargo bench -p edi --bench mapping`; each figure is the best of three runs, on
//! the thread's own CPU time where Linux reports it. `cargo bench -p edi --bench mapping --
//! pricat` runs only the measures whose name holds "pricat" (or "orders", "desadv"), and
//! `EDI_BENCH_MIB=3` makes the inputs about 3 MB each, for example to run under a profiler.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use edi::domain::desadv::{write_desadv, DespatchAdvice, DespatchLine, Package};
use edi::domain::envelope::{Directory, Outbound};
use edi::domain::orders::read_orders;
use edi::domain::pricat::{write_pricat, CatalogueItem, ItemAction, PriceCatalogue};
use edifact::{Event, Reader, SyntaxError, SyntaxIdentifier};

/// Size of each input or output in MiB: 50, or `EDI_BENCH_MIB`.
fn mebibytes() -> usize {
    std::env::var("EDI_BENCH_MIB")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(50)
}

fn target_bytes() -> usize {
    mebibytes() * 1024 * 1024
}

/// Whether a measure is to be run: every one, unless the command line names some.
fn wanted(name: &str) -> bool {
    let filters: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with('-')).collect();
    filters.is_empty() || filters.iter().any(|filter| name.contains(filter.as_str()))
}
const OURS: &str = "4601234500005";
const DEALER: &str = "4601234500012";
const GTIN: &str = "4607001000013";

fn outbound() -> Outbound {
    Outbound {
        sender_gln: OURS.to_owned(),
        recipient_gln: DEALER.to_owned(),
        control_reference: "1".to_owned(),
        syntax: SyntaxIdentifier::Unoc,
        syntax_version: 3,
        directory: Directory::D96A,
        prepared_at: Utc
            .with_ymd_and_hms(2026, 11, 24, 9, 30, 0)
            .single()
            .unwrap_or_default(),
        test: false,
    }
}

/// An ORDERS interchange of 20-line orders, as dealers' ERPs send them.
fn orders_interchange() -> Vec<u8> {
    let mut text = format!("UNA:+.? 'UNB+UNOC:3+{DEALER}:14+{OURS}:14+261124:0930+BENCH1++ORDERS'");
    let mut count = 0;
    while text.len() < target_bytes() {
        count += 1;
        let mut segments = vec![
            format!("UNH+{count}+ORDERS:D:96A:UN:EAN008'"),
            format!("BGM+220+PO{count:08}+9'"),
            "DTM+137:20261124:102'".to_owned(),
            "DTM+2:20261201:102'".to_owned(),
            "FTX+AAI+++Deliver to gate 3?+4, ask for Mr. O?'Neill'".to_owned(),
            format!("NAD+BY+{DEALER}::9'"),
            format!("NAD+SU+{OURS}::9'"),
            format!("NAD+DP+{DEALER}::9'"),
        ];
        for line in 1..=20 {
            segments.push(format!("LIN+{line}++{GTIN}:SRV'"));
            segments.push(format!("PIA+1+BS-{line:04}:SA'"));
            segments.push(format!("QTY+21:{}'", line * 12));
            segments.push("PRI+AAA:41.50'".to_owned());
        }
        segments.push("UNS+S'".to_owned());
        segments.push(format!("UNT+{}+{count}'", segments.len() + 1));
        text.push_str(&segments.concat());
    }
    text.push_str(&format!("UNZ+{count}+BENCH1'"));
    text.into_bytes()
}

fn despatch_advice(number: usize) -> DespatchAdvice {
    let packages = (0..10)
        .map(|package| Package {
            sscc: format!("34601234500{:06}{}", number % 1_000_000, package % 10),
            lines: (1..=10)
                .map(|line| DespatchLine {
                    line_number: line,
                    gtin: GTIN.to_owned(),
                    sku: format!("BS-{line:04}"),
                    quantity: 120,
                    batch: Some("L2611-14".to_owned()),
                    expiry_on: NaiveDate::from_ymd_opt(2027, 5, 24),
                    order_line_number: i64::from(line),
                })
                .collect(),
        })
        .collect();
    DespatchAdvice {
        document_number: format!("DN-{number:08}"),
        order_number: format!("PO{number:08}"),
        shipped_at: Utc
            .with_ymd_and_hms(2026, 11, 24, 9, 30, 0)
            .single()
            .unwrap_or_default(),
        planned_arrival_on: NaiveDate::from_ymd_opt(2026, 11, 26),
        buyer_gln: DEALER.to_owned(),
        supplier_gln: OURS.to_owned(),
        delivery_gln: Some(DEALER.to_owned()),
        ship_from_gln: Some(OURS.to_owned()),
        vehicle: Some("A 123 BC 77".to_owned()),
        packages,
    }
}

fn price_catalogue(items: usize) -> PriceCatalogue {
    PriceCatalogue {
        document_number: "PC-1".to_owned(),
        issued_on: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
        valid_from: NaiveDate::from_ymd_opt(2026, 11, 24),
        buyer_gln: DEALER.to_owned(),
        supplier_gln: OURS.to_owned(),
        currency: "RUB".to_owned(),
        full: true,
        items: (0..items)
            .map(|item| CatalogueItem {
                action: ItemAction::Added,
                gtin: GTIN.to_owned(),
                sku: format!("BS-{item:06}"),
                name: format!("Baikal still water 0.5 L, pack {item}"),
                unit: "BO".to_owned(),
                pack_size: 12,
                min_order_quantity: 12,
                order_multiple: 12,
                net_price: "41.50".to_owned(),
                list_price: Some("45.00".to_owned()),
                vat_rate: "20".to_owned(),
            })
            .collect(),
    }
}

fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(text.split_whitespace().next()?.parse().ok()?))
}

/// The best of three runs; `run` returns how many bytes it handled.
fn best_of_three(mut run: impl FnMut() -> Result<usize, SyntaxError>) -> Result<(usize, Duration), SyntaxError> {
    let mut best = (0, Duration::MAX);
    for _ in 0..3 {
        let (wall, cpu) = (Instant::now(), thread_cpu_time());
        let bytes = run()?;
        let elapsed = match (cpu, thread_cpu_time()) {
            (Some(before), Some(after)) => after.saturating_sub(before),
            _ => wall.elapsed(),
        };
        if elapsed < best.1 {
            best = (bytes, elapsed);
        }
    }
    Ok(best)
}

fn report(name: &str, (bytes, elapsed): (usize, Duration), target: f64) {
    let rate = bytes as f64 / 1_000_000.0 / elapsed.as_secs_f64();
    let verdict = if rate >= target { "met" } else { "MISSED" };
    println!("{name:<44} {rate:>6.0} MB/s per core (target {target} MB/s: {verdict})");
}

fn main() -> Result<(), SyntaxError> {
    if wanted("orders") {
        map_orders()?;
    }
    let outbound = outbound();
    if wanted("desadv") {
        let advices: Vec<DespatchAdvice> = (0..target_bytes() / 4_000).map(despatch_advice).collect();
        let desadv = best_of_three(|| {
            let mut bytes = 0;
            for advice in &advices {
                bytes += black_box(write_desadv(&outbound, advice)?).len();
            }
            Ok(bytes)
        })?;
        report("write DESADV (10 pallets of 10 lines each)", desadv, 100.0);
    }
    if wanted("pricat") {
        let catalogue = price_catalogue(mebibytes() * 5_000);
        let pricat = best_of_three(|| Ok(black_box(write_pricat(&outbound, &catalogue)?).len()))?;
        report(
            &format!("write PRICAT ({} items)", catalogue.items.len()),
            pricat,
            100.0,
        );
    }
    Ok(())
}

fn map_orders() -> Result<(), SyntaxError> {
    let input = orders_interchange();
    let map = || -> Result<(usize, usize), SyntaxError> {
        let (mut orders, mut lines) = (0, 0);
        for event in Reader::new(input.as_slice()) {
            if let Event::Message(message) = event? {
                if let Ok(read) = read_orders(&message) {
                    orders += 1;
                    lines += read.lines.len();
                }
            }
        }
        Ok((orders, lines))
    };
    let (orders, lines) = map()?;
    println!(
        "ORDERS interchange: {:.1} MB, {orders} orders mapped with {lines} lines",
        input.len() as f64 / 1e6
    );
    let mapped = best_of_three(|| {
        black_box(map()?);
        Ok(input.len())
    })?;
    report("read and map ORDERS into orders-to-be", mapped, 100.0);
    Ok(())
}

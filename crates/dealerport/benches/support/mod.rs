//! What the benchmarks share: figures from latency samples, and signing in as a browser does.

// Each benchmark is its own crate and uses only part of this.
#![allow(dead_code)]

use std::time::Duration;

use testkit::http::request;

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

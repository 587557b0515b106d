//! Throughput of the syntax layer on a generated ORDERS interchange of about 50 MB:
//! tokenizing (segments and every value), streaming read into checked messages, and writing.
//!
//! Run with `cargo bench -p edifact`; each figure is the best of three runs. Throughput is per
//! core: measured on the thread's CPU time where Linux reports it, so that other work on the
//! machine does not distort it, and on the wall clock elsewhere.

use std::hint::black_box;
use std::time::{Duration, Instant};

use edifact::{
    DateTime, Element, Event, InterchangeHeader, InterchangeWriter, MessageHeader, Party, Reader, Segment, SyntaxError,
    SyntaxIdentifier, Tokenizer, WriterOptions,
};

/// Size of the generated interchange in MiB; `EDIFACT_BENCH_MIB` changes it, for example to run
/// under a profiler.
fn target_bytes() -> usize {
    let mebibytes = std::env::var("EDIFACT_BENCH_MIB")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(50);
    mebibytes * 1024 * 1024
}

fn simple(values: &[&str]) -> Vec<Element> {
    values.iter().map(|value| Element::simple(*value)).collect()
}

/// An order of 20 lines, as dealers send them: GTINs, quantities, prices, a free text with a
/// release character now and then.
fn order(number: usize) -> (MessageHeader, Vec<Segment>) {
    let mut segments = vec![
        Segment::new("BGM", simple(&["220", &format!("PO{number:08}"), "9"])),
        Segment::new("DTM", vec![Element::composite(["137", "20240131", "102"])]),
        Segment::new(
            "NAD",
            vec![Element::simple("BY"), Element::composite(["4012345000009", "", "9"])],
        ),
        Segment::new(
            "NAD",
            vec![Element::simple("SU"), Element::composite(["4098765000002", "", "9"])],
        ),
        Segment::new(
            "FTX",
            simple(&["AAI", "", "", "Deliver to gate 3+4, ask for Mr. O'Neill"]),
        ),
    ];
    for line in 1..=20 {
        segments.push(Segment::new(
            "LIN",
            vec![
                Element::simple(line.to_string()),
                Element::simple(""),
                Element::composite(["4006381333931", "EN"]),
            ],
        ));
        segments.push(Segment::new(
            "PIA",
            vec![Element::simple("1"), Element::composite(["BRAKE-PAD-X5", "SA"])],
        ));
        segments.push(Segment::new(
            "QTY",
            vec![Element::composite(["21", &(line * 3).to_string(), "PCE"])],
        ));
        segments.push(Segment::new("PRI", vec![Element::composite(["AAA", "45.08"])]));
    }
    segments.push(Segment::new("UNS", simple(&["S"])));
    segments.push(Segment::new("CNT", vec![Element::composite(["2", "20"])]));
    (
        MessageHeader::new(&format!("M{number}"), "ORDERS", "D", "96A"),
        segments,
    )
}

fn write(messages: &[(MessageHeader, Vec<Segment>)]) -> Result<Vec<u8>, SyntaxError> {
    let prepared = DateTime {
        year: 2024,
        month: 1,
        day: 31,
        hour: 9,
        minute: 15,
    };
    let header = InterchangeHeader::new(
        SyntaxIdentifier::Unoc,
        3,
        Party::new("4012345000009", Some("14")),
        Party::new("4098765000002", Some("14")),
        prepared,
        "IC1",
    );
    let options = WriterOptions {
        always_write_una: true,
        ..WriterOptions::default()
    };
    let mut writer = InterchangeWriter::new(Vec::with_capacity(target_bytes() + 1024 * 1024), &header, options)?;
    for (header, segments) in messages {
        writer.write_message(header, segments)?;
    }
    writer.finish()
}

fn tokenize(input: &[u8]) -> Result<usize, SyntaxError> {
    let mut total = 0;
    for segment in Tokenizer::new(input)? {
        for value in segment?.values() {
            total += value.unescaped().len();
        }
    }
    Ok(total)
}

fn read(input: &[u8]) -> Result<usize, SyntaxError> {
    let mut messages = 0;
    for event in Reader::new(input) {
        if let Event::Message(message) = event? {
            messages += black_box(message).segments().len().min(1);
        }
    }
    Ok(messages)
}

/// CPU time of the current thread, from Linux's scheduler statistics.
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanoseconds))
}

fn best_of_three(mut run: impl FnMut() -> Result<(), SyntaxError>) -> Result<Duration, SyntaxError> {
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let (wall, cpu) = (Instant::now(), thread_cpu_time());
        run()?;
        let elapsed = match (cpu, thread_cpu_time()) {
            (Some(before), Some(after)) => after.saturating_sub(before),
            _ => wall.elapsed(),
        };
        best = best.min(elapsed);
    }
    Ok(best)
}

fn report(name: &str, bytes: usize, elapsed: Duration, target: Option<f64>) {
    let megabytes_per_second = bytes as f64 / 1_000_000.0 / elapsed.as_secs_f64();
    let verdict = match target {
        None => String::new(),
        Some(target) if megabytes_per_second >= target => format!("  (target {target} MB/s: met)"),
        Some(target) => format!("  (target {target} MB/s: MISSED)"),
    };
    println!("{name:<32} {megabytes_per_second:>8.0} MB/s per core{verdict}");
}

fn main() -> Result<(), SyntaxError> {
    let sample = write(&[order(0)])?.len();
    let messages: Vec<_> = (0..target_bytes() / sample).map(order).collect();
    let input = write(&messages)?;
    println!(
        "interchange: {} messages, {:.1} MB, UNOC, syntax 3",
        messages.len(),
        input.len() as f64 / 1e6
    );

    let elapsed = best_of_three(|| {
        tokenize(&input).map(|total| {
            black_box(total);
        })
    })?;
    report("tokenize (segments and values)", input.len(), elapsed, Some(300.0));

    let elapsed = best_of_three(|| {
        read(&input).map(|count| {
            black_box(count);
        })
    })?;
    report("stream read into messages", input.len(), elapsed, None);

    let elapsed = best_of_three(|| write(&messages).map(|bytes| drop(black_box(bytes))))?;
    report("write", input.len(), elapsed, Some(100.0));
    Ok(())
}

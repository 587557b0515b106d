//! Any bytes through every reading path: whole-input parse, the streaming reader with a tiny
//! buffer (so that segments straddle refills), and the tokenizer down to unescaped values.
//! None may panic.

#![no_main]

use std::io::BufReader;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = edifact::parse(data);

    let mut streamed = Vec::new();
    for event in edifact::Reader::new(BufReader::with_capacity(5, data)) {
        match event {
            Ok(event) => streamed.push(event),
            Err(_) => break,
        }
    }
    // The two paths read the same way, so a whole success must be seen by both.
    if parsed.is_ok() {
        assert!(matches!(streamed.last(), Some(edifact::Event::InterchangeEnd)));
    }

    if let Ok(tokenizer) = edifact::Tokenizer::new(data) {
        for segment in tokenizer {
            let Ok(segment) = segment else { break };
            for value in segment.values() {
                let _ = value.unescaped();
            }
        }
    }
});

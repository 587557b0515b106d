//! Test fixtures: GS1 numbers with real check digits, and interchanges built from body segments
//! so that the UNT count is always right.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use edifact::SyntaxIdentifier;

use super::envelope::{Directory, Outbound};

/// The manufacturer running Dealerport: the supplier in ORDERS.
pub const MANUFACTURER_GLN: &str = "4607001000006";
/// A Russian dealer: the buyer.
pub const DEALER_GLN: &str = "4609876000006";
/// The dealer's warehouse: the delivery party.
pub const WAREHOUSE_GLN: &str = "4601234000017";
/// The dealer's accounting office: the invoicee.
pub const INVOICEE_GLN: &str = "4601234000024";
/// Brake pads.
pub const BRAKE_PADS_GTIN: &str = "4607001543213";
/// Oil filter.
pub const OIL_FILTER_GTIN: &str = "4607001543220";

/// The GS1 check digit of the digits before it: weights 3 and 1 alternating from the right.
pub fn check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .enumerate()
        .map(|(position, digit)| digit.to_digit(10).unwrap() * if position % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10
}

/// Whether the last digit of a GTIN or GLN is its check digit.
pub fn has_valid_check_digit(number: &str) -> bool {
    let (body, last) = number.split_at(number.len() - 1);
    last.parse::<u32>().ok() == Some(check_digit(body))
}

/// Our outbound parameters towards the dealer.
pub fn outbound(directory: Directory) -> Outbound {
    Outbound {
        sender_gln: MANUFACTURER_GLN.to_owned(),
        recipient_gln: DEALER_GLN.to_owned(),
        control_reference: "DP000042".to_owned(),
        syntax: SyntaxIdentifier::Unoc,
        syntax_version: 3,
        directory,
        prepared_at: Utc.with_ymd_and_hms(2024, 1, 16, 9, 5, 0).unwrap(),
        test: false,
    }
}

/// An interchange from the dealer to us with one message: `unb_syntax` such as "UNOC:3",
/// `unh` the message identifier such as "ORDERS:D:96A:UN:EAN008", and the body segments
/// between UNH and UNT, each without its terminator.
pub fn interchange(unb_syntax: &str, unh: &str, body: &[&str]) -> Vec<u8> {
    // Syntax 4 has a repetition separator where earlier versions have a reserved space.
    let (una, date) = if unb_syntax.ends_with(":4") {
        ("UNA:+.?*'", "20240115:1030")
    } else {
        ("UNA:+.? '", "240115:1030")
    };
    let mut text = format!("{una}UNB+{unb_syntax}+{DEALER_GLN}:14+{MANUFACTURER_GLN}:14+{date}+ORD0001'UNH+1+{unh}'");
    for segment in body {
        text.push_str(segment);
        text.push('\'');
    }
    text.push_str(&format!("UNT+{}+1'UNZ+1+ORD0001'", body.len() + 2));
    text.into_bytes()
}

/// The only message of an interchange.
pub fn only_message(bytes: &[u8]) -> edifact::Message {
    let mut interchange = edifact::parse(bytes).unwrap();
    assert_eq!(interchange.messages.len(), 1);
    interchange.messages.remove(0)
}

#[test]
fn fixtures_use_valid_check_digits() {
    for number in [
        MANUFACTURER_GLN,
        DEALER_GLN,
        WAREHOUSE_GLN,
        INVOICEE_GLN,
        BRAKE_PADS_GTIN,
        OIL_FILTER_GTIN,
    ] {
        assert!(has_valid_check_digit(number), "{number}");
    }
    // The example GLN of the EANCOM guides.
    assert!(has_valid_check_digit("5412345000013"));
    assert!(!has_valid_check_digit("5412345000014"));
}

/// Test helper shared by the writers' tests: every segment of a message as its tag and its
/// elements' components.
pub fn tags_and_values(message: &edifact::Message) -> Vec<(String, Vec<Vec<String>>)> {
    message
        .segments()
        .map(|segment| {
            let elements = (1..=segment.element_count())
                .map(|element| segment.components(element).map(str::to_owned).collect())
                .collect();
            (segment.tag().to_owned(), elements)
        })
        .collect()
}

/// Test helper: a segment as its tag and components, for comparing with [`tags_and_values`].
pub fn seg(tag: &str, values: &[&[&str]]) -> (String, Vec<Vec<String>>) {
    (
        tag.to_owned(),
        values
            .iter()
            .map(|components| components.iter().map(|value| (*value).to_owned()).collect())
            .collect(),
    )
}

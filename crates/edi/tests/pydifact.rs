//! Interoperability: every kind of interchange we send (CONTRL, APERAK, ORDRSP, DESADV, PRICAT)
//! is parsed by pydifact, an independent EDIFACT implementation in Python, and must come out
//! with the same segments, in the same order, with the same elements and components as our own
//! `edifact::parse` reads them; pydifact must also pair every UNH with its UNT.
//!
//! # What it needs
//!
//! `python3` with `pip`, and access to PyPI (or a pip mirror configured the usual way, such as
//! `PIP_INDEX_URL`). The test does not skip: without them it fails, saying what is missing.
//!
//! # How pydifact is installed
//!
//! Nothing Python enters the Rust build or the system: on first run the test calls
//!
//! ```text
//! python3 -m pip install --quiet --disable-pip-version-check --upgrade --target <target>/pydifact pydifact==0.2.3
//! ```
//!
//! where `<target>` is the cargo target directory (`CARGO_TARGET_DIR`, else `target/`), and
//! runs `crates/edi/tests/pydifact/parse.py` with `PYTHONPATH=<target>/pydifact`. Later runs find
//! `pydifact-0.2.3.dist-info` there and install nothing; `cargo clean` removes it. pydifact 0.2.3
//! is pure Python with no dependencies.
//!
//! # What pydifact cannot check
//!
//! pydifact leaves the character set to its caller (`parse.py` decodes by the UNB syntax
//! identifier: UNOC as ISO 8859-1, UNOE as ISO 8859-5, UNOY as UTF-8) and knows no repetition
//! separator: in syntax 4 it takes the UNA's fifth character for the reserved space, so a
//! repeated data element would not be split. Our writers write no repetitions, and a `*` in data
//! is escaped, which pydifact reads back correctly; UNOY with syntax 4 is therefore tested.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};
use edi::domain::aperak::{write_aperak, Aperak, ReferencedDocument};
use edi::domain::contrl::{write_contrl, MessageAtFault, ReceivedInterchange};
use edi::domain::desadv::{write_desadv, DespatchAdvice, DespatchLine, Package};
use edi::domain::envelope::{Directory, Outbound};
use edi::domain::errors::{ApplicationError, ApplicationErrorCode};
use edi::domain::ordrsp::{write_ordrsp, OrderResponse, ResponseKind, ResponseLine};
use edi::domain::pricat::{write_pricat, CatalogueItem, ItemAction, PriceCatalogue};
use edifact::SyntaxIdentifier;
use serde_json::Value;

const PYDIFACT_VERSION: &str = "0.2.3";

const MANUFACTURER_GLN: &str = "4607001000006";
const DEALER_GLN: &str = "4609876000006";
const WAREHOUSE_GLN: &str = "4601234000017";
const BRAKE_PADS_GTIN: &str = "4607001543213";
const OIL_FILTER_GTIN: &str = "4607001543220";

fn outbound(syntax: SyntaxIdentifier, syntax_version: u8, directory: Directory) -> Outbound {
    Outbound {
        sender_gln: MANUFACTURER_GLN.to_owned(),
        recipient_gln: DEALER_GLN.to_owned(),
        control_reference: "DP000042".to_owned(),
        syntax,
        syntax_version,
        directory,
        prepared_at: Utc.with_ymd_and_hms(2024, 1, 16, 9, 5, 0).unwrap(),
        test: false,
    }
}

fn unoc() -> Outbound {
    outbound(SyntaxIdentifier::Unoc, 3, Directory::D96A)
}

fn unoy() -> Outbound {
    outbound(SyntaxIdentifier::Unoy, 4, Directory::D01B)
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn contrl(outbound: &Outbound, rejected: bool) -> Vec<u8> {
    let received_bytes = format!(
        "UNA:+.? 'UNB+UNOC:3+{DEALER_GLN}:14+{MANUFACTURER_GLN}:14+240115:1030+ORD0001'\
         UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220+ZK-1+9'UNT+9+1'UNZ+1+ORD0001'"
    );
    let error = edifact::parse(received_bytes.as_bytes()).unwrap_err();
    let received = ReceivedInterchange {
        sender: Some(edifact::Party::new(DEALER_GLN, Some("14"))),
        recipient: Some(edifact::Party::new(MANUFACTURER_GLN, Some("14"))),
        control_reference: Some("ORD0001".to_owned()),
    };
    if rejected {
        let message = MessageAtFault {
            header: edifact::MessageHeader::new("1", "ORDERS", "D", "96A"),
            unh_segment: 2,
        };
        write_contrl(outbound, &received, Some(&error), Some(&message)).unwrap()
    } else {
        write_contrl(outbound, &received, None, None).unwrap()
    }
}

fn aperak(outbound: &Outbound) -> Vec<u8> {
    let aperak = Aperak {
        document_number: "AP-1".to_owned(),
        referenced_message: "1".to_owned(),
        referenced_document: Some(ReferencedDocument::order("ZK-2024-0117")),
        errors: vec![
            ApplicationError::new(
                ApplicationErrorCode::UnknownProduct,
                "no product 4607001543213 (ask: 'why?' + call 12:00)",
            ),
            ApplicationError::missing("order lines").at_tag("LIN"),
        ],
    };
    write_aperak(outbound, &aperak).unwrap()
}

fn ordrsp(outbound: &Outbound) -> Vec<u8> {
    let response = OrderResponse {
        document_number: "OR-2024-0117".to_owned(),
        order_number: "ZK-2024-0117".to_owned(),
        kind: ResponseKind::Changed,
        buyer_gln: DEALER_GLN.to_owned(),
        supplier_gln: MANUFACTURER_GLN.to_owned(),
        delivery_gln: Some(WAREHOUSE_GLN.to_owned()),
        delivery_on: Some(date(2024, 1, 20)),
        reason: Some("Частичная поставка: gate 3 + ramp 'B'?".to_owned()),
        currency: "RUB".to_owned(),
        lines: vec![
            ResponseLine {
                line_number: 1,
                gtin: BRAKE_PADS_GTIN.to_owned(),
                sku: "BP-7".to_owned(),
                ordered: 12,
                confirmed: 12,
                delivery_on: None,
                net_price: "1250.50".to_owned(),
                reason: None,
            },
            ResponseLine {
                line_number: 2,
                gtin: OIL_FILTER_GTIN.to_owned(),
                sku: "FLT-0042".to_owned(),
                ordered: 4,
                confirmed: 0,
                delivery_on: Some(date(2024, 1, 25)),
                net_price: "830.00".to_owned(),
                reason: Some("Нет на складе * снят с производства".to_owned()),
            },
        ],
    };
    write_ordrsp(outbound, &response).unwrap()
}

fn desadv(outbound: &Outbound) -> Vec<u8> {
    let advice = DespatchAdvice {
        document_number: "DN-2024-0042".to_owned(),
        order_number: "ZK-2024-0117".to_owned(),
        shipped_at: Utc.with_ymd_and_hms(2024, 1, 16, 14, 0, 0).unwrap(),
        planned_arrival_on: Some(date(2024, 1, 18)),
        buyer_gln: DEALER_GLN.to_owned(),
        supplier_gln: MANUFACTURER_GLN.to_owned(),
        delivery_gln: Some(WAREHOUSE_GLN.to_owned()),
        ship_from_gln: None,
        vehicle: Some("А123ВС 66".to_owned()),
        packages: vec![
            Package {
                sscc: "346070010000000014".to_owned(),
                lines: vec![DespatchLine {
                    line_number: 1,
                    gtin: BRAKE_PADS_GTIN.to_owned(),
                    sku: "BP-7".to_owned(),
                    quantity: 10,
                    batch: Some("L240116".to_owned()),
                    expiry_on: Some(date(2026, 1, 1)),
                    order_line_number: 1,
                }],
            },
            Package {
                sscc: "346070010000000021".to_owned(),
                lines: vec![DespatchLine {
                    line_number: 2,
                    gtin: OIL_FILTER_GTIN.to_owned(),
                    quantity: 3,
                    order_line_number: 2,
                    ..DespatchLine::default()
                }],
            },
        ],
    };
    write_desadv(outbound, &advice).unwrap()
}

fn pricat(outbound: &Outbound) -> Vec<u8> {
    let catalogue = PriceCatalogue {
        document_number: "PC-2024-01".to_owned(),
        issued_on: date(2024, 1, 16),
        valid_from: Some(date(2024, 2, 1)),
        buyer_gln: DEALER_GLN.to_owned(),
        supplier_gln: MANUFACTURER_GLN.to_owned(),
        currency: "RUB".to_owned(),
        full: true,
        items: vec![
            CatalogueItem {
                action: ItemAction::Added,
                gtin: BRAKE_PADS_GTIN.to_owned(),
                sku: "BP-7".to_owned(),
                name: "Колодки тормозные: передние".to_owned(),
                unit: "PCE".to_owned(),
                pack_size: 4,
                min_order_quantity: 8,
                order_multiple: 4,
                net_price: "1250.50".to_owned(),
                list_price: Some("1400.00".to_owned()),
                vat_rate: "20".to_owned(),
            },
            CatalogueItem {
                action: ItemAction::Changed,
                gtin: OIL_FILTER_GTIN.to_owned(),
                sku: "FLT-0042".to_owned(),
                name: "机油滤清器 Oil filter".to_owned(),
                unit: "PCE".to_owned(),
                pack_size: 1,
                min_order_quantity: 1,
                order_multiple: 1,
                net_price: "830".to_owned(),
                list_price: None,
                vat_rate: "20".to_owned(),
            },
        ],
    };
    write_pricat(outbound, &catalogue).unwrap()
}

/// Every outbound kind in UNOC (syntax 3, EANCOM 97), the ones with free text also in UNOY
/// (syntax 4, EANCOM 2002) and one in UNOE (ISO 8859-5, Cyrillic).
fn interchanges() -> Vec<(&'static str, Vec<u8>)> {
    let unoe = outbound(SyntaxIdentifier::Unoe, 3, Directory::D96A);
    vec![
        ("contrl-accepted-unoc", contrl(&unoc(), false)),
        ("contrl-rejected-unoc", contrl(&unoc(), true)),
        ("contrl-rejected-unoy", contrl(&unoy(), true)),
        ("aperak-unoc", aperak(&unoc())),
        ("aperak-unoy", aperak(&unoy())),
        ("ordrsp-unoc", ordrsp(&unoc())),
        ("ordrsp-unoy", ordrsp(&unoy())),
        ("ordrsp-unoe", ordrsp(&unoe)),
        ("desadv-unoc", desadv(&unoc())),
        ("desadv-unoy", desadv(&unoy())),
        ("pricat-unoc", pricat(&unoc())),
        ("pricat-unoy", pricat(&unoy())),
    ]
}

/// A segment as tag and elements, each a list of components.
type Described = (String, Vec<Vec<String>>);

fn owned(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

/// What `edifact::parse` reads, as the full list of segments from UNB to UNZ. The envelope
/// segments are rebuilt from the headers it returns, with the values pydifact must see.
fn read_by_us(bytes: &[u8]) -> (Vec<Described>, Vec<String>) {
    let interchange = edifact::parse(bytes).unwrap();
    let header = &interchange.header;
    let mut segments = vec![(
        "UNB".to_owned(),
        vec![
            owned(&[header.syntax.code(), &header.version.to_string()]),
            owned(&[
                &header.sender.id,
                header.sender.qualifier.as_deref().unwrap_or_default(),
            ]),
            owned(&[
                &header.recipient.id,
                header.recipient.qualifier.as_deref().unwrap_or_default(),
            ]),
        ],
    )];
    let mut types = Vec::new();
    for message in &interchange.messages {
        let unh = &message.header;
        let mut identifier = owned(&[&unh.message_type, &unh.version, &unh.release, &unh.agency]);
        if let Some(association) = &unh.association {
            identifier.push(association.clone());
        }
        segments.push(("UNH".to_owned(), vec![owned(&[&unh.reference]), identifier]));
        for segment in message.segments().map(|segment| segment.to_segment()) {
            let elements = segment
                .elements
                .iter()
                .map(|element| {
                    assert_eq!(element.repetitions.len(), 1, "no repetitions are written");
                    element.components().to_vec()
                })
                .collect();
            segments.push((segment.tag, elements));
        }
        let count = (message.segments().len() + 2).to_string();
        segments.push(("UNT".to_owned(), vec![owned(&[&count]), owned(&[&unh.reference])]));
        types.push(unh.message_type.clone());
    }
    let messages = interchange.messages.len().to_string();
    segments.push((
        "UNZ".to_owned(),
        vec![owned(&[&messages]), owned(&[&header.control_reference])],
    ));
    (segments, types)
}

fn read_by_pydifact(file: &Value) -> (Vec<Described>, Vec<String>) {
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|text| text.as_str().unwrap().to_owned())
            .collect()
    };
    let segments = file["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|segment| {
            let elements = segment["elements"].as_array().unwrap().iter().map(strings).collect();
            (segment["tag"].as_str().unwrap().to_owned(), elements)
        })
        .collect();
    (segments, strings(&file["messages"]))
}

/// The cargo target directory: the parent of this test's scratch directory.
fn target_dir() -> PathBuf {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
    scratch.parent().unwrap_or(scratch).to_path_buf()
}

/// Installs pydifact into `<target>/pydifact` unless it is there, and returns that directory.
fn pydifact() -> PathBuf {
    let directory = target_dir().join("pydifact");
    let marker = directory.join(format!("pydifact-{PYDIFACT_VERSION}.dist-info"));
    if marker.is_dir() {
        return directory;
    }
    let output = Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--upgrade",
            "--target",
        ])
        .arg(&directory)
        .arg(format!("pydifact=={PYDIFACT_VERSION}"))
        .output()
        .unwrap_or_else(|error| panic!("python3 is needed to install pydifact for this test: {error}"));
    assert!(
        output.status.success(),
        "`python3 -m pip install pydifact=={PYDIFACT_VERSION}` failed (pip and PyPI access are needed): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        marker.is_dir(),
        "pip said nothing went wrong, yet {} is missing",
        marker.display()
    );
    directory
}

#[test]
fn pydifact_reads_every_outbound_interchange_as_we_do() {
    let interchanges = interchanges();
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pydifact-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let mut files = Vec::new();
    for (name, bytes) in &interchanges {
        let file = directory.join(format!("{name}.edi"));
        std::fs::write(&file, bytes).unwrap();
        files.push(file);
    }

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pydifact/parse.py");
    let output = Command::new("python3")
        .arg(&script)
        .args(&files)
        .env("PYTHONPATH", pydifact())
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .unwrap_or_else(|error| panic!("python3 is needed for this test: {error}"));
    assert!(
        output.status.success(),
        "pydifact refused an interchange: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let parsed = parsed.as_array().unwrap();
    assert_eq!(parsed.len(), interchanges.len());

    for ((name, bytes), file) in interchanges.iter().zip(parsed) {
        let (ours, our_types) = read_by_us(bytes);
        let (theirs, their_types) = read_by_pydifact(file);
        assert_eq!(their_types, our_types, "{name}: messages pydifact paired UNH with UNT");
        let our_tags: Vec<&str> = ours.iter().map(|(tag, _)| tag.as_str()).collect();
        let their_tags: Vec<&str> = theirs.iter().map(|(tag, _)| tag.as_str()).collect();
        assert_eq!(their_tags, our_tags, "{name}: segment tags");
        for (index, (ours, theirs)) in ours.iter().zip(&theirs).enumerate() {
            if ours.0 == "UNB" {
                // pydifact reads UNB whole; we compare what our header gives: syntax and parties.
                assert_eq!(theirs.1[..3], ours.1[..], "{name}: UNB");
            } else {
                assert_eq!(theirs, ours, "{name}: segment {} ({})", index + 1, ours.0);
            }
        }
        let syntax = file["syntax"].as_str().unwrap();
        assert_eq!(syntax, ours[0].1[0][0], "{name}: syntax identifier");
    }
    std::fs::remove_dir_all(&directory).ok();
}

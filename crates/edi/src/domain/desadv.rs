//! DESADV, the despatch advice: what we shipped, in which packages, for EANCOM 97 (D.96A) and
//! EANCOM 2002 (D.01B).
//!
//! ```text
//! UNH+1+DESADV:D:96A:UN:EAN005'       DESADV:D:01B:UN:EAN007 in EANCOM 2002
//! BGM+351+DN-2024-0042+9'
//! DTM+137:202401160905:203'
//! DTM+11:202401161400:203'            despatched
//! DTM+17:20240118:102'                estimated delivery, when given
//! RFF+ON:ZK-2024-0117'
//! NAD+BY / NAD+SU / NAD+DP / NAD+SF   GLNs, DP and SF when given
//! TDT+20++30+++++:::A123BC66'         road transport, the vehicle in C222 8212; when given
//! CPS+1'                              the whole consignment
//! CPS+2+1'                            each package, a child of the consignment
//! PAC+1++201'                         one package, type 201 (pallet ISO 1, EANCOM code)
//! PCI+33E'                            marked with an SSCC
//! GIN+BJ+346070010000000014'          the SSCC
//! LIN+1++4607001543213:EN'            SRV in EANCOM 2002
//! PIA+1+BP-7:SA'                      our article number, when given
//! QTY+12:10'                          despatched
//! RFF+ON:ZK-2024-0117:1'              the order line
//! PCI+36E'                            when there is a batch or expiry date
//! DTM+36:20260101:102'                expiry date
//! GIN+BX+L240116'                     batch number
//! CNT+2:1'                            number of LIN
//! ```
//!
//! DESADV has no UNS in D.96A nor in D.01B: CNT follows the last detail segment.
//! Every package is written as a pallet (PAC 7065 = 201): the value has no package type yet.

use chrono::{DateTime, NaiveDate, Utc};
use edifact::SyntaxError;

use super::envelope::{number_text, split_at_character, Outbound};
use super::ordrsp::{date_102, gtin_item_type, party, push_date_102};

/// One item line within a package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DespatchLine {
    /// LIN 1082, numbered across the whole message.
    pub line_number: u32,
    pub gtin: String,
    /// Our article number (PIA+1 …:SA); not written when empty.
    pub sku: String,
    /// QTY+12.
    pub quantity: i64,
    /// GIN+BX.
    pub batch: Option<String>,
    /// DTM+36 in PCI+36E.
    pub expiry_on: Option<NaiveDate>,
    /// The buyer's order line (RFF+ON 1156); not written when 0 or less.
    pub order_line_number: i64,
}

/// One package (pallet) with its SSCC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Package {
    /// GIN+BJ, 18 digits; no PCI/GIN when empty.
    pub sscc: String,
    pub lines: Vec<DespatchLine>,
}

/// A despatch advice to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DespatchAdvice {
    /// The delivery note number (BGM 1004).
    pub document_number: String,
    /// The buyer's order number (RFF+ON).
    pub order_number: String,
    /// DTM+11.
    pub shipped_at: DateTime<Utc>,
    /// DTM+17, estimated delivery.
    pub planned_arrival_on: Option<NaiveDate>,
    pub buyer_gln: String,
    pub supplier_gln: String,
    pub delivery_gln: Option<String>,
    pub ship_from_gln: Option<String>,
    /// The vehicle (registration or description), in TDT C222 8212, at most 35 characters.
    pub vehicle: Option<String>,
    pub packages: Vec<Package>,
}

/// Longest identification of a means of transport (8212, an..35).
const VEHICLE_LENGTH: usize = 35;

/// Writes a complete interchange holding one DESADV, in the outbound directory.
pub fn write_desadv(outbound: &Outbound, advice: &DespatchAdvice) -> Result<Vec<u8>, SyntaxError> {
    let mut writer = outbound.open_interchange()?;
    writer.begin_message(&outbound.directory.message_header("1", "DESADV"))?;
    writer.segment("BGM", &[&["351"], &[&advice.document_number], &["9"]])?;
    writer.segment("DTM", &[&["137", &outbound.prepared_at_203(), "203"]])?;
    let shipped = advice.shipped_at.format("%Y%m%d%H%M").to_string();
    writer.segment("DTM", &[&["11", &shipped, "203"]])?;
    if let Some(date) = advice.planned_arrival_on {
        writer.segment("DTM", &[&["17", &date_102(date), "102"]])?;
    }
    writer.segment("RFF", &[&["ON", &advice.order_number]])?;
    party(&mut writer, "BY", &advice.buyer_gln)?;
    party(&mut writer, "SU", &advice.supplier_gln)?;
    if let Some(gln) = &advice.delivery_gln {
        party(&mut writer, "DP", gln)?;
    }
    if let Some(gln) = &advice.ship_from_gln {
        party(&mut writer, "SF", gln)?;
    }
    if let Some(vehicle) = advice.vehicle.as_deref().filter(|vehicle| !vehicle.is_empty()) {
        let fitted = outbound.fit_text(vehicle);
        let (vehicle, _) = split_at_character(&fitted, VEHICLE_LENGTH);
        writer.segment(
            "TDT",
            &[
                &["20"],
                &[""],
                &["30"],
                &[""],
                &[""],
                &[""],
                &[""],
                &["", "", "", vehicle],
            ],
        )?;
    }
    writer.segment("CPS", &[&["1"]])?;
    let item_type = gtin_item_type(outbound.directory);
    let mut lines = 0_i64;
    // Numbers and dates are written into one buffer after another, rather than each into a
    // new string.
    let mut number = String::new();
    // CPS+1 is the consignment; the packages follow from 2.
    for (package_number, package) in (2..).zip(&advice.packages) {
        writer.segment("CPS", &[&[number_text(&mut number, package_number)], &["1"]])?;
        writer.segment("PAC", &[&["1"], &[""], &["201"]])?;
        if !package.sscc.is_empty() {
            writer.segment("PCI", &[&["33E"]])?;
            writer.segment("GIN", &[&["BJ"], &[&package.sscc]])?;
        }
        for line in &package.lines {
            lines += 1;
            let line_number = number_text(&mut number, i64::from(line.line_number));
            writer.segment("LIN", &[&[line_number], &[""], &[&line.gtin, item_type]])?;
            if !line.sku.is_empty() {
                writer.segment("PIA", &[&["1"], &[&line.sku, "SA"]])?;
            }
            writer.segment("QTY", &[&["12", number_text(&mut number, line.quantity)]])?;
            if line.order_line_number > 0 {
                let order_line = number_text(&mut number, line.order_line_number);
                writer.segment("RFF", &[&["ON", &advice.order_number, order_line]])?;
            } else {
                writer.segment("RFF", &[&["ON", &advice.order_number]])?;
            }
            let batch = line.batch.as_deref().filter(|batch| !batch.is_empty());
            if batch.is_some() || line.expiry_on.is_some() {
                writer.segment("PCI", &[&["36E"]])?;
                if let Some(date) = line.expiry_on {
                    number.clear();
                    push_date_102(&mut number, date);
                    writer.segment("DTM", &[&["36", &number, "102"]])?;
                }
                if let Some(batch) = batch {
                    writer.segment("GIN", &[&["BX"], &[batch]])?;
                }
            }
        }
    }
    writer.segment("CNT", &[&["2", number_text(&mut number, lines)]])?;
    writer.end_message()?;
    writer.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::envelope::Directory;
    use crate::domain::fixtures::{
        has_valid_check_digit, outbound, BRAKE_PADS_GTIN, DEALER_GLN, MANUFACTURER_GLN, OIL_FILTER_GTIN, WAREHOUSE_GLN,
    };
    use crate::domain::fixtures::{seg, tags_and_values};

    const SSCC_1: &str = "346070010000000014";
    const SSCC_2: &str = "346070010000000021";
    const FACTORY_GLN: &str = "4607001000013";

    fn advice() -> DespatchAdvice {
        DespatchAdvice {
            document_number: "DN-2024-0042".into(),
            order_number: "ZK-2024-0117".into(),
            shipped_at: Utc.with_ymd_and_hms(2024, 1, 16, 14, 0, 0).unwrap(),
            planned_arrival_on: NaiveDate::from_ymd_opt(2024, 1, 18),
            buyer_gln: DEALER_GLN.into(),
            supplier_gln: MANUFACTURER_GLN.into(),
            delivery_gln: Some(WAREHOUSE_GLN.into()),
            ship_from_gln: Some(FACTORY_GLN.into()),
            vehicle: Some("A123BC 66".into()),
            packages: vec![
                Package {
                    sscc: SSCC_1.into(),
                    lines: vec![DespatchLine {
                        line_number: 1,
                        gtin: BRAKE_PADS_GTIN.into(),
                        sku: "BP-7".into(),
                        quantity: 10,
                        batch: Some("L240116".into()),
                        expiry_on: NaiveDate::from_ymd_opt(2026, 1, 1),
                        order_line_number: 1,
                    }],
                },
                Package {
                    sscc: SSCC_2.into(),
                    lines: vec![
                        DespatchLine {
                            line_number: 2,
                            gtin: BRAKE_PADS_GTIN.into(),
                            sku: "BP-7".into(),
                            quantity: 2,
                            order_line_number: 1,
                            ..DespatchLine::default()
                        },
                        DespatchLine {
                            line_number: 3,
                            gtin: OIL_FILTER_GTIN.into(),
                            sku: String::new(),
                            quantity: 3,
                            batch: Some("F-9".into()),
                            expiry_on: None,
                            order_line_number: 2,
                        },
                    ],
                },
            ],
        }
    }

    #[test]
    fn fixture_numbers_have_check_digits() {
        for number in [SSCC_1, SSCC_2, FACTORY_GLN] {
            assert!(has_valid_check_digit(number), "{number}");
        }
    }

    #[test]
    fn two_pallets_are_advised_with_their_ssccs_batches_and_order_lines() {
        let bytes = write_desadv(&outbound(Directory::D96A), &advice()).unwrap();
        let interchange = edifact::parse(&bytes).unwrap();
        let message = &interchange.messages[0];
        assert_eq!(message.header.message_type, "DESADV");
        assert_eq!(message.header.association.as_deref(), Some("EAN005"));
        assert_eq!(
            tags_and_values(message),
            vec![
                seg("BGM", &[&["351"], &["DN-2024-0042"], &["9"]]),
                seg("DTM", &[&["137", "202401160905", "203"]]),
                seg("DTM", &[&["11", "202401161400", "203"]]),
                seg("DTM", &[&["17", "20240118", "102"]]),
                seg("RFF", &[&["ON", "ZK-2024-0117"]]),
                seg("NAD", &[&["BY"], &[DEALER_GLN, "", "9"]]),
                seg("NAD", &[&["SU"], &[MANUFACTURER_GLN, "", "9"]]),
                seg("NAD", &[&["DP"], &[WAREHOUSE_GLN, "", "9"]]),
                seg("NAD", &[&["SF"], &[FACTORY_GLN, "", "9"]]),
                seg(
                    "TDT",
                    &[
                        &["20"],
                        &[""],
                        &["30"],
                        &[""],
                        &[""],
                        &[""],
                        &[""],
                        &["", "", "", "A123BC 66"]
                    ]
                ),
                seg("CPS", &[&["1"]]),
                seg("CPS", &[&["2"], &["1"]]),
                seg("PAC", &[&["1"], &[""], &["201"]]),
                seg("PCI", &[&["33E"]]),
                seg("GIN", &[&["BJ"], &[SSCC_1]]),
                seg("LIN", &[&["1"], &[""], &[BRAKE_PADS_GTIN, "EN"]]),
                seg("PIA", &[&["1"], &["BP-7", "SA"]]),
                seg("QTY", &[&["12", "10"]]),
                seg("RFF", &[&["ON", "ZK-2024-0117", "1"]]),
                seg("PCI", &[&["36E"]]),
                seg("DTM", &[&["36", "20260101", "102"]]),
                seg("GIN", &[&["BX"], &["L240116"]]),
                seg("CPS", &[&["3"], &["1"]]),
                seg("PAC", &[&["1"], &[""], &["201"]]),
                seg("PCI", &[&["33E"]]),
                seg("GIN", &[&["BJ"], &[SSCC_2]]),
                seg("LIN", &[&["2"], &[""], &[BRAKE_PADS_GTIN, "EN"]]),
                seg("PIA", &[&["1"], &["BP-7", "SA"]]),
                seg("QTY", &[&["12", "2"]]),
                seg("RFF", &[&["ON", "ZK-2024-0117", "1"]]),
                seg("LIN", &[&["3"], &[""], &[OIL_FILTER_GTIN, "EN"]]),
                seg("QTY", &[&["12", "3"]]),
                seg("RFF", &[&["ON", "ZK-2024-0117", "2"]]),
                seg("PCI", &[&["36E"]]),
                seg("GIN", &[&["BX"], &["F-9"]]),
                seg("CNT", &[&["2", "3"]]),
            ]
        );
    }

    #[test]
    fn a_minimal_advice_in_eancom_2002_has_no_optional_segments() {
        let mut minimal = advice();
        minimal.planned_arrival_on = None;
        minimal.delivery_gln = None;
        minimal.ship_from_gln = None;
        minimal.vehicle = None;
        minimal.packages.truncate(1);
        minimal.packages[0].sscc.clear();
        let bytes = write_desadv(&outbound(Directory::D01B), &minimal).unwrap();
        let message = &edifact::parse(&bytes).unwrap().messages[0];
        assert_eq!(message.header.association.as_deref(), Some("EAN007"));
        let tags: Vec<&str> = message.segments().map(|segment| segment.tag()).collect();
        assert_eq!(
            tags,
            [
                "BGM", "DTM", "DTM", "RFF", "NAD", "NAD", "CPS", "CPS", "PAC", "LIN", "PIA", "QTY", "RFF", "PCI",
                "DTM", "GIN", "CNT"
            ]
        );
        let lin = message.segments().find(|segment| segment.tag() == "LIN").unwrap();
        assert_eq!(lin.value(3, 2), Some("SRV"));
    }

    #[test]
    fn a_cyrillic_vehicle_is_fitted_to_the_character_set() {
        let mut cyrillic = advice();
        cyrillic.vehicle = Some(format!("А123ВС 66 {}", "x".repeat(40)));
        let bytes = write_desadv(&outbound(Directory::D96A), &cyrillic).unwrap();
        let message = &edifact::parse(&bytes).unwrap().messages[0];
        let tdt = message.segments().find(|segment| segment.tag() == "TDT").unwrap();
        let vehicle = tdt.value(8, 4).unwrap();
        assert!(vehicle.starts_with("?123?? 66 x"), "{vehicle}");
        assert_eq!(vehicle.chars().count(), 35);
    }
}

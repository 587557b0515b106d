//! ORDERS (purchase order) of EANCOM 97 (D.96A) and EANCOM 2002 (D.01B) read into plain values.
//!
//! Read from a message: BGM (order number and function), DTM in the heading (document date,
//! requested delivery), FTX, NAD (BY, SU, DP or ST, IV) with their GLN or other code, CUX, and per
//! line LIN, PIA, QTY+21 and PRI+AAA. Everything else — RFF, CTA, TAX, line-level DTM, IMD,
//! segments of later directories — is skipped, as is all after UNS. Codes are compared exactly:
//! a qualifier in lower case is not the qualifier.
//!
//! All errors are collected, so that one APERAK tells the partner everything at once.

use chrono::NaiveDate;
use edifact::{Message, SegmentView};
use serde::{Deserialize, Serialize};

use super::errors::ApplicationError;
use super::values::{free_text, of_type, parse_date, parse_whole_quantity, party_id, read_items, split_decimal, text};

/// A party's identification from NAD C082: 3039 and its agency 3055 (9 GS1, 91 assigned by
/// the supplier, 92 by the buyer, ZZ mutually agreed); agency "" when absent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartyId {
    pub id: String,
    pub agency: String,
}

/// An identification of the ordered item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemId {
    /// GTIN (item type EN, SRV or UP), check digit verified.
    Gtin(String),
    /// The buyer's article number (IN, BP).
    Buyer(String),
    /// The supplier's article number (SA, VP).
    Supplier(String),
}

/// One order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdersLine {
    /// LIN 1082; the line's position in the message when the partner leaves it empty.
    pub line_number: String,
    /// From LIN and PIA (4347 = 1 or 5), in the order they appear.
    pub items: Vec<ItemId>,
    /// QTY+21, a positive whole number.
    pub quantity: i64,
    /// QTY 6411, such as PCE.
    pub unit: Option<String>,
    /// PRI+AAA as decimal text with '.' as decimal mark.
    pub buyer_net_price: Option<String>,
    /// 1-based number of the LIN segment in the interchange.
    pub segment: usize,
}

/// An order as the partner sent it; nothing here is checked against our catalog or parties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Orders {
    /// Message reference number, UNH 0062.
    pub reference: String,
    pub message_type: String,
    pub version: String,
    pub release: String,
    /// BGM 1004.
    pub order_number: String,
    /// BGM 1225: "9" original (also when absent), "5" replace, "1" cancellation…
    pub function: String,
    /// DTM+137.
    pub document_date: Option<NaiveDate>,
    /// DTM+2, else DTM+64, else DTM+69, from the heading.
    pub requested_delivery_on: Option<NaiveDate>,
    pub buyer: Option<PartyId>,
    pub supplier: Option<PartyId>,
    /// NAD+DP, or NAD+ST when there is no DP.
    pub delivery_party: Option<PartyId>,
    pub invoicee: Option<PartyId>,
    /// CUX 6345 of the first CUX.
    pub currency: Option<String>,
    /// The heading's FTX texts, one line each.
    pub free_text: Option<String>,
    pub lines: Vec<OrdersLine>,
}

/// Reads an ORDERS message, or every application error found in it.
pub fn read_orders(message: &Message) -> Result<Orders, Vec<ApplicationError>> {
    let header = &message.header;
    of_type(message, "ORDERS")?;
    let mut reading = Reading {
        orders: Orders {
            reference: header.reference.clone(),
            message_type: header.message_type.clone(),
            version: header.version.clone(),
            release: header.release.clone(),
            order_number: String::new(),
            function: String::new(),
            document_date: None,
            requested_delivery_on: None,
            buyer: None,
            supplier: None,
            delivery_party: None,
            invoicee: None,
            currency: None,
            free_text: None,
            // Room for every line at once rather than again at each doubling.
            lines: Vec::with_capacity(message.segments().filter(|segment| segment.tag() == "LIN").count()),
        },
        errors: Vec::new(),
        delivery_priority: usize::MAX,
        bgm_seen: false,
        line: None,
        lines_seen: 0,
        free_text: String::new(),
    };
    for segment in message.segments() {
        if !reading.read(&segment) {
            break;
        }
    }
    reading.finish()
}

/// Requested delivery qualifiers, most wanted first.
const DELIVERY_QUALIFIERS: [&str; 3] = ["2", "64", "69"];

struct Reading<'a> {
    orders: Orders,
    errors: Vec<ApplicationError>,
    /// Index in [`DELIVERY_QUALIFIERS`] of the requested delivery date taken so far.
    delivery_priority: usize,
    bgm_seen: bool,
    line: Option<LineDraft<'a>>,
    lines_seen: usize,
    /// The heading's FTX texts so far, one line each.
    free_text: String,
}

/// A line being read: its quantity is known only once QTY+21 has been seen.
struct LineDraft<'a> {
    line_number: String,
    items: Vec<ItemId>,
    quantity: Option<i64>,
    /// QTY+21 was there but unusable; already reported.
    quantity_reported: bool,
    unit: Option<String>,
    buyer_net_price: Option<String>,
    segment: SegmentView<'a>,
}

impl<'a> Reading<'a> {
    /// Reads one segment; false once the summary section (UNS) is reached.
    fn read(&mut self, segment: &SegmentView<'a>) -> bool {
        match segment.tag() {
            "UNS" => {
                self.end_line();
                return false;
            }
            "LIN" => {
                self.end_line();
                self.begin_line(segment);
            }
            tag => match &mut self.line {
                Some(line) => match tag {
                    "PIA" => self.errors.extend(read_items(segment, &mut line.items)),
                    "QTY" => line.read_qty(segment, &mut self.errors),
                    "PRI" => line.read_pri(segment, &mut self.errors),
                    _ => {}
                },
                None => self.read_heading(segment),
            },
        }
        true
    }

    fn read_heading(&mut self, segment: &SegmentView<'_>) {
        match segment.tag() {
            "BGM" if !self.bgm_seen => {
                self.bgm_seen = true;
                self.orders.order_number = text(segment, 2, 1).unwrap_or_default().to_owned();
                self.orders.function = text(segment, 3, 1).unwrap_or("9").to_owned();
                if self.orders.order_number.is_empty() {
                    self.errors
                        .push(ApplicationError::missing("order number (BGM 1004)").at(segment));
                }
            }
            "DTM" => self.read_date(segment),
            "NAD" => self.read_party(segment),
            "CUX" if self.orders.currency.is_none() => {
                self.orders.currency = text(segment, 1, 2).map(str::to_owned);
            }
            "FTX" => {
                if let Some(text) = free_text(segment) {
                    if !self.free_text.is_empty() {
                        self.free_text.push('\n');
                    }
                    self.free_text.push_str(&text);
                }
            }
            _ => {}
        }
    }

    fn read_date(&mut self, segment: &SegmentView<'_>) {
        let Some(qualifier) = text(segment, 1, 1) else { return };
        let delivery_priority = DELIVERY_QUALIFIERS.iter().position(|wanted| *wanted == qualifier);
        if qualifier != "137" && delivery_priority.is_none() {
            return;
        }
        let date = match parse_date(segment) {
            Ok(date) => date,
            Err(error) => {
                self.errors.push(error);
                return;
            }
        };
        match delivery_priority {
            None => self.orders.document_date = Some(date),
            Some(priority) => {
                if priority < self.delivery_priority {
                    self.delivery_priority = priority;
                    self.orders.requested_delivery_on = Some(date);
                }
            }
        }
    }

    fn read_party(&mut self, segment: &SegmentView<'_>) {
        let Some(qualifier) = text(segment, 1, 1) else { return };
        let id = party_id(segment);
        let slot = match qualifier {
            "BY" => &mut self.orders.buyer,
            "SU" => &mut self.orders.supplier,
            "DP" => &mut self.orders.delivery_party,
            // ST (ship to) only when there is no DP.
            "ST" if self.orders.delivery_party.is_none() => &mut self.orders.delivery_party,
            "IV" => &mut self.orders.invoicee,
            _ => return,
        };
        match id {
            Some(id) => *slot = Some(id),
            None if matches!(qualifier, "BY" | "SU") => self.errors.push(
                ApplicationError::missing(format!("party identification (C082 3039) of NAD+{qualifier}")).at(segment),
            ),
            None => {}
        }
    }

    fn begin_line(&mut self, segment: &SegmentView<'a>) {
        self.lines_seen += 1;
        let mut line = LineDraft {
            line_number: text(segment, 1, 1)
                .map(str::to_owned)
                .unwrap_or_else(|| self.lines_seen.to_string()),
            // Most lines name their item once in LIN and once in PIA.
            items: Vec::with_capacity(2),
            quantity: None,
            quantity_reported: false,
            unit: None,
            buyer_net_price: None,
            segment: *segment,
        };
        let errors = read_items(segment, &mut line.items);
        self.errors.extend(errors);
        self.line = Some(line);
    }

    fn end_line(&mut self) {
        let Some(line) = self.line.take() else { return };
        if line.items.is_empty() {
            self.errors.push(
                ApplicationError::missing(format!(
                    "item identification of line {} (LIN C212 or PIA)",
                    line.line_number
                ))
                .at(&line.segment),
            );
        }
        match line.quantity {
            Some(quantity) => self.orders.lines.push(OrdersLine {
                line_number: line.line_number,
                items: line.items,
                quantity,
                unit: line.unit,
                buyer_net_price: line.buyer_net_price,
                segment: line.segment.number,
            }),
            None if line.quantity_reported => {}
            None => self.errors.push(
                ApplicationError::missing(format!("ordered quantity (QTY+21) of line {}", line.line_number))
                    .at(&line.segment),
            ),
        }
    }

    fn finish(mut self) -> Result<Orders, Vec<ApplicationError>> {
        self.end_line();
        if !self.bgm_seen {
            self.errors
                .insert(0, ApplicationError::missing("order number (BGM)").at_tag("BGM"));
        }
        if self.lines_seen == 0 {
            self.errors.push(ApplicationError::missing("order lines").at_tag("LIN"));
        }
        if !self.free_text.is_empty() {
            self.orders.free_text = Some(self.free_text);
        }
        if self.errors.is_empty() {
            Ok(self.orders)
        } else {
            Err(self.errors)
        }
    }
}

impl LineDraft<'_> {
    fn read_qty(&mut self, segment: &SegmentView<'_>, errors: &mut Vec<ApplicationError>) {
        if text(segment, 1, 1) != Some("21") || self.quantity.is_some() || self.quantity_reported {
            return;
        }
        let value = text(segment, 1, 2).unwrap_or_default();
        match parse_whole_quantity(value) {
            Ok(quantity) => {
                self.quantity = Some(quantity);
                self.unit = text(segment, 1, 3).map(str::to_owned);
            }
            Err(detail) => {
                self.quantity_reported = true;
                errors.push(
                    ApplicationError::invalid(format!("ordered quantity of line {}: {detail}", self.line_number))
                        .at(segment),
                );
            }
        }
    }

    fn read_pri(&mut self, segment: &SegmentView<'_>, errors: &mut Vec<ApplicationError>) {
        if text(segment, 1, 1) != Some("AAA") || self.buyer_net_price.is_some() {
            return;
        }
        let Some(value) = text(segment, 1, 2) else {
            return;
        };
        match normalise_decimal(value) {
            Some(price) => self.buyer_net_price = Some(price),
            None => errors.push(
                ApplicationError::invalid(format!(
                    "net price {value:?} of line {} is not a decimal number",
                    self.line_number
                ))
                .at(segment),
            ),
        }
    }
}

/// A non-negative decimal with '.' as decimal mark ("1250,50" → "1250.50", ".5" → "0.5"), or
/// `None` if the text is not one.
fn normalise_decimal(value: &str) -> Option<String> {
    let (whole, fraction) = split_decimal(value);
    let digits = |text: &str| text.bytes().all(|byte| byte.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    let whole = if whole.is_empty() { "0" } else { whole };
    let mut decimal = String::with_capacity(whole.len() + 1 + fraction.len());
    decimal.push_str(whole);
    if !fraction.is_empty() {
        decimal.push('.');
        decimal.push_str(fraction);
    }
    Some(decimal)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::errors::ApplicationErrorCode;
    use crate::domain::fixtures::{
        interchange, only_message, BRAKE_PADS_GTIN, DEALER_GLN, INVOICEE_GLN, MANUFACTURER_GLN, OIL_FILTER_GTIN,
        WAREHOUSE_GLN,
    };

    const ORDERS_D96A: &str = "ORDERS:D:96A:UN:EAN008";

    fn gln_party(id: &str) -> Option<PartyId> {
        Some(PartyId {
            id: id.to_owned(),
            agency: "9".to_owned(),
        })
    }

    fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, month, day)
    }

    /// A dealer in Yekaterinburg orders brake pads by GTIN and oil filters by its own article
    /// number only, in UNOC with Latin text.
    fn dealer_order_unoc() -> Vec<u8> {
        interchange(
            "UNOC:3",
            ORDERS_D96A,
            &[
                "BGM+220+ZK-2024-0117+9",
                "DTM+137:20240115:102",
                "DTM+2:202401201000:203",
                "FTX+ZZZ+++Dostavka do 12?:00, vorota 3",
                "RFF+CT:DOG-77",
                &format!("NAD+BY+{DEALER_GLN}::9"),
                &format!("NAD+SU+{MANUFACTURER_GLN}::9"),
                &format!("NAD+DP+{WAREHOUSE_GLN}::9"),
                &format!("NAD+IV+{INVOICEE_GLN}::9"),
                "CUX+2:RUB:9",
                &format!("LIN+1++{BRAKE_PADS_GTIN}:EN"),
                "IMD+F++:::Kolodki tormoznye",
                "QTY+21:12.000:PCE",
                "PRI+AAA:1250,50",
                "LIN+2",
                "PIA+5+FLT-0042:IN",
                "QTY+21:4",
                "PRI+AAA:830.00:CA",
                "UNS+S",
                "CNT+2:2",
            ],
        )
    }

    #[test]
    fn a_dealer_order_in_unoc_is_read_whole() {
        let orders = read_orders(&only_message(&dealer_order_unoc())).unwrap();
        assert_eq!(orders.reference, "1");
        assert_eq!(
            (
                orders.message_type.as_str(),
                orders.version.as_str(),
                orders.release.as_str()
            ),
            ("ORDERS", "D", "96A")
        );
        assert_eq!(orders.order_number, "ZK-2024-0117");
        assert_eq!(orders.function, "9");
        assert_eq!(orders.document_date, date(2024, 1, 15));
        assert_eq!(orders.requested_delivery_on, date(2024, 1, 20));
        assert_eq!(orders.buyer, gln_party(DEALER_GLN));
        assert_eq!(orders.supplier, gln_party(MANUFACTURER_GLN));
        assert_eq!(orders.delivery_party, gln_party(WAREHOUSE_GLN));
        assert_eq!(orders.invoicee, gln_party(INVOICEE_GLN));
        assert_eq!(orders.currency.as_deref(), Some("RUB"));
        assert_eq!(orders.free_text.as_deref(), Some("Dostavka do 12:00, vorota 3"));
        assert_eq!(
            orders.lines,
            vec![
                OrdersLine {
                    line_number: "1".into(),
                    items: vec![ItemId::Gtin(BRAKE_PADS_GTIN.into())],
                    quantity: 12,
                    unit: Some("PCE".into()),
                    buyer_net_price: Some("1250.50".into()),
                    // UNB 1, UNH 2, BGM 3 … LIN is the 13th segment.
                    segment: 13,
                },
                OrdersLine {
                    line_number: "2".into(),
                    items: vec![ItemId::Buyer("FLT-0042".into())],
                    quantity: 4,
                    unit: None,
                    buyer_net_price: Some("830.00".into()),
                    segment: 17,
                },
            ]
        );
    }

    #[test]
    fn a_dealer_order_in_unoy_keeps_cyrillic_free_text() {
        let bytes = interchange(
            "UNOY:4",
            "ORDERS:D:01B:UN:EAN010",
            &[
                "BGM+220+ЗК-118+9",
                "DTM+137:202401151030:203",
                "FTX+ZZZ+++Доставка до 12?:00, ворота 3:Звонить заранее",
                "FTX+DEL+++Без поддонов",
                &format!("NAD+BY+{DEALER_GLN}::9"),
                "NAD+ST+ABC-7::92",
                &format!("LIN+1++{OIL_FILTER_GTIN}:SRV"),
                &format!("PIA+1+FLT-0042:IN*{BRAKE_PADS_GTIN}:SRV+F42:SA"),
                "QTY+21:2:PCE",
                "UNS+S",
            ],
        );
        let orders = read_orders(&only_message(&bytes)).unwrap();
        assert_eq!(orders.order_number, "ЗК-118");
        assert_eq!(orders.release, "01B");
        assert_eq!(orders.document_date, date(2024, 1, 15));
        assert_eq!(orders.requested_delivery_on, None);
        assert_eq!(
            orders.free_text.as_deref(),
            Some("Доставка до 12:00, ворота 3Звонить заранее\nБез поддонов")
        );
        assert_eq!(
            orders.delivery_party,
            Some(PartyId {
                id: "ABC-7".into(),
                agency: "92".into()
            })
        );
        assert_eq!((orders.supplier, orders.currency), (None, None));
        assert_eq!(
            orders.lines[0].items,
            vec![
                ItemId::Gtin(OIL_FILTER_GTIN.into()),
                ItemId::Buyer("FLT-0042".into()),
                ItemId::Gtin(BRAKE_PADS_GTIN.into()),
                ItemId::Supplier("F42".into()),
            ]
        );
    }

    #[test]
    fn requested_delivery_prefers_dtm_2_then_64_then_69() {
        let read = |dates: &[&str]| {
            let mut body = vec!["BGM+220+1+9".to_owned()];
            body.extend(dates.iter().map(|date| (*date).to_owned()));
            body.push(format!("LIN+1++{BRAKE_PADS_GTIN}:EN"));
            body.push("QTY+21:1".to_owned());
            let body: Vec<&str> = body.iter().map(String::as_str).collect();
            read_orders(&only_message(&interchange("UNOC:3", ORDERS_D96A, &body)))
                .unwrap()
                .requested_delivery_on
        };
        assert_eq!(read(&["DTM+69:20240301:102", "DTM+64:20240201:102"]), date(2024, 2, 1));
        assert_eq!(read(&["DTM+64:20240201:102", "DTM+2:240105:101"]), date(2024, 1, 5));
        assert_eq!(read(&["DTM+69:20240301093000:204"]), date(2024, 3, 1));
        assert_eq!(
            read(&["DTM+2:20240303"]),
            date(2024, 3, 3),
            "no format code: 102 by its length"
        );
    }

    #[test]
    fn dates_are_read_in_each_format_and_must_exist() {
        let read = |date: &str| {
            let body = ["BGM+220+1+9", date, &format!("LIN+1++{BRAKE_PADS_GTIN}:EN"), "QTY+21:1"];
            read_orders(&only_message(&interchange("UNOC:3", ORDERS_D96A, &body))).map(|orders| orders.document_date)
        };
        assert_eq!(read("DTM+137:240229:101"), Ok(date(2024, 2, 29)));
        assert_eq!(read("DTM+137:00010101:102"), Ok(date(1, 1, 1)));
        assert_eq!(read("DTM+137:209912312359:203"), Ok(date(2099, 12, 31)));
        for impossible in [
            "DTM+137:20230229:102",
            "DTM+137:20241301:102",
            "DTM+137:20240100:102",
            "DTM+137:250230:101",
        ] {
            let errors = read(impossible).unwrap_err();
            assert!(
                errors[0].detail.ends_with("is not a calendar date"),
                "{impossible}: {errors:?}"
            );
        }
    }

    #[test]
    fn a_message_with_three_errors_reports_all_three_with_segment_numbers() {
        let bytes = interchange(
            "UNOC:3",
            ORDERS_D96A,
            &[
                "BGM+220+ZK-9+9",                        // 3
                "DTM+137:20240115:999",                  // 4: unknown format
                &format!("LIN+1++{BRAKE_PADS_GTIN}:EN"), // 5
                "QTY+21:1.5:PCE",                        // 6: not whole
                "LIN+2",                                 // 7: no item id
                "QTY+21:3",                              // 8
            ],
        );
        let errors = read_orders(&only_message(&bytes)).unwrap_err();
        let found: Vec<(ApplicationErrorCode, Option<usize>, Option<&str>)> = errors
            .iter()
            .map(|error| (error.code, error.segment, error.tag.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (ApplicationErrorCode::InvalidValue, Some(4), Some("DTM")),
                (ApplicationErrorCode::InvalidValue, Some(6), Some("QTY")),
                (ApplicationErrorCode::MissingData, Some(7), Some("LIN")),
            ]
        );
        assert_eq!(errors[0].detail, "unknown date format 999 in DTM+137");
        assert_eq!(
            errors[1].to_string(),
            "segment 6 (QTY): ordered quantity of line 1: 1.5 is not a whole number"
        );
    }

    #[test]
    fn a_message_without_bgm_or_lines_says_so() {
        let bytes = interchange("UNOC:3", ORDERS_D96A, &["DTM+137:20240115:102"]);
        let errors = read_orders(&only_message(&bytes)).unwrap_err();
        let found: Vec<(ApplicationErrorCode, Option<&str>)> =
            errors.iter().map(|error| (error.code, error.tag.as_deref())).collect();
        assert_eq!(
            found,
            vec![
                (ApplicationErrorCode::MissingData, Some("BGM")),
                (ApplicationErrorCode::MissingData, Some("LIN")),
            ]
        );
    }

    #[test]
    fn a_line_needs_an_ordered_quantity() {
        let bytes = interchange(
            "UNOC:3",
            ORDERS_D96A,
            &[
                "BGM+220+ZK-9+9",
                &format!("LIN+1++{BRAKE_PADS_GTIN}:EN"),
                "QTY+59:10:PCE",
            ],
        );
        let errors = read_orders(&only_message(&bytes)).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, ApplicationErrorCode::MissingData);
        assert_eq!((errors[0].segment, errors[0].tag.as_deref()), (Some(4), Some("LIN")));
    }

    #[test]
    fn qualifiers_are_exact_codes() {
        let bytes = interchange(
            "UNOC:3",
            ORDERS_D96A,
            &[
                "BGM+220+ZK-9+9",
                "NAD+by+4609876000006::9",
                &format!("LIN+1++{BRAKE_PADS_GTIN}:en"),
                "QTY+21:1",
            ],
        );
        let errors = read_orders(&only_message(&bytes)).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].tag.as_deref(), Some("LIN"), "lower-case en is no item type");
    }

    #[test]
    fn a_gtin_with_a_wrong_check_digit_is_an_invalid_value() {
        let bytes = interchange(
            "UNOC:3",
            ORDERS_D96A,
            &["BGM+220+ZK-9+9", "LIN+1++4607001543214:EN", "QTY+21:1"],
        );
        let errors = read_orders(&only_message(&bytes)).unwrap_err();
        assert_eq!(errors[0].code, ApplicationErrorCode::InvalidValue);
        assert_eq!(errors[0].segment, Some(4));
    }

    #[test]
    fn other_message_types_are_refused() {
        let bytes = interchange("UNOC:3", "ORDRSP:D:96A:UN:EAN005", &["BGM+231+1+9"]);
        let errors = read_orders(&only_message(&bytes)).unwrap_err();
        assert_eq!(errors[0].detail, "message type ORDRSP is not ORDERS");
    }

    #[test]
    fn quantities_must_be_positive_whole_numbers() {
        assert_eq!(parse_whole_quantity("12"), Ok(12));
        assert_eq!(parse_whole_quantity("12.000"), Ok(12));
        assert_eq!(parse_whole_quantity("12,0"), Ok(12));
        for refused in [
            "1.5",
            "0",
            "0.000",
            "-3",
            "",
            "abc",
            ".5",
            "1.2.3",
            "99999999999999999999",
        ] {
            assert!(parse_whole_quantity(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn prices_are_normalised_to_a_decimal_point() {
        assert_eq!(normalise_decimal("1250,50").as_deref(), Some("1250.50"));
        assert_eq!(normalise_decimal("830").as_deref(), Some("830"));
        assert_eq!(normalise_decimal(".5").as_deref(), Some("0.5"));
        assert_eq!(normalise_decimal("12.").as_deref(), Some("12"));
        for refused in ["", ".", "-1", "1,2.3", "1e3"] {
            assert_eq!(normalise_decimal(refused), None, "{refused}");
        }
    }

    #[test]
    fn gtins_are_checked_by_length_and_check_digit() {
        let is_gtin = |number: &str| {
            let bytes = interchange("UNOC:3", ORDERS_D96A, &[&format!("LIN+1++{number}:EN")]);
            let message = only_message(&bytes);
            read_items(&message.segment(0).unwrap(), &mut Vec::new()).is_empty()
        };
        assert!(is_gtin(BRAKE_PADS_GTIN));
        assert!(is_gtin("96385074"), "GTIN-8");
        assert!(is_gtin("036000291452"), "UPC-A");
        assert!(!is_gtin("4607001543214"));
        assert!(!is_gtin("460700154321"));
        assert!(!is_gtin("46070015432A3"));
    }
}

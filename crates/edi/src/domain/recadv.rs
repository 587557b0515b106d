//! RECADV, the receiving advice: what a dealer took in against our despatch advice, read from
//! EANCOM 97 (D.96A) and EANCOM 2002 (D.01B).
//!
//! Read from a message:
//!
//! ```text
//! BGM+632+RA-1+9'                     the document number (BGM 1004), required
//! DTM+50:20240118:102'                goods receipt date (137 and others are skipped)
//! RFF+AAK:DN-2024-0042'               our despatch advice (delivery note) number
//! RFF+ON:ZK-2024-0117'                the order number
//! FTX+AAI+++…'                        a note, every heading FTX one line
//! CPS+2+1' PAC…' GIN+BJ+<SSCC>'       the package the following lines were received in
//! LIN+1++4607001543213:EN'            EN, SRV or UP: GTIN; PIA+1/5 with IN, BP, SA, VP too
//! QTY+12:10'                          despatched
//! QTY+48:9'                           received: required
//! QTY+194:8'                          received and accepted
//! QTY+195:1'  QTY+196:…'              received, not accepted (to be returned, destroyed): summed
//! QVR+-1:48+AF'                       a discrepancy and its reason (below)
//! ```
//!
//! Quantities are whole numbers, zero allowed. Lines are read up to UNS; RFF after the first
//! CPS or LIN (line references) is skipped; a GIN+BJ after a LIN belongs to that line only.
//!
//! # Discrepancy reasons
//!
//! QVR 4221 (discrepancy nature, UN/EDIFACT code list) or, when it says nothing we know,
//! C960 4295 (change reason), become one of our reasons:
//!
//! | code                                              | reason          |
//! |---------------------------------------------------|-----------------|
//! | AF goods delivered damaged                        | `damaged`       |
//! | BP, CP shipment partial                           | `short`         |
//! | AC over-shipped, AE delivered but not advised     | `surplus`       |
//! | CS shipment complete with substitution, IS item substituted | `wrong_product` |
//!
//! EANCOM has no code for expired goods; as for APERAK codes, partners agree one: the reason
//! words themselves in either element (`EXPIRED`, `damaged`, `WRONG_PRODUCT`…, any case) are
//! taken as they are. Any other code leaves the reason to the sign of the QVR quantity
//! difference: negative `short`, positive `surplus`, else none.

use chrono::NaiveDate;
use edifact::{Message, SegmentView};

use super::errors::ApplicationError;
use super::orders::ItemId;
use super::values::{free_text, of_type, parse_count, parse_date, read_items, text};

/// One line received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceivedLine {
    /// LIN 1082; the line's position in the message when the partner leaves it empty.
    pub line_number: String,
    /// From LIN and PIA (4347 = 1 or 5), in the order they appear.
    pub items: Vec<ItemId>,
    /// GIN+BJ of the package (CPS group) or of the line.
    pub sscc: Option<String>,
    /// QTY+12.
    pub despatched: Option<i64>,
    /// QTY+48.
    pub received: i64,
    /// QTY+194.
    pub accepted: Option<i64>,
    /// QTY+195 and QTY+196 together.
    pub rejected: Option<i64>,
    /// "damaged", "wrong_product", "short", "surplus" or "expired", from QVR.
    pub reason: Option<String>,
    /// 1-based number of the LIN segment in the interchange.
    pub segment: usize,
}

/// A receiving advice as the partner sent it; nothing here is checked against our despatches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceivingAdvice {
    /// BGM 1004.
    pub document_number: String,
    /// RFF+AAK: our despatch advice number.
    pub despatch_number: Option<String>,
    /// RFF+ON.
    pub order_number: Option<String>,
    /// DTM+50.
    pub received_on: Option<NaiveDate>,
    /// The heading's FTX texts, one line each.
    pub note: Option<String>,
    pub lines: Vec<ReceivedLine>,
}

/// Our reasons for a discrepancy.
pub const REASONS: [&str; 5] = ["damaged", "wrong_product", "short", "surplus", "expired"];

/// UN/EDIFACT discrepancy codes (4221) we know, and our reason for each.
const DISCREPANCY_CODES: [(&str, &str); 7] = [
    ("AF", "damaged"),
    ("BP", "short"),
    ("CP", "short"),
    ("AC", "surplus"),
    ("AE", "surplus"),
    ("CS", "wrong_product"),
    ("IS", "wrong_product"),
];

/// Reads a RECADV message, or every application error found in it.
pub fn read_recadv(message: &Message) -> Result<ReceivingAdvice, Vec<ApplicationError>> {
    of_type(message, "RECADV")?;
    let mut reading = Reading::default();
    for segment in message.segments() {
        if segment.tag() == "UNS" {
            break;
        }
        reading.read(&segment);
    }
    reading.finish()
}

#[derive(Default)]
struct Reading<'a> {
    advice: ReceivingAdvice,
    errors: Vec<ApplicationError>,
    bgm_seen: bool,
    /// A CPS or LIN was seen: the heading is over.
    in_detail: bool,
    /// GIN+BJ of the current package, for the lines that follow it.
    package_sscc: Option<String>,
    line: Option<LineDraft<'a>>,
    lines_seen: usize,
    notes: Vec<String>,
}

/// A line being read: it is complete once its received quantity is known.
struct LineDraft<'a> {
    line: ReceivedLine,
    received: Option<i64>,
    /// QTY+48 was there but unusable; already reported.
    received_reported: bool,
    /// The reason taken from a QVR sign, replaced by a coded one.
    reason_from_sign: bool,
    segment: SegmentView<'a>,
}

impl<'a> Reading<'a> {
    fn read(&mut self, segment: &SegmentView<'a>) {
        match segment.tag() {
            "CPS" => {
                self.end_line();
                self.in_detail = true;
                self.package_sscc = None;
            }
            "LIN" => {
                self.end_line();
                self.in_detail = true;
                self.begin_line(segment);
            }
            "GIN" if text(segment, 1, 1) == Some("BJ") => {
                let sscc = text(segment, 2, 1).map(str::to_owned);
                match &mut self.line {
                    Some(line) => {
                        if line.line.sscc.is_none() {
                            line.line.sscc = sscc;
                        }
                    }
                    None => self.package_sscc = sscc,
                }
            }
            tag => {
                if let Some(line) = &mut self.line {
                    match tag {
                        "PIA" => self.errors.extend(line.read_pia(segment)),
                        "QTY" => self.errors.extend(line.read_qty(segment)),
                        "QVR" => self.errors.extend(line.read_qvr(segment)),
                        _ => {}
                    }
                } else if !self.in_detail {
                    self.read_heading(segment);
                }
            }
        }
    }

    fn read_heading(&mut self, segment: &SegmentView<'_>) {
        match segment.tag() {
            "BGM" if !self.bgm_seen => {
                self.bgm_seen = true;
                self.advice.document_number = text(segment, 2, 1).unwrap_or_default().to_owned();
                if self.advice.document_number.is_empty() {
                    self.errors
                        .push(ApplicationError::missing("receiving advice number (BGM 1004)").at(segment));
                }
            }
            "DTM" if text(segment, 1, 1) == Some("50") => match parse_date(segment) {
                Ok(date) => self.advice.received_on = Some(date),
                Err(error) => self.errors.push(error),
            },
            "RFF" => {
                let value = text(segment, 1, 2).map(str::to_owned);
                match text(segment, 1, 1) {
                    Some("AAK") if self.advice.despatch_number.is_none() => self.advice.despatch_number = value,
                    Some("ON") if self.advice.order_number.is_none() => self.advice.order_number = value,
                    _ => {}
                }
            }
            "FTX" => self.notes.extend(free_text(segment)),
            _ => {}
        }
    }

    fn begin_line(&mut self, segment: &SegmentView<'a>) {
        self.lines_seen += 1;
        let mut line = ReceivedLine {
            line_number: text(segment, 1, 1)
                .map(str::to_owned)
                .unwrap_or_else(|| self.lines_seen.to_string()),
            sscc: self.package_sscc.clone(),
            segment: segment.number,
            ..ReceivedLine::default()
        };
        let errors = read_items(segment, &mut line.items);
        self.errors.extend(errors);
        self.line = Some(LineDraft {
            line,
            received: None,
            received_reported: false,
            reason_from_sign: false,
            segment: *segment,
        });
    }

    fn end_line(&mut self) {
        let Some(draft) = self.line.take() else { return };
        let number = &draft.line.line_number;
        if draft.line.items.is_empty() {
            self.errors.push(
                ApplicationError::missing(format!("item identification of line {number} (LIN C212 or PIA)"))
                    .at(&draft.segment),
            );
        }
        match draft.received {
            Some(received) => self.advice.lines.push(ReceivedLine { received, ..draft.line }),
            None if draft.received_reported => {}
            None => self.errors.push(
                ApplicationError::missing(format!("received quantity (QTY+48) of line {number}")).at(&draft.segment),
            ),
        }
    }

    fn finish(mut self) -> Result<ReceivingAdvice, Vec<ApplicationError>> {
        self.end_line();
        if !self.bgm_seen {
            self.errors.insert(
                0,
                ApplicationError::missing("receiving advice number (BGM)").at_tag("BGM"),
            );
        }
        if self.lines_seen == 0 {
            self.errors
                .push(ApplicationError::missing("received lines").at_tag("LIN"));
        }
        if !self.notes.is_empty() {
            self.advice.note = Some(self.notes.join("\n"));
        }
        if self.errors.is_empty() {
            Ok(self.advice)
        } else {
            Err(self.errors)
        }
    }
}

impl LineDraft<'_> {
    fn read_pia(&mut self, segment: &SegmentView<'_>) -> Vec<ApplicationError> {
        read_items(segment, &mut self.line.items)
    }

    fn read_qty(&mut self, segment: &SegmentView<'_>) -> Vec<ApplicationError> {
        let qualifier = text(segment, 1, 1).unwrap_or_default();
        let name = match qualifier {
            "12" => "despatched",
            "48" => "received",
            "194" => "accepted",
            "195" | "196" => "rejected",
            _ => return Vec::new(),
        };
        let value = text(segment, 1, 2).unwrap_or_default();
        let quantity = match parse_count(value) {
            Ok(quantity) => quantity,
            Err(detail) => {
                if qualifier == "48" {
                    self.received_reported = true;
                }
                return vec![ApplicationError::invalid(format!(
                    "{name} quantity (QTY+{qualifier}) of line {}: {detail}",
                    self.line.line_number
                ))
                .at(segment)];
            }
        };
        match qualifier {
            "12" => self.line.despatched = Some(quantity),
            "48" => self.received = Some(quantity),
            "194" => self.line.accepted = Some(quantity),
            _ => self.line.rejected = Some(self.line.rejected.unwrap_or(0).saturating_add(quantity)),
        }
        Vec::new()
    }

    fn read_qvr(&mut self, segment: &SegmentView<'_>) -> Vec<ApplicationError> {
        let coded = [text(segment, 2, 1), text(segment, 3, 1)]
            .into_iter()
            .flatten()
            .find_map(reason_of_code);
        if let Some(reason) = coded {
            if self.line.reason.is_none() || self.reason_from_sign {
                self.line.reason = Some(reason.to_owned());
                self.reason_from_sign = false;
            }
            return Vec::new();
        }
        let Some(value) = text(segment, 1, 1) else {
            return Vec::new();
        };
        // Only the sign matters here, so the quantity is read as text, never as a float.
        let magnitude = value.trim().trim_start_matches(['-', '+']);
        let mut decimal_marks = 0;
        let is_number = !magnitude.is_empty()
            && magnitude.chars().all(|c| {
                if c == '.' || c == ',' {
                    decimal_marks += 1;
                }
                c.is_ascii_digit() || c == '.' || c == ','
            })
            && decimal_marks <= 1
            && magnitude.chars().any(|c| c.is_ascii_digit());
        if !is_number {
            return vec![ApplicationError::invalid(format!(
                "quantity difference {value:?} (QVR) of line {} is not a number",
                self.line.line_number
            ))
            .at(segment)];
        }
        let non_zero = magnitude.chars().any(|c| c.is_ascii_digit() && c != '0');
        if self.line.reason.is_none() {
            let by_sign = match (non_zero, value.trim().starts_with('-')) {
                (false, _) => None,
                (true, true) => Some("short"),
                (true, false) => Some("surplus"),
            };
            self.line.reason = by_sign.map(str::to_owned);
            self.reason_from_sign = by_sign.is_some();
        }
        Vec::new()
    }
}

/// Our reason for a discrepancy code: a UN/EDIFACT 4221 code we know, or a reason word.
pub(super) fn reason_of_code(code: &str) -> Option<&'static str> {
    DISCREPANCY_CODES
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, reason)| *reason)
        .or_else(|| REASONS.iter().copied().find(|reason| reason.eq_ignore_ascii_case(code)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::errors::ApplicationErrorCode;
    use crate::domain::fixtures::{interchange, only_message, BRAKE_PADS_GTIN, OIL_FILTER_GTIN};

    const RECADV_D96A: &str = "RECADV:D:96A:UN:EAN003";
    const SSCC_1: &str = "346070010000000014";
    const SSCC_2: &str = "346070010000000021";

    fn read(body: &[&str]) -> Result<ReceivingAdvice, Vec<ApplicationError>> {
        read_recadv(&only_message(&interchange("UNOC:3", RECADV_D96A, body)))
    }

    #[test]
    fn a_receiving_advice_with_two_pallets_is_read_whole() {
        let advice = read(&[
            "BGM+632+RA-2024-0009+9",                // 3
            "DTM+137:202401181200:203",              // 4
            "DTM+50:20240118:102",                   // 5
            "RFF+AAK:DN-2024-0042",                  // 6
            "RFF+ON:ZK-2024-0117",                   // 7
            "FTX+AAI+++Pallet 2 wrapped badly",      // 8
            "CPS+1",                                 // 9
            "CPS+2+1",                               // 10
            "PAC+1++201",                            // 11
            &format!("GIN+BJ+{SSCC_1}"),             // 12
            &format!("LIN+1++{BRAKE_PADS_GTIN}:EN"), // 13
            "QTY+12:10",                             // 14
            "QTY+48:10",                             // 15
            "QTY+194:10",                            // 16
            "RFF+ON:ZK-2024-0117:1",                 // 17: line reference, skipped
            "CPS+3+1",                               // 18
            &format!("GIN+BJ+{SSCC_2}"),             // 19
            "LIN+2",                                 // 20
            &format!("PIA+5+{OIL_FILTER_GTIN}:SRV+FLT-0042:SA"),
            "QTY+12:3.000:PCE",
            "QTY+48:3",
            "QTY+194:1",
            "QTY+195:1",
            "QTY+196:1",
            "QVR+-2:194+AF",
            "UNS+S",
            "CNT+2:2",
        ])
        .unwrap();
        assert_eq!(advice.document_number, "RA-2024-0009");
        assert_eq!(advice.despatch_number.as_deref(), Some("DN-2024-0042"));
        assert_eq!(advice.order_number.as_deref(), Some("ZK-2024-0117"));
        assert_eq!(advice.received_on, NaiveDate::from_ymd_opt(2024, 1, 18));
        assert_eq!(advice.note.as_deref(), Some("Pallet 2 wrapped badly"));
        assert_eq!(
            advice.lines,
            vec![
                ReceivedLine {
                    line_number: "1".into(),
                    items: vec![ItemId::Gtin(BRAKE_PADS_GTIN.into())],
                    sscc: Some(SSCC_1.into()),
                    despatched: Some(10),
                    received: 10,
                    accepted: Some(10),
                    rejected: None,
                    reason: None,
                    segment: 13,
                },
                ReceivedLine {
                    line_number: "2".into(),
                    items: vec![
                        ItemId::Gtin(OIL_FILTER_GTIN.into()),
                        ItemId::Supplier("FLT-0042".into())
                    ],
                    sscc: Some(SSCC_2.into()),
                    despatched: Some(3),
                    received: 3,
                    accepted: Some(1),
                    rejected: Some(2),
                    reason: Some("damaged".into()),
                    segment: 20,
                },
            ]
        );
    }

    #[test]
    fn discrepancy_reasons_follow_codes_words_then_the_sign() {
        let reason = |qvr: &str| {
            let lin = format!("LIN+1++{BRAKE_PADS_GTIN}:EN");
            read(&["BGM+632+RA-1+9", &lin, "QTY+48:1", qvr]).unwrap().lines[0]
                .reason
                .clone()
        };
        assert_eq!(reason("QVR+-1:48+CP").as_deref(), Some("short"));
        assert_eq!(reason("QVR+-1:48+BP").as_deref(), Some("short"));
        assert_eq!(reason("QVR+2:48+AC").as_deref(), Some("surplus"));
        assert_eq!(reason("QVR+1:48+IS").as_deref(), Some("wrong_product"));
        assert_eq!(reason("QVR+-1:48++EXPIRED").as_deref(), Some("expired"));
        assert_eq!(
            reason("QVR+-1:48+ZZZ").as_deref(),
            Some("short"),
            "unknown code: by sign"
        );
        assert_eq!(reason("QVR+3:48").as_deref(), Some("surplus"));
        assert_eq!(reason("QVR+0:48"), None);
        assert_eq!(reason("QTY+194:1"), None);
    }

    #[test]
    fn a_gin_after_lin_belongs_to_that_line_only() {
        let advice = read(&[
            "BGM+632+RA-1+9",
            &format!("LIN+1++{BRAKE_PADS_GTIN}:EN"),
            "QTY+48:1",
            &format!("GIN+BJ+{SSCC_1}"),
            &format!("LIN+2++{OIL_FILTER_GTIN}:EN"),
            "QTY+48:0",
        ])
        .unwrap();
        assert_eq!(advice.lines[0].sscc.as_deref(), Some(SSCC_1));
        assert_eq!(advice.lines[1].sscc, None);
        assert_eq!(advice.lines[1].received, 0, "nothing received is a quantity too");
    }

    #[test]
    fn every_error_is_reported_with_its_segment() {
        let errors = read(&[
            "DTM+50:20240231:102",                   // 3: no such day
            &format!("LIN+1++{BRAKE_PADS_GTIN}:EN"), // 4
            "QTY+12:10",                             // 5: no QTY+48 in this line
            "LIN+2++4607001543214:EN",               // 6: bad check digit
            "QTY+48:1.5",                            // 7: not whole
            "LIN+3",                                 // 8: no item
            "QTY+48:2",                              // 9
            "QVR+x:48",                              // 10
        ])
        .unwrap_err();
        let found: Vec<(ApplicationErrorCode, Option<usize>, Option<&str>)> = errors
            .iter()
            .map(|error| (error.code, error.segment, error.tag.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (ApplicationErrorCode::MissingData, None, Some("BGM")),
                (ApplicationErrorCode::InvalidValue, Some(3), Some("DTM")),
                (ApplicationErrorCode::MissingData, Some(4), Some("LIN")),
                (ApplicationErrorCode::InvalidValue, Some(6), Some("LIN")),
                (ApplicationErrorCode::InvalidValue, Some(7), Some("QTY")),
                (ApplicationErrorCode::MissingData, Some(6), Some("LIN")),
                (ApplicationErrorCode::InvalidValue, Some(10), Some("QVR")),
                (ApplicationErrorCode::MissingData, Some(8), Some("LIN")),
            ]
        );
        assert_eq!(
            errors[2].to_string(),
            "segment 4 (LIN): received quantity (QTY+48) of line 1"
        );
        assert_eq!(
            errors[4].to_string(),
            "segment 7 (QTY): received quantity (QTY+48) of line 2: 1.5 is not a whole number"
        );
    }

    #[test]
    fn a_message_without_lines_or_of_another_type_is_refused() {
        let errors = read(&["BGM+632++9"]).unwrap_err();
        let tags: Vec<(ApplicationErrorCode, Option<&str>)> =
            errors.iter().map(|error| (error.code, error.tag.as_deref())).collect();
        assert_eq!(
            tags,
            vec![
                (ApplicationErrorCode::MissingData, Some("BGM")),
                (ApplicationErrorCode::MissingData, Some("LIN")),
            ]
        );
        let other = read_recadv(&only_message(&interchange(
            "UNOC:3",
            "DESADV:D:96A:UN:EAN005",
            &["BGM+351+1+9"],
        )))
        .unwrap_err();
        assert_eq!(other[0].detail, "message type DESADV is not RECADV");
    }

    #[test]
    fn counts_are_whole_numbers_of_zero_or_more() {
        assert_eq!(parse_count("0"), Ok(0));
        assert_eq!(parse_count("12,000"), Ok(12));
        for refused in ["-1", "1.5", "", "x", ".5"] {
            assert!(parse_count(refused).is_err(), "{refused}");
        }
    }
}

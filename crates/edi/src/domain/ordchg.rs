//! ORDCHG, the order change of EANCOM 97 (D.96A) and EANCOM 2002 (D.01B): a dealer cancels one
//! of its orders, or changes the quantities and requested delivery dates of its lines. It
//! becomes what the dealer would do on the order page: a cancellation, or a change request for
//! the order desk to decide.
//!
//! ```text
//! BGM+230+CH-0145-1+4'            the change's own number; function 1 cancels the order, 4 (also
//!                                 5, 9 or none) changes it
//! DTM+137:20261125:102'
//! DTM+2:20261205:102'             a new requested delivery date for every line
//! RFF+ON:VK-EDI-0145'             the dealer's order number; without it, BGM's number is taken
//!                                 for the order's, as some partners send it
//! NAD+BY+4601234500012::9'        as in ORDERS
//! FTX+AAI+++Less room this week'  why, for the order desk
//! LIN+1+3+4601234500029:SRV'      action 3 changed; 2 deleted (quantity 0); 4 no action;
//!                                 1 added cannot be asked for by a change
//! PIA+5+VK-ART-17:IN'             further item numbers, as in ORDERS
//! QTY+21:120'                     the new quantity
//! DTM+2:20261210:102'             a new requested delivery date for this line
//! ```
//!
//! All errors are collected, so that one APERAK tells the partner everything at once.

use chrono::NaiveDate;
use edifact::{Message, SegmentView};

use super::errors::{ApplicationError, ApplicationErrorCode};
use super::orders::{ItemId, PartyId};
use super::values::{free_text, of_type, parse_count, parse_date, party_id, read_items, text};

/// One line to change, as the partner sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedLine {
    /// LIN 1082; the line's position in the message when the partner leaves it empty.
    pub line_number: String,
    /// From LIN and PIA (4347 = 1 or 5), in the order they appear.
    pub items: Vec<ItemId>,
    /// QTY+21; zero for a deleted line.
    pub quantity: Option<i64>,
    /// The line's own DTM+2.
    pub delivery_on: Option<NaiveDate>,
    /// 1-based number of the LIN segment in the interchange.
    pub segment: usize,
}

/// An order change as the partner sent it; nothing here is checked against our orders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderChange {
    /// BGM 1004: the change's own number.
    pub document_number: String,
    /// RFF+ON, else BGM 1004.
    pub order_number: String,
    /// BGM 1225 = 1: the whole order is cancelled, and its lines are not read.
    pub cancellation: bool,
    /// The heading's DTM+2: the new requested delivery date of every line.
    pub requested_delivery_on: Option<NaiveDate>,
    pub buyer: Option<PartyId>,
    pub supplier: Option<PartyId>,
    /// The heading's FTX texts, one line each.
    pub note: Option<String>,
    pub lines: Vec<ChangedLine>,
}

/// Reads an ORDCHG message, or every application error found in it.
pub fn read_ordchg(message: &Message) -> Result<OrderChange, Vec<ApplicationError>> {
    of_type(message, "ORDCHG")?;
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
    change: OrderChange,
    errors: Vec<ApplicationError>,
    bgm_seen: bool,
    ordered_as: Option<String>,
    notes: Vec<String>,
    /// Each line with its LIN segment and action code, as read so far.
    lines: Vec<(ChangedLine, SegmentView<'a>, String)>,
}

impl<'a> Reading<'a> {
    fn read(&mut self, segment: &SegmentView<'a>) {
        if segment.tag() == "LIN" {
            let mut line = ChangedLine {
                line_number: text(segment, 1, 1)
                    .map(str::to_owned)
                    .unwrap_or_else(|| (self.lines.len() + 1).to_string()),
                segment: segment.number,
                ..ChangedLine::default()
            };
            self.errors.extend(read_items(segment, &mut line.items));
            let action = text(segment, 2, 1).unwrap_or("3").to_owned();
            self.lines.push((line, *segment, action));
            return;
        }
        match self.lines.last_mut() {
            Some((line, _, _)) => match segment.tag() {
                "PIA" => self.errors.extend(read_items(segment, &mut line.items)),
                "QTY" if text(segment, 1, 1) == Some("21") => {
                    match parse_count(text(segment, 1, 2).unwrap_or_default()) {
                        Ok(quantity) => line.quantity = Some(quantity),
                        Err(detail) => self.errors.push(
                            ApplicationError::invalid(format!("new quantity of line {}: {detail}", line.line_number))
                                .at(segment),
                        ),
                    }
                }
                "DTM" if text(segment, 1, 1) == Some("2") => match parse_date(segment) {
                    Ok(date) => line.delivery_on = Some(date),
                    Err(error) => self.errors.push(error),
                },
                _ => {}
            },
            None => self.read_heading(segment),
        }
    }

    fn read_heading(&mut self, segment: &SegmentView<'_>) {
        match segment.tag() {
            "BGM" if !self.bgm_seen => {
                self.bgm_seen = true;
                self.change.document_number = text(segment, 2, 1).unwrap_or_default().to_owned();
                match text(segment, 3, 1).unwrap_or("4") {
                    "1" => self.change.cancellation = true,
                    "4" | "5" | "9" => {}
                    other => self.errors.push(
                        ApplicationError::new(
                            ApplicationErrorCode::NotAccepted,
                            format!("message function {other} is not accepted: 1 cancels the order, 4 changes it"),
                        )
                        .at(segment),
                    ),
                }
            }
            "DTM" if text(segment, 1, 1) == Some("2") => match parse_date(segment) {
                Ok(date) => self.change.requested_delivery_on = Some(date),
                Err(error) => self.errors.push(error),
            },
            "RFF" if text(segment, 1, 1) == Some("ON") => {
                self.ordered_as = text(segment, 1, 2).map(str::to_owned);
            }
            "NAD" => match text(segment, 1, 1) {
                Some("BY") => self.change.buyer = party_id(segment),
                Some("SU") => self.change.supplier = party_id(segment),
                _ => {}
            },
            "FTX" => self.notes.extend(free_text(segment)),
            _ => {}
        }
    }

    fn finish(mut self) -> Result<OrderChange, Vec<ApplicationError>> {
        if !self.bgm_seen {
            self.errors
                .insert(0, ApplicationError::missing("order change number (BGM)").at_tag("BGM"));
        }
        self.change.order_number = self
            .ordered_as
            .take()
            .unwrap_or_else(|| self.change.document_number.clone());
        if self.change.order_number.is_empty() {
            self.errors
                .push(ApplicationError::missing("the number of the order to change (RFF+ON)").at_tag("RFF"));
        }
        if !self.notes.is_empty() {
            self.change.note = Some(self.notes.join("\n"));
        }
        if !self.change.cancellation {
            self.finish_lines();
        }
        if self.errors.is_empty() {
            Ok(self.change)
        } else {
            Err(self.errors)
        }
    }

    fn finish_lines(&mut self) {
        let every_line_dated = self.change.requested_delivery_on.is_some();
        let errors_before = self.errors.len();
        for (mut line, segment, action) in std::mem::take(&mut self.lines) {
            let refuse = |code, detail: String| Some(ApplicationError::new(code, detail).at(&segment));
            let problem = match action.as_str() {
                "4" => continue,
                "1" => refuse(
                    ApplicationErrorCode::NotAccepted,
                    format!(
                        "line {}: a line cannot be added by a change; send a new ORDERS for it",
                        line.line_number
                    ),
                ),
                "2" => {
                    line.quantity = Some(0);
                    None
                }
                "3" if line.quantity.is_none() && line.delivery_on.is_none() && !every_line_dated => refuse(
                    ApplicationErrorCode::MissingData,
                    format!(
                        "new quantity (QTY+21) or delivery date (DTM+2) of line {}",
                        line.line_number
                    ),
                ),
                "3" => None,
                other => refuse(
                    ApplicationErrorCode::InvalidValue,
                    format!(
                        "line {}: action {other} is none of 2 deleted, 3 changed, 4 no action",
                        line.line_number
                    ),
                ),
            };
            if line.items.is_empty() {
                self.errors.push(
                    ApplicationError::missing(format!(
                        "item identification of line {} (LIN C212 or PIA)",
                        line.line_number
                    ))
                    .at(&segment),
                );
            }
            match problem {
                Some(problem) => self.errors.push(problem),
                None => self.change.lines.push(line),
            }
        }
        let lines_refused = self.errors.len() > errors_before;
        if self.change.lines.is_empty() && !every_line_dated && !lines_refused {
            self.errors.push(
                ApplicationError::missing("what to change: lines (LIN) or a new delivery date (DTM+2)").at_tag("LIN"),
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{interchange, only_message, BRAKE_PADS_GTIN, DEALER_GLN, OIL_FILTER_GTIN};

    fn read(unh: &str, body: &[&str]) -> Result<OrderChange, Vec<ApplicationError>> {
        read_ordchg(&only_message(&interchange("UNOC:3", unh, body)))
    }

    fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, month, day)
    }

    #[test]
    fn a_change_names_the_order_and_each_lines_new_quantity_and_date() {
        let change = read(
            "ORDCHG:D:96A:UN:EAN008",
            &[
                "BGM+230+CH-0117-1+4",
                "DTM+137:20240116:102",
                "RFF+ON:ZK-2024-0117",
                &format!("NAD+BY+{DEALER_GLN}::9"),
                "FTX+AAI+++Less room this week",
                &format!("LIN+1+3+{BRAKE_PADS_GTIN}:EN"),
                "QTY+21:8",
                "LIN+2+2",
                "PIA+5+FLT-0042:IN",
                &format!("LIN+3+3+{OIL_FILTER_GTIN}:SRV"),
                "DTM+2:20240125:102",
                "UNS+S",
            ],
        )
        .unwrap();
        assert_eq!(change.document_number, "CH-0117-1");
        assert_eq!(change.order_number, "ZK-2024-0117");
        assert!(!change.cancellation);
        assert_eq!(change.note.as_deref(), Some("Less room this week"));
        assert_eq!(change.buyer.unwrap().id, DEALER_GLN);
        let lines: Vec<(&str, Option<i64>, Option<NaiveDate>)> = change
            .lines
            .iter()
            .map(|l| (l.line_number.as_str(), l.quantity, l.delivery_on))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("1", Some(8), None),
                ("2", Some(0), None),
                ("3", None, date(2024, 1, 25))
            ],
            "a deleted line is one of quantity 0"
        );
        assert_eq!(change.lines[1].items, vec![ItemId::Buyer("FLT-0042".into())]);
    }

    #[test]
    fn a_cancellation_may_name_the_order_by_its_bgm_number_alone() {
        let change = read("ORDCHG:D:01B:UN:EAN010", &["BGM+230+ZK-2024-0117+1"]).unwrap();
        assert!(change.cancellation);
        assert_eq!(change.order_number, "ZK-2024-0117");
    }

    #[test]
    fn a_new_date_in_the_heading_is_a_change_of_every_line() {
        let change = read(
            "ORDCHG:D:96A:UN:EAN008",
            &["BGM+230+CH-1+4", "DTM+2:20240201:102", "RFF+ON:ZK-1"],
        )
        .unwrap();
        assert_eq!(change.requested_delivery_on, date(2024, 2, 1));
        assert!(change.lines.is_empty());
    }

    #[test]
    fn an_added_line_a_line_changing_nothing_and_an_unknown_function_are_all_reported() {
        let errors = read(
            "ORDCHG:D:96A:UN:EAN008",
            &[
                "BGM+230+CH-1+31",                        // 3
                "RFF+ON:ZK-1",                            // 4
                &format!("LIN+1+1+{BRAKE_PADS_GTIN}:EN"), // 5
                "QTY+21:4",                               // 6
                &format!("LIN+2+3+{OIL_FILTER_GTIN}:EN"), // 7
                "LIN+3+4+FLT-0042:IN",                    // 8: no action, not read
                "LIN+4+3",                                // 9: no item
                "QTY+21:2",                               // 10
            ],
        )
        .unwrap_err();
        let found: Vec<(ApplicationErrorCode, Option<usize>)> = errors.iter().map(|e| (e.code, e.segment)).collect();
        assert_eq!(
            found,
            vec![
                (ApplicationErrorCode::NotAccepted, Some(3)),
                (ApplicationErrorCode::NotAccepted, Some(5)),
                (ApplicationErrorCode::MissingData, Some(7)),
                (ApplicationErrorCode::MissingData, Some(9)),
            ],
            "{errors:?}"
        );
        assert!(
            errors[1].detail.contains("line 1: a line cannot be added"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_change_with_nothing_to_change_or_no_order_number_says_so() {
        let errors = read("ORDCHG:D:96A:UN:EAN008", &["BGM+230++4"]).unwrap_err();
        let tags: Vec<Option<&str>> = errors.iter().map(|e| e.tag.as_deref()).collect();
        assert_eq!(tags, vec![Some("RFF"), Some("LIN")], "{errors:?}");
        let errors = read("ORDERS:D:96A:UN:EAN008", &["BGM+220+1+9"]).unwrap_err();
        assert_eq!(errors[0].detail, "message type ORDERS is not ORDCHG");
    }
}

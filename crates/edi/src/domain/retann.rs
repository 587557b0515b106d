//! RETANN, the return announcement: a dealer tells which goods of a delivery it wants to send
//! back, and why. It becomes a return request, as if asked for on the order page.
//!
//! ```text
//! BGM+Y04+RET-2611-03+9'          return announcement and its number
//! DTM+137:20261124:102'
//! RFF+AAK:DN-2026-0007'           the delivery the goods came with
//! FTX+AAI+++Two cases crushed'    a note
//! LIN+1++4607001000013:SRV'
//! QTY+61:12'                      the quantity to return (QTY+21 is accepted too)
//! QVR++AF'                        why: a discrepancy code or one of our reason words
//! ```

use edifact::{Message, SegmentView};

use super::errors::ApplicationError;
use super::orders::ItemId;
use super::recadv::reason_of_code;
use super::values::{free_text, parse_whole_quantity, read_items, text};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnedLine {
    pub line_number: String,
    pub items: Vec<ItemId>,
    pub quantity: i64,
    /// One of the return reasons, `other` when the message gives none we know.
    pub reason: String,
    /// The LIN's number in the interchange, for errors.
    pub segment: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnAnnouncement {
    pub document_number: String,
    /// RFF+AAK: the delivery note of the shipment the goods came with.
    pub despatch_number: Option<String>,
    pub note: Option<String>,
    pub lines: Vec<ReturnedLine>,
}

/// Reads a RETANN, naming every problem with its segment.
pub fn read_retann(message: &Message) -> Result<ReturnAnnouncement, Vec<ApplicationError>> {
    let mut announcement = ReturnAnnouncement::default();
    let mut errors = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut quantity_seen = Vec::new();
    for segment in message.segments() {
        let segment = &segment;
        match segment.tag() {
            "BGM" => announcement.document_number = text(segment, 2, 1).unwrap_or_default().to_owned(),
            "RFF" if text(segment, 1, 1) == Some("AAK") => {
                announcement.despatch_number = text(segment, 1, 2).map(str::to_owned);
            }
            "FTX" if announcement.lines.is_empty() => notes.extend(free_text(segment)),
            "LIN" => {
                let mut line = ReturnedLine {
                    line_number: text(segment, 1, 1)
                        .map(str::to_owned)
                        .unwrap_or_else(|| (announcement.lines.len() + 1).to_string()),
                    reason: "other".to_owned(),
                    segment: segment.number,
                    ..ReturnedLine::default()
                };
                errors.extend(read_items(segment, &mut line.items));
                announcement.lines.push(line);
                quantity_seen.push(false);
            }
            "PIA" | "QTY" | "QVR" => {
                let (Some(line), Some(seen)) = (announcement.lines.last_mut(), quantity_seen.last_mut()) else {
                    continue;
                };
                errors.extend(read_line_segment(segment, line, seen));
            }
            _ => {}
        }
    }
    if announcement.document_number.is_empty() {
        errors.insert(
            0,
            ApplicationError::missing("return announcement number (BGM)").at_tag("BGM"),
        );
    }
    if announcement.lines.is_empty() {
        errors.push(ApplicationError::missing("returned lines").at_tag("LIN"));
    }
    for (line, seen) in announcement.lines.iter().zip(&quantity_seen) {
        if !seen {
            let mut error =
                ApplicationError::missing(format!("quantity to return (QTY+61) of line {}", line.line_number));
            error.segment = Some(line.segment);
            error.tag = Some("LIN".to_owned());
            errors.push(error);
        }
    }
    if !notes.is_empty() {
        announcement.note = Some(notes.join("\n"));
    }
    if errors.is_empty() {
        Ok(announcement)
    } else {
        Err(errors)
    }
}

fn read_line_segment(segment: &SegmentView<'_>, line: &mut ReturnedLine, seen: &mut bool) -> Vec<ApplicationError> {
    match segment.tag() {
        "PIA" => read_items(segment, &mut line.items),
        "QTY" if matches!(text(segment, 1, 1), Some("61" | "21")) => {
            match parse_whole_quantity(text(segment, 1, 2).unwrap_or_default()) {
                Ok(quantity) => {
                    line.quantity = quantity;
                    *seen = true;
                    Vec::new()
                }
                Err(detail) => vec![ApplicationError::invalid(detail).at(segment)],
            }
        }
        "QVR" => {
            if let Some(reason) = [text(segment, 2, 1), text(segment, 3, 1)]
                .into_iter()
                .flatten()
                .find_map(reason_of_code)
            {
                // Returns know no "short"; goods that arrived short are not sent back.
                line.reason = if reason == "short" { "other" } else { reason }.to_owned();
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{interchange, only_message, BRAKE_PADS_GTIN, OIL_FILTER_GTIN};

    fn read(body: &[&str]) -> Result<ReturnAnnouncement, Vec<ApplicationError>> {
        read_retann(&only_message(&interchange("UNOC:3", "RETANN:D:01B:UN:EAN003", body)))
    }

    #[test]
    fn a_return_announcement_names_the_delivery_the_lines_and_why() {
        let announcement = read(&[
            "BGM+Y04+RET-0003+9",
            "DTM+137:20261124:102",
            "RFF+AAK:DN-2026-0007",
            "FTX+AAI+++Two cases crushed",
            &format!("LIN+1++{BRAKE_PADS_GTIN}:SRV"),
            "QTY+61:12",
            "QVR++AF",
            &format!("LIN+2++{OIL_FILTER_GTIN}:SRV"),
            "QTY+61:6",
        ])
        .unwrap();
        assert_eq!(announcement.document_number, "RET-0003");
        assert_eq!(announcement.despatch_number.as_deref(), Some("DN-2026-0007"));
        assert_eq!(announcement.note.as_deref(), Some("Two cases crushed"));
        assert_eq!(announcement.lines.len(), 2);
        assert_eq!(announcement.lines[0].quantity, 12);
        assert_eq!(announcement.lines[0].reason, "damaged");
        assert_eq!(announcement.lines[1].reason, "other");
        assert_eq!(
            announcement.lines[1].items,
            vec![ItemId::Gtin(OIL_FILTER_GTIN.to_owned())]
        );
    }

    #[test]
    fn a_line_without_a_quantity_and_a_missing_number_are_both_reported() {
        let errors = read(&[&format!("LIN+1++{BRAKE_PADS_GTIN}:SRV"), "QTY+61:1.5"]).unwrap_err();
        let details: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 3, "{details:?}");
        assert_eq!(errors[0].tag.as_deref(), Some("BGM"));
        assert!(details[1].contains("QTY"), "{details:?}");
        assert!(details[2].contains("quantity to return"), "{details:?}");
    }
}

//! INVRPT and SLSRPT: a dealer's stock on hand and its sales to its own customers, as its ERP
//! reports them, read into plain lines for the channel-inventory work.
//!
//! ```text
//! BGM+35+INV-2611-30+9'            (SLSRPT: BGM+73E)
//! DTM+137:20261130:102'            the day the report speaks of (DTM+366, +90 or +91 taken too)
//! NAD+BY+4601234500019::9'         the reporting dealer
//! LOC+162+4601234509901::9'        where the stock is or the sales were, until the next LOC
//! LIN+1++4607001000013:SRV'
//! QTY+145:240'                     INVRPT: stock on hand (QTY+1 taken too)
//! QTY+153:36'                      SLSRPT: quantity sold
//! ```

use chrono::NaiveDate;
use edifact::Message;

use super::errors::ApplicationError;
use super::orders::ItemId;
use super::values::{parse_count, parse_date, read_items, text};

/// Which report: stock on hand (INVRPT) or sales (SLSRPT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Stock,
    Sales,
}

impl ReportKind {
    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Stock => "stock",
            ReportKind::Sales => "sales",
        }
    }

    fn quantity_qualifiers(self) -> &'static [&'static str] {
        match self {
            ReportKind::Stock => &["145", "1"],
            ReportKind::Sales => &["153"],
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportLine {
    pub items: Vec<ItemId>,
    /// The location (LOC+162 or the like) the line falls under, as the partner names it.
    pub location: Option<String>,
    pub quantity: i64,
    pub segment: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelReport {
    pub kind: ReportKind,
    pub document_number: String,
    /// The day the report speaks of.
    pub reported_on: Option<NaiveDate>,
    pub lines: Vec<ReportLine>,
}

/// Reads an INVRPT or a SLSRPT, naming every problem with its segment.
pub fn read_channel_report(message: &Message) -> Result<ChannelReport, Vec<ApplicationError>> {
    let kind = match message.header.message_type.as_str() {
        "INVRPT" => ReportKind::Stock,
        "SLSRPT" => ReportKind::Sales,
        other => {
            return Err(vec![ApplicationError::invalid(format!(
                "{other} is not a stock or sales report"
            ))])
        }
    };
    let mut report = ChannelReport {
        kind,
        document_number: String::new(),
        reported_on: None,
        lines: Vec::new(),
    };
    let mut errors = Vec::new();
    let mut location: Option<String> = None;
    let mut quantity_seen: Vec<bool> = Vec::new();
    for segment in message.segments() {
        let segment = &segment;
        match segment.tag() {
            "BGM" => report.document_number = text(segment, 2, 1).unwrap_or_default().to_owned(),
            "DTM" if matches!(text(segment, 1, 1), Some("137" | "366" | "90" | "91")) => match parse_date(segment) {
                // The day the figures are for wins over the day the message was written.
                Ok(date) if report.reported_on.is_none() || text(segment, 1, 1) != Some("137") => {
                    report.reported_on = Some(date);
                }
                Ok(_) => {}
                Err(error) => errors.push(error),
            },
            "LOC" => location = text(segment, 2, 1).map(str::to_owned),
            "LIN" => {
                let mut line = ReportLine {
                    location: location.clone(),
                    segment: segment.number,
                    ..ReportLine::default()
                };
                errors.extend(read_items(segment, &mut line.items));
                report.lines.push(line);
                quantity_seen.push(false);
            }
            "PIA" => {
                if let Some(line) = report.lines.last_mut() {
                    errors.extend(read_items(segment, &mut line.items));
                }
            }
            "QTY" if text(segment, 1, 1).is_some_and(|q| kind.quantity_qualifiers().contains(&q)) => {
                let (Some(line), Some(seen)) = (report.lines.last_mut(), quantity_seen.last_mut()) else {
                    continue;
                };
                match parse_count(text(segment, 1, 2).unwrap_or_default()) {
                    Ok(quantity) => {
                        line.quantity = quantity;
                        *seen = true;
                    }
                    Err(detail) => errors.push(ApplicationError::invalid(detail).at(segment)),
                }
            }
            _ => {}
        }
    }
    if report.document_number.is_empty() {
        errors.insert(0, ApplicationError::missing("report number (BGM)").at_tag("BGM"));
    }
    for (line, seen) in report.lines.iter().zip(&quantity_seen) {
        if !seen {
            let mut error = ApplicationError::missing(format!(
                "the quantity (QTY+{}) of a line",
                kind.quantity_qualifiers().first().copied().unwrap_or_default()
            ));
            error.segment = Some(line.segment);
            error.tag = Some("LIN".to_owned());
            errors.push(error);
        }
    }
    if errors.is_empty() {
        Ok(report)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{interchange, only_message, BRAKE_PADS_GTIN, OIL_FILTER_GTIN};

    #[test]
    fn a_stock_report_gives_each_product_at_each_location() {
        let message = only_message(&interchange(
            "UNOC:3",
            "INVRPT:D:96A:UN:EAN008",
            &[
                "BGM+35+INV-30+9",
                "DTM+137:20261201:102",
                "DTM+366:20261130:102",
                "LOC+162+WH-1::92",
                &format!("LIN+1++{BRAKE_PADS_GTIN}:SRV"),
                "QTY+145:240",
                "LOC+162+WH-2::92",
                &format!("LIN+2++{OIL_FILTER_GTIN}:SRV"),
                "QTY+145:0",
            ],
        ));
        let report = read_channel_report(&message).unwrap();
        assert_eq!(report.kind, ReportKind::Stock);
        assert_eq!(report.reported_on, NaiveDate::from_ymd_opt(2026, 11, 30));
        let lines: Vec<(Option<&str>, i64)> = report
            .lines
            .iter()
            .map(|l| (l.location.as_deref(), l.quantity))
            .collect();
        assert_eq!(lines, vec![(Some("WH-1"), 240), (Some("WH-2"), 0)]);
    }

    #[test]
    fn a_sales_report_needs_the_quantity_sold_on_every_line() {
        let message = only_message(&interchange(
            "UNOC:3",
            "SLSRPT:D:96A:UN:EAN004",
            &[
                "BGM+73E+SLS-30+9",
                &format!("LIN+1++{BRAKE_PADS_GTIN}:SRV"),
                "QTY+153:36",
                &format!("LIN+2++{OIL_FILTER_GTIN}:SRV"),
                "QTY+145:12",
            ],
        ));
        let errors = read_channel_report(&message).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("QTY+153"), "{}", errors[0]);
    }
}

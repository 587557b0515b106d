//! ORDRSP, the order response: our answer to an ORDERS, for EANCOM 97 (D.96A) and EANCOM 2002
//! (D.01B).
//!
//! ```text
//! UNH+1+ORDRSP:D:96A:UN:EAN005'       ORDRSP:D:01B:UN:EAN007 in EANCOM 2002
//! BGM+231+OR-1+29'                    1225: 29 accepted, 4 changed, 27 not accepted
//! DTM+137:202401160905:203'
//! DTM+2:20240120:102'                 the delivery date we confirm, when given
//! FTX+AAO+++Reason…'                  the reason, when given
//! RFF+ON:ZK-2024-0117'                the order answered
//! NAD+BY+<buyer GLN>::9'
//! NAD+SU+<supplier GLN>::9'
//! NAD+DP+<delivery GLN>::9'           when given
//! CUX+2:RUB:9'
//! LIN+1+5+4607001543213:EN'           1229: 5 accepted, 3 changed, 7 not accepted; SRV in 2002
//! PIA+1+BP-7:SA'                      our article number
//! QTY+21:12'                          ordered
//! QTY+113:10'                         confirmed: "quantity to be delivered"
//! DTM+2:20240122:102'                 only when the line's date differs from the heading's
//! FTX+AAO+++Reason…'                  the line's reason, when given
//! PRI+AAA:41.50'
//! UNS+S'
//! CNT+2:1'                            number of LIN
//! ```
//!
//! The line action (1229) follows from each line, whatever the heading says: nothing confirmed
//! is 7, all of it on the heading's date is 5, anything else is 3. A rejected response
//! ([`ResponseKind::Rejected`], BGM 27) rejects the whole order: the lines given are written,
//! each with action 7 (an empty list writes the heading and summary only, with CNT+2:0).

use chrono::{Datelike, NaiveDate};
use edifact::{InterchangeWriter, SyntaxError};

use super::envelope::{free_text, push_digits, Directory, Outbound, GS1_AGENCY};

/// What the response says of the order as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// Accepted without amendment: BGM 1225 = 29.
    Accepted,
    /// Accepted with amendment (quantities, dates or prices): BGM 1225 = 4.
    Changed,
    /// Not accepted: BGM 1225 = 27.
    Rejected,
}

impl ResponseKind {
    /// The message function code (1225) of BGM.
    pub fn function_code(self) -> &'static str {
        match self {
            ResponseKind::Accepted => "29",
            ResponseKind::Changed => "4",
            ResponseKind::Rejected => "27",
        }
    }
}

/// One line of the response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseLine {
    /// LIN 1082.
    pub line_number: u32,
    pub gtin: String,
    /// Our article number (PIA+1 …:SA); not written when empty.
    pub sku: String,
    /// QTY+21.
    pub ordered: i64,
    /// QTY+113.
    pub confirmed: i64,
    /// DTM+2 of the line, written only when it differs from the heading's.
    pub delivery_on: Option<NaiveDate>,
    /// PRI+AAA, decimal text with '.' such as "41.50"; not written when empty.
    pub net_price: String,
    /// FTX+AAO of the line.
    pub reason: Option<String>,
}

/// An order response to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderResponse {
    /// Our number for this response (BGM 1004).
    pub document_number: String,
    /// The buyer's order number (RFF+ON).
    pub order_number: String,
    pub kind: ResponseKind,
    pub buyer_gln: String,
    pub supplier_gln: String,
    pub delivery_gln: Option<String>,
    /// DTM+2 of the heading: the delivery date we confirm.
    pub delivery_on: Option<NaiveDate>,
    /// FTX+AAO of the heading.
    pub reason: Option<String>,
    /// CUX+2 (currency qualifier 9, order currency); not written when empty.
    pub currency: String,
    pub lines: Vec<ResponseLine>,
}

/// Writes a complete interchange holding one ORDRSP, in the outbound directory.
pub fn write_ordrsp(outbound: &Outbound, response: &OrderResponse) -> Result<Vec<u8>, SyntaxError> {
    let mut writer = outbound.open_interchange()?;
    writer.begin_message(&outbound.directory.message_header("1", "ORDRSP"))?;
    writer.segment(
        "BGM",
        &[&["231"], &[&response.document_number], &[response.kind.function_code()]],
    )?;
    writer.segment("DTM", &[&["137", &outbound.prepared_at_203(), "203"]])?;
    if let Some(date) = response.delivery_on {
        writer.segment("DTM", &[&["2", &date_102(date), "102"]])?;
    }
    if let Some(reason) = &response.reason {
        writer.write_segment(&free_text("AAO", &outbound.fit_text(reason)))?;
    }
    writer.segment("RFF", &[&["ON", &response.order_number]])?;
    party(&mut writer, "BY", &response.buyer_gln)?;
    party(&mut writer, "SU", &response.supplier_gln)?;
    if let Some(gln) = &response.delivery_gln {
        party(&mut writer, "DP", gln)?;
    }
    if !response.currency.is_empty() {
        writer.segment("CUX", &[&["2", &response.currency, "9"]])?;
    }
    let item_type = gtin_item_type(outbound.directory);
    for line in &response.lines {
        let number = line.line_number.to_string();
        let action = line_action(response, line);
        writer.segment("LIN", &[&[&number], &[action], &[&line.gtin, item_type]])?;
        if !line.sku.is_empty() {
            writer.segment("PIA", &[&["1"], &[&line.sku, "SA"]])?;
        }
        writer.segment("QTY", &[&["21", &line.ordered.to_string()]])?;
        writer.segment("QTY", &[&["113", &line.confirmed.to_string()]])?;
        if let Some(date) = line.delivery_on.filter(|date| Some(*date) != response.delivery_on) {
            writer.segment("DTM", &[&["2", &date_102(date), "102"]])?;
        }
        if let Some(reason) = &line.reason {
            writer.write_segment(&free_text("AAO", &outbound.fit_text(reason)))?;
        }
        if !line.net_price.is_empty() {
            writer.segment("PRI", &[&["AAA", &line.net_price]])?;
        }
    }
    writer.segment("UNS", &[&["S"]])?;
    writer.segment("CNT", &[&["2", &response.lines.len().to_string()]])?;
    writer.end_message()?;
    writer.finish()
}

/// The action request (1229) of a line: 7 not accepted, 5 accepted without amendment, 3 changed.
fn line_action(response: &OrderResponse, line: &ResponseLine) -> &'static str {
    let same_date = line.delivery_on.is_none() || line.delivery_on == response.delivery_on;
    if response.kind == ResponseKind::Rejected || line.confirmed <= 0 {
        "7"
    } else if line.confirmed == line.ordered && same_date {
        "5"
    } else {
        "3"
    }
}

/// The item type (7143) of a GTIN in LIN: EN (EAN article number) in EANCOM 97, SRV (GS1 GTIN)
/// in EANCOM 2002.
pub(super) fn gtin_item_type(directory: Directory) -> &'static str {
    match directory {
        Directory::D96A => "EN",
        Directory::D01B => "SRV",
    }
}

/// NAD with a GLN (agency 9).
pub(super) fn party<W: std::io::Write>(
    writer: &mut InterchangeWriter<W>,
    qualifier: &str,
    gln: &str,
) -> Result<(), SyntaxError> {
    writer.segment("NAD", &[&[qualifier], &[gln, "", GS1_AGENCY]])
}

/// A date as DTM text in format 102 (CCYYMMDD).
pub(super) fn date_102(date: NaiveDate) -> String {
    let mut text = String::with_capacity(8);
    push_date_102(&mut text, date);
    text
}

/// Appends a date as DTM text in format 102 (CCYYMMDD) to `text`.
pub(super) fn push_date_102(text: &mut String, date: NaiveDate) {
    match u64::try_from(date.year()) {
        Ok(year) if year <= 9999 => {
            let (month, day) = (u64::from(date.month()), u64::from(date.day()));
            push_digits(text, year * 10_000 + month * 100 + day, 8);
        }
        // Outside 0 to 9999, with the sign that chrono's `%Y` gives such years.
        _ => text.push_str(&date.format("%Y%m%d").to_string()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{
        outbound, seg, tags_and_values, BRAKE_PADS_GTIN, DEALER_GLN, MANUFACTURER_GLN, OIL_FILTER_GTIN, WAREHOUSE_GLN,
    };

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn response(kind: ResponseKind) -> OrderResponse {
        OrderResponse {
            document_number: "OR-2024-0117".into(),
            order_number: "ZK-2024-0117".into(),
            kind,
            buyer_gln: DEALER_GLN.into(),
            supplier_gln: MANUFACTURER_GLN.into(),
            delivery_gln: Some(WAREHOUSE_GLN.into()),
            delivery_on: Some(date(2024, 1, 20)),
            reason: None,
            currency: "RUB".into(),
            lines: vec![
                ResponseLine {
                    line_number: 1,
                    gtin: BRAKE_PADS_GTIN.into(),
                    sku: "BP-7".into(),
                    ordered: 12,
                    confirmed: 12,
                    delivery_on: Some(date(2024, 1, 20)),
                    net_price: "1250.50".into(),
                    reason: None,
                },
                ResponseLine {
                    line_number: 2,
                    gtin: OIL_FILTER_GTIN.into(),
                    sku: "FLT-0042".into(),
                    ordered: 4,
                    confirmed: 3,
                    delivery_on: Some(date(2024, 1, 25)),
                    net_price: "830.00".into(),
                    reason: Some("Only 3 in stock".into()),
                },
            ],
        }
    }

    #[test]
    fn a_changed_order_is_answered_line_by_line_in_eancom_97() {
        let bytes = write_ordrsp(&outbound(Directory::D96A), &response(ResponseKind::Changed)).unwrap();
        let interchange = edifact::parse(&bytes).unwrap();
        assert_eq!(interchange.header.sender.id, MANUFACTURER_GLN);
        assert_eq!(interchange.header.recipient.id, DEALER_GLN);
        let message = &interchange.messages[0];
        assert_eq!(message.header.message_type, "ORDRSP");
        assert_eq!(message.header.release, "96A");
        assert_eq!(message.header.association.as_deref(), Some("EAN005"));
        assert_eq!(
            tags_and_values(message),
            vec![
                seg("BGM", &[&["231"], &["OR-2024-0117"], &["4"]]),
                seg("DTM", &[&["137", "202401160905", "203"]]),
                seg("DTM", &[&["2", "20240120", "102"]]),
                seg("RFF", &[&["ON", "ZK-2024-0117"]]),
                seg("NAD", &[&["BY"], &[DEALER_GLN, "", "9"]]),
                seg("NAD", &[&["SU"], &[MANUFACTURER_GLN, "", "9"]]),
                seg("NAD", &[&["DP"], &[WAREHOUSE_GLN, "", "9"]]),
                seg("CUX", &[&["2", "RUB", "9"]]),
                seg("LIN", &[&["1"], &["5"], &[BRAKE_PADS_GTIN, "EN"]]),
                seg("PIA", &[&["1"], &["BP-7", "SA"]]),
                seg("QTY", &[&["21", "12"]]),
                seg("QTY", &[&["113", "12"]]),
                seg("PRI", &[&["AAA", "1250.50"]]),
                seg("LIN", &[&["2"], &["3"], &[OIL_FILTER_GTIN, "EN"]]),
                seg("PIA", &[&["1"], &["FLT-0042", "SA"]]),
                seg("QTY", &[&["21", "4"]]),
                seg("QTY", &[&["113", "3"]]),
                seg("DTM", &[&["2", "20240125", "102"]]),
                seg("FTX", &[&["AAO"], &[""], &[""], &["Only 3 in stock"]]),
                seg("PRI", &[&["AAA", "830.00"]]),
                seg("UNS", &[&["S"]]),
                seg("CNT", &[&["2", "2"]]),
            ]
        );
    }

    #[test]
    fn an_accepted_order_in_eancom_2002_uses_srv_and_function_29() {
        let mut accepted = response(ResponseKind::Accepted);
        accepted.lines.truncate(1);
        accepted.delivery_gln = None;
        let bytes = write_ordrsp(&outbound(Directory::D01B), &accepted).unwrap();
        let message = &edifact::parse(&bytes).unwrap().messages[0];
        assert_eq!(message.header.association.as_deref(), Some("EAN007"));
        assert_eq!(message.segment(0).unwrap().value(3, 1), Some("29"));
        let lin = message.segments().find(|segment| segment.tag() == "LIN").unwrap();
        assert_eq!((lin.value(2, 1), lin.value(3, 2)), (Some("5"), Some("SRV")));
        assert!(!message
            .segments()
            .any(|segment| segment.tag() == "NAD" && segment.value(1, 1) == Some("DP")));
    }

    #[test]
    fn a_rejected_order_marks_every_line_not_accepted_and_gives_the_reason() {
        let mut rejected = response(ResponseKind::Rejected);
        rejected.reason = Some("Заказ отклонён: dealer blocked".into());
        for line in &mut rejected.lines {
            line.confirmed = 0;
        }
        let bytes = write_ordrsp(&outbound(Directory::D96A), &rejected).unwrap();
        let message = &edifact::parse(&bytes).unwrap().messages[0];
        assert_eq!(message.segment(0).unwrap().value(3, 1), Some("27"));
        let actions: Vec<&str> = message
            .segments()
            .filter(|segment| segment.tag() == "LIN")
            .filter_map(|segment| segment.value(2, 1))
            .collect();
        assert_eq!(actions, ["7", "7"]);
        let ftx = message.segments().find(|segment| segment.tag() == "FTX").unwrap();
        assert_eq!(
            ftx.value(4, 1),
            Some("????? ????????: dealer blocked"),
            "UNOC holds no Cyrillic"
        );

        rejected.lines.clear();
        let bytes = write_ordrsp(&outbound(Directory::D96A), &rejected).unwrap();
        let message = &edifact::parse(&bytes).unwrap().messages[0];
        assert!(!message.segments().any(|segment| segment.tag() == "LIN"));
        let cnt = message.segments().last().unwrap();
        assert_eq!((cnt.tag(), cnt.value(1, 2)), ("CNT", Some("0")));
    }

    #[test]
    fn cyrillic_reasons_survive_in_unoy() {
        let mut outbound = outbound(Directory::D01B);
        outbound.syntax = edifact::SyntaxIdentifier::Unoy;
        outbound.syntax_version = 4;
        let mut changed = response(ResponseKind::Changed);
        changed.lines[1].reason = Some("Нет на складе: 1 шт.".into());
        let bytes = write_ordrsp(&outbound, &changed).unwrap();
        let message = &edifact::parse(&bytes).unwrap().messages[0];
        let ftx = message.segments().find(|segment| segment.tag() == "FTX").unwrap();
        assert_eq!(ftx.value(4, 1), Some("Нет на складе: 1 шт."));
    }

    #[test]
    fn line_actions_follow_quantities_and_dates() {
        let order = response(ResponseKind::Changed);
        let line = |confirmed: i64, delivery_on: Option<NaiveDate>| ResponseLine {
            ordered: 5,
            confirmed,
            delivery_on,
            ..ResponseLine::default()
        };
        assert_eq!(line_action(&order, &line(5, None)), "5");
        assert_eq!(line_action(&order, &line(5, Some(date(2024, 1, 20)))), "5");
        assert_eq!(line_action(&order, &line(5, Some(date(2024, 1, 21)))), "3");
        assert_eq!(line_action(&order, &line(6, None)), "3");
        assert_eq!(line_action(&order, &line(0, None)), "7");
    }
}

//! Reading the values that every EANCOM message carries the same way: texts, item numbers,
//! dates and quantities.

use chrono::NaiveDate;
use edifact::{Message, SegmentView};
use platform::Gtin;

use super::errors::ApplicationError;
use super::orders::{ItemId, PartyId};

/// Refuses a message of another type than the one its reader reads.
pub(super) fn of_type(message: &Message, expected: &str) -> Result<(), Vec<ApplicationError>> {
    if message.header.message_type == expected {
        return Ok(());
    }
    Err(vec![ApplicationError::invalid(format!(
        "message type {} is not {expected}",
        message.header.message_type
    ))
    .at_tag("UNH")])
}

/// A component's text, `None` when absent or empty.
pub(super) fn text<'a>(segment: &SegmentView<'a>, element: usize, component: usize) -> Option<&'a str> {
    segment.value(element, component).filter(|value| !value.is_empty())
}

/// The text of an FTX (its element 4, the components joined), `None` when it has none.
pub(super) fn free_text(segment: &SegmentView<'_>) -> Option<String> {
    let joined: String = segment.components(4).collect();
    (!joined.is_empty()).then_some(joined)
}

/// A NAD's party identification (C082: 3039 and its agency 3055), `None` when it has none.
pub(super) fn party_id(segment: &SegmentView<'_>) -> Option<PartyId> {
    text(segment, 2, 1).map(|id| PartyId {
        id: id.to_owned(),
        agency: text(segment, 2, 3).unwrap_or_default().to_owned(),
    })
}

/// An item identification by its type (7143); `Ok(None)` for a type we do not use or no number.
fn item_id(number: &str, kind: &str) -> Result<Option<ItemId>, String> {
    if number.is_empty() {
        return Ok(None);
    }
    Ok(Some(match kind {
        "EN" | "SRV" | "UP" => {
            if Gtin::check(number).is_err() {
                return Err(format!("{number} is not a GTIN: wrong length or check digit"));
            }
            ItemId::Gtin(number.to_owned())
        }
        "IN" | "BP" => ItemId::Buyer(number.to_owned()),
        "SA" | "VP" => ItemId::Supplier(number.to_owned()),
        _ => return Ok(None),
    }))
}

/// The item numbers of a LIN (its element 3) or a PIA (4347 = 1 or 5, every repetition of its
/// item elements), added to `items`; a number that is not what its type says is an error.
pub(super) fn read_items(segment: &SegmentView<'_>, items: &mut Vec<ItemId>) -> Vec<ApplicationError> {
    let mut errors = Vec::new();
    let mut read = |element: usize, repetition: usize| {
        let number = segment.value_at(element, repetition, 1).unwrap_or_default();
        let kind = segment.value_at(element, repetition, 2).unwrap_or_default();
        match item_id(number, kind) {
            Ok(Some(item)) => items.push(item),
            Ok(None) => {}
            Err(detail) => errors.push(ApplicationError::invalid(detail).at(segment)),
        }
    };
    match segment.tag() {
        "LIN" => read(3, 1),
        "PIA" if matches!(text(segment, 1, 1), Some("1" | "5")) => {
            for element in 2..=segment.element_count() {
                for repetition in 1..=segment.repetition_count(element) {
                    read(element, repetition);
                }
            }
        }
        _ => {}
    }
    errors
}

/// A DTM date in format 102 (CCYYMMDD), 203 (CCYYMMDDHHMM), 204 (CCYYMMDDHHMMSS) or 101
/// (YYMMDD, years 2000-2099); without a format code, 102, 203 or 204 by length.
pub(super) fn parse_date(segment: &SegmentView<'_>) -> Result<NaiveDate, ApplicationError> {
    let qualifier = text(segment, 1, 1).unwrap_or_default();
    let value = text(segment, 1, 2).unwrap_or_default();
    let invalid = |detail: String| ApplicationError::invalid(detail).at(segment);
    let length = match text(segment, 1, 3) {
        Some("102") => 8,
        Some("203") => 12,
        Some("204") => 14,
        Some("101") => 6,
        None if matches!(value.len(), 8 | 12 | 14) => value.len(),
        None => return Err(invalid(format!("date {value:?} of DTM+{qualifier} has no format code"))),
        Some(other) => return Err(invalid(format!("unknown date format {other} in DTM+{qualifier}"))),
    };
    if value.len() != length || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid(format!(
            "{value:?} in DTM+{qualifier} does not match its format"
        )));
    }
    // The number of `count` digits from `from`; all are digits, as checked above.
    let number = |from: usize, count: usize| {
        value
            .bytes()
            .skip(from)
            .take(count)
            .fold(0, |number, digit| number * 10 + u32::from(digit - b'0'))
    };
    // YYMMDD are the years 2000 to 2099; the other formats start with CCYYMMDD.
    let (year, month_at) = if length == 6 {
        (2000 + number(0, 2), 2)
    } else {
        (number(0, 4), 4)
    };
    i32::try_from(year)
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, number(month_at, 2), number(month_at + 2, 2)))
        .ok_or_else(|| invalid(format!("{value:?} in DTM+{qualifier} is not a calendar date")))
}

/// The whole and fractional digits of a decimal written with '.' or ',' as decimal mark; the
/// fraction is empty when there is no mark.
pub(super) fn split_decimal(value: &str) -> (&str, &str) {
    match value.bytes().position(|byte| byte == b'.' || byte == b',') {
        Some(mark) => (
            value.get(..mark).unwrap_or_default(),
            value.get(mark + 1..).unwrap_or_default(),
        ),
        None => (value, ""),
    }
}

/// A quantity that must be a whole number, zero allowed: "9", "9.000" (or "9,000") and "0".
pub(super) fn parse_count(value: &str) -> Result<i64, String> {
    let (whole, fraction) = split_decimal(value);
    let digits = |text: &str| text.bytes().all(|byte| byte.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(format!("{value:?} is not a whole number of zero or more"));
    }
    if fraction.bytes().any(|byte| byte != b'0') {
        return Err(format!("{value} is not a whole number"));
    }
    whole.parse::<i64>().map_err(|_| format!("{value} is too large"))
}

/// A quantity that must be a positive whole number: "12" and "12.000" are 12; "1.5", "0" and
/// "-3" are refused.
pub(super) fn parse_whole_quantity(value: &str) -> Result<i64, String> {
    match parse_count(value) {
        Ok(0) => Err(format!("{value} is not positive")),
        other => other,
    }
}

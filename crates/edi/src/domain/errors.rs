//! Application errors: what is wrong with the content of a business message, as opposed to its
//! syntax (that is `edifact::SyntaxError`, answered with a CONTRL). These are answered with an
//! APERAK, one ERC segment each.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of application error. The mapping reads the first two; the ordering commands raise
/// the others, so that every refusal of an EDI order travels back to the partner the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApplicationErrorCode {
    /// Something the message must carry is absent.
    MissingData,
    /// A value is present but cannot be used: not a number, not a date, a bad check digit.
    InvalidValue,
    /// No product in our catalog has the item identification.
    UnknownProduct,
    /// The product exists but is not published to this dealer.
    ProductNotPublished,
    /// The buyer, supplier or invoicee is not a party we know.
    UnknownParty,
    /// The delivery party is not one of the dealer's delivery locations.
    UnknownDeliveryLocation,
    /// An order with this number from this buyer was received before.
    DuplicateOrder,
    /// The order was refused by the ordering command for another reason, given in the detail.
    NotAccepted,
}

/// Code list responsible agency (3055) written in ERC with [`ApplicationErrorCode::aperak_code`]:
/// 91, assigned by the supplier, which is us.
pub const APERAK_CODE_AGENCY: &str = "91";

impl ApplicationErrorCode {
    /// The application error code (data element 9321 in ERC) for an APERAK.
    ///
    /// EANCOM 97 and 2002 define no code list of their own for 9321; the guides let the
    /// partners agree one and mark it with the code list responsible agency 3055 (91 assigned
    /// by supplier, 92 by buyer). This is that list, written with [`APERAK_CODE_AGENCY`] 91 and
    /// given to partners with their profile. Where a meaning coincides with a syntax error
    /// code of data element 0085 (12 invalid value, 13 missing, 26 duplicate detected) the same
    /// number is used, so that a partner's staff recognise it; business refusals start at 51.
    pub fn aperak_code(self) -> &'static str {
        match self {
            ApplicationErrorCode::InvalidValue => "12",
            ApplicationErrorCode::MissingData => "13",
            ApplicationErrorCode::DuplicateOrder => "26",
            ApplicationErrorCode::UnknownProduct => "51",
            ApplicationErrorCode::ProductNotPublished => "52",
            ApplicationErrorCode::UnknownParty => "53",
            ApplicationErrorCode::UnknownDeliveryLocation => "54",
            ApplicationErrorCode::NotAccepted => "60",
        }
    }
}

/// One application error, with the place in the received interchange where it was found when
/// there is one: the 1-based segment number (UNB is 1, as in `edifact::SyntaxError`) and tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationError {
    pub code: ApplicationErrorCode,
    pub segment: Option<usize>,
    pub tag: Option<String>,
    pub detail: String,
}

impl ApplicationError {
    /// An error with no place yet.
    pub fn new(code: ApplicationErrorCode, detail: impl Into<String>) -> Self {
        ApplicationError {
            code,
            segment: None,
            tag: None,
            detail: detail.into(),
        }
    }

    /// Something the message must carry is absent.
    pub fn missing(detail: impl Into<String>) -> Self {
        ApplicationError::new(ApplicationErrorCode::MissingData, detail)
    }

    /// A value that cannot be used.
    pub fn invalid(detail: impl Into<String>) -> Self {
        ApplicationError::new(ApplicationErrorCode::InvalidValue, detail)
    }

    /// Places the error at a segment as read.
    pub fn at(mut self, segment: &edifact::SegmentView<'_>) -> Self {
        self.segment = Some(segment.number);
        self.tag = Some(segment.tag().to_owned());
        self
    }

    /// Names the segment tag concerned when there is no segment to point at, such as a
    /// missing one.
    pub fn at_tag(mut self, tag: &str) -> Self {
        self.tag = Some(tag.to_owned());
        self
    }
}

impl fmt::Display for ApplicationError {
    /// "segment 12 (QTY): quantity 1.5 is not a whole number"
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.segment, &self.tag) {
            (Some(number), Some(tag)) => write!(f, "segment {number} ({tag}): {}", self.detail),
            (Some(number), None) => write!(f, "segment {number}: {}", self.detail),
            (None, Some(tag)) => write!(f, "{tag}: {}", self.detail),
            (None, None) => f.write_str(&self.detail),
        }
    }
}

impl std::error::Error for ApplicationError {}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{interchange, only_message};

    #[test]
    fn every_code_has_a_distinct_aperak_code() {
        let codes = [
            ApplicationErrorCode::MissingData,
            ApplicationErrorCode::InvalidValue,
            ApplicationErrorCode::UnknownProduct,
            ApplicationErrorCode::ProductNotPublished,
            ApplicationErrorCode::UnknownParty,
            ApplicationErrorCode::UnknownDeliveryLocation,
            ApplicationErrorCode::DuplicateOrder,
            ApplicationErrorCode::NotAccepted,
        ];
        let mut written: Vec<&str> = codes.iter().map(|code| code.aperak_code()).collect();
        written.sort_unstable();
        written.dedup();
        assert_eq!(written.len(), codes.len());
        assert!(written.iter().all(|code| code.len() <= 8), "9321 is an..8");
    }

    #[test]
    fn generic_codes_match_the_syntax_error_codes() {
        assert_eq!(ApplicationErrorCode::InvalidValue.aperak_code(), "12");
        assert_eq!(ApplicationErrorCode::MissingData.aperak_code(), "13");
        assert_eq!(ApplicationErrorCode::DuplicateOrder.aperak_code(), "26");
    }

    #[test]
    fn display_names_the_segment_and_tag() {
        let bytes = interchange("UNOC:3", "ORDERS:D:96A:UN:EAN008", &["BGM+220+1+9", "QTY+21:1.5"]);
        let message = only_message(&bytes);
        let qty = message.segment(1).unwrap();
        let error = ApplicationError::invalid("quantity 1.5 is not a whole number").at(&qty);
        assert_eq!(error.to_string(), "segment 4 (QTY): quantity 1.5 is not a whole number");
        let missing = ApplicationError::missing("no order lines").at_tag("LIN");
        assert_eq!(missing.to_string(), "LIN: no order lines");
    }
}

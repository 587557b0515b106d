//! What every interchange we send needs: who from and to, its control reference, the syntax,
//! and the EANCOM directory of the partner profile; and the one table of EANCOM association
//! assigned codes.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, Timelike, Utc};
use edifact::{
    Element, InterchangeHeader, InterchangeWriter, MessageHeader, Party, Segment, SyntaxError, SyntaxIdentifier,
};
use serde::{Deserialize, Serialize};

/// Identification code qualifier (0007) of a GLN in UNB: 14, GS1.
pub const GLN_QUALIFIER: &str = "14";

/// Code list responsible agency (3055) of GS1 codes in NAD and BGM: 9.
pub const GS1_AGENCY: &str = "9";

/// The EANCOM version a partner uses, by its UN/EDIFACT directory. It comes from the partner
/// profile; nothing here assumes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Directory {
    /// EANCOM 97: directory D.96A.
    D96A,
    /// EANCOM 2002: directory D.01B.
    D01B,
}

/// EANCOM association assigned codes (UNH 0057), the EANCOM subset version of each message
/// type in each directory. Message types not listed are written without one.
///
/// From the EANCOM 97 and EANCOM 2002 part II message headers and examples; APERAK in EANCOM 97
/// is written EAN001 as in its worked examples (one segment layout page of the 2000 edition
/// shows EAN000). Check a partner's implementation guide when onboarding it.
const ASSOCIATIONS: [(&str, Directory, &str); 14] = [
    ("ORDERS", Directory::D96A, "EAN008"),
    ("ORDERS", Directory::D01B, "EAN010"),
    ("ORDRSP", Directory::D96A, "EAN005"),
    ("ORDRSP", Directory::D01B, "EAN007"),
    ("DESADV", Directory::D96A, "EAN005"),
    ("DESADV", Directory::D01B, "EAN007"),
    ("INVOIC", Directory::D96A, "EAN008"),
    ("INVOIC", Directory::D01B, "EAN010"),
    ("APERAK", Directory::D96A, "EAN001"),
    ("APERAK", Directory::D01B, "EAN003"),
    ("PRICAT", Directory::D96A, "EAN006"),
    ("PRICAT", Directory::D01B, "EAN008"),
    // We only read RECADV; these are not checked on what partners send.
    ("RECADV", Directory::D96A, "EAN003"),
    ("RECADV", Directory::D01B, "EAN005"),
];

impl Directory {
    /// Message version number (0052): "D" for both.
    pub fn version(self) -> &'static str {
        "D"
    }

    /// Message release number (0054).
    pub fn release(self) -> &'static str {
        match self {
            Directory::D96A => "96A",
            Directory::D01B => "01B",
        }
    }

    /// Controlling agency (0051): "UN".
    pub fn agency(self) -> &'static str {
        "UN"
    }

    /// The directory of a message read, from its UNH version and release.
    pub fn of_message(header: &MessageHeader) -> Option<Directory> {
        match (header.version.as_str(), header.release.as_str()) {
            ("D", "96A") => Some(Directory::D96A),
            ("D", "01B") => Some(Directory::D01B),
            _ => None,
        }
    }

    /// The EANCOM association assigned code (0057) of a message type in this directory.
    pub fn association(self, message_type: &str) -> Option<&'static str> {
        ASSOCIATIONS
            .iter()
            .find(|(kind, directory, _)| *kind == message_type && *directory == self)
            .map(|(_, _, code)| *code)
    }

    /// A UNH for a message of this directory, with its association assigned code.
    pub fn message_header(self, reference: &str, message_type: &str) -> MessageHeader {
        let mut header = MessageHeader::new(reference, message_type, self.version(), self.release());
        header.association = self.association(message_type).map(str::to_owned);
        header
    }
}

/// The parameters of an interchange we send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub sender_gln: String,
    pub recipient_gln: String,
    /// Interchange control reference (0020), unique per sender and kept per partner.
    pub control_reference: String,
    pub syntax: SyntaxIdentifier,
    /// Syntax version number (0002): 2, 3 or 4.
    pub syntax_version: u8,
    pub directory: Directory,
    pub prepared_at: DateTime<Utc>,
    /// Test indicator (0035).
    pub test: bool,
}

impl Outbound {
    /// UNB from our GLN to the partner's, both with qualifier 14.
    pub fn interchange_header(&self) -> InterchangeHeader {
        self.interchange_header_between(
            Party::new(&self.sender_gln, Some(GLN_QUALIFIER)),
            Party::new(&self.recipient_gln, Some(GLN_QUALIFIER)),
        )
    }

    /// UNB between parties as given, for answers that must name the partner exactly as it
    /// named itself (a CONTRL).
    pub fn interchange_header_between(&self, sender: Party, recipient: Party) -> InterchangeHeader {
        let prepared = edifact::DateTime {
            year: u16::try_from(self.prepared_at.year()).unwrap_or_default(),
            month: u8::try_from(self.prepared_at.month()).unwrap_or_default(),
            day: u8::try_from(self.prepared_at.day()).unwrap_or_default(),
            hour: u8::try_from(self.prepared_at.hour()).unwrap_or_default(),
            minute: u8::try_from(self.prepared_at.minute()).unwrap_or_default(),
        };
        let mut header = InterchangeHeader::new(
            self.syntax,
            self.syntax_version,
            sender,
            recipient,
            prepared,
            &self.control_reference,
        );
        header.test = self.test;
        header
    }

    /// Opens the interchange in memory, UNA and UNB written.
    pub fn open_interchange(&self) -> Result<InterchangeWriter<Vec<u8>>, SyntaxError> {
        open_interchange_with(&self.interchange_header())
    }

    /// The preparation time as DTM text in format 203 (CCYYMMDDHHMM).
    pub(crate) fn prepared_at_203(&self) -> String {
        self.prepared_at.format("%Y%m%d%H%M").to_string()
    }

    /// Fits text into the interchange's character set: characters it cannot hold become '?'
    /// (the writer escapes it), so that a partner's value quoted in a detail never makes the
    /// answer unwritable. Text the set holds, as most is, is returned as it is.
    pub(crate) fn fit_text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.syntax.holds(text) {
            return Cow::Borrowed(text);
        }
        let mut buffer = [0_u8; 4];
        text.chars()
            .map(|character| {
                if self.syntax.holds(character.encode_utf8(&mut buffer)) {
                    character
                } else {
                    '?'
                }
            })
            .collect()
    }
}

/// The text up to its `count`th character, and the rest.
pub(crate) fn split_at_character(text: &str, count: usize) -> (&str, &str) {
    match text.char_indices().nth(count) {
        Some((index, _)) => text.split_at(index),
        None => (text, ""),
    }
}

/// A whole number as text in a buffer used again and again, for writing segments without a
/// new string for each number.
pub(crate) fn number_text(buffer: &mut String, number: i64) -> &str {
    buffer.clear();
    if number < 0 {
        buffer.push('-');
    }
    push_digits(buffer, number.unsigned_abs(), 1);
    buffer
}

/// Appends `number` in decimal to `text`, with zeros in front up to `width` digits. Digit by
/// digit: the formatting machinery costs more than writing the rest of a segment.
pub(crate) fn push_digits(text: &mut String, number: u64, width: usize) {
    // A u64 has at most 20 digits; the places not written stay '0', for the padding.
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    let mut rest = number;
    for slot in digits.iter_mut().rev() {
        // The remainder is below ten.
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
        start -= 1;
        if rest == 0 {
            break;
        }
    }
    let start = start.min(digits.len().saturating_sub(width));
    // Digits are ASCII.
    text.push_str(std::str::from_utf8(digits.get(start..).unwrap_or_default()).unwrap_or_default());
}

/// Opens an interchange in memory with UNA always written: many partners' tools expect it.
pub(crate) fn open_interchange_with(header: &InterchangeHeader) -> Result<InterchangeWriter<Vec<u8>>, SyntaxError> {
    let options = edifact::WriterOptions {
        always_write_una: true,
        ..edifact::WriterOptions::default()
    };
    InterchangeWriter::new(Vec::new(), header, options)
}

/// Longest text of one FTX component (4440, an..70 in D.96A and D.01B), and components per FTX.
const TEXT_COMPONENT_LENGTH: usize = 70;
const TEXT_COMPONENTS: usize = 5;

/// FTX with a subject (4451) and the text cut into components of the length 4440 allows; what
/// does not fit in five is left out.
pub(super) fn free_text(subject: &str, text: &str) -> Segment {
    let characters: Vec<char> = text.chars().collect();
    let components: Vec<String> = characters
        .chunks(TEXT_COMPONENT_LENGTH)
        .take(TEXT_COMPONENTS)
        .map(|chunk| chunk.iter().collect())
        .collect();
    Segment::new(
        "FTX",
        vec![
            Element::simple(subject),
            Element::simple(""),
            Element::simple(""),
            Element::composite(components),
        ],
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{outbound, DEALER_GLN, MANUFACTURER_GLN};

    #[test]
    fn orders_association_codes_follow_the_directory() {
        assert_eq!(Directory::D96A.association("ORDERS"), Some("EAN008"));
        assert_eq!(Directory::D01B.association("ORDERS"), Some("EAN010"));
        assert_eq!(Directory::D01B.association("APERAK"), Some("EAN003"));
        assert_eq!(Directory::D96A.association("CONTRL"), None);
    }

    #[test]
    fn message_headers_carry_version_release_agency_and_association() {
        let header = Directory::D01B.message_header("7", "ORDERS");
        assert_eq!(
            (
                header.message_type.as_str(),
                header.version.as_str(),
                header.release.as_str(),
                header.agency.as_str()
            ),
            ("ORDERS", "D", "01B", "UN")
        );
        assert_eq!(header.association.as_deref(), Some("EAN010"));
        assert_eq!(Directory::of_message(&header), Some(Directory::D01B));
    }

    #[test]
    fn an_opened_interchange_goes_from_our_gln_to_theirs_with_qualifier_14() {
        let mut outbound = outbound(Directory::D96A);
        outbound.test = true;
        let mut writer = outbound.open_interchange().unwrap();
        writer
            .begin_message(&Directory::D96A.message_header("1", "ORDERS"))
            .unwrap();
        writer.segment("BGM", &[&["220"], &["1"], &["9"]]).unwrap();
        writer.end_message().unwrap();
        let bytes = writer.finish().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("UNA:+.? '"), "{text}");
        let interchange = edifact::parse(&bytes).unwrap();
        let header = interchange.header;
        assert_eq!(header.sender, Party::new(MANUFACTURER_GLN, Some("14")));
        assert_eq!(header.recipient, Party::new(DEALER_GLN, Some("14")));
        assert_eq!(header.control_reference, outbound.control_reference);
        assert!(header.test);
        assert_eq!(
            (header.prepared.year, header.prepared.month, header.prepared.day),
            (2024, 1, 16)
        );
        assert_eq!((header.prepared.hour, header.prepared.minute), (9, 5));
    }

    #[test]
    fn numbers_are_written_as_they_are_formatted() {
        let mut buffer = String::from("left over");
        for number in [0, 7, 10, 42, 120, 1_000_000, -3, -10, i64::MAX, i64::MIN] {
            assert_eq!(number_text(&mut buffer, number), number.to_string());
        }
        let mut padded = String::new();
        push_digits(&mut padded, 20240118, 8);
        push_digits(&mut padded, 9990118, 8);
        push_digits(&mut padded, 5, 2);
        push_digits(&mut padded, 123, 2);
        assert_eq!(padded, "202401180999011805123");
    }

    #[test]
    fn text_the_character_set_cannot_hold_is_replaced() {
        let outbound = outbound(Directory::D96A);
        assert_eq!(outbound.fit_text("Товар ABC"), "????? ABC");
        assert_eq!(outbound.prepared_at_203(), "202401160905");
    }
}

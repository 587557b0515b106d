//! The service segments of the envelopes: UNB/UNZ around the interchange, UNG/UNE around a
//! functional group, UNH/UNT around a message. Each header reads from and turns into a
//! [`Segment`], so the reader and writer share one description of the layout.

use crate::charset::SyntaxIdentifier;
use crate::error::{ErrorKind, SyntaxError};
use crate::segment::{Element, Segment, SegmentView};

/// A service segment read for its values: an owned [`Segment`], or a [`SegmentView`] of one,
/// which is how the reader looks at the UNH and UNT of every message.
pub(crate) trait ServiceSegment {
    fn tag(&self) -> &str;
    /// The 1-based component of the 1-based element (first repetition), if present.
    fn value(&self, element: usize, component: usize) -> Option<&str>;
    fn element_count(&self) -> usize;
    /// An error located at the segment and, if given, at a 1-based element and component.
    fn error(&self, kind: ErrorKind, element: Option<usize>, component: Option<usize>) -> SyntaxError;
}

impl ServiceSegment for Segment {
    fn tag(&self) -> &str {
        &self.tag
    }

    fn value(&self, element: usize, component: usize) -> Option<&str> {
        Segment::value(self, element, component)
    }

    fn element_count(&self) -> usize {
        self.elements.len()
    }

    fn error(&self, kind: ErrorKind, element: Option<usize>, component: Option<usize>) -> SyntaxError {
        Segment::error(self, kind, element, component)
    }
}

impl ServiceSegment for SegmentView<'_> {
    fn tag(&self) -> &str {
        SegmentView::tag(self)
    }

    fn value(&self, element: usize, component: usize) -> Option<&str> {
        SegmentView::value(self, element, component)
    }

    fn element_count(&self) -> usize {
        SegmentView::element_count(self)
    }

    fn error(&self, kind: ErrorKind, element: Option<usize>, component: Option<usize>) -> SyntaxError {
        SegmentView::error(self, kind, element, component)
    }
}

/// Longest control reference ISO 9735 allows (0020, 0048, 0062: an..14).
const REFERENCE_MAXIMUM: usize = 14;

/// A sender or recipient: identification, its code qualifier (such as 14 for a GLN), and the
/// third component, which is a routing address in syntax 2 and 3 and an internal identification
/// in syntax 4.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    pub id: String,
    pub qualifier: Option<String>,
    pub routing: Option<String>,
}

impl Party {
    pub fn new(id: impl Into<String>, qualifier: Option<&str>) -> Self {
        Party {
            id: id.into(),
            qualifier: qualifier.map(str::to_owned),
            routing: None,
        }
    }
}

/// Date and time of preparation (S004). Read from six-digit (YYMMDD, years 2000-2099) or
/// eight-digit (CCYYMMDD) dates whatever the syntax version; written as six digits before
/// version 4 and eight from version 4 on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

/// The interchange header UNB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterchangeHeader {
    pub syntax: SyntaxIdentifier,
    /// Syntax version number 0002: 2, 3 or 4.
    pub version: u8,
    pub sender: Party,
    pub recipient: Party,
    pub prepared: DateTime,
    /// Interchange control reference 0020, repeated in UNZ.
    pub control_reference: String,
    /// Recipient reference or password, S005 first component.
    pub recipient_password: Option<String>,
    /// Application reference 0026, often the message type of all messages inside.
    pub application_reference: Option<String>,
    /// Processing priority code 0029.
    pub processing_priority: Option<String>,
    /// Acknowledgement request 0031: "1" asks for a CONTRL.
    pub acknowledgement_request: Option<String>,
    /// Interchange agreement identifier 0032.
    pub agreement: Option<String>,
    /// Test indicator 0035 set to "1".
    pub test: bool,
}

/// The functional group header UNG. Only the group reference is mandatory in every syntax
/// version; what else a partner fills in varies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupHeader {
    /// Message group identification 0038, the type of the messages in the group.
    pub message_group: Option<String>,
    pub sender: Option<Party>,
    pub recipient: Option<Party>,
    pub prepared: Option<DateTime>,
    /// Group reference number 0048, repeated in UNE.
    pub reference: String,
    pub agency: Option<String>,
    pub message_version: Option<String>,
    pub message_release: Option<String>,
    pub association: Option<String>,
    pub password: Option<String>,
}

/// The message header UNH.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageHeader {
    /// Message reference number 0062, repeated in UNT.
    pub reference: String,
    /// Message type 0065, such as ORDERS.
    pub message_type: String,
    /// Message version number 0052, such as D.
    pub version: String,
    /// Message release number 0054, such as 96A.
    pub release: String,
    /// Controlling agency 0051, such as UN.
    pub agency: String,
    /// Association assigned code 0057, such as EAN008.
    pub association: Option<String>,
    /// Common access reference 0068.
    pub common_access_reference: Option<String>,
}

impl MessageHeader {
    /// A header for a message of the UN directories, such as `("1", "ORDERS", "D", "96A")`.
    pub fn new(reference: &str, message_type: &str, version: &str, release: &str) -> Self {
        MessageHeader {
            reference: reference.to_owned(),
            message_type: message_type.to_owned(),
            version: version.to_owned(),
            release: release.to_owned(),
            agency: "UN".to_owned(),
            association: None,
            common_access_reference: None,
        }
    }
}

impl InterchangeHeader {
    /// A header with the mandatory fields; the others start empty.
    pub fn new(
        syntax: SyntaxIdentifier,
        version: u8,
        sender: Party,
        recipient: Party,
        prepared: DateTime,
        control_reference: &str,
    ) -> Self {
        InterchangeHeader {
            syntax,
            version,
            sender,
            recipient,
            prepared,
            control_reference: control_reference.to_owned(),
            recipient_password: None,
            application_reference: None,
            processing_priority: None,
            acknowledgement_request: None,
            agreement: None,
            test: false,
        }
    }

    pub(crate) fn from_segment(segment: &Segment) -> Result<Self, SyntaxError> {
        check_constituents(segment, 11)?;
        let code = required(segment, 1, 1, "syntax identifier (0001)")?;
        let syntax = SyntaxIdentifier::from_code(code).ok_or_else(|| {
            segment.error(
                ErrorKind::SyntaxNotSupported(format!("syntax identifier {code}")),
                Some(1),
                Some(1),
            )
        })?;
        let version_text = required(segment, 1, 2, "syntax version number (0002)")?;
        let version = match version_text {
            "2" => 2,
            "3" => 3,
            "4" => 4,
            other => {
                let kind = ErrorKind::SyntaxNotSupported(format!("syntax version {other}"));
                return Err(segment.error(kind, Some(1), Some(2)));
            }
        };
        let test = match optional(segment, 11, 1) {
            None => false,
            Some("1") => true,
            Some(other) => {
                return Err(segment.error(
                    ErrorKind::InvalidValue(format!("test indicator {other}")),
                    Some(11),
                    Some(1),
                ))
            }
        };
        Ok(InterchangeHeader {
            syntax,
            version,
            sender: party(segment, 2, "interchange sender identification (0004)")?,
            recipient: party(segment, 3, "interchange recipient identification (0010)")?,
            prepared: date_time(segment, 4)?,
            control_reference: reference(segment, 5, "interchange control reference (0020)")?,
            recipient_password: optional_owned(segment, 6, 1),
            application_reference: optional_owned(segment, 7, 1),
            processing_priority: optional_owned(segment, 8, 1),
            acknowledgement_request: optional_owned(segment, 9, 1),
            agreement: optional_owned(segment, 10, 1),
            test,
        })
    }

    pub(crate) fn to_segment(&self) -> Segment {
        Segment::new(
            "UNB",
            vec![
                Element::composite([self.syntax.code().to_owned(), self.version.to_string()]),
                party_element(&self.sender),
                party_element(&self.recipient),
                date_time_element(&self.prepared, self.version),
                Element::simple(&self.control_reference),
                optional_element(&self.recipient_password),
                optional_element(&self.application_reference),
                optional_element(&self.processing_priority),
                optional_element(&self.acknowledgement_request),
                optional_element(&self.agreement),
                Element::simple(if self.test { "1" } else { "" }),
            ],
        )
    }
}

impl GroupHeader {
    pub(crate) fn from_segment(segment: &Segment) -> Result<Self, SyntaxError> {
        check_constituents(segment, 8)?;
        let optional_party = |element: usize| match optional(segment, element, 1) {
            Some(_) => party(segment, element, "application identification").map(Some),
            None => Ok(None),
        };
        Ok(GroupHeader {
            message_group: optional_owned(segment, 1, 1),
            sender: optional_party(2)?,
            recipient: optional_party(3)?,
            prepared: match optional(segment, 4, 1) {
                Some(_) => Some(date_time(segment, 4)?),
                None => None,
            },
            reference: reference(segment, 5, "group reference number (0048)")?,
            agency: optional_owned(segment, 6, 1),
            message_version: optional_owned(segment, 7, 1),
            message_release: optional_owned(segment, 7, 2),
            association: optional_owned(segment, 7, 3),
            password: optional_owned(segment, 8, 1),
        })
    }

    pub(crate) fn to_segment(&self, syntax_version: u8) -> Segment {
        let party = |party: &Option<Party>| party.as_ref().map(party_element).unwrap_or_else(|| Element::simple(""));
        Segment::new(
            "UNG",
            vec![
                optional_element(&self.message_group),
                party(&self.sender),
                party(&self.recipient),
                self.prepared
                    .map(|prepared| date_time_element(&prepared, syntax_version))
                    .unwrap_or_else(|| Element::simple("")),
                Element::simple(&self.reference),
                optional_element(&self.agency),
                Element::composite([
                    self.message_version.clone().unwrap_or_default(),
                    self.message_release.clone().unwrap_or_default(),
                    self.association.clone().unwrap_or_default(),
                ]),
                optional_element(&self.password),
            ],
        )
    }
}

impl MessageHeader {
    pub(crate) fn from_segment(segment: &impl ServiceSegment) -> Result<Self, SyntaxError> {
        Ok(MessageHeader {
            reference: reference(segment, 1, "message reference number (0062)")?,
            message_type: required(segment, 2, 1, "message type (0065)")?.to_owned(),
            version: required(segment, 2, 2, "message version number (0052)")?.to_owned(),
            release: required(segment, 2, 3, "message release number (0054)")?.to_owned(),
            agency: required(segment, 2, 4, "controlling agency (0051)")?.to_owned(),
            association: optional_owned(segment, 2, 5),
            common_access_reference: optional_owned(segment, 3, 1),
        })
    }

    pub(crate) fn to_segment(&self) -> Segment {
        Segment::new(
            "UNH",
            vec![
                Element::simple(&self.reference),
                Element::composite([
                    self.message_type.clone(),
                    self.version.clone(),
                    self.release.clone(),
                    self.agency.clone(),
                    self.association.clone().unwrap_or_default(),
                ]),
                optional_element(&self.common_access_reference),
            ],
        )
    }
}

/// A trailer (UNT, UNE, UNZ): a count and the reference of its header.
#[derive(Debug)]
pub(crate) struct Trailer {
    pub count: u64,
}

impl Trailer {
    /// Reads a trailer and checks its reference against the header's (error 28).
    pub(crate) fn from_segment(segment: &impl ServiceSegment, header_reference: &str) -> Result<Self, SyntaxError> {
        check_constituents(segment, 2)?;
        let count_text = required(segment, 1, 1, "control count")?;
        if count_text.len() > 6 {
            let kind = ErrorKind::TooLong {
                maximum: 6,
                found: count_text.chars().count(),
            };
            return Err(segment.error(kind, Some(1), Some(1)));
        }
        let count = count_text
            .parse::<u64>()
            .ok()
            .filter(|_| count_text.bytes().all(|byte| byte.is_ascii_digit()))
            .ok_or_else(|| {
                let kind = ErrorKind::InvalidTypeOfCharacters(format!("control count {count_text:?} is not a number"));
                segment.error(kind, Some(1), Some(1))
            })?;
        let reference = checked_reference(segment, 2, "reference")?;
        if reference != header_reference {
            let kind = ErrorKind::ReferencesDoNotMatch {
                header: header_reference.to_owned(),
                trailer: reference.to_owned(),
            };
            return Err(segment.error(kind, Some(2), Some(1)));
        }
        Ok(Trailer { count })
    }

    /// Checks the count against what was received (error 29).
    pub(crate) fn check_count(&self, segment: &impl ServiceSegment, counted: u64) -> Result<(), SyntaxError> {
        if self.count == counted {
            Ok(())
        } else {
            let kind = ErrorKind::ControlCountMismatch {
                declared: self.count,
                counted,
            };
            Err(segment.error(kind, Some(1), Some(1)))
        }
    }

    pub(crate) fn to_segment(tag: &str, count: u64, reference: &str) -> Segment {
        Segment::new(
            tag,
            vec![Element::simple(count.to_string()), Element::simple(reference)],
        )
    }
}

fn check_constituents(segment: &impl ServiceSegment, maximum: usize) -> Result<(), SyntaxError> {
    if segment.element_count() > maximum {
        let kind = ErrorKind::TooManyConstituents(format!("{} has at most {maximum} data elements", segment.tag()));
        return Err(segment.error(kind, Some(maximum + 1), None));
    }
    Ok(())
}

fn optional(segment: &impl ServiceSegment, element: usize, component: usize) -> Option<&str> {
    segment.value(element, component).filter(|value| !value.is_empty())
}

fn optional_owned(segment: &impl ServiceSegment, element: usize, component: usize) -> Option<String> {
    optional(segment, element, component).map(str::to_owned)
}

fn required<'s>(
    segment: &'s impl ServiceSegment,
    element: usize,
    component: usize,
    name: &str,
) -> Result<&'s str, SyntaxError> {
    optional(segment, element, component)
        .ok_or_else(|| segment.error(ErrorKind::Missing(name.to_owned()), Some(element), Some(component)))
}

/// A control reference, checked for its length.
fn checked_reference<'s>(segment: &'s impl ServiceSegment, element: usize, name: &str) -> Result<&'s str, SyntaxError> {
    let value = required(segment, element, 1, name)?;
    let length = value.chars().count();
    if length > REFERENCE_MAXIMUM {
        let kind = ErrorKind::TooLong {
            maximum: REFERENCE_MAXIMUM,
            found: length,
        };
        return Err(segment.error(kind, Some(element), Some(1)));
    }
    Ok(value)
}

fn reference(segment: &impl ServiceSegment, element: usize, name: &str) -> Result<String, SyntaxError> {
    checked_reference(segment, element, name).map(str::to_owned)
}

fn party(segment: &Segment, element: usize, name: &str) -> Result<Party, SyntaxError> {
    Ok(Party {
        id: required(segment, element, 1, name)?.to_owned(),
        qualifier: optional_owned(segment, element, 2),
        routing: optional_owned(segment, element, 3),
    })
}

fn date_time(segment: &Segment, element: usize) -> Result<DateTime, SyntaxError> {
    let date = required(segment, element, 1, "date of preparation")?;
    let time = required(segment, element, 2, "time of preparation")?;
    let invalid =
        |component: usize, what: String| segment.error(ErrorKind::InvalidValue(what), Some(element), Some(component));
    let digits = |text: &str, component: usize| -> Result<Vec<u16>, SyntaxError> {
        if text.bytes().all(|byte| byte.is_ascii_digit()) {
            Ok(text.bytes().map(|byte| u16::from(byte - b'0')).collect())
        } else {
            let kind = ErrorKind::InvalidTypeOfCharacters(format!("{text:?} is not a number"));
            Err(segment.error(kind, Some(element), Some(component)))
        }
    };
    let pair = |digits: &[u16], at: usize| -> u16 {
        digits.get(at).copied().unwrap_or_default() * 10 + digits.get(at + 1).copied().unwrap_or_default()
    };
    let date_digits = digits(date, 1)?;
    let (year, rest) = match date_digits.len() {
        6 => (2000 + pair(&date_digits, 0), 2),
        8 => (pair(&date_digits, 0) * 100 + pair(&date_digits, 2), 4),
        _ => return Err(invalid(1, format!("date {date:?} is neither YYMMDD nor CCYYMMDD"))),
    };
    let (month, day) = (pair(&date_digits, rest), pair(&date_digits, rest + 2));
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return Err(invalid(1, format!("date {date:?} does not exist")));
    }
    let time_digits = digits(time, 2)?;
    let (hour, minute) = (pair(&time_digits, 0), pair(&time_digits, 2));
    if time_digits.len() != 4 || hour > 23 || minute > 59 {
        return Err(invalid(2, format!("time {time:?} is not HHMM")));
    }
    // All values were bounded above (year < 10000, the rest < 60), so they fit.
    Ok(DateTime {
        year,
        month: u8::try_from(month).unwrap_or_default(),
        day: u8::try_from(day).unwrap_or_default(),
        hour: u8::try_from(hour).unwrap_or_default(),
        minute: u8::try_from(minute).unwrap_or_default(),
    })
}

fn days_in_month(year: u16, month: u16) -> u16 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        _ => 31,
    }
}

fn party_element(party: &Party) -> Element {
    Element::composite([
        party.id.clone(),
        party.qualifier.clone().unwrap_or_default(),
        party.routing.clone().unwrap_or_default(),
    ])
}

fn date_time_element(prepared: &DateTime, syntax_version: u8) -> Element {
    let DateTime {
        year,
        month,
        day,
        hour,
        minute,
    } = *prepared;
    let date = if syntax_version >= 4 {
        format!("{year:04}{month:02}{day:02}")
    } else {
        format!("{:02}{month:02}{day:02}", year % 100)
    };
    Element::composite([date, format!("{hour:02}{minute:02}")])
}

fn optional_element(value: &Option<String>) -> Element {
    Element::simple(value.clone().unwrap_or_default())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::delimiters::Delimiters;
    use crate::tokenizer::Tokenizer;

    fn first_segment(input: &str) -> Segment {
        let raw = Tokenizer::with_delimiters(input.as_bytes(), Delimiters::LEVEL_A)
            .next()
            .unwrap()
            .unwrap();
        Segment::decode(&raw, SyntaxIdentifier::Unoc).unwrap()
    }

    fn unb(input: &str) -> Result<InterchangeHeader, SyntaxError> {
        InterchangeHeader::from_segment(&first_segment(input))
    }

    #[test]
    fn reads_every_field_of_a_syntax_3_unb() {
        let header =
            unb("UNB+UNOC:3+4012345000009:14:ROUTE+4098765000002:14+240131:0915+REF42+PWD+ORDERS+A+1+AGR+1'").unwrap();
        assert_eq!((header.syntax, header.version), (SyntaxIdentifier::Unoc, 3));
        assert_eq!(
            header.sender,
            Party {
                id: "4012345000009".into(),
                qualifier: Some("14".into()),
                routing: Some("ROUTE".into())
            }
        );
        assert_eq!(header.recipient, Party::new("4098765000002", Some("14")));
        assert_eq!(
            header.prepared,
            DateTime {
                year: 2024,
                month: 1,
                day: 31,
                hour: 9,
                minute: 15
            }
        );
        assert_eq!(header.control_reference, "REF42");
        assert_eq!(header.recipient_password.as_deref(), Some("PWD"));
        assert_eq!(header.application_reference.as_deref(), Some("ORDERS"));
        assert_eq!(header.processing_priority.as_deref(), Some("A"));
        assert_eq!(header.acknowledgement_request.as_deref(), Some("1"));
        assert_eq!(header.agreement.as_deref(), Some("AGR"));
        assert!(header.test);
    }

    #[test]
    fn six_and_eight_digit_dates_are_both_accepted() {
        let six = unb("UNB+UNOC:3+S+R+240229:2359+1'").unwrap();
        let eight = unb("UNB+UNOC:4+S+R+20240229:2359+1'").unwrap();
        assert_eq!(six.prepared, eight.prepared);
        let eight_in_version_3 = unb("UNB+UNOC:3+S+R+20240229:2359+1'").unwrap();
        assert_eq!(eight_in_version_3.prepared.year, 2024);
    }

    #[test]
    fn dates_are_written_as_the_syntax_version_wants() {
        let prepared = DateTime {
            year: 2024,
            month: 2,
            day: 9,
            hour: 7,
            minute: 5,
        };
        assert_eq!(date_time_element(&prepared, 3).components(), ["240209", "0705"]);
        assert_eq!(date_time_element(&prepared, 4).components(), ["20240209", "0705"]);
    }

    #[test]
    fn impossible_dates_and_times_are_invalid_values() {
        let error = unb("UNB+UNOC:3+S+R+230229:1200+1'").unwrap_err();
        assert_eq!(
            (error.code(), error.element(), error.component()),
            (12, Some(4), Some(1))
        );
        assert_eq!(unb("UNB+UNOC:3+S+R+2402:1200+1'").unwrap_err().code(), 12);
        assert_eq!(unb("UNB+UNOC:3+S+R+240101:2400+1'").unwrap_err().code(), 12);
        assert_eq!(unb("UNB+UNOC:3+S+R+24O101:1200+1'").unwrap_err().code(), 37);
    }

    #[test]
    fn syntax_versions_2_3_and_4_are_read_and_others_refused_with_code_2() {
        for version in [2, 3, 4] {
            assert_eq!(
                unb(&format!("UNB+UNOC:{version}+S+R+240101:1200+1'")).unwrap().version,
                version
            );
        }
        let error = unb("UNB+UNOC:1+S+R+240101:1200+1'").unwrap_err();
        assert_eq!(
            (error.code(), error.element(), error.component()),
            (2, Some(1), Some(2))
        );
        assert_eq!(unb("UNB+UNOX:3+S+R+240101:1200+1'").unwrap_err().code(), 2);
    }

    #[test]
    fn missing_mandatory_fields_are_error_13_at_their_place() {
        let error = unb("UNB+UNOC:3++R+240101:1200+1'").unwrap_err();
        assert_eq!(
            (error.code(), error.element(), error.component()),
            (13, Some(2), Some(1))
        );
        let error = unb("UNB+UNOC:3+S+R+240101:1200'").unwrap_err();
        assert_eq!((error.code(), error.element()), (13, Some(5)));
    }

    #[test]
    fn control_references_longer_than_14_are_error_39() {
        let error = unb("UNB+UNOC:3+S+R+240101:1200+123456789012345'").unwrap_err();
        assert_eq!(error.code(), 39);
    }

    #[test]
    fn too_many_elements_are_error_16() {
        let error = unb("UNB+UNOC:3+S+R+240101:1200+1+++++++X'").unwrap_err();
        assert_eq!((error.code(), error.element()), (16, Some(12)));
    }

    #[test]
    fn unb_round_trips_through_a_segment() {
        let header = unb("UNB+UNOC:3+S:14+R::X+240101:1200+1++ORDERS++1++1'").unwrap();
        assert_eq!(InterchangeHeader::from_segment(&header.to_segment()).unwrap(), header);
    }

    #[test]
    fn ung_and_unh_round_trip_through_segments() {
        let group =
            GroupHeader::from_segment(&first_segment("UNG+ORDERS+S:14+R:14+240101:1200+G1+UN+D:96A:EAN008'")).unwrap();
        assert_eq!(group.message_release.as_deref(), Some("96A"));
        assert_eq!(GroupHeader::from_segment(&group.to_segment(3)).unwrap(), group);
        let message = MessageHeader::from_segment(&first_segment("UNH+M1+ORDERS:D:96A:UN:EAN008+CAR'")).unwrap();
        assert_eq!(message.association.as_deref(), Some("EAN008"));
        assert_eq!(MessageHeader::from_segment(&message.to_segment()).unwrap(), message);
    }

    #[test]
    fn trailers_check_reference_and_count() {
        let trailer = first_segment("UNT+5+M1'");
        assert_eq!(Trailer::from_segment(&trailer, "M2").unwrap_err().code(), 28);
        let read = Trailer::from_segment(&trailer, "M1").unwrap();
        let error = read.check_count(&trailer, 4).unwrap_err();
        assert_eq!((error.code(), error.element()), (29, Some(1)));
        assert_eq!(
            Trailer::from_segment(&first_segment("UNT+X+M1'"), "M1")
                .unwrap_err()
                .code(),
            37
        );
        assert_eq!(
            Trailer::from_segment(&first_segment("UNT+1234567+M1'"), "M1")
                .unwrap_err()
                .code(),
            39
        );
    }
}

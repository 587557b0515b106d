//! One error type for reading and writing, carrying where the fault is and the syntax error code
//! (UN/EDIFACT data element 0085) that a CONTRL message reports for it.

use std::fmt;

/// What went wrong. Each kind maps to one code of data element 0085 ("syntax error, coded") so
/// that a CONTRL can be built from the error without a second table; see [`ErrorKind::code`].
///
/// Some kinds are never raised by this crate: they concern partner agreements that only the
/// caller knows about (unknown sender, test indicator, duplicates), and are here so that the
/// caller reports them with the same type and code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// 2: the syntax identifier or version is not one this crate reads.
    SyntaxNotSupported(String),
    /// 12: a value breaks the rules for its data element.
    InvalidValue(String),
    /// 13: something mandatory is absent.
    Missing(String),
    /// 14: the value is valid in general but not here.
    ValueNotSupported(String),
    /// 15: a segment or element that may not stand here.
    NotSupportedInPosition(String),
    /// 16: more elements or components than the segment has.
    TooManyConstituents(String),
    /// 17: no interchange agreement with the partner.
    NoAgreement,
    /// 18: an error that no other code describes, such as a failed read or write.
    Unspecified(String),
    /// 20: a character that cannot serve as a separator, or the same character for two roles.
    InvalidServiceCharacter(String),
    /// 21: a character outside the character set of the syntax identifier.
    InvalidCharacter(String),
    /// 22: a segment tag starting with "UN" that is not a service segment, or a malformed tag.
    InvalidServiceSegmentTag(String),
    /// 23: the interchange sender is not known.
    UnknownSender,
    /// 25: the test indicator is not supported.
    TestIndicatorNotSupported,
    /// 26: the interchange, group or message was received before.
    DuplicateDetected,
    /// 28: the reference in a trailer differs from the one in its header.
    ReferencesDoNotMatch { header: String, trailer: String },
    /// 29: a trailer's count differs from what was received.
    ControlCountMismatch { declared: u64, counted: u64 },
    /// 30: an interchange holds both groups and messages outside groups.
    GroupsAndMessagesMixed,
    /// 32: an interchange, group or message with nothing in it.
    LowerLevelEmpty(String),
    /// 33: a segment that may only stand inside a message, stands outside.
    InvalidOccurrenceOutsideMessage(String),
    /// 35: a data element or segment repeated too often.
    TooManyRepetitions,
    /// 36: a segment group repeated too often.
    TooManySegmentGroupRepetitions,
    /// 37: for example letters in a numeric data element.
    InvalidTypeOfCharacters(String),
    /// 39: a value longer than its data element allows.
    TooLong { maximum: usize, found: usize },
    /// 40: a value shorter than its data element allows.
    TooShort { minimum: usize, found: usize },
}

impl ErrorKind {
    /// The code of data element 0085 for this kind of error.
    pub fn code(&self) -> u16 {
        match self {
            ErrorKind::SyntaxNotSupported(_) => 2,
            ErrorKind::InvalidValue(_) => 12,
            ErrorKind::Missing(_) => 13,
            ErrorKind::ValueNotSupported(_) => 14,
            ErrorKind::NotSupportedInPosition(_) => 15,
            ErrorKind::TooManyConstituents(_) => 16,
            ErrorKind::NoAgreement => 17,
            ErrorKind::Unspecified(_) => 18,
            ErrorKind::InvalidServiceCharacter(_) => 20,
            ErrorKind::InvalidCharacter(_) => 21,
            ErrorKind::InvalidServiceSegmentTag(_) => 22,
            ErrorKind::UnknownSender => 23,
            ErrorKind::TestIndicatorNotSupported => 25,
            ErrorKind::DuplicateDetected => 26,
            ErrorKind::ReferencesDoNotMatch { .. } => 28,
            ErrorKind::ControlCountMismatch { .. } => 29,
            ErrorKind::GroupsAndMessagesMixed => 30,
            ErrorKind::LowerLevelEmpty(_) => 32,
            ErrorKind::InvalidOccurrenceOutsideMessage(_) => 33,
            ErrorKind::TooManyRepetitions => 35,
            ErrorKind::TooManySegmentGroupRepetitions => 36,
            ErrorKind::InvalidTypeOfCharacters(_) => 37,
            ErrorKind::TooLong { .. } => 39,
            ErrorKind::TooShort { .. } => 40,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::SyntaxNotSupported(what) => write!(f, "syntax not supported: {what}"),
            ErrorKind::InvalidValue(what) => write!(f, "invalid value: {what}"),
            ErrorKind::Missing(what) => write!(f, "missing {what}"),
            ErrorKind::ValueNotSupported(what) => write!(f, "value not supported here: {what}"),
            ErrorKind::NotSupportedInPosition(what) => write!(f, "not supported in this position: {what}"),
            ErrorKind::TooManyConstituents(what) => write!(f, "too many constituents: {what}"),
            ErrorKind::NoAgreement => f.write_str("no interchange agreement"),
            ErrorKind::Unspecified(what) => write!(f, "{what}"),
            ErrorKind::InvalidServiceCharacter(what) => write!(f, "invalid service character: {what}"),
            ErrorKind::InvalidCharacter(what) => write!(f, "invalid character: {what}"),
            ErrorKind::InvalidServiceSegmentTag(tag) => write!(f, "invalid service segment tag {tag:?}"),
            ErrorKind::UnknownSender => f.write_str("unknown interchange sender"),
            ErrorKind::TestIndicatorNotSupported => f.write_str("test indicator not supported"),
            ErrorKind::DuplicateDetected => f.write_str("duplicate detected"),
            ErrorKind::ReferencesDoNotMatch { header, trailer } => {
                write!(
                    f,
                    "reference {trailer:?} in the trailer does not match {header:?} in the header"
                )
            }
            ErrorKind::ControlCountMismatch { declared, counted } => {
                write!(f, "control count {declared} does not match the {counted} received")
            }
            ErrorKind::GroupsAndMessagesMixed => f.write_str("functional groups and messages mixed"),
            ErrorKind::LowerLevelEmpty(what) => write!(f, "{what} is empty"),
            ErrorKind::InvalidOccurrenceOutsideMessage(tag) => {
                write!(f, "segment {tag} may only occur inside a message")
            }
            ErrorKind::TooManyRepetitions => f.write_str("too many repetitions"),
            ErrorKind::TooManySegmentGroupRepetitions => f.write_str("too many segment group repetitions"),
            ErrorKind::InvalidTypeOfCharacters(what) => write!(f, "invalid type of characters: {what}"),
            ErrorKind::TooLong { maximum, found } => {
                write!(
                    f,
                    "data element too long: {found} characters, at most {maximum} allowed"
                )
            }
            ErrorKind::TooShort { minimum, found } => {
                write!(
                    f,
                    "data element too short: {found} characters, at least {minimum} required"
                )
            }
        }
    }
}

/// An error with the place it was found: the segment's 1-based number in the interchange (UNA
/// not counted, UNB is 1), its tag, the 1-based element and component position after the tag,
/// and the byte offset from the start of the input. These are the positions a CONTRL reports.
///
/// The details are boxed so that results stay small on the hot path, where errors are rare.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SyntaxError(Box<Details>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Details {
    kind: ErrorKind,
    segment: Option<usize>,
    tag: Option<String>,
    element: Option<usize>,
    component: Option<usize>,
    offset: Option<u64>,
}

impl SyntaxError {
    /// An error with no position yet; the `at_*` methods add it.
    pub fn new(kind: ErrorKind) -> Self {
        SyntaxError(Box::new(Details {
            kind,
            segment: None,
            tag: None,
            element: None,
            component: None,
            offset: None,
        }))
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The code of data element 0085 for this error.
    pub fn code(&self) -> u16 {
        self.0.kind.code()
    }

    /// 1-based number of the segment in the interchange.
    pub fn segment(&self) -> Option<usize> {
        self.0.segment
    }

    pub fn tag(&self) -> Option<&str> {
        self.0.tag.as_deref()
    }

    /// 1-based position of the data element after the tag.
    pub fn element(&self) -> Option<usize> {
        self.0.element
    }

    /// 1-based position of the component within the element.
    pub fn component(&self) -> Option<usize> {
        self.0.component
    }

    /// Byte offset from the start of the input.
    pub fn offset(&self) -> Option<u64> {
        self.0.offset
    }

    pub fn at_segment(mut self, number: usize, tag: &str) -> Self {
        self.0.segment = Some(number);
        self.0.tag = Some(tag.to_owned());
        self
    }

    pub(crate) fn at_segment_number(mut self, number: usize) -> Self {
        self.0.segment = Some(number);
        self
    }

    pub(crate) fn at_tag(mut self, tag: &str) -> Self {
        self.0.tag = Some(tag.to_owned());
        self
    }

    pub fn at_element(mut self, element: usize, component: Option<usize>) -> Self {
        self.0.element = Some(element);
        self.0.component = component;
        self
    }

    pub fn at_offset(mut self, offset: u64) -> Self {
        self.0.offset = Some(offset);
        self
    }

    /// Moves the offset by `distance` bytes, for errors found in a part of the input.
    pub(crate) fn shifted(mut self, distance: u64) -> Self {
        self.0.offset = self.0.offset.map(|offset| offset + distance);
        self
    }
}

impl fmt::Display for SyntaxError {
    /// "segment 7 (QTY), element 1, component 2 at byte 312: invalid value: …"
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Details {
            kind,
            segment,
            tag,
            element,
            component,
            offset,
        } = self.0.as_ref();
        let mut parts: Vec<String> = Vec::new();
        match (segment, tag) {
            (Some(number), Some(tag)) => parts.push(format!("segment {number} ({tag})")),
            (Some(number), None) => parts.push(format!("segment {number}")),
            (None, Some(tag)) => parts.push(format!("segment {tag}")),
            (None, None) => {}
        }
        if let Some(element) = element {
            parts.push(format!("element {element}"));
        }
        if let Some(component) = component {
            parts.push(format!("component {component}"));
        }
        let mut place = parts.join(", ");
        if let Some(offset) = offset {
            if !place.is_empty() {
                place.push(' ');
            }
            place.push_str(&format!("at byte {offset}"));
        }
        if place.is_empty() {
            write!(f, "{kind}")
        } else {
            write!(f, "{place}: {kind}")
        }
    }
}

impl From<std::io::Error> for SyntaxError {
    fn from(error: std::io::Error) -> Self {
        SyntaxError::new(ErrorKind::Unspecified(format!("input/output error: {error}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_segment_tag_element_component_and_byte() {
        let error = SyntaxError::new(ErrorKind::InvalidValue("not a number".into()))
            .at_segment(7, "QTY")
            .at_element(1, Some(2))
            .at_offset(312);
        assert_eq!(
            error.to_string(),
            "segment 7 (QTY), element 1, component 2 at byte 312: invalid value: not a number"
        );
    }

    #[test]
    fn display_without_position_is_the_bare_message() {
        let error = SyntaxError::new(ErrorKind::Missing("UNZ".into()));
        assert_eq!(error.to_string(), "missing UNZ");
    }

    #[test]
    fn codes_are_those_of_data_element_0085() {
        assert_eq!(ErrorKind::SyntaxNotSupported("UNOX".into()).code(), 2);
        assert_eq!(
            ErrorKind::ReferencesDoNotMatch {
                header: "1".into(),
                trailer: "2".into()
            }
            .code(),
            28
        );
        assert_eq!(
            ErrorKind::ControlCountMismatch {
                declared: 3,
                counted: 4
            }
            .code(),
            29
        );
        assert_eq!(ErrorKind::TooShort { minimum: 1, found: 0 }.code(), 40);
        let error = SyntaxError::new(ErrorKind::InvalidCharacter("é".into()));
        assert_eq!(error.code(), 21);
    }
}

//! Segments as owned, decoded text: what the reader hands out and what the writer takes.

use crate::charset::SyntaxIdentifier;
use crate::error::ErrorKind;
use crate::error::SyntaxError;
use crate::tokenizer::RawSegment;

/// One segment: a tag and its data elements. Positions in accessors are 1-based, as in
/// implementation guides and in CONTRL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Segment {
    pub tag: String,
    pub elements: Vec<Element>,
    /// 1-based number in the interchange when read; 0 for a segment built to be written.
    pub number: usize,
    /// Byte offset of the tag in the input when read; 0 for a segment built to be written.
    pub offset: u64,
}

/// One data element: a simple value, or the components of a composite. In syntax 4 a data
/// element may repeat; every repetition is a list of components, and there is always at least one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub repetitions: Vec<Vec<String>>,
}

impl Element {
    /// A simple data element.
    pub fn simple(value: impl Into<String>) -> Self {
        Element {
            repetitions: vec![vec![value.into()]],
        }
    }

    /// A composite data element of the given components.
    pub fn composite<S: Into<String>>(components: impl IntoIterator<Item = S>) -> Self {
        let components: Vec<String> = components.into_iter().map(Into::into).collect();
        if components.is_empty() {
            Element::simple("")
        } else {
            Element {
                repetitions: vec![components],
            }
        }
    }

    /// The components of the first (usually only) repetition.
    pub fn components(&self) -> &[String] {
        self.repetitions.first().map(Vec::as_slice).unwrap_or_default()
    }

    /// The 1-based component of the first repetition, if present.
    pub fn component(&self, component: usize) -> Option<&str> {
        self.components().get(component.checked_sub(1)?).map(String::as_str)
    }

    /// Whether the element holds no text at all; the writer leaves such trailing elements out.
    pub fn is_empty(&self) -> bool {
        self.repetitions.iter().flatten().all(String::is_empty)
    }
}

impl Segment {
    /// A segment to be written.
    pub fn new(tag: impl Into<String>, elements: Vec<Element>) -> Self {
        Segment {
            tag: tag.into(),
            elements,
            number: 0,
            offset: 0,
        }
    }

    /// The 1-based data element, if present.
    pub fn element(&self, element: usize) -> Option<&Element> {
        self.elements.get(element.checked_sub(1)?)
    }

    /// The 1-based component of the 1-based element (first repetition), if present.
    pub fn value(&self, element: usize, component: usize) -> Option<&str> {
        self.element(element)?.component(component)
    }

    /// Decodes a raw segment from the character set of the interchange. An undecodable byte is
    /// an error naming the element, component and byte offset.
    pub fn decode(raw: &RawSegment<'_>, syntax: SyntaxIdentifier) -> Result<Segment, SyntaxError> {
        let mut elements: Vec<Element> = Vec::new();
        for value in raw.values() {
            let text = syntax.decode(&value.unescaped()).map_err(|error| {
                raw.error(ErrorKind::InvalidCharacter(error.description))
                    .at_element(value.element, Some(value.component))
                    .at_offset(value.offset + value.raw_position(error.position) as u64)
            })?;
            // Values arrive in order, and each new element or repetition starts with component 1.
            if value.element > elements.len() {
                elements.push(Element {
                    repetitions: Vec::new(),
                });
            }
            if let Some(element) = elements.last_mut() {
                if value.repetition > element.repetitions.len() {
                    element.repetitions.push(Vec::new());
                }
                if let Some(components) = element.repetitions.last_mut() {
                    components.push(text);
                }
            }
        }
        Ok(Segment {
            tag: raw.tag().to_owned(),
            elements,
            number: raw.number,
            offset: raw.offset,
        })
    }

    /// An error located at this segment and, if given, at a 1-based element and component.
    pub fn error(&self, kind: ErrorKind, element: Option<usize>, component: Option<usize>) -> SyntaxError {
        let error = SyntaxError::new(kind)
            .at_segment(self.number, &self.tag)
            .at_offset(self.offset);
        match element {
            Some(element) => error.at_element(element, component),
            None => error,
        }
    }
}

/// One message: its UNH header and the segments between UNH and UNT, both excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub header: crate::header::MessageHeader,
    pub segments: Vec<Segment>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::tokenizer::Tokenizer;

    fn second_segment(input: &[u8], syntax: SyntaxIdentifier) -> Result<Segment, SyntaxError> {
        let raw = Tokenizer::new(input).unwrap().nth(1).unwrap().unwrap();
        Segment::decode(&raw, syntax)
    }

    #[test]
    fn decodes_elements_components_and_repetitions() {
        let segment = second_segment(b"UNB+UNOY:4'PCI+a*b:c++d?:e'", SyntaxIdentifier::Unoy).unwrap();
        assert_eq!(segment.tag, "PCI");
        assert_eq!((segment.number, segment.offset), (2, 11));
        assert_eq!(segment.elements.len(), 3);
        assert_eq!(
            segment.elements[0].repetitions,
            vec![vec!["a".to_owned()], vec!["b".to_owned(), "c".to_owned()]]
        );
        assert_eq!(segment.value(2, 1), Some(""));
        assert_eq!(segment.value(3, 1), Some("d:e"));
        assert_eq!(segment.value(3, 2), None);
        assert_eq!(segment.value(0, 1), None);
    }

    #[test]
    fn a_byte_outside_the_character_set_is_located_exactly() {
        let error = second_segment(b"UNB+UNOA:3'NAD+BY+AB?+c'", SyntaxIdentifier::Unoa).unwrap_err();
        assert_eq!(error.code(), 21);
        assert_eq!((error.segment(), error.tag()), (Some(2), Some("NAD")));
        assert_eq!((error.element(), error.component()), (Some(2), Some(1)));
        assert_eq!(error.offset(), Some(22));
        assert_eq!(
            error.to_string(),
            "segment 2 (NAD), element 2, component 1 at byte 22: invalid character: byte 0x63 is not in UNOA"
        );
    }

    #[test]
    fn elements_report_emptiness() {
        assert!(Element::composite(["", ""]).is_empty());
        assert!(Element::composite(Vec::<String>::new()).is_empty());
        assert!(!Element::simple("x").is_empty());
    }
}

//! Segments as decoded text: [`Segment`], owned, which the writer takes and the envelopes are
//! read into; and [`Message`], what the reader hands out, with its segments held compactly and
//! looked at through [`SegmentView`]s.

use crate::charset::SyntaxIdentifier;
use crate::delimiters::Delimiters;
use crate::error::ErrorKind;
use crate::error::SyntaxError;
use crate::header::MessageHeader;
use crate::tokenizer::{RawSegment, RawValue, TAG_LENGTH};

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
    #[inline]
    pub fn value(&self, element: usize, component: usize) -> Option<&str> {
        self.element(element)?.component(component)
    }

    /// Decodes a raw segment from the character set of the interchange. An undecodable byte is
    /// an error naming the element, component and byte offset.
    pub fn decode(raw: &RawSegment<'_>, syntax: SyntaxIdentifier) -> Result<Segment, SyntaxError> {
        let mut elements: Vec<Element> = Vec::new();
        for value in raw.values() {
            let mut text = String::new();
            decode_value(raw, &value, syntax, &mut text)?;
            add_value(&mut elements, value.element, value.repetition, text);
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

/// Adds the next value of a segment to its elements. Values come in order, and each new element
/// or repetition starts with component 1.
fn add_value(elements: &mut Vec<Element>, element: usize, repetition: usize, text: String) {
    if element > elements.len() {
        elements.push(Element {
            repetitions: Vec::new(),
        });
    }
    if let Some(element) = elements.last_mut() {
        if repetition > element.repetitions.len() {
            element.repetitions.push(Vec::new());
        }
        if let Some(components) = element.repetitions.last_mut() {
            components.push(text);
        }
    }
}

/// Appends one value of a raw segment to `out`, unescaped and decoded from the character set
/// of the interchange; an undecodable byte is an error naming the element, component and byte
/// offset.
#[inline]
fn decode_value(
    raw: &RawSegment<'_>,
    value: &RawValue<'_>,
    syntax: SyntaxIdentifier,
    out: &mut String,
) -> Result<(), SyntaxError> {
    syntax.decode_into(&value.unescaped(), out).map_err(|error| {
        raw.error(ErrorKind::InvalidCharacter(error.description))
            .at_element(value.element, Some(value.component))
            .at_offset(value.offset + value.raw_position(error.position) as u64)
    })
}

/// One message as read: its UNH header and the segments between UNH and UNT, both excluded.
///
/// An interchange holds millions of values, and a `String` each would cost more than reading
/// them, so a message keeps the text of all its segments in one string, and where each tag and
/// value lies in it. [`Message::segments`] shows them as [`SegmentView`]s.
#[derive(Debug, Clone)]
pub struct Message {
    pub header: MessageHeader,
    text: String,
    values: Vec<ValueSpan>,
    segments: Vec<SegmentSpan>,
}

/// Where one value lies in its message's text, and its place in its segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ValueSpan {
    element: usize,
    repetition: usize,
    component: usize,
    start: usize,
    end: usize,
}

/// One segment of a message: where its tag lies in the text, its place in the interchange,
/// and its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SegmentSpan {
    tag_start: usize,
    number: usize,
    offset: u64,
    first_value: usize,
    end_value: usize,
}

/// What a byte is to a segment cut in one pass; see [`PlainBytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteClass {
    /// Part of a value, and text as it stands.
    Text,
    Component,
    Element,
    Repetition,
    /// The release character, or a byte that must be decoded or refused: the segment is read
    /// through the tokenizer's values.
    Other,
}

/// The class of every byte under the delimiters and character set of an interchange.
///
/// Most segments hold nothing but separators and text that reads as it stands, such as ASCII
/// in UNOC: those are cut into values in one pass over their bytes, with a look-up per byte,
/// rather than value by value with the tokenizer's handling of release characters, and their
/// values need no decoding.
#[derive(Debug, Clone)]
pub(crate) struct PlainBytes {
    classes: [ByteClass; 256],
}

impl PlainBytes {
    pub(crate) fn new(delimiters: Delimiters, syntax: SyntaxIdentifier) -> Self {
        let class = |byte: u8| {
            if !delimiters.are_ascii() {
                // A separator could then be part of a character; such interchanges are rare.
                ByteClass::Other
            } else if byte == delimiters.component {
                ByteClass::Component
            } else if byte == delimiters.element {
                ByteClass::Element
            } else if Some(byte) == delimiters.repetition {
                ByteClass::Repetition
            } else if Some(byte) == delimiters.release || byte == delimiters.segment {
                ByteClass::Other
            } else if syntax.byte_stands_for_itself(byte) {
                ByteClass::Text
            } else {
                ByteClass::Other
            }
        };
        PlainBytes {
            classes: std::array::from_fn(|index| u8::try_from(index).map_or(ByteClass::Other, class)),
        }
    }
}

/// How much a message holds, so that the next one can be given room for as much at once.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MessageSize {
    text: usize,
    values: usize,
    segments: usize,
}

/// The segments of a message being read. Their text is gathered as bytes and made a `String`
/// once the message is whole: checking it is text costs little over a whole message, and much
/// segment by segment.
pub(crate) struct MessageBuilder {
    text: Vec<u8>,
    values: Vec<ValueSpan>,
    segments: Vec<SegmentSpan>,
    /// One value decoded from the interchange's character set.
    decoded: String,
}

impl MessageBuilder {
    /// A message with room for one of `size` and an eighth more, since messages of one
    /// interchange tend to be alike, and growing costs a copy.
    pub(crate) fn new(size: MessageSize) -> Self {
        let room = |length: usize| length + length / 8;
        MessageBuilder {
            text: Vec::with_capacity(room(size.text)),
            values: Vec::with_capacity(room(size.values)),
            segments: Vec::with_capacity(room(size.segments)),
            decoded: String::new(),
        }
    }

    /// Reads one segment alone, in place of whatever was gathered, for a look at its values.
    /// The service segments UNH and UNT are read so, into the same buffers each time, rather
    /// than into an owned [`Segment`] with a `String` for every value.
    pub(crate) fn read_alone(
        &mut self,
        raw: &RawSegment<'_>,
        syntax: SyntaxIdentifier,
        plain: &PlainBytes,
    ) -> Result<SegmentView<'_>, SyntaxError> {
        self.text.clear();
        self.values.clear();
        self.segments.clear();
        self.push(raw, syntax, plain)?;
        // Text by construction, as in `finish`; were it not, the segment would show no values.
        let text = std::str::from_utf8(&self.text).unwrap_or_default();
        let span = self.segments.first().copied().unwrap_or(SegmentSpan {
            tag_start: 0,
            number: raw.number,
            offset: raw.offset,
            first_value: 0,
            end_value: 0,
        });
        Ok(view(text, &self.values, &span))
    }

    /// Adds a segment as read, decoding its values from the character set of the interchange;
    /// an undecodable byte is an error naming the element, component and byte offset.
    #[inline]
    pub(crate) fn push(
        &mut self,
        raw: &RawSegment<'_>,
        syntax: SyntaxIdentifier,
        plain: &PlainBytes,
    ) -> Result<(), SyntaxError> {
        if self.push_plain(raw, plain) {
            Ok(())
        } else {
            self.push_decoded(raw, syntax)
        }
    }

    /// Adds a segment that holds only separators and text as it stands, as most do, cutting it
    /// in one pass with a look-up per byte; false, with nothing added, for any other.
    #[inline]
    fn push_plain(&mut self, raw: &RawSegment<'_>, plain: &PlainBytes) -> bool {
        let bytes = raw.bytes();
        let tag_start = self.text.len();
        let first_value = self.values.len();
        let (mut element, mut repetition, mut component) = (1, 1, 1);
        // The tag is checked already, and the element separator after it opens the first value.
        let mut start = TAG_LENGTH + 1;
        for (index, &byte) in bytes.iter().enumerate().skip(start) {
            let class = plain.classes[usize::from(byte)];
            if class == ByteClass::Text {
                continue;
            }
            if class == ByteClass::Other {
                self.values.truncate(first_value);
                return false;
            }
            self.values.push(ValueSpan {
                element,
                repetition,
                component,
                start: tag_start + start,
                end: tag_start + index,
            });
            match class {
                ByteClass::Component => component += 1,
                ByteClass::Element => (element, repetition, component) = (element + 1, 1, 1),
                _ => (repetition, component) = (repetition + 1, 1),
            }
            start = index + 1;
        }
        if bytes.len() > TAG_LENGTH {
            self.values.push(ValueSpan {
                element,
                repetition,
                component,
                start: tag_start + start,
                end: tag_start + bytes.len(),
            });
        }
        self.text.extend_from_slice(bytes);
        self.segments.push(SegmentSpan {
            tag_start,
            number: raw.number,
            offset: raw.offset,
            first_value,
            end_value: self.values.len(),
        });
        true
    }

    /// Adds any segment, through the tokenizer's values, unescaped and decoded.
    fn push_decoded(&mut self, raw: &RawSegment<'_>, syntax: SyntaxIdentifier) -> Result<(), SyntaxError> {
        let first_value = self.values.len();
        let tag_start = self.text.len();
        // Most segments are text as they stand. Then the segment is kept whole, separators and
        // all, and its values point into it: one copy per segment rather than one per value.
        // A value with a release character is still added on its own, without them.
        let bytes = raw.bytes();
        let as_it_stands = raw.delimiters().are_ascii() && syntax.reads_as_it_stands(bytes);
        if as_it_stands {
            self.text.extend_from_slice(bytes);
        } else {
            self.text.extend_from_slice(raw.tag_bytes());
        }
        for value in raw.values() {
            let (start, end) = if as_it_stands && !value.is_escaped() {
                let start = tag_start + (value.offset - raw.offset) as usize;
                (start, start + value.raw().len())
            } else {
                self.decoded.clear();
                decode_value(raw, &value, syntax, &mut self.decoded)?;
                let start = self.text.len();
                self.text.extend_from_slice(self.decoded.as_bytes());
                (start, self.text.len())
            };
            self.values.push(ValueSpan {
                element: value.element,
                repetition: value.repetition,
                component: value.component,
                start,
                end,
            });
        }
        self.segments.push(SegmentSpan {
            tag_start,
            number: raw.number,
            offset: raw.offset,
            first_value,
            end_value: self.values.len(),
        });
        Ok(())
    }

    /// The message and its size. A message that uses less than half its room gives the rest
    /// back, so that a short message after a long one does not keep the room of the long one.
    pub(crate) fn finish(mut self, header: MessageHeader) -> (Message, MessageSize) {
        fn fit<T>(items: &mut Vec<T>) {
            if items.capacity() > 2 * items.len() {
                items.shrink_to_fit();
            }
        }
        fit(&mut self.text);
        fit(&mut self.values);
        fit(&mut self.segments);
        let size = MessageSize {
            text: self.text.len(),
            values: self.values.len(),
            segments: self.segments.len(),
        };
        // Every part added is text: tags, ASCII or UTF-8 as it stood, or values decoded. The
        // lossy conversion only spares this an error that cannot happen.
        let text =
            String::from_utf8(self.text).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
        let message = Message {
            header,
            text,
            values: self.values,
            segments: self.segments,
        };
        (message, size)
    }
}

impl Message {
    /// The segments in order.
    #[inline]
    pub fn segments(&self) -> impl ExactSizeIterator<Item = SegmentView<'_>> + DoubleEndedIterator + Clone {
        self.segments.iter().map(|span| self.view(span))
    }

    /// The segment at a 0-based index, if there is one.
    #[inline]
    pub fn segment(&self, index: usize) -> Option<SegmentView<'_>> {
        self.segments.get(index).map(|span| self.view(span))
    }

    #[inline]
    fn view(&self, span: &SegmentSpan) -> SegmentView<'_> {
        view(&self.text, &self.values, span)
    }
}

/// The segment of `span`, whose tag and values lie in `text`.
#[inline]
fn view<'a>(text: &'a str, values: &'a [ValueSpan], span: &SegmentSpan) -> SegmentView<'a> {
    SegmentView {
        number: span.number,
        offset: span.offset,
        tag: text
            .get(span.tag_start..span.tag_start + TAG_LENGTH)
            .unwrap_or_default(),
        text,
        values: values.get(span.first_value..span.end_value).unwrap_or_default(),
    }
}

/// Messages are equal when their headers and segments are, however their text is laid out.
impl PartialEq for Message {
    fn eq(&self, other: &Message) -> bool {
        self.header == other.header && self.segments().eq(other.segments())
    }
}

impl Eq for Message {}

/// A segment of a read [`Message`], borrowed from it. Positions are 1-based, as in
/// implementation guides and in CONTRL; an element present in the segment has at least one
/// repetition of at least one component, which may be empty.
#[derive(Debug, Clone, Copy)]
pub struct SegmentView<'a> {
    /// 1-based number in the interchange; UNB is 1.
    pub number: usize,
    /// Byte offset of the tag in the input.
    pub offset: u64,
    tag: &'a str,
    text: &'a str,
    values: &'a [ValueSpan],
}

impl<'a> SegmentView<'a> {
    /// The tag, such as "QTY".
    #[inline]
    pub fn tag(&self) -> &'a str {
        self.tag
    }

    /// The 1-based component of the 1-based element (first repetition), if present.
    pub fn value(&self, element: usize, component: usize) -> Option<&'a str> {
        self.value_at(element, 1, component)
    }

    /// The 1-based component of a 1-based repetition of a 1-based element, if present.
    #[inline]
    pub fn value_at(&self, element: usize, repetition: usize, component: usize) -> Option<&'a str> {
        self.values
            .iter()
            .find(|value| value.element == element && value.repetition == repetition && value.component == component)
            .map(|value| self.text_of(value))
    }

    /// How many data elements the segment has.
    #[inline]
    pub fn element_count(&self) -> usize {
        self.values.last().map_or(0, |value| value.element)
    }

    /// How many repetitions a 1-based element has: 1 for most, 0 if the segment ends before it.
    #[inline]
    pub fn repetition_count(&self, element: usize) -> usize {
        self.values
            .iter()
            .filter(|value| value.element == element)
            .map(|value| value.repetition)
            .max()
            .unwrap_or(0)
    }

    /// The components of the first repetition of a 1-based element, in order; none if absent.
    #[inline]
    pub fn components(&self, element: usize) -> impl Iterator<Item = &'a str> + 'a {
        let text = self.text;
        self.values
            .iter()
            .filter(move |value| value.element == element && value.repetition == 1)
            .map(move |value| text.get(value.start..value.end).unwrap_or_default())
    }

    /// The segment as an owned [`Segment`], with its number and offset.
    pub fn to_segment(&self) -> Segment {
        let mut elements: Vec<Element> = Vec::new();
        for value in self.values {
            add_value(
                &mut elements,
                value.element,
                value.repetition,
                self.text_of(value).to_owned(),
            );
        }
        Segment {
            tag: self.tag.to_owned(),
            elements,
            number: self.number,
            offset: self.offset,
        }
    }

    /// An error located at this segment and, if given, at a 1-based element and component.
    pub(crate) fn error(&self, kind: ErrorKind, element: Option<usize>, component: Option<usize>) -> SyntaxError {
        let error = SyntaxError::new(kind)
            .at_segment(self.number, self.tag)
            .at_offset(self.offset);
        match element {
            Some(element) => error.at_element(element, component),
            None => error,
        }
    }

    #[inline]
    fn text_of(&self, value: &ValueSpan) -> &'a str {
        self.text.get(value.start..value.end).unwrap_or_default()
    }

    /// Every value with its place.
    fn placed_values(&self) -> impl Iterator<Item = (usize, usize, usize, &'a str)> + '_ {
        self.values
            .iter()
            .map(|value| (value.element, value.repetition, value.component, self.text_of(value)))
    }
}

/// Segments are equal when their places in the interchange, tags and values are.
impl PartialEq for SegmentView<'_> {
    fn eq(&self, other: &SegmentView<'_>) -> bool {
        (self.number, self.offset, self.tag) == (other.number, other.offset, other.tag)
            && self.placed_values().eq(other.placed_values())
    }
}

impl Eq for SegmentView<'_> {}

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

    /// The only message of an interchange of one message of the given body segments, each
    /// terminated by `'`. The envelopes use the component separator of `una`.
    fn message_of(una: &str, syntax: &str, body: &[u8]) -> Message {
        let component = una.chars().nth(3).unwrap_or(':');
        let mut input = format!(
            "{una}UNB+{syntax}{component}4+S+R+20240131{component}0915+1'UNH+1+ORDERS{component}D{component}01B{component}UN'"
        )
        .into_bytes();
        input.extend_from_slice(body);
        let segments = body.split(|&byte| byte == b'\'').count() - 1;
        input.extend_from_slice(format!("UNT+{}+1'UNZ+1+1'", segments + 2).as_bytes());
        let mut interchange = crate::parse(&input).unwrap();
        interchange.messages.remove(0)
    }

    #[test]
    fn a_read_message_shows_every_value_in_its_place() {
        let message = message_of("UNA:+.?*'", "UNOY", b"PIA+1+A:SA*B:IN+C?:D*'UNS+S'");
        let pia = message.segment(0).unwrap();
        assert_eq!((pia.tag(), pia.number, pia.offset), ("PIA", 3, 62));
        assert_eq!(pia.element_count(), 3);
        assert_eq!((pia.repetition_count(2), pia.repetition_count(3)), (2, 2));
        assert_eq!(pia.repetition_count(4), 0);
        assert_eq!(pia.value_at(2, 2, 1), Some("B"));
        assert_eq!(pia.value_at(2, 2, 2), Some("IN"));
        assert_eq!(pia.value(3, 1), Some("C:D"), "released, the separator is data");
        assert_eq!((pia.value(3, 2), pia.value_at(3, 2, 1)), (None, Some("")));
        assert_eq!(pia.components(2).collect::<Vec<_>>(), ["A", "SA"]);
        assert_eq!(pia.components(5).count(), 0);
        let tags: Vec<_> = message.segments().map(|segment| segment.tag()).collect();
        assert_eq!(tags, ["PIA", "UNS"]);
        assert!(message.segment(2).is_none());
    }

    #[test]
    fn values_that_must_be_decoded_read_like_those_that_need_not() {
        let message = message_of("", "UNOC", b"NAD+SU+++Caf\xE9 M?+S+Paris'NAD+BY+++Cafe M?+S+Paris'");
        let [decoded, plain] = [0, 1].map(|index| message.segment(index).unwrap());
        assert_eq!(decoded.value(4, 1), Some("Café M+S"));
        assert_eq!(plain.value(4, 1), Some("Cafe M+S"));
        assert_eq!(decoded.value(5, 1), Some("Paris"));
        assert_eq!(decoded.to_segment().elements, {
            let mut elements = plain.to_segment().elements;
            elements[0] = Element::simple("SU");
            elements[3] = Element::simple("Café M+S");
            elements
        });
    }

    #[test]
    fn messages_are_equal_by_what_they_say_not_by_how_it_was_written() {
        let colons = message_of("UNA:+.? '", "UNOC", b"QTY+21:5:PCE'");
        let bars = message_of("UNA|+.? '", "UNOC", b"QTY+21|5|PCE'");
        assert_eq!(colons, bars);
        assert_ne!(colons, message_of("UNA:+.? '", "UNOC", b"QTY+21:6:PCE'"));
    }

    #[test]
    fn segments_cut_in_one_pass_read_as_through_the_tokenizer() {
        let input: &[u8] = b"UNA:+.?*'UNB+UNOY:4'QTY+21:5:PCE'UNS'UNS+'NAD+BY++::X+'PIA+1+A:SA*B:IN**+:'\
FTX+AAI+++a?+b'NAD+SU+++Caf\xC3\xA9'IMD+F++:::\xE6\x9C\xBA\xE6\xB2\xB9'";
        let plain = PlainBytes::new(Delimiters::VERSION_4, SyntaxIdentifier::Unoy);
        let header = MessageHeader::new("1", "ORDERS", "D", "01B");
        let mut either_way = MessageBuilder::new(MessageSize::default());
        let mut tokenized = MessageBuilder::new(MessageSize::default());
        let mut cut_in_one_pass = 0;
        for raw in Tokenizer::new(input).unwrap().skip(1) {
            let raw = raw.unwrap();
            let mut alone = MessageBuilder::new(MessageSize::default());
            cut_in_one_pass += usize::from(alone.push_plain(&raw, &plain));
            either_way.push(&raw, SyntaxIdentifier::Unoy, &plain).unwrap();
            tokenized.push_decoded(&raw, SyntaxIdentifier::Unoy).unwrap();
        }
        assert_eq!(cut_in_one_pass, 5, "all but the released and the non-ASCII ones");
        let (either_way, _) = either_way.finish(header.clone());
        let (tokenized, _) = tokenized.finish(header);
        assert_eq!(either_way.segments().len(), 8);
        assert_eq!(either_way, tokenized);
        let pia = either_way.segment(4).unwrap();
        assert_eq!(
            (pia.repetition_count(2), pia.value_at(2, 2, 2), pia.value(3, 2)),
            (4, Some("IN"), Some(""))
        );
    }
}

//! The streaming reader: an interchange from any [`BufRead`] as a sequence of events, checking
//! the envelopes as it goes. It holds one segment's bytes at a time and one message's decoded
//! segments at a time, so an interchange of any size is read in the memory of its largest
//! message.

use std::io::{BufRead, Chain, Cursor, Read};

use crate::charset::SyntaxIdentifier;
use crate::delimiters::Delimiters;
use crate::error::{ErrorKind, SyntaxError};
use crate::header::{GroupHeader, InterchangeHeader, MessageHeader, Trailer};
use crate::segment::{Message, MessageBuilder, MessageSize, PlainBytes, Segment};
use crate::tokenizer::{
    blank_length, detect_delimiters, find_terminator, implied_by_version, unterminated, RawSegment,
};
use crate::UNA_LENGTH;

/// What the reader finds, in the order of the interchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// UNB, read and checked.
    InterchangeStart(Box<InterchangeHeader>),
    /// UNG.
    GroupStart(GroupHeader),
    /// UNH to UNT, with the count and reference of UNT checked.
    Message(Message),
    /// UNE, with its count and reference checked.
    GroupEnd,
    /// UNZ, with its count and reference checked and nothing but blanks after it.
    InterchangeEnd,
}

/// An interchange read whole, for inputs small enough to hold: see [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interchange {
    pub delimiters: Delimiters,
    pub header: InterchangeHeader,
    /// Functional groups, if the interchange uses them; then `messages` is empty.
    pub groups: Vec<Group>,
    /// Messages directly in the interchange, if it uses no groups.
    pub messages: Vec<Message>,
}

/// A functional group and its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub header: GroupHeader,
    pub messages: Vec<Message>,
}

/// Reads a whole interchange held in memory.
pub fn parse(input: &[u8]) -> Result<Interchange, SyntaxError> {
    let mut reader = Reader::new(input);
    let mut header = None;
    let mut groups: Vec<Group> = Vec::new();
    let mut messages = Vec::new();
    while let Some(event) = reader.next_event()? {
        match event {
            Event::InterchangeStart(read) => header = Some(*read),
            Event::GroupStart(header) => groups.push(Group {
                header,
                messages: Vec::new(),
            }),
            // The reader has checked that groups and loose messages are not mixed.
            Event::Message(message) => match groups.last_mut() {
                Some(group) => group.messages.push(message),
                None => messages.push(message),
            },
            Event::GroupEnd | Event::InterchangeEnd => {}
        }
    }
    let header = header.ok_or_else(|| SyntaxError::new(ErrorKind::Missing("UNB".into())))?;
    Ok(Interchange {
        delimiters: reader.delimiters(),
        header,
        groups,
        messages,
    })
}

/// The bytes of the input, cut into segments one at a time.
struct SegmentSource<R> {
    /// Bytes read ahead while looking for UNA, then the rest of the input.
    input: Chain<Cursor<Vec<u8>>, R>,
    /// The current segment, terminator excluded, when it was not whole in the input's buffer.
    buffer: Vec<u8>,
    /// Bytes of the input's buffer that the current segment was read from in place.
    read_in_place: usize,
    /// Bytes consumed from the start of the input.
    offset: u64,
    /// Segments read so far.
    number: usize,
    delimiters: Delimiters,
}

impl<R: BufRead> SegmentSource<R> {
    /// Reads up to and including UNA, if there is one, and settles the delimiters.
    fn start(&mut self) -> Result<bool, SyntaxError> {
        let (_, inner) = self.input.get_mut();
        let mut prefix: Vec<u8> = Vec::with_capacity(64);
        let mut skipped = 0_u64;
        loop {
            let noise = crate::delimiters::leading_noise_length(&prefix);
            if prefix.len() >= noise + UNA_LENGTH {
                break;
            }
            if noise == prefix.len() && noise >= 3 {
                // Only blanks so far: forget them, so that a long run of them costs no memory.
                skipped += noise as u64;
                prefix.clear();
            }
            let chunk = inner.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let take = chunk.len().min(64);
            prefix.extend_from_slice(chunk.get(..take).unwrap_or_default());
            inner.consume(take);
        }
        let (delimiters, length, una_present) = detect_delimiters(&prefix).map_err(|error| error.shifted(skipped))?;
        self.delimiters = delimiters;
        self.offset = skipped + length as u64;
        let rest = prefix.get(length..).unwrap_or_default().to_vec();
        let (cursor, _) = self.input.get_mut();
        *cursor = Cursor::new(rest);
        Ok(una_present)
    }

    /// Skips blanks; true if more input follows.
    fn skip_blanks(&mut self) -> Result<bool, SyntaxError> {
        self.input.consume(std::mem::take(&mut self.read_in_place));
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                return Ok(false);
            }
            let blanks = blank_length(chunk);
            let more = blanks < chunk.len();
            self.input.consume(blanks);
            self.offset += blanks as u64;
            if more {
                return Ok(true);
            }
        }
    }

    /// The next segment, or `None` at the end of the input.
    fn next_segment(&mut self) -> Result<Option<RawSegment<'_>>, SyntaxError> {
        if !self.skip_blanks()? {
            return Ok(None);
        }
        let start = self.offset;
        let number = self.number + 1;
        let mut escaped = false;
        // Usually the whole segment is in the input's buffer: then it is read where it stands,
        // and consumed when the next one is read.
        if let Some(end) = find_terminator(self.input.fill_buf()?, &self.delimiters, &mut escaped) {
            self.read_in_place = end + 1;
            self.offset += end as u64 + 1;
            self.number = number;
            let bytes = self.input.fill_buf()?.get(..end).unwrap_or_default();
            return RawSegment::parse(bytes, self.delimiters, number, start).map(Some);
        }
        // Otherwise it is gathered from as many fills of the buffer as it takes.
        self.buffer.clear();
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                return Err(unterminated(number, start, escaped, &self.delimiters));
            }
            // Nothing gathered yet means this is the chunk searched above, which has no end.
            let found = if self.buffer.is_empty() {
                None
            } else {
                find_terminator(chunk, &self.delimiters, &mut escaped)
            };
            match found {
                Some(end) => {
                    self.buffer.extend_from_slice(chunk.get(..end).unwrap_or_default());
                    self.input.consume(end + 1);
                    self.offset += end as u64 + 1;
                    break;
                }
                None => {
                    let length = chunk.len();
                    self.buffer.extend_from_slice(chunk);
                    self.input.consume(length);
                    self.offset += length as u64;
                }
            }
        }
        self.number = number;
        RawSegment::parse(&self.buffer, self.delimiters, number, start).map(Some)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Interchange,
    Group,
    Finished,
}

/// Reads an interchange as [`Event`]s, checking as it goes:
/// - UNA (optional, defaults otherwise) and UNB first, blanks and a byte order mark before them;
/// - UNT's segment count (UNH to UNT inclusive) and reference; UNE's message count and
///   reference; UNZ's count (of groups if there are groups, else of messages) and reference;
/// - groups and loose messages not mixed, nothing but blanks after UNZ, no end without UNZ;
/// - every value in the character set of the syntax identifier.
///
/// The first error ends the reading; later calls return `None`.
pub struct Reader<R> {
    source: SegmentSource<R>,
    state: State,
    syntax: SyntaxIdentifier,
    control_reference: String,
    /// Messages, or groups if the interchange uses them, counted for UNZ.
    interchange_count: u64,
    uses_groups: Option<bool>,
    group_reference: String,
    group_count: u64,
    /// The size of the last message, so that the next is given room for as much at once.
    last_message_size: MessageSize,
    /// What each byte is under the delimiters and character set, known from UNB on.
    plain: PlainBytes,
    /// Where each UNH and UNT is read for a look at its values.
    service_segment: MessageBuilder,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Self {
        Reader {
            source: SegmentSource {
                input: Cursor::new(Vec::new()).chain(input),
                buffer: Vec::with_capacity(256),
                read_in_place: 0,
                offset: 0,
                number: 0,
                delimiters: Delimiters::LEVEL_A,
            },
            state: State::Start,
            syntax: SyntaxIdentifier::Unoa,
            control_reference: String::new(),
            interchange_count: 0,
            uses_groups: None,
            group_reference: String::new(),
            group_count: 0,
            last_message_size: MessageSize::default(),
            plain: PlainBytes::new(Delimiters::LEVEL_A, SyntaxIdentifier::Unoa),
            service_segment: MessageBuilder::new(MessageSize::default()),
        }
    }

    /// The delimiters in force: those of UNA or the defaults, known once UNB has been read.
    pub fn delimiters(&self) -> Delimiters {
        self.source.delimiters
    }

    /// The next event, `None` after UNZ.
    pub fn next_event(&mut self) -> Result<Option<Event>, SyntaxError> {
        let result = self.read_event();
        if result.is_err() {
            self.state = State::Finished;
        }
        result
    }

    fn read_event(&mut self) -> Result<Option<Event>, SyntaxError> {
        if self.state == State::Start {
            return self
                .read_interchange_header()
                .map(|header| Some(Event::InterchangeStart(Box::new(header))));
        }
        if self.state == State::Finished {
            return Ok(None);
        }
        let syntax = self.syntax;
        let Some(raw) = self.source.next_segment()? else {
            let missing = if self.state == State::Group {
                "UNE and UNZ"
            } else {
                "UNZ"
            };
            let error = SyntaxError::new(ErrorKind::Missing(format!("{missing} at the end of the input")));
            return Err(error.at_offset(self.source.offset));
        };
        if raw.tag_bytes() == b"UNH" {
            let unh = self.service_segment.read_alone(&raw, syntax, &self.plain)?;
            if self.uses_groups == Some(true) && self.state == State::Interchange {
                return Err(unh.error(ErrorKind::GroupsAndMessagesMixed, None, None));
            }
            let header = MessageHeader::from_segment(&unh)?;
            let (number, offset) = (unh.number, unh.offset);
            let message = self.read_message(header, number, offset)?;
            if self.state == State::Group {
                self.group_count += 1;
            } else {
                self.uses_groups = Some(false);
                self.interchange_count += 1;
            }
            return Ok(Some(Event::Message(message)));
        }
        let segment = Segment::decode(&raw, syntax)?;
        match (segment.tag.as_str(), self.state) {
            ("UNG", State::Interchange) => {
                if self.uses_groups == Some(false) {
                    return Err(segment.error(ErrorKind::GroupsAndMessagesMixed, None, None));
                }
                let header = GroupHeader::from_segment(&segment)?;
                self.uses_groups = Some(true);
                self.interchange_count += 1;
                self.group_reference = header.reference.clone();
                self.group_count = 0;
                self.state = State::Group;
                Ok(Some(Event::GroupStart(header)))
            }
            ("UNE", State::Group) => {
                let trailer = Trailer::from_segment(&segment, &self.group_reference)?;
                trailer.check_count(&segment, self.group_count)?;
                self.state = State::Interchange;
                Ok(Some(Event::GroupEnd))
            }
            ("UNZ", State::Interchange) => {
                let trailer = Trailer::from_segment(&segment, &self.control_reference)?;
                trailer.check_count(&segment, self.interchange_count)?;
                if self.source.skip_blanks()? {
                    let kind = ErrorKind::NotSupportedInPosition("data after UNZ".into());
                    return Err(SyntaxError::new(kind).at_offset(self.source.offset));
                }
                self.state = State::Finished;
                Ok(Some(Event::InterchangeEnd))
            }
            ("UNZ", State::Group) => Err(segment.error(ErrorKind::Missing("UNE before UNZ".into()), None, None)),
            (tag, _) if tag.starts_with("UN") && tag != "UNS" => {
                let kind = ErrorKind::InvalidServiceSegmentTag(format!("{tag} here"));
                Err(segment.error(kind, None, None))
            }
            (tag, _) => Err(segment.error(ErrorKind::InvalidOccurrenceOutsideMessage(tag.to_owned()), None, None)),
        }
    }

    fn read_interchange_header(&mut self) -> Result<InterchangeHeader, SyntaxError> {
        let una_present = self.source.start()?;
        let detected = self.source.delimiters;
        let Some(raw) = self.source.next_segment()? else {
            return Err(SyntaxError::new(ErrorKind::Missing("UNB".into())).at_offset(self.source.offset));
        };
        if raw.tag() != "UNB" {
            return Err(raw.error(ErrorKind::Missing(format!("UNB, found {}", raw.tag()))));
        }
        let delimiters = implied_by_version(detected, una_present, &raw);
        let code = raw.value(1, 1).map(|value| value.raw()).unwrap_or_default();
        let syntax = SyntaxIdentifier::from_code(&String::from_utf8_lossy(code)).ok_or_else(|| {
            let kind = ErrorKind::SyntaxNotSupported(format!("syntax identifier {:?}", String::from_utf8_lossy(code)));
            raw.error(kind).at_element(1, Some(1))
        })?;
        let header = InterchangeHeader::from_segment(&Segment::decode(&raw, syntax)?)?;
        self.source.delimiters = delimiters;
        self.syntax = syntax;
        self.plain = PlainBytes::new(delimiters, syntax);
        self.control_reference = header.control_reference.clone();
        self.state = State::Interchange;
        Ok(header)
    }

    /// Reads the segments of a message after its UNH (segment `unh_number` at `unh_offset`), up
    /// to and including UNT.
    fn read_message(
        &mut self,
        header: MessageHeader,
        unh_number: usize,
        unh_offset: u64,
    ) -> Result<Message, SyntaxError> {
        let mut message = MessageBuilder::new(self.last_message_size);
        loop {
            let Some(raw) = self.source.next_segment()? else {
                let what = format!("UNT of message {} at the end of the input", header.reference);
                return Err(SyntaxError::new(ErrorKind::Missing(what))
                    .at_segment(unh_number, "UNH")
                    .at_offset(unh_offset));
            };
            match raw.tag_bytes() {
                // Most segments are data; only service segments need a closer look.
                tag if !tag.starts_with(b"UN") => message.push(&raw, self.syntax, &self.plain)?,
                b"UNT" => {
                    let unt = self.service_segment.read_alone(&raw, self.syntax, &self.plain)?;
                    let trailer = Trailer::from_segment(&unt, &header.reference)?;
                    let counted = (unt.number + 1).saturating_sub(unh_number) as u64;
                    trailer.check_count(&unt, counted)?;
                    let (message, size) = message.finish(header);
                    self.last_message_size = size;
                    return Ok(message);
                }
                b"UNH" | b"UNB" | b"UNG" | b"UNE" | b"UNZ" => {
                    let segment = Segment::decode(&raw, self.syntax)?;
                    let what = format!("UNT of message {} before {}", header.reference, segment.tag);
                    return Err(segment.error(ErrorKind::Missing(what), None, None));
                }
                _ => message.push(&raw, self.syntax, &self.plain)?,
            }
        }
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = Result<Event, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_event().transpose()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::io::BufReader;

    const ORDERS: &str = "UNA:+.? '\
UNB+UNOC:3+4012345000009:14+4098765000002:14+240131:0915+IC1'\
UNH+M1+ORDERS:D:96A:UN:EAN008'\
BGM+220+PO 4711+9'\
DTM+137:20240131:102'\
NAD+BY+4012345000009::9'\
LIN+1++4006381333931:EN'\
QTY+21:5:PCE'\
UNS+S'\
UNT+8+M1'\
UNZ+1+IC1'";

    fn error_of(input: &str) -> SyntaxError {
        parse(input.as_bytes()).unwrap_err()
    }

    #[test]
    fn reads_an_orders_interchange() {
        let interchange = parse(ORDERS.as_bytes()).unwrap();
        assert_eq!(interchange.header.control_reference, "IC1");
        assert_eq!(interchange.messages.len(), 1);
        let message = &interchange.messages[0];
        assert_eq!(message.header.message_type, "ORDERS");
        assert_eq!(message.header.association.as_deref(), Some("EAN008"));
        let tags: Vec<_> = message.segments().map(|segment| segment.tag()).collect();
        assert_eq!(tags, ["BGM", "DTM", "NAD", "LIN", "QTY", "UNS"]);
        let qty = message.segment(4).unwrap();
        assert_eq!(qty.value(1, 2), Some("5"));
        assert_eq!(qty.number, 7);
    }

    #[test]
    fn a_wrong_segment_count_is_error_29_at_unt() {
        let error = error_of(&ORDERS.replace("UNT+8+M1", "UNT+7+M1"));
        assert_eq!((error.code(), error.segment(), error.tag()), (29, Some(9), Some("UNT")));
        assert_eq!(
            *error.kind(),
            ErrorKind::ControlCountMismatch {
                declared: 7,
                counted: 8
            }
        );
    }

    #[test]
    fn a_wrong_message_reference_is_error_28() {
        let error = error_of(&ORDERS.replace("UNT+8+M1", "UNT+8+M2"));
        assert_eq!((error.code(), error.segment(), error.element()), (28, Some(9), Some(2)));
    }

    #[test]
    fn a_wrong_interchange_count_or_reference_is_caught_at_unz() {
        let error = error_of(&ORDERS.replace("UNZ+1+IC1", "UNZ+2+IC1"));
        assert_eq!(
            (error.code(), error.segment(), error.tag()),
            (29, Some(10), Some("UNZ"))
        );
        assert_eq!(error_of(&ORDERS.replace("UNZ+1+IC1", "UNZ+1+IC2")).code(), 28);
    }

    #[test]
    fn a_missing_unz_or_unt_is_error_13() {
        let without_unz = ORDERS.replace("UNZ+1+IC1'", "");
        assert_eq!(error_of(&without_unz).code(), 13);
        let without_unt = ORDERS.replace("UNT+8+M1'", "");
        let error = error_of(&without_unt);
        assert_eq!((error.code(), error.tag()), (13, Some("UNZ")));
    }

    #[test]
    fn data_after_unz_is_refused_but_blanks_are_not() {
        assert!(parse(format!("{ORDERS}\r\n\r\n").as_bytes()).is_ok());
        let error = error_of(&format!("{ORDERS}\nUNB+UNOC:3+A+B+240101:1200+2'"));
        assert_eq!((error.code(), error.offset()), (15, Some(ORDERS.len() as u64 + 1)));
    }

    #[test]
    fn line_breaks_and_leading_blanks_are_tolerated() {
        let broken = format!(
            "\u{FEFF}\r\n  {}\r\n",
            ORDERS.replace('\'', "'\r\n").replace("UNA:+.? '\r\n", "UNA:+.? '")
        );
        let interchange = parse(broken.as_bytes()).unwrap();
        assert_eq!(interchange.messages[0].segments().len(), 6);
    }

    #[test]
    fn without_una_the_defaults_apply() {
        let interchange = parse(ORDERS.trim_start_matches("UNA:+.? '").as_bytes()).unwrap();
        assert_eq!(interchange.delimiters, Delimiters::LEVEL_A);
        assert_eq!(interchange.messages.len(), 1);
    }

    #[test]
    fn syntax_4_reads_eight_digit_dates_and_unicode() {
        let input = "UNB+UNOY:4+SENDER+RECIPIENT+20240131:0915+IC1'\
UNH+1+ORDERS:D:01B:UN'NAD+SU+++上海汽车配件有限公司'UNT+3+1'UNZ+1+IC1'";
        let interchange = parse(input.as_bytes()).unwrap();
        assert_eq!(interchange.delimiters.repetition, Some(b'*'));
        assert_eq!(interchange.header.prepared.year, 2024);
        assert_eq!(
            interchange.messages[0].segment(0).unwrap().value(4, 1),
            Some("上海汽车配件有限公司")
        );
    }

    #[test]
    fn unoe_is_read_as_cyrillic() {
        let mut input = b"UNB+UNOE:3+S+R+240131:0915+1'UNH+1+ORDERS:D:96A:UN'NAD+SU+++".to_vec();
        let mut name = Vec::new();
        SyntaxIdentifier::Unoe
            .encode_into("Вектор-Дистрибуция", &mut name)
            .unwrap();
        input.extend_from_slice(&name);
        input.extend_from_slice(b"'UNT+3+1'UNZ+1+1'");
        let interchange = parse(&input).unwrap();
        assert_eq!(
            interchange.messages[0].segment(0).unwrap().value(4, 1),
            Some("Вектор-Дистрибуция")
        );
    }

    #[test]
    fn groups_are_read_and_counted() {
        let input = "UNB+UNOC:3+S+R+240131:0915+IC1'\
UNG+ORDERS+S+R+240131:0915+G1+UN+D:96A'UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'\
UNH+2+ORDERS:D:96A:UN'UNT+2+2'UNE+2+G1'\
UNG+INVOIC+S+R+240131:0915+G2+UN+D:96A'UNH+3+INVOIC:D:96A:UN'UNT+2+3'UNE+1+G2'\
UNZ+2+IC1'";
        let interchange = parse(input.as_bytes()).unwrap();
        assert!(interchange.messages.is_empty());
        assert_eq!(interchange.groups.len(), 2);
        assert_eq!(interchange.groups[0].messages.len(), 2);
        assert_eq!(interchange.groups[1].header.message_group.as_deref(), Some("INVOIC"));
        let error = error_of(&input.replace("UNE+2+G1", "UNE+1+G1"));
        assert_eq!((error.code(), error.tag()), (29, Some("UNE")));
        assert_eq!(error_of(&input.replace("UNE+2+G1", "UNE+2+G9")).code(), 28);
        assert_eq!(error_of(&input.replace("UNZ+2+IC1", "UNZ+3+IC1")).code(), 29);
    }

    #[test]
    fn groups_and_loose_messages_may_not_be_mixed() {
        let input = "UNB+UNOC:3+S+R+240131:0915+IC1'UNH+1+ORDERS:D:96A:UN'UNT+2+1'\
UNG+ORDERS+S+R+240131:0915+G1'UNH+2+ORDERS:D:96A:UN'UNT+2+2'UNE+1+G1'UNZ+2+IC1'";
        assert_eq!(error_of(input).code(), 30);
    }

    #[test]
    fn segments_outside_messages_are_refused() {
        let error = error_of(&ORDERS.replace("UNH+M1+ORDERS:D:96A:UN:EAN008'", ""));
        assert_eq!((error.code(), error.tag()), (33, Some("BGM")));
        let error = error_of(&ORDERS.replace("UNS+S'", "UNS+S'UNH+M2+ORDERS:D:96A:UN'"));
        assert_eq!(error.code(), 13);
    }

    #[test]
    fn something_other_than_unb_first_is_refused() {
        assert_eq!(error_of("UNA:+.? 'UNH+1'").code(), 13);
        assert_eq!(error_of("").code(), 13);
        assert_eq!(error_of("UNB+UNOZ:3+S+R+240101:1200+1'").code(), 2);
    }

    #[test]
    fn an_invalid_character_names_segment_element_and_byte() {
        let input = "UNB+UNOA:3+S+R+240101:1200+1'UNH+1+ORDERS:D:96A:UN'FTX+AAI+++Lower'UNT+3+1'UNZ+1+1'";
        let error = error_of(input);
        assert_eq!(error.code(), 21);
        assert_eq!(
            (error.segment(), error.tag(), error.element(), error.component()),
            (Some(3), Some("FTX"), Some(4), Some(1))
        );
        assert_eq!(error.offset(), Some(input.find("Lower").unwrap() as u64 + 1));
    }

    #[test]
    fn the_stream_reader_gives_the_same_result_through_a_tiny_buffer() {
        let escaped = ORDERS.replace("PO 4711", "PO?'47?+11??");
        for capacity in [1, 2, 3, 7, 64] {
            let reader = Reader::new(BufReader::with_capacity(capacity, escaped.as_bytes()));
            let events: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
            assert_eq!(events.len(), 3, "capacity {capacity}");
            let Event::Message(message) = &events[1] else {
                panic!("{events:?}")
            };
            assert_eq!(message.segment(0).unwrap().value(2, 1), Some("PO'47+11?"));
        }
    }

    #[test]
    fn the_reader_stops_after_the_first_error() {
        let input = ORDERS.replace("UNT+8", "UNT+9");
        let mut reader = Reader::new(input.as_bytes());
        assert!(matches!(reader.next(), Some(Ok(Event::InterchangeStart(_)))));
        assert!(matches!(reader.next(), Some(Err(_))));
        assert!(reader.next().is_none());
    }
}

//! The writer: an interchange written segment by segment to any [`Write`], with the envelopes
//! and their counts produced for the caller, and every service character in data escaped.

use std::io::Write;

use crate::charset::SyntaxIdentifier;
use crate::delimiters::{describe, Delimiters};
use crate::error::{ErrorKind, SyntaxError};
use crate::header::{GroupHeader, InterchangeHeader, MessageHeader, Trailer};
use crate::segment::{Element, Segment};

/// What follows each segment terminator. EDIFACT needs nothing; some partners want line breaks
/// so that people can read the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineBreak {
    #[default]
    None,
    Lf,
    CrLf,
}

/// How to write an interchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriterOptions {
    /// The service characters; `None` takes the defaults of the syntax version.
    pub delimiters: Option<Delimiters>,
    /// Write UNA even when the delimiters are the defaults; many partners expect it. UNA is
    /// always written when the delimiters differ from the defaults.
    pub always_write_una: bool,
    pub line_break: LineBreak,
}

/// Output is handed to the underlying writer in pieces of about this size, so that an unbuffered
/// file or socket costs no system call per segment.
const FLUSH_THRESHOLD: usize = 64 * 1024;

/// Writes one interchange: UNA and UNB when created, UNG/UNE and UNH/UNT around what the caller
/// writes, UNZ in [`finish`](InterchangeWriter::finish), which must be called.
///
/// Trailing empty data elements, components and repetitions are left out, as ISO 9735 asks, so
/// a segment reads back without them.
pub struct InterchangeWriter<W: Write> {
    out: W,
    buffer: Vec<u8>,
    /// The current value in the interchange's character set, before escaping, when it is not
    /// written as it stands.
    scratch: Vec<u8>,
    delimiters: Delimiters,
    /// Which bytes are service characters, to be escaped in data.
    service: [bool; 256],
    syntax: SyntaxIdentifier,
    version: u8,
    line_break: LineBreak,
    control_reference: String,
    /// Segments written, UNA not counted; the current segment is number `written + 1`.
    written: usize,
    /// Where the current segment starts in `buffer`.
    segment_start: usize,
    /// Separators owed: an empty element is only written if a later one is not empty.
    pending_elements: usize,
    /// The open message's reference and the number of its UNH.
    message: Option<(String, usize)>,
    /// The open group's reference and its messages so far.
    group: Option<(String, u64)>,
    /// Messages, or groups if the interchange uses them, for UNZ.
    interchange_count: u64,
    uses_groups: Option<bool>,
}

impl<W: Write> InterchangeWriter<W> {
    /// Starts an interchange, writing UNA (if asked for or needed) and UNB.
    pub fn new(out: W, header: &InterchangeHeader, options: WriterOptions) -> Result<Self, SyntaxError> {
        if !(2..=4).contains(&header.version) {
            let kind = ErrorKind::SyntaxNotSupported(format!("syntax version {}", header.version));
            return Err(SyntaxError::new(kind).at_segment(1, "UNB").at_element(1, Some(2)));
        }
        let defaults = Delimiters::defaults_for_version(header.version);
        let delimiters = options.delimiters.unwrap_or(defaults);
        delimiters.validate()?;
        let mut writer = InterchangeWriter {
            out,
            buffer: Vec::with_capacity(FLUSH_THRESHOLD + 4096),
            scratch: Vec::with_capacity(256),
            delimiters,
            service: std::array::from_fn(|byte| {
                u8::try_from(byte).is_ok_and(|byte| delimiters.is_service_character(byte))
            }),
            syntax: header.syntax,
            version: header.version,
            line_break: options.line_break,
            control_reference: header.control_reference.clone(),
            written: 0,
            segment_start: 0,
            pending_elements: 0,
            message: None,
            group: None,
            interchange_count: 0,
            uses_groups: None,
        };
        if options.always_write_una || delimiters != defaults {
            writer.buffer.extend_from_slice(&delimiters.to_una());
            writer.push_line_break();
        }
        writer.put_segment(&header.to_segment())?;
        Ok(writer)
    }

    /// The delimiters being written.
    pub fn delimiters(&self) -> Delimiters {
        self.delimiters
    }

    /// Opens a functional group (UNG). An interchange has groups or loose messages, not both.
    pub fn begin_group(&mut self, header: &GroupHeader) -> Result<(), SyntaxError> {
        if self.message.is_some() || self.group.is_some() {
            return Err(self.misuse("UNG", "a group cannot begin inside a group or message"));
        }
        if self.uses_groups == Some(false) {
            return Err(self.located("UNG", ErrorKind::GroupsAndMessagesMixed));
        }
        self.put_segment(&header.to_segment(self.version))?;
        self.uses_groups = Some(true);
        self.interchange_count += 1;
        self.group = Some((header.reference.clone(), 0));
        Ok(())
    }

    /// Closes the group with UNE and its message count.
    pub fn end_group(&mut self) -> Result<(), SyntaxError> {
        let (reference, count) = match (&self.group, &self.message) {
            (Some(group), None) => group.clone(),
            _ => return Err(self.misuse("UNE", "no group is open, or a message in it is")),
        };
        self.put_segment(&Trailer::to_segment("UNE", count, &reference))?;
        self.group = None;
        Ok(())
    }

    /// Opens a message (UNH).
    pub fn begin_message(&mut self, header: &MessageHeader) -> Result<(), SyntaxError> {
        if self.message.is_some() {
            return Err(self.misuse("UNH", "the previous message has not ended"));
        }
        if self.group.is_none() && self.uses_groups == Some(true) {
            return Err(self.located("UNH", ErrorKind::GroupsAndMessagesMixed));
        }
        self.put_segment(&header.to_segment())?;
        self.message = Some((header.reference.clone(), self.written));
        Ok(())
    }

    /// Writes a segment of the open message from its elements, each a list of components:
    /// `segment("QTY", &[&["21", "5", "PCE"]])`.
    pub fn segment(&mut self, tag: &str, elements: &[&[&str]]) -> Result<(), SyntaxError> {
        self.check_data_segment(tag)?;
        self.begin_segment(tag);
        let result = elements
            .iter()
            .enumerate()
            .try_for_each(|(index, components)| self.put_element(tag, index + 1, [components.iter().copied()]));
        self.end_segment(result)
    }

    /// Writes a segment of the open message, repetitions included.
    pub fn write_segment(&mut self, segment: &Segment) -> Result<(), SyntaxError> {
        self.check_data_segment(&segment.tag)?;
        self.put_segment(segment)
    }

    /// Closes the message with UNT and its segment count.
    pub fn end_message(&mut self) -> Result<(), SyntaxError> {
        let Some((reference, unh_number)) = self.message.take() else {
            return Err(self.misuse("UNT", "no message is open"));
        };
        let count = (self.written + 2 - unh_number) as u64;
        if let Err(error) = self.put_segment(&Trailer::to_segment("UNT", count, &reference)) {
            self.message = Some((reference, unh_number));
            return Err(error);
        }
        match &mut self.group {
            Some((_, messages)) => *messages += 1,
            None => {
                self.uses_groups = Some(false);
                self.interchange_count += 1;
            }
        }
        Ok(())
    }

    /// Writes a whole message: UNH, its segments, UNT.
    pub fn write_message(&mut self, header: &MessageHeader, segments: &[Segment]) -> Result<(), SyntaxError> {
        self.begin_message(header)?;
        segments.iter().try_for_each(|segment| self.write_segment(segment))?;
        self.end_message()
    }

    /// Ends the interchange with UNZ and its count, and hands back the output, flushed.
    pub fn finish(mut self) -> Result<W, SyntaxError> {
        if self.message.is_some() || self.group.is_some() {
            return Err(self.misuse("UNZ", "a message or group is still open"));
        }
        let reference = self.control_reference.clone();
        self.put_segment(&Trailer::to_segment("UNZ", self.interchange_count, &reference))?;
        self.out.write_all(&self.buffer)?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn check_data_segment(&self, tag: &str) -> Result<(), SyntaxError> {
        if self.message.is_none() {
            return Err(self.misuse(tag, "segments are written inside a message"));
        }
        let well_formed = tag.len() == 3
            && tag
                .bytes()
                .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit());
        if !well_formed || (tag.starts_with("UN") && tag != "UNS") {
            return Err(self.located(tag, ErrorKind::InvalidServiceSegmentTag(tag.to_owned())));
        }
        Ok(())
    }

    fn put_segment(&mut self, segment: &Segment) -> Result<(), SyntaxError> {
        self.begin_segment(&segment.tag);
        let result = segment
            .elements
            .iter()
            .enumerate()
            .try_for_each(|(index, element): (usize, &Element)| {
                self.put_element(
                    &segment.tag,
                    index + 1,
                    element
                        .repetitions
                        .iter()
                        .map(|components| components.iter().map(String::as_str)),
                )
            });
        self.end_segment(result)
    }

    fn begin_segment(&mut self, tag: &str) {
        self.segment_start = self.buffer.len();
        self.buffer.extend_from_slice(tag.as_bytes());
        self.pending_elements = 0;
    }

    /// Writes one data element of the segment `tag`, leaving out trailing empty repetitions and
    /// components and keeping empty elements owed until a later one has content.
    fn put_element<'s, C>(
        &mut self,
        tag: &str,
        position: usize,
        repetitions: impl IntoIterator<Item = C>,
    ) -> Result<(), SyntaxError>
    where
        C: IntoIterator<Item = &'s str>,
    {
        let element_start = self.buffer.len();
        self.pending_elements += 1;
        for _ in 0..self.pending_elements {
            self.buffer.push(self.delimiters.element);
        }
        let content_start = self.buffer.len();
        let mut pending_repetitions = 0;
        for (repetition, components) in repetitions.into_iter().enumerate() {
            if repetition > 0 {
                pending_repetitions += 1;
            }
            let mut pending_components = 0;
            for (index, text) in components.into_iter().enumerate() {
                if index > 0 {
                    pending_components += 1;
                }
                if text.is_empty() {
                    continue;
                }
                if pending_repetitions > 0 {
                    let Some(separator) = self.delimiters.repetition else {
                        let kind = ErrorKind::TooManyRepetitions;
                        return Err(self.located(tag, kind).at_element(position, None));
                    };
                    // Owed separators are one or two: pushed, rather than filled by a call.
                    for _ in 0..pending_repetitions {
                        self.buffer.push(separator);
                    }
                    pending_repetitions = 0;
                }
                for _ in 0..pending_components {
                    self.buffer.push(self.delimiters.component);
                }
                pending_components = 0;
                self.put_value(tag, text, position, index + 1)?;
            }
        }
        if self.buffer.len() == content_start {
            self.buffer.truncate(element_start);
        } else {
            self.pending_elements = 0;
        }
        Ok(())
    }

    /// Writes one value in the interchange's character set, with every service character
    /// preceded by the release character.
    fn put_value(&mut self, tag: &str, text: &str, element: usize, component: usize) -> Result<(), SyntaxError> {
        // Most values are text that the character set holds byte for byte, such as ASCII in
        // UNOC: those are escaped from where they stand, others are encoded into `scratch` first.
        let bytes = if self.syntax.writes_as_it_stands(text) {
            text.as_bytes()
        } else {
            self.scratch.clear();
            if let Err(error) = self.syntax.encode_into(text, &mut self.scratch) {
                let kind =
                    ErrorKind::InvalidCharacter(format!("{}, at character {}", error.description, error.position + 1));
                return Err(self.located(tag, kind).at_element(element, Some(component)));
            }
            &self.scratch
        };
        if let Err(byte) = escape_into(&mut self.buffer, bytes, &self.service, self.delimiters.release) {
            let kind = ErrorKind::InvalidCharacter(format!(
                "{} is a service character and there is no release character to escape it",
                describe(byte)
            ));
            return Err(self.located(tag, kind).at_element(element, Some(component)));
        }
        Ok(())
    }

    /// Terminates the current segment, or takes it back if writing it failed.
    fn end_segment(&mut self, result: Result<(), SyntaxError>) -> Result<(), SyntaxError> {
        if let Err(error) = result {
            self.buffer.truncate(self.segment_start);
            return Err(error);
        }
        self.buffer.push(self.delimiters.segment);
        self.push_line_break();
        self.written += 1;
        if self.buffer.len() >= FLUSH_THRESHOLD {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    fn push_line_break(&mut self) {
        match self.line_break {
            LineBreak::None => {}
            LineBreak::Lf => self.buffer.push(b'\n'),
            LineBreak::CrLf => self.buffer.extend_from_slice(b"\r\n"),
        }
    }

    fn located(&self, tag: &str, kind: ErrorKind) -> SyntaxError {
        SyntaxError::new(kind).at_segment(self.written + 1, tag)
    }

    fn misuse(&self, tag: &str, what: &str) -> SyntaxError {
        self.located(tag, ErrorKind::NotSupportedInPosition(what.to_owned()))
    }
}

/// Appends `bytes` to `out` with every service character preceded by the release character.
/// Without a release character, the first service character is an error. Values are short, so
/// they are copied byte by byte, with room made once.
#[inline]
fn escape_into(out: &mut Vec<u8>, bytes: &[u8], service: &[bool; 256], release: Option<u8>) -> Result<(), u8> {
    out.reserve(bytes.len());
    for &byte in bytes {
        if service[usize::from(byte)] {
            out.push(release.ok_or(byte)?);
        }
        out.push(byte);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::header::{DateTime, Party};
    use crate::reader::parse;

    fn header(syntax: SyntaxIdentifier, version: u8) -> InterchangeHeader {
        let prepared = DateTime {
            year: 2024,
            month: 1,
            day: 31,
            hour: 9,
            minute: 15,
        };
        InterchangeHeader::new(
            syntax,
            version,
            Party::new("4012345000009", Some("14")),
            Party::new("4098765000002", Some("14")),
            prepared,
            "IC1",
        )
    }

    fn write(
        syntax: SyntaxIdentifier,
        version: u8,
        options: WriterOptions,
        body: impl FnOnce(&mut InterchangeWriter<Vec<u8>>) -> Result<(), SyntaxError>,
    ) -> Result<Vec<u8>, SyntaxError> {
        let mut writer = InterchangeWriter::new(Vec::new(), &header(syntax, version), options)?;
        body(&mut writer)?;
        writer.finish()
    }

    fn orders(writer: &mut InterchangeWriter<Vec<u8>>) -> Result<(), SyntaxError> {
        writer.begin_message(&MessageHeader::new("M1", "ORDERS", "D", "96A"))?;
        writer.segment("BGM", &[&["220"], &["PO 4711"], &["9"]])?;
        writer.segment("QTY", &[&["21", "5", "PCE"]])?;
        writer.end_message()
    }

    #[test]
    fn writes_envelopes_with_counts_and_references() {
        let bytes = write(SyntaxIdentifier::Unoc, 3, WriterOptions::default(), orders).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "UNB+UNOC:3+4012345000009:14+4098765000002:14+240131:0915+IC1'\
UNH+M1+ORDERS:D:96A:UN'BGM+220+PO 4711+9'QTY+21:5:PCE'UNT+4+M1'UNZ+1+IC1'"
        );
    }

    #[test]
    fn una_and_line_breaks_on_request() {
        let options = WriterOptions {
            always_write_una: true,
            line_break: LineBreak::CrLf,
            ..WriterOptions::default()
        };
        let text = String::from_utf8(write(SyntaxIdentifier::Unoc, 3, options, orders).unwrap()).unwrap();
        assert!(text.starts_with("UNA:+.? '\r\nUNB+UNOC:3+"), "{text}");
        assert!(text.ends_with("UNT+4+M1'\r\nUNZ+1+IC1'\r\n"), "{text}");
        assert_eq!(parse(text.as_bytes()).unwrap().messages.len(), 1);
    }

    #[test]
    fn una_is_written_when_the_delimiters_are_not_the_defaults() {
        let delimiters = Delimiters {
            decimal: b',',
            ..Delimiters::LEVEL_A
        };
        let options = WriterOptions {
            delimiters: Some(delimiters),
            ..WriterOptions::default()
        };
        let bytes = write(SyntaxIdentifier::Unoc, 3, options, orders).unwrap();
        assert!(bytes.starts_with(b"UNA:+,? 'UNB"));
    }

    #[test]
    fn syntax_4_writes_eight_digit_dates() {
        let text =
            String::from_utf8(write(SyntaxIdentifier::Unoy, 4, WriterOptions::default(), orders).unwrap()).unwrap();
        assert!(
            text.starts_with("UNB+UNOY:4+4012345000009:14+4098765000002:14+20240131:0915+IC1'"),
            "{text}"
        );
    }

    #[test]
    fn every_service_character_is_escaped_the_release_character_included() {
        let bytes = write(SyntaxIdentifier::Unoc, 4, WriterOptions::default(), |writer| {
            writer.begin_message(&MessageHeader::new("1", "ORDERS", "D", "01B"))?;
            writer.segment("FTX", &[&["AAI"], &[], &[], &["a:b+c'd?e*f"]])?;
            writer.end_message()
        })
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("FTX+AAI+++a?:b?+c?'d??e?*f'"), "{text}");
        let interchange = parse(text.as_bytes()).unwrap();
        assert_eq!(
            interchange.messages[0].segment(0).unwrap().value(4, 1),
            Some("a:b+c'd?e*f")
        );
    }

    #[test]
    fn trailing_empty_elements_and_components_are_left_out() {
        let text = String::from_utf8(
            write(SyntaxIdentifier::Unoc, 3, WriterOptions::default(), |writer| {
                writer.begin_message(&MessageHeader::new("1", "ORDERS", "D", "96A"))?;
                writer.segment("NAD", &[&["BY"], &["", ""], &["X", "", ""], &[""], &[]])?;
                writer.end_message()
            })
            .unwrap(),
        )
        .unwrap();
        assert!(text.contains("NAD+BY++X'"), "{text}");
    }

    #[test]
    fn text_the_character_set_cannot_hold_is_refused_with_its_place() {
        let error = write(SyntaxIdentifier::Unoa, 3, WriterOptions::default(), |writer| {
            writer.begin_message(&MessageHeader::new("1", "ORDERS", "D", "96A"))?;
            writer.segment("NAD", &[&["BY"], &["ACME", "Müller"]])?;
            writer.end_message()
        })
        .unwrap_err();
        assert_eq!((error.code(), error.segment(), error.tag()), (21, Some(3), Some("NAD")));
        assert_eq!((error.element(), error.component()), (Some(2), Some(2)));
    }

    #[test]
    fn text_that_is_encoded_first_is_escaped_as_plain_text_is() {
        for (syntax, version, text, written) in [
            (SyntaxIdentifier::Unoc, 3, "Café+Co:1", &b"Caf\xE9?+Co?:1"[..]),
            (SyntaxIdentifier::Unoy, 4, "机油+滤*", "机油?+滤?*".as_bytes()),
            (SyntaxIdentifier::Unoc, 3, "Cafe+Co:1", b"Cafe?+Co?:1"),
        ] {
            let bytes = write(syntax, version, WriterOptions::default(), |writer| {
                writer.begin_message(&MessageHeader::new("1", "ORDERS", "D", "96A"))?;
                writer.segment("FTX", &[&["AAI"], &[], &[], &[text]])?;
                writer.end_message()
            })
            .unwrap();
            let mut segment = b"FTX+AAI+++".to_vec();
            segment.extend_from_slice(written);
            assert!(bytes.windows(segment.len()).any(|window| window == segment), "{text}");
            let interchange = parse(&bytes).unwrap();
            assert_eq!(interchange.messages[0].segment(0).unwrap().value(4, 1), Some(text));
        }
    }

    #[test]
    fn cyrillic_is_written_in_unoe() {
        let bytes = write(SyntaxIdentifier::Unoe, 3, WriterOptions::default(), |writer| {
            writer.begin_message(&MessageHeader::new("1", "ORDERS", "D", "96A"))?;
            writer.segment("NAD", &[&["SU"], &[], &[], &["Вектор-Дистрибуция"]])?;
            writer.end_message()
        })
        .unwrap();
        assert!(bytes.windows(6).any(|window| window == [b'+', 178, 213, 218, 226, 222]));
        let interchange = parse(&bytes).unwrap();
        assert_eq!(
            interchange.messages[0].segment(0).unwrap().value(4, 1),
            Some("Вектор-Дистрибуция")
        );
    }

    #[test]
    fn groups_are_counted_in_une_and_unz() {
        let bytes = write(SyntaxIdentifier::Unoc, 3, WriterOptions::default(), |writer| {
            let group = GroupHeader {
                message_group: Some("ORDERS".into()),
                reference: "G1".into(),
                ..GroupHeader::default()
            };
            writer.begin_group(&group)?;
            orders(writer)?;
            orders(writer)?;
            writer.end_group()
        })
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.ends_with("UNE+2+G1'UNZ+1+IC1'"), "{text}");
        assert_eq!(parse(text.as_bytes()).unwrap().groups[0].messages.len(), 2);
    }

    #[test]
    fn misuse_is_an_error_not_a_panic() {
        let outside = write(SyntaxIdentifier::Unoc, 3, WriterOptions::default(), |writer| {
            writer.segment("BGM", &[&["220"]])
        });
        assert_eq!(outside.unwrap_err().code(), 15);
        let service = write(SyntaxIdentifier::Unoc, 3, WriterOptions::default(), |writer| {
            writer.begin_message(&MessageHeader::new("1", "ORDERS", "D", "96A"))?;
            writer.segment("UNT", &[&["2"], &["1"]])
        });
        assert_eq!(service.unwrap_err().code(), 22);
        let open = write(SyntaxIdentifier::Unoc, 3, WriterOptions::default(), |writer| {
            writer.begin_message(&MessageHeader::new("1", "ORDERS", "D", "96A"))
        });
        assert_eq!(open.unwrap_err().code(), 15);
        let mixed = write(SyntaxIdentifier::Unoc, 3, WriterOptions::default(), |writer| {
            orders(writer)?;
            writer.begin_group(&GroupHeader {
                reference: "G1".into(),
                ..GroupHeader::default()
            })
        });
        assert_eq!(mixed.unwrap_err().code(), 30);
        let version = InterchangeWriter::new(Vec::new(), &header(SyntaxIdentifier::Unoc, 1), WriterOptions::default());
        assert_eq!(version.err().map(|error| error.code()), Some(2));
    }

    #[test]
    fn repetitions_need_syntax_4() {
        let segment = Segment::new(
            "PCI",
            vec![Element {
                repetitions: vec![vec!["a".into()], vec!["b".into()]],
            }],
        );
        let text = String::from_utf8(
            write(SyntaxIdentifier::Unoc, 4, WriterOptions::default(), |writer| {
                writer.begin_message(&MessageHeader::new("1", "ORDERS", "D", "01B"))?;
                writer.write_segment(&segment)?;
                writer.end_message()
            })
            .unwrap(),
        )
        .unwrap();
        assert!(text.contains("PCI+a*b'"), "{text}");
        let error = write(SyntaxIdentifier::Unoc, 3, WriterOptions::default(), |writer| {
            writer.begin_message(&MessageHeader::new("1", "ORDERS", "D", "96A"))?;
            writer.write_segment(&segment)
        })
        .unwrap_err();
        assert_eq!(error.code(), 35);
    }

    #[test]
    fn without_a_release_character_service_characters_cannot_be_written() {
        let delimiters = Delimiters {
            release: None,
            ..Delimiters::LEVEL_A
        };
        let options = WriterOptions {
            delimiters: Some(delimiters),
            ..WriterOptions::default()
        };
        let error = write(SyntaxIdentifier::Unoc, 3, options, |writer| {
            writer.begin_message(&MessageHeader::new("1", "ORDERS", "D", "96A"))?;
            writer.segment("FTX", &[&["a+b"]])
        })
        .unwrap_err();
        assert_eq!(error.code(), 21);
    }
}

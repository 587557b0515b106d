//! Property tests: random messages written and read back unchanged, in every character set and
//! with default and unusual delimiters; and no input, however broken, makes the reader panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use edifact::{
    parse, DateTime, Delimiters, Element, InterchangeHeader, InterchangeWriter, LineBreak, MessageHeader, Party,
    Reader, Segment, SyntaxIdentifier, Tokenizer, WriterOptions,
};
use proptest::prelude::*;

/// Characters of each set, the service characters (default and unusual) among them.
fn alphabet(syntax: SyntaxIdentifier) -> Vec<char> {
    let text = match syntax {
        SyntaxIdentifier::Unoa => "AZ09 .,-()/='+:?!\"%&*;<>",
        SyntaxIdentifier::Unob => "aZ09 '+:?*|^\\~#@",
        SyntaxIdentifier::Unoc => "aZ0 '+:?*|^\\~éÜß",
        SyntaxIdentifier::Unod => "aZ0 '+:?*|^\\~ŁódźĄ",
        SyntaxIdentifier::Unoe => "aZ0 '+:?*|^\\~ВектрДиб№§ё",
        SyntaxIdentifier::Unof => "aZ0 '+:?*|^\\~Αθήνα€",
        _ => "aZ0 '+:?*|^\\~上海汽车Ж",
    };
    text.chars().collect()
}

fn text(syntax: SyntaxIdentifier) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(alphabet(syntax)), 0..6).prop_map(|chars| chars.into_iter().collect())
}

fn element(syntax: SyntaxIdentifier, repeats: bool) -> impl Strategy<Value = Element> {
    let repetitions = if repeats { 1..3_usize } else { 1..2_usize };
    prop::collection::vec(prop::collection::vec(text(syntax), 1..4), repetitions)
        .prop_map(|repetitions| Element { repetitions })
}

fn segment(syntax: SyntaxIdentifier, repeats: bool) -> impl Strategy<Value = Segment> {
    let tag = "[A-TV-Z][A-Z0-9]{2}";
    (tag, prop::collection::vec(element(syntax, repeats), 0..5)).prop_map(|(tag, elements)| Segment::new(tag, elements))
}

/// What the reader gives back for a segment the writer wrote: trailing empty components,
/// repetitions and elements are left out by the writer, as ISO 9735 asks.
fn normalized(segment: &Segment) -> (String, Vec<Element>) {
    let mut elements: Vec<Element> = segment
        .elements
        .iter()
        .map(|element| {
            let mut repetitions: Vec<Vec<String>> = element
                .repetitions
                .iter()
                .map(|components| {
                    let mut components = components.clone();
                    while components.len() > 1 && components.last().is_some_and(String::is_empty) {
                        components.pop();
                    }
                    components
                })
                .collect();
            while repetitions.len() > 1 && repetitions.last().is_some_and(|last| last == &[String::new()]) {
                repetitions.pop();
            }
            Element { repetitions }
        })
        .collect();
    while elements.last().is_some_and(Element::is_empty) {
        elements.pop();
    }
    (segment.tag.clone(), elements)
}

#[derive(Debug, Clone)]
struct Case {
    syntax: SyntaxIdentifier,
    version: u8,
    delimiters: Option<Delimiters>,
    line_break: LineBreak,
    always_write_una: bool,
    control_reference: String,
    messages: Vec<Vec<Segment>>,
}

fn case() -> impl Strategy<Value = Case> {
    let syntaxes = prop::sample::select(SyntaxIdentifier::ALL.to_vec());
    (
        syntaxes,
        prop::bool::ANY,
        0..3_usize,
        0..3_usize,
        prop::bool::ANY,
        "[A-Z0-9]{1,14}",
    )
        .prop_flat_map(
            |(syntax, version_4, delimiters, line_break, always_write_una, control_reference)| {
                let version = if version_4 || syntax.is_unicode() { 4 } else { 3 };
                let delimiters = match delimiters {
                    // Level A has no room for unusual separators.
                    1 if syntax != SyntaxIdentifier::Unoa => {
                        let repetition = (version == 4).then_some(b'~');
                        Some(Delimiters {
                            component: b'|',
                            element: b'^',
                            decimal: b',',
                            release: Some(b'\\'),
                            repetition,
                            segment: b'#',
                        })
                    }
                    2 => Some(Delimiters {
                        segment: b'\n',
                        ..Delimiters::defaults_for_version(version)
                    }),
                    _ => None,
                };
                let line_break = [LineBreak::None, LineBreak::Lf, LineBreak::CrLf][line_break];
                let messages = prop::collection::vec(prop::collection::vec(segment(syntax, version == 4), 0..6), 1..4);
                messages.prop_map(move |messages| Case {
                    syntax,
                    version,
                    delimiters,
                    line_break,
                    always_write_una,
                    control_reference: control_reference.clone(),
                    messages,
                })
            },
        )
}

fn write(case: &Case) -> Vec<u8> {
    let prepared = DateTime {
        year: 2024,
        month: 2,
        day: 29,
        hour: 23,
        minute: 59,
    };
    let header = InterchangeHeader::new(
        case.syntax,
        case.version,
        Party::new("SENDER", Some("14")),
        Party::new("RECIPIENT", None),
        prepared,
        &case.control_reference,
    );
    let options = WriterOptions {
        delimiters: case.delimiters,
        always_write_una: case.always_write_una,
        line_break: case.line_break,
    };
    let mut writer = InterchangeWriter::new(Vec::new(), &header, options).unwrap();
    for (index, segments) in case.messages.iter().enumerate() {
        let header = MessageHeader::new(&format!("M{index}"), "ORDERS", "D", "96A");
        writer.write_message(&header, segments).unwrap();
    }
    writer.finish().unwrap()
}

proptest! {
    // No regression files: the crate has no place for them, and the cases are cheap to rerun.
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn messages_written_are_read_back_unchanged(case in case()) {
        let bytes = write(&case);
        let interchange = parse(&bytes).unwrap_or_else(|error| panic!("{error}\n{}", String::from_utf8_lossy(&bytes)));
        prop_assert_eq!(interchange.header.syntax, case.syntax);
        prop_assert_eq!(interchange.header.version, case.version);
        prop_assert_eq!(&interchange.header.control_reference, &case.control_reference);
        prop_assert_eq!(interchange.messages.len(), case.messages.len());
        for (read, written) in interchange.messages.iter().zip(&case.messages) {
            let read: Vec<_> = read.segments().map(|segment| normalized(&segment.to_segment())).collect();
            let written: Vec<_> = written.iter().map(normalized).collect();
            prop_assert_eq!(read, written);
        }
    }

    #[test]
    fn arbitrary_bytes_never_make_the_reader_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse(&bytes);
        if let Ok(tokenizer) = Tokenizer::new(&bytes) {
            for segment in tokenizer.flatten() {
                segment.values().for_each(|value| drop(value.unescaped()));
            }
        }
    }

    #[test]
    fn damaged_interchanges_never_make_the_reader_panic(
        case in case(),
        damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = write(&case);
        for (index, byte) in damage {
            let at = index.index(bytes.len());
            bytes[at] = byte;
        }
        let _ = parse(&bytes);
        let _ = parse(&bytes[..cut.index(bytes.len())]);
        let reader = Reader::new(std::io::BufReader::with_capacity(7, bytes.as_slice()));
        for event in reader {
            if event.is_err() {
                break;
            }
        }
    }
}

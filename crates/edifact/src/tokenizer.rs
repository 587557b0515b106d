//! Zero-copy tokenizing: an interchange in memory cut into segments, and a segment into its
//! values, without copying a byte unless a value holds the release character.
//!
//! Both cuts are single forward passes over the bytes with no allocation; the streaming reader
//! uses the same two functions, so the slice and stream paths cannot disagree.

use std::borrow::Cow;

use crate::delimiters::{describe, leading_noise_length, Delimiters, UNA_LENGTH};
use crate::error::{ErrorKind, SyntaxError};
use crate::scan::{lane, ByteSet};

pub(crate) const TAG_LENGTH: usize = 3;

/// One segment as it stands in the input, without its terminator.
#[derive(Debug, Clone, Copy)]
pub struct RawSegment<'a> {
    /// 1-based number of the segment in the interchange; UNB is 1, UNA is not counted.
    pub number: usize,
    /// Byte offset of the tag from the start of the input.
    pub offset: u64,
    /// The tag, three upper-case letters or digits, and the rest of the segment.
    bytes: &'a [u8],
    delimiters: Delimiters,
}

/// One value of a segment: a component of an occurrence of a data element, with its place.
#[derive(Debug, Clone, Copy)]
pub struct RawValue<'a> {
    /// 1-based position of the data element after the tag.
    pub element: usize,
    /// 1-based occurrence of a repeating data element (syntax 4); 1 for most.
    pub repetition: usize,
    /// 1-based position of the component in the element; 1 for a simple data element.
    pub component: usize,
    /// Byte offset of the value from the start of the input.
    pub offset: u64,
    bytes: &'a [u8],
    escaped: bool,
    release: Option<u8>,
}

impl<'a> RawSegment<'a> {
    /// Cuts the tag from a segment's bytes (terminator excluded). The tag must be three upper-case
    /// letters or digits.
    #[inline]
    pub fn parse(bytes: &'a [u8], delimiters: Delimiters, number: usize, offset: u64) -> Result<Self, SyntaxError> {
        let (tag, body) = bytes.split_at(bytes.len().min(TAG_LENGTH));
        let well_formed = tag.len() == TAG_LENGTH
            && tag
                .iter()
                .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
            && body.first().is_none_or(|&byte| byte == delimiters.element)
            && !tag.contains(&delimiters.element);
        if !well_formed {
            return Err(malformed_tag(bytes, delimiters.element, number, offset));
        }
        Ok(RawSegment {
            number,
            offset,
            bytes,
            delimiters,
        })
    }

    /// The tag, such as "UNH" or "QTY".
    pub fn tag(&self) -> &'a str {
        // The tag was checked to be ASCII in `parse`.
        std::str::from_utf8(self.tag_bytes()).unwrap_or_default()
    }

    /// The tag as bytes, for a look that does not need it as text.
    #[inline]
    pub(crate) fn tag_bytes(&self) -> &'a [u8] {
        self.bytes.get(..TAG_LENGTH).unwrap_or_default()
    }

    /// The tag and everything after it, as they stand.
    #[inline]
    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Everything after the tag: empty, or starting with the element separator.
    #[inline]
    fn body(&self) -> &'a [u8] {
        self.bytes.get(TAG_LENGTH..).unwrap_or_default()
    }

    /// The values of the segment in order, each with its element, repetition and component.
    #[inline]
    pub fn values(&self) -> RawValues<'a> {
        RawValues::new(self.body(), self.delimiters, self.body_offset())
    }

    /// The first value at `element` and `component` (1-based), if the segment has it.
    pub fn value(&self, element: usize, component: usize) -> Option<RawValue<'a>> {
        self.values()
            .find(|value| value.element == element && value.component == component && value.repetition == 1)
    }

    /// Byte offset from the start of the input of everything after the tag.
    fn body_offset(&self) -> u64 {
        self.offset + TAG_LENGTH as u64
    }

    pub(crate) fn delimiters(&self) -> Delimiters {
        self.delimiters
    }

    /// An error located at this segment.
    pub fn error(&self, kind: ErrorKind) -> SyntaxError {
        SyntaxError::new(kind)
            .at_segment(self.number, self.tag())
            .at_offset(self.offset)
    }
}

impl<'a> RawValue<'a> {
    /// The bytes as they stand, release characters included.
    #[inline]
    pub fn raw(&self) -> &'a [u8] {
        self.bytes
    }

    /// The bytes with release characters removed; borrowed unless there was one to remove.
    #[inline]
    pub fn unescaped(&self) -> Cow<'a, [u8]> {
        match (self.escaped, self.release) {
            (true, Some(release)) => Cow::Owned(unescape(self.bytes, release)),
            _ => Cow::Borrowed(self.bytes),
        }
    }

    /// Whether the value holds a release character.
    pub(crate) fn is_escaped(&self) -> bool {
        self.escaped
    }

    /// Byte offset within the raw value of the byte that is at `position` once unescaped, so that
    /// an error found in unescaped text points at the right byte of the input.
    pub fn raw_position(&self, position: usize) -> usize {
        let Some(release) = self.release.filter(|_| self.escaped) else {
            return position;
        };
        let mut raw = 0;
        let mut unescaped = 0;
        while unescaped < position && raw < self.bytes.len() {
            raw += if self.bytes.get(raw) == Some(&release) { 2 } else { 1 };
            unescaped += 1;
        }
        if self.bytes.get(raw) == Some(&release) {
            raw += 1;
        }
        raw
    }
}

/// Error 22 for a segment whose tag, everything before the first element separator, is not
/// three upper-case letters or digits.
#[cold]
fn malformed_tag(bytes: &[u8], element: u8, number: usize, offset: u64) -> SyntaxError {
    let tag_length = bytes.iter().position(|&byte| byte == element).unwrap_or(bytes.len());
    let shown = String::from_utf8_lossy(bytes.get(..tag_length.min(20)).unwrap_or_default()).into_owned();
    SyntaxError::new(ErrorKind::InvalidServiceSegmentTag(shown))
        .at_segment_number(number)
        .at_offset(offset)
}

/// The bytes with each release character dropped and the byte after it kept as it is.
fn unescape(bytes: &[u8], release: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut bytes = bytes.iter();
    while let Some(&byte) = bytes.next() {
        if byte == release {
            // The release character stands for the byte after it.
            if let Some(&next) = bytes.next() {
                out.push(next);
            }
        } else {
            out.push(byte);
        }
    }
    out
}

/// Iterator over the values of a segment; see [`RawSegment::values`].
#[derive(Debug, Clone)]
pub struct RawValues<'a> {
    body: &'a [u8],
    /// Where the next value starts.
    start: usize,
    element: usize,
    repetition: usize,
    component: usize,
    done: bool,
    delimiters: Delimiters,
    separators: ByteSet<4>,
    /// Where the word of eight bytes being looked at starts in `body`, and the separators and
    /// release characters in it not yet dealt with.
    word: usize,
    matches: u64,
    /// Bytes before this are data even if they look like separators: the element separator
    /// that starts the body, or a byte after a release character.
    data_until: usize,
    base_offset: u64,
}

impl<'a> RawValues<'a> {
    #[inline]
    fn new(body: &'a [u8], delimiters: Delimiters, base_offset: u64) -> Self {
        let Delimiters {
            component,
            element,
            release,
            repetition,
            ..
        } = delimiters;
        let separators = ByteSet::new([
            component,
            element,
            release.unwrap_or(component),
            repetition.unwrap_or(component),
        ]);
        RawValues {
            body,
            start: 1,
            element: 1,
            repetition: 1,
            component: 1,
            done: body.is_empty(),
            delimiters,
            separators,
            word: 0,
            matches: separators.matches_at(body, 0),
            data_until: 1,
            base_offset,
        }
    }

    /// The next separator or release character from the words of the body, `None` at its end.
    #[inline]
    fn next_match(&mut self) -> Option<usize> {
        while self.matches == 0 {
            self.word += 8;
            if self.word >= self.body.len() {
                return None;
            }
            self.matches = self.separators.matches_at(self.body, self.word);
        }
        let index = self.word + lane(self.matches);
        // The lowest match is dealt with.
        self.matches &= self.matches - 1;
        Some(index)
    }
}

impl<'a> Iterator for RawValues<'a> {
    type Item = RawValue<'a>;

    // Called once per value, and returning a value through memory costs as much as finding it.
    #[inline(always)]
    fn next(&mut self) -> Option<RawValue<'a>> {
        if self.done {
            return None;
        }
        let start = self.start;
        let mut escaped = false;
        let (end, separator) = loop {
            let Some(index) = self.next_match() else {
                break (self.body.len(), None);
            };
            if index < self.data_until {
                continue;
            }
            let byte = self.body.get(index).copied();
            if byte == self.delimiters.release {
                escaped = true;
                // The byte after the release character is data, whatever it is.
                self.data_until = index + 2;
                continue;
            }
            break (index, byte);
        };
        let value = RawValue {
            element: self.element,
            repetition: self.repetition,
            component: self.component,
            offset: self.base_offset + start as u64,
            bytes: self.body.get(start..end).unwrap_or_default(),
            escaped,
            release: self.delimiters.release,
        };
        match separator {
            None => self.done = true,
            Some(byte) if byte == self.delimiters.component => self.component += 1,
            Some(byte) if byte == self.delimiters.element => {
                self.element += 1;
                self.repetition = 1;
                self.component = 1;
            }
            Some(_) => {
                self.repetition += 1;
                self.component = 1;
            }
        }
        self.start = end + 1;
        Some(value)
    }
}

/// Finds the segment terminator in `input` that is not escaped by the release character.
/// `escaped` carries over a release character that was the last byte of the previous chunk, so
/// the streaming reader can call this on successive buffers.
#[inline]
pub(crate) fn find_terminator(input: &[u8], delimiters: &Delimiters, escaped: &mut bool) -> Option<usize> {
    let mut index = 0;
    if *escaped {
        if input.is_empty() {
            return None;
        }
        *escaped = false;
        index = 1;
    }
    let terminator = delimiters.segment;
    let release = delimiters.release.unwrap_or(terminator);
    let search = ByteSet::new([terminator, release]);
    loop {
        let found = search.find(input, index)?;
        if input.get(found) == Some(&terminator) {
            return Some(found);
        }
        if found + 1 >= input.len() {
            *escaped = true;
            return None;
        }
        index = found + 2;
    }
}

/// Number of blank bytes (line breaks, spaces, tabs) at the start of `input`: partners put line
/// breaks after segment terminators, and they carry no meaning.
#[inline]
pub(crate) fn blank_length(input: &[u8]) -> usize {
    input.iter().take_while(|byte| byte.is_ascii_whitespace()).count()
}

/// The delimiters of an interchange: those of its UNA if it has one, otherwise the defaults of
/// syntax level B (if the byte after "UNB" is IS3) or of level A. Returns them with the length of
/// everything before UNB (noise and UNA).
pub(crate) fn detect_delimiters(start: &[u8]) -> Result<(Delimiters, usize, bool), SyntaxError> {
    let noise = leading_noise_length(start);
    let rest = start.get(noise..).unwrap_or_default();
    if rest.starts_with(b"UNA") {
        let una = rest.get(..UNA_LENGTH).unwrap_or(rest);
        let delimiters = Delimiters::from_una(una).map_err(|error| error.at_offset(noise as u64))?;
        return Ok((delimiters, noise + UNA_LENGTH, true));
    }
    match rest.get(..4) {
        Some([b'U', b'N', b'B', 0x1D]) => Ok((Delimiters::LEVEL_B, noise, false)),
        _ if rest.starts_with(b"UNB") => Ok((Delimiters::LEVEL_A, noise, false)),
        _ if rest.is_empty() => Err(SyntaxError::new(ErrorKind::Missing("UNB: the input is empty".into()))),
        _ => {
            let first = rest.get(..3).unwrap_or(rest);
            Err(SyntaxError::new(ErrorKind::Missing(format!(
                "UNA or UNB at the start, found {:?}",
                String::from_utf8_lossy(first)
            )))
            .at_offset(noise as u64))
        }
    }
}

/// Without a UNA, syntax version 4 implies `*` as repetition separator; the version is read
/// from UNB (S001, second component), which does not itself use repetitions.
pub(crate) fn implied_by_version(delimiters: Delimiters, una_present: bool, unb: &RawSegment<'_>) -> Delimiters {
    let version_4 = unb.value(1, 2).is_some_and(|value| value.raw() == b"4");
    if !una_present && version_4 && delimiters == Delimiters::LEVEL_A {
        Delimiters::VERSION_4
    } else {
        delimiters
    }
}

/// The missing-terminator error for a segment that runs into the end of the input.
pub(crate) fn unterminated(number: usize, offset: u64, dangling_release: bool, delimiters: &Delimiters) -> SyntaxError {
    let what = if dangling_release {
        "character after the release character at the end of the input".to_owned()
    } else {
        format!(
            "segment terminator {} at the end of the input",
            describe(delimiters.segment)
        )
    };
    SyntaxError::new(ErrorKind::Missing(what))
        .at_offset(offset)
        .at_segment_number(number)
}

/// Segments of an interchange held in memory, in order, UNA excluded.
///
/// This checks only the shape of segments; [`crate::Reader`] checks the envelopes and counts.
#[derive(Debug, Clone)]
pub struct Tokenizer<'a> {
    input: &'a [u8],
    position: usize,
    delimiters: Delimiters,
    number: usize,
    una_present: bool,
    failed: bool,
}

impl<'a> Tokenizer<'a> {
    /// Starts at the beginning of an interchange, taking the delimiters from its UNA or the
    /// defaults, and skipping a byte order mark and blanks before it.
    pub fn new(input: &'a [u8]) -> Result<Self, SyntaxError> {
        let (delimiters, position, una_present) = detect_delimiters(input)?;
        Ok(Tokenizer {
            input,
            position,
            delimiters,
            number: 0,
            una_present,
            failed: false,
        })
    }

    /// Cuts `input` with known delimiters, from its first byte.
    pub fn with_delimiters(input: &'a [u8], delimiters: Delimiters) -> Self {
        Tokenizer {
            input,
            position: 0,
            delimiters,
            number: 0,
            una_present: true,
            failed: false,
        }
    }

    /// The delimiters in force; after UNB they reflect its syntax version.
    pub fn delimiters(&self) -> Delimiters {
        self.delimiters
    }

    #[inline]
    fn next_segment(&mut self) -> Result<Option<RawSegment<'a>>, SyntaxError> {
        let rest = self.input.get(self.position..).unwrap_or_default();
        let start = self.position + blank_length(rest);
        let rest = self.input.get(start..).unwrap_or_default();
        if rest.is_empty() {
            self.position = start;
            return Ok(None);
        }
        let number = self.number + 1;
        let mut escaped = false;
        let Some(length) = find_terminator(rest, &self.delimiters, &mut escaped) else {
            return Err(unterminated(number, start as u64, escaped, &self.delimiters));
        };
        let bytes = rest.get(..length).unwrap_or_default();
        let segment = RawSegment::parse(bytes, self.delimiters, number, start as u64)?;
        if number == 1 && segment.tag() == "UNB" {
            self.delimiters = implied_by_version(self.delimiters, self.una_present, &segment);
        }
        self.number = number;
        self.position = start + length + 1;
        Ok(Some(segment))
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Result<RawSegment<'a>, SyntaxError>;

    /// The next segment; after an error, nothing more.
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = self.next_segment().transpose();
        if matches!(result, Some(Err(_))) {
            self.failed = true;
        }
        result
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// Element, repetition and component positions, and the unescaped text.
    type Value = (usize, usize, usize, String);

    fn segments(input: &[u8]) -> Vec<(String, Vec<Value>)> {
        Tokenizer::new(input)
            .unwrap()
            .map(|segment| {
                let segment = segment.unwrap();
                let values = segment
                    .values()
                    .map(|value| {
                        let text = String::from_utf8(value.unescaped().into_owned()).unwrap();
                        (value.element, value.repetition, value.component, text)
                    })
                    .collect();
                (segment.tag().to_owned(), values)
            })
            .collect()
    }

    #[test]
    fn cuts_segments_elements_and_components() {
        let found = segments(b"UNB+UNOC:3+SENDER+RECIPIENT'QTY+21:5:PCE'UNS'");
        assert_eq!(found.len(), 3);
        assert_eq!(found[1].0, "QTY");
        assert_eq!(
            found[1].1,
            vec![(1, 1, 1, "21".into()), (1, 1, 2, "5".into()), (1, 1, 3, "PCE".into())]
        );
        assert_eq!(found[2], ("UNS".into(), vec![]));
    }

    #[test]
    fn empty_elements_and_components_keep_their_places() {
        let found = segments(b"UNB+UNOC:3'NAD+BY++::X'");
        assert_eq!(
            found[1].1,
            vec![
                (1, 1, 1, "BY".into()),
                (2, 1, 1, String::new()),
                (3, 1, 1, String::new()),
                (3, 1, 2, String::new()),
                (3, 1, 3, "X".into())
            ]
        );
    }

    #[test]
    fn release_character_lets_service_characters_stand_in_data() {
        let found = segments(b"UNB+UNOC:3'FTX+AAI+++Ship?'s ?+1?:2 ??done?''");
        assert_eq!(found[1].1.last().unwrap().3, "Ship's +1:2 ?done'");
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn unescaped_values_are_borrowed() {
        let tokenizer = Tokenizer::new(b"UNB+UNOC:3+A?+B'").unwrap();
        let unb = tokenizer.into_iter().next().unwrap().unwrap();
        let values: Vec<_> = unb.values().collect();
        assert!(matches!(values[0].unescaped(), Cow::Borrowed(_)));
        assert!(matches!(values[2].unescaped(), Cow::Owned(_)));
    }

    #[test]
    fn line_breaks_after_terminators_and_noise_before_unb_are_skipped() {
        let found = segments(b"\xEF\xBB\xBF\r\n  UNA:+.? '\r\nUNB+UNOC:3'\r\nUNH+1'\n\nUNT+2+1'\r\n");
        let tags: Vec<_> = found.iter().map(|(tag, _)| tag.as_str()).collect();
        assert_eq!(tags, ["UNB", "UNH", "UNT"]);
    }

    #[test]
    fn numbers_and_offsets_locate_each_segment() {
        let input = b"UNA:+.? 'UNB+UNOC:3'\nUNH+1'";
        let found: Vec<_> = Tokenizer::new(input).unwrap().map(Result::unwrap).collect();
        assert_eq!((found[0].number, found[0].offset), (1, 9));
        assert_eq!((found[1].number, found[1].offset), (2, 21));
        let reference = found[1].value(1, 1).unwrap();
        assert_eq!(reference.offset, 25);
    }

    #[test]
    fn una_changes_the_delimiters() {
        let found = segments(b"UNA|^,\\ ~UNB^UNOC|3~FTX^a\\^b\\~c~");
        assert_eq!(found[1].1, vec![(1, 1, 1, "a^b~c".into())]);
    }

    #[test]
    fn syntax_4_without_una_splits_repetitions_at_asterisks() {
        let found = segments(b"UNB+UNOY:4'PCI+a*b:c+d?*e'");
        assert_eq!(
            found[1].1,
            vec![
                (1, 1, 1, "a".into()),
                (1, 2, 1, "b".into()),
                (1, 2, 2, "c".into()),
                (2, 1, 1, "d*e".into())
            ]
        );
    }

    #[test]
    fn syntax_3_keeps_asterisks_as_data() {
        let found = segments(b"UNB+UNOC:3'PCI+a*b'");
        assert_eq!(found[1].1, vec![(1, 1, 1, "a*b".into())]);
    }

    #[test]
    fn level_b_without_una_uses_information_separators() {
        let found = segments(b"UNB\x1DUNOB\x1F3\x1CFTX\x1Dtext: 'quoted' + more\x1C");
        assert_eq!(found[1].1, vec![(1, 1, 1, "text: 'quoted' + more".into())]);
    }

    #[test]
    fn a_missing_final_terminator_is_reported_with_the_segment_number() {
        let mut tokenizer = Tokenizer::new(b"UNB+UNOC:3'UNZ+1+X").unwrap();
        assert!(tokenizer.next().unwrap().is_ok());
        let error = tokenizer.next().unwrap().unwrap_err();
        assert_eq!((error.code(), error.segment(), error.offset()), (13, Some(2), Some(11)));
        assert!(tokenizer.next().is_none());
    }

    #[test]
    fn a_release_character_at_the_very_end_is_reported() {
        let mut tokenizer = Tokenizer::new(b"UNB+UNOC:3'FTX+abc?").unwrap();
        tokenizer.next();
        let error = tokenizer.next().unwrap().unwrap_err();
        assert!(error.to_string().contains("after the release character"), "{error}");
    }

    #[test]
    fn escaped_terminator_before_the_end_is_data() {
        let found = segments(b"UNB+UNOC:3'FTX+abc??'");
        assert_eq!(found[1].1, vec![(1, 1, 1, "abc?".into())]);
    }

    #[test]
    fn malformed_tags_are_error_22() {
        let mut tokenizer = Tokenizer::new(b"UNB+UNOC:3'qty+1'").unwrap();
        tokenizer.next();
        let error = tokenizer.next().unwrap().unwrap_err();
        assert_eq!((error.code(), error.segment(), error.offset()), (22, Some(2), Some(11)));
    }

    #[test]
    fn input_that_is_not_an_interchange_is_refused_at_once() {
        assert_eq!(Tokenizer::new(b"").unwrap_err().code(), 13);
        assert_eq!(Tokenizer::new(b"  \r\n").unwrap_err().code(), 13);
        assert!(Tokenizer::new(b"<?xml").unwrap_err().to_string().contains("UNA or UNB"));
        assert_eq!(Tokenizer::new(b"UNA:+").unwrap_err().code(), 13);
    }

    #[test]
    fn raw_positions_account_for_release_characters() {
        let tokenizer = Tokenizer::new(b"UNB+a?+b?+c'").unwrap();
        let unb = tokenizer.into_iter().next().unwrap().unwrap();
        let value = unb.value(1, 1).unwrap();
        assert_eq!(value.unescaped().as_ref(), b"a+b+c");
        assert_eq!(value.raw_position(0), 0);
        assert_eq!(value.raw_position(1), 2);
        assert_eq!(value.raw_position(4), 6);
    }

    #[test]
    fn terminator_search_carries_a_release_across_chunks() {
        let delimiters = Delimiters::LEVEL_A;
        let mut escaped = false;
        assert_eq!(find_terminator(b"abc?", &delimiters, &mut escaped), None);
        assert!(escaped);
        assert_eq!(find_terminator(b"'def'", &delimiters, &mut escaped), Some(4));
        assert!(!escaped);
    }
}

//! Syntax identifiers (UNB data element 0001) and the character sets they name: the repertoires
//! of levels A and B, ISO 8859-1, -2, -5 and -7, and UTF-8. Everything inside this crate's API
//! is Unicode text; bytes in the interchange's own set exist only at the edges.
//!
//! The tables are written out here rather than taken from an encoding crate: there are only
//! three short ones, and the Cyrillic one is a formula with three exceptions.

use std::fmt;

/// The syntax identifier of an interchange: which character set its data is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyntaxIdentifier {
    /// Level A: upper-case letters, digits, space and `.,-()/='+:?!"%&*;<>`.
    Unoa,
    /// Level B: the printable characters of ISO 646 (ASCII), lower case included.
    Unob,
    /// ISO 8859-1, Latin-1: western European languages.
    Unoc,
    /// ISO 8859-2, Latin-2: central and eastern European languages.
    Unod,
    /// ISO 8859-5, Latin/Cyrillic: Russian EDI operators send this.
    Unoe,
    /// ISO 8859-7, Latin/Greek.
    Unof,
    /// UTF-8 (ISO 10646-1 octets), syntax version 4.
    Unow,
    /// ISO 10646-1 with code extension, sent as UTF-8 in practice; syntax version 4, used for Chinese.
    Unoy,
}

/// A character that the character set cannot hold, at a 0-based byte position within the value
/// that was being read, or a 0-based character position within the text being written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharacterError {
    pub position: usize,
    pub description: String,
}

impl SyntaxIdentifier {
    pub const ALL: [SyntaxIdentifier; 8] = [
        SyntaxIdentifier::Unoa,
        SyntaxIdentifier::Unob,
        SyntaxIdentifier::Unoc,
        SyntaxIdentifier::Unod,
        SyntaxIdentifier::Unoe,
        SyntaxIdentifier::Unof,
        SyntaxIdentifier::Unow,
        SyntaxIdentifier::Unoy,
    ];

    /// The code as written in UNB, such as "UNOC".
    pub fn code(self) -> &'static str {
        match self {
            SyntaxIdentifier::Unoa => "UNOA",
            SyntaxIdentifier::Unob => "UNOB",
            SyntaxIdentifier::Unoc => "UNOC",
            SyntaxIdentifier::Unod => "UNOD",
            SyntaxIdentifier::Unoe => "UNOE",
            SyntaxIdentifier::Unof => "UNOF",
            SyntaxIdentifier::Unow => "UNOW",
            SyntaxIdentifier::Unoy => "UNOY",
        }
    }

    /// Reads a code from UNB; codes are upper case, as ISO 9735 writes them.
    pub fn from_code(code: &str) -> Option<SyntaxIdentifier> {
        SyntaxIdentifier::ALL
            .into_iter()
            .find(|identifier| identifier.code() == code)
    }

    /// Whether the set is UTF-8, which ISO 9735 allows from syntax version 4 only.
    pub fn is_unicode(self) -> bool {
        matches!(self, SyntaxIdentifier::Unow | SyntaxIdentifier::Unoy)
    }

    /// Appends one value, already unescaped, to `out` as text; the first byte the set does not
    /// define is an error naming its position, and leaves `out` with part of the value.
    pub fn decode_into(self, bytes: &[u8], out: &mut String) -> Result<(), CharacterError> {
        match self {
            SyntaxIdentifier::Unoa | SyntaxIdentifier::Unob => {
                let allowed = if self == SyntaxIdentifier::Unoa {
                    &LEVEL_A
                } else {
                    &LEVEL_B
                };
                if let Some(position) = bytes.iter().position(|&byte| !allowed[usize::from(byte)]) {
                    return Err(self.undecodable(bytes, position));
                }
                out.extend(bytes.iter().map(|&byte| char::from(byte)));
                Ok(())
            }
            SyntaxIdentifier::Unow | SyntaxIdentifier::Unoy => match std::str::from_utf8(bytes) {
                Ok(text) => {
                    out.push_str(text);
                    Ok(())
                }
                Err(error) => Err(CharacterError {
                    position: error.valid_up_to(),
                    description: format!("invalid UTF-8 for {}", self.code()),
                }),
            },
            SyntaxIdentifier::Unoc | SyntaxIdentifier::Unod | SyntaxIdentifier::Unoe | SyntaxIdentifier::Unof => {
                if let Ok(text) = std::str::from_utf8(bytes) {
                    if text.is_ascii() {
                        out.push_str(text);
                        return Ok(());
                    }
                }
                out.reserve(bytes.len() + bytes.len() / 2);
                for (position, &byte) in bytes.iter().enumerate() {
                    match self.decode_byte(byte) {
                        Some(character) => out.push(character),
                        None => return Err(self.undecodable(bytes, position)),
                    }
                }
                Ok(())
            }
        }
    }

    /// Whether the bytes are text as they stand, that is, decode to themselves: ASCII in the
    /// ISO 8859 sets, any UTF-8 in the Unicode ones. Never for levels A and B, whose
    /// repertoires leave out part of ASCII and must be checked byte by byte.
    pub(crate) fn reads_as_it_stands(self, bytes: &[u8]) -> bool {
        match self {
            SyntaxIdentifier::Unoa | SyntaxIdentifier::Unob => false,
            SyntaxIdentifier::Unow | SyntaxIdentifier::Unoy => std::str::from_utf8(bytes).is_ok(),
            SyntaxIdentifier::Unoc | SyntaxIdentifier::Unod | SyntaxIdentifier::Unoe | SyntaxIdentifier::Unof => {
                bytes.is_ascii()
            }
        }
    }

    /// Whether one byte is a character of this set that stands for itself, the same byte in the
    /// set as in UTF-8: ASCII in the ISO 8859 and Unicode sets, the repertoire in levels A and B.
    pub(crate) fn byte_stands_for_itself(self, byte: u8) -> bool {
        match self {
            SyntaxIdentifier::Unoa => LEVEL_A[usize::from(byte)],
            SyntaxIdentifier::Unob => LEVEL_B[usize::from(byte)],
            _ => byte.is_ascii(),
        }
    }

    /// Whether `text` is written in this set byte for byte as its UTF-8 stands: any text in the
    /// Unicode sets, ASCII in the ISO 8859 sets, and in levels A and B text of their repertoire.
    #[inline]
    pub(crate) fn writes_as_it_stands(self, text: &str) -> bool {
        match self {
            SyntaxIdentifier::Unow | SyntaxIdentifier::Unoy => true,
            SyntaxIdentifier::Unoc | SyntaxIdentifier::Unod | SyntaxIdentifier::Unoe | SyntaxIdentifier::Unof => {
                text.is_ascii()
            }
            SyntaxIdentifier::Unoa => text.bytes().all(|byte| LEVEL_A[usize::from(byte)]),
            SyntaxIdentifier::Unob => text.bytes().all(|byte| LEVEL_B[usize::from(byte)]),
        }
    }

    /// Whether every character of `text` can be written in this set.
    pub fn holds(self, text: &str) -> bool {
        self.writes_as_it_stands(text) || text.chars().all(|character| self.encode_char(character).is_some())
    }

    /// Appends `text` in this character set to `out`; the first character the set cannot hold is
    /// an error naming it.
    pub fn encode_into(self, text: &str, out: &mut Vec<u8>) -> Result<(), CharacterError> {
        if self.writes_as_it_stands(text) {
            out.extend_from_slice(text.as_bytes());
            return Ok(());
        }
        for (position, character) in text.chars().enumerate() {
            match self.encode_char(character) {
                Some(byte) => out.push(byte),
                None => {
                    return Err(CharacterError {
                        position,
                        description: format!(
                            "{character:?} (U+{:04X}) cannot be written in {}",
                            u32::from(character),
                            self.code()
                        ),
                    })
                }
            }
        }
        Ok(())
    }

    /// One byte of a single-byte set as a character; `None` where the set leaves it undefined.
    fn decode_byte(self, byte: u8) -> Option<char> {
        match self {
            SyntaxIdentifier::Unoa => LEVEL_A[usize::from(byte)].then_some(char::from(byte)),
            SyntaxIdentifier::Unob => LEVEL_B[usize::from(byte)].then_some(char::from(byte)),
            SyntaxIdentifier::Unoc => Some(char::from(byte)),
            _ if byte < 0xA0 => Some(char::from(byte)),
            SyntaxIdentifier::Unod => ISO_8859_2_HIGH.get(usize::from(byte - 0xA0)).copied(),
            SyntaxIdentifier::Unoe => iso_8859_5_high(byte),
            SyntaxIdentifier::Unof => ISO_8859_7_HIGH.get(usize::from(byte - 0xA0)).copied().flatten(),
            SyntaxIdentifier::Unow | SyntaxIdentifier::Unoy => None,
        }
    }

    /// One character as a byte of a single-byte set; `None` where the set has no such character.
    fn encode_char(self, character: char) -> Option<u8> {
        let code = u32::from(character);
        let byte = u8::try_from(code).ok();
        match self {
            SyntaxIdentifier::Unoa => byte.filter(|&b| LEVEL_A[usize::from(b)]),
            SyntaxIdentifier::Unob => byte.filter(|&b| LEVEL_B[usize::from(b)]),
            SyntaxIdentifier::Unoc => byte,
            _ if code < 0xA0 => byte,
            SyntaxIdentifier::Unod => position_in(&ISO_8859_2_HIGH.map(Some), character),
            SyntaxIdentifier::Unoe => (0xA0..=0xFF).find(|&candidate| iso_8859_5_high(candidate) == Some(character)),
            SyntaxIdentifier::Unof => position_in(&ISO_8859_7_HIGH, character),
            SyntaxIdentifier::Unow | SyntaxIdentifier::Unoy => None,
        }
    }

    fn undecodable(self, bytes: &[u8], position: usize) -> CharacterError {
        let byte = bytes.get(position).copied().unwrap_or_default();
        CharacterError {
            position,
            description: format!("byte 0x{byte:02X} is not in {}", self.code()),
        }
    }
}

impl fmt::Display for SyntaxIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

fn position_in(table: &[Option<char>; 96], character: char) -> Option<u8> {
    let index = table.iter().position(|&entry| entry == Some(character))?;
    u8::try_from(index).ok().map(|index| index + 0xA0)
}

/// ISO 8859-5 from 0xA0: the Cyrillic block U+0401..U+045F in order, except the soft hyphen at
/// 0xAD, the numero sign at 0xF0 and the section sign at 0xFD.
fn iso_8859_5_high(byte: u8) -> Option<char> {
    match byte {
        0x00..=0xA0 => Some(char::from(byte)),
        0xAD => Some('\u{00AD}'),
        0xF0 => Some('\u{2116}'),
        0xFD => Some('\u{00A7}'),
        _ => char::from_u32(0x0401 + u32::from(byte - 0xA1)),
    }
}

/// Bytes of the level A repertoire: upper-case letters, digits, space and `.,-()/='+:?!"%&*;<>`.
const LEVEL_A: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_uppercase()
            || b.is_ascii_digit()
            || matches!(
                b,
                b' ' | b'.'
                    | b','
                    | b'-'
                    | b'('
                    | b')'
                    | b'/'
                    | b'='
                    | b'\''
                    | b'+'
                    | b':'
                    | b'?'
                    | b'!'
                    | b'"'
                    | b'%'
                    | b'&'
                    | b'*'
                    | b';'
                    | b'<'
                    | b'>'
            );
        byte += 1;
    }
    table
};

/// Bytes of the level B repertoire: the printable characters of ISO 646, space included.
const LEVEL_B: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0x20;
    while byte < 0x7F {
        table[byte] = true;
        byte += 1;
    }
    table
};

/// ISO 8859-2 from 0xA0 to 0xFF.
const ISO_8859_2_HIGH: [char; 96] = [
    '\u{00A0}', '\u{0104}', '\u{02D8}', '\u{0141}', '\u{00A4}', '\u{013D}', '\u{015A}', '\u{00A7}', // 0xA0
    '\u{00A8}', '\u{0160}', '\u{015E}', '\u{0164}', '\u{0179}', '\u{00AD}', '\u{017D}', '\u{017B}', // 0xA8
    '\u{00B0}', '\u{0105}', '\u{02DB}', '\u{0142}', '\u{00B4}', '\u{013E}', '\u{015B}', '\u{02C7}', // 0xB0
    '\u{00B8}', '\u{0161}', '\u{015F}', '\u{0165}', '\u{017A}', '\u{02DD}', '\u{017E}', '\u{017C}', // 0xB8
    '\u{0154}', '\u{00C1}', '\u{00C2}', '\u{0102}', '\u{00C4}', '\u{0139}', '\u{0106}', '\u{00C7}', // 0xC0
    '\u{010C}', '\u{00C9}', '\u{0118}', '\u{00CB}', '\u{011A}', '\u{00CD}', '\u{00CE}', '\u{010E}', // 0xC8
    '\u{0110}', '\u{0143}', '\u{0147}', '\u{00D3}', '\u{00D4}', '\u{0150}', '\u{00D6}', '\u{00D7}', // 0xD0
    '\u{0158}', '\u{016E}', '\u{00DA}', '\u{0170}', '\u{00DC}', '\u{00DD}', '\u{0162}', '\u{00DF}', // 0xD8
    '\u{0155}', '\u{00E1}', '\u{00E2}', '\u{0103}', '\u{00E4}', '\u{013A}', '\u{0107}', '\u{00E7}', // 0xE0
    '\u{010D}', '\u{00E9}', '\u{0119}', '\u{00EB}', '\u{011B}', '\u{00ED}', '\u{00EE}', '\u{010F}', // 0xE8
    '\u{0111}', '\u{0144}', '\u{0148}', '\u{00F3}', '\u{00F4}', '\u{0151}', '\u{00F6}', '\u{00F7}', // 0xF0
    '\u{0159}', '\u{016F}', '\u{00FA}', '\u{0171}', '\u{00FC}', '\u{00FD}', '\u{0163}', '\u{02D9}', // 0xF8
];

/// ISO 8859-7 (2003) from 0xA0 to 0xFF; `None` where it defines no character.
const ISO_8859_7_HIGH: [Option<char>; 96] = [
    Some('\u{00A0}'),
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{00A3}'),
    Some('\u{20AC}'),
    Some('\u{20AF}'),
    Some('\u{00A6}'),
    Some('\u{00A7}'), // 0xA0
    Some('\u{00A8}'),
    Some('\u{00A9}'),
    Some('\u{037A}'),
    Some('\u{00AB}'),
    Some('\u{00AC}'),
    Some('\u{00AD}'),
    None,
    Some('\u{2015}'), // 0xA8
    Some('\u{00B0}'),
    Some('\u{00B1}'),
    Some('\u{00B2}'),
    Some('\u{00B3}'),
    Some('\u{0384}'),
    Some('\u{0385}'),
    Some('\u{0386}'),
    Some('\u{00B7}'), // 0xB0
    Some('\u{0388}'),
    Some('\u{0389}'),
    Some('\u{038A}'),
    Some('\u{00BB}'),
    Some('\u{038C}'),
    Some('\u{00BD}'),
    Some('\u{038E}'),
    Some('\u{038F}'), // 0xB8
    Some('\u{0390}'),
    Some('\u{0391}'),
    Some('\u{0392}'),
    Some('\u{0393}'),
    Some('\u{0394}'),
    Some('\u{0395}'),
    Some('\u{0396}'),
    Some('\u{0397}'), // 0xC0
    Some('\u{0398}'),
    Some('\u{0399}'),
    Some('\u{039A}'),
    Some('\u{039B}'),
    Some('\u{039C}'),
    Some('\u{039D}'),
    Some('\u{039E}'),
    Some('\u{039F}'), // 0xC8
    Some('\u{03A0}'),
    Some('\u{03A1}'),
    None,
    Some('\u{03A3}'),
    Some('\u{03A4}'),
    Some('\u{03A5}'),
    Some('\u{03A6}'),
    Some('\u{03A7}'), // 0xD0
    Some('\u{03A8}'),
    Some('\u{03A9}'),
    Some('\u{03AA}'),
    Some('\u{03AB}'),
    Some('\u{03AC}'),
    Some('\u{03AD}'),
    Some('\u{03AE}'),
    Some('\u{03AF}'), // 0xD8
    Some('\u{03B0}'),
    Some('\u{03B1}'),
    Some('\u{03B2}'),
    Some('\u{03B3}'),
    Some('\u{03B4}'),
    Some('\u{03B5}'),
    Some('\u{03B6}'),
    Some('\u{03B7}'), // 0xE0
    Some('\u{03B8}'),
    Some('\u{03B9}'),
    Some('\u{03BA}'),
    Some('\u{03BB}'),
    Some('\u{03BC}'),
    Some('\u{03BD}'),
    Some('\u{03BE}'),
    Some('\u{03BF}'), // 0xE8
    Some('\u{03C0}'),
    Some('\u{03C1}'),
    Some('\u{03C2}'),
    Some('\u{03C3}'),
    Some('\u{03C4}'),
    Some('\u{03C5}'),
    Some('\u{03C6}'),
    Some('\u{03C7}'), // 0xF0
    Some('\u{03C8}'),
    Some('\u{03C9}'),
    Some('\u{03CA}'),
    Some('\u{03CB}'),
    Some('\u{03CC}'),
    Some('\u{03CD}'),
    Some('\u{03CE}'),
    None, // 0xF8
];

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    impl SyntaxIdentifier {
        fn decode(self, bytes: &[u8]) -> Result<String, CharacterError> {
            let mut text = String::new();
            self.decode_into(bytes, &mut text).map(|()| text)
        }
    }

    fn round_trip(identifier: SyntaxIdentifier, text: &str) -> Vec<u8> {
        let mut bytes = Vec::new();
        identifier.encode_into(text, &mut bytes).unwrap();
        assert_eq!(identifier.decode(&bytes).unwrap(), text, "{identifier}");
        bytes
    }

    #[test]
    fn codes_are_read_exactly_as_written() {
        for identifier in SyntaxIdentifier::ALL {
            assert_eq!(SyntaxIdentifier::from_code(identifier.code()), Some(identifier));
        }
        assert_eq!(SyntaxIdentifier::from_code("unoc"), None);
        assert_eq!(SyntaxIdentifier::from_code("UNOX"), None);
    }

    #[test]
    fn level_a_holds_upper_case_and_its_punctuation_only() {
        round_trip(SyntaxIdentifier::Unoa, "ORDER 12/3 (A-B) =+:?'!\"%&*;<>,.");
        let error = SyntaxIdentifier::Unoa.decode(b"ABc").unwrap_err();
        assert_eq!(error.position, 2);
        assert_eq!(error.description, "byte 0x63 is not in UNOA");
        let error = SyntaxIdentifier::Unoa.encode_into("AB#", &mut Vec::new()).unwrap_err();
        assert_eq!(error.position, 2);
    }

    #[test]
    fn level_b_adds_lower_case_and_the_rest_of_ascii() {
        round_trip(SyntaxIdentifier::Unob, "Order #12 @ [dealer] {x} ~_^`|\\$");
        assert_eq!(SyntaxIdentifier::Unob.decode(b"ok\xE9").unwrap_err().position, 2);
        assert!(SyntaxIdentifier::Unob
            .encode_into("tab\there", &mut Vec::new())
            .is_err());
    }

    #[test]
    fn unoc_is_latin_1() {
        assert_eq!(
            round_trip(SyntaxIdentifier::Unoc, "Müller Straße"),
            b"M\xFCller Stra\xDFe"
        );
        let error = SyntaxIdentifier::Unoc.encode_into("€", &mut Vec::new()).unwrap_err();
        assert_eq!(error.description, "'€' (U+20AC) cannot be written in UNOC");
    }

    #[test]
    fn unod_is_latin_2() {
        assert_eq!(round_trip(SyntaxIdentifier::Unod, "Łódź"), b"\xA3\xF3d\xBC");
    }

    #[test]
    fn unoe_is_cyrillic_as_russian_operators_send_it() {
        let bytes = round_trip(SyntaxIdentifier::Unoe, "Вектор-Дистрибуция №5 §");
        let expected: [u8; 23] = [
            178, 213, 218, 226, 222, 224, 45, 180, 216, 225, 226, 224, 216, 209, 227, 230, 216, 239, 32, 240, 53, 32,
            253,
        ];
        assert_eq!(bytes, expected);
        assert_eq!(SyntaxIdentifier::Unoe.decode(b"\xA1\xAD\xFF").unwrap(), "Ё\u{AD}џ");
        assert!(SyntaxIdentifier::Unoe.encode_into("é", &mut Vec::new()).is_err());
    }

    #[test]
    fn unoe_reads_every_high_byte_back_to_itself() {
        for byte in 0xA0..=0xFF_u8 {
            let text = SyntaxIdentifier::Unoe.decode(&[byte]).unwrap();
            let mut bytes = Vec::new();
            SyntaxIdentifier::Unoe.encode_into(&text, &mut bytes).unwrap();
            assert_eq!(bytes, [byte]);
        }
    }

    #[test]
    fn unof_is_greek_with_gaps() {
        round_trip(SyntaxIdentifier::Unof, "Αθήνα €");
        assert_eq!(SyntaxIdentifier::Unof.decode(b"\xAE").unwrap_err().position, 0);
    }

    #[test]
    fn unoy_and_unow_are_utf_8_for_chinese() {
        assert_eq!(
            round_trip(SyntaxIdentifier::Unoy, "上海汽车配件有限公司"),
            "上海汽车配件有限公司".as_bytes()
        );
        round_trip(SyntaxIdentifier::Unow, "Вектор 上海");
        let error = SyntaxIdentifier::Unoy.decode(b"ab\xE4\xB8").unwrap_err();
        assert_eq!(error.position, 2);
    }
}

//! The service characters: the separators and terminator that give an interchange its shape, the
//! release character that lets them stand in data, and the UNA segment that announces them.

use crate::error::{ErrorKind, SyntaxError};

/// The service characters of one interchange, as bytes in its character set.
///
/// `release` and `repetition` are optional: a UNA may leave them blank (a space), and before
/// syntax version 4 there is no repetition separator at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    pub component: u8,
    pub element: u8,
    /// Decimal mark announced in UNA; the syntax layer passes numbers on as text and does not use it.
    pub decimal: u8,
    pub release: Option<u8>,
    pub repetition: Option<u8>,
    pub segment: u8,
}

/// Length of a UNA segment: the tag and six service characters, the last being the terminator.
pub const UNA_LENGTH: usize = 9;

impl Delimiters {
    /// The defaults of syntax level A, versions 2 and 3: `UNA:+.? '`.
    pub const LEVEL_A: Delimiters = Delimiters {
        component: b':',
        element: b'+',
        decimal: b'.',
        release: Some(b'?'),
        repetition: None,
        segment: b'\'',
    };

    /// The defaults of syntax version 4, which adds `*` as repetition separator: `UNA:+.?*'`.
    pub const VERSION_4: Delimiters = Delimiters {
        repetition: Some(b'*'),
        ..Delimiters::LEVEL_A
    };

    /// The defaults of syntax level B (UNOB without UNA): the information separators IS1, IS3 and
    /// IS4 of ISO 646, and no release character, because those bytes cannot occur in text.
    pub const LEVEL_B: Delimiters = Delimiters {
        component: 0x1F,
        element: 0x1D,
        decimal: b'.',
        release: None,
        repetition: None,
        segment: 0x1C,
    };

    /// The defaults of a syntax version when the interchange has no UNA.
    pub fn defaults_for_version(version: u8) -> Delimiters {
        if version >= 4 {
            Delimiters::VERSION_4
        } else {
            Delimiters::LEVEL_A
        }
    }

    /// Reads a UNA segment: exactly "UNA" followed by six characters (component separator, element
    /// separator, decimal mark, release character, repetition separator, segment terminator). A
    /// space as release character or repetition separator means "not used".
    pub fn from_una(una: &[u8]) -> Result<Delimiters, SyntaxError> {
        let service = match una {
            [b'U', b'N', b'A', rest @ ..] if rest.len() >= 6 => rest,
            [b'U', b'N', b'A', ..] => {
                return Err(
                    SyntaxError::new(ErrorKind::Missing("service characters in UNA (six needed)".into())).at_offset(0),
                )
            }
            _ => return Err(SyntaxError::new(ErrorKind::Missing("UNA".into()))),
        };
        let [component, element, decimal, release, repetition, segment, ..] = *service else {
            return Err(SyntaxError::new(ErrorKind::Missing("service characters in UNA".into())));
        };
        let optional = |byte: u8| if byte == b' ' { None } else { Some(byte) };
        let delimiters = Delimiters {
            component,
            element,
            decimal,
            release: optional(release),
            repetition: optional(repetition),
            segment,
        };
        delimiters.validate()?;
        Ok(delimiters)
    }

    /// The UNA segment announcing these delimiters.
    pub fn to_una(&self) -> [u8; UNA_LENGTH] {
        [
            b'U',
            b'N',
            b'A',
            self.component,
            self.element,
            self.decimal,
            self.release.unwrap_or(b' '),
            self.repetition.unwrap_or(b' '),
            self.segment,
        ]
    }

    /// Checks that no character plays two roles and that none is a letter, digit or blank, which
    /// would make ordinary data unreadable. A line feed or carriage return may end segments.
    pub fn validate(&self) -> Result<(), SyntaxError> {
        let roles = [
            ("component separator", Some(self.component)),
            ("element separator", Some(self.element)),
            ("segment terminator", Some(self.segment)),
            ("release character", self.release),
            ("repetition separator", self.repetition),
        ];
        for (index, (role, byte)) in roles.iter().enumerate() {
            let Some(byte) = *byte else { continue };
            let blank_allowed = *role == "segment terminator" && (byte == b'\n' || byte == b'\r');
            if byte.is_ascii_alphanumeric() || (byte.is_ascii_whitespace() && !blank_allowed) {
                return Err(invalid_service_character(format!(
                    "{} cannot be the {role}",
                    describe(byte)
                )));
            }
            let clash = roles.iter().skip(index + 1).find(|(_, other)| *other == Some(byte));
            if let Some((other_role, _)) = clash {
                return Err(invalid_service_character(format!(
                    "{} is both the {role} and the {other_role}",
                    describe(byte)
                )));
            }
        }
        Ok(())
    }

    /// Whether every separator and the release character are ASCII, so that in UTF-8 and the
    /// ISO 8859 sets none of them can be part of a character.
    pub(crate) fn are_ascii(&self) -> bool {
        [Some(self.component), Some(self.element), self.release, self.repetition]
            .into_iter()
            .flatten()
            .all(|byte| byte.is_ascii())
    }

    /// Whether `byte` is a service character that data must escape with the release character.
    pub fn is_service_character(&self, byte: u8) -> bool {
        byte == self.component
            || byte == self.element
            || byte == self.segment
            || Some(byte) == self.release
            || Some(byte) == self.repetition
    }
}

impl Default for Delimiters {
    fn default() -> Self {
        Delimiters::LEVEL_A
    }
}

fn invalid_service_character(message: String) -> SyntaxError {
    SyntaxError::new(ErrorKind::InvalidServiceCharacter(message)).at_tag("UNA")
}

/// A byte shown for people: printable ASCII as itself, anything else in hexadecimal.
pub(crate) fn describe(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!("'{}'", byte as char)
    } else {
        format!("byte 0x{byte:02X}")
    }
}

/// Skips a UTF-8 byte order mark and white space before UNA or UNB: some partners' tools write
/// them, and they carry no meaning.
pub(crate) fn leading_noise_length(input: &[u8]) -> usize {
    let after_bom = if input.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
    let blanks = input
        .get(after_bom..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    after_bom + blanks
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn una_with_the_usual_characters_reads_as_level_a() {
        assert_eq!(Delimiters::from_una(b"UNA:+.? '").unwrap(), Delimiters::LEVEL_A);
    }

    #[test]
    fn una_of_syntax_4_carries_a_repetition_separator() {
        assert_eq!(Delimiters::from_una(b"UNA:+.?*'").unwrap(), Delimiters::VERSION_4);
    }

    #[test]
    fn una_may_declare_other_characters_and_a_decimal_comma() {
        let delimiters = Delimiters::from_una(b"UNA|^,\\ ~").unwrap();
        assert_eq!(delimiters.component, b'|');
        assert_eq!(delimiters.element, b'^');
        assert_eq!(delimiters.decimal, b',');
        assert_eq!(delimiters.release, Some(b'\\'));
        assert_eq!(delimiters.repetition, None);
        assert_eq!(delimiters.segment, b'~');
    }

    #[test]
    fn a_blank_release_character_means_none() {
        let delimiters = Delimiters::from_una(b"UNA:+.  '").unwrap();
        assert_eq!(delimiters.release, None);
    }

    #[test]
    fn a_short_una_is_missing_characters() {
        let error = Delimiters::from_una(b"UNA:+.").unwrap_err();
        assert_eq!(error.code(), 13);
    }

    #[test]
    fn one_character_in_two_roles_is_error_20() {
        let error = Delimiters::from_una(b"UNA++.? '").unwrap_err();
        assert_eq!(error.code(), 20);
        assert!(error
            .to_string()
            .contains("'+' is both the component separator and the element separator"));
    }

    #[test]
    fn letters_and_blanks_cannot_be_separators() {
        assert_eq!(Delimiters::from_una(b"UNAA+.? '").unwrap_err().code(), 20);
        assert_eq!(Delimiters::from_una(b"UNA: .? '").unwrap_err().code(), 20);
    }

    #[test]
    fn a_line_feed_may_terminate_segments() {
        assert_eq!(Delimiters::from_una(b"UNA:+.? \n").unwrap().segment, b'\n');
    }

    #[test]
    fn una_round_trips() {
        for delimiters in [Delimiters::LEVEL_A, Delimiters::VERSION_4] {
            assert_eq!(Delimiters::from_una(&delimiters.to_una()).unwrap(), delimiters);
        }
    }

    #[test]
    fn defaults_depend_on_the_syntax_version() {
        assert_eq!(Delimiters::defaults_for_version(3), Delimiters::LEVEL_A);
        assert_eq!(Delimiters::defaults_for_version(4).repetition, Some(b'*'));
    }

    #[test]
    fn byte_order_mark_and_blank_lines_before_the_interchange_are_skipped() {
        assert_eq!(leading_noise_length(b"\xEF\xBB\xBF \r\nUNB"), 6);
        assert_eq!(leading_noise_length(b"UNB"), 0);
        assert_eq!(leading_noise_length(b""), 0);
    }
}

//! GS1 identifiers: GLN for parties and places, GTIN for trade items, SSCC for logistic units.
//!
//! Each type can only be built through `parse` or `with_check_digit`, so a value in hand always
//! has the right length and a correct mod-10 check digit; code further in never re-checks.
//! The numbers are kept exactly as given (a GTIN-12 stays 12 digits) because partners' EDI
//! messages and printed labels must show the number they sent us.
//!
//! Written here rather than taken from a crate: the rules fit in a page of the GS1 General
//! Specifications, and we want our own error codes for the forms that show them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why text is not a GS1 identifier; `code()` gives the translation key shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("the identifier is empty")]
    Empty,
    #[error("the identifier may contain only the digits 0-9")]
    NotDigits,
    #[error("the identifier has {found} digits, expected {expected}")]
    WrongLength { expected: &'static str, found: usize },
    #[error("the check digit is {found}, expected {expected}")]
    CheckDigit { expected: u8, found: u8 },
}

impl IdentifierError {
    /// Stable key for translations and API clients; the English message may be reworded.
    pub fn code(&self) -> &'static str {
        match self {
            IdentifierError::Empty => "identifier.empty",
            IdentifierError::NotDigits => "identifier.not_digits",
            IdentifierError::WrongLength { .. } => "identifier.wrong_length",
            IdentifierError::CheckDigit { .. } => "identifier.check_digit",
        }
    }
}

/// The GS1 mod-10 check digit for a number without its check digit, or `None` unless the
/// input is one or more ASCII digits.
///
/// Public so that demo data and test builders can make valid numbers from any body.
/// Weights run 3, 1, 3, … from the rightmost digit, which is why one function serves every
/// GS1 length (GTIN-8 to SSCC-18) without padding.
pub fn gs1_check_digit(digits_without_check: &str) -> Option<u8> {
    if digits_without_check.is_empty() || !digits_without_check.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = digits_without_check
        .bytes()
        .rev()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0');
            if position % 2 == 0 {
                digit * 3
            } else {
                digit
            }
        })
        .sum();
    // `sum % 10` is below 10, so the cast cannot truncate.
    Some(((10 - sum % 10) % 10) as u8)
}

/// What one kind of identifier looks like; lengths count the check digit.
struct Shape {
    lengths: &'static [usize],
    /// The accepted lengths as the error message shows them.
    expected: &'static str,
    /// The same for a body without its check digit.
    body_expected: &'static str,
}

const GLN: Shape = Shape {
    lengths: &[13],
    expected: "13",
    body_expected: "12",
};
const GTIN: Shape = Shape {
    lengths: &[8, 12, 13, 14],
    expected: "8, 12, 13 or 14",
    body_expected: "7, 11, 12 or 13",
};
const SSCC: Shape = Shape {
    lengths: &[18],
    expected: "18",
    body_expected: "17",
};

/// Trims and checks that only ASCII digits remain; the errors come in the order a person
/// fixes them: something typed, then only digits, then how many.
fn trimmed_digits(input: &str) -> Result<&str, IdentifierError> {
    let digits = input.trim();
    if digits.is_empty() {
        return Err(IdentifierError::Empty);
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdentifierError::NotDigits);
    }
    Ok(digits)
}

/// The digits of an identifier of the shape, trimmed, if they have its length and a correct
/// check digit.
fn checked_digits<'a>(input: &'a str, shape: &Shape) -> Result<&'a str, IdentifierError> {
    let digits = trimmed_digits(input)?;
    if !shape.lengths.contains(&digits.len()) {
        return Err(IdentifierError::WrongLength {
            expected: shape.expected,
            found: digits.len(),
        });
    }
    let (body, check) = digits.split_at(digits.len() - 1);
    let found = check.bytes().next().map_or(0, |b| b - b'0');
    match gs1_check_digit(body) {
        Some(expected) if expected == found => Ok(digits),
        Some(expected) => Err(IdentifierError::CheckDigit { expected, found }),
        // Unreachable: the body is at least seven digits. Reported rather than assumed.
        None => Err(IdentifierError::NotDigits),
    }
}

fn complete_shape(body: &str, shape: &Shape) -> Result<String, IdentifierError> {
    let body = trimmed_digits(body)?;
    if !shape.lengths.contains(&(body.len() + 1)) {
        return Err(IdentifierError::WrongLength {
            expected: shape.body_expected,
            found: body.len(),
        });
    }
    let check = gs1_check_digit(body).ok_or(IdentifierError::NotDigits)?;
    Ok(format!("{body}{check}"))
}

/// The three types differ only in their shape; one definition keeps their behaviour identical.
macro_rules! gs1_identifier {
    ($(#[$meta:meta])* $name:ident, $shape:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Accepts the digits with surrounding whitespace; anything inside must be a digit,
            /// because a stray space or dash in an EDI message means a different party or item.
            pub fn parse(input: &str) -> Result<Self, IdentifierError> {
                checked_digits(input, &$shape).map(|digits| $name(digits.to_owned()))
            }

            /// Checks what `parse` checks without keeping the number, for reading many
            /// numbers that are kept as they were sent, such as the items of an EDI message.
            pub fn check(input: &str) -> Result<(), IdentifierError> {
                checked_digits(input, &$shape).map(drop)
            }

            /// Completes a body (all digits but the last) with its check digit.
            pub fn with_check_digit(body: &str) -> Result<Self, IdentifierError> {
                complete_shape(body, &$shape).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdentifierError;

            fn from_str(input: &str) -> Result<Self, Self::Err> {
                $name::parse(input)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        /// Goes through `parse`, so a request body or stored JSON cannot smuggle in a bad number.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

gs1_identifier!(
    /// Global Location Number: 13 digits naming a company, dealer, warehouse or delivery point.
    Gln,
    GLN
);

gs1_identifier!(
    /// Global Trade Item Number: GTIN-8, -12, -13 or -14, kept at the length it was given.
    Gtin,
    GTIN
);

gs1_identifier!(
    /// Serial Shipping Container Code: 18 digits naming one pallet or parcel in a despatch advice.
    Sscc,
    SSCC
);

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_digit_of_known_numbers() {
        assert_eq!(gs1_check_digit("400638133393"), Some(1));
        assert_eq!(gs1_check_digit("9638507"), Some(4));
        assert_eq!(gs1_check_digit("03600029145"), Some(2));
        assert_eq!(gs1_check_digit("401234500000"), Some(9));
        assert_eq!(gs1_check_digit("10614141234567890"), Some(8));
        assert_eq!(gs1_check_digit(""), None);
        assert_eq!(gs1_check_digit("12a"), None);
        assert_eq!(gs1_check_digit("１２"), None);
    }

    #[test]
    fn valid_gtins_of_every_length() {
        for number in [
            "96385074",
            "036000291452",
            "4006381333931",
            "5901234123457",
            "00012345600012",
        ] {
            let gtin = Gtin::parse(number).unwrap();
            assert_eq!(gtin.as_str(), number);
            assert_eq!(gtin.to_string(), number);
        }
    }

    #[test]
    fn valid_gln_and_sscc() {
        assert_eq!(Gln::parse("4012345000009").unwrap().as_str(), "4012345000009");
        assert_eq!(Gln::parse("0614141000005").unwrap().as_str(), "0614141000005");
        assert_eq!(
            Sscc::parse("106141412345678908").unwrap().as_str(),
            "106141412345678908"
        );
        assert_eq!(
            Sscc::parse("376104250021234569").unwrap().as_str(),
            "376104250021234569"
        );
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        assert_eq!(Gln::parse("  4012345000009\n").unwrap().as_str(), "4012345000009");
        assert_eq!(
            Gtin::with_check_digit("\t400638133393 ").unwrap().as_str(),
            "4006381333931"
        );
    }

    #[test]
    fn empty_input() {
        assert_eq!(Gln::parse(""), Err(IdentifierError::Empty));
        assert_eq!(Gtin::parse("   "), Err(IdentifierError::Empty));
        assert_eq!(Sscc::with_check_digit(""), Err(IdentifierError::Empty));
    }

    #[test]
    fn anything_but_ascii_digits() {
        for input in [
            "401234500000X",
            "4012345 000009",
            "4012-345000009",
            "+4012345000009",
            "４012345000009",
        ] {
            assert_eq!(Gln::parse(input), Err(IdentifierError::NotDigits), "{input}");
        }
        assert_eq!(Gtin::with_check_digit("40063813339a"), Err(IdentifierError::NotDigits));
    }

    #[test]
    fn wrong_length() {
        assert_eq!(
            Gln::parse("401234500000"),
            Err(IdentifierError::WrongLength {
                expected: "13",
                found: 12
            })
        );
        assert_eq!(
            Gtin::parse("1234567890"),
            Err(IdentifierError::WrongLength {
                expected: "8, 12, 13 or 14",
                found: 10
            })
        );
        assert_eq!(
            Sscc::parse("4006381333931"),
            Err(IdentifierError::WrongLength {
                expected: "18",
                found: 13
            })
        );
        assert_eq!(
            Gln::with_check_digit("4012345000009"),
            Err(IdentifierError::WrongLength {
                expected: "12",
                found: 13
            })
        );
        assert_eq!(
            Gtin::with_check_digit("123456"),
            Err(IdentifierError::WrongLength {
                expected: "7, 11, 12 or 13",
                found: 6
            })
        );
    }

    #[test]
    fn wrong_check_digit() {
        assert_eq!(
            Gtin::parse("4006381333932"),
            Err(IdentifierError::CheckDigit { expected: 1, found: 2 })
        );
        assert_eq!(
            Gln::parse("4012345000000"),
            Err(IdentifierError::CheckDigit { expected: 9, found: 0 })
        );
        assert_eq!(
            Sscc::parse("106141412345678900"),
            Err(IdentifierError::CheckDigit { expected: 8, found: 0 })
        );
    }

    #[test]
    fn check_accepts_and_refuses_what_parse_does() {
        for input in [" 4006381333931 ", "4006381333932", "400638133393", "4006-381333931", ""] {
            assert_eq!(Gtin::check(input), Gtin::parse(input).map(drop), "{input:?}");
        }
    }

    #[test]
    fn with_check_digit_completes_each_type() {
        assert_eq!(Gln::with_check_digit("401234500000").unwrap().as_str(), "4012345000009");
        assert_eq!(Gtin::with_check_digit("9638507").unwrap().as_str(), "96385074");
        assert_eq!(Gtin::with_check_digit("03600029145").unwrap().as_str(), "036000291452");
        assert_eq!(
            Gtin::with_check_digit("0001234560001").unwrap().as_str(),
            "00012345600012"
        );
        assert_eq!(
            Sscc::with_check_digit("10614141234567890").unwrap().as_str(),
            "106141412345678908"
        );
    }

    #[test]
    fn error_codes_and_messages() {
        let cases = [
            (IdentifierError::Empty, "identifier.empty", "the identifier is empty"),
            (
                IdentifierError::NotDigits,
                "identifier.not_digits",
                "the identifier may contain only the digits 0-9",
            ),
            (
                IdentifierError::WrongLength {
                    expected: "13",
                    found: 12,
                },
                "identifier.wrong_length",
                "the identifier has 12 digits, expected 13",
            ),
            (
                IdentifierError::CheckDigit { expected: 9, found: 0 },
                "identifier.check_digit",
                "the check digit is 0, expected 9",
            ),
        ];
        for (error, code, message) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn from_str_matches_parse() {
        let gln: Gln = "4012345000009".parse().unwrap();
        assert_eq!(gln, Gln::parse("4012345000009").unwrap());
        assert_eq!(
            "4012345000000".parse::<Gln>(),
            Err(IdentifierError::CheckDigit { expected: 9, found: 0 })
        );
    }

    #[test]
    fn serde_as_plain_string() {
        let gtin = Gtin::parse("4006381333931").unwrap();
        assert_eq!(serde_json::to_string(&gtin).unwrap(), "\"4006381333931\"");
        let back: Gtin = serde_json::from_str("\"4006381333931\"").unwrap();
        assert_eq!(back, gtin);
        let sscc: Sscc = serde_json::from_str("\"106141412345678908\"").unwrap();
        assert_eq!(sscc.as_str(), "106141412345678908");
    }

    #[test]
    fn invalid_input_fails_to_deserialize() {
        assert!(serde_json::from_str::<Gln>("\"4012345000000\"").is_err());
        assert!(serde_json::from_str::<Gtin>("\"abc\"").is_err());
        assert!(serde_json::from_str::<Sscc>("\"\"").is_err());
        assert!(serde_json::from_str::<Gln>("4012345000009").is_err());
        let error = serde_json::from_str::<Gln>("\"4012345000000\"").unwrap_err();
        assert!(error.to_string().contains("check digit"), "{error}");
    }

    #[test]
    fn ordering_and_hashing_follow_the_digits() {
        let mut glns = [
            Gln::parse("4012345000009").unwrap(),
            Gln::parse("0614141000005").unwrap(),
        ];
        glns.sort();
        assert_eq!(glns[0].as_str(), "0614141000005");
        let set: std::collections::HashSet<Gln> = glns.iter().cloned().chain(glns.iter().cloned()).collect();
        assert_eq!(set.len(), 2);
    }

    fn digits(length: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(0u8..10, length).prop_map(|ds| ds.into_iter().map(|d| char::from(b'0' + d)).collect())
    }

    fn gtin_body() -> impl Strategy<Value = String> {
        prop_oneof![digits(7), digits(11), digits(12), digits(13)]
    }

    /// Every single-digit change of `number`: each position, each other digit.
    fn single_digit_changes(number: &str) -> Vec<String> {
        let mut changed = Vec::new();
        for position in 0..number.len() {
            for replacement in b'0'..=b'9' {
                let mut bytes = number.as_bytes().to_vec();
                if bytes[position] != replacement {
                    bytes[position] = replacement;
                    changed.push(String::from_utf8(bytes).unwrap());
                }
            }
        }
        changed
    }

    proptest! {
        #[test]
        fn gln_round_trips(body in digits(12)) {
            let gln = Gln::with_check_digit(&body).unwrap();
            prop_assert!(gln.as_str().starts_with(&body));
            prop_assert_eq!(Gln::parse(gln.as_str()), Ok(gln));
        }

        #[test]
        fn gtin_round_trips(body in gtin_body()) {
            let gtin = Gtin::with_check_digit(&body).unwrap();
            prop_assert_eq!(gtin.as_str().len(), body.len() + 1);
            prop_assert_eq!(Gtin::parse(gtin.as_str()), Ok(gtin));
        }

        #[test]
        fn sscc_round_trips(body in digits(17)) {
            let sscc = Sscc::with_check_digit(&body).unwrap();
            prop_assert_eq!(Sscc::parse(sscc.as_str()), Ok(sscc.clone()));
        }

        #[test]
        fn any_single_digit_change_is_caught_in_gln(body in digits(12)) {
            let gln = Gln::with_check_digit(&body).unwrap();
            for changed in single_digit_changes(gln.as_str()) {
                prop_assert!(
                    matches!(Gln::parse(&changed), Err(IdentifierError::CheckDigit { .. })),
                    "{} accepted", changed
                );
            }
        }

        #[test]
        fn any_single_digit_change_is_caught_in_gtin(body in gtin_body()) {
            let gtin = Gtin::with_check_digit(&body).unwrap();
            for changed in single_digit_changes(gtin.as_str()) {
                prop_assert!(Gtin::parse(&changed).is_err(), "{} accepted", changed);
            }
        }

        #[test]
        fn any_single_digit_change_is_caught_in_sscc(body in digits(17)) {
            let sscc = Sscc::with_check_digit(&body).unwrap();
            for changed in single_digit_changes(sscc.as_str()) {
                prop_assert!(Sscc::parse(&changed).is_err(), "{} accepted", changed);
            }
        }

        #[test]
        fn parse_never_panics(input in "\\PC{0,20}") {
            let _ = Gln::parse(&input);
            let _ = Gtin::parse(&input);
            let _ = Sscc::parse(&input);
        }
    }
}

//! Exact money: whole minor units (kopecks, fen, cents) in an `i64`, tied to a currency.
//!
//! Floating point never touches an amount, not even on the way in: text is parsed digit by
//! digit, and every division (discounts, VAT, splitting a payment) names its rounding, because
//! a kopeck that appears or vanishes shows up in reconciliation with the dealer's accounts.
//! Intermediate products are `i128`, so `i64 × i64` cannot overflow before the rounding step.
//!
//! Written here rather than taken from a decimal crate: we need only integers with a scale
//! fixed by the currency, and the storage layer keeps amounts as plain integers.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why an amount or currency was refused; `code()` gives the translation key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency code {0:?}")]
    UnknownCurrency(String),
    #[error("amounts in different currencies cannot be combined")]
    CurrencyMismatch,
    #[error("the amount is too large")]
    Overflow,
    #[error("invalid amount: {0}")]
    Invalid(String),
    #[error("at most {allowed} digits are allowed after the decimal point")]
    TooManyDecimals { allowed: u32 },
    #[error("division by zero")]
    DivisionByZero,
}

impl MoneyError {
    /// Stable key for translations and API clients; the English message may be reworded.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::UnknownCurrency(_) => "money.unknown_currency",
            MoneyError::CurrencyMismatch => "money.currency_mismatch",
            MoneyError::Overflow => "money.overflow",
            MoneyError::Invalid(_) => "money.invalid",
            MoneyError::TooManyDecimals { .. } => "money.too_many_decimals",
            MoneyError::DivisionByZero => "money.division_by_zero",
        }
    }
}

/// An ISO 4217 currency we trade in, with the number of digits after its decimal point.
///
/// Only currencies in our table exist, so the minor units are always known; a new market
/// means a new table row, not a guess at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: &'static str,
    minor_units: u32,
}

const fn iso(code: &'static str, minor_units: u32) -> Currency {
    Currency { code, minor_units }
}

/// ISO 4217 codes and minor units, sorted by code.
const CURRENCIES: &[Currency] = &[
    iso("AED", 2),
    iso("AMD", 2),
    iso("AUD", 2),
    iso("AZN", 2),
    iso("BHD", 3),
    iso("BYN", 2),
    iso("CAD", 2),
    iso("CHF", 2),
    iso("CNY", 2),
    iso("CZK", 2),
    iso("EUR", 2),
    iso("GBP", 2),
    iso("GEL", 2),
    iso("HKD", 2),
    iso("INR", 2),
    iso("JOD", 3),
    iso("JPY", 0),
    iso("KGS", 2),
    iso("KRW", 0),
    iso("KWD", 3),
    iso("KZT", 2),
    iso("MNT", 2),
    iso("OMR", 3),
    iso("PLN", 2),
    iso("RUB", 2),
    iso("SGD", 2),
    iso("TJS", 2),
    iso("TRY", 2),
    iso("USD", 2),
    iso("UZS", 2),
    iso("VND", 0),
];

impl Currency {
    /// Accepts the three-letter code in any letter case with surrounding whitespace, as people
    /// and spreadsheets write it; the value always carries the upper-case code.
    pub fn parse(code: &str) -> Result<Currency, MoneyError> {
        let wanted = code.trim();
        CURRENCIES
            .iter()
            .find(|currency| currency.code.eq_ignore_ascii_case(wanted))
            .copied()
            .ok_or_else(|| MoneyError::UnknownCurrency(wanted.to_owned()))
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    /// Digits after the decimal point: 2 for RUB, 0 for JPY, 3 for KWD.
    pub fn minor_units(self) -> u32 {
        self.minor_units
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}

/// Goes through `parse`, so stored JSON or a request cannot name a currency we do not know.
impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// How a result between two minor units is settled. Each caller chooses, because tax rules,
/// contracts and bank statements disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// Halves away from zero (2.5 → 3, −2.5 → −3): commercial rounding, the usual rule for tax.
    HalfUp,
    /// Halves to the even neighbour (2.5 → 2, 3.5 → 4): banker's rounding, unbiased over many sums.
    HalfEven,
    /// Toward zero, dropping the fraction (2.9 → 2, −2.9 → −2).
    Down,
    /// Away from zero whenever there is a fraction (2.1 → 3, −2.1 → −3).
    Up,
}

/// `numerator / denominator` rounded as asked; `denominator` must be positive.
fn divide_rounded(numerator: i128, denominator: i128, rounding: Rounding) -> i128 {
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if remainder == 0 {
        return quotient;
    }
    let away_from_zero = quotient + numerator.signum();
    // Twice the remainder against the divisor tells below, at or above the half without a fraction.
    // Neither side overflows: |remainder| < denominator ≤ 2^63.
    let twice_remainder = 2 * remainder.abs();
    match rounding {
        Rounding::Down => quotient,
        Rounding::Up => away_from_zero,
        Rounding::HalfUp if twice_remainder >= denominator => away_from_zero,
        Rounding::HalfUp => quotient,
        Rounding::HalfEven if twice_remainder > denominator => away_from_zero,
        Rounding::HalfEven if twice_remainder == denominator && quotient % 2 != 0 => away_from_zero,
        Rounding::HalfEven => quotient,
    }
}

fn to_minor(value: i128) -> Result<i64, MoneyError> {
    i64::try_from(value).map_err(|_| MoneyError::Overflow)
}

/// An amount in minor units of one currency.
///
/// Deliberately not `Ord`: comparing roubles with yuan has no answer, and a `Money` in hand
/// never silently meets another currency — arithmetic returns `CurrencyMismatch` instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// The amount in minor units (kopecks for RUB, yen for JPY), as the database stores it.
    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn is_negative(self) -> bool {
        self.minor < 0
    }

    pub fn is_zero(self) -> bool {
        self.minor == 0
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        let currency = self.same_currency(other)?;
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, currency })
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        let currency = self.same_currency(other)?;
        let minor = self.minor.checked_sub(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, currency })
    }

    /// A line total: unit price times a count of units.
    pub fn checked_mul_quantity(self, quantity: i64) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_mul(quantity).ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    /// Fails only for the most negative amount, which has no positive twin in an `i64`.
    pub fn negate(self) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_neg().ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    fn same_currency(self, other: Money) -> Result<Currency, MoneyError> {
        if self.currency == other.currency {
            Ok(self.currency)
        } else {
            Err(MoneyError::CurrencyMismatch)
        }
    }

    /// Reads an amount in major units: `1234.5`, `1234,50` (either decimal mark), `-3`.
    ///
    /// Strict on purpose, since a misread price list is worse than a refused one: no thousands
    /// separators, no `+`, no exponent, digits required on both sides of the decimal mark, and
    /// no more fraction digits than the currency has (`1.500` RUB is refused rather than
    /// silently accepted, as a third digit usually means a typo or a different unit).
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(MoneyError::Invalid("the amount is empty".to_owned()));
        }
        let invalid = || MoneyError::Invalid(format!("{trimmed:?} is not a decimal amount"));
        let (negative, unsigned) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (whole, fraction, has_mark) = match unsigned.split_once(['.', ',']) {
            Some((whole, fraction)) => (whole, fraction, true),
            None => (unsigned, "", false),
        };
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || (has_mark && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
            return Err(invalid());
        }
        let allowed = currency.minor_units;
        if fraction.len() > allowed as usize {
            return Err(MoneyError::TooManyDecimals { allowed });
        }

        let mut minor: i128 = 0;
        for byte in whole.bytes().chain(fraction.bytes()) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(byte - b'0')))
                .ok_or(MoneyError::Overflow)?;
        }
        for _ in fraction.len()..allowed as usize {
            minor = minor.checked_mul(10).ok_or(MoneyError::Overflow)?;
        }
        let minor = if negative { -minor } else { minor };
        Ok(Money {
            minor: to_minor(minor)?,
            currency,
        })
    }

    /// The amount in major units with exactly the currency's fraction digits and `.` as the
    /// decimal mark (`1234.50`, `-0.05`, `1500` for JPY): the form APIs, EDI and CSV exchange.
    /// Pages format for the reader's locale elsewhere.
    pub fn to_decimal_string(self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let magnitude = u128::from(self.minor.unsigned_abs());
        let units = self.currency.minor_units;
        if units == 0 {
            return format!("{sign}{magnitude}");
        }
        let scale = 10_u128.pow(units);
        format!(
            "{sign}{}.{:0width$}",
            magnitude / scale,
            magnitude % scale,
            width = units as usize
        )
    }

    /// `self × numerator ÷ denominator`, rounded once at the end.
    ///
    /// Rates are passed as a fraction so that 20 % is exactly `20/100` and 7.5 % `75/1000`;
    /// VAT on a net amount is `apply_rate(20, 100, HalfUp)`, VAT inside a gross amount
    /// `apply_rate(20, 120, HalfUp)`.
    pub fn apply_rate(self, numerator: i64, denominator: i64, rounding: Rounding) -> Result<Money, MoneyError> {
        if denominator == 0 {
            return Err(MoneyError::DivisionByZero);
        }
        // |i64 × i64| ≤ 2^126, so neither the product nor its negation can overflow an i128.
        let mut product = i128::from(self.minor) * i128::from(numerator);
        let mut divisor = i128::from(denominator);
        if divisor < 0 {
            product = -product;
            divisor = -divisor;
        }
        let minor = to_minor(divide_rounded(product, divisor, rounding))?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    /// Splits the amount in proportion to `weights`; the parts always sum to the whole.
    ///
    /// Each part first gets its share rounded toward zero; the minor units left over go one
    /// each to the parts whose shares lost the largest fractions (earlier parts first on a
    /// tie), so the split is as fair as whole kopecks allow and the same input always gives
    /// the same split. Zero weights get zero; negative weights are refused.
    pub fn allocate(self, weights: &[i64]) -> Result<Vec<Money>, MoneyError> {
        if weights.is_empty() {
            return Err(MoneyError::Invalid("nothing to allocate to".to_owned()));
        }
        if let Some(weight) = weights.iter().find(|w| **w < 0) {
            return Err(MoneyError::Invalid(format!("negative allocation weight {weight}")));
        }
        // At most 2^63 per weight: a slice long enough to overflow an i128 cannot exist.
        let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        if total == 0 {
            return Err(MoneyError::DivisionByZero);
        }

        let whole = i128::from(self.minor);
        let mut shares = Vec::with_capacity(weights.len());
        let mut remainders = Vec::with_capacity(weights.len());
        for (index, weight) in weights.iter().enumerate() {
            let exact = whole * i128::from(*weight);
            shares.push(exact / total);
            remainders.push((index, (exact % total).abs()));
        }
        let handed_out: i128 = shares.iter().sum();
        // Below weights.len() in magnitude: each share lost less than one minor unit.
        let left_over = whole - handed_out;
        let step = left_over.signum();
        remainders.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let receivers = usize::try_from(left_over.unsigned_abs()).unwrap_or(remainders.len());
        for (index, _) in remainders.iter().take(receivers) {
            if let Some(share) = shares.get_mut(*index) {
                *share += step;
            }
        }

        shares
            .into_iter()
            .map(|share| {
                Ok(Money {
                    minor: to_minor(share)?,
                    currency: self.currency,
                })
            })
            .collect()
    }
}

/// `1234.50 RUB`: for logs and messages; pages format amounts for the reader's locale.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency.code)
    }
}

/// A percentage with at most two decimals, such as "20", "9,5" or "13%", as basis points
/// (2000, 950, 1300). Used for VAT rates and discounts; never a float.
pub fn parse_percent(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    let text = text.trim_end_matches('%').trim_end();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || fraction.len() > 2 || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

/// Basis points as the percentage people type, the inverse of [`parse_percent`]: 2000 is "20",
/// 950 is "9.5", 1025 is "10.25".
pub fn percent_text(basis_points: i64) -> String {
    let whole = basis_points / 100;
    let fraction = basis_points % 100;
    if fraction == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{fraction:02}").trim_end_matches('0').to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn percentages_are_written_as_people_type_them() {
        assert_eq!(percent_text(2000), "20");
        assert_eq!(percent_text(950), "9.5");
        assert_eq!(percent_text(1025), "10.25");
        assert_eq!(percent_text(0), "0");
        assert_eq!(parse_percent(&percent_text(1025)), Some(1025));
    }

    fn currency(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn rub(minor: i64) -> Money {
        Money::new(minor, currency("RUB"))
    }

    #[test]
    fn required_currencies_and_their_minor_units() {
        let expected = [
            ("RUB", 2),
            ("CNY", 2),
            ("USD", 2),
            ("EUR", 2),
            ("KZT", 2),
            ("BYN", 2),
            ("UZS", 2),
            ("JPY", 0),
            ("KRW", 0),
            ("GBP", 2),
            ("HKD", 2),
            ("KWD", 3),
            ("BHD", 3),
        ];
        for (code, units) in expected {
            let currency = currency(code);
            assert_eq!(currency.code(), code);
            assert_eq!(currency.minor_units(), units, "{code}");
        }
    }

    #[test]
    fn currency_table_is_sorted_and_unique() {
        assert!(CURRENCIES.windows(2).all(|pair| pair[0].code < pair[1].code));
        assert!(CURRENCIES
            .iter()
            .all(|c| c.code.len() == 3 && c.code.bytes().all(|b| b.is_ascii_uppercase())));
    }

    #[test]
    fn currency_parse_is_forgiving_about_case_and_space_only() {
        assert_eq!(currency(" rub ").code(), "RUB");
        assert_eq!(
            Currency::parse("XXX"),
            Err(MoneyError::UnknownCurrency("XXX".to_owned()))
        );
        assert_eq!(Currency::parse(""), Err(MoneyError::UnknownCurrency(String::new())));
        assert!(Currency::parse("RU B").is_err());
        assert!(Currency::parse("RUBL").is_err());
    }

    #[test]
    fn currency_serde_as_code() {
        assert_eq!(serde_json::to_string(&currency("CNY")).unwrap(), "\"CNY\"");
        assert_eq!(serde_json::from_str::<Currency>("\"KWD\"").unwrap(), currency("KWD"));
        assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
        assert!(serde_json::from_str::<Currency>("643").is_err());
        assert_eq!(currency("EUR").to_string(), "EUR");
    }

    #[test]
    fn parse_decimal_accepts_the_usual_forms() {
        let cases = [
            ("1234.5", 123_450),
            ("1234,50", 123_450),
            ("-3", -300),
            ("0", 0),
            ("-0", 0),
            ("0.01", 1),
            ("-0.01", -1),
            ("007.10", 710),
            ("  12,3\t", 1230),
        ];
        for (text, minor) in cases {
            assert_eq!(Money::parse_decimal(text, currency("RUB")), Ok(rub(minor)), "{text}");
        }
        assert_eq!(Money::parse_decimal("1500", currency("JPY")).unwrap().minor(), 1500);
        assert_eq!(Money::parse_decimal("1.5", currency("KWD")).unwrap().minor(), 1500);
        assert_eq!(Money::parse_decimal("1.005", currency("BHD")).unwrap().minor(), 1005);
    }

    #[test]
    fn parse_decimal_rejects_garbage() {
        for text in [
            "", "   ", "-", "abc", "1e5", "1E5", "+3", "--3", "1.", ".5", "1.2.3", "1,234.50", "1 234", "12-", "0x10",
            "１２", "NaN", "inf", "1.-5",
        ] {
            assert!(
                matches!(Money::parse_decimal(text, currency("RUB")), Err(MoneyError::Invalid(_))),
                "{text:?} accepted"
            );
        }
    }

    #[test]
    fn parse_decimal_rejects_more_fraction_digits_than_the_currency_has() {
        assert_eq!(
            Money::parse_decimal("1.234", currency("RUB")),
            Err(MoneyError::TooManyDecimals { allowed: 2 })
        );
        assert_eq!(
            Money::parse_decimal("1.500", currency("RUB")),
            Err(MoneyError::TooManyDecimals { allowed: 2 })
        );
        assert_eq!(
            Money::parse_decimal("100.0", currency("JPY")),
            Err(MoneyError::TooManyDecimals { allowed: 0 })
        );
        assert_eq!(
            Money::parse_decimal("1.0001", currency("KWD")),
            Err(MoneyError::TooManyDecimals { allowed: 3 })
        );
    }

    #[test]
    fn parse_decimal_reaches_the_limits_of_i64_and_no_further() {
        assert_eq!(
            Money::parse_decimal("92233720368547758.07", currency("RUB"))
                .unwrap()
                .minor(),
            i64::MAX
        );
        assert_eq!(
            Money::parse_decimal("-92233720368547758.08", currency("RUB"))
                .unwrap()
                .minor(),
            i64::MIN
        );
        assert_eq!(
            Money::parse_decimal("92233720368547758.08", currency("RUB")),
            Err(MoneyError::Overflow)
        );
        let huge = "9".repeat(60);
        assert_eq!(Money::parse_decimal(&huge, currency("RUB")), Err(MoneyError::Overflow));
    }

    #[test]
    fn to_decimal_string_has_exactly_the_currency_digits() {
        assert_eq!(rub(123_450).to_decimal_string(), "1234.50");
        assert_eq!(rub(5).to_decimal_string(), "0.05");
        assert_eq!(rub(-5).to_decimal_string(), "-0.05");
        assert_eq!(rub(-300).to_decimal_string(), "-3.00");
        assert_eq!(rub(0).to_decimal_string(), "0.00");
        assert_eq!(rub(i64::MIN).to_decimal_string(), "-92233720368547758.08");
        assert_eq!(Money::new(1500, currency("JPY")).to_decimal_string(), "1500");
        assert_eq!(Money::new(-7, currency("KRW")).to_decimal_string(), "-7");
        assert_eq!(Money::new(1005, currency("KWD")).to_decimal_string(), "1.005");
        assert_eq!(Money::new(-1, currency("BHD")).to_decimal_string(), "-0.001");
        assert_eq!(rub(123_450).to_string(), "1234.50 RUB");
    }

    #[test]
    fn addition_and_subtraction() {
        assert_eq!(rub(150).checked_add(rub(250)), Ok(rub(400)));
        assert_eq!(rub(150).checked_sub(rub(250)), Ok(rub(-100)));
        assert_eq!(Money::zero(currency("RUB")), rub(0));
        assert!(rub(0).is_zero() && !rub(0).is_negative() && rub(-1).is_negative());
    }

    #[test]
    fn different_currencies_do_not_mix() {
        let yuan = Money::new(100, currency("CNY"));
        assert_eq!(rub(100).checked_add(yuan), Err(MoneyError::CurrencyMismatch));
        assert_eq!(rub(100).checked_sub(yuan), Err(MoneyError::CurrencyMismatch));
        assert_ne!(rub(100), yuan);
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(rub(i64::MAX).checked_add(rub(1)), Err(MoneyError::Overflow));
        assert_eq!(rub(i64::MIN).checked_sub(rub(1)), Err(MoneyError::Overflow));
        assert_eq!(rub(i64::MAX).checked_mul_quantity(2), Err(MoneyError::Overflow));
        assert_eq!(rub(i64::MIN).negate(), Err(MoneyError::Overflow));
        assert_eq!(
            rub(i64::MAX).apply_rate(2, 1, Rounding::Down),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn quantity_and_negation() {
        assert_eq!(rub(1999).checked_mul_quantity(3), Ok(rub(5997)));
        assert_eq!(rub(1999).checked_mul_quantity(-2), Ok(rub(-3998)));
        assert_eq!(rub(1999).checked_mul_quantity(0), Ok(rub(0)));
        assert_eq!(rub(1999).negate(), Ok(rub(-1999)));
        assert_eq!(rub(-1).negate(), Ok(rub(1)));
    }

    /// `minor / 10` under each mode, as (minor, half up, half even, down, up).
    const TENTHS: &[(i64, i64, i64, i64, i64)] = &[
        (25, 3, 2, 2, 3),
        (35, 4, 4, 3, 4),
        (15, 2, 2, 1, 2),
        (5, 1, 0, 0, 1),
        (-25, -3, -2, -2, -3),
        (-35, -4, -4, -3, -4),
        (-15, -2, -2, -1, -2),
        (-5, -1, 0, 0, -1),
        (24, 2, 2, 2, 3),
        (26, 3, 3, 2, 3),
        (-24, -2, -2, -2, -3),
        (-26, -3, -3, -2, -3),
        (30, 3, 3, 3, 3),
        (-30, -3, -3, -3, -3),
        (0, 0, 0, 0, 0),
        (1, 0, 0, 0, 1),
        (-1, 0, 0, 0, -1),
    ];

    #[test]
    fn rounding_modes_on_halves_and_neighbours() {
        for &(minor, half_up, half_even, down, up) in TENTHS {
            for (rounding, expected) in [
                (Rounding::HalfUp, half_up),
                (Rounding::HalfEven, half_even),
                (Rounding::Down, down),
                (Rounding::Up, up),
            ] {
                assert_eq!(
                    rub(minor).apply_rate(1, 10, rounding),
                    Ok(rub(expected)),
                    "{minor}/10 {rounding:?}"
                );
                // The sign may sit on any of the three numbers.
                assert_eq!(
                    rub(minor).apply_rate(-1, -10, rounding),
                    Ok(rub(expected)),
                    "{minor}/10 {rounding:?}"
                );
                assert_eq!(
                    rub(-minor).apply_rate(1, -10, rounding),
                    Ok(rub(expected)),
                    "{minor}/10 {rounding:?}"
                );
                assert_eq!(
                    rub(-minor).apply_rate(-1, 10, rounding),
                    Ok(rub(expected)),
                    "{minor}/10 {rounding:?}"
                );
            }
        }
    }

    #[test]
    fn vat_and_discounts() {
        // 20 % VAT on 1234.56: 246.912 → 246.91.
        assert_eq!(rub(123_456).apply_rate(20, 100, Rounding::HalfUp), Ok(rub(24_691)));
        // VAT inside a gross 1200.00 at 20 %: exactly 200.00.
        assert_eq!(rub(120_000).apply_rate(20, 120, Rounding::HalfUp), Ok(rub(20_000)));
        // 20 % VAT on 0.03: 0.006 → 0.01; on 0.02: 0.004 → 0.00.
        assert_eq!(rub(3).apply_rate(20, 100, Rounding::HalfUp), Ok(rub(1)));
        assert_eq!(rub(2).apply_rate(20, 100, Rounding::HalfUp), Ok(rub(0)));
        // 7.5 % discount on 99.99: 7.49925 → 7.50.
        assert_eq!(rub(9999).apply_rate(75, 1000, Rounding::HalfUp), Ok(rub(750)));
        // A JPY price at 12.5 % off, half of a yen exactly: 100 × 0.125 = 12.5.
        let yen = Money::new(100, currency("JPY"));
        assert_eq!(yen.apply_rate(125, 1000, Rounding::HalfEven).unwrap().minor(), 12);
        assert_eq!(yen.apply_rate(125, 1000, Rounding::HalfUp).unwrap().minor(), 13);
    }

    #[test]
    fn apply_rate_uses_wide_intermediates() {
        // The product exceeds i64 but the result does not.
        assert_eq!(
            rub(i64::MAX).apply_rate(i64::MAX, i64::MAX, Rounding::Down),
            Ok(rub(i64::MAX))
        );
        assert_eq!(
            rub(i64::MIN).apply_rate(i64::MIN, i64::MIN, Rounding::Down),
            Ok(rub(i64::MIN))
        );
        assert_eq!(
            rub(i64::MAX).apply_rate(3, 4, Rounding::HalfUp).unwrap().minor(),
            6_917_529_027_641_081_855
        );
        assert_eq!(
            rub(1).apply_rate(1, 0, Rounding::HalfUp),
            Err(MoneyError::DivisionByZero)
        );
    }

    #[test]
    fn allocate_gives_remainders_to_the_largest_fractions() {
        assert_eq!(
            rub(10_000).allocate(&[1, 1, 1]),
            Ok(vec![rub(3334), rub(3333), rub(3333)])
        );
        assert_eq!(
            rub(-10_000).allocate(&[1, 1, 1]),
            Ok(vec![rub(-3334), rub(-3333), rub(-3333)])
        );
        // 1.00 as 1:2 is 0.333… and 0.666…; the second lost more, so it gets the kopeck.
        assert_eq!(rub(100).allocate(&[1, 2]), Ok(vec![rub(33), rub(67)]));
        assert_eq!(
            rub(5).allocate(&[1, 1, 1, 1, 1, 1, 1]),
            Ok(vec![rub(1), rub(1), rub(1), rub(1), rub(1), rub(0), rub(0)])
        );
        assert_eq!(rub(100).allocate(&[0, 3, 0]), Ok(vec![rub(0), rub(100), rub(0)]));
        assert_eq!(rub(0).allocate(&[1, 2]), Ok(vec![rub(0), rub(0)]));
        assert_eq!(rub(i64::MAX).allocate(&[i64::MAX, i64::MAX]).unwrap().len(), 2);
    }

    #[test]
    fn allocate_refuses_meaningless_weights() {
        assert!(matches!(rub(100).allocate(&[]), Err(MoneyError::Invalid(_))));
        assert!(matches!(rub(100).allocate(&[1, -1]), Err(MoneyError::Invalid(_))));
        assert_eq!(rub(100).allocate(&[0, 0]), Err(MoneyError::DivisionByZero));
    }

    #[test]
    fn error_codes_and_messages() {
        let cases = [
            (
                MoneyError::UnknownCurrency("XXX".to_owned()),
                "money.unknown_currency",
                "unknown currency code \"XXX\"",
            ),
            (
                MoneyError::CurrencyMismatch,
                "money.currency_mismatch",
                "amounts in different currencies cannot be combined",
            ),
            (MoneyError::Overflow, "money.overflow", "the amount is too large"),
            (
                MoneyError::Invalid("x".to_owned()),
                "money.invalid",
                "invalid amount: x",
            ),
            (
                MoneyError::TooManyDecimals { allowed: 2 },
                "money.too_many_decimals",
                "at most 2 digits are allowed after the decimal point",
            ),
            (MoneyError::DivisionByZero, "money.division_by_zero", "division by zero"),
        ];
        for (error, code, message) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.to_string(), message);
        }
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        proptest::sample::select(CURRENCIES)
    }

    fn any_rounding() -> impl Strategy<Value = Rounding> {
        prop_oneof![
            Just(Rounding::HalfUp),
            Just(Rounding::HalfEven),
            Just(Rounding::Down),
            Just(Rounding::Up)
        ]
    }

    proptest! {
        #[test]
        fn decimal_text_round_trips(minor in any::<i64>(), currency in any_currency()) {
            let money = Money::new(minor, currency);
            prop_assert_eq!(Money::parse_decimal(&money.to_decimal_string(), currency), Ok(money));
            let with_comma = money.to_decimal_string().replace('.', ",");
            prop_assert_eq!(Money::parse_decimal(&with_comma, currency), Ok(money));
        }

        #[test]
        fn allocation_sums_to_the_whole(
            minor in any::<i64>(),
            weights in proptest::collection::vec(0..=i64::MAX, 1..12),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let money = rub(minor);
            let parts = money.allocate(&weights).unwrap();
            prop_assert_eq!(parts.len(), weights.len());
            let sum: i128 = parts.iter().map(|p| i128::from(p.minor())).sum();
            prop_assert_eq!(sum, i128::from(minor));
            let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            for (part, weight) in parts.iter().zip(&weights) {
                // Never more than one minor unit from the exact share.
                let exact = i128::from(minor) * i128::from(*weight);
                let part = i128::from(part.minor());
                prop_assert!((part * total - exact).abs() < total, "part {} weight {}", part, weight);
            }
        }

        #[test]
        fn allocation_of_small_weights_sums_to_the_whole(
            minor in -1_000_000_i64..1_000_000,
            weights in proptest::collection::vec(0_i64..5, 1..20),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let parts = rub(minor).allocate(&weights).unwrap();
            prop_assert_eq!(parts.iter().map(|p| p.minor()).sum::<i64>(), minor);
            for (part, weight) in parts.iter().zip(&weights) {
                if *weight == 0 {
                    prop_assert_eq!(part.minor(), 0);
                }
            }
        }

        #[test]
        fn rate_of_one_is_identity(minor in any::<i64>(), n in any::<i64>(), rounding in any_rounding()) {
            prop_assume!(n != 0);
            prop_assert_eq!(rub(minor).apply_rate(n, n, rounding), Ok(rub(minor)));
        }

        #[test]
        fn rounding_lands_on_a_neighbour_of_the_exact_result(
            minor in any::<i64>(),
            numerator in -1000_i64..1000,
            denominator in 1_i64..1000,
            rounding in any_rounding(),
        ) {
            if let Ok(result) = rub(minor).apply_rate(numerator, denominator, rounding) {
                let exact = i128::from(minor) * i128::from(numerator);
                let scaled = i128::from(result.minor()) * i128::from(denominator);
                prop_assert!((scaled - exact).abs() < i128::from(denominator));
                match rounding {
                    Rounding::Down => prop_assert!(scaled.abs() <= exact.abs()),
                    Rounding::Up => prop_assert!(scaled.abs() >= exact.abs()),
                    Rounding::HalfUp | Rounding::HalfEven => {
                        prop_assert!(2 * (scaled - exact).abs() <= i128::from(denominator))
                    }
                }
            }
        }

        #[test]
        fn parse_decimal_never_panics(text in "\\PC{0,30}", currency in any_currency()) {
            let _ = Money::parse_decimal(&text, currency);
        }
    }
}

//! Translations and locale formatting for pages, messages and problem details.
//!
//! The messages live in `i18n/<locale>.txt`, one `key = text` per line, compiled into the
//! binary. We keep this small home-made loader rather than a Fluent stack because our messages
//! need only named `{placeholders}`, and a test checks that every key used anywhere exists in
//! all three languages.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use platform::{Locale, Money};

const SOURCES: [(Locale, &str); 3] = [
    (Locale::En, include_str!("../i18n/en.txt")),
    (Locale::Ru, include_str!("../i18n/ru.txt")),
    (Locale::Zh, include_str!("../i18n/zh.txt")),
];

static CATALOGS: LazyLock<HashMap<Locale, HashMap<&'static str, &'static str>>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(locale, text)| (*locale, parse_catalog(text)))
        .collect()
});

/// Reads `key = text` lines; blank lines and `#` comments are skipped.
pub fn parse_catalog(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim(), value.trim()))
        .collect()
}

/// The keys of one locale's catalog, for the completeness test.
pub fn keys(locale: Locale) -> Vec<&'static str> {
    CATALOGS
        .get(&locale)
        .map(|c| c.keys().copied().collect())
        .unwrap_or_default()
}

/// Speaks one language and formats for its locale, in the tenant's time zone.
#[derive(Debug, Clone, Copy)]
pub struct Translator {
    pub locale: Locale,
    pub time_zone: Tz,
}

impl Translator {
    pub fn new(locale: Locale, time_zone: Tz) -> Translator {
        Translator { locale, time_zone }
    }

    /// The text for `key`; a missing key shows itself, so it is noticed rather than hidden.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        CATALOGS
            .get(&self.locale)
            .and_then(|catalog| catalog.get(key).copied())
            .or_else(|| CATALOGS.get(&Locale::En).and_then(|c| c.get(key).copied()))
            .unwrap_or(key)
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn t_with(&self, key: &str, params: &[(&str, String)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in params {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub fn code(&self) -> &'static str {
        self.locale.code()
    }

    /// A whole number with the locale's digit grouping: 12,345 / 12 345.
    pub fn number(&self, value: impl std::borrow::Borrow<i64>) -> String {
        let value = *value.borrow();
        group_digits(&value.unsigned_abs().to_string(), self.group_separator(), value < 0)
    }

    fn group_separator(&self) -> &'static str {
        match self.locale {
            Locale::Ru => "\u{a0}",
            Locale::En | Locale::Zh => ",",
        }
    }

    /// An amount with its currency as the locale writes it: ₽1,234.50 / 1 234,50 ₽ / ¥1,234.50.
    pub fn money(&self, money: &Money) -> String {
        let text = money.to_decimal_string();
        let negative = text.starts_with('-');
        let digits = text.trim_start_matches('-');
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let whole = group_digits(whole, self.group_separator(), negative);
        let decimal = match self.locale {
            Locale::Ru => ",",
            Locale::En | Locale::Zh => ".",
        };
        let amount = if fraction.is_empty() {
            whole
        } else {
            format!("{whole}{decimal}{fraction}")
        };
        let currency = money.currency();
        let code = currency.code();
        let symbol = currency_symbol(code);
        match self.locale {
            Locale::Ru => format!("{amount}\u{a0}{symbol}"),
            Locale::En | Locale::Zh if symbol != code => format!("{symbol}{amount}"),
            Locale::En | Locale::Zh => format!("{amount} {code}"),
        }
    }

    /// A moment in the tenant's time zone: 24 Nov 2026 14:05 / 24.11.2026 14:05 / 2026-11-24 14:05.
    pub fn date_time(&self, at: &DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.time_zone);
        match self.locale {
            Locale::En => local.format("%-d %b %Y %H:%M").to_string(),
            Locale::Ru => local.format("%d.%m.%Y %H:%M").to_string(),
            Locale::Zh => local.format("%Y-%m-%d %H:%M").to_string(),
        }
    }

    /// The day a moment falls on in the tenant's time zone.
    pub fn day_of(&self, at: &DateTime<Utc>) -> chrono::NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }

    pub fn optional_date_time(&self, at: &Option<DateTime<Utc>>) -> String {
        at.as_ref().map(|at| self.date_time(at)).unwrap_or_default()
    }
}

fn group_digits(digits: &str, separator: &str, negative: bool) -> String {
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    if negative {
        out.insert(0, '-');
    }
    out
}

fn currency_symbol(code: &str) -> &str {
    match code {
        "RUB" => "₽",
        "CNY" => "¥",
        "USD" => "$",
        "EUR" => "€",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_translated_into_every_language() {
        let english: std::collections::BTreeSet<_> = keys(Locale::En).into_iter().collect();
        for locale in [Locale::Ru, Locale::Zh] {
            let other: std::collections::BTreeSet<_> = keys(locale).into_iter().collect();
            let missing: Vec<_> = english.difference(&other).collect();
            let extra: Vec<_> = other.difference(&english).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", locale.code());
            assert!(extra.is_empty(), "{} has keys English lacks: {extra:?}", locale.code());
        }
    }

    #[test]
    fn numbers_and_dates_follow_the_locale() {
        let en = Translator::new(Locale::En, chrono_tz::Europe::Moscow);
        let ru = Translator::new(Locale::Ru, chrono_tz::Europe::Moscow);
        let zh = Translator::new(Locale::Zh, chrono_tz::Asia::Shanghai);
        assert_eq!(en.number(1234567), "1,234,567");
        assert_eq!(ru.number(-1234), "-1\u{a0}234");
        let at = DateTime::parse_from_rfc3339("2026-11-24T11:05:00Z").map(|t| t.with_timezone(&Utc));
        let Ok(at) = at else { unreachable!("valid date") };
        assert_eq!(en.date_time(&at), "24 Nov 2026 14:05");
        assert_eq!(ru.date_time(&at), "24.11.2026 14:05");
        assert_eq!(zh.date_time(&at), "2026-11-24 19:05");
    }
}

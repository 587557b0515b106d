//! The shared words for why a command or query did not succeed.
//!
//! Capabilities name their errors in the glossary's words and turn them into a [`Failure`];
//! the web layer maps a `Failure` to a response in exactly one place. Codes are translation
//! keys, so pages can say the same thing in the user's language.

use crate::db::DbError;
use crate::identifiers::{Gln, IdentifierError};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The input field, as the form or JSON names it.
    pub field: String,
    /// A translation key such as `field.required`.
    pub code: &'static str,
    /// Values the message mentions, such as `max`.
    pub params: Vec<(&'static str, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> FieldError {
        FieldError {
            field: field.into(),
            code,
            params: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> FieldError {
        self.params.push((name, value.to_string()));
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("the input is not valid: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    #[error("not allowed")]
    Forbidden,
    #[error("not signed in")]
    Unauthenticated,
    /// The request is well formed but clashes with what is stored (a state, a duplicate).
    #[error("conflict: {code}")]
    Conflict { code: &'static str },
    #[error("too many attempts; retry in {retry_after_seconds} s")]
    Throttled { retry_after_seconds: i64 },
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("{0}")]
    Internal(String),
}

impl Failure {
    pub fn field(field: impl Into<String>, code: &'static str) -> Failure {
        Failure::Invalid(vec![FieldError::new(field, code)])
    }
}

/// Collects every problem of an input before answering, so the user sees them all at once.
#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub fn new() -> Checks {
        Checks::default()
    }

    pub fn add(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// A required text: trimmed, not empty, at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.add(FieldError::new(field, "field.required"));
        } else {
            self.max_length(field, value, max);
        }
        value.to_owned()
    }

    /// An optional text: trimmed, `None` when empty, at most `max` characters.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.max_length(field, value, max);
        Some(value.to_owned())
    }

    fn max_length(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.add(FieldError::new(field, "field.too_long").with("max", max));
        }
    }

    /// A code: letters, digits, `-`, `_` and `.` only, so it is safe in files, URLs and EDI.
    pub fn code(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = self.text(field, value, max);
        if !value.is_empty()
            && !value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            self.add(FieldError::new(field, "field.code_characters"));
        }
        value
    }

    pub fn gln(&mut self, field: &str, value: Option<&str>) -> Option<Gln> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        match Gln::parse(value) {
            Ok(gln) => Some(gln),
            Err(error) => {
                self.identifier(field, &error);
                None
            }
        }
    }

    pub fn identifier(&mut self, field: &str, error: &IdentifierError) {
        self.add(FieldError::new(field, error.code()));
    }

    pub fn email(&mut self, field: &str, value: &str) -> String {
        let value = self.text(field, value, 254).to_lowercase();
        let valid = value
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.'))
            && !value.contains(char::is_whitespace);
        if !value.is_empty() && !valid {
            self.add(FieldError::new(field, "field.email"));
        }
        value
    }

    pub fn finish(self) -> Result<(), Failure> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Failure::Invalid(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_collect_every_problem() {
        let mut checks = Checks::new();
        checks.text("name", "   ", 10);
        checks.code("code", "a b", 10);
        checks.gln("gln", Some("4012345000008"));
        checks.email("email", "nobody");
        let Err(Failure::Invalid(errors)) = checks.finish() else {
            unreachable!("four problems were found")
        };
        let codes: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            vec![
                ("name", "field.required"),
                ("code", "field.code_characters"),
                ("gln", "identifier.check_digit"),
                ("email", "field.email"),
            ]
        );
    }

    #[test]
    fn text_longer_than_allowed_names_the_limit() {
        let mut checks = Checks::new();
        checks.text("name", "дилер", 4);
        let Err(Failure::Invalid(errors)) = checks.finish() else {
            unreachable!("too long")
        };
        assert_eq!(errors[0].params, vec![("max", "4".to_owned())]);
    }
}

//! Forms with a field per line on pages that show several of them (a form per sales order, per
//! shipment…): their fields are `<prefix><name>_<line>` and `<prefix><name>`, and the command's
//! `lines[i].<name>` errors come back under those names, next to the fields.

use std::collections::HashMap;

use platform::{Failure, FieldError};

pub struct LineForm<'a> {
    form: &'a HashMap<String, String>,
    prefix: String,
}

impl<'a> LineForm<'a> {
    pub fn new(form: &'a HashMap<String, String>, prefix: String) -> LineForm<'a> {
        LineForm { form, prefix }
    }

    /// The order the form came from, to show it again with the errors.
    pub fn order_id(&self) -> Result<i64, Failure> {
        self.form
            .get("order_id")
            .and_then(|id| id.trim().parse().ok())
            .ok_or(Failure::NotFound { entity: "order" })
    }

    /// `<prefix><name>`, trimmed.
    pub fn value(&self, name: &str) -> &'a str {
        self.form
            .get(&format!("{}{name}", self.prefix))
            .map(|v| v.trim())
            .unwrap_or_default()
    }

    /// `<prefix><name>_<line>`, trimmed.
    pub fn line_value(&self, name: &str, line: i64) -> &'a str {
        self.value(&format!("{name}_{line}"))
    }

    /// The line numbers that have a `<prefix><name>_<line>` field, in order.
    pub fn lines(&self, name: &str) -> Vec<i64> {
        let start = format!("{}{name}_", self.prefix);
        let mut lines: Vec<i64> = self
            .form
            .keys()
            .filter_map(|key| key.strip_prefix(&start)?.parse().ok())
            .collect();
        lines.sort_unstable();
        lines
    }

    /// A whole number of a line, or an error under its field; empty is `None`.
    pub fn line_number(&self, name: &str, line: i64, errors: &mut Vec<FieldError>) -> Option<i64> {
        let text = self.line_value(name, line);
        if text.is_empty() {
            return None;
        }
        text.parse().map_or_else(
            |_| {
                errors.push(FieldError::new(self.field(name, line), "field.whole_number"));
                None
            },
            Some,
        )
    }

    fn field(&self, name: &str, line: i64) -> String {
        format!("{}{name}_{line}", self.prefix)
    }

    /// The command's errors under the form's names: `lines[i].<name>` as `<prefix><form name>_<line>`
    /// (`line_of` gives the line of the command's i-th line, `name` the form's name of a field),
    /// anything else as `<prefix><whole(field)>`.
    pub fn errors(
        &self,
        failure: Failure,
        line_of: impl Fn(usize) -> Option<i64>,
        name: impl Fn(&str) -> &str,
        whole: impl Fn(&str) -> &str,
    ) -> Failure {
        let Failure::Invalid(errors) = failure else {
            return failure;
        };
        let rename = |field: &str| {
            let parsed = field.strip_prefix("lines[").and_then(|rest| rest.split_once("]."));
            match parsed.and_then(|(index, field_name)| Some((line_of(index.parse().ok()?)?, field_name))) {
                Some((line, field_name)) => self.field(name(field_name), line),
                None => format!("{}{}", self.prefix, whole(field)),
            }
        };
        Failure::Invalid(
            errors
                .into_iter()
                .map(|error| FieldError {
                    field: rename(&error.field),
                    ..error
                })
                .collect(),
        )
    }
}

/// Every field error of a failure under one form field: for a one-field form among several on a
/// page (a settlement note, a decision's reason, a photo), whose own name the command never knew.
pub fn all_under(failure: Failure, field: String) -> Failure {
    match failure {
        Failure::Invalid(errors) => Failure::Invalid(
            errors
                .into_iter()
                .map(|error| FieldError {
                    field: field.clone(),
                    ..error
                })
                .collect(),
        ),
        other => other,
    }
}

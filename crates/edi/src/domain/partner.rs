//! An EDI partner: a dealer that exchanges EANCOM messages, and how it wants them written.

use chrono::{DateTime, Utc};
use edifact::SyntaxIdentifier;
use platform::failure::Checks;
use platform::{FieldError, Gln};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::envelope::Directory;

/// The messages a partner may send us that we read.
pub const MESSAGES_IN: [&str; 8] = [
    "ORDERS", "ORDCHG", "RECADV", "INVRPT", "SLSRPT", "RETANN", "CONTRL", "APERAK",
];
/// The messages we may write to a partner.
pub const MESSAGES_OUT: [&str; 6] = ["PRICAT", "ORDRSP", "DESADV", "INVOIC", "CONTRL", "APERAK"];

/// How interchanges travel between us and the partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The partner posts to the inbox endpoint and fetches from the outbox.
    Api,
    /// A folder pair the server watches: `in/` for the partner's files, `out/` for ours.
    Directory,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Api => "api",
            Channel::Directory => "directory",
        }
    }

    pub fn parse(code: &str) -> Option<Channel> {
        [Channel::Api, Channel::Directory]
            .into_iter()
            .find(|c| c.code() == code.trim())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PartnerInput {
    pub dealer_id: i64,
    /// The partner's identification in UNB: its GLN, or an EDI operator's mailbox id.
    pub interchange_id: String,
    /// `14` (GS1, the default: the id must then be a valid GLN), `ZZZ` (mutually agreed)…
    #[serde(default)]
    pub interchange_qualifier: Option<String>,
    /// `D96A` (EANCOM 97) or `D01B` (EANCOM 2002).
    pub directory: String,
    /// `UNOA`…`UNOF`, `UNOW` or `UNOY`.
    pub syntax: String,
    /// 2, 3 or 4; UNOW and UNOY need 4.
    pub syntax_version: i64,
    /// `api` or `directory`.
    pub channel: String,
    /// For the directory channel: the folder holding `in/` and `out/`.
    #[serde(default)]
    pub directory_path: Option<String>,
    pub messages_in: Vec<String>,
    pub messages_out: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A partner as checked, ready to store.
#[derive(Debug, Clone)]
pub struct ValidPartner {
    pub dealer_id: i64,
    pub interchange_id: String,
    pub interchange_qualifier: String,
    pub directory: Directory,
    pub syntax: SyntaxIdentifier,
    pub syntax_version: u8,
    pub channel: Channel,
    pub directory_path: Option<String>,
    pub messages_in: Vec<String>,
    pub messages_out: Vec<String>,
    pub active: bool,
}

impl PartnerInput {
    pub fn check(&self) -> Result<ValidPartner, platform::Failure> {
        let mut checks = Checks::new();
        let interchange_qualifier = self
            .interchange_qualifier
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .unwrap_or("14")
            .to_owned();
        let interchange_id = checks.text("interchange_id", &self.interchange_id, 35);
        if interchange_qualifier == "14" && !interchange_id.is_empty() && Gln::parse(&interchange_id).is_err() {
            checks.add(FieldError::new("interchange_id", "edi.interchange_id_not_gln"));
        }
        if interchange_qualifier.len() > 4 || !interchange_qualifier.chars().all(|c| c.is_ascii_alphanumeric()) {
            checks.add(FieldError::new("interchange_qualifier", "field.invalid"));
        }
        let directory = parse_directory(&self.directory).unwrap_or_else(|| {
            checks.add(FieldError::new("directory", "edi.directory_unknown"));
            Directory::D96A
        });
        let syntax = SyntaxIdentifier::from_code(self.syntax.trim()).unwrap_or_else(|| {
            checks.add(FieldError::new("syntax", "edi.syntax_unknown"));
            SyntaxIdentifier::Unoc
        });
        let syntax_version = u8::try_from(self.syntax_version)
            .ok()
            .filter(|v| (2..=4).contains(v))
            .unwrap_or_else(|| {
                checks.add(FieldError::new("syntax_version", "edi.syntax_version_unknown"));
                4
            });
        if matches!(syntax, SyntaxIdentifier::Unow | SyntaxIdentifier::Unoy) && syntax_version < 4 {
            checks.add(FieldError::new("syntax_version", "edi.utf8_needs_version_4"));
        }
        let channel = Channel::parse(&self.channel).unwrap_or_else(|| {
            checks.add(FieldError::new("channel", "field.invalid"));
            Channel::Api
        });
        let directory_path = checks.optional_text("directory_path", self.directory_path.as_deref(), 500);
        if channel == Channel::Directory && directory_path.is_none() {
            checks.add(FieldError::new("directory_path", "field.required"));
        }
        let messages_in = message_types(&mut checks, "messages_in", &self.messages_in, &MESSAGES_IN);
        let messages_out = message_types(&mut checks, "messages_out", &self.messages_out, &MESSAGES_OUT);
        checks.finish()?;
        Ok(ValidPartner {
            dealer_id: self.dealer_id,
            interchange_id,
            interchange_qualifier,
            directory,
            syntax,
            syntax_version,
            channel,
            directory_path: directory_path.filter(|_| channel == Channel::Directory),
            messages_in,
            messages_out,
            active: self.active,
        })
    }
}

/// `D96A` or `D01B`, as partner profiles and the archive name the directories.
pub fn directory_code(directory: Directory) -> &'static str {
    match directory {
        Directory::D96A => "D96A",
        Directory::D01B => "D01B",
    }
}

pub fn parse_directory(code: &str) -> Option<Directory> {
    [Directory::D96A, Directory::D01B]
        .into_iter()
        .find(|d| directory_code(*d) == code.trim().to_ascii_uppercase())
}

fn message_types(checks: &mut Checks, field: &str, given: &[String], known: &[&str]) -> Vec<String> {
    let mut types: Vec<String> = Vec::new();
    for name in given {
        let name = name.trim().to_ascii_uppercase();
        if !known.contains(&name.as_str()) {
            checks.add(FieldError::new(field, "edi.message_type_unknown").with("type", &name));
        } else if !types.contains(&name) {
            types.push(name);
        }
    }
    types
}

/// A partner as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Partner {
    pub id: i64,
    pub dealer_id: i64,
    pub dealer_code: String,
    pub dealer_name: String,
    pub interchange_id: String,
    pub interchange_qualifier: String,
    pub directory: String,
    pub syntax: String,
    pub syntax_version: i64,
    pub channel: String,
    pub directory_path: Option<String>,
    pub messages_in: Vec<String>,
    pub messages_out: Vec<String>,
    pub active: bool,
    /// What stopped the last attempt to exchange with the partner, until that stage goes through.
    pub problem: Option<ExchangeProblem>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stage of the exchange with a partner that can fail on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeStage {
    /// Writing the ORDRSP and DESADV the partner is owed.
    Documents,
    /// Reading the `in/` of its folder.
    Inbox,
    /// Writing to the `out/` of its folder.
    Outbox,
}

impl ExchangeStage {
    pub fn code(self) -> &'static str {
        match self {
            ExchangeStage::Documents => "documents",
            ExchangeStage::Inbox => "inbox",
            ExchangeStage::Outbox => "outbox",
        }
    }
}

/// Why an exchange with a partner stopped, as the server saw it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExchangeProblem {
    /// `documents` (writing ORDRSP or DESADV), `inbox` or `outbox` (its folder).
    pub stage: String,
    /// The error, as the system gave it.
    pub detail: String,
    /// When the problem began; it has recurred on every attempt since.
    pub since: DateTime<Utc>,
}

impl Partner {
    pub fn receives(&self, message_type: &str) -> bool {
        self.active && self.messages_out.iter().any(|m| m == message_type)
    }

    pub fn sends(&self, message_type: &str) -> bool {
        self.messages_in.iter().any(|m| m == message_type)
    }
}

/// One of a partner's own codes: for one of our products (`article`, by SKU) or for one of its
/// delivery locations (`location`, by the location's code).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CrossReferenceInput {
    /// `article` or `location`.
    pub kind: String,
    /// The code the partner's messages use.
    pub partner_code: String,
    /// For an article: our SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// For a location: the code of the dealer's delivery location.
    #[serde(default)]
    pub location_code: Option<String>,
}

/// A cross-reference as checked: its kind, the partner's code, and ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCrossReference {
    pub article: bool,
    pub partner_code: String,
    pub our_code: String,
}

/// Checks the rows of a partner's cross-reference table; errors name the row.
pub fn check_cross_references(rows: &[CrossReferenceInput]) -> Result<Vec<ValidCrossReference>, platform::Failure> {
    let mut checks = Checks::new();
    let mut valid = Vec::with_capacity(rows.len());
    let mut seen = std::collections::HashSet::new();
    for (row, input) in rows.iter().enumerate() {
        let field = |name: &str| format!("rows[{row}].{name}");
        let partner_code = checks.text(&field("partner_code"), &input.partner_code, 35);
        let ours = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (article, our_code, our_field) = match input.kind.trim() {
            "article" => (true, ours(&input.sku), "sku"),
            "location" => (false, ours(&input.location_code), "location_code"),
            _ => {
                checks.add(FieldError::new(field("kind"), "edi.cross_reference_kind"));
                continue;
            }
        };
        let Some(our_code) = our_code else {
            checks.add(FieldError::new(field(our_field), "field.required"));
            continue;
        };
        if !partner_code.is_empty() && !seen.insert((article, partner_code.clone())) {
            checks.add(FieldError::new(field("partner_code"), "edi.cross_reference_repeated"));
        }
        valid.push(ValidCrossReference {
            article,
            partner_code,
            our_code,
        });
    }
    checks.finish()?;
    Ok(valid)
}

/// A cross-reference as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CrossReference {
    pub kind: String,
    pub partner_code: String,
    pub sku: Option<String>,
    pub location_code: Option<String>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn input() -> PartnerInput {
        PartnerInput {
            dealer_id: 1,
            interchange_id: "4607001000006".into(),
            interchange_qualifier: None,
            directory: "D96A".into(),
            syntax: "UNOC".into(),
            syntax_version: 3,
            channel: "api".into(),
            directory_path: None,
            messages_in: vec!["orders".into(), "RECADV".into()],
            messages_out: vec!["ORDRSP".into()],
            active: true,
        }
    }

    fn fields(input: PartnerInput) -> Vec<String> {
        match input.check() {
            Err(platform::Failure::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_gs1_partner_is_known_by_a_valid_gln_and_message_types_are_upper_case() {
        let partner = input().check().unwrap();
        assert_eq!(partner.interchange_qualifier, "14");
        assert_eq!(partner.messages_in, vec!["ORDERS", "RECADV"]);
        let mut wrong = input();
        wrong.interchange_id = "4607001000007".into();
        assert_eq!(fields(wrong), vec!["interchange_id"]);
        let mut mailbox = input();
        mailbox.interchange_id = "KONTUR-12345".into();
        mailbox.interchange_qualifier = Some("ZZZ".into());
        assert!(mailbox.check().is_ok(), "an operator's mailbox id is not a GLN");
    }

    #[test]
    fn cross_references_name_our_sku_or_location_and_each_code_once() {
        let row = |kind: &str, code: &str, sku: Option<&str>, location: Option<&str>| CrossReferenceInput {
            kind: kind.into(),
            partner_code: code.into(),
            sku: sku.map(Into::into),
            location_code: location.map(Into::into),
        };
        let valid = check_cross_references(&[row("article", "A-17", Some("BS-0001"), None)]).unwrap();
        assert_eq!(valid[0].our_code, "BS-0001");
        let errors = match check_cross_references(&[
            row("article", "A-17", None, None),
            row("location", "WH1", Some("BS-0001"), None),
            row("shelf", "X", None, None),
            row("location", "WH2", None, Some("MSK-WH1")),
            row("location", "WH2", None, Some("MSK-WH2")),
        ]) {
            Err(platform::Failure::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            errors,
            vec![
                "rows[0].sku",
                "rows[1].location_code",
                "rows[2].kind",
                "rows[4].partner_code"
            ]
        );
    }

    #[test]
    fn utf8_needs_syntax_version_4_and_a_folder_channel_needs_its_folder() {
        let mut chinese = input();
        chinese.syntax = "UNOY".into();
        assert_eq!(fields(chinese), vec!["syntax_version"]);
        let mut folder = input();
        folder.channel = "directory".into();
        assert_eq!(fields(folder), vec!["directory_path"]);
        let mut unknown = input();
        unknown.messages_out = vec!["ORDERS".into()];
        unknown.directory = "D93A".into();
        assert_eq!(fields(unknown), vec!["directory", "messages_out"]);
    }
}

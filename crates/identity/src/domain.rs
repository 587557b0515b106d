//! Identity's types and rules, free of SQL and HTTP.

use chrono::{DateTime, Utc};
use platform::failure::Checks;
use platform::{DealerId, FieldError, Gln, Locale, RegionId, Role, TenantId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const NAME_MAX: usize = 200;
pub const CODE_MAX: usize = 40;
pub const TEXT_MAX: usize = 1000;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tenant {
    #[schema(value_type = i64)]
    pub id: TenantId,
    pub code: String,
    pub name: String,
    pub currency: String,
    #[schema(value_type = String)]
    pub default_locale: Locale,
    pub time_zone: String,
    pub brand_primary_color: String,
    pub brand_accent_color: String,
    pub has_logo: bool,
    /// What happens to an order beyond a dealer's credit limit: `hold` (it waits for finance)
    /// or `refuse`.
    pub credit_policy: String,
    /// The manufacturer's own GLN: the sender of its EDI interchanges.
    pub gln: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Tenant {
    /// The tenant's time zone, in which its people read times and dates. A stored zone is
    /// checked when it is set, so UTC stands in only for one no longer known.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }
}

/// A new tenant, from the command line or an operator.
#[derive(Debug, Clone, Deserialize)]
pub struct NewTenant {
    pub code: String,
    pub name: String,
    pub currency: String,
    pub default_locale: String,
    pub time_zone: String,
}

/// Settings an administrator can change on the tenant settings page.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TenantSettings {
    pub name: String,
    pub default_locale: String,
    pub time_zone: String,
    pub brand_primary_color: String,
    pub brand_accent_color: String,
    /// `hold` or `refuse`; left out, it stays as it is.
    #[serde(default)]
    pub credit_policy: Option<String>,
    /// The manufacturer's GLN, for EDI; left out, it stays as it is; empty, it is cleared.
    #[serde(default)]
    pub gln: Option<String>,
}

pub struct ValidTenantSettings {
    pub name: String,
    pub default_locale: Locale,
    pub time_zone: String,
    pub brand_primary_color: String,
    pub brand_accent_color: String,
    pub credit_policy: Option<String>,
    /// `None`: leave it; `Some(None)`: clear it.
    pub gln: Option<Option<String>>,
}

impl TenantSettings {
    pub fn validate(&self) -> Result<ValidTenantSettings, platform::Failure> {
        let mut checks = Checks::new();
        let name = checks.text("name", &self.name, NAME_MAX);
        let default_locale = parse_locale(&mut checks, "default_locale", &self.default_locale);
        let time_zone = check_time_zone(&mut checks, "time_zone", &self.time_zone);
        let brand_primary_color = check_color(&mut checks, "brand_primary_color", &self.brand_primary_color);
        let brand_accent_color = check_color(&mut checks, "brand_accent_color", &self.brand_accent_color);
        let credit_policy = self.credit_policy.as_deref().map(str::trim).filter(|p| !p.is_empty());
        if credit_policy.is_some_and(|policy| !matches!(policy, "hold" | "refuse")) {
            checks.add(FieldError::new("credit_policy", "field.invalid"));
        }
        let gln = self
            .gln
            .as_deref()
            .map(|gln| checks.gln("gln", Some(gln)).map(|gln| gln.as_str().to_owned()));
        checks.finish()?;
        Ok(ValidTenantSettings {
            name,
            default_locale,
            time_zone,
            brand_primary_color,
            brand_accent_color,
            credit_policy: credit_policy.map(str::to_owned),
            gln,
        })
    }
}

pub fn parse_locale(checks: &mut Checks, field: &str, value: &str) -> Locale {
    Locale::parse(value).unwrap_or_else(|| {
        checks.add(FieldError::new(field, "field.locale"));
        Locale::En
    })
}

pub fn check_time_zone(checks: &mut Checks, field: &str, value: &str) -> String {
    let value = value.trim();
    if value.parse::<chrono_tz::Tz>().is_err() {
        checks.add(FieldError::new(field, "field.time_zone"));
    }
    value.to_owned()
}

/// A colour as `#rrggbb`, the only form that is safe to put into a style sheet unescaped.
pub fn check_color(checks: &mut Checks, field: &str, value: &str) -> String {
    let value = value.trim().to_ascii_lowercase();
    let valid = value.len() == 7 && value.starts_with('#') && value[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !valid {
        checks.add(FieldError::new(field, "field.color"));
    }
    value
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegionKind {
    Country,
    Region,
    Territory,
}

impl RegionKind {
    pub const ALL: [RegionKind; 3] = [RegionKind::Country, RegionKind::Region, RegionKind::Territory];

    pub fn code(self) -> &'static str {
        match self {
            RegionKind::Country => "country",
            RegionKind::Region => "region",
            RegionKind::Territory => "territory",
        }
    }

    pub fn parse(code: &str) -> Option<RegionKind> {
        RegionKind::ALL.into_iter().find(|kind| kind.code() == code.trim())
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Region {
    #[schema(value_type = i64)]
    pub id: RegionId,
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<RegionId>,
    pub code: String,
    pub name: String,
    pub kind: RegionKind,
    /// 0 for a country, growing down the tree.
    pub depth: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RegionInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<RegionId>,
}

pub struct ValidRegion {
    pub code: String,
    pub name: String,
    pub kind: RegionKind,
    pub parent_id: Option<RegionId>,
}

/// The regions whose code or name holds the search, each with its ancestors, still in tree
/// order. An empty search keeps them all.
pub fn search_regions(regions: Vec<Region>, search: &str) -> Vec<Region> {
    platform::tree::matches_with_ancestors(
        regions,
        |region| region.id,
        |region| region.parent_id,
        |region| platform::tree::text_matches(search, &[&region.code, &region.name]),
    )
}

impl RegionInput {
    pub fn validate(&self) -> Result<ValidRegion, platform::Failure> {
        let mut checks = Checks::new();
        let code = checks.code("code", &self.code, CODE_MAX);
        let name = checks.text("name", &self.name, NAME_MAX);
        let kind = RegionKind::parse(&self.kind);
        if kind.is_none() {
            checks.add(FieldError::new("kind", "region.kind_invalid"));
        }
        if kind == Some(RegionKind::Country) && self.parent_id.is_some() {
            checks.add(FieldError::new("parent_id", "region.country_has_no_parent"));
        }
        if kind.is_some_and(|k| k != RegionKind::Country) && self.parent_id.is_none() {
            checks.add(FieldError::new("parent_id", "field.required"));
        }
        checks.finish()?;
        Ok(ValidRegion {
            code,
            name,
            kind: kind.unwrap_or(RegionKind::Country),
            parent_id: self.parent_id,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DealerStatus {
    Applicant,
    Active,
    Suspended,
    Closed,
}

impl DealerStatus {
    pub const ALL: [DealerStatus; 4] = [
        DealerStatus::Applicant,
        DealerStatus::Active,
        DealerStatus::Suspended,
        DealerStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DealerStatus::Applicant => "applicant",
            DealerStatus::Active => "active",
            DealerStatus::Suspended => "suspended",
            DealerStatus::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<DealerStatus> {
        DealerStatus::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    /// An applicant is accepted or turned away; an active dealer can be suspended and
    /// reinstated; a closed dealer stays closed, because its documents must stay as they were.
    pub fn can_become(self, next: DealerStatus) -> bool {
        use DealerStatus::*;
        self == next
            || matches!(
                (self, next),
                (Applicant, Active | Closed) | (Active, Suspended | Closed) | (Suspended, Active | Closed)
            )
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dealer {
    #[schema(value_type = i64)]
    pub id: DealerId,
    pub code: String,
    pub legal_name: String,
    pub tax_number: Option<String>,
    pub gln: Option<String>,
    /// 1: a distributor buying from the manufacturer; 2: a sub-dealer buying from a distributor.
    pub tier: i64,
    #[schema(value_type = Option<i64>)]
    pub parent_dealer_id: Option<DealerId>,
    #[schema(value_type = i64)]
    pub region_id: RegionId,
    pub region_name: String,
    pub status: DealerStatus,
    /// The currency it buys in; `None` for the tenant's.
    pub currency: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DealerDetail {
    #[serde(flatten)]
    pub dealer: Dealer,
    pub parent_dealer_name: Option<String>,
    pub groups: Vec<DealerGroup>,
    pub locations: Vec<DeliveryLocation>,
    pub contacts: Vec<Contact>,
}

/// The fields of a dealer as a form or the API sends them, for creation and for update.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DealerInput {
    pub code: String,
    pub legal_name: String,
    #[serde(default)]
    pub tax_number: Option<String>,
    #[serde(default)]
    pub gln: Option<String>,
    pub tier: i64,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub parent_dealer_id: Option<DealerId>,
    #[schema(value_type = i64)]
    pub region_id: RegionId,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub group_ids: Vec<i64>,
    /// ISO 4217 code of the currency it buys in; empty for the tenant's.
    #[serde(default)]
    pub currency: Option<String>,
}

pub struct ValidDealer {
    pub code: String,
    pub legal_name: String,
    pub tax_number: Option<String>,
    pub gln: Option<Gln>,
    pub tier: i64,
    pub parent_dealer_id: Option<DealerId>,
    pub region_id: RegionId,
    pub status: Option<DealerStatus>,
    pub group_ids: Vec<i64>,
    pub currency: Option<String>,
}

impl DealerInput {
    pub fn validate(&self) -> Result<ValidDealer, platform::Failure> {
        let mut checks = Checks::new();
        let code = checks.code("code", &self.code, CODE_MAX);
        let legal_name = checks.text("legal_name", &self.legal_name, NAME_MAX);
        let tax_number = checks.optional_text("tax_number", self.tax_number.as_deref(), 20);
        if tax_number
            .as_deref()
            .is_some_and(|t| !t.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            checks.add(FieldError::new("tax_number", "dealer.tax_number_invalid"));
        }
        let gln = checks.gln("gln", self.gln.as_deref());
        match (self.tier, self.parent_dealer_id) {
            (1, None) | (2, Some(_)) => {}
            (1, Some(_)) => checks.add(FieldError::new("parent_dealer_id", "dealer.tier1_has_no_parent")),
            (2, None) => checks.add(FieldError::new("parent_dealer_id", "dealer.tier2_needs_parent")),
            _ => checks.add(FieldError::new("tier", "dealer.tier_invalid")),
        }
        let status = self.status.as_deref().filter(|s| !s.trim().is_empty()).map(|s| {
            DealerStatus::parse(s).unwrap_or_else(|| {
                checks.add(FieldError::new("status", "dealer.status_invalid"));
                DealerStatus::Applicant
            })
        });
        let currency = self
            .currency
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|code| {
                platform::Currency::parse(code)
                    .map(|c| c.code().to_owned())
                    .unwrap_or_else(|_| {
                        checks.add(FieldError::new("currency", "field.currency"));
                        String::new()
                    })
            });
        checks.finish()?;
        Ok(ValidDealer {
            currency,
            code,
            legal_name,
            tax_number,
            gln,
            tier: self.tier,
            parent_dealer_id: self.parent_dealer_id,
            region_id: self.region_id,
            status,
            group_ids: self.group_ids.clone(),
        })
    }
}

/// What the dealer group list shows.
#[derive(Debug, Clone, Default)]
pub struct DealerGroupFilter {
    /// Part of the code or name, any letter case.
    pub search: Option<String>,
    /// Parsed with [`crate::queries::DEALER_GROUP_SORT`].
    pub sort: platform::Sort,
}

#[derive(Debug, Clone, Default)]
pub struct DealerFilter {
    /// Matches code or legal name, in any letter case and script.
    pub search: Option<String>,
    pub region_id: Option<RegionId>,
    pub status: Option<DealerStatus>,
    pub tier: Option<i64>,
    pub group_id: Option<i64>,
    /// Parsed with [`crate::queries::DEALER_SORT`].
    pub sort: platform::Sort,
}

/// The text dealers are searched by: code and name, lower-cased with Unicode rules.
pub fn dealer_search_text(code: &str, legal_name: &str) -> String {
    format!("{} {}", code, legal_name).to_lowercase()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DealerGroup {
    pub id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DealerGroupInput {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryLocation {
    pub id: i64,
    #[schema(value_type = i64)]
    pub dealer_id: DealerId,
    pub code: String,
    pub name: String,
    pub address: String,
    pub gln: Option<String>,
    pub is_primary: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LocationInput {
    pub code: String,
    pub name: String,
    pub address: String,
    #[serde(default)]
    pub gln: Option<String>,
    #[serde(default)]
    pub is_primary: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contact {
    pub id: i64,
    #[schema(value_type = i64)]
    pub dealer_id: DealerId,
    pub name: String,
    pub position: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ContactInput {
    pub name: String,
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Disabled,
}

impl UserStatus {
    pub fn code(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }

    pub fn parse(code: &str) -> Option<UserStatus> {
        match code.trim() {
            "active" => Some(UserStatus::Active),
            "disabled" => Some(UserStatus::Disabled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    #[schema(value_type = i64)]
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    #[schema(value_type = Option<String>)]
    pub locale: Option<Locale>,
    #[schema(value_type = Option<i64>)]
    pub dealer_id: Option<DealerId>,
    pub dealer_name: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
    #[schema(value_type = Vec<i64>)]
    pub region_ids: Vec<RegionId>,
    pub all_regions: bool,
    pub sees_tier2: bool,
    pub status: UserStatus,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

/// A user as an administrator creates or edits it. `password` is the initial password, only
/// read on creation; later changes go through a reset.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UserInput {
    pub login: String,
    pub display_name: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub dealer_id: Option<DealerId>,
    pub roles: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<i64>)]
    pub region_ids: Vec<RegionId>,
    #[serde(default)]
    pub all_regions: bool,
    #[serde(default)]
    pub sees_tier2: bool,
    #[serde(default)]
    pub status: Option<String>,
}

pub struct ValidUser {
    pub login: String,
    pub display_name: String,
    pub password: Option<String>,
    pub locale: Option<Locale>,
    pub dealer_id: Option<DealerId>,
    pub roles: Vec<Role>,
    pub region_ids: Vec<RegionId>,
    pub all_regions: bool,
    pub sees_tier2: bool,
    pub status: UserStatus,
}

impl UserInput {
    /// `creating` makes the initial password required.
    pub fn validate(&self, creating: bool) -> Result<ValidUser, platform::Failure> {
        let mut checks = Checks::new();
        let login = checks.email("login", &self.login);
        let display_name = checks.text("display_name", &self.display_name, NAME_MAX);
        let password = if creating {
            let password = self.password.clone().unwrap_or_default();
            check_password(&mut checks, "password", &password);
            Some(password)
        } else {
            None
        };
        let locale = self
            .locale
            .as_deref()
            .filter(|l| !l.trim().is_empty())
            .map(|l| parse_locale(&mut checks, "locale", l));
        let mut roles = Vec::new();
        for code in &self.roles {
            match Role::parse(code.trim()) {
                Some(role) if role.is_internal() == self.dealer_id.is_none() => roles.push(role),
                Some(_) => checks.add(FieldError::new("roles", "user.role_for_other_kind").with("role", code)),
                None => checks.add(FieldError::new("roles", "user.unknown_role").with("role", code)),
            }
        }
        roles.sort();
        roles.dedup();
        if roles.is_empty() && self.roles.is_empty() {
            checks.add(FieldError::new("roles", "user.needs_role"));
        }
        if self.dealer_id.is_some() && (self.all_regions || !self.region_ids.is_empty()) {
            checks.add(FieldError::new("region_ids", "user.dealer_user_has_no_regions"));
        }
        let status = match self.status.as_deref().filter(|s| !s.trim().is_empty()) {
            None => UserStatus::Active,
            Some(code) => UserStatus::parse(code).unwrap_or_else(|| {
                checks.add(FieldError::new("status", "user.status_invalid"));
                UserStatus::Active
            }),
        };
        checks.finish()?;
        let mut region_ids = self.region_ids.clone();
        region_ids.sort();
        region_ids.dedup();
        Ok(ValidUser {
            login,
            display_name,
            password,
            locale,
            dealer_id: self.dealer_id,
            roles,
            region_ids,
            all_regions: self.dealer_id.is_none() && self.all_regions,
            sees_tier2: self.dealer_id.is_some() && self.sees_tier2,
            status,
        })
    }
}

pub fn check_password(checks: &mut Checks, field: &str, password: &str) {
    let length = password.chars().count();
    if length < crate::password::MIN_LENGTH {
        checks.add(FieldError::new(field, "password.too_short").with("min", crate::password::MIN_LENGTH));
    } else if length > crate::password::MAX_LENGTH {
        checks.add(FieldError::new(field, "field.too_long").with("max", crate::password::MAX_LENGTH));
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    #[schema(value_type = i64)]
    pub user_id: UserId,
    pub user_login: String,
    pub role: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ApiTokenInput {
    pub name: String,
    #[schema(value_type = i64)]
    pub user_id: UserId,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token and its secret, which is shown this once and never stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedToken {
    #[serde(flatten)]
    pub token: ApiToken,
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_dealer_stays_closed() {
        assert!(DealerStatus::Applicant.can_become(DealerStatus::Active));
        assert!(DealerStatus::Suspended.can_become(DealerStatus::Active));
        assert!(!DealerStatus::Closed.can_become(DealerStatus::Active));
        assert!(!DealerStatus::Active.can_become(DealerStatus::Applicant));
    }

    #[test]
    fn a_tier2_dealer_needs_its_distributor() {
        let input = DealerInput {
            code: "D-1".into(),
            legal_name: "ООО Ромашка".into(),
            tier: 2,
            region_id: RegionId(1),
            ..DealerInput::default()
        };
        let Err(platform::Failure::Invalid(errors)) = input.validate() else {
            unreachable!("tier 2 without parent")
        };
        assert_eq!(errors[0].code, "dealer.tier2_needs_parent");
    }

    #[test]
    fn dealer_users_take_dealer_roles_only() {
        let input = UserInput {
            login: "buyer@example.com".into(),
            display_name: "Buyer".into(),
            password: Some("long enough".into()),
            dealer_id: Some(DealerId(3)),
            roles: vec!["administrator".into()],
            ..UserInput::default()
        };
        let Err(platform::Failure::Invalid(errors)) = input.validate(true) else {
            unreachable!("internal role for a dealer user")
        };
        assert_eq!(errors[0].code, "user.role_for_other_kind");
    }

    #[test]
    fn colours_must_be_hex() {
        let mut checks = Checks::new();
        assert_eq!(check_color(&mut checks, "c", "#A0b1C2"), "#a0b1c2");
        check_color(&mut checks, "c", "red;}");
        assert!(checks.finish().is_err());
    }

    #[test]
    fn search_text_lowercases_cyrillic() {
        assert_eq!(dealer_search_text("MSK-01", "ООО Вектор"), "msk-01 ооо вектор");
    }
}

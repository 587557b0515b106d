//! Pricing types and rules, free of SQL and HTTP.

use chrono::NaiveDate;
use platform::failure::Checks;
use platform::{Currency, FieldError, Money};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Base,
    Group,
    Tier,
    Region,
    Dealer,
}

impl Audience {
    pub const ALL: [Audience; 5] = [
        Audience::Base,
        Audience::Group,
        Audience::Tier,
        Audience::Region,
        Audience::Dealer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Audience::Base => "base",
            Audience::Group => "group",
            Audience::Tier => "tier",
            Audience::Region => "region",
            Audience::Dealer => "dealer",
        }
    }

    pub fn parse(code: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.code() == code.trim())
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PriceList {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub audience: String,
    pub audience_id: Option<i64>,
    pub currency: String,
    pub row_count: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PriceRow {
    pub id: i64,
    pub product_id: i64,
    pub sku: String,
    pub min_quantity: i64,
    /// A decimal in the list's currency.
    pub unit_price: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PriceListInput {
    pub code: String,
    pub name: String,
    pub audience: String,
    /// The group, tier (1 or 2), region or dealer; empty for the base list.
    pub audience_id: Option<i64>,
    pub currency: String,
}

pub struct ValidPriceList {
    pub code: String,
    pub name: String,
    pub audience: Audience,
    pub audience_id: Option<i64>,
    pub currency: Currency,
}

impl PriceListInput {
    pub fn validate(&self) -> Result<ValidPriceList, platform::Failure> {
        let mut checks = Checks::new();
        let code = checks.code("code", &self.code, 40);
        let name = checks.text("name", &self.name, 200);
        let audience = Audience::parse(&self.audience);
        match (audience, self.audience_id) {
            (None, _) => checks.add(FieldError::new("audience", "price_list.audience_invalid")),
            (Some(Audience::Base), Some(_)) => {
                checks.add(FieldError::new("audience_id", "price_list.base_has_no_audience"))
            }
            (Some(Audience::Tier), Some(tier)) if tier != 1 && tier != 2 => {
                checks.add(FieldError::new("audience_id", "dealer.tier_invalid"))
            }
            (Some(audience), None) if audience != Audience::Base => {
                checks.add(FieldError::new("audience_id", "field.required"))
            }
            _ => {}
        }
        let currency = Currency::parse(&self.currency);
        if currency.is_err() {
            checks.add(FieldError::new("currency", "field.currency"));
        }
        checks.finish()?;
        match currency {
            Ok(currency) => Ok(ValidPriceList {
                code,
                name,
                audience: audience.unwrap_or(Audience::Base),
                audience_id: self.audience_id,
                currency,
            }),
            Err(_) => Err(platform::Failure::field("currency", "field.currency")),
        }
    }
}

/// One price: from `min_quantity` units on, `unit_price` (a decimal in the list's currency).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PriceRowInput {
    pub product_id: i64,
    pub min_quantity: i64,
    pub unit_price: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

pub struct ValidPriceRow {
    pub product_id: i64,
    pub min_quantity: i64,
    pub unit_price: Money,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl PriceRowInput {
    pub fn check(&self, checks: &mut Checks, row: usize, currency: Currency) -> Option<ValidPriceRow> {
        let field = |name: &str| format!("rows[{row}].{name}");
        if self.min_quantity < 1 {
            checks.add(FieldError::new(field("min_quantity"), "field.positive"));
        }
        if self.valid_to.is_some_and(|to| to < self.valid_from) {
            checks.add(FieldError::new(field("valid_to"), "price_list.period_reversed"));
        }
        match Money::parse_decimal(&self.unit_price, currency) {
            // Free goods come from promotions; a list price of zero is a mistake.
            Ok(price) if price.minor() > 0 => Some(ValidPriceRow {
                product_id: self.product_id,
                min_quantity: self.min_quantity,
                unit_price: price,
                valid_from: self.valid_from,
                valid_to: self.valid_to,
            }),
            Ok(_) => {
                checks.add(FieldError::new(field("unit_price"), "field.positive"));
                None
            }
            Err(error) => {
                checks.add(FieldError::new(field("unit_price"), error.code()));
                None
            }
        }
    }
}

/// A validity period: from a day, until a day or open-ended, both days included.
pub type Period = (NaiveDate, Option<NaiveDate>);

/// Two periods share at least one day.
pub fn periods_overlap(a: Period, b: Period) -> bool {
    let a_before_b_ends = b.1.is_none_or(|b_end| a.0 <= b_end);
    let b_before_a_ends = a.1.is_none_or(|a_end| b.0 <= a_end);
    a_before_b_ends && b_before_a_ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap_or_default()
    }

    #[test]
    fn periods_overlap_when_they_share_a_day() {
        let jan = (day("2026-01-01"), Some(day("2026-01-31")));
        let feb = (day("2026-02-01"), Some(day("2026-02-28")));
        let from_jan_31 = (day("2026-01-31"), None);
        assert!(!periods_overlap(jan, feb));
        assert!(periods_overlap(jan, from_jan_31));
        assert!(periods_overlap(from_jan_31, feb));
        assert!(periods_overlap((day("2026-01-01"), None), (day("2025-01-01"), None)));
    }
}

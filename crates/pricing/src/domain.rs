//! Pricing types and rules, free of SQL and HTTP.

use chrono::NaiveDate;
use platform::failure::Checks;
use platform::{Currency, FieldError, Money};
use serde::Deserialize;

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

#[derive(Debug, Clone, Deserialize)]
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
#[derive(Debug, Clone, Deserialize)]
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
            Ok(price) if !price.is_negative() => Some(ValidPriceRow {
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

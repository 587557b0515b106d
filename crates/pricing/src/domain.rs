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

/// Who a promotion is for; no audience at all means every dealer.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PromotionAudienceInput {
    /// `all`, `dealer`, `group`, `tier` or `region`.
    pub audience: String,
    #[serde(default)]
    pub audience_id: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct BundleComponentInput {
    pub product_id: i64,
    pub quantity: i64,
}

/// A promotion as a form or the API gives it. Which terms count depends on `kind`:
/// `percent_off` reads `percent`; `amount_off` reads `amount`; `spend_save` reads `threshold`,
/// `amount` (the saving) and `repeat`; `buy_get` reads `buy`, `get` and `free_product_id`;
/// `bundle` reads `bundle_product_id`, `components` and `bundle_price`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PromotionInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub currency: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[serde(default)]
    pub priority: i64,
    #[serde(default)]
    pub stackable: bool,
    #[serde(default)]
    pub percent: Option<String>,
    #[serde(default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub threshold: Option<String>,
    #[serde(default)]
    pub repeat: bool,
    #[serde(default)]
    pub buy: Option<i64>,
    #[serde(default)]
    pub get: Option<i64>,
    #[serde(default)]
    pub free_product_id: Option<i64>,
    #[serde(default)]
    pub bundle_product_id: Option<i64>,
    #[serde(default)]
    pub components: Vec<BundleComponentInput>,
    #[serde(default)]
    pub bundle_price: Option<String>,
    /// The most discount money it may give over all orders; empty for no limit.
    #[serde(default)]
    pub budget: Option<String>,
    /// The most units it may discount or give away over all orders; empty for no limit.
    #[serde(default)]
    pub quantity_cap: Option<i64>,
    #[serde(default)]
    pub audiences: Vec<PromotionAudienceInput>,
    #[serde(default)]
    pub product_ids: Vec<i64>,
    #[serde(default)]
    pub category_ids: Vec<i64>,
}

/// A promotion's terms as stored: amounts in minor units of its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoredTerms {
    PercentOff {
        basis_points: i64,
    },
    AmountOff {
        amount_minor: i64,
    },
    SpendSave {
        threshold_minor: i64,
        saving_minor: i64,
        repeat: bool,
    },
    BuyGet {
        buy: i64,
        get: i64,
        free_product_id: Option<i64>,
    },
    Bundle {
        bundle_product_id: i64,
        components: Vec<(i64, i64)>,
        bundle_price_minor: i64,
    },
}

impl StoredTerms {
    pub fn kind(&self, currency: Currency) -> crate::promotions::PromotionKind {
        use crate::promotions::PromotionKind;
        let money = |minor: i64| Money::new(minor, currency);
        match self {
            StoredTerms::PercentOff { basis_points } => PromotionKind::PercentOff {
                basis_points: *basis_points,
            },
            StoredTerms::AmountOff { amount_minor } => PromotionKind::AmountOff {
                amount: money(*amount_minor),
            },
            StoredTerms::SpendSave {
                threshold_minor,
                saving_minor,
                repeat,
            } => PromotionKind::SpendSave {
                threshold: money(*threshold_minor),
                saving: money(*saving_minor),
                repeat: *repeat,
            },
            StoredTerms::BuyGet {
                buy,
                get,
                free_product_id,
            } => PromotionKind::BuyGet {
                buy: *buy,
                get: *get,
                free_product_id: *free_product_id,
            },
            StoredTerms::Bundle {
                bundle_product_id,
                components,
                bundle_price_minor,
            } => PromotionKind::Bundle {
                bundle_product_id: *bundle_product_id,
                components: components.clone(),
                bundle_price: money(*bundle_price_minor),
            },
        }
    }
}

pub struct ValidPromotion {
    pub code: String,
    pub name: String,
    pub terms: StoredTerms,
    pub currency: Currency,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub priority: i64,
    pub stackable: bool,
    pub budget: Option<Money>,
    pub quantity_cap: Option<i64>,
    /// (audience, audience id); `all` has id 0.
    pub audiences: Vec<(String, i64)>,
    pub product_ids: Vec<i64>,
    pub category_ids: Vec<i64>,
}

impl PromotionInput {
    pub fn validate(&self) -> Result<ValidPromotion, platform::Failure> {
        let mut checks = Checks::new();
        let code = checks.code("code", &self.code, 40);
        let name = checks.text("name", &self.name, 200);
        // Every amount is read in the currency, so without one nothing else can be checked.
        let currency =
            Currency::parse(&self.currency).map_err(|_| platform::Failure::field("currency", "field.currency"))?;
        if self.ends_on < self.starts_on {
            checks.add(FieldError::new("ends_on", "price_list.period_reversed"));
        }
        let mut amount = |field: &str, text: &Option<String>| -> i64 {
            match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                None => {
                    checks.add(FieldError::new(field, "field.required"));
                    0
                }
                Some(text) => match Money::parse_decimal(text, currency) {
                    Ok(money) if money.minor() > 0 => money.minor(),
                    Ok(_) => {
                        checks.add(FieldError::new(field, "field.positive"));
                        0
                    }
                    Err(error) => {
                        checks.add(FieldError::new(field, error.code()));
                        0
                    }
                },
            }
        };
        let terms = match self.kind.trim() {
            "percent_off" => {
                let basis_points = self.percent.as_deref().and_then(platform::money::parse_percent);
                StoredTerms::PercentOff {
                    basis_points: basis_points.unwrap_or(0),
                }
            }
            "amount_off" => StoredTerms::AmountOff {
                amount_minor: amount("amount", &self.amount),
            },
            "spend_save" => StoredTerms::SpendSave {
                threshold_minor: amount("threshold", &self.threshold),
                saving_minor: amount("amount", &self.amount),
                repeat: self.repeat,
            },
            "buy_get" => StoredTerms::BuyGet {
                buy: self.buy.unwrap_or(0),
                get: self.get.unwrap_or(0),
                free_product_id: self.free_product_id,
            },
            "bundle" => StoredTerms::Bundle {
                bundle_product_id: self.bundle_product_id.unwrap_or(0),
                components: self.components.iter().map(|c| (c.product_id, c.quantity)).collect(),
                bundle_price_minor: amount("bundle_price", &self.bundle_price),
            },
            _ => {
                checks.add(FieldError::new("kind", "promotion.kind_invalid"));
                StoredTerms::PercentOff { basis_points: 0 }
            }
        };
        match &terms {
            StoredTerms::PercentOff { basis_points } if !(1..=10_000).contains(basis_points) => {
                checks.add(FieldError::new("percent", "promotion.percent_invalid"))
            }
            StoredTerms::BuyGet { buy, get, .. } if *buy < 1 || *get < 1 => {
                checks.add(FieldError::new("buy", "promotion.buy_get_invalid"))
            }
            StoredTerms::Bundle {
                bundle_product_id,
                components,
                ..
            } if *bundle_product_id == 0 || components.is_empty() || components.iter().any(|(_, q)| *q < 1) => {
                checks.add(FieldError::new("components", "promotion.bundle_invalid"))
            }
            _ => {}
        }
        let budget = match self.budget.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(text) => match Money::parse_decimal(text, currency) {
                Ok(money) if money.minor() > 0 => Some(money),
                _ => {
                    checks.add(FieldError::new("budget", "field.positive"));
                    None
                }
            },
        };
        if self.quantity_cap.is_some_and(|cap| cap < 1) {
            checks.add(FieldError::new("quantity_cap", "field.positive"));
        }
        let mut audiences = Vec::new();
        for (index, audience) in self.audiences.iter().enumerate() {
            match (audience.audience.trim(), audience.audience_id) {
                ("all", _) => audiences.push(("all".to_owned(), 0)),
                (kind @ ("dealer" | "group" | "tier" | "region"), Some(id)) => audiences.push((kind.to_owned(), id)),
                _ => checks.add(FieldError::new(
                    format!("audiences[{index}]"),
                    "price_list.audience_invalid",
                )),
            }
        }
        if audiences.is_empty() {
            audiences.push(("all".to_owned(), 0));
        }
        let bundle = matches!(terms, StoredTerms::Bundle { .. });
        if !bundle && self.product_ids.is_empty() && self.category_ids.is_empty() {
            checks.add(FieldError::new("product_ids", "publication.nothing_chosen"));
        }
        checks.finish()?;
        let mut product_ids = self.product_ids.clone();
        if let StoredTerms::Bundle { bundle_product_id, .. } = &terms {
            product_ids.push(*bundle_product_id);
        }
        Ok(ValidPromotion {
            code,
            name,
            terms,
            currency,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            priority: self.priority,
            stackable: self.stackable,
            budget,
            quantity_cap: self.quantity_cap,
            audiences,
            product_ids,
            category_ids: self.category_ids.clone(),
        })
    }
}

/// What the price-list list shows: code or name containing `search`, in one currency.
#[derive(Debug, Clone, Default)]
pub struct PriceListFilter {
    pub search: Option<String>,
    pub currency: Option<String>,
    /// Parsed with [`crate::queries::PRICE_LIST_SORT`].
    pub sort: platform::Sort,
}

/// Which rows of one price list to show: SKU containing `search`, in `sort` order.
#[derive(Debug, Clone, Default)]
pub struct PriceRowFilter {
    pub search: Option<String>,
    /// Parsed with [`crate::queries::PRICE_ROW_SORT`].
    pub sort: platform::Sort,
}

/// What the promotion list shows: code or name containing `search`, of one kind and status.
#[derive(Debug, Clone, Default)]
pub struct PromotionFilter {
    pub search: Option<String>,
    pub kind: Option<String>,
    /// `active` or `paused`.
    pub status: Option<String>,
    /// Parsed with [`crate::queries::PROMOTION_SORT`].
    pub sort: platform::Sort,
}

/// A promotion as lists and pages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PromotionSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub currency: String,
    pub priority: i64,
    pub stackable: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: String,
    /// Decimal texts in the promotion's currency.
    pub budget: Option<String>,
    pub budget_used: String,
    pub quantity_cap: Option<i64>,
    pub quantity_used: i64,
}

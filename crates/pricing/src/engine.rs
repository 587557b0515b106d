//! The pricing engine: one function decides every price, for pages, API, orders and EDI alike.
//!
//! Which list decides, in this fixed order (the first level with a valid row wins):
//! 1. the dealer's own price list;
//! 2. a list for one of the dealer's groups;
//! 3. a list for the dealer's region, the nearest region first (territory, then its region,
//!    then its country);
//! 4. a list for the dealer's tier;
//! 5. the base list.
//!
//! Within the deciding level each list offers its row with the largest minimum quantity not
//! above the ordered quantity (quantity breaks); if several lists of that level offer a price
//! (a dealer in two groups), the lowest wins. Rows count only inside their validity period.
//! Everything here is pure: the rows come from storage, the answer goes back with the steps
//! that explain it.

use chrono::NaiveDate;
use platform::Money;
use serde::Serialize;

use crate::domain::Audience;

/// A price-list row that may apply to one dealer and product.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub price_list_id: i64,
    pub price_list_code: String,
    pub audience: Audience,
    /// For region lists: how many levels up from the dealer's own region (0 = its own).
    pub region_distance: Option<i64>,
    pub min_quantity: i64,
    pub unit_price: Money,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl Candidate {
    fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date <= to)
    }

    /// Lower ranks decide first.
    fn rank(&self) -> (u8, i64) {
        match self.audience {
            Audience::Dealer => (1, 0),
            Audience::Group => (2, 0),
            Audience::Region => (3, self.region_distance.unwrap_or(i64::MAX)),
            Audience::Tier => (4, 0),
            Audience::Base => (5, 0),
        }
    }
}

/// One line of "why this price".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// `base_price`, `list_price`, and later the promotions.
    pub kind: &'static str,
    pub price_list_code: Option<String>,
    pub audience: Option<&'static str>,
    pub min_quantity: Option<i64>,
    #[serde(serialize_with = "money_text")]
    pub unit_price: Money,
}

fn money_text<S: serde::Serializer>(money: &Money, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&money.to_decimal_string())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListPrice {
    #[serde(serialize_with = "money_text")]
    pub unit_price: Money,
    pub price_list_id: i64,
    pub price_list_code: String,
    /// The base list's price for the same quantity, when there is one, for comparison.
    #[serde(skip)]
    pub base_price: Option<Money>,
    pub steps: Vec<Step>,
}

/// The best row of one list for a quantity: the largest break not above it.
fn best_break<'a>(rows: impl Iterator<Item = &'a Candidate>, quantity: i64) -> Option<&'a Candidate> {
    rows.filter(|row| row.min_quantity <= quantity)
        .max_by_key(|row| (row.min_quantity, std::cmp::Reverse(row.unit_price.minor())))
}

/// The list price of one product for `quantity` units on `date`, or `None` when no list
/// offers it to this dealer (the product then cannot be ordered).
pub fn list_price(candidates: &[Candidate], quantity: i64, date: NaiveDate) -> Option<ListPrice> {
    let valid: Vec<&Candidate> = candidates.iter().filter(|c| c.valid_on(date)).collect();
    let mut ranks: Vec<(u8, i64)> = valid.iter().map(|c| c.rank()).collect();
    ranks.sort_unstable();
    ranks.dedup();
    let base = best_break(valid.iter().copied().filter(|c| c.audience == Audience::Base), quantity);
    for rank in ranks {
        let level: Vec<&Candidate> = valid.iter().copied().filter(|c| c.rank() == rank).collect();
        let mut list_ids: Vec<i64> = level.iter().map(|c| c.price_list_id).collect();
        list_ids.sort_unstable();
        list_ids.dedup();
        let winner = list_ids
            .iter()
            .filter_map(|id| best_break(level.iter().copied().filter(|c| c.price_list_id == *id), quantity))
            .min_by_key(|row| (row.unit_price.minor(), row.price_list_id));
        if let Some(winner) = winner {
            let mut steps = Vec::new();
            if let Some(base) = base.filter(|b| b.price_list_id != winner.price_list_id) {
                steps.push(step("base_price", base));
            }
            steps.push(step("list_price", winner));
            return Some(ListPrice {
                unit_price: winner.unit_price,
                price_list_id: winner.price_list_id,
                price_list_code: winner.price_list_code.clone(),
                base_price: base.map(|b| b.unit_price),
                steps,
            });
        }
    }
    None
}

fn step(kind: &'static str, row: &Candidate) -> Step {
    Step {
        kind,
        price_list_code: Some(row.price_list_code.clone()),
        audience: Some(row.audience.code()),
        min_quantity: Some(row.min_quantity),
        unit_price: row.unit_price,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use platform::Currency;

    use super::*;

    fn rub(minor: i64) -> Money {
        Money::new(minor, Currency::parse("RUB").unwrap())
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn row(list: i64, audience: Audience, min_quantity: i64, price: i64) -> Candidate {
        Candidate {
            price_list_id: list,
            price_list_code: format!("L{list}"),
            audience,
            region_distance: None,
            min_quantity,
            unit_price: rub(price),
            valid_from: date("2026-01-01"),
            valid_to: None,
        }
    }

    #[test]
    fn the_most_specific_list_decides_even_when_dearer() {
        let rows = [
            row(1, Audience::Base, 1, 1000),
            row(2, Audience::Tier, 1, 900),
            row(3, Audience::Dealer, 1, 950),
        ];
        let price = list_price(&rows, 1, date("2026-06-01")).unwrap();
        assert_eq!(price.unit_price, rub(950));
        assert_eq!(price.price_list_code, "L3");
        assert_eq!(price.base_price, Some(rub(1000)));
        let kinds: Vec<_> = price.steps.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec!["base_price", "list_price"]);
    }

    #[test]
    fn the_nearest_region_decides_before_its_parents() {
        let mut country = row(1, Audience::Region, 1, 800);
        country.region_distance = Some(2);
        let mut territory = row(2, Audience::Region, 1, 850);
        territory.region_distance = Some(0);
        let price = list_price(
            &[country, territory, row(3, Audience::Base, 1, 1000)],
            1,
            date("2026-06-01"),
        )
        .unwrap();
        assert_eq!(price.unit_price, rub(850));
    }

    #[test]
    fn quantity_breaks_pick_the_largest_break_reached() {
        let rows = [
            row(1, Audience::Base, 1, 1000),
            row(1, Audience::Base, 12, 950),
            row(1, Audience::Base, 120, 900),
        ];
        let at = |quantity| list_price(&rows, quantity, date("2026-06-01")).unwrap().unit_price;
        assert_eq!(at(11), rub(1000));
        assert_eq!(at(12), rub(950));
        assert_eq!(at(500), rub(900));
    }

    #[test]
    fn between_two_group_lists_the_lower_price_wins() {
        let rows = [
            row(1, Audience::Group, 1, 990),
            row(2, Audience::Group, 1, 970),
            row(3, Audience::Base, 1, 1000),
        ];
        assert_eq!(list_price(&rows, 1, date("2026-06-01")).unwrap().price_list_code, "L2");
    }

    #[test]
    fn rows_outside_their_period_do_not_count() {
        let mut expired = row(2, Audience::Dealer, 1, 500);
        expired.valid_to = Some(date("2026-03-31"));
        let mut future = row(3, Audience::Dealer, 1, 400);
        future.valid_from = date("2026-07-01");
        let rows = [row(1, Audience::Base, 1, 1000), expired, future];
        assert_eq!(list_price(&rows, 1, date("2026-06-01")).unwrap().unit_price, rub(1000));
        assert_eq!(list_price(&rows, 1, date("2026-03-31")).unwrap().unit_price, rub(500));
        assert_eq!(list_price(&rows, 1, date("2026-07-01")).unwrap().unit_price, rub(400));
    }

    #[test]
    fn no_list_no_price() {
        assert!(list_price(&[], 1, date("2026-06-01")).is_none());
        assert!(list_price(&[row(1, Audience::Base, 10, 1000)], 5, date("2026-06-01")).is_none());
    }
}

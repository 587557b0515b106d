//! The promotions in force for a tenant on one day, kept in memory from one order to the next.
//!
//! Finding the promotions that concern an order's products took two statements for every order,
//! cart and catalog page, the costlier of them a walk up the category tree. The promotions in
//! force change seldom, so each server keeps them per tenant with the revision they were read at
//! (`tenants.promotions_revision`, which the database moves on every change of a promotion, its
//! products, categories and audiences, and of the category tree). Every use reads the revision
//! first and reloads on a difference: a change made through any server is seen by the next order
//! on every server. What orders have used up of a budget changes with each order and is not kept.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use platform::{Currency, DealerAudience};

use crate::promotions::Promotion;

/// One promotion in force, as kept: its terms, whom it is for, and its caps.
#[derive(Debug, Clone)]
pub struct Standing {
    /// The promotion with no products and nothing remaining: filled in for each use.
    pub promotion: Promotion,
    pub currency: Currency,
    /// `(audience, audience_id)` rows, `all` meaning every dealer.
    pub audiences: Vec<(String, i64)>,
    pub budget_minor: Option<i64>,
    pub quantity_cap: Option<i64>,
}

impl Standing {
    /// Whether orders use it up, so that what is left must be read for each use.
    pub fn capped(&self) -> bool {
        self.budget_minor.is_some() || self.quantity_cap.is_some()
    }
}

/// What a promotion names: one product, or a category with everything below it.
#[derive(Debug, Clone, Copy)]
pub enum Entry {
    Product(i64),
    Category(i64),
}

/// A tenant's active promotions on one day, indexed by the products and categories they name.
#[derive(Debug)]
pub struct InForce {
    pub revision: i64,
    pub date: NaiveDate,
    standings: Vec<Standing>,
    by_product: HashMap<i64, Vec<usize>>,
    by_category: HashMap<i64, Vec<usize>>,
    /// Each category's parent.
    parents: HashMap<i64, i64>,
}

impl InForce {
    /// `entries` pair a promotion id with what it names; entries of promotions not among
    /// `standings` are ignored.
    pub fn new(
        revision: i64,
        date: NaiveDate,
        standings: Vec<Standing>,
        entries: &[(i64, Entry)],
        parents: HashMap<i64, i64>,
    ) -> InForce {
        let position: HashMap<i64, usize> = standings
            .iter()
            .enumerate()
            .map(|(index, s)| (s.promotion.id, index))
            .collect();
        let mut by_product: HashMap<i64, Vec<usize>> = HashMap::new();
        let mut by_category: HashMap<i64, Vec<usize>> = HashMap::new();
        for (promotion_id, entry) in entries {
            let Some(index) = position.get(promotion_id).copied() else {
                continue;
            };
            let (map, key) = match entry {
                Entry::Product(id) => (&mut by_product, *id),
                Entry::Category(id) => (&mut by_category, *id),
            };
            let indexes = map.entry(key).or_default();
            if !indexes.contains(&index) {
                indexes.push(index);
            }
        }
        InForce {
            revision,
            date,
            standings,
            by_product,
            by_category,
            parents,
        }
    }

    /// The promotions meant for this dealer, in its currency, that name any of `products`
    /// (id, category) directly or through their category or one above it, each with the
    /// products it reaches; highest priority first, then by id.
    pub fn concerning(&self, audience: &DealerAudience, products: &[(i64, Option<i64>)]) -> Vec<(&Standing, Vec<i64>)> {
        let mut reached: HashMap<usize, Vec<i64>> = HashMap::new();
        for (product, category) in products {
            let direct = self.by_product.get(product).into_iter().flatten();
            let lineage = self.lineage(*category);
            let through = lineage
                .iter()
                .flat_map(|c| self.by_category.get(c).into_iter().flatten());
            for &index in direct.chain(through) {
                let products = reached.entry(index).or_default();
                if !products.contains(product) {
                    products.push(*product);
                }
            }
        }
        let mut concerned: Vec<(&Standing, Vec<i64>)> = reached
            .into_iter()
            .map(|(index, mut products)| {
                products.sort_unstable();
                (&self.standings[index], products)
            })
            .filter(|(standing, _)| {
                standing.currency.code() == audience.currency
                    && standing
                        .audiences
                        .iter()
                        .any(|(kind, id)| audience.includes(kind, *id, "all"))
            })
            .collect();
        concerned.sort_by_key(|(standing, _)| (std::cmp::Reverse(standing.promotion.priority), standing.promotion.id));
        concerned
    }

    /// The category and every category above it; a cycle (which the catalog refuses) ends the
    /// walk rather than looping.
    fn lineage(&self, category: Option<i64>) -> Vec<i64> {
        let mut lineage = Vec::new();
        let mut seen = HashSet::new();
        let mut next = category;
        while let Some(category) = next.filter(|c| seen.insert(*c)) {
            lineage.push(category);
            next = self.parents.get(&category).copied();
        }
        lineage
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use platform::{DealerId, RegionId};

    use super::*;
    use crate::promotions::PromotionKind;

    fn standing(id: i64, priority: i64, audiences: &[(&str, i64)]) -> Standing {
        Standing {
            promotion: Promotion {
                id,
                code: format!("P{id}"),
                name: format!("Promotion {id}"),
                kind: PromotionKind::PercentOff { basis_points: 500 },
                priority,
                stackable: true,
                starts_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                ends_on: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                product_ids: Vec::new(),
                budget_remaining: None,
                quantity_remaining: None,
            },
            currency: Currency::parse("RUB").unwrap(),
            audiences: audiences.iter().map(|(a, id)| ((*a).to_owned(), *id)).collect(),
            budget_minor: None,
            quantity_cap: None,
        }
    }

    fn dealer() -> DealerAudience {
        DealerAudience {
            dealer_id: DealerId(7),
            tier: 2,
            group_ids: vec![30],
            regions: vec![(RegionId(40), 0), (RegionId(41), 1)],
            currency: "RUB".into(),
        }
    }

    fn ids(concerned: &[(&Standing, Vec<i64>)]) -> Vec<(i64, Vec<i64>)> {
        concerned
            .iter()
            .map(|(s, products)| (s.promotion.id, products.clone()))
            .collect()
    }

    #[test]
    fn a_promotion_on_a_category_reaches_the_products_of_the_categories_below_it() {
        // Drinks (1) › Water (2) › Sparkling (3)
        let parents = HashMap::from([(2, 1), (3, 2)]);
        let book = InForce::new(
            1,
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            vec![standing(10, 1, &[("all", 0)]), standing(11, 1, &[("all", 0)])],
            &[(10, Entry::Category(2)), (11, Entry::Product(500))],
            parents,
        );
        let concerned = book.concerning(&dealer(), &[(500, Some(3)), (501, Some(1)), (502, Some(3))]);
        assert_eq!(ids(&concerned), vec![(10, vec![500, 502]), (11, vec![500])]);
    }

    #[test]
    fn only_promotions_for_this_dealer_in_its_currency_concern_it_highest_priority_first() {
        let mut in_dollars = standing(15, 9, &[("all", 0)]);
        in_dollars.currency = Currency::parse("USD").unwrap();
        let book = InForce::new(
            1,
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            vec![
                standing(10, 1, &[("dealer", 7)]),
                standing(11, 5, &[("group", 30)]),
                standing(12, 3, &[("region", 41)]),
                standing(13, 8, &[("dealer", 8), ("tier", 3), ("group", 31), ("region", 42)]),
                standing(14, 3, &[("tier", 2)]),
                in_dollars,
            ],
            &[10, 11, 12, 13, 14, 15].map(|id| (id, Entry::Product(500))),
            HashMap::new(),
        );
        let concerned = book.concerning(&dealer(), &[(500, None)]);
        let order: Vec<i64> = ids(&concerned).into_iter().map(|(id, _)| id).collect();
        assert_eq!(order, vec![11, 12, 14, 10]);
    }

    #[test]
    fn a_cycle_in_the_category_tree_ends_the_walk() {
        let book = InForce::new(
            1,
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            vec![standing(10, 1, &[("all", 0)])],
            &[(10, Entry::Category(9))],
            HashMap::from([(1, 2), (2, 1)]),
        );
        assert!(book.concerning(&dealer(), &[(500, Some(1))]).is_empty());
    }
}

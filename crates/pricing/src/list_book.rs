//! A tenant's price lists (their heads, not their rows), kept in memory from one request to the
//! next.
//!
//! Finding the lists a dealer buys from took a statement for every order, cart and catalog page,
//! and PostgreSQL planned it afresh each time (with its audience conditions no generic plan
//! looked cheaper): a tenth of its time when orders were placed. A tenant's lists are few (at most
//! one a dealer, and some for everyone, groups, tiers and regions) and change seldom, so each
//! server keeps them with `tenants.price_lists_revision`, which triggers move on every change.

use std::collections::HashMap;

use platform::{Currency, DealerAudience};

use crate::domain::Audience;

/// A price list as kept: whom it is for and in which currency.
#[derive(Debug, Clone)]
pub struct ListHead {
    pub id: i64,
    pub code: String,
    pub audience: Audience,
    /// The dealer, group, tier or region it is for; none for the base lists.
    pub audience_id: Option<i64>,
    pub currency: Currency,
}

impl ListHead {
    /// For a region's list, how far up the tree its region lies from the dealer's own.
    pub fn region_distance(&self, audience: &DealerAudience) -> Option<i64> {
        self.audience_id
            .and_then(|id| audience.region_distance(id))
            .filter(|_| self.audience == Audience::Region)
    }
}

/// A tenant's price lists, indexed by the dealer a list is for, since most are.
#[derive(Debug)]
pub struct ListBook {
    pub revision: i64,
    heads: Vec<ListHead>,
    by_dealer: HashMap<i64, Vec<usize>>,
    /// The positions of the lists for everyone, groups, tiers and regions.
    shared: Vec<usize>,
}

impl ListBook {
    pub fn new(revision: i64, heads: Vec<ListHead>) -> ListBook {
        let mut by_dealer: HashMap<i64, Vec<usize>> = HashMap::new();
        let mut shared = Vec::new();
        for (index, head) in heads.iter().enumerate() {
            match (head.audience, head.audience_id) {
                (Audience::Dealer, Some(dealer_id)) => by_dealer.entry(dealer_id).or_default().push(index),
                _ => shared.push(index),
            }
        }
        ListBook {
            revision,
            heads,
            by_dealer,
            shared,
        }
    }

    /// The lists in the dealer's currency whose audience takes in the dealer.
    pub fn for_dealer<'a>(&'a self, audience: &'a DealerAudience) -> impl Iterator<Item = &'a ListHead> + 'a {
        let own = self.by_dealer.get(&audience.dealer_id.get()).into_iter().flatten();
        self.shared
            .iter()
            .chain(own)
            .map(|&index| &self.heads[index])
            .filter(|head| {
                head.currency.code() == audience.currency
                    && audience.includes(
                        head.audience.code(),
                        head.audience_id.unwrap_or_default(),
                        Audience::Base.code(),
                    )
            })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use platform::{DealerId, RegionId};

    use super::*;

    fn head(id: i64, audience: Audience, audience_id: Option<i64>, currency: &str) -> ListHead {
        ListHead {
            id,
            code: format!("L{id}"),
            audience,
            audience_id,
            currency: Currency::parse(currency).unwrap(),
        }
    }

    #[test]
    fn a_dealer_buys_from_the_lists_meant_for_it_in_its_currency() {
        let book = ListBook::new(
            1,
            vec![
                head(1, Audience::Base, None, "RUB"),
                head(2, Audience::Base, None, "CNY"),
                head(3, Audience::Dealer, Some(7), "RUB"),
                head(4, Audience::Dealer, Some(8), "RUB"),
                head(5, Audience::Group, Some(30), "RUB"),
                head(6, Audience::Group, Some(31), "RUB"),
                head(7, Audience::Tier, Some(2), "RUB"),
                head(8, Audience::Region, Some(41), "RUB"),
                head(9, Audience::Region, Some(42), "RUB"),
                head(10, Audience::Dealer, Some(7), "CNY"),
            ],
        );
        let dealer = DealerAudience {
            dealer_id: DealerId(7),
            tier: 2,
            group_ids: vec![30],
            regions: vec![(RegionId(40), 0), (RegionId(41), 1)],
            currency: "RUB".into(),
        };
        let mut ids: Vec<i64> = book.for_dealer(&dealer).map(|head| head.id).collect();
        ids.sort_unstable();
        assert_eq!(ids, vec![1, 3, 5, 7, 8]);
    }
}

//! Pricing queries: a dealer's prices, and the price lists themselves.

use std::collections::HashMap;

use chrono::NaiveDate;
use platform::{Actor, Db, DealerAudience, Failure, Page, PageRequest, Permission};

use crate::domain::{PriceList, PriceRow};
use crate::engine::{self, Candidate, ListPrice};
use crate::store;

/// The list price of each product for the dealer at the given quantity, priced in one pass:
/// one query for all candidate rows, then the engine per product. A product without a price
/// is absent from the answer.
pub async fn list_prices(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    lines: &[(i64, i64)],
    date: NaiveDate,
) -> Result<HashMap<i64, ListPrice>, Failure> {
    actor.require(Permission::ViewCatalog)?;
    let product_ids: Vec<i64> = lines.iter().map(|(product, _)| *product).collect();
    let mut by_product: HashMap<i64, Vec<Candidate>> = HashMap::new();
    for (product, candidate) in store::candidates(db, actor.tenant_id, audience, &product_ids, date).await? {
        by_product.entry(product).or_default().push(candidate);
    }
    Ok(lines
        .iter()
        .filter_map(|(product, quantity)| {
            let candidates = by_product.get(product)?;
            engine::list_price(candidates, *quantity, date).map(|price| (*product, price))
        })
        .collect())
}

pub async fn price_lists(db: &Db, actor: &Actor, page: PageRequest) -> Result<Page<PriceList>, Failure> {
    actor.require(Permission::ViewPrices)?;
    Ok(store::list_price_lists(db, actor.tenant_id, page).await?)
}

pub async fn price_list(db: &Db, actor: &Actor, id: i64) -> Result<PriceList, Failure> {
    actor.require(Permission::ViewPrices)?;
    store::find_price_list(db, actor.tenant_id, id)
        .await?
        .ok_or(Failure::NotFound { entity: "price_list" })
}

pub async fn price_rows(db: &Db, actor: &Actor, id: i64, page: PageRequest) -> Result<Page<PriceRow>, Failure> {
    price_list(db, actor, id).await?;
    Ok(store::list_rows(db, actor.tenant_id, id, page).await?)
}

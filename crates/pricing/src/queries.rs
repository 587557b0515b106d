//! Pricing queries: a dealer's prices, and the price lists themselves.

use std::collections::HashMap;

use chrono::NaiveDate;
use platform::{Actor, Db, DealerAudience, Failure, Page, PageRequest, Permission};

use crate::domain::{PriceList, PriceListFilter, PriceRow, PriceRowFilter, PromotionFilter, PromotionSummary};
use crate::engine::{self, Candidate, ListPrice};
use crate::promotions::Promotion;
use crate::store;
use crate::Revisions;

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
    let revisions = Revisions::read(db, actor.tenant_id).await?;
    list_prices_at(db, actor, revisions, audience, lines, date).await
}

/// As [`list_prices`], with the kept copies checked against `revisions`.
async fn list_prices_at(
    db: &Db,
    actor: &Actor,
    revisions: Revisions,
    audience: &DealerAudience,
    lines: &[(i64, i64)],
    date: NaiveDate,
) -> Result<HashMap<i64, ListPrice>, Failure> {
    let product_ids: Vec<i64> = lines.iter().map(|(product, _)| *product).collect();
    let mut by_product: HashMap<i64, Vec<Candidate>> = HashMap::new();
    for (product, candidate) in store::candidates(db, actor.tenant_id, revisions, audience, &product_ids, date).await? {
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

pub use crate::store::{PRICE_LIST_SORT, PRICE_ROW_SORT, PROMOTION_SORT};

pub async fn price_lists(
    db: &Db,
    actor: &Actor,
    filter: &PriceListFilter,
    page: PageRequest,
) -> Result<Page<PriceList>, Failure> {
    actor.require(Permission::ViewPrices)?;
    Ok(store::list_price_lists(db, actor.tenant_id, filter, page).await?)
}

pub async fn price_list(db: &Db, actor: &Actor, id: i64) -> Result<PriceList, Failure> {
    actor.require(Permission::ViewPrices)?;
    store::find_price_list(db, actor.tenant_id, id)
        .await?
        .ok_or(Failure::NotFound { entity: "price_list" })
}

pub async fn price_list_by_code(db: &Db, actor: &Actor, code: &str) -> Result<Option<PriceList>, Failure> {
    actor.require(Permission::ViewPrices)?;
    Ok(store::find_price_list_by_code(db, actor.tenant_id, code).await?)
}

pub async fn price_rows(
    db: &Db,
    actor: &Actor,
    id: i64,
    filter: &PriceRowFilter,
    page: PageRequest,
) -> Result<Page<PriceRow>, Failure> {
    price_list(db, actor, id).await?;
    Ok(store::list_rows(db, actor.tenant_id, id, filter, page).await?)
}

pub async fn promotions(
    db: &Db,
    actor: &Actor,
    filter: &PromotionFilter,
    page: PageRequest,
) -> Result<Page<PromotionSummary>, Failure> {
    actor.require(Permission::ViewPrices)?;
    Ok(store::list_promotions(db, actor.tenant_id, filter, page).await?)
}

/// A promotion a product takes part in, for catalog badges.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PromotionBadge {
    pub code: String,
    pub name: String,
    /// `percent_off`, `amount_off`, `spend_save`, `buy_get` or `bundle`.
    pub kind: String,
}

/// One product priced on its own for a quantity: its list price, then the promotions that
/// apply to it alone. Order-level savings (spend X save Y) need the whole cart; they show as
/// badges here and apply when a cart or order is priced.
#[derive(Debug, Clone)]
pub struct ProductPrice {
    pub list: ListPrice,
    pub net_unit_price: platform::Money,
    pub line_total: platform::Money,
    pub lines: Vec<crate::promotions::PricedLine>,
    pub badges: Vec<PromotionBadge>,
}

/// What pricing some products needs: the promotions that may apply to them and the list prices
/// of the products and of every bundle component or free good those promotions name.
struct PriceBook {
    promotions: Vec<Promotion>,
    list: HashMap<i64, ListPrice>,
    unit_prices: HashMap<i64, platform::Money>,
}

/// The promotions that may apply to the lines' products (with their categories) for the
/// dealer on `date`, and every price row involved: what orders used of capped promotions, and
/// the price rows, one query each, with the kept copies checked against `revisions`. Its callers
/// check that the actor may see the catalog before they read anything.
async fn price_book(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    revisions: Revisions,
    lines: &[(i64, Option<i64>, i64)],
    date: NaiveDate,
) -> Result<PriceBook, Failure> {
    let products: Vec<(i64, Option<i64>)> = lines
        .iter()
        .map(|(product, category, _)| (*product, *category))
        .collect();
    let promotions = store::promotions_for(db, actor.tenant_id, revisions, audience, &products, date).await?;
    let mut wanted: Vec<(i64, i64)> = lines
        .iter()
        .map(|(product, _, quantity)| (*product, *quantity))
        .collect();
    for promotion in &promotions {
        match &promotion.kind {
            crate::promotions::PromotionKind::BuyGet {
                free_product_id: Some(free),
                ..
            } => wanted.push((*free, 1)),
            crate::promotions::PromotionKind::Bundle { components, .. } => {
                wanted.extend(components.iter().map(|(product, _)| (*product, 1)));
            }
            _ => {}
        }
    }
    let list = list_prices_at(db, actor, revisions, audience, &wanted, date).await?;
    let unit_prices = list.iter().map(|(id, price)| (*id, price.unit_price)).collect();
    Ok(PriceBook {
        promotions,
        list,
        unit_prices,
    })
}

/// A whole order or cart priced together, so that order-level promotions see every line.
#[derive(Debug, Clone)]
pub struct PricedOrder {
    pub cart: crate::promotions::PricedCart,
    /// The list price found for each line's product, with its steps.
    pub list: HashMap<i64, ListPrice>,
}

/// Prices the lines (product, category, quantity) as one order for the dealer on `date`, in one
/// pass: the queries of [`price_book`] for all lines together, then the engines. Every line must
/// have a price; the errors name the lines (`lines[3].product_id`) that have none. The caller
/// has read the tenant's `revisions` along with whatever else it needed of the tenant.
pub async fn price_order(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    revisions: Revisions,
    lines: &[(i64, Option<i64>, i64)],
    date: NaiveDate,
) -> Result<PricedOrder, Failure> {
    actor.require(Permission::ViewCatalog)?;
    let book = price_book(db, actor, audience, revisions, lines, date).await?;
    let mut checks = platform::failure::Checks::new();
    let mut cart_lines = Vec::with_capacity(lines.len());
    for (index, (product, _, quantity)) in lines.iter().enumerate() {
        match book.list.get(product) {
            Some(price) => cart_lines.push(crate::promotions::CartLine {
                product_id: *product,
                quantity: *quantity,
                unit_list_price: price.unit_price,
            }),
            None => checks.add(platform::FieldError::new(
                format!("lines[{index}].product_id"),
                "pricing.no_price",
            )),
        }
    }
    checks.finish()?;
    let cart = crate::promotions::price_cart(&cart_lines, &book.promotions, date, &|id| {
        book.unit_prices.get(&id).copied()
    })
    .map_err(|error| Failure::Conflict { code: error.code() })?;
    Ok(PricedOrder { cart, list: book.list })
}

/// Prices each (product, category, quantity) for the dealer on `date` in one pass: the queries
/// of [`price_book`] for all products together, then the engines.
pub async fn product_prices(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    lines: &[(i64, Option<i64>, i64)],
    date: NaiveDate,
) -> Result<HashMap<i64, ProductPrice>, Failure> {
    actor.require(Permission::ViewCatalog)?;
    let revisions = Revisions::read(db, actor.tenant_id).await?;
    let PriceBook {
        promotions,
        list,
        unit_prices,
    } = price_book(db, actor, audience, revisions, lines, date).await?;
    let mut priced = HashMap::new();
    for (product, _, quantity) in lines {
        let Some(list_price) = list.get(product) else { continue };
        let badges = promotions
            .iter()
            .filter(|p| p.product_ids.contains(product))
            .map(|p| PromotionBadge {
                code: p.code.clone(),
                name: p.name.clone(),
                kind: p.kind.code().to_owned(),
            })
            .collect();
        let line = [crate::promotions::CartLine {
            product_id: *product,
            quantity: *quantity,
            unit_list_price: list_price.unit_price,
        }];
        let cart = crate::promotions::price_cart(&line, &promotions, date, &|id| unit_prices.get(&id).copied());
        let (lines, line_total) = match cart {
            Ok(cart) => (cart.lines, cart.total),
            Err(error) => {
                // A promotion that cannot be applied (say, a bundle component without a price)
                // must not hide the product: it is shown at its list price.
                tracing::warn!(product, %error, "promotion skipped");
                let total = list_price
                    .unit_price
                    .checked_mul_quantity(*quantity)
                    .map_err(|e| Failure::Internal(e.to_string()))?;
                (Vec::new(), total)
            }
        };
        let net_unit_price = line_total
            .apply_rate(1, *quantity, platform::money::Rounding::HalfUp)
            .map_err(|e| Failure::Internal(e.to_string()))?;
        priced.insert(
            *product,
            ProductPrice {
                list: list_price.clone(),
                net_unit_price,
                line_total,
                lines,
                badges,
            },
        );
    }
    Ok(priced)
}

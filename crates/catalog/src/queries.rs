//! Catalog queries: the manufacturer's product list, and each dealer's catalog.

use std::collections::HashMap;

use chrono::NaiveDate;
use platform::db::Source;
use platform::{Actor, Clock, Db, DealerAudience, Failure, Locale, Page, PageRequest, Permission};

use crate::domain::*;
use crate::store;

/// The tenant's product ids by SKU, for imports that refer to products by SKU.
pub async fn product_ids_by_sku(db: &Db, actor: &Actor) -> Result<HashMap<String, i64>, Failure> {
    actor.require(Permission::ViewProducts)?;
    Ok(store::product_ids_by_sku(db, actor.tenant_id)
        .await?
        .into_iter()
        .collect())
}

/// The category tree, each parent before its children, with product counts.
pub async fn category_tree(db: &Db, actor: &Actor) -> Result<Vec<CategoryNode>, Failure> {
    actor.require(Permission::ViewProducts)?;
    Ok(tree_order(store::categories_with_counts(db, actor.tenant_id).await?))
}

pub async fn categories(db: &Db, actor: &Actor) -> Result<Vec<Category>, Failure> {
    actor.require(Permission::ViewCatalog)?;
    Ok(store::list_categories(&mut Source::Db(db), actor.tenant_id).await?)
}

/// The legal entities that sell the tenant's products; empty where one sells everything.
pub async fn sales_organisations(db: &Db, actor: &Actor) -> Result<Vec<SalesOrganisation>, Failure> {
    actor.require(Permission::ViewProducts)?;
    Ok(store::list_sales_organisations(&mut Source::Db(db), actor.tenant_id).await?)
}

pub use crate::store::SALES_ORGANISATION_SORT;

/// One page of the sales organisation list.
pub async fn sales_organisation_list(
    db: &Db,
    actor: &Actor,
    filter: &SalesOrganisationFilter,
    page: PageRequest,
) -> Result<Page<SalesOrganisation>, Failure> {
    actor.require(Permission::ViewProducts)?;
    Ok(store::sales_organisation_page(db, actor.tenant_id, filter, page).await?)
}

/// Every product of the tenant, published or not, for the manufacturer's people.
pub use crate::store::{PRODUCT_SORT, PRODUCT_VIEW_SORT};

pub async fn products(
    db: &Db,
    actor: &Actor,
    filter: &ProductFilter,
    page: PageRequest,
) -> Result<Page<Product>, Failure> {
    actor.require(Permission::ViewProducts)?;
    Ok(store::list_products(db, actor.tenant_id, filter, page).await?)
}

pub async fn product(db: &Db, actor: &Actor, id: i64) -> Result<Product, Failure> {
    actor.require(Permission::ViewProducts)?;
    store::find_product(&mut Source::Db(db), actor.tenant_id, id)
        .await?
        .ok_or(Failure::NotFound { entity: "product" })
}

/// A page of what `audience` (a dealer) may see and order, and whether more follow.
pub async fn dealer_catalog(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    locale: Locale,
    filter: &CatalogFilter,
    page: PageRequest,
) -> Result<(Vec<CatalogItem>, bool), Failure> {
    actor.require(Permission::ViewCatalog)?;
    let user = actor.user_id.filter(|_| actor.is_dealer_user());
    Ok(store::dealer_catalog(db, actor.tenant_id, audience, user, locale, filter, page).await?)
}

/// How many products [`dealer_catalog`] finds under `filter`, over all its pages.
pub async fn dealer_catalog_size(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    filter: &CatalogFilter,
) -> Result<i64, Failure> {
    actor.require(Permission::ViewCatalog)?;
    let user = actor.user_id.filter(|_| actor.is_dealer_user());
    Ok(store::count_dealer_catalog(db, actor.tenant_id, audience, user, filter).await?)
}

/// A product as the dealer sees it; not found unless published to it. A dealer user's visit
/// is counted for the manufacturer's statistics.
pub async fn published_product(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    id: i64,
) -> Result<Product, Failure> {
    actor.require(Permission::ViewCatalog)?;
    let product = store::find_published_product(&mut Source::Db(db), actor.tenant_id, audience, id)
        .await?
        .ok_or(Failure::NotFound { entity: "product" })?;
    if let (Some(user_id), true) = (actor.user_id, actor.is_dealer_user()) {
        store::record_view(db, actor.tenant_id, user_id, audience.dealer_id, id, clock.now()).await?;
    }
    Ok(product)
}

/// Which products the users of a dealer opened, and how often.
pub async fn product_views(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    locale: Locale,
    sort: platform::Sort,
    page: PageRequest,
) -> Result<Page<ProductView>, Failure> {
    actor.require(Permission::ViewCatalogStatistics)?;
    Ok(store::product_views(db, actor.tenant_id, audience.dealer_id, locale, sort, page).await?)
}

/// Products published to a dealer that none of its users has opened.
pub async fn never_viewed(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    locale: Locale,
    filter: &NeverViewedFilter,
    page: PageRequest,
) -> Result<Page<CatalogItem>, Failure> {
    actor.require(Permission::ViewCatalogStatistics)?;
    Ok(store::never_viewed(db, actor.tenant_id, audience, locale, filter, page).await?)
}

/// A catalog row with the dealer's price for its smallest orderable quantity.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CatalogEntry {
    #[serde(flatten)]
    pub item: CatalogItem,
    /// The net price of one unit at the minimum order quantity, after the promotions that apply
    /// to the product alone; `None` when no price list offers the product to this dealer: it
    /// cannot be ordered.
    pub unit_price: Option<String>,
    /// The same with VAT, rounded half up per unit, as invoices in Russia and China show it.
    pub unit_price_with_vat: Option<String>,
    /// The list price before promotions.
    pub list_price: Option<String>,
    pub currency: String,
    pub price_list_code: Option<String>,
    pub promotions: Vec<pricing::queries::PromotionBadge>,
}

/// A page of the dealer's catalog at its prices: one query for the products, one for all their
/// price rows, then the pricing engine per product.
pub async fn priced_catalog(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    locale: Locale,
    filter: &CatalogFilter,
    page: PageRequest,
    date: NaiveDate,
) -> Result<(Vec<CatalogEntry>, bool), Failure> {
    let (items, has_next) = dealer_catalog(db, actor, audience, locale, filter, page).await?;
    let lines: Vec<(i64, Option<i64>, i64)> = items
        .iter()
        .map(|item| (item.product_id, item.category_id, item.min_order_quantity.max(1)))
        .collect();
    let prices = pricing::queries::product_prices(db, actor, audience, &lines, date).await?;
    let entries = items
        .into_iter()
        .map(|item| {
            let price = prices.get(&item.product_id);
            CatalogEntry {
                unit_price: price.map(|p| p.net_unit_price.to_decimal_string()),
                unit_price_with_vat: price.and_then(|p| with_vat(p.net_unit_price, item.vat_rate_bp)),
                list_price: price.map(|p| p.list.unit_price.to_decimal_string()),
                price_list_code: price.map(|p| p.list.price_list_code.clone()),
                currency: audience.currency.clone(),
                promotions: price.map(|p| p.badges.clone()).unwrap_or_default(),
                item,
            }
        })
        .collect();
    Ok((entries, has_next))
}

/// A net amount with VAT at a rate in basis points, rounded half up.
fn with_vat(net: platform::Money, vat_rate_bp: i64) -> Option<String> {
    net.apply_rate(10_000 + vat_rate_bp, 10_000, platform::money::Rounding::HalfUp)
        .ok()
        .map(|gross| gross.to_decimal_string())
}

/// "Why this price": the base price, each list that applies, and the result.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PriceExplanation {
    pub product_id: i64,
    pub quantity: i64,
    pub date: NaiveDate,
    pub currency: String,
    /// The net price of one unit after promotions; `None` when no list offers the product.
    pub unit_price: Option<String>,
    /// The same with VAT, rounded half up per unit.
    pub unit_price_with_vat: Option<String>,
    /// The list price of one unit, before promotions.
    pub list_price: Option<String>,
    /// The exact total for the quantity after promotions.
    pub line_total: Option<String>,
    /// The total with VAT, rounded half up.
    pub line_total_with_vat: Option<String>,
    /// How the list price was found: the base price and the deciding list.
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<pricing::engine::Step>,
    /// Each promotion applied, with what it gave.
    #[schema(value_type = Vec<Object>)]
    pub promotions: Vec<pricing::promotions::Applied>,
    /// Goods given free with this quantity: (product id, units).
    pub free_goods: Vec<(i64, i64)>,
    /// Promotions the product takes part in, applied or not at this quantity.
    pub badges: Vec<pricing::queries::PromotionBadge>,
}

/// A product as the dealer sees it, with its price for a quantity and why.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PricedProduct {
    pub product: Product,
    /// Name and description in the reader's language.
    pub name: String,
    pub description: String,
    pub price: PriceExplanation,
}

/// What a price is asked for: a quantity (by default the product's minimum order quantity) on a day.
#[derive(Debug, Clone, Copy)]
pub struct PriceAsk {
    pub quantity: Option<i64>,
    pub date: NaiveDate,
}

/// A published product priced as asked.
pub async fn priced_product(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    locale: Locale,
    id: i64,
    ask: PriceAsk,
) -> Result<PricedProduct, Failure> {
    let PriceAsk { quantity, date } = ask;
    let product = published_product(db, clock, actor, audience, id).await?;
    let quantity = quantity.unwrap_or(product.min_order_quantity);
    if quantity < 1 {
        return Err(Failure::field("quantity", "field.positive"));
    }
    let prices =
        pricing::queries::product_prices(db, actor, audience, &[(id, product.category_id, quantity)], date).await?;
    let price = prices.get(&id);
    let lines = price.map(|p| p.lines.as_slice()).unwrap_or_default();
    Ok(PricedProduct {
        name: product.name(locale).to_owned(),
        description: product.description(locale).to_owned(),
        price: PriceExplanation {
            product_id: id,
            quantity,
            date,
            currency: audience.currency.clone(),
            unit_price: price.map(|p| p.net_unit_price.to_decimal_string()),
            unit_price_with_vat: price.and_then(|p| with_vat(p.net_unit_price, product.vat_rate_bp)),
            list_price: price.map(|p| p.list.unit_price.to_decimal_string()),
            line_total: price.map(|p| p.line_total.to_decimal_string()),
            line_total_with_vat: price.and_then(|p| with_vat(p.line_total, product.vat_rate_bp)),
            steps: price.map(|p| p.list.steps.clone()).unwrap_or_default(),
            promotions: lines.iter().flat_map(|line| line.applied.iter().cloned()).collect(),
            free_goods: lines
                .iter()
                .filter(|line| line.free)
                .map(|line| (line.product_id, line.quantity))
                .collect(),
            badges: price.map(|p| p.badges.clone()).unwrap_or_default(),
        },
        product,
    })
}

/// What a dealer may order among the products named by id, SKU or GTIN: those published to it
/// and not blocked. Unknown and unpublished ones are simply absent, so that an order cannot
/// tell them apart.
pub async fn orderable_products(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    ids: &[i64],
    codes: &[String],
) -> Result<Vec<OrderableItem>, Failure> {
    actor.require(Permission::ViewCatalog)?;
    if ids.is_empty() && codes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(store::orderable_items(db, actor.tenant_id, audience, actor.locale, ids, codes).await?)
}

/// What order lines show of their products, including those the dealer did not name (free
/// goods and bundle components, which the manufacturer's promotions add).
pub async fn line_facts(
    db: &Db,
    actor: &Actor,
    locale: Locale,
    ids: &[i64],
) -> Result<HashMap<i64, LineFacts>, Failure> {
    actor.require(Permission::ViewCatalog)?;
    Ok(store::line_facts(db, actor.tenant_id, locale, ids)
        .await?
        .into_iter()
        .collect())
}

/// A product's pictures, in order: for the manufacturer's people, or for a dealer the product is
/// published to.
pub async fn product_images(
    db: &Db,
    actor: &Actor,
    audience: Option<&DealerAudience>,
    product_id: i64,
) -> Result<Vec<ProductImage>, Failure> {
    visible_product(db, actor, audience, product_id).await?;
    Ok(store::product_images(&mut Source::Db(db), actor.tenant_id, product_id).await?)
}

/// A picture's media type and bytes, under the same visibility as its product.
pub async fn product_image(
    db: &Db,
    actor: &Actor,
    audience: Option<&DealerAudience>,
    product_id: i64,
    image_id: i64,
) -> Result<(String, Vec<u8>), Failure> {
    visible_product(db, actor, audience, product_id).await?;
    store::image_bytes(db, actor.tenant_id, product_id, image_id)
        .await?
        .ok_or(Failure::NotFound { entity: "image" })
}

/// Dealers' users see a product only where it is published to them; the manufacturer's people
/// with product rights see every product of the tenant.
async fn visible_product(
    db: &Db,
    actor: &Actor,
    audience: Option<&DealerAudience>,
    product_id: i64,
) -> Result<(), Failure> {
    let found = match audience {
        Some(audience) => {
            actor.require(Permission::ViewCatalog)?;
            store::find_published_product(&mut Source::Db(db), actor.tenant_id, audience, product_id).await?
        }
        None => {
            actor.require(Permission::ViewProducts)?;
            store::find_product(&mut Source::Db(db), actor.tenant_id, product_id).await?
        }
    };
    found.map(|_| ()).ok_or(Failure::NotFound { entity: "product" })
}

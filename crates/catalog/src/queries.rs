//! Catalog queries: the manufacturer's product list, and each dealer's catalog.

use std::collections::HashMap;

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

pub async fn categories(db: &Db, actor: &Actor) -> Result<Vec<Category>, Failure> {
    actor.require(Permission::ViewCatalog)?;
    Ok(store::list_categories(&mut Source::Db(db), actor.tenant_id).await?)
}

/// Every product of the tenant, published or not, for the manufacturer's people.
pub async fn products(
    db: &Db,
    actor: &Actor,
    search: Option<&str>,
    category_id: Option<i64>,
    page: PageRequest,
) -> Result<Page<Product>, Failure> {
    actor.require(Permission::ViewProducts)?;
    Ok(store::list_products(db, actor.tenant_id, search, category_id, page).await?)
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
    page: PageRequest,
) -> Result<Page<ProductView>, Failure> {
    actor.require(Permission::ViewCatalogStatistics)?;
    Ok(store::product_views(db, actor.tenant_id, audience.dealer_id, locale, page).await?)
}

/// Products published to a dealer that none of its users has opened.
pub async fn never_viewed(
    db: &Db,
    actor: &Actor,
    audience: &DealerAudience,
    locale: Locale,
    page: PageRequest,
) -> Result<(Vec<CatalogItem>, bool), Failure> {
    actor.require(Permission::ViewCatalogStatistics)?;
    Ok(store::never_viewed(db, actor.tenant_id, audience, locale, page).await?)
}

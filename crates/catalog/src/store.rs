//! The catalog's SQL.

use chrono::{DateTime, Utc};
use platform::db::{Source, Value};
use platform::{Db, DbError, DealerAudience, DealerId, Locale, Query, Row, TenantId, Tx, UserId};

use crate::domain::*;

pub async fn insert_category(
    tx: &mut Tx,
    tenant_id: TenantId,
    category: &CategoryInput,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO categories (tenant_id, code, name_en, name_ru, name_zh, created_at, parent_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(tenant_id)
        .bind(category.code.trim())
        .bind(category.name_en.trim())
        .bind(category.name_ru.trim())
        .bind(category.name_zh.trim())
        .bind(now)
        .bind(category.parent_id),
    )
    .await?
    .get("id")
}

pub async fn update_category(
    tx: &mut Tx,
    tenant_id: TenantId,
    id: i64,
    category: &CategoryInput,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "UPDATE categories SET code = $1, name_en = $2, name_ru = $3, name_zh = $4, parent_id = $5
             WHERE tenant_id = $6 AND id = $7",
        )
        .bind(category.code.trim())
        .bind(category.name_en.trim())
        .bind(category.name_ru.trim())
        .bind(category.name_zh.trim())
        .bind(category.parent_id)
        .bind(tenant_id)
        .bind(id),
    )
    .await?;
    Ok(())
}

pub async fn delete_category(tx: &mut Tx, tenant_id: TenantId, id: i64) -> Result<(), DbError> {
    tx.execute(
        &Query::new("DELETE FROM categories WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Every category of the tenant with its parent, to check moves against the whole tree.
pub async fn category_parents(tx: &mut Tx, tenant_id: TenantId) -> Result<Vec<(i64, Option<i64>)>, DbError> {
    tx.fetch_all(&Query::new("SELECT id, parent_id FROM categories WHERE tenant_id = $1").bind(tenant_id))
        .await?
        .iter()
        .map(|row| Ok((row.get("id")?, row.get("parent_id")?)))
        .collect()
}

/// Whether products or promotions still refer to the category.
pub async fn category_in_use(tx: &mut Tx, id: i64) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(
            &Query::new(
                "SELECT id FROM products WHERE category_id = $1
                 UNION ALL SELECT promotion_id FROM promotion_products WHERE category_id = $1",
            )
            .bind(id),
        )
        .await?
        .is_some())
}

/// Every category with the number of products it holds itself.
pub async fn categories_with_counts(db: &Db, tenant_id: TenantId) -> Result<Vec<(Category, i64)>, DbError> {
    db.fetch_all(
        &Query::new(
            "SELECT c.id, c.parent_id, c.code, c.name_en, c.name_ru, c.name_zh,
                    (SELECT COUNT(*) FROM products p WHERE p.category_id = c.id) AS product_count
             FROM categories c WHERE c.tenant_id = $1",
        )
        .bind(tenant_id),
    )
    .await?
    .iter()
    .map(|row| {
        Ok((
            Category {
                id: row.get("id")?,
                parent_id: row.get("parent_id")?,
                code: row.get("code")?,
                name_en: row.get("name_en")?,
                name_ru: row.get("name_ru")?,
                name_zh: row.get("name_zh")?,
            },
            row.get("product_count")?,
        ))
    })
    .collect()
}

/// `AND` the product `p` is in the category or any category under it.
fn push_category(query: &mut Query, category_id: i64) {
    query
        .push(
            " AND p.category_id IN (WITH RECURSIVE under(id) AS (SELECT CAST(",
        )
        .push_bind(category_id)
        .push(
            " AS BIGINT) UNION ALL SELECT c.id FROM categories c JOIN under ON c.parent_id = under.id) SELECT id FROM under)",
        );
}

pub async fn list_categories(source: &mut Source<'_>, tenant_id: TenantId) -> Result<Vec<Category>, DbError> {
    source
        .fetch_all(
            &Query::new("SELECT id, parent_id, code, name_en, name_ru, name_zh FROM categories WHERE tenant_id = $1 ORDER BY code")
                .bind(tenant_id),
        )
        .await?
        .iter()
        .map(|row| {
            Ok(Category {
                id: row.get("id")?,
                parent_id: row.get("parent_id")?,
                code: row.get("code")?,
                name_en: row.get("name_en")?,
                name_ru: row.get("name_ru")?,
                name_zh: row.get("name_zh")?,
            })
        })
        .collect()
}

/// The sales organisation list's sortable columns; by code by default.
pub const SALES_ORGANISATION_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("code", "code"),
        platform::SortColumn::new("name", "name"),
    ],
    default: "code",
    tiebreaker: "id",
};

/// One page of the tenant's sales organisations under `filter`.
pub async fn sales_organisation_page(
    db: &Db,
    tenant_id: TenantId,
    filter: &SalesOrganisationFilter,
    page: platform::PageRequest,
) -> Result<platform::Page<SalesOrganisation>, DbError> {
    let mut condition = Query::new(" WHERE tenant_id = $1").bind(tenant_id);
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = platform::db::like_contains(search);
        condition
            .push(" AND (LOWER(code) LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(name) LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    platform::db::fetch_page(
        db,
        "sales_organisations",
        "SELECT id, code, name FROM sales_organisations",
        condition,
        &SALES_ORGANISATION_SORT.order_by(filter.sort),
        page,
        read_sales_organisation,
    )
    .await
}

fn read_sales_organisation(row: &Row) -> Result<SalesOrganisation, DbError> {
    Ok(SalesOrganisation {
        id: row.get("id")?,
        code: row.get("code")?,
        name: row.get("name")?,
    })
}

pub async fn list_sales_organisations(
    source: &mut Source<'_>,
    tenant_id: TenantId,
) -> Result<Vec<SalesOrganisation>, DbError> {
    source
        .fetch_all(
            &Query::new("SELECT id, code, name FROM sales_organisations WHERE tenant_id = $1 ORDER BY code")
                .bind(tenant_id),
        )
        .await?
        .iter()
        .map(read_sales_organisation)
        .collect()
}

pub async fn insert_sales_organisation(
    tx: &mut Tx,
    tenant_id: TenantId,
    input: &SalesOrganisationInput,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO sales_organisations (tenant_id, code, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(tenant_id)
        .bind(input.code.trim())
        .bind(input.name.trim())
        .bind(now),
    )
    .await?
    .get("id")
}

fn product_values(
    tenant_id: TenantId,
    product: &ValidProduct,
    references: ProductReferences,
    now: DateTime<Utc>,
) -> Vec<Value> {
    vec![
        tenant_id.into(),
        product.sku.as_str().into(),
        product.gtin.as_str().into(),
        references.category_id.into(),
        product.name_en.as_str().into(),
        product.name_ru.as_str().into(),
        product.name_zh.as_str().into(),
        product.description_en.as_str().into(),
        product.description_ru.as_str().into(),
        product.description_zh.as_str().into(),
        product.search_text().into(),
        product.unit.as_str().into(),
        product.pack_size.into(),
        product.min_order_quantity.into(),
        product.order_multiple.into(),
        product.vat_rate_bp.into(),
        product.weight_grams.into(),
        product.volume_ml.into(),
        product.status.code().into(),
        now.into(),
        now.into(),
        product.lot_tracked.into(),
        references.sales_organisation_id.into(),
    ]
}

const PRODUCT_COLUMNS: &str = "tenant_id, sku, gtin, category_id, name_en, name_ru, name_zh, description_en, description_ru, \
     description_zh, search_text, unit, pack_size, min_order_quantity, order_multiple, vat_rate_bp, weight_grams, volume_ml, \
     status, created_at, updated_at, lot_tracked, sales_organisation_id";

pub async fn insert_products(
    tx: &mut Tx,
    tenant_id: TenantId,
    products: &[(ValidProduct, ProductReferences)],
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let rows: Vec<Vec<Value>> = products
        .iter()
        .map(|(product, references)| product_values(tenant_id, product, *references, now))
        .collect();
    tx.insert_many(&format!("INSERT INTO products ({PRODUCT_COLUMNS})"), &rows)
        .await
}

pub async fn update_product(
    tx: &mut Tx,
    tenant_id: TenantId,
    id: i64,
    product: &ValidProduct,
    references: ProductReferences,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut query = Query::new(
        "UPDATE products SET sku = $3, gtin = $4, category_id = $5, name_en = $6, name_ru = $7, name_zh = $8,
             description_en = $9, description_ru = $10, description_zh = $11, search_text = $12, unit = $13, pack_size = $14,
             min_order_quantity = $15, order_multiple = $16, vat_rate_bp = $17, weight_grams = $18, volume_ml = $19, status = $20,
             updated_at = $22, lot_tracked = $23, sales_organisation_id = $24
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id);
    // The same values as an insert, minus the tenant, which is bound first above.
    for value in product_values(tenant_id, product, references, now).into_iter().skip(1) {
        query = query.bind(value);
    }
    tx.execute(&query).await?;
    Ok(())
}

/// Every product id of the tenant by SKU, for imports that refer to products by SKU.
pub async fn product_ids_by_sku(db: &Db, tenant_id: TenantId) -> Result<Vec<(String, i64)>, DbError> {
    db.fetch_all(&Query::new("SELECT sku, id FROM products WHERE tenant_id = $1 ORDER BY id").bind(tenant_id))
        .await?
        .iter()
        .map(|row| Ok((row.get("sku")?, row.get("id")?)))
        .collect()
}

const PRODUCT_SELECT: &str =
    "SELECT p.id, p.sku, p.gtin, p.category_id, p.name_en, p.name_ru, p.name_zh, p.description_en, \
     p.description_ru, p.description_zh, p.unit, p.pack_size, p.min_order_quantity, p.order_multiple, p.vat_rate_bp, \
     p.weight_grams, p.volume_ml, p.status, p.lot_tracked, p.sales_organisation_id FROM products p";

fn read_product(row: &Row) -> Result<Product, DbError> {
    Ok(Product {
        id: row.get("id")?,
        sku: row.get("sku")?,
        gtin: row.get("gtin")?,
        category_id: row.get("category_id")?,
        name_en: row.get("name_en")?,
        name_ru: row.get("name_ru")?,
        name_zh: row.get("name_zh")?,
        description_en: row.get("description_en")?,
        description_ru: row.get("description_ru")?,
        description_zh: row.get("description_zh")?,
        unit: row.get("unit")?,
        pack_size: row.get("pack_size")?,
        min_order_quantity: row.get("min_order_quantity")?,
        order_multiple: row.get("order_multiple")?,
        vat_rate_bp: row.get("vat_rate_bp")?,
        weight_grams: row.get("weight_grams")?,
        volume_ml: row.get("volume_ml")?,
        status: ProductStatus::parse(&row.get::<String>("status")?).unwrap_or(ProductStatus::Blocked),
        lot_tracked: row.get("lot_tracked")?,
        sales_organisation_id: row.get("sales_organisation_id")?,
    })
}

pub async fn find_product(source: &mut Source<'_>, tenant_id: TenantId, id: i64) -> Result<Option<Product>, DbError> {
    source
        .fetch_optional(
            &Query::new(format!("{PRODUCT_SELECT} WHERE p.tenant_id = $1 AND p.id = $2"))
                .bind(tenant_id)
                .bind(id),
        )
        .await?
        .as_ref()
        .map(read_product)
        .transpose()
}

fn push_search(query: &mut Query, search: Option<&str>) {
    if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
        query
            .push(" AND p.search_text LIKE ")
            .push_bind(platform::db::like_contains(search))
            .push(" ESCAPE '\\'");
    }
}

/// The product list's sortable columns, with names in one language.
macro_rules! product_sort {
    ($name:literal) => {
        platform::SortColumns {
            columns: &[
                platform::SortColumn::new("sku", "p.sku"),
                platform::SortColumn::new("name", $name),
                platform::SortColumn::new("gtin", "p.gtin"),
                platform::SortColumn::new("pack_size", "p.pack_size"),
                platform::SortColumn::new("status", "p.status"),
            ],
            default: "sku",
            tiebreaker: "p.id",
        }
    };
}

/// The product list's sortable columns (names in English; other languages sort by their own).
pub const PRODUCT_SORT: platform::SortColumns = product_sort!("p.name_en");
const PRODUCT_SORT_RU: platform::SortColumns = product_sort!("p.name_ru");
const PRODUCT_SORT_ZH: platform::SortColumns = product_sort!("p.name_zh");

/// The product sort whose names are in `locale`.
fn product_sort(locale: Locale) -> platform::SortColumns {
    match locale {
        Locale::En => PRODUCT_SORT,
        Locale::Ru => PRODUCT_SORT_RU,
        Locale::Zh => PRODUCT_SORT_ZH,
    }
}

/// The tenant's products for its own people, whatever is published.
pub async fn list_products(
    db: &Db,
    tenant_id: TenantId,
    filter: &ProductFilter,
    page: platform::PageRequest,
) -> Result<platform::Page<Product>, DbError> {
    let mut condition = Query::new(" WHERE p.tenant_id = $1").bind(tenant_id);
    push_search(&mut condition, filter.search.as_deref());
    if let Some(category_id) = filter.category_id {
        push_category(&mut condition, category_id);
    }
    if let Some(status) = filter.status {
        condition.push(" AND p.status = ").push_bind(status.code());
    }
    let order_by = product_sort(filter.locale).order_by(filter.sort);
    platform::db::fetch_page(
        db,
        "products p",
        PRODUCT_SELECT,
        condition,
        &order_by,
        page,
        read_product,
    )
    .await
}

fn name_column(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "p.name_en",
        Locale::Ru => "p.name_ru",
        Locale::Zh => "p.name_zh",
    }
}

/// `AND` the product `p` is published to the dealer.
fn push_published(query: &mut Query, audience: &DealerAudience) {
    query.push(" AND EXISTS (SELECT 1 FROM publications pub WHERE pub.product_id = p.id");
    audience.restrict(query, "pub.audience", "pub.audience_id", "all");
    query.push(")");
}

fn catalog_columns(locale: Locale) -> String {
    format!(
        "p.id, p.sku, p.gtin, {} AS name, p.category_id, p.unit, p.pack_size, p.min_order_quantity, p.order_multiple, \
         p.vat_rate_bp, p.status, \
         (SELECT i.id FROM product_images i WHERE i.product_id = p.id ORDER BY i.position, i.id LIMIT 1) AS image_id, \
         (SELECT CAST(COALESCE(SUM(s.on_hand - s.reserved), 0) AS BIGINT) FROM stock_levels s \
            JOIN warehouses w ON w.id = s.warehouse_id \
            WHERE s.tenant_id = p.tenant_id AND s.product_id = p.id AND w.sellable = TRUE) AS available, \
         (SELECT CAST(COALESCE(SUM(s.safety_stock), 0) AS BIGINT) FROM stock_levels s \
            WHERE s.tenant_id = p.tenant_id AND s.product_id = p.id) AS safety_stock",
        name_column(locale)
    )
}

fn read_catalog_item(row: &Row) -> Result<CatalogItem, DbError> {
    Ok(CatalogItem {
        product_id: row.get("id")?,
        sku: row.get("sku")?,
        gtin: row.get("gtin")?,
        name: row.get("name")?,
        category_id: row.get("category_id")?,
        unit: row.get("unit")?,
        pack_size: row.get("pack_size")?,
        min_order_quantity: row.get("min_order_quantity")?,
        order_multiple: row.get("order_multiple")?,
        vat_rate_bp: row.get("vat_rate_bp")?,
        status: ProductStatus::parse(&row.get::<String>("status")?).unwrap_or(ProductStatus::Blocked),
        favorite: row.get::<i64>("favorite")? > 0,
        image_id: row.get("image_id")?,
        stock: StockIndicator::of(
            row.get("available")?,
            row.get("safety_stock")?,
            row.get("min_order_quantity")?,
        ),
    })
}

/// Runs a page query asking for one row more than the page, to know whether another follows.
async fn fetch_page(db: &Db, query: Query, page: platform::PageRequest) -> Result<(Vec<CatalogItem>, bool), DbError> {
    let mut query = query.planned_per_run();
    query
        .push(" LIMIT ")
        .push_bind(page.limit() + 1)
        .push(" OFFSET ")
        .push_bind(page.offset());
    let rows = db.fetch_all(&query).await?;
    let has_next = rows.len() as i64 > page.limit();
    let items = rows
        .iter()
        .take(page.per_page as usize)
        .map(read_catalog_item)
        .collect::<Result<_, _>>()?;
    Ok((items, has_next))
}

/// One page of the dealer's catalog, and whether another page follows. No total is counted:
/// counting every published product would cost more than the page itself.
pub async fn dealer_catalog(
    db: &Db,
    tenant_id: TenantId,
    audience: &DealerAudience,
    user_id: Option<UserId>,
    locale: Locale,
    filter: &CatalogFilter,
    page: platform::PageRequest,
) -> Result<(Vec<CatalogItem>, bool), DbError> {
    let name = name_column(locale);
    let mut query = Query::new(format!(
        "SELECT {}, (SELECT COUNT(*) FROM favorites f WHERE f.user_id = $2 AND f.product_id = p.id) AS favorite \
         FROM products p WHERE p.tenant_id = $1 AND p.status <> 'blocked'",
        catalog_columns(locale)
    ))
    .bind(tenant_id)
    .bind(user_id.map_or(0, UserId::get));
    push_catalog_filter(&mut query, audience, user_id, filter);
    let order = match filter.sort {
        CatalogSort::Name => format!("{name}, p.id"),
        CatalogSort::Sku => "p.sku".to_owned(),
    };
    query.push(&format!(" ORDER BY {order}"));
    fetch_page(db, query, page).await
}

/// How many products the dealer's catalog holds under `filter`.
pub async fn count_dealer_catalog(
    db: &Db,
    tenant_id: TenantId,
    audience: &DealerAudience,
    user_id: Option<UserId>,
    filter: &CatalogFilter,
) -> Result<i64, DbError> {
    let mut query = Query::new(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM products p WHERE p.tenant_id = $1 AND p.status <> 'blocked'",
    )
    .bind(tenant_id)
    .planned_per_run();
    push_catalog_filter(&mut query, audience, user_id, filter);
    db.fetch_one(&query).await?.get("n")
}

/// What the dealer may see of `products p`, narrowed by the catalog's search, category and
/// favorites.
fn push_catalog_filter(query: &mut Query, audience: &DealerAudience, user_id: Option<UserId>, filter: &CatalogFilter) {
    push_published(query, audience);
    push_search(query, filter.search.as_deref());
    if let Some(category_id) = filter.category_id {
        push_category(query, category_id);
    }
    if filter.favorites_only {
        query
            .push(" AND p.id IN (SELECT product_id FROM favorites WHERE user_id = ")
            .push_bind(user_id.map_or(0, UserId::get))
            .push(")");
    }
}

/// The product if it is published to the dealer and not blocked.
pub async fn find_published_product(
    source: &mut Source<'_>,
    tenant_id: TenantId,
    audience: &DealerAudience,
    id: i64,
) -> Result<Option<Product>, DbError> {
    let mut query = Query::new(format!(
        "{PRODUCT_SELECT} WHERE p.tenant_id = $1 AND p.id = $2 AND p.status <> 'blocked'"
    ))
    .bind(tenant_id)
    .bind(id);
    push_published(&mut query, audience);
    source
        .fetch_optional(&query)
        .await?
        .as_ref()
        .map(read_product)
        .transpose()
}

/// The ids among `ids` that belong to the tenant; or of a category's products.
pub async fn tenant_product_ids(
    tx: &mut Tx,
    tenant_id: TenantId,
    ids: &[i64],
    category_id: Option<i64>,
) -> Result<Vec<i64>, DbError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(1000) {
        let mut query = Query::new("SELECT id FROM products WHERE tenant_id = $1 AND id IN ").bind(tenant_id);
        query.push_bind_list(chunk.iter().copied());
        for row in tx.fetch_all(&query).await? {
            found.push(row.get("id")?);
        }
    }
    if let Some(category_id) = category_id {
        let query = Query::new("SELECT id FROM products WHERE tenant_id = $1 AND category_id = $2")
            .bind(tenant_id)
            .bind(category_id);
        for row in tx.fetch_all(&query).await? {
            found.push(row.get("id")?);
        }
    }
    found.sort_unstable();
    found.dedup();
    Ok(found)
}

pub async fn insert_publications(
    tx: &mut Tx,
    tenant_id: TenantId,
    product_ids: &[i64],
    audience: PublicationAudience,
    audience_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let rows: Vec<Vec<Value>> = product_ids
        .iter()
        .map(|id| {
            vec![
                tenant_id.into(),
                (*id).into(),
                audience.code().into(),
                audience_id.into(),
                now.into(),
            ]
        })
        .collect();
    tx.insert_many_skipping_existing(
        "INSERT INTO publications (tenant_id, product_id, audience, audience_id, created_at)",
        &rows,
        "(product_id, audience, audience_id)",
    )
    .await
}

pub async fn delete_publications(
    tx: &mut Tx,
    tenant_id: TenantId,
    product_ids: &[i64],
    audience: PublicationAudience,
    audience_id: i64,
) -> Result<u64, DbError> {
    let mut removed = 0;
    for chunk in product_ids.chunks(1000) {
        let mut query = Query::new(
            "DELETE FROM publications WHERE tenant_id = $1 AND audience = $2 AND audience_id = $3 AND product_id IN ",
        )
        .bind(tenant_id)
        .bind(audience.code())
        .bind(audience_id);
        query.push_bind_list(chunk.iter().copied());
        removed += tx.execute(&query).await?;
    }
    Ok(removed)
}

pub async fn add_favorite(
    tx: &mut Tx,
    tenant_id: TenantId,
    user_id: UserId,
    product_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "INSERT INTO favorites (tenant_id, user_id, product_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, product_id) DO NOTHING",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(product_id)
        .bind(now),
    )
    .await?;
    Ok(())
}

pub async fn remove_favorite(tx: &mut Tx, user_id: UserId, product_id: i64) -> Result<(), DbError> {
    tx.execute(
        &Query::new("DELETE FROM favorites WHERE user_id = $1 AND product_id = $2")
            .bind(user_id)
            .bind(product_id),
    )
    .await?;
    Ok(())
}

/// Counts a dealer user's visit of a product page.
pub async fn record_view(
    db: &Db,
    tenant_id: TenantId,
    user_id: UserId,
    dealer_id: DealerId,
    product_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    db.execute(
        &Query::new(
            "INSERT INTO product_views (tenant_id, user_id, dealer_id, product_id, view_count, first_viewed_at, last_viewed_at)
             VALUES ($1, $2, $3, $4, 1, $5, $5)
             ON CONFLICT (user_id, product_id)
             DO UPDATE SET view_count = product_views.view_count + 1, last_viewed_at = excluded.last_viewed_at",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(dealer_id)
        .bind(product_id)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Visits of products by the users of one dealer, most viewed first.
/// The product-view statistics' sortable columns.
pub const PRODUCT_VIEW_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("sku", "p.sku"),
        platform::SortColumn::new("user", "u.login"),
        platform::SortColumn::new("views", "v.view_count"),
        platform::SortColumn::new("last_viewed_at", "v.last_viewed_at"),
    ],
    default: "-views",
    tiebreaker: "v.product_id, v.user_id",
};

pub async fn product_views(
    db: &Db,
    tenant_id: TenantId,
    dealer_id: DealerId,
    locale: Locale,
    sort: platform::Sort,
    page: platform::PageRequest,
) -> Result<platform::Page<ProductView>, DbError> {
    let total: i64 = db
        .fetch_one(
            &Query::new("SELECT COUNT(*) AS total FROM product_views WHERE tenant_id = $1 AND dealer_id = $2")
                .bind(tenant_id)
                .bind(dealer_id),
        )
        .await?
        .get("total")?;
    let name = name_column(locale);
    let rows = db
        .fetch_all(
            &Query::new(format!(
                "SELECT v.product_id, p.sku, {name} AS name, u.login, d.code, v.view_count, v.last_viewed_at
                 FROM product_views v JOIN products p ON p.id = v.product_id JOIN users u ON u.id = v.user_id
                 JOIN dealers d ON d.id = v.dealer_id
                 WHERE v.tenant_id = $1 AND v.dealer_id = $2 ORDER BY {} LIMIT $3 OFFSET $4",
                PRODUCT_VIEW_SORT.order_by(sort)
            ))
            .bind(tenant_id)
            .bind(dealer_id)
            .bind(page.limit())
            .bind(page.offset())
            .planned_per_run(),
        )
        .await?;
    let items = rows
        .iter()
        .map(|row| {
            Ok(ProductView {
                product_id: row.get("product_id")?,
                sku: row.get("sku")?,
                name: row.get("name")?,
                user_login: row.get("login")?,
                dealer_code: row.get("code")?,
                view_count: row.get("view_count")?,
                last_viewed_at: row.get("last_viewed_at")?,
            })
        })
        .collect::<Result<_, DbError>>()?;
    Ok(platform::Page::new(items, total, page))
}

/// The products published to the dealer and not blocked that none of its users opened.
pub async fn never_viewed(
    db: &Db,
    tenant_id: TenantId,
    audience: &DealerAudience,
    locale: Locale,
    filter: &NeverViewedFilter,
    page: platform::PageRequest,
) -> Result<platform::Page<CatalogItem>, DbError> {
    let mut condition = Query::new(
        " WHERE p.tenant_id = $1 AND p.status <> 'blocked' \
         AND NOT EXISTS (SELECT 1 FROM product_views v WHERE v.product_id = p.id AND v.dealer_id = $2)",
    )
    .bind(tenant_id)
    .bind(audience.dealer_id);
    push_published(&mut condition, audience);
    push_search(&mut condition, filter.search.as_deref());
    platform::db::fetch_page(
        db,
        "products p",
        &format!(
            "SELECT {}, CAST(0 AS BIGINT) AS favorite FROM products p",
            catalog_columns(locale)
        ),
        condition,
        &product_sort(locale).order_by(filter.sort),
        page,
        read_catalog_item,
    )
    .await
}

pub async fn find_product_id_by_sku(tx: &mut Tx, tenant_id: TenantId, sku: &str) -> Result<Option<i64>, DbError> {
    tx.fetch_optional(
        &Query::new("SELECT id FROM products WHERE tenant_id = $1 AND sku = $2")
            .bind(tenant_id)
            .bind(sku.trim()),
    )
    .await?
    .map(|row| row.get("id"))
    .transpose()
}

/// The products published to the dealer and not blocked among those named by id, SKU or GTIN,
/// as ordering needs them; whatever is absent cannot be ordered by this dealer.
pub async fn orderable_items(
    db: &Db,
    tenant_id: TenantId,
    audience: &DealerAudience,
    locale: Locale,
    ids: &[i64],
    codes: &[String],
) -> Result<Vec<OrderableItem>, DbError> {
    let mut query = Query::new(format!(
        "SELECT p.id, p.sku, p.gtin, {} AS name, p.vat_rate_bp, p.category_id, p.unit, p.pack_size, p.status, \
         p.min_order_quantity, p.order_multiple FROM products p WHERE p.tenant_id = $1 AND p.status <> 'blocked' AND (",
        name_column(locale)
    ))
    .bind(tenant_id);
    // Each term alone, joined by OR, so that both databases look each one up in its index; a
    // constant term such as `1 = 0 OR …` made SQLite scan all 100,000 products (20 ms).
    let mut terms = Vec::new();
    if !ids.is_empty() {
        terms.push((
            "p.id",
            ids.iter().map(|id| (*id).into()).collect::<Vec<platform::db::Value>>(),
        ));
    }
    if !codes.is_empty() {
        let codes: Vec<platform::db::Value> = codes.iter().map(|c| c.as_str().into()).collect();
        terms.push(("p.sku", codes.clone()));
        terms.push(("p.gtin", codes));
    }
    for (index, (column, values)) in terms.into_iter().enumerate() {
        if index > 0 {
            query.push(" OR ");
        }
        query.push(column).push(" IN ").push_bind_list(values);
    }
    query.push(")");
    push_published(&mut query, audience);
    db.fetch_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok(OrderableItem {
                product_id: row.get("id")?,
                sku: row.get("sku")?,
                gtin: row.get("gtin")?,
                name: row.get("name")?,
                vat_rate_bp: row.get("vat_rate_bp")?,
                category_id: row.get("category_id")?,
                unit: row.get("unit")?,
                pack_size: row.get("pack_size")?,
                status: ProductStatus::parse(&row.get::<String>("status")?).unwrap_or(ProductStatus::Blocked),
                min_order_quantity: row.get("min_order_quantity")?,
                order_multiple: row.get("order_multiple")?,
            })
        })
        .collect()
}

/// SKU, name and VAT rate of each of the tenant's products among `ids`.
pub async fn line_facts(
    db: &Db,
    tenant_id: TenantId,
    locale: Locale,
    ids: &[i64],
) -> Result<Vec<(i64, LineFacts)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Query::new(format!(
        "SELECT p.id, p.sku, {} AS name, p.vat_rate_bp FROM products p WHERE p.tenant_id = $1 AND p.id IN ",
        name_column(locale)
    ))
    .bind(tenant_id);
    query.push_bind_list(ids.iter().copied());
    db.fetch_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.get("id")?,
                LineFacts {
                    sku: row.get("sku")?,
                    name: row.get("name")?,
                    vat_rate_bp: row.get("vat_rate_bp")?,
                },
            ))
        })
        .collect()
}

// ---- product images ----

pub async fn product_images(
    source: &mut Source<'_>,
    tenant_id: TenantId,
    product_id: i64,
) -> Result<Vec<ProductImage>, DbError> {
    source
        .fetch_all(
            &Query::new(
                "SELECT id, product_id, content_type, position, CAST(LENGTH(bytes) AS BIGINT) AS size_bytes
                 FROM product_images WHERE tenant_id = $1 AND product_id = $2 ORDER BY position, id",
            )
            .bind(tenant_id)
            .bind(product_id),
        )
        .await?
        .iter()
        .map(|row| {
            Ok(ProductImage {
                id: row.get("id")?,
                product_id: row.get("product_id")?,
                content_type: row.get("content_type")?,
                position: row.get("position")?,
                size_bytes: row.get("size_bytes")?,
            })
        })
        .collect()
}

pub async fn insert_image(
    tx: &mut Tx,
    tenant_id: TenantId,
    product_id: i64,
    content_type: &str,
    bytes: Vec<u8>,
    position: i64,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO product_images (tenant_id, product_id, content_type, bytes, position, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(tenant_id)
        .bind(product_id)
        .bind(content_type)
        .bind(bytes)
        .bind(position)
        .bind(now),
    )
    .await?
    .get("id")
}

pub async fn delete_image(tx: &mut Tx, tenant_id: TenantId, product_id: i64, image_id: i64) -> Result<u64, DbError> {
    tx.execute(
        &Query::new("DELETE FROM product_images WHERE tenant_id = $1 AND product_id = $2 AND id = $3")
            .bind(tenant_id)
            .bind(product_id)
            .bind(image_id),
    )
    .await
}

/// Puts the picture before all the product's others.
pub async fn make_image_first(
    tx: &mut Tx,
    tenant_id: TenantId,
    product_id: i64,
    image_id: i64,
) -> Result<u64, DbError> {
    tx.execute(
        &Query::new(
            "UPDATE product_images SET position = (SELECT MIN(position) - 1 FROM product_images WHERE product_id = $2)
             WHERE tenant_id = $1 AND product_id = $2 AND id = $3",
        )
        .bind(tenant_id)
        .bind(product_id)
        .bind(image_id),
    )
    .await
}

/// The picture's media type and bytes.
pub async fn image_bytes(
    db: &Db,
    tenant_id: TenantId,
    product_id: i64,
    image_id: i64,
) -> Result<Option<(String, Vec<u8>)>, DbError> {
    db.fetch_optional(
        &Query::new(
            "SELECT content_type, bytes FROM product_images WHERE tenant_id = $1 AND product_id = $2 AND id = $3",
        )
        .bind(tenant_id)
        .bind(product_id)
        .bind(image_id),
    )
    .await?
    .map(|row| Ok((row.get("content_type")?, row.get("bytes")?)))
    .transpose()
}

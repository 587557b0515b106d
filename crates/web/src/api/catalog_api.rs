//! API handlers for the catalog and prices: each dealer's catalog at its prices with the reason
//! for every price, favorites, and the manufacturer's products, publications and price lists.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use catalog::domain::*;
use catalog::queries::{CatalogEntry, PriceAsk, PriceExplanation, PricedProduct};
use chrono::NaiveDate;
use platform::{DealerAudience, DealerId, Page, PageRequest};
use pricing::domain::{PriceList, PriceListInput, PriceRow, PriceRowInput, PromotionInput, PromotionSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, ApiResult, Created};
use crate::error::{Problem, WebError};
use crate::exports::TreeSearch;
use crate::session::ApiCaller;
use crate::AppState;

/// The dealer whose catalog is meant: a dealer user's own, or for internal users the one named.
async fn audience_of(state: &AppState, caller: &ApiCaller, dealer_id: Option<i64>) -> Result<DealerAudience, WebError> {
    Ok(identity::queries::dealer_audience(&state.db, &caller.signed_in.actor, dealer_id.map(DealerId)).await?)
}

/// Today in the tenant's time zone, the day prices are looked up for by default.
async fn today(state: &AppState, caller: &ApiCaller) -> Result<NaiveDate, WebError> {
    Ok(caller.translator(state).await?.day_of(&state.clock.now()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct CatalogQuery {
    /// For internal users: the dealer whose catalog to show.
    pub dealer_id: Option<i64>,
    /// Part of a name in any language, a SKU or a GTIN.
    pub search: Option<String>,
    pub category_id: Option<i64>,
    /// Only the signed-in user's favorites.
    #[serde(default)]
    pub favorites: bool,
    #[param(value_type = Option<String>)]
    pub sort: Option<CatalogSort>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogPage {
    pub items: Vec<CatalogEntry>,
    pub page: u32,
    pub per_page: u32,
    /// Whether another page follows; catalogs are not counted, which keeps pages fast.
    pub has_next: bool,
}

/// A dealer's catalog: only what is published to it, at its prices.
#[utoipa::path(get, path = "/catalog", tag = "catalog", security(("bearer" = [])), params(CatalogQuery),
    responses((status = 200, body = CatalogPage), (status = 404, body = Problem)))]
pub async fn dealer_catalog(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<CatalogQuery>,
) -> ApiResult<CatalogPage> {
    let actor = &caller.signed_in.actor;
    let audience = audience_of(&state, &caller, query.dealer_id).await?;
    let filter = CatalogFilter {
        search: query.search.clone(),
        category_id: query.category_id,
        favorites_only: query.favorites,
        sort: query.sort.unwrap_or_default(),
    };
    let page = PageRequest::new(query.page, query.per_page);
    let date = today(&state, &caller).await?;
    let (items, has_next) =
        catalog::queries::priced_catalog(&state.db, actor, &audience, caller.locale, &filter, page, date).await?;
    Ok(Json(CatalogPage {
        items,
        page: page.page,
        per_page: page.per_page,
        has_next,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PriceQuery {
    pub dealer_id: Option<i64>,
    /// Units; defaults to the product's minimum order quantity.
    pub quantity: Option<i64>,
    /// The day to price for; defaults to today in the tenant's time zone.
    pub date: Option<NaiveDate>,
}

async fn priced_product(
    state: &AppState,
    caller: &ApiCaller,
    id: i64,
    query: &PriceQuery,
) -> Result<PricedProduct, WebError> {
    let audience = audience_of(state, caller, query.dealer_id).await?;
    let date = match query.date {
        Some(date) => date,
        None => today(state, caller).await?,
    };
    let actor = &caller.signed_in.actor;
    Ok(catalog::queries::priced_product(
        &state.db,
        &state.clock,
        actor,
        &audience,
        caller.locale,
        id,
        PriceAsk {
            quantity: query.quantity,
            date,
        },
    )
    .await?)
}

/// A product as the dealer sees it, with its price and why.
#[utoipa::path(get, path = "/catalog/{product_id}", tag = "catalog", security(("bearer" = [])),
    params(("product_id" = i64, Path), PriceQuery),
    responses((status = 200, body = PricedProduct), (status = 404, body = Problem)))]
pub async fn catalog_product(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<PriceQuery>,
) -> ApiResult<PricedProduct> {
    Ok(Json(priced_product(&state, &caller, id, &query).await?))
}

/// Why this price: for a dealer, product, quantity and date.
#[utoipa::path(get, path = "/catalog/{product_id}/price", tag = "catalog", security(("bearer" = [])),
    params(("product_id" = i64, Path), PriceQuery),
    responses((status = 200, body = PriceExplanation), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn why_this_price(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<PriceQuery>,
) -> ApiResult<PriceExplanation> {
    Ok(Json(priced_product(&state, &caller, id, &query).await?.price))
}

/// Adds a product to the signed-in dealer user's favorites.
#[utoipa::path(put, path = "/favorites/{product_id}", tag = "catalog", security(("bearer" = [])), params(("product_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn add_favorite(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    let audience = audience_of(&state, &caller, None).await?;
    catalog::commands::set_favorite(&state.db, &state.clock, &caller.signed_in.actor, &audience, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/favorites/{product_id}", tag = "catalog", security(("bearer" = [])), params(("product_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove_favorite(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    let audience = audience_of(&state, &caller, None).await?;
    catalog::commands::set_favorite(&state.db, &state.clock, &caller.signed_in.actor, &audience, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/categories", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = Vec<Category>)))]
pub async fn list_categories(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Vec<Category>> {
    Ok(Json(
        catalog::queries::categories(&state.db, &caller.signed_in.actor).await?,
    ))
}

/// The category tree in its order, with each category's parent code and product count, as a
/// spreadsheet with names and headers in the caller's language (the manufacturer's people).
#[utoipa::path(get, path = "/categories/export", tag = "catalog", security(("bearer" = [])), params(TreeSearch),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem)))]
pub async fn export_categories(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<TreeSearch>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(
        &state,
        &caller.signed_in.actor,
        &t,
        &crate::exports::CategoryTree(query),
    )
    .await?
    .for_api())
}

#[utoipa::path(post, path = "/categories", tag = "catalog", security(("bearer" = [])), request_body = CategoryInput,
    responses((status = 201, body = Created), (status = 422, body = Problem)))]
pub async fn create_category(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<CategoryInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = catalog::commands::create_category(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct SalesOrganisationQuery {
    /// Part of the code or name, any letter case.
    pub search: Option<String>,
    /// `code` or `name`; `-` first for descending. By code when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl SalesOrganisationQuery {
    pub fn filter(&self) -> Result<catalog::domain::SalesOrganisationFilter, platform::Failure> {
        Ok(catalog::domain::SalesOrganisationFilter {
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
            sort: catalog::queries::SALES_ORGANISATION_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// The manufacturer's selling entities, filtered and paginated; a confirmed order is split by
/// them.
#[utoipa::path(get, path = "/sales-organisations", tag = "catalog", security(("bearer" = [])), params(SalesOrganisationQuery),
    responses((status = 200, body = Page<SalesOrganisation>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_sales_organisations(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<SalesOrganisationQuery>,
) -> ApiResult<Page<SalesOrganisation>> {
    Ok(Json(
        catalog::queries::sales_organisation_list(
            &state.db,
            &caller.signed_in.actor,
            &query.filter()?,
            PageRequest::new(query.page, query.per_page),
        )
        .await?,
    ))
}

/// The same sales organisations as `GET /sales-organisations` (search and sort), every row, as a
/// spreadsheet with headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/sales-organisations/export", tag = "catalog", security(("bearer" = [])), params(SalesOrganisationQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_sales_organisations(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<SalesOrganisationQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[utoipa::path(post, path = "/sales-organisations", tag = "catalog", security(("bearer" = [])),
    request_body = SalesOrganisationInput,
    responses((status = 201, body = Created), (status = 422, body = Problem)))]
pub async fn create_sales_organisation(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<SalesOrganisationInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id =
        catalog::commands::create_sales_organisation(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct ProductQuery {
    /// Part of the SKU, GTIN or a name, any letter case.
    pub search: Option<String>,
    pub category_id: Option<i64>,
    /// `active`, `discontinued` or `blocked`.
    pub status: Option<String>,
    /// `sku`, `name` (in the caller's language), `gtin`, `pack_size` or `status`; `-` first for
    /// descending. By SKU when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ProductQuery {
    pub fn filter(&self, locale: platform::Locale) -> Result<catalog::domain::ProductFilter, platform::Failure> {
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(code) => Some(
                catalog::domain::ProductStatus::parse(code)
                    .ok_or_else(|| platform::Failure::field("status", "field.invalid"))?,
            ),
            None => None,
        };
        Ok(catalog::domain::ProductFilter {
            search: self.search.clone(),
            category_id: self.category_id,
            status,
            locale,
            sort: catalog::queries::PRODUCT_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// The same products as `GET /products` (filters and sort), every row, as a spreadsheet with
/// headers and names in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/products/export", tag = "catalog", security(("bearer" = [])), params(ProductQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_products(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

/// All of the tenant's products, published or not (the manufacturer's people).
#[utoipa::path(get, path = "/products", tag = "catalog", security(("bearer" = [])), params(ProductQuery),
    responses((status = 200, body = Page<Product>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_products(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> ApiResult<Page<Product>> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        catalog::queries::products(&state.db, &caller.signed_in.actor, &query.filter(caller.locale)?, page).await?,
    ))
}

#[utoipa::path(post, path = "/products", tag = "catalog", security(("bearer" = [])), request_body = ProductInput,
    responses((status = 201, body = Product), (status = 422, body = Problem)))]
pub async fn create_product(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<ProductInput>,
) -> Result<(StatusCode, Json<Product>), WebError> {
    let product = catalog::commands::create_product(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(product)))
}

#[utoipa::path(get, path = "/products/{id}", tag = "catalog", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Product), (status = 404, body = Problem)))]
pub async fn get_product(State(state): State<AppState>, caller: ApiCaller, Path(id): Path<i64>) -> ApiResult<Product> {
    Ok(Json(
        catalog::queries::product(&state.db, &caller.signed_in.actor, id).await?,
    ))
}

#[utoipa::path(put, path = "/products/{id}", tag = "catalog", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ProductInput,
    responses((status = 200, body = Product), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_product(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ProductInput>,
) -> ApiResult<Product> {
    Ok(Json(
        catalog::commands::update_product(&state.db, &state.clock, &caller.signed_in.actor, id, &body).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Changed {
    pub changed: u64,
}

/// Publishes products (by id or a whole category) to everyone, a dealer, a group, a tier or a region.
#[utoipa::path(post, path = "/publications", tag = "catalog", security(("bearer" = [])), request_body = PublicationInput,
    responses((status = 200, body = Changed), (status = 422, body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<PublicationInput>,
) -> ApiResult<Changed> {
    let changed =
        catalog::commands::change_publication(&state.db, &state.clock, &caller.signed_in.actor, &body, true).await?;
    Ok(Json(Changed { changed }))
}

/// Withdraws a publication; the products disappear from those dealers' catalogs.
#[utoipa::path(post, path = "/publications/withdraw", tag = "catalog", security(("bearer" = [])), request_body = PublicationInput,
    responses((status = 200, body = Changed), (status = 422, body = Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<PublicationInput>,
) -> ApiResult<Changed> {
    let changed =
        catalog::commands::change_publication(&state.db, &state.clock, &caller.signed_in.actor, &body, false).await?;
    Ok(Json(Changed { changed }))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct DealerStatisticsQuery {
    pub dealer_id: i64,
    /// `sku`, `user`, `views` or `last_viewed_at` (views only); `-` first for descending. Most
    /// viewed first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The same product views as `GET /catalog-statistics/views` (dealer and sort), every row, as a
/// spreadsheet with headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/catalog-statistics/views/export", tag = "catalog", security(("bearer" = [])), params(DealerStatisticsQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn export_product_views(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<DealerStatisticsQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

/// Which of a dealer's users opened which products, most viewed first.
#[utoipa::path(get, path = "/catalog-statistics/views", tag = "catalog", security(("bearer" = [])), params(DealerStatisticsQuery),
    responses((status = 200, body = Page<ProductView>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn product_views(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<DealerStatisticsQuery>,
) -> ApiResult<Page<ProductView>> {
    let sort = catalog::queries::PRODUCT_VIEW_SORT.parse(query.sort.as_deref())?;
    let audience = audience_of(&state, &caller, Some(query.dealer_id)).await?;
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        catalog::queries::product_views(&state.db, &caller.signed_in.actor, &audience, caller.locale, sort, page)
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct NeverViewedQuery {
    pub dealer_id: i64,
    /// Part of the SKU, GTIN or a name, any letter case.
    pub search: Option<String>,
    /// `sku`, `name`, `gtin`, `pack_size` or `status`; `-` first for descending. By SKU when
    /// absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl NeverViewedQuery {
    pub fn filter(&self) -> Result<NeverViewedFilter, platform::Failure> {
        Ok(NeverViewedFilter {
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
            sort: catalog::queries::PRODUCT_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// Products published to a dealer that none of its users ever opened, searched and sorted.
#[utoipa::path(get, path = "/catalog-statistics/never-viewed", tag = "catalog", security(("bearer" = [])), params(NeverViewedQuery),
    responses((status = 200, body = Page<CatalogItem>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn never_viewed(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<NeverViewedQuery>,
) -> ApiResult<Page<CatalogItem>> {
    let audience = audience_of(&state, &caller, Some(query.dealer_id)).await?;
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        catalog::queries::never_viewed(
            &state.db,
            &caller.signed_in.actor,
            &audience,
            caller.locale,
            &query.filter()?,
            page,
        )
        .await?,
    ))
}

/// The same products as `GET /catalog-statistics/never-viewed` (dealer, search and sort),
/// every row, as a spreadsheet with headers in the caller's language.
#[utoipa::path(get, path = "/catalog-statistics/never-viewed/export", tag = "catalog", security(("bearer" = [])), params(NeverViewedQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn export_never_viewed(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<NeverViewedQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct PriceListQuery {
    /// Part of the code or name.
    pub search: Option<String>,
    /// An ISO 4217 code such as `RUB`.
    pub currency: Option<String>,
    /// `code`, `name`, `currency`, `rows` or `created_at`; `-` first for descending. By code
    /// when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl PriceListQuery {
    pub fn filter(&self) -> Result<pricing::domain::PriceListFilter, platform::Failure> {
        Ok(pricing::domain::PriceListFilter {
            search: self.search.clone(),
            currency: self.currency.clone(),
            sort: pricing::queries::PRICE_LIST_SORT.parse(self.sort.as_deref())?,
        })
    }
}

#[utoipa::path(get, path = "/price-lists", tag = "pricing", security(("bearer" = [])), params(PriceListQuery),
    responses((status = 200, body = Page<PriceList>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_price_lists(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<PriceListQuery>,
) -> ApiResult<Page<PriceList>> {
    Ok(Json(
        pricing::queries::price_lists(
            &state.db,
            &caller.signed_in.actor,
            &query.filter()?,
            PageRequest::new(query.page, query.per_page),
        )
        .await?,
    ))
}

/// The same price lists as `GET /price-lists` (filters and sort), every row, as a spreadsheet
/// with headers in the caller's language. When the selection holds more rows than are written
/// at once (10 000), the export runs in the background instead: `202 Accepted` with the export and
/// its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/price-lists/export", tag = "pricing", security(("bearer" = [])), params(PriceListQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_price_lists(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<PriceListQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[utoipa::path(post, path = "/price-lists", tag = "pricing", security(("bearer" = [])), request_body = PriceListInput,
    responses((status = 201, body = PriceList), (status = 422, body = Problem)))]
pub async fn create_price_list(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<PriceListInput>,
) -> Result<(StatusCode, Json<PriceList>), WebError> {
    let actor = &caller.signed_in.actor;
    let id = pricing::commands::create_price_list(&state.db, &state.clock, actor, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(pricing::queries::price_list(&state.db, actor, id).await?),
    ))
}

#[utoipa::path(get, path = "/price-lists/{id}", tag = "pricing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PriceList), (status = 404, body = Problem)))]
pub async fn get_price_list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<PriceList> {
    Ok(Json(
        pricing::queries::price_list(&state.db, &caller.signed_in.actor, id).await?,
    ))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct PriceRowQuery {
    /// Part of the SKU.
    pub search: Option<String>,
    /// `sku`, `min_quantity`, `unit_price`, `valid_from` or `valid_to`; `-` first for
    /// descending. By SKU when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl PriceRowQuery {
    pub fn filter(&self) -> Result<pricing::domain::PriceRowFilter, platform::Failure> {
        Ok(pricing::domain::PriceRowFilter {
            search: self.search.clone(),
            sort: pricing::queries::PRICE_ROW_SORT.parse(self.sort.as_deref())?,
        })
    }
}

#[utoipa::path(get, path = "/price-lists/{id}/rows", tag = "pricing", security(("bearer" = [])), params(("id" = i64, Path), PriceRowQuery),
    responses((status = 200, body = Page<PriceRow>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_price_rows(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<PriceRowQuery>,
) -> ApiResult<Page<PriceRow>> {
    Ok(Json(
        pricing::queries::price_rows(
            &state.db,
            &caller.signed_in.actor,
            id,
            &query.filter()?,
            PageRequest::new(query.page, query.per_page),
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PriceRowsInput {
    pub rows: Vec<PriceRowInput>,
}

/// Adds rows to a price list; all are checked first (overlapping periods, prices, products)
/// and none is saved unless all are valid.
#[utoipa::path(post, path = "/price-lists/{id}/rows", tag = "pricing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PriceRowsInput,
    responses((status = 200, body = Changed), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_price_rows(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PriceRowsInput>,
) -> ApiResult<Changed> {
    let changed =
        pricing::commands::import_price_rows(&state.db, &state.clock, &caller.signed_in.actor, id, &body.rows).await?;
    Ok(Json(Changed { changed }))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct PromotionQuery {
    /// Part of the code or name.
    pub search: Option<String>,
    /// `percent_off`, `amount_off`, `spend_save`, `buy_get` or `bundle`.
    pub kind: Option<String>,
    /// `active` or `paused`.
    pub status: Option<String>,
    /// `code`, `name`, `kind`, `starts_on`, `ends_on`, `priority` or `status`; `-` first for
    /// descending. Newest start first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl PromotionQuery {
    pub fn filter(&self) -> Result<pricing::domain::PromotionFilter, platform::Failure> {
        Ok(pricing::domain::PromotionFilter {
            search: self.search.clone(),
            kind: self.kind.clone(),
            status: self.status.clone(),
            sort: pricing::queries::PROMOTION_SORT.parse(self.sort.as_deref())?,
        })
    }
}

#[utoipa::path(get, path = "/promotions", tag = "pricing", security(("bearer" = [])), params(PromotionQuery),
    responses((status = 200, body = Page<PromotionSummary>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_promotions(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<PromotionQuery>,
) -> ApiResult<Page<PromotionSummary>> {
    Ok(Json(
        pricing::queries::promotions(
            &state.db,
            &caller.signed_in.actor,
            &query.filter()?,
            PageRequest::new(query.page, query.per_page),
        )
        .await?,
    ))
}

/// The same promotions as `GET /promotions` (filters and sort), every row, as a spreadsheet
/// with headers in the caller's language. When the selection holds more rows than are written
/// at once (10 000), the export runs in the background instead: `202 Accepted` with the export and
/// its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/promotions/export", tag = "pricing", security(("bearer" = [])), params(PromotionQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_promotions(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<PromotionQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

/// Creates a promotion: a discount, spend X save Y, buy N get M, or a bundle, for an audience
/// and a period, with optional budget and quantity caps.
#[utoipa::path(post, path = "/promotions", tag = "pricing", security(("bearer" = [])), request_body = PromotionInput,
    responses((status = 201, body = PromotionSummary), (status = 422, body = Problem)))]
pub async fn create_promotion(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<PromotionInput>,
) -> Result<(StatusCode, Json<PromotionSummary>), WebError> {
    let promotion =
        pricing::commands::create_promotion(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(promotion)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PromotionStatusInput {
    pub active: bool,
}

/// Pauses a promotion or makes it active again.
#[utoipa::path(post, path = "/promotions/{id}/status", tag = "pricing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PromotionStatusInput,
    responses((status = 200, body = PromotionSummary), (status = 404, body = Problem)))]
pub async fn set_promotion_status(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PromotionStatusInput>,
) -> ApiResult<PromotionSummary> {
    Ok(Json(
        pricing::commands::set_promotion_active(&state.db, &state.clock, &caller.signed_in.actor, id, body.active)
            .await?,
    ))
}

/// A price list's rows (search and sort as `GET /price-lists/{id}/rows`) as a spreadsheet: SKU,
/// from quantity, price, currency, valid from and to, under the column names its import reads.
#[utoipa::path(get, path = "/price-lists/{id}/export", tag = "pricing", security(("bearer" = [])), params(("id" = i64, Path), PriceRowQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn export_price_list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<PriceRowQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    let rows = crate::exports::PriceListRows {
        price_list_id: id,
        query,
    };
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &rows)
        .await?
        .for_api())
}

/// The dealer's whole catalog with its prices as a spreadsheet, in the reader's language.
#[utoipa::path(get, path = "/catalog/export", tag = "catalog", security(("bearer" = [])), params(CatalogQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 404, body = Problem)))]
pub async fn export_catalog(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<CatalogQuery>,
) -> Result<axum::response::Response, WebError> {
    let audience = audience_of(&state, &caller, query.dealer_id).await?;
    let t = caller.translator(&state).await?;
    let catalog = crate::exports::CatalogExport {
        dealer_id: audience.dealer_id.get(),
        search: query.search,
        category_id: query.category_id,
        favorites: query.favorites,
        date: t.day_of(&state.clock.now()),
    };
    Ok(
        crate::exports::export_list(&state, &caller.signed_in.actor, &t, &catalog)
            .await?
            .for_api(),
    )
}

/// The category tree: each parent before its children, with its depth and product count; a
/// search keeps the categories whose code or name in any language holds it, each with its
/// ancestors.
#[utoipa::path(get, path = "/categories/tree", tag = "catalog", security(("bearer" = [])), params(TreeSearch),
    responses((status = 200, body = Vec<CategoryNode>), (status = 403, body = Problem)))]
pub async fn category_tree(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<TreeSearch>,
) -> ApiResult<Vec<CategoryNode>> {
    let tree = catalog::queries::category_tree(&state.db, &caller.signed_in.actor).await?;
    Ok(Json(search_tree(tree, query.text())))
}

/// Renames a category or moves it under another (never under itself or its descendants).
#[utoipa::path(put, path = "/categories/{category_id}", tag = "catalog", security(("bearer" = [])),
    params(("category_id" = i64, Path)), request_body = CategoryInput,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_category(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CategoryInput>,
) -> Result<StatusCode, WebError> {
    catalog::commands::update_category(&state.db, &state.clock, &caller.signed_in.actor, id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a category that holds no products and no other categories.
#[utoipa::path(delete, path = "/categories/{category_id}", tag = "catalog", security(("bearer" = [])),
    params(("category_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_category(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    catalog::commands::delete_category(&state.db, &state.clock, &caller.signed_in.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audience whose visibility applies: a dealer user's own dealer; none for the manufacturer.
async fn viewer_audience(state: &AppState, caller: &ApiCaller) -> Result<Option<DealerAudience>, WebError> {
    let actor = &caller.signed_in.actor;
    if actor.is_dealer_user() {
        Ok(Some(identity::queries::dealer_audience(&state.db, actor, None).await?))
    } else {
        Ok(None)
    }
}

/// A product's pictures, in order; dealers see those of products published to them.
#[utoipa::path(get, path = "/products/{product_id}/images", tag = "catalog", security(("bearer" = [])),
    params(("product_id" = i64, Path)), responses((status = 200, body = Vec<ProductImage>), (status = 404, body = Problem)))]
pub async fn list_product_images(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Vec<ProductImage>> {
    let audience = viewer_audience(&state, &caller).await?;
    Ok(Json(
        catalog::queries::product_images(&state.db, &caller.signed_in.actor, audience.as_ref(), id).await?,
    ))
}

/// Adds a picture (the request body): PNG, JPEG or WebP, at most 2 MB, eight a product.
#[utoipa::path(post, path = "/products/{product_id}/images", tag = "catalog", security(("bearer" = [])),
    params(("product_id" = i64, Path)), request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 201, body = Created), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_product_image(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let bytes = axum::body::to_bytes(body, IMAGE_MAX_BYTES + 1).await.map_err(|_| {
        platform::Failure::Invalid(vec![
            platform::FieldError::new("image", "product.image_size").with("max_mib", IMAGE_MAX_BYTES / 1024 / 1024)
        ])
    })?;
    let image =
        catalog::commands::add_product_image(&state.db, &state.clock, &caller.signed_in.actor, id, bytes.to_vec())
            .await?;
    Ok((StatusCode::CREATED, Json(Created { id: image })))
}

/// A picture's bytes, with its media type.
#[utoipa::path(get, path = "/products/{product_id}/images/{image_id}", tag = "catalog", security(("bearer" = [])),
    params(("product_id" = i64, Path), ("image_id" = i64, Path)),
    responses((status = 200, content_type = "image/png"), (status = 404, body = Problem)))]
pub async fn get_product_image(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, image_id)): Path<(i64, i64)>,
) -> Result<axum::response::Response, WebError> {
    crate::exports::product_image(&state, &caller.signed_in.actor, id, image_id).await
}

#[utoipa::path(delete, path = "/products/{product_id}/images/{image_id}", tag = "catalog", security(("bearer" = [])),
    params(("product_id" = i64, Path), ("image_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_product_image(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, image_id)): Path<(i64, i64)>,
) -> Result<StatusCode, WebError> {
    catalog::commands::change_product_image(&state.db, &state.clock, &caller.signed_in.actor, id, image_id, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

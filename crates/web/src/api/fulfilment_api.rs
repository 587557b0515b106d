//! Warehouses, stock, shipments and receipts over the API: stock is loaded and watched; the warehouse ships a confirmed sales order, the dealer
//! says what arrived, the manufacturer settles what differed; both sides read them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use fulfilment::domain::{StockChangeInput, StockImportInput, StockLevel, Warehouse, WarehouseInput};
use fulfilment::receipts::{Receipt, ReceiptInput};
use fulfilment::returns::{self, ArrivalInput, Return, ReturnInput};
use fulfilment::shipments::{Shipment, ShipmentInput};
use platform::{Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, ApiResult, Created};
use crate::error::{Problem, WebError};
use crate::session::ApiCaller;
use crate::AppState;

#[utoipa::path(get, path = "/warehouses", tag = "fulfilment", security(("bearer" = [])),
    responses((status = 200, body = Vec<Warehouse>), (status = 403, body = Problem)))]
pub async fn list_warehouses(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Vec<Warehouse>> {
    Ok(Json(
        fulfilment::queries::warehouses(&state.db, &caller.signed_in.actor).await?,
    ))
}

#[utoipa::path(post, path = "/warehouses", tag = "fulfilment", security(("bearer" = [])), request_body = WarehouseInput,
    responses((status = 201, body = Created), (status = 422, body = Problem)))]
pub async fn create_warehouse(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<WarehouseInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = fulfilment::commands::create_warehouse(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct StockQuery {
    /// `true`: only products below their safety stock or above their maximum.
    pub alerts: Option<bool>,
    pub warehouse_id: Option<i64>,
    /// The start of a SKU.
    pub sku: Option<String>,
    /// `warehouse`, `sku`, `on_hand`, `reserved`, `available`, `safety_stock` or `max_stock`;
    /// `-` first for descending. By warehouse and SKU when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl StockQuery {
    pub fn sort(&self) -> Result<platform::Sort, platform::Failure> {
        fulfilment::queries::STOCK_SORT.parse(self.sort.as_deref())
    }
}

#[utoipa::path(get, path = "/stock", tag = "fulfilment", security(("bearer" = [])), params(StockQuery),
    responses((status = 200, body = Page<StockLevel>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_stock(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<StockQuery>,
) -> ApiResult<Page<StockLevel>> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        fulfilment::queries::stock_levels(
            &state.db,
            &caller.signed_in.actor,
            query.warehouse_id,
            query.sku.as_deref(),
            query.alerts.unwrap_or(false),
            query.sort()?,
            page,
        )
        .await?,
    ))
}

/// The same stock levels as `GET /stock` (filters and sort), every row, as a spreadsheet with
/// headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/stock/export", tag = "fulfilment", security(("bearer" = [])), params(StockQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_stock(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<StockQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

/// A receipt, an adjustment or a stocktake, written to the movement ledger.
#[utoipa::path(post, path = "/stock/changes", tag = "fulfilment", security(("bearer" = [])), request_body = StockChangeInput,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_stock(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<StockChangeInput>,
) -> Result<StatusCode, WebError> {
    fulfilment::commands::change_stock(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServingWarehouse {
    /// Empty: orders reserve by warehouse priority alone.
    pub warehouse_id: Option<i64>,
}

/// Which warehouse serves a delivery location.
#[utoipa::path(put, path = "/delivery-locations/{location_id}/warehouse", tag = "fulfilment", security(("bearer" = [])),
    params(("location_id" = i64, Path)), request_body = ServingWarehouse,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn assign_warehouse(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(location_id): Path<i64>,
    ApiJson(body): ApiJson<ServingWarehouse>,
) -> Result<StatusCode, WebError> {
    fulfilment::commands::assign_warehouse(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        location_id,
        body.warehouse_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Loads stock levels from the ERP in one transaction, checked row by row first (`rows[i].…`):
/// `snapshot` sets what is on hand in the warehouses the rows name (products not named have
/// none), `changes` adds to it. Safety stock and maximum are set where a row gives them.
#[utoipa::path(post, path = "/stock/import", tag = "fulfilment", security(("bearer" = [])), request_body = StockImportInput,
    responses((status = 200, body = StockImported), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn import_stock(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<StockImportInput>,
) -> ApiResult<StockImported> {
    let rows = fulfilment::commands::import_stock(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok(Json(StockImported { rows }))
}

#[derive(Serialize, ToSchema)]
pub struct StockImported {
    pub rows: u64,
}

/// Ships part or all of what a confirmed sales order holds: packages by SSCC, lines with
/// quantities (and batch and expiry for lot-tracked products). The order moves to partially
/// shipped or shipped, its reservation becomes a shipment out of stock, and the dealer is told.
#[utoipa::path(post, path = "/sales-orders/{sales_order_id}/shipments", tag = "fulfilment", security(("bearer" = [])),
    params(("sales_order_id" = i64, Path)), request_body = ShipmentInput,
    responses((status = 201, body = Created), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn ship(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(sales_order_id): Path<i64>,
    ApiJson(body): ApiJson<ShipmentInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = ordering::shipping::ship(&state.db, &state.clock, &caller.signed_in.actor, sales_order_id, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct ShipmentQuery {
    /// Only the shipments of this order.
    pub order_id: Option<i64>,
    /// Part of the shipment's number or of its order's number, any letter case.
    pub search: Option<String>,
    /// `number`, `order`, `dealer`, `shipped_at`, `warehouse` or `planned_arrival`; `-` first
    /// for descending. Newest first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ShipmentQuery {
    pub fn filter(&self) -> Result<fulfilment::queries::ShipmentFilter, platform::Failure> {
        Ok(fulfilment::queries::ShipmentFilter {
            order_id: self.order_id,
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
            sort: fulfilment::queries::SHIPMENT_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// Shipments with their packages and lines, newest first: a dealer's own, a manager's regions'.
#[utoipa::path(get, path = "/shipments", tag = "fulfilment", security(("bearer" = [])), params(ShipmentQuery),
    responses((status = 200, body = Page<Shipment>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_shipments(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ShipmentQuery>,
) -> ApiResult<Page<Shipment>> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        fulfilment::queries::shipment_list(&state.db, &caller.signed_in.actor, &query.filter()?, page).await?,
    ))
}

/// The same shipments as `GET /shipments` (filters and sort), every row, as a spreadsheet
/// with headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/shipments/export", tag = "fulfilment", security(("bearer" = [])), params(ShipmentQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_shipments(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ShipmentQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[utoipa::path(get, path = "/shipments/{shipment_id}", tag = "fulfilment", security(("bearer" = [])),
    params(("shipment_id" = i64, Path)), responses((status = 200, body = Shipment), (status = 404, body = Problem)))]
pub async fn get_shipment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Shipment> {
    Ok(Json(
        fulfilment::queries::shipment(&state.db, &caller.signed_in.actor, id).await?,
    ))
}

/// The dealer records what arrived of its shipment: lines left out arrived as shipped; any
/// difference names its reason and becomes a discrepancy for the manufacturer to settle.
#[utoipa::path(post, path = "/shipments/{shipment_id}/receipt", tag = "fulfilment", security(("bearer" = [])),
    params(("shipment_id" = i64, Path)), request_body = ReceiptInput,
    responses((status = 201, body = Created), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn receive(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(shipment_id): Path<i64>,
    ApiJson(body): ApiJson<ReceiptInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = ordering::receiving::receive(&state.db, &state.clock, &caller.signed_in.actor, shipment_id, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct ReceiptQuery {
    /// Only the receipts of this order.
    pub order_id: Option<i64>,
    /// `open`: only the discrepancies still to settle; `settled`, `none`, or `any` for every
    /// receipt with a discrepancy.
    pub discrepancy: Option<String>,
    /// `shipment`, `order`, `dealer`, `received_at` or `discrepancy`; `-` first for
    /// descending. Newest first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The states a receipt list may be filtered by.
pub const DISCREPANCY_FILTERS: [&str; 4] = ["open", "settled", "any", "none"];

impl ReceiptQuery {
    pub fn filter(&self) -> Result<fulfilment::queries::ReceiptFilter, platform::Failure> {
        let discrepancy = match self.discrepancy.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(state) if DISCREPANCY_FILTERS.contains(&state) => Some(state.to_owned()),
            Some(_) => return Err(platform::Failure::field("discrepancy", "field.invalid")),
            None => None,
        };
        Ok(fulfilment::queries::ReceiptFilter {
            order_id: self.order_id,
            discrepancy,
            sort: fulfilment::queries::RECEIPT_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// Receipts with their lines, newest first: a dealer's own, a manager's regions'.
#[utoipa::path(get, path = "/receipts", tag = "fulfilment", security(("bearer" = [])), params(ReceiptQuery),
    responses((status = 200, body = Page<Receipt>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_receipts(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ReceiptQuery>,
) -> ApiResult<Page<Receipt>> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        fulfilment::queries::receipt_list(&state.db, &caller.signed_in.actor, &query.filter()?, page).await?,
    ))
}

/// The same receipts as `GET /receipts` (filters and sort), every row, as a spreadsheet with
/// headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/receipts/export", tag = "fulfilment", security(("bearer" = [])), params(ReceiptQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_receipts(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ReceiptQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementInput {
    /// How the difference was settled: a credit note, a replacement delivery…
    pub note: String,
}

/// The manufacturer settles a receipt's discrepancy.
#[utoipa::path(post, path = "/receipts/{receipt_id}/settlement", tag = "fulfilment", security(("bearer" = [])),
    params(("receipt_id" = i64, Path)), request_body = SettlementInput,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn settle(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(receipt_id): Path<i64>,
    ApiJson(body): ApiJson<SettlementInput>,
) -> Result<StatusCode, WebError> {
    ordering::receiving::settle_discrepancy(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        receipt_id,
        Some(&body.note),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The dealer asks to return goods of one of its received shipments: per line no more than it
/// received less what earlier returns asked for, each with a reason.
#[utoipa::path(post, path = "/shipments/{shipment_id}/returns", tag = "fulfilment", security(("bearer" = [])),
    params(("shipment_id" = i64, Path)), request_body = ReturnInput,
    responses((status = 201, body = Created), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn request_return(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(shipment_id): Path<i64>,
    ApiJson(body): ApiJson<ReturnInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = returns::request_return(&state.db, &state.clock, &caller.signed_in.actor, shipment_id, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct ReturnQuery {
    pub order_id: Option<i64>,
    /// `requested`, `approved`, `rejected` or `received`.
    pub state: Option<String>,
    /// `notice`, `order`, `dealer`, `shipment`, `requested_at` or `state`; `-` first for
    /// descending. Newest first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ReturnQuery {
    pub fn sort(&self) -> Result<platform::Sort, platform::Failure> {
        returns::RETURN_SORT.parse(self.sort.as_deref())
    }

    pub fn state(&self) -> Option<&str> {
        self.state.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

/// Returns with their lines, newest first: a dealer's own, a manager's regions'.
#[utoipa::path(get, path = "/returns", tag = "fulfilment", security(("bearer" = [])), params(ReturnQuery),
    responses((status = 200, body = Page<Return>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_returns(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ReturnQuery>,
) -> ApiResult<Page<Return>> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        returns::returns(
            &state.db,
            &caller.signed_in.actor,
            query.order_id,
            query.state(),
            query.sort()?,
            page,
        )
        .await?,
    ))
}

/// The same returns as `GET /returns` (filters and sort), every row, as a spreadsheet with
/// headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/returns/export", tag = "fulfilment", security(("bearer" = [])), params(ReturnQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_returns(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ReturnQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnDecision {
    pub approve: bool,
    /// Required to reject.
    #[serde(default)]
    pub reason: Option<String>,
}

/// The order desk approves a requested return (it gets its return notice number) or rejects it.
#[utoipa::path(post, path = "/returns/{return_id}/decision", tag = "fulfilment", security(("bearer" = [])),
    params(("return_id" = i64, Path)), request_body = ReturnDecision,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide_return(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReturnDecision>,
) -> Result<StatusCode, WebError> {
    returns::decide_return(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        id,
        body.approve,
        body.reason.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The warehouse takes an approved return in: good units back to stock, defective ones to the
/// defective-goods warehouse.
#[utoipa::path(post, path = "/returns/{return_id}/arrival", tag = "fulfilment", security(("bearer" = [])),
    params(("return_id" = i64, Path)), request_body = ArrivalInput,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn receive_return(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ArrivalInput>,
) -> Result<StatusCode, WebError> {
    returns::receive_return(&state.db, &state.clock, &caller.signed_in.actor, id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a photo of the goods (the request body: PNG, JPEG or WebP, at most 2 MB, five a return)
/// to a return that awaits a decision.
#[utoipa::path(post, path = "/returns/{return_id}/photos", tag = "fulfilment", security(("bearer" = [])),
    params(("return_id" = i64, Path)), request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 201, body = Created), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_return_photo(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let bytes = axum::body::to_bytes(body, platform::pictures::MAX_BYTES + 1)
        .await
        .map_err(|_| {
            platform::Failure::Invalid(vec![platform::FieldError::new("photo", "product.image_size")
                .with("max_mib", platform::pictures::MAX_BYTES / 1024 / 1024)])
        })?;
    let photo = returns::add_photo(&state.db, &state.clock, &caller.signed_in.actor, id, bytes.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: photo })))
}

/// A photo of a return, to whoever may see the return.
#[utoipa::path(get, path = "/returns/{return_id}/photos/{photo_id}", tag = "fulfilment", security(("bearer" = [])),
    params(("return_id" = i64, Path), ("photo_id" = i64, Path)),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = Problem)))]
pub async fn return_photo(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, photo_id)): Path<(i64, i64)>,
) -> Result<axum::response::Response, WebError> {
    crate::exports::photo(&state, &caller.signed_in.actor, id, photo_id).await
}

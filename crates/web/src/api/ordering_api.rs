//! API handlers for carts, orders and the order desk, and the stock orders draw on.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::NaiveDate;
use ordering::carts::{CartOrderInput, CartView};
use ordering::commands::{CreditInput, Placed};
use ordering::domain::{LineDecision, OrderInput, OrderState};
use ordering::queries::{OrderDetail, OrderFilter, OrderSummary};
use platform::{DealerAudience, DealerId, Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, ApiResult, Created};
use crate::error::{Problem, WebError};
use crate::order_upload::{self, Refused, RowError};
use crate::session::ApiCaller;
use crate::AppState;

async fn own_dealer(state: &AppState, caller: &ApiCaller) -> Result<DealerAudience, WebError> {
    Ok(identity::queries::dealer_audience(&state.db, &caller.signed_in.actor, None).await?)
}

/// 201 for a new order, 200 when the same order had been placed before.
fn placed_response(placed: Placed) -> (StatusCode, Json<Placed>) {
    let status = if placed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(placed))
}

/// The signed-in dealer user's working cart, priced as an order placed now would be.
#[utoipa::path(get, path = "/cart", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = CartView), (status = 403, body = Problem)))]
pub async fn get_cart(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<CartView> {
    let audience = own_dealer(&state, &caller).await?;
    let mut actor = caller.signed_in.actor.clone();
    actor.locale = caller.locale;
    Ok(Json(
        ordering::carts::cart(&state.db, &state.clock, &actor, &audience).await?,
    ))
}

#[utoipa::path(delete, path = "/cart", tag = "ordering", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem)))]
pub async fn clear_cart(State(state): State<AppState>, caller: ApiCaller) -> Result<StatusCode, WebError> {
    let audience = own_dealer(&state, &caller).await?;
    ordering::carts::clear_cart(&state.db, &state.clock, &caller.signed_in.actor, &audience).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CartQuantity {
    /// The quantity to hold; zero takes the product out of the cart.
    pub quantity: i64,
}

/// Sets a product's quantity in the cart; its minimum order quantity and multiple apply.
#[utoipa::path(put, path = "/cart/lines/{product_id}", tag = "ordering", security(("bearer" = [])),
    params(("product_id" = i64, Path)), request_body = CartQuantity,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn set_cart_line(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(product_id): Path<i64>,
    ApiJson(body): ApiJson<CartQuantity>,
) -> Result<StatusCode, WebError> {
    let audience = own_dealer(&state, &caller).await?;
    ordering::carts::put_in_cart(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        &audience,
        product_id,
        body.quantity,
        false,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuickEntry {
    /// One product a line: a SKU or GTIN, then a quantity.
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Added {
    pub added: usize,
    /// Products of an earlier order the dealer may no longer order, left out.
    pub left_out: usize,
}

/// Quick entry: adds lines of SKU or GTIN and quantity to the cart, all or none.
#[utoipa::path(post, path = "/cart/entries", tag = "ordering", security(("bearer" = [])), request_body = QuickEntry,
    responses((status = 200, body = Added), (status = 422, body = Problem)))]
pub async fn add_cart_entries(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<QuickEntry>,
) -> ApiResult<Added> {
    let audience = own_dealer(&state, &caller).await?;
    let added =
        ordering::carts::add_entries(&state.db, &state.clock, &caller.signed_in.actor, &audience, &body.text).await?;
    Ok(Json(Added { added, left_out: 0 }))
}

/// Places the cart as an order and empties it.
#[utoipa::path(post, path = "/cart/order", tag = "ordering", security(("bearer" = [])), request_body = CartOrderInput,
    responses((status = 201, body = Placed), (status = 200, body = Placed), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn order_cart(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<CartOrderInput>,
) -> Result<(StatusCode, Json<Placed>), WebError> {
    let audience = own_dealer(&state, &caller).await?;
    let placed = ordering::carts::order_cart(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        &audience,
        &body,
        ordering::domain::Channel::Api,
    )
    .await?;
    Ok(placed_response(placed))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CartName {
    pub name: String,
}

/// Saves the working cart under a name, replacing a saved cart of that name.
#[utoipa::path(post, path = "/carts", tag = "ordering", security(("bearer" = [])), request_body = CartName,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn save_cart(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<CartName>,
) -> Result<StatusCode, WebError> {
    let audience = own_dealer(&state, &caller).await?;
    ordering::carts::save_cart(&state.db, &state.clock, &caller.signed_in.actor, &audience, &body.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the working cart with a saved one.
#[utoipa::path(post, path = "/carts/{name}/restore", tag = "ordering", security(("bearer" = [])),
    params(("name" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub async fn restore_cart(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<StatusCode, WebError> {
    let audience = own_dealer(&state, &caller).await?;
    ordering::carts::restore_cart(&state.db, &state.clock, &caller.signed_in.actor, &audience, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/carts/{name}", tag = "ordering", security(("bearer" = [])),
    params(("name" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_saved_cart(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<StatusCode, WebError> {
    let audience = own_dealer(&state, &caller).await?;
    ordering::carts::delete_saved_cart(&state.db, &caller.signed_in.actor, &audience, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts the products of an earlier order into the cart again.
#[utoipa::path(post, path = "/orders/{order_id}/reorder", tag = "ordering", security(("bearer" = [])),
    params(("order_id" = i64, Path)), responses((status = 200, body = Added), (status = 404, body = Problem)))]
pub async fn reorder(State(state): State<AppState>, caller: ApiCaller, Path(order_id): Path<i64>) -> ApiResult<Added> {
    let audience = own_dealer(&state, &caller).await?;
    let (added, left_out) =
        ordering::carts::reorder(&state.db, &state.clock, &caller.signed_in.actor, &audience, order_id).await?;
    Ok(Json(Added { added, left_out }))
}

/// Places an order directly, without a cart. The same `Idempotency-Key` header, or the same
/// dealer order number, places one order however often it is sent.
#[utoipa::path(post, path = "/orders", tag = "ordering", security(("bearer" = [])), request_body = OrderInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Any text unique among the dealer's requests; a repeated request of the dealer returns the first order")),
    responses((status = 201, body = Placed), (status = 200, body = Placed), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn place_order(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<OrderInput>,
) -> Result<(StatusCode, Json<Placed>), WebError> {
    let audience = own_dealer(&state, &caller).await?;
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let placed = ordering::commands::place_order(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        &audience,
        &body,
        ordering::domain::Channel::Api,
        key,
    )
    .await?;
    Ok(placed_response(placed))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Uploaded {
    pub orders: Vec<Placed>,
}

/// Places the orders of an XLSX file (the request body) at once, all or none: rows with the same
/// `order_number` and `delivery_location` (a location code) make one order; an order number for
/// several locations becomes one order per location, numbered `number-LOCATION`. The columns are
/// those of `GET /orders/upload/template`. A problem names its column as `field` and its
/// spreadsheet row as `params.row`. Sending the same file again places nothing and answers 200
/// with the orders placed the first time.
#[utoipa::path(post, path = "/orders/upload", tag = "ordering", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 201, body = Uploaded), (status = 200, body = Uploaded), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_orders(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Uploaded>), WebError> {
    caller.signed_in.actor.require(platform::Permission::PlaceOrders)?;
    let audience = own_dealer(&state, &caller).await?;
    let too_large = || {
        platform::Failure::Invalid(vec![platform::FieldError::new("file", "import.file_size")
            .with("max_mib", order_upload::MAX_BYTES / 1024 / 1024)])
    };
    // Read here, with the upload's own limit rather than the API's default for JSON bodies.
    let content = axum::body::to_bytes(body, order_upload::MAX_BYTES)
        .await
        .map_err(|_| too_large())?;
    let placed = order_upload::place_from_file(&state.db, &state.clock, &caller.signed_in.actor, &audience, &content)
        .await
        .map_err(|refused| match refused {
            Refused::Rows(rows) => platform::Failure::Invalid(rows.into_iter().map(RowError::field_error).collect()),
            Refused::Failed(failure) => failure,
        })?;
    let status = if placed.iter().any(|p| p.created) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(Uploaded { orders: placed })))
}

/// An empty order upload file with its columns.
#[utoipa::path(get, path = "/orders/upload/template", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn order_upload_template(caller: ApiCaller) -> Result<axum::response::Response, WebError> {
    caller.signed_in.actor.require(platform::Permission::PlaceOrders)?;
    let bytes = order_upload::template().map_err(|e| platform::Failure::Internal(e.to_string()))?;
    Ok(crate::exports::spreadsheet("orders-template.xlsx", bytes))
}

#[derive(Debug, Default, Deserialize, serde::Serialize, IntoParams)]
pub struct OrderQuery {
    /// States to show, comma-separated (`submitted,on_credit_hold`).
    pub state: Option<String>,
    pub dealer_id: Option<i64>,
    /// Part of the dealer's order number or of the dealer's code or name.
    pub search: Option<String>,
    /// First day placed, inclusive.
    pub from: Option<NaiveDate>,
    /// Last day placed, inclusive.
    pub to: Option<NaiveDate>,
    /// `number`, `dealer`, `state`, `placed_at`, `requested_delivery_on`, `lines` or `total`;
    /// `-` first for descending. Newest first when absent (the order desk: oldest first).
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl OrderQuery {
    pub fn filter(&self) -> Result<OrderFilter, WebError> {
        let mut states = Vec::new();
        for code in self
            .state
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            states.push(OrderState::parse(code).ok_or_else(|| platform::Failure::field("state", "field.invalid"))?);
        }
        Ok(OrderFilter {
            states,
            dealer_id: self.dealer_id,
            search: self.search.clone(),
            placed_from: self.from,
            placed_to: self.to,
            sort: ordering::queries::ORDER_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// Orders: a dealer user's own dealer's, an internal user's regions'.
#[utoipa::path(get, path = "/orders", tag = "ordering", security(("bearer" = [])), params(OrderQuery),
    responses((status = 200, body = Page<OrderSummary>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_orders(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> ApiResult<Page<OrderSummary>> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        ordering::queries::orders(&state.db, &caller.signed_in.actor, &query.filter()?, page).await?,
    ))
}

/// The same orders as `GET /orders` (filters and sort), every row, as a spreadsheet with
/// headers in the caller's language. When the selection holds more rows than are written at
/// once (10 000), the export runs in the background instead: `202 Accepted` with the export and
/// its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/orders/export", tag = "ordering", security(("bearer" = [])), params(OrderQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_orders(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

/// The same orders as `GET /order-desk` (filters and sort), every row, as a spreadsheet with
/// headers in the caller's language. When the selection holds more rows than are written at
/// once (10 000), the export runs in the background instead: `202 Accepted` with the export and
/// its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/order-desk/export", tag = "ordering", security(("bearer" = [])), params(OrderQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_review_queue(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    let desk = crate::exports::OrderDeskExport(query);
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &desk)
        .await?
        .for_api())
}

/// The order desk's queue: orders awaiting a decision, oldest first.
#[utoipa::path(get, path = "/order-desk", tag = "ordering", security(("bearer" = [])), params(OrderQuery),
    responses((status = 200, body = Page<OrderSummary>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn review_queue(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> ApiResult<Page<OrderSummary>> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        ordering::queries::review_queue(&state.db, &caller.signed_in.actor, &query.filter()?, page).await?,
    ))
}

/// One order with its lines, sales orders and timeline.
#[utoipa::path(get, path = "/orders/{order_id}", tag = "ordering", security(("bearer" = [])),
    params(("order_id" = i64, Path)), responses((status = 200, body = OrderDetail), (status = 404, body = Problem)))]
pub async fn get_order(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(order_id): Path<i64>,
) -> ApiResult<OrderDetail> {
    Ok(Json(
        ordering::queries::order(&state.db, &caller.signed_in.actor, caller.locale, order_id).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StateAnswer {
    pub state: OrderState,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// Lines confirmed differently from the order; the others are confirmed as ordered.
    #[serde(default)]
    pub lines: Vec<LineDecision>,
}

/// Confirms an order in full, or partially with changed lines (each with a reason).
#[utoipa::path(post, path = "/orders/{order_id}/confirm", tag = "ordering", security(("bearer" = [])),
    params(("order_id" = i64, Path)), request_body = Confirmation,
    responses((status = 200, body = StateAnswer), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm_order(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(order_id): Path<i64>,
    ApiJson(body): ApiJson<Confirmation>,
) -> ApiResult<StateAnswer> {
    let next =
        ordering::commands::confirm_order(&state.db, &state.clock, &caller.signed_in.actor, order_id, &body.lines)
            .await?;
    Ok(Json(StateAnswer { state: next }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    #[serde(default)]
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/orders/{order_id}/reject", tag = "ordering", security(("bearer" = [])),
    params(("order_id" = i64, Path)), request_body = Reason,
    responses((status = 200, body = StateAnswer), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reject_order(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(order_id): Path<i64>,
    ApiJson(body): ApiJson<Reason>,
) -> ApiResult<StateAnswer> {
    let next = ordering::commands::reject_order(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        order_id,
        body.reason.as_deref(),
    )
    .await?;
    Ok(Json(StateAnswer { state: next }))
}

#[utoipa::path(post, path = "/orders/{order_id}/undo-rejection", tag = "ordering", security(("bearer" = [])),
    params(("order_id" = i64, Path)), responses((status = 200, body = StateAnswer), (status = 409, body = Problem)))]
pub async fn undo_rejection(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(order_id): Path<i64>,
) -> ApiResult<StateAnswer> {
    let next = ordering::commands::undo_rejection(&state.db, &state.clock, &caller.signed_in.actor, order_id).await?;
    Ok(Json(StateAnswer { state: next }))
}

/// Submits a draft: it is checked and priced now, and takes stock, credit and promotion budgets
/// as a new order would, keeping its id and number. A refusal leaves it a draft.
#[utoipa::path(post, path = "/orders/{order_id}/submit", tag = "ordering", security(("bearer" = [])),
    params(("order_id" = i64, Path)), responses((status = 200, body = Placed), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_draft(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(order_id): Path<i64>,
) -> ApiResult<Placed> {
    let audience = own_dealer(&state, &caller).await?;
    Ok(Json(
        ordering::commands::submit_draft(&state.db, &state.clock, &caller.signed_in.actor, &audience, order_id).await?,
    ))
}

/// Cancels an order: a dealer's before confirmation, the manufacturer's (with a reason) until shipment.
#[utoipa::path(post, path = "/orders/{order_id}/cancel", tag = "ordering", security(("bearer" = [])),
    params(("order_id" = i64, Path)), request_body = Reason,
    responses((status = 200, body = StateAnswer), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel_order(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(order_id): Path<i64>,
    ApiJson(body): ApiJson<Reason>,
) -> ApiResult<StateAnswer> {
    let next = ordering::commands::cancel_order(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        order_id,
        body.reason.as_deref(),
    )
    .await?;
    Ok(Json(StateAnswer { state: next }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditDecision {
    /// `true` releases the order; `false` rejects it (a reason is then required).
    pub release: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Finance releases or rejects an order on credit hold.
#[utoipa::path(post, path = "/orders/{order_id}/credit-decision", tag = "ordering", security(("bearer" = [])),
    params(("order_id" = i64, Path)), request_body = CreditDecision,
    responses((status = 200, body = StateAnswer), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide_credit_hold(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(order_id): Path<i64>,
    ApiJson(body): ApiJson<CreditDecision>,
) -> ApiResult<StateAnswer> {
    let next = ordering::commands::decide_credit_hold(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        order_id,
        body.release,
        body.reason.as_deref(),
    )
    .await?;
    Ok(Json(StateAnswer { state: next }))
}

/// A dealer's credit limit and order amount limits, in its currency.
#[utoipa::path(put, path = "/dealers/{dealer_id}/credit", tag = "ordering", security(("bearer" = [])),
    params(("dealer_id" = i64, Path)), request_body = CreditInput,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_dealer_credit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(dealer_id): Path<i64>,
    ApiJson(body): ApiJson<CreditInput>,
) -> Result<StatusCode, WebError> {
    let actor = &caller.signed_in.actor;
    let audience = identity::queries::dealer_audience(&state.db, actor, Some(DealerId(dealer_id))).await?;
    ordering::commands::set_dealer_credit(&state.db, &state.clock, actor, &audience, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct ExecutionQuery {
    /// `orders` (the default) or `lines`.
    pub view: Option<String>,
    pub dealer_id: Option<i64>,
    /// A region and everything under it.
    pub region_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub state: Option<String>,
    /// `number`, `dealer`, `state`, `placed_at`, `ordered_amount`, `confirmed_amount`,
    /// `invoiced_amount` or `paid_amount`; `-` first for descending. Newest first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ExecutionQuery {
    pub fn filter(&self) -> Result<ordering::report::ReportFilter, WebError> {
        let state = match self.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(code) => {
                Some(OrderState::parse(code).ok_or_else(|| platform::Failure::field("state", "field.invalid"))?)
            }
            None => None,
        };
        Ok(ordering::report::ReportFilter {
            dealer_id: self.dealer_id,
            region_id: self.region_id,
            placed_from: self.from,
            placed_to: self.to,
            state,
            sort: ordering::report::EXECUTION_SORT.parse(self.sort.as_deref())?,
        })
    }

    pub fn per_line(&self) -> bool {
        self.view.as_deref() == Some("lines")
    }
}

/// The same rows as `GET /reports/order-execution` (view, filters and sort), every row, as a
/// spreadsheet with headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/reports/order-execution/export", tag = "ordering", security(("bearer" = [])), params(ExecutionQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_order_execution(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ExecutionQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(
        crate::exports::export_execution(&state, &caller.signed_in.actor, &t, query)
            .await?
            .for_api(),
    )
}

/// The order execution report: ordered, confirmed, shipped, received, invoiced and paid, per
/// order or per line, within the caller's scope.
#[utoipa::path(get, path = "/reports/order-execution", tag = "ordering", security(("bearer" = [])), params(ExecutionQuery),
    responses((status = 200, body = Page<ordering::report::ExecutionRow>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn order_execution(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ExecutionQuery>,
) -> ApiResult<Page<ordering::report::ExecutionRow>> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        ordering::report::order_execution(
            &state.db,
            &caller.signed_in.actor,
            &query.filter()?,
            query.per_line(),
            page,
        )
        .await?,
    ))
}

/// Every change request of an order, newest first.
#[utoipa::path(get, path = "/orders/{order_id}/change-requests", tag = "ordering", security(("bearer" = [])),
    params(("order_id" = i64, Path)), responses((status = 200, body = Vec<ordering::changes::ChangeRequest>)))]
pub async fn list_change_requests(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(order_id): Path<i64>,
) -> ApiResult<Vec<ordering::changes::ChangeRequest>> {
    Ok(Json(
        ordering::changes::change_requests(&state.db, &caller.signed_in.actor, order_id).await?,
    ))
}

/// Proposes a change of a confirmed order; the other side approves or rejects it.
#[utoipa::path(post, path = "/orders/{order_id}/change-requests", tag = "ordering", security(("bearer" = [])),
    params(("order_id" = i64, Path)), request_body = ordering::changes::ChangeRequestInput,
    responses((status = 201, body = Created), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn raise_change_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(order_id): Path<i64>,
    ApiJson(body): ApiJson<ordering::changes::ChangeRequestInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = ordering::changes::raise_change_request(&state.db, &state.clock, &caller.signed_in.actor, order_id, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeDecision {
    pub approve: bool,
    /// Required to reject.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeState {
    pub state: String,
}

/// The other side approves (the change is written into the order) or rejects a change request.
#[utoipa::path(post, path = "/change-requests/{request_id}/decision", tag = "ordering", security(("bearer" = [])),
    params(("request_id" = i64, Path)), request_body = ChangeDecision,
    responses((status = 200, body = ChangeState), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide_change_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ChangeDecision>,
) -> ApiResult<ChangeState> {
    let state = ordering::changes::decide_change_request(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        id,
        body.approve,
        body.reason.as_deref(),
    )
    .await?;
    Ok(Json(ChangeState { state }))
}

/// The raiser takes an open change request back.
#[utoipa::path(post, path = "/change-requests/{request_id}/withdraw", tag = "ordering", security(("bearer" = [])),
    params(("request_id" = i64, Path)), responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw_change_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    ordering::changes::withdraw_change_request(&state.db, &state.clock, &caller.signed_in.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

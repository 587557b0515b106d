//! Shipments over the API: the warehouse ships a confirmed sales order; both sides read them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use fulfilment::shipments::{Shipment, ShipmentInput};
use platform::{Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, ApiResult};
use crate::error::{Problem, WebError};
use crate::session::ApiCaller;
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct ShipmentCreated {
    pub id: i64,
}

/// Ships part or all of what a confirmed sales order holds: packages by SSCC, lines with
/// quantities (and batch and expiry for lot-tracked products). The order moves to partially
/// shipped or shipped, its reservation becomes a shipment out of stock, and the dealer is told.
#[utoipa::path(post, path = "/sales-orders/{sales_order_id}/shipments", tag = "fulfilment", security(("bearer" = [])),
    params(("sales_order_id" = i64, Path)), request_body = ShipmentInput,
    responses((status = 201, body = ShipmentCreated), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn ship(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(sales_order_id): Path<i64>,
    ApiJson(body): ApiJson<ShipmentInput>,
) -> Result<(StatusCode, Json<ShipmentCreated>), WebError> {
    let id = ordering::shipping::ship(&state.db, &state.clock, &caller.signed_in.actor, sales_order_id, &body).await?;
    Ok((StatusCode::CREATED, Json(ShipmentCreated { id })))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ShipmentQuery {
    /// Only the shipments of this order.
    pub order_id: Option<i64>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Shipments with their packages and lines, newest first: a dealer's own, a manager's regions'.
#[utoipa::path(get, path = "/shipments", tag = "fulfilment", security(("bearer" = [])), params(ShipmentQuery),
    responses((status = 200, body = Page<Shipment>), (status = 403, body = Problem)))]
pub async fn list_shipments(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ShipmentQuery>,
) -> ApiResult<Page<Shipment>> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        fulfilment::queries::shipments(&state.db, &caller.signed_in.actor, query.order_id, page).await?,
    ))
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

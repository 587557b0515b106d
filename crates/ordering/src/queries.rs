//! Reading orders: lists for dealers and the order desk, and one order whole.

use chrono::{DateTime, NaiveDate, Utc};
use platform::{Actor, Currency, Db, Failure, Locale, Money, Page, PageRequest, Permission};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::OrderState;
use crate::store;
pub use crate::store::{OrderFilter, ORDER_SORT, REVIEW_QUEUE_SORT};

/// Minor units as a decimal text in the currency's own precision ("1250.50").
pub(crate) fn money_text(minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(currency) => Money::new(minor, currency).to_decimal_string(),
        Err(_) => minor.to_string(),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderSummary {
    pub id: i64,
    pub dealer_id: i64,
    pub dealer_code: String,
    pub dealer_name: String,
    pub dealer_order_number: String,
    pub state: OrderState,
    pub channel: String,
    pub currency: String,
    /// Net of promotions, without VAT.
    pub net_total: String,
    pub vat_total: String,
    pub gross_total: String,
    pub requested_delivery_on: NaiveDate,
    pub placed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub line_count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderLine {
    pub line_number: i64,
    pub product_id: i64,
    pub sku: String,
    pub gtin: String,
    pub name: String,
    pub unit: String,
    /// `regular`, `free` (goods given by a promotion) or `bundle_component`.
    pub kind: String,
    pub bundle_product_id: Option<i64>,
    pub quantity: i64,
    /// Set when the order desk confirmed the order.
    pub confirmed_quantity: Option<i64>,
    /// What has left the warehouse; confirmed less shipped is still to come.
    pub shipped_quantity: i64,
    pub unit_list_price: String,
    pub unit_net_price: String,
    pub line_total: String,
    pub vat_rate_bp: i64,
    /// The promotions that made the price, as the pricing engine explained them.
    #[schema(value_type = Vec<Object>)]
    pub promotions: Vec<serde_json::Value>,
    pub warehouse_code: String,
    pub sales_order_id: Option<i64>,
    pub delivery_on: NaiveDate,
    /// Why the order desk changed the line.
    pub change_reason: Option<String>,
}

/// One entry of an order's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderEventRecord {
    pub kind: String,
    pub from_state: Option<OrderState>,
    pub to_state: Option<OrderState>,
    pub note: Option<String>,
    pub user_name: String,
    pub at: DateTime<Utc>,
}

/// The part of a confirmed order that one warehouse ships for one sales organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SalesOrder {
    pub id: i64,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub warehouse_name: String,
    /// The selling entity, where the manufacturer has several.
    pub sales_organisation_code: Option<String>,
    pub sales_organisation_name: Option<String>,
    pub line_count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub summary: OrderSummary,
    pub allow_adjust: bool,
    pub comment: String,
    pub decision_reason: Option<String>,
    pub delivery_location_code: String,
    pub delivery_location_name: String,
    pub delivery_address: String,
    pub placed_by: Option<i64>,
    pub lines: Vec<OrderLine>,
    pub sales_orders: Vec<SalesOrder>,
    pub timeline: Vec<OrderEventRecord>,
}

/// Orders the actor may see: a dealer user its dealer's, internal users those of their regions.
pub async fn orders(
    db: &Db,
    actor: &Actor,
    filter: &OrderFilter,
    page: PageRequest,
) -> Result<Page<OrderSummary>, Failure> {
    actor.require(Permission::ViewOrders)?;
    Ok(store::list_orders(db, actor.tenant_id, &actor.scope, filter, false, page).await?)
}

/// The newest orders the actor may see that the filter selects, at most `limit`, and how many
/// it selects in all: a short list beside its count.
pub async fn latest_orders(
    db: &Db,
    actor: &Actor,
    filter: &OrderFilter,
    limit: u32,
) -> Result<Page<OrderSummary>, Failure> {
    actor.require(Permission::ViewOrders)?;
    Ok(store::latest_orders(db, actor.tenant_id, &actor.scope, filter, limit).await?)
}

/// The order desk's queue: orders awaiting a decision in the reviewer's regions, oldest first.
pub async fn review_queue(
    db: &Db,
    actor: &Actor,
    filter: &OrderFilter,
    page: PageRequest,
) -> Result<Page<OrderSummary>, Failure> {
    if !actor.can(Permission::ReviewOrders) {
        actor.require(Permission::ReleaseCreditHolds)?;
    }
    let mut filter = filter.clone();
    filter.states.retain(|state| state.awaits_review());
    if filter.states.is_empty() {
        filter.states = vec![OrderState::Submitted, OrderState::OnCreditHold];
    }
    Ok(store::list_orders(db, actor.tenant_id, &actor.scope, &filter, true, page).await?)
}

pub(crate) fn name_column(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "name_en",
        Locale::Ru => "name_ru",
        Locale::Zh => "name_zh",
    }
}

pub async fn order(db: &Db, actor: &Actor, locale: Locale, id: i64) -> Result<OrderDetail, Failure> {
    actor.require(Permission::ViewOrders)?;
    let (summary, row) = store::find_summary(db, actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound { entity: "order" })?;
    Ok(OrderDetail {
        allow_adjust: row.get("allow_adjust")?,
        comment: row.get("comment")?,
        decision_reason: row.get("decision_reason")?,
        delivery_location_code: row.get("location_code")?,
        delivery_location_name: row.get("location_name")?,
        delivery_address: row.get("location_address")?,
        placed_by: row.get("placed_by")?,
        lines: store::order_lines(db, id, name_column(locale)).await?,
        sales_orders: store::sales_orders(db, id).await?,
        timeline: store::order_events(db, id).await?,
        summary,
    })
}

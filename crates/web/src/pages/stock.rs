//! The stock page: on hand, reserved and available per product and warehouse, with the products
//! outside their safety stock or maximum flagged and listed on their own.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use fulfilment::domain::{StockLevel, Warehouse};
use platform::{Page, PageRequest};
use serde::{Deserialize, Serialize};

use super::{render, Layout};
use crate::error::WebError;
use crate::session::PageUser;
use crate::AppState;

#[derive(Deserialize, Serialize, Default)]
pub struct StockQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    warehouse_id: Option<i64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sku: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alerts: Option<bool>,
    #[serde(default, skip_serializing)]
    page: Option<u32>,
}

pub struct LevelRow {
    level: StockLevel,
    /// `below` the safety stock, `above` the maximum, or empty.
    alert: &'static str,
}

#[derive(Template)]
#[template(path = "fulfilment/stock.html")]
struct StockPage {
    layout: Layout,
    page: Page<LevelRow>,
    warehouses: Vec<Warehouse>,
    query: StockQuery,
    filter_query: String,
}

impl StockPage {
    fn chosen(&self, warehouse: &i64) -> bool {
        self.query.warehouse_id == Some(*warehouse)
    }
}

fn alert(level: &StockLevel) -> &'static str {
    if level.safety_stock.is_some_and(|safety| level.available < safety) {
        "below"
    } else if level.max_stock.is_some_and(|max| level.on_hand > max) {
        "above"
    } else {
        ""
    }
}

pub async fn stock_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<StockQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let warehouses = fulfilment::queries::warehouses(&state.db, actor).await?;
    let found = fulfilment::queries::stock_levels(
        &state.db,
        actor,
        query.warehouse_id,
        Some(query.sku.as_str()),
        query.alerts.unwrap_or(false),
        PageRequest::new(query.page, None),
    )
    .await?;
    let rows = found
        .items
        .into_iter()
        .map(|level| LevelRow {
            alert: alert(&level),
            level,
        })
        .collect();
    let view = StockPage {
        layout: Layout::new(&user, "/stock", "nav.stock"),
        page: Page::new(
            rows,
            found.total,
            PageRequest {
                page: found.page,
                per_page: found.per_page,
            },
        ),
        warehouses,
        filter_query: serde_html_form::to_string(&query).unwrap_or_default(),
        query,
    };
    render(&view)
}

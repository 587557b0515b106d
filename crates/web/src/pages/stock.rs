//! The stock page: on hand, reserved and available per product and warehouse, with the products
//! outside their safety stock or maximum flagged and listed on their own.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use fulfilment::domain::{StockLevel, Warehouse};
use platform::{Page, PageRequest};
use serde::Deserialize;

use super::{render, Layout};
use crate::api::StockQuery;
use crate::error::WebError;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::PageUser;
use crate::AppState;

/// The page's filters as the form sends them; an empty field means "any".
#[derive(Deserialize, Default)]
pub struct StockListQuery {
    #[serde(default)]
    warehouse_id: String,
    #[serde(default)]
    sku: String,
    #[serde(default)]
    alerts: Option<bool>,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
}

impl StockListQuery {
    fn query(&self) -> StockQuery {
        StockQuery {
            alerts: self.alerts.filter(|on| *on),
            warehouse_id: self.warehouse_id.trim().parse().ok(),
            sku: optional_text(&self.sku),
            sort: optional_text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
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
    query: StockListQuery,
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    filter_query: String,
}

impl StockPage {
    fn chosen(&self, warehouse: &i64) -> bool {
        self.query.warehouse_id.trim() == warehouse.to_string()
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
    Query(query): Query<StockListQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let warehouses = fulfilment::queries::warehouses(&state.db, actor).await?;
    let filter = query.query();
    let sort = filter.sort()?;
    let found = fulfilment::queries::stock_levels(
        &state.db,
        actor,
        filter.warehouse_id,
        filter.sku.as_deref(),
        filter.alerts.unwrap_or(false),
        sort,
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
    let links = ListLinks::new("/stock", &fulfilment::queries::STOCK_SORT, sort)
        .filter("warehouse_id", filter.warehouse_id)
        .filter("sku", filter.sku.as_deref())
        .flag("alerts", filter.alerts.unwrap_or(false));
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
        filter_query: links.page_query(),
        links,
        query,
    };
    render(&view)
}

/// The stock levels the page shows under the same filters and sort, every row, as XLSX.
pub async fn export_stock(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<StockListQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

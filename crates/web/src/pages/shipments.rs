//! Shipment pages: the warehouse ships a sales order from the order page, and both sides see the
//! shipments, their packages and lines, on the order and in one list.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use fulfilment::shipments::{Shipment, ShipmentInput, ShipmentLineInput};
use platform::{Failure, Page, PageRequest};
use serde::Deserialize;

use super::catalog::day;
use super::line_form::LineForm;
use super::{form_outcome, redirect_done, render, Layout};
use crate::api::ShipmentQuery;
use crate::error::WebError;
use crate::i18n::Translator;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

/// A shipment as the order page and the list show it.
pub struct ShipmentRow {
    pub id: i64,
    pub order_id: i64,
    pub order_number: String,
    pub dealer: String,
    pub number: String,
    pub shipped: String,
    pub warehouse: String,
    pub vehicle: String,
    pub arrival: String,
    pub packages: String,
    pub lines: Vec<String>,
    /// The lines the reader may still receive: (line, SKU, shipped).
    pub to_receive: Vec<(i64, String, i64)>,
    /// The lines the reader may ask to return, once received: (line, SKU, received).
    pub to_return: Vec<(i64, String, i64)>,
}

pub fn shipment_rows(t: &Translator, shipments: &[Shipment]) -> Vec<ShipmentRow> {
    shipments
        .iter()
        .map(|s| ShipmentRow {
            id: s.id,
            order_id: s.order_id,
            order_number: s.dealer_order_number.clone(),
            dealer: s.dealer_code.clone(),
            number: s.number.clone(),
            shipped: t.date_time(&s.shipped_at),
            warehouse: s.warehouse_code.clone(),
            vehicle: s.vehicle.clone(),
            arrival: s.planned_arrival_on.map(|d| day(t, d)).unwrap_or_default(),
            packages: s.packages.join(", "),
            lines: s
                .lines
                .iter()
                .map(|l| {
                    let lot = match (&l.batch, l.expiry_on) {
                        (Some(batch), Some(expiry)) => format!(" · {batch} · {}", day(t, expiry)),
                        (Some(batch), None) => format!(" · {batch}"),
                        _ => String::new(),
                    };
                    format!("#{} {} × {}{lot}", l.order_line_number, l.sku, t.number(l.quantity))
                })
                .collect(),
            to_receive: Vec::new(),
            to_return: Vec::new(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "fulfilment/shipments.html")]
struct ShipmentsPage {
    layout: Layout,
    page: Page<ShipmentRow>,
    query: ListQuery,
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    filter_query: String,
    errors: super::FormErrors,
}

impl ShipmentsPage {
    fn shipment_links(&self) -> Option<&ListLinks> {
        Some(&self.links)
    }

    /// The list has no receiving or return forms (the order page has), so nothing typed.
    fn typed(&self, _field: &str) -> &str {
        ""
    }

    fn typed_or(&self, _field: &str, usual: impl ToString) -> String {
        usual.to_string()
    }
}

/// Empty fields arrive as empty strings; they mean "any".
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    search: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
}

impl ListQuery {
    fn query(&self) -> ShipmentQuery {
        ShipmentQuery {
            search: optional_text(&self.search),
            sort: optional_text(&self.sort),
            page: self.page,
            ..ShipmentQuery::default()
        }
    }
}

pub async fn shipments_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let filter = query.query().filter()?;
    let found =
        fulfilment::queries::shipment_list(&state.db, user.actor(), &filter, PageRequest::new(query.page, None))
            .await?;
    let rows = shipment_rows(&user.t, &found.items);
    let links = ListLinks::new("/shipments", &fulfilment::queries::SHIPMENT_SORT, filter.sort)
        .filter("search", filter.search.as_deref());
    let view = ShipmentsPage {
        layout: Layout::new(&user, "/shipments", "nav.shipments"),
        page: Page::new(
            rows,
            found.total,
            PageRequest {
                page: found.page,
                per_page: found.per_page,
            },
        ),
        filter_query: links.page_query(),
        links,
        query,
        errors: super::FormErrors::none(),
    };
    render(&view)
}

/// The shipments the list shows under the same filters and sort, every row, as XLSX.
pub async fn export_shipments(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

pub async fn ship(
    State(state): State<AppState>,
    Path(sales_order_id): Path<i64>,
    PageForm { user, form: posted }: PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let form = LineForm::new(&posted, format!("ship_{sales_order_id}_"));
    let order_id = form.order_id()?;
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for n in form.lines("quantity") {
        let Some(quantity) = form.line_number("quantity", n, &mut errors).filter(|q| *q != 0) else {
            continue;
        };
        lines.push(ShipmentLineInput {
            line_number: n,
            quantity,
            sscc: None,
            batch: Some(form.line_value("batch", n).to_owned()).filter(|b| !b.is_empty()),
            expiry_on: NaiveDate::parse_from_str(form.line_value("expiry", n), "%Y-%m-%d").ok(),
        });
    }
    let input = ShipmentInput {
        packages: form.value("packages").split_whitespace().map(str::to_owned).collect(),
        vehicle: Some(form.value("vehicle").to_owned()).filter(|v| !v.is_empty()),
        planned_arrival_on: NaiveDate::parse_from_str(form.value("arrival"), "%Y-%m-%d").ok(),
        lines,
    };
    let result = if errors.is_empty() {
        ordering::shipping::ship(&state.db, &state.clock, user.actor(), sales_order_id, &input)
            .await
            .map_err(|failure| {
                form.errors(
                    failure,
                    |i| input.lines.get(i).map(|l| l.line_number),
                    |name| if name == "expiry_on" { "expiry" } else { name },
                    |field| match field {
                        "vehicle" => "vehicle",
                        "planned_arrival_on" => "arrival",
                        "lines" => "lines",
                        _ => "packages",
                    },
                )
            })
    } else {
        Err(Failure::Invalid(errors))
    };
    match form_outcome(&user.t, result.map_err(WebError))? {
        Ok(_) => Ok(redirect_done(&format!("/orders/{order_id}"), "shipped")),
        Err(errors) => super::ordering::order_response(&state, &user, order_id, None, errors, posted).await,
    }
}

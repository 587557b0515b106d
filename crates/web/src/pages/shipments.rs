//! Shipment pages: the warehouse ships a sales order from the order page, and both sides see the
//! shipments, their packages and lines, on the order and in one list.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use fulfilment::shipments::{Shipment, ShipmentInput, ShipmentLineInput};
use platform::{Failure, FieldError, Page, PageRequest};
use serde::Deserialize;

use super::catalog::day;
use super::{form_outcome, redirect_done, render, Layout};
use crate::error::WebError;
use crate::i18n::Translator;
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
    filter_query: String,
    errors: super::FormErrors,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<u32>,
}

pub async fn shipments_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let found =
        fulfilment::queries::shipments(&state.db, user.actor(), None, PageRequest::new(query.page, None)).await?;
    let rows = shipment_rows(&user.t, &found.items);
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
        filter_query: String::new(),
        errors: super::FormErrors::none(),
    };
    render(&view)
}

/// Ships from the order page's form of one sales order. Its fields carry the sales order's id,
/// since an order may show a form for each: `ship_<so>_quantity_<line>` and so on.
pub async fn ship(
    State(state): State<AppState>,
    Path(sales_order_id): Path<i64>,
    PageForm { user, form }: PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let order_id: i64 = form
        .get("order_id")
        .and_then(|id| id.trim().parse().ok())
        .ok_or(Failure::NotFound { entity: "order" })?;
    let prefix = format!("ship_{sales_order_id}_");
    let field = |name: &str| {
        form.get(&format!("{prefix}{name}"))
            .map(|v| v.trim())
            .unwrap_or_default()
    };
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    let mut numbers: Vec<i64> = form
        .keys()
        .filter_map(|key| key.strip_prefix(&format!("{prefix}quantity_"))?.parse().ok())
        .collect();
    numbers.sort_unstable();
    for n in numbers {
        let quantity = field(&format!("quantity_{n}"));
        if quantity.is_empty() || quantity == "0" {
            continue;
        }
        let Ok(quantity) = quantity.parse::<i64>() else {
            errors.push(FieldError::new(format!("{prefix}quantity_{n}"), "field.whole_number"));
            continue;
        };
        let expiry = field(&format!("expiry_{n}"));
        lines.push(ShipmentLineInput {
            line_number: n,
            quantity,
            sscc: None,
            batch: Some(field(&format!("batch_{n}")).to_owned()).filter(|b| !b.is_empty()),
            expiry_on: NaiveDate::parse_from_str(expiry, "%Y-%m-%d").ok(),
        });
    }
    let input = ShipmentInput {
        packages: field("packages").split_whitespace().map(str::to_owned).collect(),
        vehicle: Some(field("vehicle").to_owned()).filter(|v| !v.is_empty()),
        planned_arrival_on: NaiveDate::parse_from_str(field("arrival"), "%Y-%m-%d").ok(),
        lines,
    };
    let result = if errors.is_empty() {
        ordering::shipping::ship(&state.db, &state.clock, user.actor(), sales_order_id, &input)
            .await
            .map_err(|failure| form_fields(failure, &prefix, &input))
    } else {
        Err(Failure::Invalid(errors))
    };
    match form_outcome(&user.t, result.map_err(WebError))? {
        Ok(_) => Ok(redirect_done(&format!("/orders/{order_id}"), "shipped")),
        Err(errors) => super::ordering::order_response(&state, &user, order_id, None, errors).await,
    }
}

/// The command's `lines[i].batch`, `packages[0]`… as the form's own field names.
fn form_fields(failure: Failure, prefix: &str, input: &ShipmentInput) -> Failure {
    let Failure::Invalid(errors) = failure else {
        return failure;
    };
    let rename = |field: &str| -> String {
        if let Some((index, name)) = field.strip_prefix("lines[").and_then(|rest| rest.split_once("].")) {
            let line = index.parse::<usize>().ok().and_then(|i| input.lines.get(i));
            if let Some(line) = line {
                let name = if name == "expiry_on" { "expiry" } else { name };
                return format!("{prefix}{name}_{}", line.line_number);
            }
        }
        match field {
            "vehicle" => format!("{prefix}vehicle"),
            "planned_arrival_on" => format!("{prefix}arrival"),
            "lines" => format!("{prefix}lines"),
            _ => format!("{prefix}packages"),
        }
    };
    Failure::Invalid(
        errors
            .into_iter()
            .map(|error| FieldError {
                field: rename(&error.field),
                ..error
            })
            .collect(),
    )
}

//! Receiving pages: the dealer records what arrived of a shipment from the order page, and the
//! manufacturer finds the discrepancies to settle in one list and settles them.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use fulfilment::receipts::{Receipt, ReceiptInput, ReceiptLineInput};
use platform::{Failure, Page, PageRequest, Permission};
use serde::Deserialize;

use super::line_form::{all_under, LineForm};
use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::api::{ReceiptQuery, DISCREPANCY_FILTERS};
use crate::error::WebError;
use crate::i18n::Translator;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

/// A receipt as the order page and the discrepancy list show it.
pub struct ReceiptRow {
    pub id: i64,
    pub order_id: i64,
    pub order_number: String,
    pub dealer: String,
    pub shipment: String,
    pub received: String,
    pub who: String,
    pub note: String,
    pub discrepancy: String,
    pub open: bool,
    pub settlement: String,
    pub lines: Vec<String>,
}

pub fn receipt_rows(t: &Translator, receipts: &[Receipt]) -> Vec<ReceiptRow> {
    receipts
        .iter()
        .map(|r| ReceiptRow {
            id: r.id,
            order_id: r.order_id,
            order_number: r.dealer_order_number.clone(),
            dealer: r.dealer_code.clone(),
            shipment: r.shipment_number.clone(),
            received: t.date_time(&r.received_at),
            who: r.received_by_name.clone(),
            note: r.note.clone(),
            discrepancy: t.t(&format!("receipt.discrepancy_{}", r.discrepancy)).to_owned(),
            open: r.discrepancy == "open",
            settlement: super::decided_by(&r.settled_by_name, &r.settlement_note),
            lines: r
                .lines
                .iter()
                .map(|l| {
                    let mut text = format!(
                        "#{} {}: {} {} / {} {}",
                        l.order_line_number,
                        l.sku,
                        t.t("receipt.shipped"),
                        t.number(l.shipped_quantity),
                        t.t("receipt.received"),
                        t.number(l.received_quantity)
                    );
                    if l.rejected_quantity > 0 {
                        text.push_str(&format!(
                            ", {} {}",
                            t.t("receipt.rejected"),
                            t.number(l.rejected_quantity)
                        ));
                    }
                    if let Some(reason) = &l.reason {
                        text.push_str(&format!(" · {}", t.t(&format!("receipt.reason_{reason}"))));
                    }
                    text
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "fulfilment/discrepancies.html")]
struct DiscrepanciesPage {
    layout: Layout,
    page: Page<ReceiptRow>,
    query: ListQuery,
    states: [&'static str; 4],
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    filter_query: String,
    errors: FormErrors,
}

impl DiscrepanciesPage {
    fn receipt_links(&self) -> Option<&ListLinks> {
        Some(&self.links)
    }

    fn chosen_state(&self) -> &str {
        self.query.state()
    }
}

/// The list shows the discrepancies still to settle unless asked for others.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    discrepancy: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
    done: Option<String>,
}

impl ListQuery {
    fn state(&self) -> &str {
        match self.discrepancy.trim() {
            "" => "open",
            chosen => chosen,
        }
    }

    fn query(&self) -> ReceiptQuery {
        ReceiptQuery {
            discrepancy: Some(self.state().to_owned()),
            sort: Some(self.sort.trim().to_owned()).filter(|s| !s.is_empty()),
            page: self.page,
            ..ReceiptQuery::default()
        }
    }
}

pub async fn discrepancies_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    user.actor().require(Permission::ReviewOrders)?;
    let filter = query.query().filter()?;
    let found =
        fulfilment::queries::receipt_list(&state.db, user.actor(), &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/discrepancies", &fulfilment::queries::RECEIPT_SORT, filter.sort)
        // Only when asked for: without it the list shows those to settle.
        .filter("discrepancy", Some(query.discrepancy.trim()));
    let view = DiscrepanciesPage {
        layout: Layout::new(&user, "/discrepancies", "nav.discrepancies").with_notice(query.done.as_deref()),
        page: Page::new(
            receipt_rows(&user.t, &found.items),
            found.total,
            PageRequest {
                page: found.page,
                per_page: found.per_page,
            },
        ),
        filter_query: links.page_query(),
        links,
        query,
        states: DISCREPANCY_FILTERS,
        errors: FormErrors::none(),
    };
    render(&view)
}

/// The receipts the list shows under the same filters and sort, every row, as XLSX.
pub async fn export_discrepancies(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    user.actor().require(Permission::ReviewOrders)?;
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

/// Receives from the order page's form of one shipment: `receive_<shipment>_received_<line>`,
/// `…_rejected_<line>` and `…_reason_<line>`; what is taken in is what was received less what
/// was rejected.
pub async fn receive(
    State(state): State<AppState>,
    Path(shipment_id): Path<i64>,
    PageForm { user, form: posted }: PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let form = LineForm::new(&posted, format!("receive_{shipment_id}_"));
    let order_id = form.order_id()?;
    let mut errors = Vec::new();
    let lines: Vec<ReceiptLineInput> = form
        .lines("received")
        .into_iter()
        .map(|n| {
            let received = form.line_number("received", n, &mut errors).unwrap_or(0);
            let rejected = form.line_number("rejected", n, &mut errors).unwrap_or(0);
            ReceiptLineInput {
                line_number: n,
                received_quantity: received,
                accepted_quantity: received - rejected,
                rejected_quantity: rejected,
                reason: Some(form.line_value("reason", n).to_owned()).filter(|r| !r.is_empty()),
            }
        })
        .collect();
    let input = ReceiptInput {
        note: Some(form.value("note").to_owned()).filter(|n| !n.is_empty()),
        lines,
    };
    let result = if errors.is_empty() {
        ordering::receiving::receive(&state.db, &state.clock, user.actor(), shipment_id, &input)
            .await
            .map_err(|failure| {
                form.errors(
                    failure,
                    |i| input.lines.get(i).map(|l| l.line_number),
                    |name| match name {
                        "reason" => "reason",
                        "rejected_quantity" => "rejected",
                        _ => "received",
                    },
                    |_| "note",
                )
            })
    } else {
        Err(Failure::Invalid(errors))
    };
    match form_outcome(&user.t, result.map_err(WebError))? {
        Ok(_) => Ok(redirect_done(&format!("/orders/{order_id}"), "received")),
        Err(errors) => super::ordering::order_response(&state, &user, order_id, None, errors, posted).await,
    }
}

#[derive(Deserialize)]
pub struct SettleForm {
    #[serde(default)]
    note: String,
    order_id: i64,
    /// Present when the form is on the discrepancy list, to come back to it.
    #[serde(default)]
    from_list: Option<String>,
}

pub async fn settle(
    State(state): State<AppState>,
    Path(receipt_id): Path<i64>,
    PageForm { user, form }: PageForm<SettleForm>,
) -> Result<Response, WebError> {
    let result =
        ordering::receiving::settle_discrepancy(&state.db, &state.clock, user.actor(), receipt_id, Some(&form.note))
            .await
            .map_err(|failure| all_under(failure, format!("settle_{receipt_id}")));
    let back = match form.from_list {
        Some(_) => "/discrepancies".to_owned(),
        None => format!("/orders/{}", form.order_id),
    };
    match form_outcome(&user.t, result.map_err(WebError))? {
        Ok(()) => Ok(redirect_done(&back, "settled")),
        // The order page shows the settlement form with its error.
        Err(errors) => {
            super::ordering::order_response(&state, &user, form.order_id, None, errors, HashMap::new()).await
        }
    }
}

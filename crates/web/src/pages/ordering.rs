//! Ordering pages: the dealer's cart with quick entry and saved carts, order lists and the order
//! desk's queue, and one order with its lines, sales orders, timeline and the decisions the
//! viewer may take on it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use ordering::carts::{CartOrderInput, CartView};
use ordering::domain::{Channel, LineDecision, OrderState};
use ordering::queries::{OrderDetail, OrderFilter, OrderSummary};
use platform::{Failure, FieldError, Page, PageRequest, Permission};
use serde::Deserialize;

use super::catalog::{as_form_fields, currency, day, local_path, money, today};
use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::error::WebError;
use crate::i18n::Translator;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

fn amount(t: &Translator, text: &str, currency_code: &str) -> Result<String, WebError> {
    Ok(t.money(&money(text, currency(currency_code)?)?))
}

/// A state as the reader says it.
fn state_label(t: &Translator, state: OrderState) -> String {
    t.t(&format!("order_state.{}", state.code())).to_owned()
}

// ----- the cart -----

pub struct CartRow {
    product_id: i64,
    sku: String,
    name: String,
    /// The quantity in the cart, or what was typed when it was refused.
    quantity: String,
    rule: String,
    problem: Option<String>,
    /// Why placing the order refused this line (say, not enough stock).
    error: Option<String>,
}

pub struct PricedRow {
    sku: String,
    name: String,
    quantity: String,
    unit_price: String,
    total: String,
    note: String,
}

pub struct SavedRow {
    name: String,
    lines: String,
    updated: String,
}

/// The order header typed on the cart page.
#[derive(Deserialize, Default)]
pub struct OrderForm {
    #[serde(default)]
    dealer_order_number: String,
    #[serde(default)]
    delivery_location_id: String,
    #[serde(default)]
    requested_delivery_on: String,
    #[serde(default)]
    allow_adjust: String,
    #[serde(default)]
    comment: String,
    /// The button pressed: `draft` keeps the order as a draft.
    #[serde(default)]
    action: String,
}

#[derive(Template)]
#[template(path = "ordering/cart.html")]
struct CartPage {
    layout: Layout,
    rows: Vec<CartRow>,
    priced: Vec<PricedRow>,
    discounts: Vec<String>,
    net_total: Option<String>,
    vat_total: Option<String>,
    gross_total: Option<String>,
    saved: Vec<SavedRow>,
    locations: Vec<(i64, String)>,
    form: OrderForm,
    errors: FormErrors,
    entries: String,
    /// Why a product that is not in the cart could not be put in: there is no row to show it.
    refused_elsewhere: Option<String>,
    /// The name typed to save the cart under, when it was refused.
    cart_name: String,
    earliest: String,
}

impl CartPage {
    fn location_selected(&self, id: &i64) -> bool {
        self.form.delivery_location_id == id.to_string()
    }
}

/// What went wrong outside the order form, and what was typed there.
#[derive(Default)]
struct CartTrouble {
    errors: FormErrors,
    entries: String,
    /// A line's quantity that was refused: the product, and what was typed.
    refused_line: Option<(i64, String)>,
    cart_name: String,
}

/// The field of a cart row's quantity, where its errors show.
fn quantity_field(product_id: i64) -> String {
    format!("quantity_{product_id}")
}

async fn cart_response(
    state: &AppState,
    user: &PageUser,
    done: Option<&str>,
    form: OrderForm,
    trouble: CartTrouble,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let audience = identity::queries::dealer_audience(&state.db, actor, None).await?;
    let cart: CartView = ordering::carts::cart(&state.db, &state.clock, actor, &audience).await?;
    let t = &user.t;
    let code = cart.currency.clone();
    let errors = trouble.errors;
    let refused_line = trouble.refused_line;
    let rows: Vec<CartRow> = cart
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| CartRow {
            error: ["quantity", "product_id"]
                .iter()
                .find_map(|field| errors.get(&format!("lines[{index}].{field}")))
                .or_else(|| errors.get(&quantity_field(line.product_id)))
                .map(str::to_owned),
            product_id: line.product_id,
            sku: line.sku.clone(),
            name: line.name.clone(),
            quantity: match &refused_line {
                Some((product_id, typed)) if *product_id == line.product_id => typed.clone(),
                _ => line.quantity.to_string(),
            },
            rule: format!(
                "{} / {}",
                t.number(line.min_order_quantity),
                t.number(line.order_multiple)
            ),
            problem: line.problem.as_deref().map(|key| {
                t.t_with(
                    key,
                    &[
                        ("min", t.number(line.min_order_quantity)),
                        ("multiple", t.number(line.order_multiple)),
                    ],
                )
            }),
        })
        .collect();
    let mut priced = Vec::new();
    for line in &cart.priced {
        let mut notes: Vec<String> = line.promotions.iter().map(|p| p.promotion_code.clone()).collect();
        if line.free {
            notes.insert(0, t.t("cart.free_goods").to_owned());
        }
        if line.bundle_of.is_some() {
            notes.insert(0, t.t("cart.bundle_component").to_owned());
        }
        priced.push(PricedRow {
            sku: line.sku.clone(),
            name: line.name.clone(),
            quantity: t.number(line.quantity),
            unit_price: amount(t, &line.unit_net_price, &code)?,
            total: amount(t, &line.line_total, &code)?,
            note: notes.join(" · "),
        });
    }
    let mut discounts = Vec::new();
    for discount in &cart.order_discounts {
        discounts.push(format!(
            "{}: −{}",
            discount.promotion_code,
            amount(t, &discount.amount.to_decimal_string(), &code)?
        ));
    }
    let total = |text: &Option<String>| -> Result<Option<String>, WebError> {
        text.as_deref().map(|text| amount(t, text, &code)).transpose()
    };
    let dealer_id = audience.dealer_id;
    let locations = identity::queries::dealer(&state.db, actor, dealer_id)
        .await?
        .locations
        .into_iter()
        .map(|l| (l.id, format!("{} · {}", l.name, l.address)))
        .collect::<Vec<_>>();
    let refused_elsewhere = refused_line
        .filter(|(product_id, _)| !rows.iter().any(|row| row.product_id == *product_id))
        .and_then(|(product_id, _)| errors.get(&quantity_field(product_id)))
        .map(str::to_owned);
    let mut form = form;
    if form.delivery_location_id.is_empty() {
        form.delivery_location_id = locations.first().map(|(id, _)| id.to_string()).unwrap_or_default();
    }
    let view = CartPage {
        layout: Layout::new(user, "/cart", "nav.cart").with_notice(done),
        rows,
        priced,
        discounts,
        net_total: total(&cart.net_total)?,
        vat_total: total(&cart.vat_total)?,
        gross_total: total(&cart.gross_total)?,
        saved: cart
            .saved
            .iter()
            .map(|s| SavedRow {
                name: s.name.clone(),
                lines: t.number(s.line_count),
                updated: t.date_time(&s.updated_at),
            })
            .collect(),
        locations,
        form,
        errors,
        entries: trouble.entries,
        refused_elsewhere,
        cart_name: trouble.cart_name,
        earliest: today(state, user).to_string(),
    };
    render(&view)
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn cart_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let trouble = CartTrouble::default();
    cart_response(&state, &user, query.done.as_deref(), OrderForm::default(), trouble).await
}

/// The cart page again, with field errors of something other than the order form.
async fn cart_with_errors(state: &AppState, user: &PageUser, trouble: CartTrouble) -> Result<Response, WebError> {
    cart_response(state, user, None, OrderForm::default(), trouble).await
}

#[derive(Deserialize, Default)]
pub struct CartLineForm {
    #[serde(default)]
    product_id: i64,
    #[serde(default)]
    quantity: String,
    /// `on` adds to what the cart holds (from the catalog); otherwise the quantity replaces it.
    #[serde(default)]
    add: String,
    #[serde(default)]
    back: String,
}

/// Puts a product into the cart from the catalog, favorites or a product page, or changes its
/// quantity on the cart page; a wrong quantity is explained on the cart page.
pub async fn put_line(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<CartLineForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let audience = identity::queries::dealer_audience(&state.db, actor, None).await?;
    let add = form.add == "on";
    let result = match form.quantity.trim().parse::<i64>() {
        Ok(quantity) => ordering::carts::put_in_cart(
            &state.db,
            &state.clock,
            actor,
            &audience,
            form.product_id,
            quantity,
            add,
        )
        .await
        .map_err(WebError),
        Err(_) => Err(WebError(Failure::field("quantity", "field.whole_number"))),
    };
    match form_outcome(&user.t, result)? {
        Ok(()) => Ok(redirect_done(&local_path(&form.back, "/cart"), "cart_updated")),
        Err(errors) => {
            let sku = catalog::queries::line_facts(&state.db, actor, user.t.locale, &[form.product_id])
                .await?
                .remove(&form.product_id)
                .map(|f| f.sku)
                .unwrap_or_default();
            // The quantity's or the product's error goes next to the product's quantity.
            let field = quantity_field(form.product_id);
            let errors = FormErrors::from_fields(
                &user.t,
                &[FieldError::new("cart", "cart.line_refused").with("sku", sku)],
            )
            .merged(errors.renamed("product_id", &field).renamed("quantity", &field));
            let trouble = CartTrouble {
                errors,
                refused_line: Some((form.product_id, form.quantity.clone())),
                ..CartTrouble::default()
            };
            cart_with_errors(&state, &user, trouble).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct EntriesForm {
    #[serde(default)]
    entries: String,
}

pub async fn add_entries(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<EntriesForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let audience = identity::queries::dealer_audience(&state.db, actor, None).await?;
    let result = ordering::carts::add_entries(&state.db, &state.clock, actor, &audience, &form.entries)
        .await
        .map_err(WebError);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done("/cart", "cart_updated")),
        Err(errors) => {
            // Entry errors are named `entries[i]`: say which line of the box each is about.
            let lines: Vec<FieldError> = errors_by_entry(&errors);
            let trouble = CartTrouble {
                errors: FormErrors::from_fields(&user.t, &lines),
                entries: form.entries,
                ..CartTrouble::default()
            };
            cart_with_errors(&state, &user, trouble).await
        }
    }
}

/// `entries[3]` errors as one message for the box: "line 4: …".
fn errors_by_entry(errors: &FormErrors) -> Vec<FieldError> {
    errors
        .entries()
        .filter_map(|(field, message)| {
            let line: usize = field.strip_prefix("entries[")?.trim_end_matches(']').parse().ok()?;
            Some((line, message))
        })
        .map(|(line, message)| {
            FieldError::new("entries", "cart.entry_line")
                .with("line", line + 1)
                .with("message", message)
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct CartNameForm {
    #[serde(default)]
    name: String,
    /// `save`, `restore` or `delete`.
    #[serde(default)]
    action: String,
}

/// Saves the cart under a name, or restores or deletes a saved cart.
pub async fn saved_cart(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<CartNameForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let audience = identity::queries::dealer_audience(&state.db, actor, None).await?;
    let (result, done) = match form.action.as_str() {
        "restore" => (
            ordering::carts::restore_cart(&state.db, &state.clock, actor, &audience, &form.name).await,
            "cart_restored",
        ),
        "delete" => (
            ordering::carts::delete_saved_cart(&state.db, actor, &audience, &form.name).await,
            "cart_deleted",
        ),
        _ => (
            ordering::carts::save_cart(&state.db, &state.clock, actor, &audience, &form.name).await,
            "cart_saved",
        ),
    };
    match form_outcome(&user.t, result.map_err(WebError))? {
        Ok(()) => Ok(redirect_done("/cart", done)),
        // Only saving has a name field; restoring and deleting name a saved cart of the list.
        Err(errors) if !matches!(form.action.as_str(), "restore" | "delete") => {
            let trouble = CartTrouble {
                errors: errors.renamed("name", "cart_name"),
                cart_name: form.name,
                ..CartTrouble::default()
            };
            cart_with_errors(&state, &user, trouble).await
        }
        Err(errors) => {
            let trouble = CartTrouble {
                errors,
                ..CartTrouble::default()
            };
            cart_with_errors(&state, &user, trouble).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct EmptyForm {}

pub async fn clear_cart(
    State(state): State<AppState>,
    PageForm { user, .. }: PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let audience = identity::queries::dealer_audience(&state.db, actor, None).await?;
    ordering::carts::clear_cart(&state.db, &state.clock, actor, &audience).await?;
    Ok(redirect_done("/cart", "cart_cleared"))
}

pub async fn order_cart(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<OrderForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let audience = identity::queries::dealer_audience(&state.db, actor, None).await?;
    let mut errors = Vec::new();
    let location = form.delivery_location_id.trim().parse::<i64>().unwrap_or_else(|_| {
        errors.push(FieldError::new("delivery_location_id", "field.required"));
        0
    });
    let date = NaiveDate::parse_from_str(form.requested_delivery_on.trim(), "%Y-%m-%d").unwrap_or_else(|_| {
        errors.push(FieldError::new("requested_delivery_on", "field.date"));
        NaiveDate::MIN
    });
    let result = if errors.is_empty() {
        let input = CartOrderInput {
            dealer_order_number: form.dealer_order_number.clone(),
            delivery_location_id: location,
            requested_delivery_on: date,
            allow_adjust: form.allow_adjust == "on",
            comment: Some(form.comment.clone()),
            draft: form.action == "draft",
        };
        ordering::carts::order_cart(&state.db, &state.clock, actor, &audience, &input, Channel::Portal)
            .await
            .map_err(WebError)
    } else {
        Err(WebError(Failure::Invalid(errors)))
    };
    match form_outcome(&user.t, result)? {
        Ok(placed) if placed.state == OrderState::Draft => {
            Ok(redirect_done(&format!("/orders/{}", placed.order_id), "draft_saved"))
        }
        Ok(placed) => Ok(redirect_done(&format!("/orders/{}", placed.order_id), "order_placed")),
        Err(errors) => {
            let trouble = CartTrouble {
                errors,
                ..CartTrouble::default()
            };
            cart_response(&state, &user, None, form, trouble).await
        }
    }
}

// ----- order lists -----

#[derive(Deserialize, Default)]
pub struct OrdersQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    search: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
    done: Option<String>,
}

impl OrdersQuery {
    fn filter(&self) -> Result<OrderFilter, WebError> {
        let date = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        Ok(OrderFilter {
            states: OrderState::parse(&self.state).into_iter().collect(),
            dealer_id: None,
            search: Some(self.search.clone()).filter(|s| !s.trim().is_empty()),
            placed_from: date(&self.from),
            placed_to: date(&self.to),
            sort: ordering::queries::ORDER_SORT.parse(Some(&self.sort))?,
        })
    }

    /// The same selection as the API's query, for exports: a state or date the page ignores
    /// is left out here too, so the export holds the page's rows.
    fn api_query(&self) -> crate::api::OrderQuery {
        let date = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        let text = |text: &str| Some(text.to_owned()).filter(|t| !t.trim().is_empty());
        crate::api::OrderQuery {
            state: OrderState::parse(&self.state).map(|state| state.code().to_owned()),
            dealer_id: None,
            search: text(&self.search),
            from: date(&self.from),
            to: date(&self.to),
            sort: text(&self.sort),
            page: None,
            per_page: None,
        }
    }

    fn links(&self, path: &str, queue: bool, filter: &OrderFilter) -> ListLinks {
        let columns = if queue {
            &ordering::queries::REVIEW_QUEUE_SORT
        } else {
            &ordering::queries::ORDER_SORT
        };
        ListLinks::new(path, columns, filter.sort)
            .filter("search", Some(self.search.trim()))
            .filter("state", Some(self.state.trim()))
            .filter("from", Some(self.from.trim()))
            .filter("to", Some(self.to.trim()))
    }
}

pub struct OrderRow {
    id: i64,
    number: String,
    dealer: String,
    state: String,
    state_code: &'static str,
    placed: String,
    delivery: String,
    lines: String,
    total: String,
}

pub struct StateChoice {
    code: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "ordering/orders.html")]
struct OrdersPage {
    layout: Layout,
    page: Page<OrderRow>,
    query: OrdersQuery,
    filter_query: String,
    links: ListLinks,
    states: Vec<StateChoice>,
    show_dealer: bool,
    /// A dealer's user who may order may also upload a spreadsheet of orders.
    may_upload: bool,
}

fn order_row(t: &Translator, order: OrderSummary) -> Result<OrderRow, WebError> {
    Ok(OrderRow {
        id: order.id,
        number: order.dealer_order_number,
        dealer: format!("{} · {}", order.dealer_code, order.dealer_name),
        state: state_label(t, order.state),
        state_code: order.state.code(),
        placed: t.date_time(&order.placed_at),
        delivery: day(t, order.requested_delivery_on),
        lines: t.number(order.line_count),
        total: amount(t, &order.gross_total, &order.currency)?,
    })
}

async fn orders_response(
    state: &AppState,
    user: &PageUser,
    query: OrdersQuery,
    queue: bool,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let page_request = PageRequest::new(query.page, None);
    let filter = query.filter()?;
    let orders = if queue {
        ordering::queries::review_queue(&state.db, actor, &filter, page_request).await?
    } else {
        ordering::queries::orders(&state.db, actor, &filter, page_request).await?
    };
    let rows = orders
        .items
        .into_iter()
        .map(|order| order_row(&user.t, order))
        .collect::<Result<_, _>>()?;
    let (path, title) = if queue {
        ("/order-desk", "nav.order_desk")
    } else {
        ("/orders", "nav.orders")
    };
    let links = query.links(path, queue, &filter);
    let states = OrderState::ALL
        .into_iter()
        .filter(|s| !queue || s.awaits_review())
        .map(|s| StateChoice {
            code: s.code(),
            label: state_label(&user.t, s),
        })
        .collect();
    let view = OrdersPage {
        layout: Layout::new(user, path, title).with_notice(query.done.as_deref()),
        page: Page::new(
            rows,
            orders.total,
            PageRequest {
                page: orders.page,
                per_page: orders.per_page,
            },
        ),
        filter_query: links.page_query(),
        links,
        query,
        states,
        show_dealer: !actor.is_dealer_user(),
        may_upload: actor.is_dealer_user() && actor.can(Permission::PlaceOrders),
    };
    render(&view)
}

pub async fn orders_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<OrdersQuery>,
) -> Result<Response, WebError> {
    orders_response(&state, &user, query, false).await
}

pub async fn order_desk_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<OrdersQuery>,
) -> Result<Response, WebError> {
    orders_response(&state, &user, query, true).await
}

pub async fn export_orders(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<OrdersQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.api_query())
            .await?
            .for_page(),
    )
}

pub async fn export_order_desk(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<OrdersQuery>,
) -> Result<Response, WebError> {
    let desk = crate::exports::OrderDeskExport(query.api_query());
    Ok(crate::exports::export_list(&state, user.actor(), &user.t, &desk)
        .await?
        .for_page())
}

// ----- one order -----

pub struct LineRow {
    line_number: i64,
    sku: String,
    name: String,
    kind: String,
    quantity: i64,
    confirmed: String,
    shipped: String,
    /// Confirmed and not yet shipped.
    to_come: String,
    unit_price: String,
    total: String,
    warehouse: String,
    delivery: String,
    delivery_iso: String,
    reason: String,
    promotions: String,
}

pub struct EventRow {
    at: String,
    who: String,
    what: String,
    note: String,
    /// The EDI message's interchange, for those who may see the EDI monitor.
    link: Option<String>,
}

pub struct SalesOrderRow {
    id: i64,
    warehouse: String,
    /// The sales organisation's name, where the manufacturer has several.
    seller: String,
    lines: String,
    /// What the warehouse may still ship of it, when the reader ships.
    to_ship: Vec<ShipLine>,
}

pub struct ShipLine {
    line_number: i64,
    sku: String,
    name: String,
    open: i64,
}

#[derive(Template)]
#[template(path = "ordering/order.html")]
struct OrderPage {
    layout: Layout,
    order: OrderDetail,
    state: String,
    placed: String,
    delivery: String,
    net: String,
    vat: String,
    gross: String,
    lines: Vec<LineRow>,
    sales_orders: Vec<SalesOrderRow>,
    shipments: Vec<super::shipments::ShipmentRow>,
    receipts: Vec<super::receipts::ReceiptRow>,
    may_settle: bool,
    settle_from_list: bool,
    timeline: Vec<EventRow>,
    can_review: bool,
    can_undo: bool,
    /// A dealer's draft, to submit.
    can_submit: bool,
    can_cancel: bool,
    can_decide_credit: bool,
    can_reorder: bool,
    cancel_needs_reason: bool,
    errors: FormErrors,
    /// What was typed into the form that came back with errors, by field name, to show again.
    typed: HashMap<String, String>,
    earliest: String,
    changes: Vec<ChangeView>,
    /// A new change request may be proposed, and whether with prices (the manufacturer's side).
    can_propose: bool,
    propose_prices: bool,
    /// The open request's id, if the reader decides on it or may withdraw it.
    decide_change: Option<i64>,
    withdraw_change: Option<i64>,
}

impl OrderPage {
    /// The order's shipments are not sorted by their headers: there are few of them.
    fn shipment_links(&self) -> Option<&crate::lists::ListLinks> {
        None
    }

    /// Nor are its receipts.
    fn receipt_links(&self) -> Option<&crate::lists::ListLinks> {
        None
    }

    /// The reason column is there while the order is reviewed, or once a line has a reason.
    fn shows_reasons(&self) -> bool {
        self.can_review || self.lines.iter().any(|line| !line.reason.is_empty())
    }

    /// What was typed into `field` of the form that came back, or nothing.
    fn typed(&self, field: &str) -> &str {
        self.typed.get(field).map(String::as_str).unwrap_or_default()
    }

    /// What was typed into `field` of the form that came back, or the field's usual value.
    fn typed_or(&self, field: &str, usual: impl ToString) -> String {
        self.typed.get(field).cloned().unwrap_or_else(|| usual.to_string())
    }
}

pub struct ChangeView {
    who: String,
    at: String,
    reason: String,
    state: String,
    lines: Vec<String>,
    decision: String,
}

/// The order page; after a refused form, with its `errors` and what was `typed` into it.
pub(super) async fn order_response(
    state: &AppState,
    user: &PageUser,
    id: i64,
    done: Option<&str>,
    errors: FormErrors,
    typed: HashMap<String, String>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let t = &user.t;
    let order = ordering::queries::order(&state.db, actor, t.locale, id).await?;
    let code = order.summary.currency.clone();
    let mut lines = Vec::with_capacity(order.lines.len());
    for line in &order.lines {
        lines.push(LineRow {
            line_number: line.line_number,
            sku: line.sku.clone(),
            name: line.name.clone(),
            kind: t.t(&format!("order_line.{}", line.kind)).to_owned(),
            quantity: line.quantity,
            confirmed: line.confirmed_quantity.map(|q| t.number(q)).unwrap_or_default(),
            shipped: t.number(line.shipped_quantity),
            to_come: line
                .confirmed_quantity
                .map(|q| t.number(q - line.shipped_quantity))
                .unwrap_or_default(),
            unit_price: amount(t, &line.unit_net_price, &code)?,
            total: amount(t, &line.line_total, &code)?,
            warehouse: line.warehouse_code.clone(),
            delivery: day(t, line.delivery_on),
            delivery_iso: line.delivery_on.to_string(),
            reason: line.change_reason.clone().unwrap_or_default(),
            promotions: line
                .promotions
                .iter()
                .filter_map(|p| p["promotion_code"].as_str())
                .collect::<Vec<_>>()
                .join(" · "),
        });
    }
    let mut timeline: Vec<(chrono::DateTime<chrono::Utc>, EventRow)> = order
        .timeline
        .iter()
        .map(|event| {
            let row = EventRow {
                at: t.date_time(&event.at),
                who: event.user_name.clone(),
                what: match event.to_state {
                    Some(to) if event.kind != "placed" => format!(
                        "{} → {}",
                        t.t(&format!("order_event.{}", event.kind)),
                        state_label(t, to)
                    ),
                    Some(to) => format!("{} · {}", t.t("order_event.placed"), state_label(t, to)),
                    None => t.t(&format!("order_event.{}", event.kind)).to_owned(),
                },
                note: event.note.clone().unwrap_or_default(),
                link: None,
            };
            (event.at, row)
        })
        .collect();
    // Its EDI messages belong to its story too, in the order they came and went.
    let may_see_edi = actor.can(Permission::ViewEdi);
    for message in edi::queries::messages_of_order(&state.db, actor, id).await? {
        let row = EventRow {
            at: t.date_time(&message.created_at),
            who: "EDI".to_owned(),
            what: format!(
                "{} {} · {}",
                message.message_type,
                message.document_number.clone().unwrap_or_default(),
                t.t(&format!("edi_message_status.{}", message.status))
            ),
            note: message.notes.join(" "),
            link: may_see_edi.then(|| format!("/edi/interchanges/{}", message.interchange_id)),
        };
        timeline.push((message.created_at, row));
    }
    timeline.sort_by_key(|(at, _)| *at);
    let timeline: Vec<EventRow> = timeline.into_iter().map(|(_, row)| row).collect();
    let state_now = order.summary.state;
    let may_ship =
        actor.can(Permission::ShipOrders) && state_now.after(ordering::domain::OrderEvent::ShipPartially).is_some();
    let sales_orders = order
        .sales_orders
        .iter()
        .map(|s| SalesOrderRow {
            id: s.id,
            warehouse: format!("{} · {}", s.warehouse_code, s.warehouse_name),
            seller: s.sales_organisation_name.clone().unwrap_or_default(),
            lines: t.number(s.line_count),
            to_ship: order
                .lines
                .iter()
                .filter(|l| may_ship && l.sales_order_id == Some(s.id))
                .filter_map(|l| {
                    let open = l.confirmed_quantity? - l.shipped_quantity;
                    (open > 0).then(|| ShipLine {
                        line_number: l.line_number,
                        sku: l.sku.clone(),
                        name: l.name.clone(),
                        open,
                    })
                })
                .collect(),
        })
        .collect();
    let all = PageRequest::new(Some(1), Some(platform::page::MAX_PER_PAGE));
    let shipped = fulfilment::queries::shipments(&state.db, actor, Some(id), all)
        .await?
        .items;
    let receipts = fulfilment::queries::receipts(&state.db, actor, Some(id), false, all)
        .await?
        .items;
    let mut shipments = super::shipments::shipment_rows(t, &shipped);
    if actor.is_dealer_user() && actor.can(Permission::ReceiveGoods) {
        for (row, shipment) in shipments.iter_mut().zip(&shipped) {
            match receipts.iter().find(|r| r.shipment_id == shipment.id) {
                None => {
                    row.to_receive = shipment
                        .lines
                        .iter()
                        .map(|l| (l.order_line_number, l.sku.clone(), l.quantity))
                        .collect();
                }
                Some(receipt) => {
                    row.to_return = receipt
                        .lines
                        .iter()
                        .filter(|l| l.received_quantity > 0)
                        .map(|l| (l.order_line_number, l.sku.clone(), l.received_quantity))
                        .collect();
                }
            }
        }
    }
    let receipts = super::receipts::receipt_rows(t, &receipts);
    let dealer_user = actor.is_dealer_user();
    let requests = ordering::changes::change_requests(&state.db, actor, id).await?;
    let my_side = if dealer_user { "dealer" } else { "manufacturer" };
    let may_change = if dealer_user {
        actor.can(Permission::PlaceOrders)
    } else {
        actor.can(Permission::ReviewOrders)
    };
    let open = requests.iter().find(|r| r.state == "open");
    let changeable = matches!(state_now, OrderState::Confirmed | OrderState::PartiallyConfirmed);
    let mut changes = Vec::with_capacity(requests.len());
    for request in &requests {
        let lines = request
            .lines
            .iter()
            .map(|line| {
                let mut parts = Vec::new();
                // "was → asked", or only what is asked where the old value was not kept.
                let change = |old: Option<String>, new: String| match old {
                    Some(old) => format!("{old} → {new}"),
                    None => new,
                };
                if let Some(quantity) = line.new_quantity {
                    let old = line.old_quantity.map(|q| t.number(q));
                    parts.push(format!("{} {}", t.t("cart.quantity"), change(old, t.number(quantity))));
                }
                if let Some(price) = &line.new_unit_price {
                    let old = line
                        .old_unit_price
                        .as_deref()
                        .map(|p| amount(t, p, &code))
                        .transpose()?;
                    parts.push(format!(
                        "{} {}",
                        t.t("catalog.price"),
                        change(old, amount(t, price, &code)?)
                    ));
                }
                if let Some(date) = line.new_delivery_on {
                    let old = line.old_delivery_on.map(|d| day(t, d));
                    parts.push(format!("{} {}", t.t("order.delivery_on"), change(old, day(t, date))));
                }
                Ok(format!("#{}: {}", line.line_number, parts.join(", ")))
            })
            .collect::<Result<_, WebError>>()?;
        changes.push(ChangeView {
            who: format!(
                "{} ({})",
                request.raised_by_name,
                t.t(&format!("change.side_{}", request.raised_by_side))
            ),
            at: t.date_time(&request.created_at),
            reason: request.reason.clone(),
            state: t.t(&format!("change.state_{}", request.state)).to_owned(),
            lines,
            decision: super::decided_by(&request.decided_by_name, &request.decision_reason),
        });
    }
    let view = OrderPage {
        layout: Layout::new(user, "/orders", "order.title").with_notice(done),
        state: state_label(t, state_now),
        placed: t.date_time(&order.summary.placed_at),
        delivery: day(t, order.summary.requested_delivery_on),
        net: amount(t, &order.summary.net_total, &code)?,
        vat: amount(t, &order.summary.vat_total, &code)?,
        gross: amount(t, &order.summary.gross_total, &code)?,
        lines,
        sales_orders,
        shipments,
        receipts,
        may_settle: actor.can(Permission::ReviewOrders),
        settle_from_list: false,
        timeline,
        can_review: actor.can(Permission::ReviewOrders) && state_now == OrderState::Submitted,
        can_undo: actor.can(Permission::ReviewOrders) && state_now == OrderState::Rejected,
        can_submit: dealer_user && actor.can(Permission::PlaceOrders) && state_now == OrderState::Draft,
        can_cancel: if dealer_user {
            actor.can(Permission::PlaceOrders) && (state_now.awaits_review() || state_now == OrderState::Draft)
        } else {
            actor.can(Permission::ReviewOrders) && state_now.after(ordering::domain::OrderEvent::Cancel).is_some()
        },
        can_decide_credit: actor.can(Permission::ReleaseCreditHolds) && state_now == OrderState::OnCreditHold,
        can_reorder: dealer_user && actor.can(Permission::PlaceOrders),
        cancel_needs_reason: !dealer_user,
        errors,
        typed,
        earliest: today(state, user).to_string(),
        changes,
        can_propose: may_change && changeable && open.is_none(),
        propose_prices: !dealer_user,
        decide_change: open.filter(|r| may_change && r.raised_by_side != my_side).map(|r| r.id),
        withdraw_change: open
            .filter(|r| r.raised_by.is_some() && r.raised_by == actor.user_id.map(platform::UserId::get))
            .map(|r| r.id),
        order,
    };
    render(&view)
}

pub async fn order_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    order_response(
        &state,
        &user,
        id,
        query.done.as_deref(),
        FormErrors::none(),
        HashMap::new(),
    )
    .await
}

/// After a decision: back to the order, or the order again with the errors next to the fields
/// and what was `typed` in them.
async fn decided(
    state: &AppState,
    user: &PageUser,
    id: i64,
    result: Result<OrderState, Failure>,
    done: &str,
    typed: HashMap<String, String>,
) -> Result<Response, WebError> {
    match form_outcome(&user.t, result.map_err(WebError))? {
        Ok(_) => Ok(redirect_done(&format!("/orders/{id}"), done)),
        Err(errors) => order_response(state, user, id, None, errors, typed).await,
    }
}

/// After a decision with a reason. The order page has several forms with a reason field, and
/// the commands all name it `reason`: its error and what was typed go to the posted form's own
/// field, `field`, and to no other form.
async fn decided_with_reason(
    state: &AppState,
    user: &PageUser,
    id: i64,
    result: Result<OrderState, Failure>,
    done: &str,
    (field, reason): (&str, &str),
) -> Result<Response, WebError> {
    let result = result.map_err(|failure| as_form_fields(failure, &[("reason", field)]));
    let typed = HashMap::from([(field.to_owned(), reason.to_owned())]);
    decided(state, user, id, result, done, typed).await
}

/// The confirmation form: `quantity_<line>`, `delivery_<line>` and `reason_<line>` per line.
pub async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let order = ordering::queries::order(&state.db, actor, user.t.locale, id).await?;
    let mut decisions = Vec::new();
    let mut errors = Vec::new();
    for line in &order.lines {
        let n = line.line_number;
        let quantity = form.get(&format!("quantity_{n}")).map(|q| q.trim()).unwrap_or_default();
        let confirmed = if quantity.is_empty() {
            line.quantity
        } else {
            match quantity.parse::<i64>() {
                Ok(q) => q,
                Err(_) => {
                    errors.push(FieldError::new(format!("quantity_{n}"), "field.whole_number"));
                    continue;
                }
            }
        };
        let delivery_on = form
            .get(&format!("delivery_{n}"))
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
            .filter(|d| *d != line.delivery_on);
        let reason = form
            .get(&format!("reason_{n}"))
            .cloned()
            .filter(|r| !r.trim().is_empty());
        if confirmed != line.quantity || delivery_on.is_some() || reason.is_some() {
            decisions.push(LineDecision {
                line_number: n,
                confirmed_quantity: confirmed,
                delivery_on,
                reason,
            });
        }
    }
    let result = if errors.is_empty() {
        ordering::commands::confirm_order(&state.db, &state.clock, actor, id, &decisions)
            .await
            .map_err(|failure| rename_decision_fields(failure, &decisions))
    } else {
        Err(Failure::Invalid(errors))
    };
    decided(&state, &user, id, result, "order_confirmed", form).await
}

/// `lines[i].reason` of the command as `reason_<line number>` of the form.
fn rename_decision_fields(failure: Failure, decisions: &[LineDecision]) -> Failure {
    let Failure::Invalid(errors) = failure else {
        return failure;
    };
    Failure::Invalid(
        errors
            .into_iter()
            .map(|mut error| {
                let parsed = error
                    .field
                    .strip_prefix("lines[")
                    .and_then(|rest| rest.split_once("]."));
                if let Some((index, name)) = parsed {
                    if let Some(decision) = index.parse::<usize>().ok().and_then(|i| decisions.get(i)) {
                        let name = match name {
                            "confirmed_quantity" => "quantity",
                            "delivery_on" => "delivery",
                            other => other,
                        };
                        error.field = format!("{name}_{}", decision.line_number);
                    }
                }
                error
            })
            .collect(),
    )
}

#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
    /// For finance's decision: `release` or `refuse`.
    #[serde(default)]
    decision: String,
}

impl ReasonForm {
    fn reason(&self) -> Option<&str> {
        Some(self.reason.trim()).filter(|r| !r.is_empty())
    }
}

pub async fn reject(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<ReasonForm>,
) -> Result<Response, WebError> {
    let result = ordering::commands::reject_order(&state.db, &state.clock, user.actor(), id, form.reason()).await;
    let reason = ("reject_reason", form.reason.as_str());
    decided_with_reason(&state, &user, id, result, "order_rejected", reason).await
}

pub async fn undo_rejection(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, .. }: PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    let result = ordering::commands::undo_rejection(&state.db, &state.clock, user.actor(), id).await;
    decided(&state, &user, id, result, "order_reopened", HashMap::new()).await
}

pub async fn submit_draft(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, .. }: PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let audience = identity::queries::dealer_audience(&state.db, actor, None).await?;
    let result = ordering::commands::submit_draft(&state.db, &state.clock, actor, &audience, id)
        .await
        .map(|placed| placed.state);
    decided(&state, &user, id, result, "order_placed", HashMap::new()).await
}

pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<ReasonForm>,
) -> Result<Response, WebError> {
    let result = ordering::commands::cancel_order(&state.db, &state.clock, user.actor(), id, form.reason()).await;
    let reason = ("cancel_reason", form.reason.as_str());
    decided_with_reason(&state, &user, id, result, "order_cancelled", reason).await
}

pub async fn decide_credit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<ReasonForm>,
) -> Result<Response, WebError> {
    let release = form.decision == "release";
    let result =
        ordering::commands::decide_credit_hold(&state.db, &state.clock, user.actor(), id, release, form.reason()).await;
    let reason = ("credit_reason", form.reason.as_str());
    decided_with_reason(&state, &user, id, result, "credit_decided", reason).await
}

pub async fn reorder(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, .. }: PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let audience = identity::queries::dealer_audience(&state.db, actor, None).await?;
    ordering::carts::reorder(&state.db, &state.clock, actor, &audience, id).await?;
    Ok(redirect_done("/cart", "cart_updated"))
}

// ----- the order execution report -----

#[derive(Deserialize, Default)]
pub struct ExecutionForm {
    #[serde(default)]
    view: String,
    /// The dealer as links name it.
    #[serde(default)]
    dealer_id: String,
    /// The dealer as the filter's field takes it.
    #[serde(default)]
    dealer_code: String,
    #[serde(default)]
    region_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
}

impl ExecutionForm {
    fn filter(&self) -> Result<ordering::report::ReportFilter, WebError> {
        self.api_query().filter()
    }

    /// The same report as the API asks for it. The page reads its fields leniently: one it
    /// cannot read (a mistyped date, an unknown state) is left out rather than refused.
    fn api_query(&self) -> crate::api::ExecutionQuery {
        let date = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        crate::api::ExecutionQuery {
            view: Some(self.view.trim().to_owned()).filter(|view| !view.is_empty()),
            dealer_id: self.dealer_id.trim().parse().ok(),
            region_id: self.region_id.trim().parse().ok(),
            from: date(&self.from),
            to: date(&self.to),
            state: OrderState::parse(&self.state).map(|state| state.code().to_owned()),
            sort: Some(self.sort.trim().to_owned()).filter(|sort| !sort.is_empty()),
            page: None,
            per_page: None,
        }
    }

    fn links(&self, filter: &ordering::report::ReportFilter) -> ListLinks {
        ListLinks::new(
            "/reports/order-execution",
            &ordering::report::EXECUTION_SORT,
            filter.sort,
        )
        .filter("view", Some(self.view.trim()))
        .filter("dealer_id", Some(self.dealer_id.trim()))
        .filter("region_id", Some(self.region_id.trim()))
        .filter("state", Some(self.state.trim()))
        .filter("from", Some(self.from.trim()))
        .filter("to", Some(self.to.trim()))
    }

    fn per_line(&self) -> bool {
        self.view == "lines"
    }
}

pub struct ExecutionRowView {
    row: ordering::report::ExecutionRow,
    state: String,
    placed: String,
    ordered: String,
    confirmed: String,
    invoiced: String,
    paid: String,
}

#[derive(Template)]
#[template(path = "ordering/execution.html")]
struct ExecutionPage {
    layout: Layout,
    page: Page<ExecutionRowView>,
    query: ExecutionForm,
    filter_query: String,
    links: ListLinks,
    states: Vec<StateChoice>,
    dealer: super::dealers::DealerField,
    regions: Vec<(i64, String)>,
    per_line: bool,
}

impl ExecutionPage {
    fn region_selected(&self, id: &i64) -> bool {
        self.query.region_id == id.to_string()
    }
}

pub async fn execution_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(mut query): Query<ExecutionForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let t = &user.t;
    let dealer = super::dealers::DealerField::read(&state, &user, &query.dealer_code, &query.dealer_id).await?;
    query.dealer_id = dealer.filter_id().map(|id| id.to_string()).unwrap_or_default();
    let filter = query.filter()?;
    let links = query.links(&filter);
    let report = ordering::report::order_execution(
        &state.db,
        actor,
        &filter,
        query.per_line(),
        PageRequest::new(query.page, None),
    )
    .await?;
    let mut rows = Vec::with_capacity(report.items.len());
    for row in report.items {
        rows.push(ExecutionRowView {
            state: state_label(t, row.state),
            placed: t.date_time(&row.placed_at),
            ordered: amount(t, &row.ordered_amount, &row.currency)?,
            confirmed: amount(t, &row.confirmed_amount, &row.currency)?,
            invoiced: amount(t, &row.invoiced_amount, &row.currency)?,
            paid: amount(t, &row.paid_amount, &row.currency)?,
            row,
        });
    }
    let regions = if actor.can(Permission::ViewRegions) && !actor.is_dealer_user() {
        identity::queries::regions(&state.db, actor)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.id.get(),
                    format!(
                        "{}{}",
                        "\u{a0}\u{a0}".repeat(usize::try_from(r.depth).unwrap_or(0)),
                        r.name
                    ),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let view = ExecutionPage {
        layout: Layout::new(&user, "/reports/order-execution", "nav.order_execution"),
        page: Page::new(
            rows,
            report.total,
            PageRequest {
                page: report.page,
                per_page: report.per_page,
            },
        ),
        filter_query: links.page_query(),
        links,
        per_line: query.per_line(),
        states: OrderState::ALL
            .into_iter()
            .map(|s| StateChoice {
                code: s.code(),
                label: state_label(t, s),
            })
            .collect(),
        dealer,
        regions,
        query,
    };
    render(&view)
}

pub async fn export_execution(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ExecutionForm>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_execution(&state, user.actor(), &user.t, query.api_query())
            .await?
            .for_page(),
    )
}

// ----- change requests -----

/// The change form: `quantity_<line>`, `price_<line>`, `date_<line>` and a reason.
pub async fn propose_change(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let order = ordering::queries::order(&state.db, actor, user.t.locale, id).await?;
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for line in &order.lines {
        let n = line.line_number;
        let field = |name: &str| {
            form.get(&format!("{name}_{n}"))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        let quantity = match field("change_quantity").map(str::parse::<i64>) {
            Some(Ok(q)) => Some(q),
            Some(Err(_)) => {
                errors.push(FieldError::new(format!("change_quantity_{n}"), "field.whole_number"));
                None
            }
            None => None,
        };
        let delivery_on = match field("change_date").map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d")) {
            Some(Ok(d)) => Some(d),
            Some(Err(_)) => {
                errors.push(FieldError::new(format!("change_date_{n}"), "field.date"));
                None
            }
            None => None,
        };
        let unit_price = field("change_price").map(str::to_owned);
        if quantity.is_some() || delivery_on.is_some() || unit_price.is_some() {
            lines.push(ordering::changes::ChangeLineInput {
                line_number: n,
                quantity,
                unit_price,
                delivery_on,
            });
        }
    }
    let result = if errors.is_empty() {
        let input = ordering::changes::ChangeRequestInput {
            reason: form.get("change_reason").cloned().unwrap_or_default(),
            lines: lines.clone(),
        };
        ordering::changes::raise_change_request(&state.db, &state.clock, actor, id, &input)
            .await
            .map(|_| OrderState::Confirmed)
            .map_err(|failure| rename_change_fields(failure, &lines))
    } else {
        Err(Failure::Invalid(errors))
    };
    decided(&state, &user, id, result, "change_requested", form).await
}

/// `lines[i].quantity` of the command as `change_quantity_<line number>` of the form.
fn rename_change_fields(failure: Failure, lines: &[ordering::changes::ChangeLineInput]) -> Failure {
    let Failure::Invalid(errors) = failure else {
        return failure;
    };
    Failure::Invalid(
        errors
            .into_iter()
            .map(|mut error| {
                if error.field == "reason" {
                    error.field = "change_reason".to_owned();
                }
                let parsed = error
                    .field
                    .strip_prefix("lines[")
                    .and_then(|rest| rest.split_once("]."));
                if let Some((index, name)) = parsed {
                    if let Some(line) = index.parse::<usize>().ok().and_then(|i| lines.get(i)) {
                        let name = match name {
                            "quantity" => "change_quantity",
                            "unit_price" => "change_price",
                            "delivery_on" => "change_date",
                            _ => "change_lines",
                        };
                        error.field = format!("{name}_{}", line.line_number);
                    }
                }
                if error.field == "lines" {
                    error.field = "change_lines".to_owned();
                }
                error
            })
            .collect(),
    )
}

#[derive(Deserialize, Default)]
pub struct ChangeDecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    order_id: i64,
}

pub async fn decide_change(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<ChangeDecisionForm>,
) -> Result<Response, WebError> {
    let reason = Some(form.reason.trim()).filter(|r| !r.is_empty());
    let result = ordering::changes::decide_change_request(
        &state.db,
        &state.clock,
        user.actor(),
        id,
        form.decision == "approve",
        reason,
    )
    .await
    .map(|_| OrderState::Confirmed);
    let reason = ("change_decision_reason", form.reason.as_str());
    decided_with_reason(&state, &user, form.order_id, result, "change_decided", reason).await
}

pub async fn withdraw_change(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<ChangeDecisionForm>,
) -> Result<Response, WebError> {
    ordering::changes::withdraw_change_request(&state.db, &state.clock, user.actor(), id).await?;
    Ok(redirect_done(&format!("/orders/{}", form.order_id), "change_withdrawn"))
}

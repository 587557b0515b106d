//! The order execution report: per order or per line, what was ordered, confirmed, shipped,
//! received, invoiced and paid, in quantities and amounts, within the reader's data scope.

use chrono::{DateTime, NaiveDate, Utc};
use platform::{Actor, Db, DbError, Failure, Page, PageRequest, Permission, Query, Row};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::OrderState;
use crate::queries::money_text;

/// Which orders the report covers.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub dealer_id: Option<i64>,
    /// A region and everything under it.
    pub region_id: Option<i64>,
    pub placed_from: Option<NaiveDate>,
    pub placed_to: Option<NaiveDate>,
    pub state: Option<OrderState>,
}

/// One row: an order with its lines summed, or one line. Amounts are decimal texts in the
/// order's currency, net of VAT.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExecutionRow {
    pub order_id: i64,
    pub dealer_order_number: String,
    pub dealer_code: String,
    pub state: OrderState,
    pub placed_at: DateTime<Utc>,
    pub currency: String,
    /// For the per-line view.
    pub line_number: Option<i64>,
    pub sku: Option<String>,
    pub ordered_quantity: i64,
    pub confirmed_quantity: i64,
    pub shipped_quantity: i64,
    pub received_quantity: i64,
    pub invoiced_quantity: i64,
    pub ordered_amount: String,
    /// The ordered amount for the confirmed quantity, rounded half up per line.
    pub confirmed_amount: String,
    pub invoiced_amount: String,
    pub paid_amount: String,
}

/// Line sums by the quantities confirmed: a line's net total × confirmed ÷ ordered, half up.
const LINE_COLUMNS: &str = "l.quantity AS ordered_quantity, COALESCE(l.confirmed_quantity, 0) AS confirmed_quantity, \
     l.shipped_quantity, l.received_quantity, l.invoiced_quantity, l.line_total_minor AS ordered_minor, \
     (l.line_total_minor * COALESCE(l.confirmed_quantity, 0) * 2 + l.quantity) / (2 * l.quantity) AS confirmed_minor, \
     l.invoiced_amount_minor AS invoiced_minor, l.paid_amount_minor AS paid_minor";

const ORDER_COLUMNS: &str = "CAST(SUM(l.quantity) AS BIGINT) AS ordered_quantity, \
     CAST(SUM(COALESCE(l.confirmed_quantity, 0)) AS BIGINT) AS confirmed_quantity, \
     CAST(SUM(l.shipped_quantity) AS BIGINT) AS shipped_quantity, CAST(SUM(l.received_quantity) AS BIGINT) AS received_quantity, \
     CAST(SUM(l.invoiced_quantity) AS BIGINT) AS invoiced_quantity, CAST(SUM(l.line_total_minor) AS BIGINT) AS ordered_minor, \
     CAST(SUM((l.line_total_minor * COALESCE(l.confirmed_quantity, 0) * 2 + l.quantity) / (2 * l.quantity)) AS BIGINT) AS confirmed_minor, \
     CAST(SUM(l.invoiced_amount_minor) AS BIGINT) AS invoiced_minor, CAST(SUM(l.paid_amount_minor) AS BIGINT) AS paid_minor";

fn condition(actor: &Actor, filter: &ReportFilter) -> Query {
    let mut condition = Query::new(" WHERE o.tenant_id = $1").bind(actor.tenant_id);
    crate::store::restrict_orders(&actor.scope, &mut condition);
    if let Some(dealer) = filter.dealer_id {
        condition.push(" AND o.dealer_id = ").push_bind(dealer);
    }
    if let Some(region) = filter.region_id {
        condition
            .push(" AND d.region_id IN (SELECT descendant_id FROM region_closure WHERE ancestor_id = ")
            .push_bind(region)
            .push(")");
    }
    if let Some(from) = filter.placed_from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        condition.push(" AND o.placed_at >= ").push_bind(from.and_utc());
    }
    if let Some(to) = filter
        .placed_to
        .and_then(|d| d.succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        condition.push(" AND o.placed_at < ").push_bind(to.and_utc());
    }
    if let Some(state) = filter.state {
        condition.push(" AND o.state = ").push_bind(state.code());
    }
    condition
}

fn read_row(row: &Row, per_line: bool) -> Result<ExecutionRow, DbError> {
    let currency: String = row.get("currency")?;
    let money = |column: &str| -> Result<String, DbError> { Ok(money_text(row.get(column)?, &currency)) };
    Ok(ExecutionRow {
        order_id: row.get("order_id")?,
        dealer_order_number: row.get("dealer_order_number")?,
        dealer_code: row.get("dealer_code")?,
        state: OrderState::parse(&row.get::<String>("state")?).unwrap_or(OrderState::Submitted),
        placed_at: row.get("placed_at")?,
        line_number: if per_line { Some(row.get("line_number")?) } else { None },
        sku: if per_line { Some(row.get("sku")?) } else { None },
        ordered_quantity: row.get("ordered_quantity")?,
        confirmed_quantity: row.get("confirmed_quantity")?,
        shipped_quantity: row.get("shipped_quantity")?,
        received_quantity: row.get("received_quantity")?,
        invoiced_quantity: row.get("invoiced_quantity")?,
        ordered_amount: money("ordered_minor")?,
        confirmed_amount: money("confirmed_minor")?,
        invoiced_amount: money("invoiced_minor")?,
        paid_amount: money("paid_minor")?,
        currency,
    })
}

/// One page of the report, counted: per order (`per_line` false) or per line, newest first.
pub async fn order_execution(
    db: &Db,
    actor: &Actor,
    filter: &ReportFilter,
    per_line: bool,
    page: PageRequest,
) -> Result<Page<ExecutionRow>, Failure> {
    actor.require(Permission::ViewOrders)?;
    let from = "orders o JOIN dealers d ON d.id = o.dealer_id JOIN order_lines l ON l.order_id = o.id";
    let head = "o.id AS order_id, o.dealer_order_number, d.code AS dealer_code, o.state, o.placed_at, o.currency";
    let mut rows = condition(actor, filter);
    if per_line {
        let select = format!(
            "SELECT {head}, l.line_number, p.sku, {LINE_COLUMNS} FROM {from} JOIN products p ON p.id = l.product_id"
        );
        let order_by = "o.placed_at DESC, o.id DESC, l.line_number";
        return Ok(platform::db::fetch_page(db, from, &select, rows, order_by, page, |row| read_row(row, true)).await?);
    }
    // One row per order: its lines summed. Counting grouped rows needs them in a sub-select.
    rows.push(" GROUP BY o.id, o.dealer_order_number, d.code, o.state, o.placed_at, o.currency");
    let mut count = rows.clone();
    count.prepend(&format!("SELECT COUNT(*) AS total FROM (SELECT o.id FROM {from}"));
    count.push(") AS grouped");
    let total: i64 = db.fetch_one(&count).await?.get("total")?;
    rows.prepend(&format!("SELECT {head}, {ORDER_COLUMNS} FROM {from}"));
    rows.push(" ORDER BY o.placed_at DESC, o.id DESC LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let items = db
        .fetch_all(&rows)
        .await?
        .iter()
        .map(|row| read_row(row, false))
        .collect::<Result<_, _>>()?;
    Ok(Page::new(items, total, page))
}

//! Reports on orders, within the reader's data scope: the order execution report (per order or
//! per line, what was ordered, confirmed, shipped, received, invoiced and paid), and the figures
//! of the manufacturer's dashboard (orders and their net value per month, by region, dealer and
//! product, and how long orders have waited for the order desk).

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use platform::{Actor, Currency, Db, DbError, Failure, Locale, Money, Page, PageRequest, Permission, Query, Row};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::OrderState;
use crate::queries::{money_text, name_column};

/// Which orders the report covers.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub dealer_id: Option<i64>,
    /// A region and everything under it.
    pub region_id: Option<i64>,
    pub placed_from: Option<NaiveDate>,
    pub placed_to: Option<NaiveDate>,
    pub state: Option<OrderState>,
    /// Parsed with [`EXECUTION_SORT`].
    pub sort: platform::Sort,
}

/// The report's sortable columns (amounts by their summed or per-line values); per line, rows
/// of one order stay in line order.
pub const EXECUTION_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("number", "o.dealer_order_number"),
        platform::SortColumn::new("dealer", "d.code"),
        platform::SortColumn::new("state", "o.state"),
        platform::SortColumn::new("placed_at", "o.placed_at"),
        platform::SortColumn::new("ordered_amount", "ordered_minor"),
        platform::SortColumn::new("confirmed_amount", "confirmed_minor"),
        platform::SortColumn::new("invoiced_amount", "invoiced_minor"),
        platform::SortColumn::new("paid_amount", "paid_minor"),
    ],
    default: "-placed_at",
    tiebreaker: "o.id",
};

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
    let mut condition = Query::new(" WHERE o.tenant_id = $1")
        .bind(actor.tenant_id)
        .planned_per_run();
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
        let order_by = format!("{}, l.line_number", EXECUTION_SORT.order_by(filter.sort));
        return Ok(
            platform::db::fetch_page(db, from, &select, rows, &order_by, page, |row| read_row(row, true)).await?,
        );
    }
    // One row per order: its lines summed. Counting grouped rows needs them in a sub-select.
    rows.push(" GROUP BY o.id, o.dealer_order_number, d.code, o.state, o.placed_at, o.currency");
    let mut count = rows.clone();
    count.prepend(&format!("SELECT COUNT(*) AS total FROM (SELECT o.id FROM {from}"));
    count.push(") AS grouped");
    let total: i64 = db.fetch_one(&count).await?.get("total")?;
    rows.prepend(&format!("SELECT {head}, {ORDER_COLUMNS} FROM {from}"));
    rows.push(&format!(" ORDER BY {} LIMIT ", EXECUTION_SORT.order_by(filter.sort)))
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

// ---- The manufacturer's dashboard ----

/// Whole months in the tenant's time zone, oldest first, the last the one `now` falls in: the
/// period the dashboard charts. Orders fall into months by the instants the months begin, so
/// grouping needs no time zone support from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesPeriod {
    /// The first day of each month.
    pub months: Vec<NaiveDate>,
    /// The instant each month begins, and after them the instant the period ends.
    bounds: Vec<DateTime<Utc>>,
}

impl SalesPeriod {
    /// The `count` months up to and including the current one (at least one).
    pub fn months_to(now: DateTime<Utc>, time_zone: Tz, count: u32) -> SalesPeriod {
        let today = now.with_timezone(&time_zone).date_naive();
        let current = today - TimeDelta::days(i64::from(today.day0()));
        let months: Vec<NaiveDate> = (0..count.max(1))
            .rev()
            .filter_map(|back| current.checked_sub_months(Months::new(back)))
            .collect();
        let end = current.checked_add_months(Months::new(1)).unwrap_or(current);
        let bounds = months
            .iter()
            .chain(std::iter::once(&end))
            .map(|day| start_of_day(time_zone, *day))
            .collect();
        SalesPeriod { months, bounds }
    }

    fn start(&self) -> Option<DateTime<Utc>> {
        self.bounds.first().copied()
    }

    fn end(&self) -> Option<DateTime<Utc>> {
        self.bounds.last().copied()
    }
}

/// The first instant of a day in a time zone. Where a clock change skips midnight, the day
/// begins an hour later.
fn start_of_day(time_zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    time_zone
        .from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            time_zone
                .from_local_datetime(&(midnight + TimeDelta::hours(1)))
                .earliest()
        })
        .map_or_else(|| midnight.and_utc(), |at| at.with_timezone(&Utc))
}

/// Orders of one month in one currency: how many, and their net value (net of promotions,
/// without VAT) as ordered, in that currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlySales {
    pub month: NaiveDate,
    pub orders: i64,
    pub net: Money,
}

/// A region, dealer or product with the orders and net value it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedSales {
    pub code: String,
    pub name: String,
    /// Orders for a region or dealer; units ordered for a product.
    pub count: i64,
    pub net: Money,
}

/// How long an order has waited for the order desk's decision since it was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitingAge {
    UnderOneDay,
    OneToThreeDays,
    ThreeToSevenDays,
    OverSevenDays,
}

impl WaitingAge {
    pub const ALL: [WaitingAge; 4] = [
        WaitingAge::UnderOneDay,
        WaitingAge::OneToThreeDays,
        WaitingAge::ThreeToSevenDays,
        WaitingAge::OverSevenDays,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WaitingAge::UnderOneDay => "under_1_day",
            WaitingAge::OneToThreeDays => "1_to_3_days",
            WaitingAge::ThreeToSevenDays => "3_to_7_days",
            WaitingAge::OverSevenDays => "over_7_days",
        }
    }

    /// The days an order must have waited at least to be this old.
    fn least_days(self) -> i64 {
        match self {
            WaitingAge::UnderOneDay => 0,
            WaitingAge::OneToThreeDays => 1,
            WaitingAge::ThreeToSevenDays => 3,
            WaitingAge::OverSevenDays => 7,
        }
    }
}

/// The orders a dashboard counts: placed in the period and neither rejected nor cancelled (nor
/// drafts, which are the dealer's own), of dealers in the actor's scope; in one currency when
/// given, since amounts in different currencies never add up.
fn push_sales_condition(query: &mut Query, actor: &Actor, period: &SalesPeriod, currency: Option<Currency>) {
    query.push(" WHERE o.tenant_id = ").push_bind(actor.tenant_id);
    crate::store::restrict_orders(&actor.scope, query);
    query.push(" AND o.state NOT IN ('draft', 'rejected', 'cancelled') AND o.placed_at >= ");
    query
        .push_bind(period.start())
        .push(" AND o.placed_at < ")
        .push_bind(period.end());
    if let Some(currency) = currency {
        query.push(" AND o.currency = ").push_bind(currency.code());
    }
}

fn money_of(row: &Row, column: &str, currency: Currency) -> Result<Money, DbError> {
    Ok(Money::new(row.get(column)?, currency))
}

/// Orders and their net value per month of the period, per currency: each currency apart, and
/// only the months and currencies that have orders.
pub async fn sales_by_month(db: &Db, actor: &Actor, period: &SalesPeriod) -> Result<Vec<MonthlySales>, Failure> {
    actor.require(Permission::ViewDashboard)?;
    // Each month ends where the next begins; the period's end closes the last.
    let mut query = Query::new("SELECT CAST(CASE").planned_per_run();
    for (index, end) in period.bounds.iter().skip(1).enumerate() {
        query.push(" WHEN o.placed_at < ").push_bind(*end);
        query.push(&format!(" THEN {index}"));
    }
    query.push(
        " END AS BIGINT) AS month_index, o.currency, COUNT(*) AS orders, CAST(SUM(o.net_total_minor) AS BIGINT) AS net_minor \
         FROM orders o",
    );
    push_sales_condition(&mut query, actor, period, None);
    query.push(" GROUP BY month_index, o.currency ORDER BY month_index, o.currency");
    let mut found = Vec::new();
    for row in db.fetch_all(&query).await? {
        let currency: Currency = row.get("currency")?;
        let index = usize::try_from(row.get::<i64>("month_index")?).unwrap_or_default();
        let Some(month) = period.months.get(index) else {
            continue;
        };
        found.push(MonthlySales {
            month: *month,
            orders: row.get("orders")?,
            net: money_of(&row, "net_minor", currency)?,
        });
    }
    Ok(found)
}

/// What to rank orders of the period by, and which rows to read for it.
enum Ranking {
    Region,
    Dealer,
    Product(Locale),
}

async fn ranked_sales(
    db: &Db,
    actor: &Actor,
    ranking: Ranking,
    period: &SalesPeriod,
    currency: Currency,
    limit: u32,
) -> Result<Vec<RankedSales>, Failure> {
    actor.require(Permission::ViewDashboard)?;
    let (select, group_by) = match ranking {
        Ranking::Region => (
            "SELECT r.code AS ranked_code, r.name AS ranked_name, COUNT(*) AS counted, CAST(SUM(o.net_total_minor) AS BIGINT) AS net_minor \
             FROM orders o JOIN dealers d ON d.id = o.dealer_id JOIN regions r ON r.id = d.region_id"
                .to_owned(),
            " GROUP BY r.id, r.code, r.name".to_owned(),
        ),
        Ranking::Dealer => (
            "SELECT d.code AS ranked_code, d.legal_name AS ranked_name, COUNT(*) AS counted, CAST(SUM(o.net_total_minor) AS BIGINT) AS net_minor \
             FROM orders o JOIN dealers d ON d.id = o.dealer_id"
                .to_owned(),
            " GROUP BY d.id, d.code, d.legal_name".to_owned(),
        ),
        // Lines are read only of the orders of the period, through their order.
        Ranking::Product(locale) => {
            let name = name_column(locale);
            (
                format!(
                    "SELECT p.sku AS ranked_code, p.{name} AS ranked_name, CAST(SUM(l.quantity) AS BIGINT) AS counted, \
                     CAST(SUM(l.line_total_minor) AS BIGINT) AS net_minor \
                     FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.id = l.product_id"
                ),
                format!(" GROUP BY p.id, p.sku, p.{name}"),
            )
        }
    };
    let mut query = Query::new(select).planned_per_run();
    push_sales_condition(&mut query, actor, period, Some(currency));
    query.push(&group_by);
    query
        .push(" ORDER BY net_minor DESC, counted DESC, ranked_code LIMIT ")
        .push_bind(limit);
    db.fetch_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok(RankedSales {
                code: row.get("ranked_code")?,
                name: row.get("ranked_name")?,
                count: row.get("counted")?,
                net: money_of(row, "net_minor", currency)?,
            })
        })
        .collect::<Result<_, DbError>>()
        .map_err(Failure::from)
}

/// The regions (the dealers' own) with the highest net value of orders of the period in the
/// currency, at most `limit`.
pub async fn sales_by_region(
    db: &Db,
    actor: &Actor,
    period: &SalesPeriod,
    currency: Currency,
    limit: u32,
) -> Result<Vec<RankedSales>, Failure> {
    ranked_sales(db, actor, Ranking::Region, period, currency, limit).await
}

/// The dealers with the highest net value of orders of the period in the currency, at most
/// `limit`.
pub async fn sales_by_dealer(
    db: &Db,
    actor: &Actor,
    period: &SalesPeriod,
    currency: Currency,
    limit: u32,
) -> Result<Vec<RankedSales>, Failure> {
    ranked_sales(db, actor, Ranking::Dealer, period, currency, limit).await
}

/// The products with the highest net value ordered in the period in the currency, with the
/// units ordered, named in the reader's language, at most `limit`. Line totals are net of
/// line promotions; discounts on a whole order are not spread over its products.
pub async fn top_products(
    db: &Db,
    actor: &Actor,
    locale: Locale,
    period: &SalesPeriod,
    currency: Currency,
    limit: u32,
) -> Result<Vec<RankedSales>, Failure> {
    ranked_sales(db, actor, Ranking::Product(locale), period, currency, limit).await
}

/// How many orders of the actor's scope wait for the order desk (submitted or on credit hold),
/// by how long they have waited at `now`: every age, oldest last.
pub async fn waiting_orders_by_age(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<(WaitingAge, i64)>, Failure> {
    actor.require(Permission::ViewDashboard)?;
    let mut query = Query::new("SELECT CAST(CASE").planned_per_run();
    for (index, age) in WaitingAge::ALL.iter().enumerate().skip(1).rev() {
        query
            .push(" WHEN o.placed_at <= ")
            .push_bind(now - TimeDelta::days(age.least_days()));
        query.push(&format!(" THEN {index}"));
    }
    query.push(" ELSE 0 END AS BIGINT) AS age_index, COUNT(*) AS orders FROM orders o WHERE o.tenant_id = ");
    query.push_bind(actor.tenant_id);
    crate::store::restrict_orders(&actor.scope, &mut query);
    query.push(" AND o.state IN ");
    query.push_bind_list([OrderState::Submitted.code(), OrderState::OnCreditHold.code()]);
    query.push(" GROUP BY age_index");
    let mut counts: Vec<(WaitingAge, i64)> = WaitingAge::ALL.iter().map(|age| (*age, 0)).collect();
    for row in db.fetch_all(&query).await? {
        let index = usize::try_from(row.get::<i64>("age_index")?).unwrap_or_default();
        if let Some((_, count)) = counts.get_mut(index) {
            *count = row.get("orders")?;
        }
    }
    Ok(counts)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_period_is_whole_months_of_the_tenants_time_zone_ending_with_the_current_one() {
        // 23:30 on 31 December in UTC is already 1 January in Moscow.
        let period = SalesPeriod::months_to(at("2026-12-31T23:30:00Z"), chrono_tz::Europe::Moscow, 12);
        assert_eq!(period.months.len(), 12);
        assert_eq!(period.months.first(), Some(&day("2026-02-01")));
        assert_eq!(period.months.last(), Some(&day("2027-01-01")));
        assert_eq!(period.start(), Some(at("2026-01-31T21:00:00Z")), "Moscow midnight");
        assert_eq!(period.end(), Some(at("2027-01-31T21:00:00Z")));
        assert_eq!(period.bounds.len(), 13);
    }

    #[test]
    fn months_begin_at_local_midnight_whatever_the_clocks_did() {
        // Berlin is on summer time in April and on winter time in November.
        let period = SalesPeriod::months_to(at("2026-11-15T12:00:00Z"), chrono_tz::Europe::Berlin, 8);
        assert_eq!(period.months.first(), Some(&day("2026-04-01")));
        assert_eq!(period.start(), Some(at("2026-03-31T22:00:00Z")));
        assert_eq!(period.end(), Some(at("2026-11-30T23:00:00Z")));
    }

    #[test]
    fn a_day_whose_midnight_the_clocks_skip_begins_an_hour_later() {
        // Santiago de Chile moved its clocks from midnight to 01:00 (UTC−3) on 12 August 2018.
        let start = start_of_day(chrono_tz::America::Santiago, day("2018-08-12"));
        assert_eq!(start, at("2018-08-12T04:00:00Z"));
    }

    #[test]
    fn a_period_has_at_least_one_month() {
        let period = SalesPeriod::months_to(at("2026-11-15T12:00:00Z"), chrono_tz::UTC, 0);
        assert_eq!(period.months, vec![day("2026-11-01")]);
    }

    #[test]
    fn waiting_ages_start_where_the_previous_one_ends() {
        let starts: Vec<i64> = WaitingAge::ALL.iter().map(|age| age.least_days()).collect();
        assert_eq!(starts, vec![0, 1, 3, 7]);
    }
}

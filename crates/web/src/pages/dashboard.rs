//! The manufacturer's dashboard: orders and their net value per month over the last year, the
//! regions, dealers and products they come from, and how long orders have waited for the order
//! desk, as charts drawn by the server, of the dealers in the reader's scope.
//!
//! Amounts in different currencies never add up: the charts show one currency at a time, the
//! tenant's unless the reader picks another, and name the other currencies that have orders.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use ordering::report::{self, RankedSales, SalesPeriod};
use platform::{Currency, Money, Permission};
use serde::Deserialize;

use super::catalog::currency;
use super::{render, Layout};
use crate::charts::{self, Captions, Chart, Datum};
use crate::error::WebError;
use crate::i18n::Translator;
use crate::session::PageUser;
use crate::AppState;

/// The months the dashboard looks back over, the current one included.
const MONTHS: u32 = 12;
/// How many regions, dealers and products the rankings show.
const TOP: u32 = 10;

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    currency: String,
}

/// Another currency with orders in the period, to chart instead.
pub struct OtherCurrency {
    code: &'static str,
    orders: String,
}

#[derive(Template)]
#[template(path = "ordering/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    currency: &'static str,
    period: String,
    others: Vec<OtherCurrency>,
    charts: Vec<Chart>,
    /// The order desk's queue, for those who work it.
    show_queue: bool,
}

/// A month as axis and table write it: "Nov" with the year under January, "Nov 2026".
fn month_names(t: &Translator, month: NaiveDate) -> (String, String) {
    let short = t.t(&format!("month.{}", month.month())).to_owned();
    let full = t.t_with(
        "dashboard.month_year",
        &[("month", short.clone()), ("year", month.year().to_string())],
    );
    (short, full)
}

/// Money charts tick in whole units of the currency.
fn whole_units(currency: Currency) -> i64 {
    10_i64.pow(currency.minor_units())
}

fn ranking(t: &Translator, found: &[RankedSales], name: impl Fn(&RankedSales) -> String) -> Vec<Datum> {
    found
        .iter()
        .map(|row| Datum::new(name(row), row.net.minor(), t.money(&row.net)))
        .collect()
}

pub async fn dashboard_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    actor.require(Permission::ViewDashboard)?;
    let t = &user.t;
    let now = state.clock.now();
    let period = SalesPeriod::months_to(now, t.time_zone, MONTHS);
    let tenant_currency = currency(&user.tenant.currency)?;
    let shown = Currency::parse(&query.currency).unwrap_or(tenant_currency);
    let monthly = report::sales_by_month(&state.db, actor, &period).await?;
    let regions = report::sales_by_region(&state.db, actor, &period, shown, TOP).await?;
    let dealers = report::sales_by_dealer(&state.db, actor, &period, shown, TOP).await?;
    let products = report::top_products(&state.db, actor, t.locale, &period, shown, TOP).await?;
    let waiting = report::waiting_orders_by_age(&state.db, actor, now).await?;

    let mut others: Vec<(Currency, i64)> = Vec::new();
    for month in monthly.iter().filter(|month| month.net.currency() != shown) {
        let code = month.net.currency();
        match others.iter_mut().find(|(other, _)| *other == code) {
            Some((_, orders)) => *orders += month.orders,
            None => others.push((code, month.orders)),
        }
    }
    others.sort();
    let mut values = Vec::new();
    let mut counts = Vec::new();
    for (index, first) in period.months.iter().enumerate() {
        let (short, full) = month_names(t, *first);
        let year = if index == 0 || first.month() == 1 {
            first.year().to_string()
        } else {
            String::new()
        };
        let (orders, net) = monthly
            .iter()
            .find(|month| month.net.currency() == shown && month.month == *first)
            .map_or((0, Money::zero(shown)), |month| (month.orders, month.net));
        values.push(Datum::new(full.clone(), net.minor(), t.money(&net)).labelled(short.clone(), year.clone()));
        counts.push(Datum::new(full, orders, t.number(orders)).labelled(short, year));
    }
    let (from, to) = match (period.months.first(), period.months.last()) {
        (Some(from), Some(to)) => (month_names(t, *from).1, month_names(t, *to).1),
        _ => (String::new(), String::new()),
    };
    let span = [
        ("from", from.clone()),
        ("to", to.clone()),
        ("currency", shown.code().to_owned()),
    ];
    let net_axis = t.t_with("dashboard.net_value_in", &[("currency", shown.code().to_owned())]);
    let unit = whole_units(shown);
    let money_tick = |value: i64| t.number(value / unit);
    let count_tick = |value: i64| t.number(value);
    let captions = |id: &'static str, key: &str, category: &str, value: String| Captions {
        id,
        title: t.t(&format!("dashboard.{key}")).to_owned(),
        description: t.t_with(&format!("dashboard.{key}_description"), &span),
        category_axis: t.t(category).to_owned(),
        value_axis: value,
    };
    let mut charts = vec![
        charts::columns(
            captions(
                "chart-net-value",
                "net_value_by_month",
                "dashboard.month",
                net_axis.clone(),
            ),
            &values,
            unit,
            money_tick,
        ),
        charts::columns(
            captions(
                "chart-orders",
                "orders_by_month",
                "dashboard.month",
                t.t("dashboard.orders").to_owned(),
            ),
            &counts,
            1,
            count_tick,
        ),
        charts::bars(
            captions("chart-regions", "top_regions", "dashboard.region", net_axis.clone()),
            &ranking(t, &regions, |row| row.name.clone()),
            unit,
            money_tick,
        ),
        charts::bars(
            captions("chart-dealers", "top_dealers", "dashboard.dealer", net_axis.clone()),
            &ranking(t, &dealers, |row| format!("{} · {}", row.code, row.name)),
            unit,
            money_tick,
        ),
        charts::bars(
            captions("chart-products", "top_products", "dashboard.product", net_axis),
            &ranking(t, &products, |row| {
                t.t_with(
                    "dashboard.product_units",
                    &[
                        ("sku", row.code.clone()),
                        ("name", row.name.clone()),
                        ("units", t.number(row.count)),
                    ],
                )
            }),
            unit,
            money_tick,
        ),
    ];
    let ages: Vec<Datum> = waiting
        .iter()
        .map(|(age, orders)| {
            Datum::new(
                t.t(&format!("dashboard.waiting_{}", age.code())).to_owned(),
                *orders,
                t.number(*orders),
            )
        })
        .collect();
    charts.push(charts::columns(
        captions(
            "chart-waiting",
            "waiting_orders",
            "dashboard.waited",
            t.t("dashboard.orders").to_owned(),
        ),
        &ages,
        1,
        count_tick,
    ));
    let page = DashboardPage {
        layout: Layout::new(&user, "/dashboard", "nav.dashboard"),
        currency: shown.code(),
        period: t.t_with("dashboard.period", &[("from", from), ("to", to)]),
        others: others
            .into_iter()
            .map(|(code, orders)| OtherCurrency {
                code: code.code(),
                orders: t.number(orders),
            })
            .collect(),
        charts,
        show_queue: actor.can(Permission::ReviewOrders),
    };
    render(&page)
}

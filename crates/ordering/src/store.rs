//! Ordering's SQL.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use platform::db::Value;
use platform::{DataScope, Db, DbError, DealerId, Query, Row, TenantId, Tx, UserId};

use crate::domain::{AmountLimits, OrderState};
use crate::queries::{OrderEventRecord, OrderLine, OrderSummary, SalesOrder};

/// What ordering needs of the tenant.
pub struct TenantSettings {
    pub time_zone: String,
    /// `hold` or `refuse`.
    pub credit_policy: String,
    /// For pricing to check its kept copies against.
    pub pricing_revisions: pricing::Revisions,
}

impl TenantSettings {
    /// The columns [`TenantSettings::from_row`] reads, of the tenant named `t`.
    fn columns() -> String {
        format!("t.time_zone, t.credit_policy, {}", pricing::Revisions::COLUMNS)
    }

    fn from_row(row: &Row) -> Result<TenantSettings, DbError> {
        Ok(TenantSettings {
            time_zone: row.get("time_zone")?,
            credit_policy: row.get("credit_policy")?,
            pricing_revisions: pricing::Revisions::from_row(row)?,
        })
    }
}

/// The orders (aliased `o`) the scope may see: its dealers' orders, and of those a manufacturer's
/// people never see drafts, which are the dealer's own until submitted.
pub fn restrict_orders(scope: &DataScope, query: &mut Query) {
    scope.restrict_dealer(query, "o.dealer_id");
    if scope.dealer_id().is_none() {
        query.push(" AND o.state <> 'draft'");
    }
}

pub async fn tenant_settings(db: &Db, tenant_id: TenantId) -> Result<TenantSettings, DbError> {
    let query = Query::new(format!(
        "SELECT {} FROM tenants t WHERE t.id = $1",
        TenantSettings::columns()
    ));
    TenantSettings::from_row(&db.fetch_one(&query.bind(tenant_id)).await?)
}

/// What placing an order needs to know before it prices, read in one query.
pub struct PlacingTerms {
    pub settings: TenantSettings,
    pub dealer_limits: AmountLimits,
    /// The limits of each group the dealer belongs to.
    pub group_limits: Vec<AmountLimits>,
    /// Orders already placed under one of the dealer order numbers asked about, or under the
    /// idempotency key: usually none.
    pub earlier_order_ids: Vec<i64>,
}

/// The tenant's settings and pricing revisions, the dealer's and its groups' amount limits, and
/// the orders the dealer placed before under any of `numbers` or under `idempotency_key`: every
/// order placed reads these, so they come in one round trip.
pub async fn placing_terms(
    db: &Db,
    tenant_id: TenantId,
    dealer_id: DealerId,
    numbers: &[&str],
    idempotency_key: Option<&str>,
) -> Result<PlacingTerms, DbError> {
    let mut query = Query::new(format!(
        "SELECT {}, d.min_order_minor, d.max_order_minor, g.id AS group_id,
                g.min_order_minor AS group_min_minor, g.max_order_minor AS group_max_minor, ",
        TenantSettings::columns()
    ));
    // The earlier orders ride along as a list of ids: a retry, seldom, then reads them.
    if numbers.is_empty() && idempotency_key.is_none() {
        query.push("NULL AS earlier_ids");
    } else {
        query.push("(SELECT string_agg(CAST(o.id AS TEXT), ',') FROM orders o WHERE o.dealer_id = d.id AND (");
        if !numbers.is_empty() {
            query
                .push("o.dealer_order_number IN ")
                .push_bind_list(numbers.iter().copied());
        }
        if let Some(key) = idempotency_key {
            if !numbers.is_empty() {
                query.push(" OR ");
            }
            query.push("o.idempotency_key = ").push_bind(key);
        }
        query.push(")) AS earlier_ids");
    }
    query
        .push(
            " FROM dealers d JOIN tenants t ON t.id = d.tenant_id
             LEFT JOIN dealer_group_members m ON m.dealer_id = d.id
             LEFT JOIN dealer_groups g ON g.id = m.group_id
             WHERE d.id = ",
        )
        .push_bind(dealer_id)
        .push(" AND d.tenant_id = ")
        .push_bind(tenant_id);
    let rows = db.fetch_all(&query).await?;
    let first = rows.first().ok_or(DbError::NoRow)?;
    let mut group_limits = Vec::new();
    for row in &rows {
        if row.get::<Option<i64>>("group_id")?.is_some() {
            group_limits.push(AmountLimits {
                min_minor: row.get("group_min_minor")?,
                max_minor: row.get("group_max_minor")?,
            });
        }
    }
    Ok(PlacingTerms {
        settings: TenantSettings::from_row(first)?,
        dealer_limits: AmountLimits {
            min_minor: first.get("min_order_minor")?,
            max_minor: first.get("max_order_minor")?,
        },
        group_limits,
        earlier_order_ids: first.get_ids("earlier_ids")?,
    })
}

/// An order found placed before, with what placing matches it by.
pub struct EarlierOrder {
    pub order_id: i64,
    pub state: OrderState,
    pub dealer_id: DealerId,
    pub dealer_order_number: String,
    pub idempotency_key: Option<String>,
}

/// The tenant's orders among `ids`, as [`placing_terms`] found them placed before.
pub async fn earlier_orders(db: &Db, tenant_id: TenantId, ids: &[i64]) -> Result<Vec<EarlierOrder>, DbError> {
    let mut query = Query::new(
        "SELECT id, state, dealer_id, dealer_order_number, idempotency_key FROM orders WHERE tenant_id = $1 AND id IN ",
    )
    .bind(tenant_id);
    query.push_bind_list(ids.iter().copied());
    db.fetch_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok(EarlierOrder {
                order_id: row.get("id")?,
                state: OrderState::parse(&row.get::<String>("state")?).unwrap_or(OrderState::Submitted),
                dealer_id: DealerId(row.get("dealer_id")?),
                dealer_order_number: row.get("dealer_order_number")?,
                idempotency_key: row.get("idempotency_key")?,
            })
        })
        .collect()
}

pub async fn set_dealer_credit(
    tx: &mut Tx,
    tenant_id: TenantId,
    dealer_id: DealerId,
    credit_limit_minor: Option<i64>,
    min_order_minor: Option<i64>,
    max_order_minor: Option<i64>,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "UPDATE dealers SET credit_limit_minor = $1, min_order_minor = $2, max_order_minor = $3
             WHERE tenant_id = $4 AND id = $5",
        )
        .bind(credit_limit_minor)
        .bind(min_order_minor)
        .bind(max_order_minor)
        .bind(tenant_id)
        .bind(dealer_id),
    )
    .await?;
    Ok(())
}

pub async fn give_back_exposure(tx: &mut Tx, dealer_id: DealerId, amount: i64) -> Result<(), DbError> {
    tx.execute(
        &Query::new("UPDATE dealers SET open_orders_minor = open_orders_minor - $1 WHERE id = $2")
            .bind(amount)
            .bind(dealer_id),
    )
    .await?;
    Ok(())
}

#[derive(Clone)]
pub struct NewOrder<'a> {
    pub dealer_id: DealerId,
    pub dealer_order_number: &'a str,
    pub delivery_location_id: i64,
    pub requested_delivery_on: NaiveDate,
    pub allow_adjust: bool,
    pub state: OrderState,
    pub channel: &'static str,
    pub currency: &'a str,
    pub net_total_minor: i64,
    pub vat_total_minor: i64,
    pub exposure_minor: i64,
    pub comment: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub placed_by: Option<UserId>,
}

/// One line as it is written.
pub struct NewLine {
    pub line_number: i64,
    pub product_id: i64,
    pub kind: &'static str,
    pub bundle_product_id: Option<i64>,
    pub quantity: i64,
    pub unit_list_price_minor: i64,
    pub unit_net_price_minor: i64,
    pub line_total_minor: i64,
    pub vat_rate_bp: i64,
    pub promotions: String,
    pub warehouse_id: i64,
    pub delivery_on: NaiveDate,
}

/// What the order took from capped promotions, to give back.
pub async fn order_promotion_uses(tx: &mut Tx, order_id: i64) -> Result<Vec<(i64, i64, i64)>, DbError> {
    tx.fetch_all(
        &Query::new(
            "SELECT op.promotion_id, op.amount_minor, op.units FROM order_promotions op
             JOIN promotions p ON p.id = op.promotion_id
             WHERE op.order_id = $1 AND (p.budget_minor IS NOT NULL OR p.quantity_cap IS NOT NULL)
             ORDER BY op.promotion_id",
        )
        .bind(order_id),
    )
    .await?
    .iter()
    .map(|row| Ok((row.get("promotion_id")?, row.get("amount_minor")?, row.get("units")?)))
    .collect()
}

pub async fn give_back_promotion(tx: &mut Tx, promotion_id: i64, amount: i64, units: i64) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "UPDATE promotions SET budget_used_minor = budget_used_minor - $1, quantity_used = quantity_used - $2
             WHERE id = $3",
        )
        .bind(amount)
        .bind(units)
        .bind(promotion_id),
    )
    .await?;
    Ok(())
}

#[derive(Clone)]
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub from_state: Option<OrderState>,
    pub to_state: Option<OrderState>,
    pub note: Option<&'a str>,
    pub user_id: Option<UserId>,
    pub user_name: &'a str,
}

/// The order as a command needs it, if the actor's scope lets it see the order.
pub struct OrderHead {
    pub id: i64,
    pub dealer_id: DealerId,
    pub state: OrderState,
    pub placed_by: Option<i64>,
    pub allow_adjust: bool,
    pub exposure_minor: i64,
    pub delivery_location_id: i64,
    pub currency: String,
}

pub async fn order_head(
    tx: &mut Tx,
    tenant_id: TenantId,
    scope: &DataScope,
    id: i64,
) -> Result<Option<OrderHead>, DbError> {
    let mut query = Query::new(
        "SELECT o.id, o.dealer_id, o.state, o.placed_by, o.allow_adjust, o.exposure_minor, o.delivery_location_id, o.currency
         FROM orders o WHERE o.tenant_id = $1 AND o.id = $2",
    )
    .bind(tenant_id)
    .bind(id);
    restrict_orders(scope, &mut query);
    tx.fetch_optional(&query)
        .await?
        .map(|row| {
            Ok(OrderHead {
                id: row.get("id")?,
                dealer_id: DealerId(row.get("dealer_id")?),
                state: OrderState::parse(&row.get::<String>("state")?).ok_or_else(|| DbError::Column {
                    column: "state".into(),
                    problem: "not an order state".into(),
                })?,
                placed_by: row.get("placed_by")?,
                allow_adjust: row.get("allow_adjust")?,
                exposure_minor: row.get("exposure_minor")?,
                delivery_location_id: row.get("delivery_location_id")?,
                currency: row.get("currency")?,
            })
        })
        .transpose()
}

/// Moves the order from `from` to `to`; `false` if it was no longer in `from` (someone else
/// decided on it meanwhile), so that two decisions never both apply.
pub async fn change_state(
    tx: &mut Tx,
    order_id: i64,
    from: OrderState,
    to: OrderState,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let mut query = Query::new("UPDATE orders SET state = $1, updated_at = $2")
        .bind(to.code())
        .bind(now);
    if let Some(reason) = reason {
        query
            .push(", decision_reason = ")
            .push_bind(reason)
            .push(", decided_at = ")
            .push_bind(now);
    }
    query
        .push(" WHERE id = ")
        .push_bind(order_id)
        .push(" AND state = ")
        .push_bind(from.code());
    Ok(tx.execute(&query).await? == 1)
}

pub async fn dealer_order_number(tx: &mut Tx, order_id: i64) -> Result<String, DbError> {
    tx.fetch_one(&Query::new("SELECT dealer_order_number FROM orders WHERE id = $1").bind(order_id))
        .await?
        .get("dealer_order_number")
}

pub async fn set_exposure(tx: &mut Tx, order_id: i64, exposure_minor: i64) -> Result<(), DbError> {
    tx.execute(
        &Query::new("UPDATE orders SET exposure_minor = $1 WHERE id = $2")
            .bind(exposure_minor)
            .bind(order_id),
    )
    .await?;
    Ok(())
}

/// A line as commands change it.
#[derive(Debug, Clone)]
pub struct LineHead {
    pub line_number: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub confirmed_quantity: Option<i64>,
    pub unit_net_price_minor: i64,
    pub line_total_minor: i64,
    pub vat_rate_bp: i64,
    pub warehouse_id: i64,
    pub delivery_on: NaiveDate,
}

impl LineHead {
    /// What the line holds in stock now: the confirmed quantity once confirmed.
    pub fn reserved(&self) -> i64 {
        self.confirmed_quantity.unwrap_or(self.quantity)
    }
}

pub async fn line_heads(tx: &mut Tx, order_id: i64) -> Result<Vec<LineHead>, DbError> {
    tx.fetch_all(
        &Query::new(
            "SELECT line_number, product_id, quantity, confirmed_quantity, unit_net_price_minor, line_total_minor, vat_rate_bp,
                    warehouse_id, delivery_on
             FROM order_lines WHERE order_id = $1 ORDER BY line_number",
        )
        .bind(order_id),
    )
    .await?
    .iter()
    .map(|row| {
        Ok(LineHead {
            line_number: row.get("line_number")?,
            product_id: row.get("product_id")?,
            quantity: row.get("quantity")?,
            confirmed_quantity: row.get("confirmed_quantity")?,
            unit_net_price_minor: row.get("unit_net_price_minor")?,
            line_total_minor: row.get("line_total_minor")?,
            vat_rate_bp: row.get("vat_rate_bp")?,
            warehouse_id: row.get("warehouse_id")?,
            delivery_on: row.get("delivery_on")?,
        })
    })
    .collect()
}

pub async fn confirm_line(
    tx: &mut Tx,
    order_id: i64,
    line_number: i64,
    confirmed_quantity: i64,
    delivery_on: NaiveDate,
    reason: Option<&str>,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "UPDATE order_lines SET confirmed_quantity = $1, delivery_on = $2, change_reason = $3
             WHERE order_id = $4 AND line_number = $5",
        )
        .bind(confirmed_quantity)
        .bind(delivery_on)
        .bind(reason)
        .bind(order_id)
        .bind(line_number),
    )
    .await?;
    Ok(())
}

pub async fn set_line_warehouse(
    tx: &mut Tx,
    order_id: i64,
    line_number: i64,
    warehouse_id: i64,
) -> Result<(), DbError> {
    tx.execute(
        &Query::new("UPDATE order_lines SET warehouse_id = $1 WHERE order_id = $2 AND line_number = $3")
            .bind(warehouse_id)
            .bind(order_id)
            .bind(line_number),
    )
    .await?;
    Ok(())
}

/// One sales order per warehouse and sales organisation with confirmed lines, and the lines
/// linked to it: each warehouse ships, and each organisation invoices, its own.
pub async fn split_into_sales_orders(
    tx: &mut Tx,
    tenant_id: TenantId,
    order_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    // 0 stands for "no organisation" so that one comparison serves both cases.
    let keys = tx
        .fetch_all(
            &Query::new(
                "SELECT DISTINCT l.warehouse_id, COALESCE(p.sales_organisation_id, 0) AS organisation
                 FROM order_lines l JOIN products p ON p.id = l.product_id
                 WHERE l.order_id = $1 AND l.confirmed_quantity > 0
                 ORDER BY l.warehouse_id, organisation",
            )
            .bind(order_id),
        )
        .await?
        .iter()
        .map(|row| Ok((row.get::<i64>("warehouse_id")?, row.get::<i64>("organisation")?)))
        .collect::<Result<Vec<_>, DbError>>()?;
    for (warehouse, organisation) in keys {
        let id: i64 = tx
            .fetch_one(
                &Query::new(
                    "INSERT INTO sales_orders (tenant_id, order_id, warehouse_id, sales_organisation_id, created_at)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(tenant_id)
                .bind(order_id)
                .bind(warehouse)
                .bind((organisation != 0).then_some(organisation))
                .bind(now),
            )
            .await?
            .get("id")?;
        tx.execute(
            &Query::new(
                "UPDATE order_lines SET sales_order_id = $1
                 WHERE order_id = $2 AND warehouse_id = $3 AND confirmed_quantity > 0
                   AND product_id IN (SELECT id FROM products WHERE tenant_id = $5 AND COALESCE(sales_organisation_id, 0) = $4)",
            )
            .bind(id)
            .bind(order_id)
            .bind(warehouse)
            .bind(organisation)
            .bind(tenant_id),
        )
        .await?;
    }
    Ok(())
}

// ---- Reading orders ----

const SUMMARY_FROM: &str = "orders o JOIN dealers d ON d.id = o.dealer_id";
const SUMMARY_SELECT: &str = "SELECT o.id, o.dealer_id, d.code AS dealer_code, d.legal_name AS dealer_name, \
     o.dealer_order_number, o.state, o.channel, o.currency, o.net_total_minor, o.vat_total_minor, \
     o.requested_delivery_on, o.placed_at, o.updated_at, \
     (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = o.id) AS line_count \
     FROM orders o JOIN dealers d ON d.id = o.dealer_id";

fn read_summary(row: &Row) -> Result<OrderSummary, DbError> {
    let currency: String = row.get("currency")?;
    Ok(OrderSummary {
        id: row.get("id")?,
        dealer_id: row.get("dealer_id")?,
        dealer_code: row.get("dealer_code")?,
        dealer_name: row.get("dealer_name")?,
        dealer_order_number: row.get("dealer_order_number")?,
        state: OrderState::parse(&row.get::<String>("state")?).unwrap_or(OrderState::Submitted),
        channel: row.get("channel")?,
        net_total: crate::queries::money_text(row.get("net_total_minor")?, &currency),
        vat_total: crate::queries::money_text(row.get("vat_total_minor")?, &currency),
        gross_total: crate::queries::money_text(
            row.get::<i64>("net_total_minor")? + row.get::<i64>("vat_total_minor")?,
            &currency,
        ),
        currency,
        requested_delivery_on: row.get("requested_delivery_on")?,
        placed_at: row.get("placed_at")?,
        updated_at: row.get("updated_at")?,
        line_count: row.get("line_count")?,
    })
}

/// Filters of order lists.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub states: Vec<OrderState>,
    pub dealer_id: Option<i64>,
    pub search: Option<String>,
    pub placed_from: Option<NaiveDate>,
    pub placed_to: Option<NaiveDate>,
    /// Parsed with [`ORDER_SORT`] (the order desk's queue takes the same keys).
    pub sort: platform::Sort,
}

const ORDER_SORT_COLUMNS: &[platform::SortColumn] = &[
    platform::SortColumn::new("number", "o.dealer_order_number"),
    platform::SortColumn::new("dealer", "d.code"),
    platform::SortColumn::new("state", "o.state"),
    platform::SortColumn::new("placed_at", "o.placed_at"),
    platform::SortColumn::new("requested_delivery_on", "o.requested_delivery_on"),
    platform::SortColumn::new("lines", "line_count"),
    platform::SortColumn::new("total", "o.net_total_minor + o.vat_total_minor"),
];

/// The order list's sortable columns: newest first unless asked otherwise.
pub const ORDER_SORT: platform::SortColumns = platform::SortColumns {
    columns: ORDER_SORT_COLUMNS,
    default: "-placed_at",
    tiebreaker: "o.id",
};

/// The order desk's: the same columns, oldest first unless asked otherwise.
pub const REVIEW_QUEUE_SORT: platform::SortColumns = platform::SortColumns {
    columns: ORDER_SORT_COLUMNS,
    default: "placed_at",
    tiebreaker: "o.id",
};

/// ` WHERE …` for the orders of the scope that the filter selects.
fn order_condition(tenant_id: TenantId, scope: &DataScope, filter: &OrderFilter) -> Query {
    let mut condition = Query::new(" WHERE o.tenant_id = $1").bind(tenant_id);
    restrict_orders(scope, &mut condition);
    if !filter.states.is_empty() {
        condition
            .push(" AND o.state IN ")
            .push_bind_list(filter.states.iter().map(|s| s.code()));
    }
    if let Some(dealer_id) = filter.dealer_id {
        condition.push(" AND o.dealer_id = ").push_bind(dealer_id);
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = platform::db::like_contains(search);
        condition
            .push(" AND (LOWER(o.dealer_order_number) LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR d.search_text LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(from) = filter.placed_from {
        condition
            .push(" AND o.placed_at >= ")
            .push_bind(from.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
    }
    if let Some(to) = filter.placed_to.and_then(|d| d.succ_opt()) {
        condition
            .push(" AND o.placed_at < ")
            .push_bind(to.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
    }
    condition
}

pub async fn list_orders(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    filter: &OrderFilter,
    oldest_first: bool,
    page: platform::PageRequest,
) -> Result<platform::Page<OrderSummary>, DbError> {
    let order_by = if oldest_first {
        REVIEW_QUEUE_SORT.order_by(filter.sort)
    } else {
        ORDER_SORT.order_by(filter.sort)
    };
    platform::db::fetch_page(
        db,
        SUMMARY_FROM,
        SUMMARY_SELECT,
        order_condition(tenant_id, scope, filter),
        &order_by,
        page,
        read_summary,
    )
    .await
}

/// The newest orders the filter selects, at most `limit`, and how many it selects in all.
pub async fn latest_orders(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    filter: &OrderFilter,
    limit: u32,
) -> Result<platform::Page<OrderSummary>, DbError> {
    platform::db::fetch_first(
        db,
        SUMMARY_SELECT,
        order_condition(tenant_id, scope, filter),
        "o.placed_at DESC, o.id DESC",
        limit,
        read_summary,
    )
    .await
}

pub async fn find_summary(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    id: i64,
) -> Result<Option<(OrderSummary, Row)>, DbError> {
    let mut query = Query::new(format!(
        "SELECT o.id, o.dealer_id, d.code AS dealer_code, d.legal_name AS dealer_name, o.dealer_order_number, o.state,
                o.channel, o.currency, o.net_total_minor, o.vat_total_minor, o.requested_delivery_on, o.placed_at,
                o.updated_at, (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = o.id) AS line_count,
                o.allow_adjust, o.comment, o.decision_reason, o.placed_by, o.exposure_minor,
                dl.code AS location_code, dl.name AS location_name, dl.address AS location_address
         FROM {SUMMARY_FROM} JOIN delivery_locations dl ON dl.id = o.delivery_location_id
         WHERE o.tenant_id = $1 AND o.id = $2"
    ))
    .bind(tenant_id)
    .bind(id);
    restrict_orders(scope, &mut query);
    let Some(row) = db.fetch_optional(&query).await? else {
        return Ok(None);
    };
    Ok(Some((read_summary(&row)?, row)))
}

pub async fn order_lines(db: &Db, order_id: i64, name_column: &str) -> Result<Vec<OrderLine>, DbError> {
    let rows = db
        .fetch_all(
            &Query::new(format!(
                "SELECT l.line_number, l.product_id, p.sku, p.gtin, p.{name_column} AS name, p.unit, l.kind, l.bundle_product_id,
                        l.quantity, l.confirmed_quantity, l.shipped_quantity, l.unit_list_price_minor, l.unit_net_price_minor,
                        l.line_total_minor, l.vat_rate_bp, l.promotions, w.code AS warehouse_code, l.sales_order_id, l.delivery_on, l.change_reason,
                        o.currency
                 FROM order_lines l JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
                 JOIN orders o ON o.id = l.order_id
                 WHERE l.order_id = $1 ORDER BY l.line_number"
            ))
            .bind(order_id),
        )
        .await?;
    rows.iter()
        .map(|row| {
            let currency: String = row.get("currency")?;
            let money = |column: &str| -> Result<String, DbError> {
                Ok(crate::queries::money_text(row.get(column)?, &currency))
            };
            Ok(OrderLine {
                line_number: row.get("line_number")?,
                product_id: row.get("product_id")?,
                sku: row.get("sku")?,
                gtin: row.get("gtin")?,
                name: row.get("name")?,
                unit: row.get("unit")?,
                kind: row.get("kind")?,
                bundle_product_id: row.get("bundle_product_id")?,
                quantity: row.get("quantity")?,
                confirmed_quantity: row.get("confirmed_quantity")?,
                shipped_quantity: row.get("shipped_quantity")?,
                unit_list_price: money("unit_list_price_minor")?,
                unit_net_price: money("unit_net_price_minor")?,
                line_total: money("line_total_minor")?,
                vat_rate_bp: row.get("vat_rate_bp")?,
                promotions: serde_json::from_str(&row.get::<String>("promotions")?).unwrap_or_default(),
                warehouse_code: row.get("warehouse_code")?,
                sales_order_id: row.get("sales_order_id")?,
                delivery_on: row.get("delivery_on")?,
                change_reason: row.get("change_reason")?,
            })
        })
        .collect()
}

pub async fn order_events(db: &Db, order_id: i64) -> Result<Vec<OrderEventRecord>, DbError> {
    db.fetch_all(
        &Query::new(
            "SELECT kind, from_state, to_state, note, user_name, created_at FROM order_events WHERE order_id = $1 ORDER BY id",
        )
        .bind(order_id),
    )
    .await?
    .iter()
    .map(|row| {
        Ok(OrderEventRecord {
            kind: row.get("kind")?,
            from_state: row.get::<Option<String>>("from_state")?.as_deref().and_then(OrderState::parse),
            to_state: row.get::<Option<String>>("to_state")?.as_deref().and_then(OrderState::parse),
            note: row.get("note")?,
            user_name: row.get("user_name")?,
            at: row.get("created_at")?,
        })
    })
    .collect()
}

pub async fn sales_orders(db: &Db, order_id: i64) -> Result<Vec<SalesOrder>, DbError> {
    db.fetch_all(
        &Query::new(
            "SELECT s.id, s.warehouse_id, w.code AS warehouse_code, w.name AS warehouse_name,
                    g.code AS sales_organisation_code, g.name AS sales_organisation_name,
                    (SELECT COUNT(*) FROM order_lines l WHERE l.sales_order_id = s.id) AS line_count
             FROM sales_orders s JOIN warehouses w ON w.id = s.warehouse_id
             LEFT JOIN sales_organisations g ON g.id = s.sales_organisation_id
             WHERE s.order_id = $1 ORDER BY s.id",
        )
        .bind(order_id),
    )
    .await?
    .iter()
    .map(|row| {
        Ok(SalesOrder {
            id: row.get("id")?,
            warehouse_id: row.get("warehouse_id")?,
            warehouse_code: row.get("warehouse_code")?,
            warehouse_name: row.get("warehouse_name")?,
            sales_organisation_code: row.get("sales_organisation_code")?,
            sales_organisation_name: row.get("sales_organisation_name")?,
            line_count: row.get("line_count")?,
        })
    })
    .collect()
}

// ---- Carts ----

/// The user's cart of that name (the empty name is the working cart), made if missing.
pub async fn cart_id(
    tx: &mut Tx,
    tenant_id: TenantId,
    dealer_id: DealerId,
    user_id: UserId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let find = Query::new("SELECT id FROM carts WHERE user_id = $1 AND name = $2")
        .bind(user_id)
        .bind(name);
    if let Some(row) = tx.fetch_optional(&find).await? {
        return row.get("id");
    }
    tx.fetch_one(
        &Query::new(
            "INSERT INTO carts (tenant_id, dealer_id, user_id, name, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(tenant_id)
        .bind(dealer_id)
        .bind(user_id)
        .bind(name)
        .bind(now),
    )
    .await?
    .get("id")
}

/// The lines of the user's cart of that name, in the order they were added.
pub async fn cart_lines(db: &Db, user_id: UserId, name: &str) -> Result<Vec<(i64, i64)>, DbError> {
    db.fetch_all(
        &Query::new(
            "SELECT l.product_id, l.quantity FROM cart_lines l JOIN carts c ON c.id = l.cart_id
             WHERE c.user_id = $1 AND c.name = $2 ORDER BY l.added_at, l.product_id",
        )
        .bind(user_id)
        .bind(name),
    )
    .await?
    .iter()
    .map(|row| Ok((row.get("product_id")?, row.get("quantity")?)))
    .collect()
}

/// Sets the quantity of products in a cart (zero removes them); `add` adds to what is there.
pub async fn put_cart_lines(
    tx: &mut Tx,
    tenant_id: TenantId,
    cart_id: i64,
    lines: &[(i64, i64)],
    add: bool,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let update = if add {
        "cart_lines.quantity + excluded.quantity"
    } else {
        "excluded.quantity"
    };
    for (product, quantity) in lines {
        if *quantity <= 0 && !add {
            tx.execute(
                &Query::new("DELETE FROM cart_lines WHERE cart_id = $1 AND product_id = $2")
                    .bind(cart_id)
                    .bind(*product),
            )
            .await?;
            continue;
        }
        tx.execute(
            &Query::new(format!(
                "INSERT INTO cart_lines (tenant_id, cart_id, product_id, quantity, added_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = {update}"
            ))
            .bind(tenant_id)
            .bind(cart_id)
            .bind(*product)
            .bind(*quantity)
            .bind(now),
        )
        .await?;
    }
    tx.execute(
        &Query::new("UPDATE carts SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(cart_id),
    )
    .await?;
    Ok(())
}

pub async fn clear_cart(tx: &mut Tx, cart_id: i64) -> Result<(), DbError> {
    tx.execute(&Query::new("DELETE FROM cart_lines WHERE cart_id = $1").bind(cart_id))
        .await?;
    Ok(())
}

/// Copies the lines of one cart over another's.
pub async fn copy_cart(tx: &mut Tx, from: i64, to: i64, now: DateTime<Utc>) -> Result<(), DbError> {
    clear_cart(tx, to).await?;
    tx.execute(
        &Query::new(
            "INSERT INTO cart_lines (tenant_id, cart_id, product_id, quantity, added_at)
             SELECT tenant_id, $1, product_id, quantity, added_at FROM cart_lines WHERE cart_id = $2",
        )
        .bind(to)
        .bind(from),
    )
    .await?;
    tx.execute(
        &Query::new("UPDATE carts SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(to),
    )
    .await?;
    Ok(())
}

pub async fn delete_cart(tx: &mut Tx, user_id: UserId, name: &str) -> Result<bool, DbError> {
    let Some(row) = tx
        .fetch_optional(
            &Query::new("SELECT id FROM carts WHERE user_id = $1 AND name = $2")
                .bind(user_id)
                .bind(name),
        )
        .await?
    else {
        return Ok(false);
    };
    let id: i64 = row.get("id")?;
    clear_cart(tx, id).await?;
    tx.execute(&Query::new("DELETE FROM carts WHERE id = $1").bind(id))
        .await?;
    Ok(true)
}

/// The user's saved carts (not the working one): name, line count, last change.
pub async fn saved_carts(db: &Db, user_id: UserId) -> Result<Vec<crate::carts::SavedCart>, DbError> {
    db.fetch_all(
        &Query::new(
            "SELECT c.name, c.updated_at, (SELECT COUNT(*) FROM cart_lines l WHERE l.cart_id = c.id) AS line_count
             FROM carts c WHERE c.user_id = $1 AND c.name <> '' ORDER BY c.name",
        )
        .bind(user_id),
    )
    .await?
    .iter()
    .map(|row| {
        Ok(crate::carts::SavedCart {
            name: row.get("name")?,
            line_count: row.get("line_count")?,
            updated_at: row.get("updated_at")?,
        })
    })
    .collect()
}

/// The regular lines (product, quantity) of an order the scope may see, to order them again.
pub async fn reorder_lines(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    order_id: i64,
) -> Result<Option<Vec<(i64, i64)>>, DbError> {
    let mut query = Query::new("SELECT o.id FROM orders o WHERE o.tenant_id = $1 AND o.id = $2")
        .bind(tenant_id)
        .bind(order_id);
    restrict_orders(scope, &mut query);
    if db.fetch_optional(&query).await?.is_none() {
        return Ok(None);
    }
    let lines = db
        .fetch_all(
            &Query::new(
                "SELECT product_id, quantity FROM order_lines WHERE order_id = $1 AND kind = 'regular' ORDER BY line_number",
            )
            .bind(order_id),
        )
        .await?
        .iter()
        .map(|row| Ok((row.get("product_id")?, row.get("quantity")?)))
        .collect::<Result<_, DbError>>()?;
    Ok(Some(lines))
}

// ---- Change requests ----

/// The order's dealer, state and currency, if the scope may see it.
pub async fn order_for_change(
    tx: &mut Tx,
    tenant_id: TenantId,
    scope: &DataScope,
    order_id: i64,
) -> Result<Option<(i64, Option<OrderState>, String)>, DbError> {
    let mut query =
        Query::new("SELECT o.dealer_id, o.state, o.currency FROM orders o WHERE o.tenant_id = $1 AND o.id = $2")
            .bind(tenant_id)
            .bind(order_id);
    restrict_orders(scope, &mut query);
    tx.fetch_optional(&query)
        .await?
        .map(|row| {
            Ok((
                row.get("dealer_id")?,
                OrderState::parse(&row.get::<String>("state")?),
                row.get("currency")?,
            ))
        })
        .transpose()
}

pub struct NewChangeRequest<'a> {
    pub order_id: i64,
    /// `dealer` or `manufacturer`.
    pub side: &'a str,
    pub reason: &'a str,
}

pub async fn insert_change_request(
    tx: &mut Tx,
    actor: &platform::Actor,
    request: &NewChangeRequest<'_>,
    lines: &[(crate::changes::ProposedLine, Option<LineHead>)],
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id: i64 = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO change_requests (tenant_id, order_id, raised_by_side, raised_by, raised_by_name, reason, state, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(request.order_id)
            .bind(request.side)
            .bind(actor.user_id.map(UserId::get))
            .bind(actor.display_name.as_str())
            .bind(request.reason)
            .bind(now),
        )
        .await?
        .get("id")?;
    let rows: Vec<Vec<Value>> = lines
        .iter()
        .map(|(line, was)| {
            // The old value only where a new one is asked for: the history shows what changed.
            vec![
                actor.tenant_id.into(),
                id.into(),
                line.line_number.into(),
                line.quantity.into(),
                line.unit_price_minor.into(),
                line.delivery_on.into(),
                was.as_ref()
                    .filter(|_| line.quantity.is_some())
                    .map(LineHead::reserved)
                    .into(),
                was.as_ref()
                    .filter(|_| line.unit_price_minor.is_some())
                    .map(|was| was.unit_net_price_minor)
                    .into(),
                was.as_ref()
                    .filter(|_| line.delivery_on.is_some())
                    .map(|was| was.delivery_on)
                    .into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO change_request_lines (tenant_id, change_request_id, line_number, new_quantity, new_unit_price_minor, new_delivery_on,
             old_quantity, old_unit_price_minor, old_delivery_on)",
        &rows,
    )
    .await?;
    Ok(id)
}

/// The request's order, side, raiser and state, if the scope may see its order.
pub async fn change_request_head(
    tx: &mut Tx,
    tenant_id: TenantId,
    scope: &DataScope,
    id: i64,
) -> Result<Option<(i64, String, Option<i64>, String)>, DbError> {
    let mut query = Query::new(
        "SELECT c.order_id, c.raised_by_side, c.raised_by, c.state FROM change_requests c JOIN orders o ON o.id = c.order_id
         WHERE c.tenant_id = $1 AND c.id = $2",
    )
    .bind(tenant_id)
    .bind(id);
    restrict_orders(scope, &mut query);
    tx.fetch_optional(&query)
        .await?
        .map(|row| {
            Ok((
                row.get("order_id")?,
                row.get("raised_by_side")?,
                row.get("raised_by")?,
                row.get("state")?,
            ))
        })
        .transpose()
}

/// Closes an open request; `false` if it was no longer open (someone else closed it first).
pub async fn close_change_request(
    tx: &mut Tx,
    id: i64,
    state: &str,
    decided_by: Option<&str>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let closed = tx
        .execute(
            &Query::new(
                "UPDATE change_requests SET state = $1, decided_by_name = $2, decision_reason = $3, decided_at = $4
                 WHERE id = $5 AND state = 'open'",
            )
            .bind(state)
            .bind(decided_by)
            .bind(reason)
            .bind(now)
            .bind(id),
        )
        .await?;
    Ok(closed == 1)
}

fn read_proposed(row: &Row) -> Result<crate::changes::ProposedLine, DbError> {
    Ok(crate::changes::ProposedLine {
        line_number: row.get("line_number")?,
        quantity: row.get("new_quantity")?,
        unit_price_minor: row.get("new_unit_price_minor")?,
        delivery_on: row.get("new_delivery_on")?,
    })
}

pub async fn proposed_lines(tx: &mut Tx, id: i64) -> Result<Vec<crate::changes::ProposedLine>, DbError> {
    tx.fetch_all(
        &Query::new(
            "SELECT line_number, new_quantity, new_unit_price_minor, new_delivery_on FROM change_request_lines
             WHERE change_request_id = $1",
        )
        .bind(id),
    )
    .await?
    .iter()
    .map(read_proposed)
    .collect()
}

/// Writes a line as a change request left it.
pub async fn write_changed_line(tx: &mut Tx, order_id: i64, line: &LineHead, reason: &str) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "UPDATE order_lines SET quantity = $1, confirmed_quantity = $2, unit_net_price_minor = $3,
                 line_total_minor = $4, delivery_on = $5, change_reason = $6 WHERE order_id = $7 AND line_number = $8",
        )
        .bind(line.quantity)
        .bind(line.confirmed_quantity)
        .bind(line.unit_net_price_minor)
        .bind(line.line_total_minor)
        .bind(line.delivery_on)
        .bind(reason)
        .bind(order_id)
        .bind(line.line_number),
    )
    .await?;
    Ok(())
}

/// Sets the order's amounts and exposure; returns the exposure it had.
pub async fn set_order_amounts(
    tx: &mut Tx,
    order_id: i64,
    net_minor: i64,
    vat_minor: i64,
    exposure_minor: i64,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let old: i64 = tx
        .fetch_one(&Query::new("SELECT exposure_minor FROM orders WHERE id = $1").bind(order_id))
        .await?
        .get("exposure_minor")?;
    tx.execute(
        &Query::new(
            "UPDATE orders SET net_total_minor = $1, vat_total_minor = $2, exposure_minor = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(net_minor)
        .bind(vat_minor)
        .bind(exposure_minor)
        .bind(now)
        .bind(order_id),
    )
    .await?;
    Ok(old)
}

/// Every request of an order the scope may see, newest first, with its lines.
pub async fn list_change_requests(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    order_id: i64,
) -> Result<Vec<crate::changes::ChangeRequest>, DbError> {
    let mut query = Query::new(
        "SELECT c.id, c.order_id, c.raised_by_side, c.raised_by, c.raised_by_name, c.reason, c.state, c.decided_by_name,
                c.decision_reason, c.created_at, c.decided_at, o.currency
         FROM change_requests c JOIN orders o ON o.id = c.order_id WHERE c.tenant_id = $1 AND c.order_id = $2",
    )
    .bind(tenant_id)
    .bind(order_id);
    restrict_orders(scope, &mut query);
    query.push(" ORDER BY c.id DESC");
    let heads = db.fetch_all(&query).await?;
    let lines = db
        .fetch_all(
            &Query::new(
                "SELECT l.change_request_id, l.line_number, l.new_quantity, l.new_unit_price_minor, l.new_delivery_on,
                        l.old_quantity, l.old_unit_price_minor, l.old_delivery_on
                 FROM change_request_lines l JOIN change_requests c ON c.id = l.change_request_id
                 WHERE c.order_id = $1 ORDER BY l.line_number",
            )
            .bind(order_id),
        )
        .await?;
    let mut requests = Vec::with_capacity(heads.len());
    for head in &heads {
        let id: i64 = head.get("id")?;
        let currency: String = head.get("currency")?;
        let mut own = Vec::new();
        for row in &lines {
            if row.get::<i64>("change_request_id")? != id {
                continue;
            }
            let line = read_proposed(row)?;
            let old_price: Option<i64> = row.get("old_unit_price_minor")?;
            own.push(crate::changes::ChangeLine {
                line_number: line.line_number,
                old_quantity: row.get("old_quantity")?,
                old_unit_price: old_price.map(|minor| crate::queries::money_text(minor, &currency)),
                old_delivery_on: row.get("old_delivery_on")?,
                new_quantity: line.quantity,
                new_unit_price: line
                    .unit_price_minor
                    .map(|minor| crate::queries::money_text(minor, &currency)),
                new_delivery_on: line.delivery_on,
            });
        }
        requests.push(crate::changes::ChangeRequest {
            id,
            order_id: head.get("order_id")?,
            raised_by_side: head.get("raised_by_side")?,
            raised_by: head.get("raised_by")?,
            raised_by_name: head.get("raised_by_name")?,
            reason: head.get("reason")?,
            state: head.get("state")?,
            decided_by_name: head.get("decided_by_name")?,
            decision_reason: head.get("decision_reason")?,
            created_at: head.get("created_at")?,
            decided_at: head.get("decided_at")?,
            lines: own,
        });
    }
    Ok(requests)
}

/// The open requests of orders the scope may see, newest first, at most `limit`, and how many
/// are open in all.
pub async fn open_change_requests(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    limit: u32,
) -> Result<platform::Page<crate::changes::OpenChangeRequest>, DbError> {
    let mut condition = Query::new(" WHERE c.tenant_id = $1 AND c.state = 'open'").bind(tenant_id);
    restrict_orders(scope, &mut condition);
    platform::db::fetch_first(
        db,
        "SELECT c.id, c.order_id, o.dealer_order_number, c.raised_by_side, c.raised_by_name, c.reason, c.created_at
         FROM change_requests c JOIN orders o ON o.id = c.order_id",
        condition,
        "c.created_at DESC, c.id DESC",
        limit,
        |row| {
            Ok(crate::changes::OpenChangeRequest {
                id: row.get("id")?,
                order_id: row.get("order_id")?,
                dealer_order_number: row.get("dealer_order_number")?,
                raised_by_side: row.get("raised_by_side")?,
                raised_by_name: row.get("raised_by_name")?,
                reason: row.get("reason")?,
                created_at: row.get("created_at")?,
            })
        },
    )
    .await
}

// ---- Shipping ----

/// The sales order's order and warehouse, if the scope may see its dealer.
pub async fn sales_order_of(
    tx: &mut Tx,
    tenant_id: TenantId,
    scope: &DataScope,
    sales_order_id: i64,
) -> Result<Option<(i64, i64)>, DbError> {
    let mut query = Query::new(
        "SELECT s.order_id, s.warehouse_id FROM sales_orders s JOIN orders o ON o.id = s.order_id
         WHERE s.tenant_id = $1 AND s.id = $2",
    )
    .bind(tenant_id)
    .bind(sales_order_id);
    restrict_orders(scope, &mut query);
    tx.fetch_optional(&query)
        .await?
        .map(|row| Ok((row.get("order_id")?, row.get("warehouse_id")?)))
        .transpose()
}

/// The lines of the sales order with something confirmed and not yet shipped.
pub async fn shippable_lines(
    tx: &mut Tx,
    order_id: i64,
    sales_order_id: i64,
) -> Result<Vec<fulfilment::shipments::ShippableLine>, DbError> {
    tx.fetch_all(
        &Query::new(
            "SELECT l.line_number, l.product_id, l.warehouse_id, l.confirmed_quantity - l.shipped_quantity AS open_quantity,
                    p.lot_tracked
             FROM order_lines l JOIN products p ON p.id = l.product_id
             WHERE l.order_id = $1 AND l.sales_order_id = $2 AND l.confirmed_quantity > l.shipped_quantity
             ORDER BY l.line_number",
        )
        .bind(order_id)
        .bind(sales_order_id),
    )
    .await?
    .iter()
    .map(|row| {
        Ok(fulfilment::shipments::ShippableLine {
            line_number: row.get("line_number")?,
            product_id: row.get("product_id")?,
            warehouse_id: row.get("warehouse_id")?,
            open_quantity: row.get("open_quantity")?,
            lot_tracked: row.get("lot_tracked")?,
        })
    })
    .collect()
}

/// The order's next delivery note number: `DN-` the order's id, then the shipment's ordinal.
pub async fn next_shipment_number(tx: &mut Tx, order_id: i64) -> Result<String, DbError> {
    let shipped: i64 = tx
        .fetch_one(&Query::new("SELECT COUNT(*) AS n FROM shipments WHERE order_id = $1").bind(order_id))
        .await?
        .get("n")?;
    Ok(format!("DN-{order_id:06}-{}", shipped + 1))
}

/// Adds (line, quantity) to what the lines shipped; never beyond what they confirmed.
pub async fn add_shipped(tx: &mut Tx, order_id: i64, lines: &[(i64, i64)]) -> Result<(), DbError> {
    for (line_number, quantity) in lines {
        let changed = tx
            .execute(
                &Query::new(
                    "UPDATE order_lines SET shipped_quantity = shipped_quantity + $1
                     WHERE order_id = $2 AND line_number = $3 AND shipped_quantity + $4 <= confirmed_quantity",
                )
                .bind(*quantity)
                .bind(order_id)
                .bind(*line_number)
                .bind(*quantity),
            )
            .await?;
        if changed != 1 {
            return Err(DbError::CheckViolation(format!(
                "line {line_number} of order {order_id} cannot ship {quantity} more"
            )));
        }
    }
    Ok(())
}

/// Whether every line has shipped all it confirmed.
pub async fn fully_shipped(tx: &mut Tx, order_id: i64) -> Result<bool, DbError> {
    Ok(tx
        .fetch_optional(
            &Query::new(
                "SELECT line_number FROM order_lines WHERE order_id = $1
                 AND COALESCE(confirmed_quantity, quantity) > shipped_quantity",
            )
            .bind(order_id),
        )
        .await?
        .is_none())
}

/// Adds (line, quantity) to what the lines received.
pub async fn add_received(tx: &mut Tx, order_id: i64, lines: &[(i64, i64)]) -> Result<(), DbError> {
    for (line_number, quantity) in lines {
        tx.execute(
            &Query::new(
                "UPDATE order_lines SET received_quantity = received_quantity + $1 WHERE order_id = $2 AND line_number = $3",
            )
            .bind(*quantity)
            .bind(order_id)
            .bind(*line_number),
        )
        .await?;
    }
    Ok(())
}

// ---- Drafts ----

/// A draft as an order input: its own fields and its regular lines, to place it afresh.
pub async fn draft_input(db: &Db, order_id: i64) -> Result<crate::domain::OrderInput, DbError> {
    let head = db
        .fetch_one(
            &Query::new(
                "SELECT dealer_order_number, delivery_location_id, requested_delivery_on, allow_adjust, comment
                 FROM orders WHERE id = $1",
            )
            .bind(order_id),
        )
        .await?;
    let lines = db
        .fetch_all(
            &Query::new(
                "SELECT product_id, quantity FROM order_lines WHERE order_id = $1 AND kind = 'regular' ORDER BY line_number",
            )
            .bind(order_id),
        )
        .await?
        .iter()
        .map(|row| {
            Ok(crate::domain::OrderLineInput {
                product_id: Some(row.get("product_id")?),
                product_code: None,
                quantity: row.get("quantity")?,
            })
        })
        .collect::<Result<_, DbError>>()?;
    let comment: String = head.get("comment")?;
    Ok(crate::domain::OrderInput {
        dealer_order_number: head.get("dealer_order_number")?,
        delivery_location_id: head.get("delivery_location_id")?,
        requested_delivery_on: head.get("requested_delivery_on")?,
        allow_adjust: head.get("allow_adjust")?,
        comment: Some(comment).filter(|c| !c.is_empty()),
        lines,
        draft: false,
    })
}

/// Turns a draft into the order it submits; `false` if it was no longer a draft.
pub async fn submit_draft(
    tx: &mut Tx,
    order_id: i64,
    order: &NewOrder<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let changed = tx
        .execute(
            &Query::new(
                "UPDATE orders SET state = $1, net_total_minor = $2, vat_total_minor = $3, exposure_minor = $4, placed_at = $5,
                     updated_at = $6 WHERE id = $7 AND state = 'draft'",
            )
            .bind(order.state.code())
            .bind(order.net_total_minor)
            .bind(order.vat_total_minor)
            .bind(order.exposure_minor)
            .bind(now)
            .bind(now)
            .bind(order_id),
        )
        .await?;
    Ok(changed == 1)
}

pub async fn delete_lines(tx: &mut Tx, order_id: i64) -> Result<(), DbError> {
    tx.execute(&Query::new("DELETE FROM order_lines WHERE order_id = $1").bind(order_id))
        .await?;
    Ok(())
}

/// Where a delivery location is and which warehouse serves it.
pub struct LocationFacts {
    pub tenant_id: TenantId,
    pub dealer_id: DealerId,
    pub warehouse_id: Option<i64>,
}

pub async fn delivery_locations(tx: &mut Tx, ids: &[i64]) -> Result<HashMap<i64, LocationFacts>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query = Query::new("SELECT id, tenant_id, dealer_id, warehouse_id FROM delivery_locations WHERE id");
    query.push_in_array(ids.iter().copied());
    tx.fetch_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.get("id")?,
                LocationFacts {
                    tenant_id: TenantId(row.get("tenant_id")?),
                    dealer_id: DealerId(row.get("dealer_id")?),
                    warehouse_id: row.get("warehouse_id")?,
                },
            ))
        })
        .collect()
}

/// The delivery location's serving warehouse, if the location belongs to the dealer.
pub async fn delivery_location(
    tx: &mut Tx,
    tenant_id: TenantId,
    dealer_id: DealerId,
    location_id: i64,
) -> Result<Option<Option<i64>>, DbError> {
    Ok(delivery_locations(tx, &[location_id])
        .await?
        .remove(&location_id)
        .filter(|facts| facts.tenant_id == tenant_id && facts.dealer_id == dealer_id)
        .map(|facts| facts.warehouse_id))
}

/// A dealer's credit as orders count against it.
#[derive(Debug, Clone, Copy)]
pub struct CreditStanding {
    pub limit_minor: Option<i64>,
    pub receivables_minor: i64,
    pub open_orders_minor: i64,
}

impl CreditStanding {
    /// Whether `amount` more stays within the limit (a dealer without one has no limit).
    pub fn allows(&self, amount: i64) -> bool {
        self.limit_minor
            .is_none_or(|limit| self.receivables_minor + self.open_orders_minor + amount <= limit)
    }
}

pub async fn credit_standings(tx: &mut Tx, dealer_ids: &[i64]) -> Result<HashMap<i64, CreditStanding>, DbError> {
    if dealer_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query =
        Query::new("SELECT id, credit_limit_minor, receivables_minor, open_orders_minor FROM dealers WHERE id");
    query.push_in_array(dealer_ids.iter().copied());
    tx.fetch_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.get("id")?,
                CreditStanding {
                    limit_minor: row.get("credit_limit_minor")?,
                    receivables_minor: row.get("receivables_minor")?,
                    open_orders_minor: row.get("open_orders_minor")?,
                },
            ))
        })
        .collect()
}

/// Adds each amount to its dealer's open orders if every dealer's exposure stays within its
/// credit limit (or it has none); `false`, having added only some, when one would not: the
/// caller's transaction must then be abandoned. `force` adds them regardless (finance's release).
pub async fn take_exposures(tx: &mut Tx, amounts: &[(DealerId, i64)], force: bool) -> Result<bool, DbError> {
    if amounts.is_empty() {
        return Ok(true);
    }
    let mut totals: HashMap<DealerId, i64> = HashMap::new();
    for (dealer, amount) in amounts {
        *totals.entry(*dealer).or_default() += amount;
    }
    let rows: Vec<Vec<Value>> = totals
        .iter()
        .map(|(dealer, amount)| vec![(*dealer).into(), (*amount).into()])
        .collect();
    let mut query = Query::new("UPDATE dealers SET open_orders_minor = dealers.open_orders_minor + v.amount FROM ");
    query
        .push_values_table(&["dealer_id", "amount"], &rows)
        .push(" AS v WHERE dealers.id = v.dealer_id");
    if !force {
        query.push(
            " AND (dealers.credit_limit_minor IS NULL
                   OR dealers.receivables_minor + dealers.open_orders_minor + v.amount <= dealers.credit_limit_minor)",
        );
    }
    Ok(tx.execute(&query).await? == rows.len() as u64)
}

/// Adds `amount` to the dealer's open orders if its exposure stays within its credit limit (or
/// it has none); `false` when it would not. `force` adds it regardless (finance's release).
pub async fn take_exposure(tx: &mut Tx, dealer_id: DealerId, amount: i64, force: bool) -> Result<bool, DbError> {
    take_exposures(tx, &[(dealer_id, amount)], force).await
}

/// How much of a promotion's budget and quantity cap orders have used.
#[derive(Debug, Clone, Copy)]
pub struct PromotionBudget {
    pub budget_minor: Option<i64>,
    pub budget_used_minor: i64,
    pub quantity_cap: Option<i64>,
    pub quantity_used: i64,
}

impl PromotionBudget {
    /// Whether the budget and the cap still cover `amount` and `units` more.
    pub fn covers(&self, amount: i64, units: i64) -> bool {
        self.budget_minor
            .is_none_or(|budget| self.budget_used_minor + amount <= budget)
            && self.quantity_cap.is_none_or(|cap| self.quantity_used + units <= cap)
    }
}

/// The budgets of those of these promotions that have a budget or a quantity cap.
pub async fn promotion_budgets(tx: &mut Tx, ids: &[i64]) -> Result<HashMap<i64, PromotionBudget>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query = Query::new(
        "SELECT id, budget_minor, budget_used_minor, quantity_cap, quantity_used FROM promotions
         WHERE (budget_minor IS NOT NULL OR quantity_cap IS NOT NULL) AND id",
    );
    query.push_in_array(ids.iter().copied());
    tx.fetch_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.get("id")?,
                PromotionBudget {
                    budget_minor: row.get("budget_minor")?,
                    budget_used_minor: row.get("budget_used_minor")?,
                    quantity_cap: row.get("quantity_cap")?,
                    quantity_used: row.get("quantity_used")?,
                },
            ))
        })
        .collect()
}

/// Takes from promotions' budgets and quantity caps if they still cover every use; `false`,
/// having taken only some, when another order used one up first: the caller's transaction
/// must then be abandoned.
pub async fn take_promotions(tx: &mut Tx, uses: &[(i64, i64, i64)]) -> Result<bool, DbError> {
    if uses.is_empty() {
        return Ok(true);
    }
    let mut totals: HashMap<i64, (i64, i64)> = HashMap::new();
    for (promotion, amount, units) in uses {
        let total = totals.entry(*promotion).or_default();
        total.0 += amount;
        total.1 += units;
    }
    let rows: Vec<Vec<Value>> = totals
        .iter()
        .map(|(promotion, (amount, units))| vec![(*promotion).into(), (*amount).into(), (*units).into()])
        .collect();
    let mut query = Query::new(
        "UPDATE promotions SET budget_used_minor = promotions.budget_used_minor + v.amount,
             quantity_used = promotions.quantity_used + v.units FROM ",
    );
    query
        .push_values_table(&["promotion_id", "amount", "units"], &rows)
        .push(
            " AS v WHERE promotions.id = v.promotion_id
           AND (promotions.budget_minor IS NULL OR promotions.budget_used_minor + v.amount <= promotions.budget_minor)
           AND (promotions.quantity_cap IS NULL OR promotions.quantity_used + v.units <= promotions.quantity_cap)",
        );
    Ok(tx.execute(&query).await? == rows.len() as u64)
}

/// Takes from a promotion's budget and quantity cap if they still cover it; `false` when
/// another order used them up first.
pub async fn take_promotion(tx: &mut Tx, promotion_id: i64, amount: i64, units: i64) -> Result<bool, DbError> {
    take_promotions(tx, &[(promotion_id, amount, units)]).await
}

/// Inserts the orders; answers their ids in the order given.
pub async fn insert_orders(
    tx: &mut Tx,
    orders: &[(TenantId, NewOrder<'_>)],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, DbError> {
    let rows: Vec<Vec<Value>> = orders
        .iter()
        .map(|(tenant_id, order)| {
            vec![
                (*tenant_id).into(),
                order.dealer_id.into(),
                order.dealer_order_number.into(),
                order.delivery_location_id.into(),
                order.requested_delivery_on.into(),
                order.allow_adjust.into(),
                order.state.code().into(),
                order.channel.into(),
                order.currency.into(),
                order.net_total_minor.into(),
                order.vat_total_minor.into(),
                order.exposure_minor.into(),
                order.comment.into(),
                order.idempotency_key.into(),
                order.placed_by.map(UserId::get).into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    let returned = tx
        .insert_many_returning(
            "INSERT INTO orders (tenant_id, dealer_id, dealer_order_number, delivery_location_id, requested_delivery_on,
                allow_adjust, state, channel, currency, net_total_minor, vat_total_minor, exposure_minor, comment,
                idempotency_key, placed_by, placed_at, updated_at)",
            &rows,
            "RETURNING id, dealer_id, dealer_order_number",
        )
        .await?;
    let mut ids: HashMap<(i64, String), i64> = HashMap::with_capacity(returned.len());
    for row in &returned {
        ids.insert((row.get("dealer_id")?, row.get("dealer_order_number")?), row.get("id")?);
    }
    orders
        .iter()
        .map(|(_, order)| {
            ids.get(&(order.dealer_id.get(), order.dealer_order_number.to_owned()))
                .copied()
                .ok_or(DbError::NoRow)
        })
        .collect()
}

pub async fn insert_lines(tx: &mut Tx, lines: &[(TenantId, i64, NewLine)]) -> Result<(), DbError> {
    let rows: Vec<Vec<Value>> = lines
        .iter()
        .map(|(tenant_id, order_id, line)| {
            vec![
                (*tenant_id).into(),
                (*order_id).into(),
                line.line_number.into(),
                line.product_id.into(),
                line.kind.into(),
                line.bundle_product_id.into(),
                line.quantity.into(),
                line.unit_list_price_minor.into(),
                line.unit_net_price_minor.into(),
                line.line_total_minor.into(),
                line.vat_rate_bp.into(),
                line.promotions.as_str().into(),
                line.warehouse_id.into(),
                line.delivery_on.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO order_lines (tenant_id, order_id, line_number, product_id, kind, bundle_product_id, quantity,
            unit_list_price_minor, unit_net_price_minor, line_total_minor, vat_rate_bp, promotions, warehouse_id, delivery_on)",
        &rows,
    )
    .await?;
    Ok(())
}

/// Records what each order took of each promotion: (tenant, order, promotion, money, units).
pub async fn insert_order_promotions(tx: &mut Tx, uses: &[(TenantId, i64, i64, i64, i64)]) -> Result<(), DbError> {
    let rows: Vec<Vec<Value>> = uses
        .iter()
        .map(|(tenant_id, order_id, promotion, amount, units)| {
            vec![
                (*tenant_id).into(),
                (*order_id).into(),
                (*promotion).into(),
                (*amount).into(),
                (*units).into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO order_promotions (tenant_id, order_id, promotion_id, amount_minor, units)",
        &rows,
    )
    .await?;
    Ok(())
}

pub async fn insert_events(
    tx: &mut Tx,
    events: &[(TenantId, i64, NewEvent<'_>)],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let rows: Vec<Vec<Value>> = events
        .iter()
        .map(|(tenant_id, order_id, event)| {
            vec![
                (*tenant_id).into(),
                (*order_id).into(),
                event.kind.into(),
                event.from_state.map(OrderState::code).into(),
                event.to_state.map(OrderState::code).into(),
                event.note.into(),
                event.user_id.map(UserId::get).into(),
                event.user_name.into(),
                now.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO order_events (tenant_id, order_id, kind, from_state, to_state, note, user_id, user_name, created_at)",
        &rows,
    )
    .await?;
    Ok(())
}

pub async fn insert_event(
    tx: &mut Tx,
    tenant_id: TenantId,
    order_id: i64,
    event: &NewEvent<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    insert_events(tx, &[(tenant_id, order_id, event.clone())], now).await
}

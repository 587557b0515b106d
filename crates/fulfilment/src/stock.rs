//! Reserving and moving stock inside a caller's transaction.
//!
//! Ordering calls these while it places, confirms or cancels an order, so that stock changes
//! commit or roll back with the order. Each change is a conditional `UPDATE` that cannot take
//! more than is available, plus a ledger row; the table's CHECK constraints are the last guard.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use platform::db::Value;
use platform::{DbError, Query, TenantId, Tx, UserId};

/// What one sellable warehouse can still promise of one product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Availability {
    pub warehouse_id: i64,
    pub product_id: i64,
    pub available: i64,
    pub priority: i64,
}

/// What every sellable warehouse of the tenant can promise of these products.
pub async fn availability(tx: &mut Tx, tenant_id: TenantId, product_ids: &[i64]) -> Result<Vec<Availability>, DbError> {
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Query::new(
        "SELECT s.warehouse_id, s.product_id, s.on_hand - s.reserved AS available, w.priority
         FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id
         WHERE s.tenant_id = $1 AND w.sellable = TRUE AND s.product_id",
    )
    .bind(tenant_id);
    query.push_in_array(product_ids.iter().copied());
    tx.fetch_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok(Availability {
                warehouse_id: row.get("warehouse_id")?,
                product_id: row.get("product_id")?,
                available: row.get("available")?,
                priority: row.get("priority")?,
            })
        })
        .collect()
}

/// A line that no single warehouse can supply whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortage {
    /// The index of the line among those asked for.
    pub line: usize,
    /// The most any one warehouse could still promise of the product.
    pub available: i64,
}

/// Chooses the warehouse of each (product, quantity) line: the one serving the delivery
/// location if it has enough, otherwise the first by priority that has. A line is never split
/// between warehouses; lines of one product share what is available, first come first served.
pub fn allocate(
    lines: &[(i64, i64)],
    serving: Option<i64>,
    availability: &[Availability],
) -> Result<Vec<i64>, Vec<Shortage>> {
    let mut left: HashMap<(i64, i64), i64> = availability
        .iter()
        .map(|a| ((a.warehouse_id, a.product_id), a.available))
        .collect();
    let mut order: Vec<&Availability> = availability.iter().collect();
    order.sort_by_key(|a| (Some(a.warehouse_id) != serving, a.priority, a.warehouse_id));
    let mut chosen = Vec::with_capacity(lines.len());
    let mut shortages = Vec::new();
    for (index, (product, quantity)) in lines.iter().enumerate() {
        let warehouse = order
            .iter()
            .filter(|a| a.product_id == *product)
            .map(|a| a.warehouse_id)
            .find(|warehouse| left.get(&(*warehouse, *product)).is_some_and(|left| left >= quantity));
        match warehouse {
            Some(warehouse) => {
                if let Some(left) = left.get_mut(&(warehouse, *product)) {
                    *left -= quantity;
                }
                chosen.push(warehouse);
            }
            None => shortages.push(Shortage {
                line: index,
                available: left
                    .iter()
                    .filter(|((_, p), _)| p == product)
                    .map(|(_, available)| (*available).max(0))
                    .max()
                    .unwrap_or(0),
            }),
        }
    }
    if shortages.is_empty() {
        Ok(chosen)
    } else {
        Err(shortages)
    }
}

/// One change of stock, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub warehouse_id: i64,
    pub product_id: i64,
    /// `receipt`, `reservation`, `release`, `shipment`, `return`, `adjustment` or `stocktake`.
    pub kind: &'static str,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub order_id: Option<i64>,
    pub note: Option<String>,
}

/// Whether the movements could all be made: `Err` when the stock of some product no longer
/// covers them, because another transaction took it first.
pub type Applied = Result<(), Shortfall>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall;

/// Makes the movements: one `UPDATE` for every product and warehouse they touch, one statement
/// for the ledger. The stock table's CHECK constraints refuse a change that would take on hand
/// or reserved below zero or reserve more than is on hand, so the update holds entirely or not
/// at all; nothing is written to the ledger unless it held.
pub async fn apply(
    tx: &mut Tx,
    tenant_id: TenantId,
    user_id: Option<UserId>,
    now: DateTime<Utc>,
    movements: &[Movement],
) -> Result<Applied, DbError> {
    let by: Vec<(Option<UserId>, &Movement)> = movements.iter().map(|movement| (user_id, movement)).collect();
    apply_by(tx, tenant_id, now, &by).await
}

/// As [`apply`], each movement made by its own user: orders of several users recorded together.
pub async fn apply_by(
    tx: &mut Tx,
    tenant_id: TenantId,
    now: DateTime<Utc>,
    movements: &[(Option<UserId>, &Movement)],
) -> Result<Applied, DbError> {
    if movements.is_empty() {
        return Ok(Ok(()));
    }
    let mut totals: BTreeMap<(i64, i64), (i64, i64)> = BTreeMap::new();
    for (_, movement) in movements {
        let total = totals.entry((movement.warehouse_id, movement.product_id)).or_default();
        total.0 += movement.on_hand_delta;
        total.1 += movement.reserved_delta;
    }
    let moved: Vec<Vec<Value>> = totals
        .iter()
        .map(|((warehouse, product), (on_hand, reserved))| {
            vec![
                (*warehouse).into(),
                (*product).into(),
                (*on_hand).into(),
                (*reserved).into(),
            ]
        })
        .collect();
    let mut update = Query::new(
        "UPDATE stock_levels SET on_hand = stock_levels.on_hand + v.on_hand, reserved = stock_levels.reserved + v.reserved, updated_at = ",
    );
    update
        .push_bind(now)
        .push(" FROM ")
        .push_values_table(&["warehouse_id", "product_id", "on_hand", "reserved"], &moved)
        .push(" AS v WHERE stock_levels.warehouse_id = v.warehouse_id AND stock_levels.product_id = v.product_id AND stock_levels.tenant_id = ")
        .push_bind(tenant_id);
    match tx.execute(&update).await {
        Ok(changed) if changed == totals.len() as u64 => {}
        // A product without a stock row in that warehouse has nothing to move.
        Ok(_) => return Ok(Err(Shortfall)),
        Err(error) if error.is_check_violation() => return Ok(Err(Shortfall)),
        Err(error) => return Err(error),
    }
    let rows: Vec<Vec<Value>> = movements
        .iter()
        .map(|(user_id, m)| {
            vec![
                tenant_id.into(),
                m.warehouse_id.into(),
                m.product_id.into(),
                m.kind.into(),
                m.on_hand_delta.into(),
                m.reserved_delta.into(),
                m.order_id.into(),
                m.note.clone().into(),
                user_id.map(UserId::get).into(),
                now.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO stock_movements (tenant_id, warehouse_id, product_id, kind, on_hand_delta, reserved_delta, order_id, note, user_id, created_at)",
        &rows,
    )
    .await?;
    Ok(Ok(()))
}

/// Makes sure a stock row exists for each (warehouse, product), so movements can update it.
pub async fn ensure_levels(
    tx: &mut Tx,
    tenant_id: TenantId,
    now: DateTime<Utc>,
    pairs: &[(i64, i64)],
) -> Result<(), DbError> {
    let rows: Vec<Vec<Value>> = pairs
        .iter()
        .map(|(warehouse, product)| {
            vec![
                tenant_id.into(),
                (*warehouse).into(),
                (*product).into(),
                0_i64.into(),
                0_i64.into(),
                now.into(),
            ]
        })
        .collect();
    tx.insert_many_skipping_existing(
        "INSERT INTO stock_levels (tenant_id, warehouse_id, product_id, on_hand, reserved, updated_at)",
        &rows,
        "(warehouse_id, product_id)",
    )
    .await?;
    Ok(())
}

/// Opening stock of products that have none yet in the warehouse, in bulk: their stock rows and
/// one receipt each in the ledger, for loading a new warehouse (and the large demo).
pub async fn record_opening_stock(
    tx: &mut Tx,
    tenant_id: TenantId,
    now: DateTime<Utc>,
    warehouse_id: i64,
    quantities: &[(i64, i64)],
) -> Result<(), DbError> {
    let levels: Vec<Vec<Value>> = quantities
        .iter()
        .map(|(product, quantity)| {
            vec![
                tenant_id.into(),
                warehouse_id.into(),
                (*product).into(),
                (*quantity).into(),
                0_i64.into(),
                now.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO stock_levels (tenant_id, warehouse_id, product_id, on_hand, reserved, updated_at)",
        &levels,
    )
    .await?;
    let receipts: Vec<Vec<Value>> = quantities
        .iter()
        .map(|(product, quantity)| {
            vec![
                tenant_id.into(),
                warehouse_id.into(),
                (*product).into(),
                "receipt".into(),
                (*quantity).into(),
                0_i64.into(),
                "opening stock".into(),
                now.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO stock_movements (tenant_id, warehouse_id, product_id, kind, on_hand_delta, reserved_delta, note, created_at)",
        &receipts,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stock(warehouse_id: i64, product_id: i64, available: i64, priority: i64) -> Availability {
        Availability {
            warehouse_id,
            product_id,
            available,
            priority,
        }
    }

    #[test]
    fn the_serving_warehouse_goes_first_when_it_has_enough() {
        let stock = [stock(1, 10, 100, 1), stock(2, 10, 100, 50)];
        assert_eq!(allocate(&[(10, 5)], Some(2), &stock), Ok(vec![2]));
    }

    #[test]
    fn other_warehouses_follow_by_priority() {
        let stock = [stock(1, 10, 100, 9), stock(2, 10, 3, 1), stock(3, 10, 100, 5)];
        assert_eq!(allocate(&[(10, 5)], Some(2), &stock), Ok(vec![3]));
    }

    #[test]
    fn lines_of_one_product_share_what_is_available() {
        let stock = [stock(1, 10, 12, 1)];
        assert_eq!(
            allocate(&[(10, 8), (10, 5)], None, &stock),
            Err(vec![Shortage { line: 1, available: 4 }])
        );
    }

    #[test]
    fn a_product_without_stock_anywhere_is_short_of_everything() {
        assert_eq!(
            allocate(&[(10, 1)], None, &[]),
            Err(vec![Shortage { line: 0, available: 0 }])
        );
    }
}

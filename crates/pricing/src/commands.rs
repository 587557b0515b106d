//! Pricing commands: checked, all or nothing, audited.

use std::collections::{HashMap, HashSet};

use platform::audit::{self, Change};
use platform::failure::Checks;
use platform::{Actor, Clock, Currency, Db, Failure, FieldError, Permission};
use serde_json::json;

use crate::domain::{periods_overlap, Period, PriceListInput, PriceRowInput, ValidPriceRow};
use crate::store;

pub async fn create_price_list(db: &Db, clock: &Clock, actor: &Actor, input: &PriceListInput) -> Result<i64, Failure> {
    actor.require(Permission::ManagePrices)?;
    let list = input.validate()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = store::insert_price_list(&mut tx, actor.tenant_id, &list, now)
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                Failure::field("code", "price_list.code_taken")
            } else {
                e.into()
            }
        })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "price_list",
            entity_id: id,
            action: "create",
            before: None,
            after: Some(
                json!({ "code": list.code, "audience": list.audience.code(), "audience_id": list.audience_id }),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds rows to a price list: all are checked first, and none is written unless all are valid.
pub async fn import_price_rows(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    price_list_id: i64,
    rows: &[PriceRowInput],
) -> Result<u64, Failure> {
    actor.require(Permission::ManagePrices)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let currency = store::price_list_currency(&mut tx, actor.tenant_id, price_list_id)
        .await?
        .ok_or(Failure::NotFound { entity: "price_list" })?;
    let currency = Currency::parse(&currency).map_err(|e| Failure::Internal(e.to_string()))?;
    let mut checks = Checks::new();
    let valid: Vec<_> = rows
        .iter()
        .enumerate()
        .filter_map(|(row, input)| input.check(&mut checks, row, currency))
        .collect();
    checks.finish()?;
    let products: Vec<i64> = rows
        .iter()
        .map(|r| r.product_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if store::count_tenant_products(&mut tx, actor.tenant_id, &products).await? != products.len() {
        return Err(Failure::field("product_id", "field.not_found"));
    }
    check_overlaps(&mut tx, price_list_id, &products, &valid).await?;
    let added = store::insert_price_rows(&mut tx, actor.tenant_id, price_list_id, &valid).await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "price_list",
            entity_id: price_list_id,
            action: "import_rows",
            before: None,
            after: Some(json!({ "rows": added })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// Within one list, a product's price for one minimum quantity must have one value on any day:
/// new rows may not overlap each other or the rows already there.
async fn check_overlaps(
    tx: &mut platform::Tx,
    price_list_id: i64,
    products: &[i64],
    rows: &[ValidPriceRow],
) -> Result<(), Failure> {
    let mut periods: HashMap<(i64, i64), Vec<Period>> = HashMap::new();
    for (product, quantity, from, to) in store::existing_periods(tx, price_list_id, products).await? {
        periods.entry((product, quantity)).or_default().push((from, to));
    }
    let mut checks = Checks::new();
    for (index, row) in rows.iter().enumerate() {
        let known = periods.entry((row.product_id, row.min_quantity)).or_default();
        if known
            .iter()
            .any(|period| periods_overlap(*period, (row.valid_from, row.valid_to)))
        {
            checks.add(FieldError::new(
                format!("rows[{index}].valid_from"),
                "price_list.period_overlaps",
            ));
        }
        known.push((row.valid_from, row.valid_to));
    }
    checks.finish()
}

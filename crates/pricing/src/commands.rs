//! Pricing commands: checked, all or nothing, audited.

use std::collections::{HashMap, HashSet};

use platform::audit::{self, Change};
use platform::failure::Checks;
use platform::{Actor, Clock, Currency, Db, Failure, FieldError, Permission};
use serde_json::json;

use crate::domain::{
    periods_overlap, Period, PriceListInput, PriceRowInput, PromotionInput, PromotionSummary, StoredTerms,
    ValidPriceRow,
};
use crate::store;

pub async fn create_price_list(db: &Db, clock: &Clock, actor: &Actor, input: &PriceListInput) -> Result<i64, Failure> {
    actor.require(Permission::ManagePrices)?;
    let list = input.validate()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if let Some(audience_id) = list.audience_id {
        if !platform::audience::audience_exists(&mut tx, actor.tenant_id, list.audience.code(), audience_id).await? {
            return Err(Failure::field("audience_id", "field.not_found"));
        }
    }
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

/// Creates a promotion; its terms are checked against the engine's rules before it is saved.
pub async fn create_promotion(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    input: &PromotionInput,
) -> Result<PromotionSummary, Failure> {
    actor.require(Permission::ManagePrices)?;
    let promotion = input.validate()?;
    let engine_view = crate::promotions::Promotion {
        id: 0,
        code: promotion.code.clone(),
        name: promotion.name.clone(),
        kind: promotion.terms.kind(promotion.currency),
        priority: promotion.priority,
        stackable: promotion.stackable,
        starts_on: promotion.starts_on,
        ends_on: promotion.ends_on,
        product_ids: promotion.product_ids.clone(),
        budget_remaining: promotion.budget,
        quantity_remaining: promotion.quantity_cap,
    };
    engine_view
        .check(promotion.currency)
        .map_err(|error| Failure::Invalid(vec![FieldError::new("kind", error.code())]))?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let mut products = promotion.product_ids.clone();
    if let StoredTerms::BuyGet {
        free_product_id: Some(free),
        ..
    } = &promotion.terms
    {
        products.push(*free);
    }
    if let StoredTerms::Bundle { components, .. } = &promotion.terms {
        products.extend(components.iter().map(|(product, _)| *product));
    }
    products.sort_unstable();
    products.dedup();
    if store::count_tenant_products(&mut tx, actor.tenant_id, &products).await? != products.len() {
        return Err(Failure::field("product_ids", "field.not_found"));
    }
    for (audience, audience_id) in &promotion.audiences {
        if !platform::audience::audience_exists(&mut tx, actor.tenant_id, audience, *audience_id).await? {
            return Err(Failure::field("audiences", "field.not_found"));
        }
    }
    if store::count_tenant_categories(&mut tx, actor.tenant_id, &promotion.category_ids).await?
        != promotion.category_ids.len()
    {
        return Err(Failure::field("category_ids", "field.not_found"));
    }
    let id = store::insert_promotion(&mut tx, actor.tenant_id, &promotion, now)
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                Failure::field("code", "promotion.code_taken")
            } else {
                e.into()
            }
        })?;
    let created = store::find_promotion(&mut platform::db::Source::Tx(&mut tx), actor.tenant_id, id)
        .await?
        .ok_or(Failure::NotFound { entity: "promotion" })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "promotion",
            entity_id: id,
            action: "create",
            before: None,
            after: serde_json::to_value(input).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// Pauses a promotion or makes it active again.
pub async fn set_promotion_active(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<PromotionSummary, Failure> {
    actor.require(Permission::ManagePrices)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let status = if active { "active" } else { "paused" };
    if store::set_promotion_status(&mut tx, actor.tenant_id, id, status, now).await? == 0 {
        return Err(Failure::NotFound { entity: "promotion" });
    }
    let after = store::find_promotion(&mut platform::db::Source::Tx(&mut tx), actor.tenant_id, id)
        .await?
        .ok_or(Failure::NotFound { entity: "promotion" })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "promotion",
            entity_id: id,
            action: if active { "activate" } else { "pause" },
            before: None,
            after: Some(json!({ "status": status })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

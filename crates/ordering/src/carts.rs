//! Carts: each dealer user's own working cart and saved carts, priced in one pass, and turned
//! into orders through the same command as every other channel.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use platform::{Actor, Clock, Db, DealerAudience, Failure, FieldError, Permission, UserId};
use serde::Serialize;
use utoipa::ToSchema;

use crate::commands::{self, orderable_products, Placed};
use crate::domain::{resolve_lines, Channel, OrderInput, OrderLineInput};
use crate::store;

/// The working cart's name; saved carts have their own.
const WORKING: &str = "";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedCart {
    pub name: String,
    pub line_count: i64,
    pub updated_at: DateTime<Utc>,
}

/// A product the dealer put in the cart, with what stops it from being ordered, if anything.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CartLine {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub pack_size: i64,
    pub quantity: i64,
    pub min_order_quantity: i64,
    pub order_multiple: i64,
    /// A message key when the line cannot be ordered as it is (no longer published, below the
    /// minimum, not a multiple, no price); the order would be refused until it is fixed.
    pub problem: Option<String>,
}

/// A line as an order placed now would hold it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PricedCartLine {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_list_price: String,
    pub unit_net_price: String,
    pub line_total: String,
    pub free: bool,
    pub bundle_of: Option<i64>,
    #[schema(value_type = Vec<Object>)]
    pub promotions: Vec<pricing::promotions::Applied>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CartView {
    pub lines: Vec<CartLine>,
    /// What an order would hold now: the lines priced together, with free goods and bundle
    /// components as their own lines. Empty while any line has a problem.
    pub priced: Vec<PricedCartLine>,
    #[schema(value_type = Vec<Object>)]
    pub order_discounts: Vec<pricing::promotions::Applied>,
    pub currency: String,
    pub net_total: Option<String>,
    pub vat_total: Option<String>,
    pub gross_total: Option<String>,
    pub saved: Vec<SavedCart>,
}

fn dealer_user(actor: &Actor, audience: &DealerAudience) -> Result<UserId, Failure> {
    actor.require(Permission::PlaceOrders)?;
    match (actor.user_id, actor.scope.dealer_id()) {
        (Some(user), Some(dealer)) if dealer == audience.dealer_id => Ok(user),
        _ => Err(Failure::Forbidden),
    }
}

/// The user's working cart, priced as an order placed now would be: one query for the lines,
/// one for their products, then one pricing pass for the whole cart.
pub async fn cart(db: &Db, clock: &Clock, actor: &Actor, audience: &DealerAudience) -> Result<CartView, Failure> {
    let user = dealer_user(actor, audience)?;
    let stored = store::cart_lines(db, user, WORKING).await?;
    let ids: Vec<i64> = stored.iter().map(|(id, _)| *id).collect();
    let (items, products) = orderable_products(db, actor, audience, &ids, &[]).await?;
    let inputs: Vec<OrderLineInput> = stored
        .iter()
        .map(|(product, quantity)| OrderLineInput {
            product_id: Some(*product),
            product_code: None,
            quantity: *quantity,
        })
        .collect();
    let mut problems: HashMap<usize, String> = match resolve_lines(&inputs, &products) {
        Ok(_) => HashMap::new(),
        Err(failure) => problems_by_line(failure)?,
    };
    let facts = catalog::queries::line_facts(db, actor, actor.locale, &ids).await?;
    let mut view = CartView {
        lines: Vec::with_capacity(stored.len()),
        priced: Vec::new(),
        order_discounts: Vec::new(),
        currency: audience.currency.clone(),
        net_total: None,
        vat_total: None,
        gross_total: None,
        saved: store::saved_carts(db, user).await?,
    };
    if problems.is_empty() && !stored.is_empty() {
        let lines: Vec<(i64, Option<i64>, i64)> = stored
            .iter()
            .map(|(product, quantity)| {
                let category = items
                    .iter()
                    .find(|i| i.product_id == *product)
                    .and_then(|i| i.category_id);
                (*product, category, *quantity)
            })
            .collect();
        let (today, settings) = commands::tenant_day(db, clock, actor).await?;
        match commands::price(db, actor, audience, settings.pricing_revisions, &lines, &facts, today).await {
            Ok(draft) => {
                view.net_total = Some(draft.net_total.to_decimal_string());
                view.vat_total = Some(draft.vat_total.to_decimal_string());
                view.gross_total = Some(draft.gross_total()?.to_decimal_string());
                view.order_discounts = draft.order_discounts.clone();
                view.priced = draft
                    .lines
                    .iter()
                    .map(|line| {
                        let facts = draft.facts.get(&line.product_id);
                        PricedCartLine {
                            product_id: line.product_id,
                            sku: facts.map(|f| f.sku.clone()).unwrap_or_default(),
                            name: facts.map(|f| f.name.clone()).unwrap_or_default(),
                            quantity: line.quantity,
                            unit_list_price: line.unit_list_price.to_decimal_string(),
                            unit_net_price: line.unit_net_price.to_decimal_string(),
                            line_total: line.line_total.to_decimal_string(),
                            free: line.free,
                            bundle_of: line.bundle_of,
                            promotions: line.applied.clone(),
                        }
                    })
                    .collect();
            }
            Err(Failure::Invalid(errors)) => problems = problems_by_line(Failure::Invalid(errors))?,
            Err(other) => return Err(other),
        }
    }
    for (index, (product, quantity)) in stored.iter().enumerate() {
        let item = items.iter().find(|i| i.product_id == *product);
        let facts = facts.get(product);
        view.lines.push(CartLine {
            product_id: *product,
            sku: facts.map(|f| f.sku.clone()).unwrap_or_default(),
            name: facts.map(|f| f.name.clone()).unwrap_or_default(),
            unit: item.map(|i| i.unit.clone()).unwrap_or_default(),
            pack_size: item.map_or(1, |i| i.pack_size),
            quantity: *quantity,
            min_order_quantity: item.map_or(1, |i| i.min_order_quantity),
            order_multiple: item.map_or(1, |i| i.order_multiple),
            problem: problems.remove(&index),
        });
    }
    Ok(view)
}

/// Field errors named `lines[i].…` as the message key of each line.
fn problems_by_line(failure: Failure) -> Result<HashMap<usize, String>, Failure> {
    let Failure::Invalid(errors) = failure else {
        return Err(failure);
    };
    Ok(errors
        .into_iter()
        .filter_map(|error| {
            let index = error.field.strip_prefix("lines[")?.split(']').next()?.parse().ok()?;
            Some((index, error.code.to_owned()))
        })
        .collect())
}

/// Sets a product's quantity in the working cart (zero takes it out), or adds to it. The product
/// must be one the dealer may order, and the quantity must respect its minimum and multiple.
pub async fn put_in_cart(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    product_id: i64,
    quantity: i64,
    add: bool,
) -> Result<(), Failure> {
    let user = dealer_user(actor, audience)?;
    if quantity < 0 || (add && quantity == 0) {
        return Err(Failure::field("quantity", "field.positive"));
    }
    let now = clock.now();
    let existing: i64 = store::cart_lines(db, user, WORKING)
        .await?
        .iter()
        .find(|(id, _)| *id == product_id)
        .map_or(0, |(_, quantity)| *quantity);
    let total = if add { existing + quantity } else { quantity };
    if total > 0 {
        let (_, products) = orderable_products(db, actor, audience, &[product_id], &[]).await?;
        let line = OrderLineInput {
            product_id: Some(product_id),
            product_code: None,
            quantity: total,
        };
        resolve_lines(&[line], &products).map_err(|failure| match failure {
            Failure::Invalid(errors) => Failure::Invalid(
                errors
                    .into_iter()
                    .map(|mut error| {
                        error.field = error.field.replace("lines[0].", "");
                        error
                    })
                    .collect(),
            ),
            other => other,
        })?;
    }
    let mut tx = db.begin().await?;
    let cart = store::cart_id(&mut tx, actor.tenant_id, audience.dealer_id, user, WORKING, now).await?;
    store::put_cart_lines(&mut tx, actor.tenant_id, cart, &[(product_id, total)], false, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Quick entry: one line per product, a SKU or GTIN then a quantity ("WTR-05 120"), separated by
/// spaces, tabs, commas or semicolons, as pasted from a spreadsheet. All lines are checked and
/// none is added unless all are good; errors name the entry line (`entries[3]`).
pub async fn add_entries(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    text: &str,
) -> Result<usize, Failure> {
    let user = dealer_user(actor, audience)?;
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for (index, raw) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let parts: Vec<&str> = raw
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|p| !p.is_empty())
            .collect();
        match parts.as_slice() {
            [code, quantity] => match quantity.parse::<i64>() {
                Ok(quantity) if quantity > 0 => entries.push((index, (*code).to_owned(), quantity)),
                _ => errors.push(FieldError::new(format!("entries[{index}]"), "cart.entry_quantity")),
            },
            _ => errors.push(FieldError::new(format!("entries[{index}]"), "cart.entry_format")),
        }
    }
    if entries.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("entries", "field.required"));
    }
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let codes: Vec<String> = entries.iter().map(|(_, code, _)| code.clone()).collect();
    let (_, products) = orderable_products(db, actor, audience, &[], &codes).await?;
    let inputs: Vec<OrderLineInput> = entries
        .iter()
        .map(|(_, code, quantity)| OrderLineInput {
            product_id: None,
            product_code: Some(code.clone()),
            quantity: *quantity,
        })
        .collect();
    let resolved = resolve_lines(&inputs, &products).map_err(|failure| rename_to_entries(failure, &entries))?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let cart = store::cart_id(&mut tx, actor.tenant_id, audience.dealer_id, user, WORKING, now).await?;
    let lines: Vec<(i64, i64)> = resolved
        .iter()
        .map(|(product, _, quantity)| (*product, *quantity))
        .collect();
    store::put_cart_lines(&mut tx, actor.tenant_id, cart, &lines, true, now).await?;
    tx.commit().await?;
    Ok(lines.len())
}

/// `lines[i].field` errors as `entries[line of the text]`.
fn rename_to_entries(failure: Failure, entries: &[(usize, String, i64)]) -> Failure {
    let Failure::Invalid(errors) = failure else {
        return failure;
    };
    Failure::Invalid(
        errors
            .into_iter()
            .map(|mut error| {
                let index: Option<usize> = error
                    .field
                    .strip_prefix("lines[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|i| i.parse().ok());
                if let Some((line, _, _)) = index.and_then(|i| entries.get(i)) {
                    error.field = format!("entries[{line}]");
                }
                error
            })
            .collect(),
    )
}

/// Puts the products of an earlier order (its regular lines, not free goods) into the working
/// cart, adding to what is there. Products the dealer may no longer order are left out and
/// counted in the answer: (added, left out).
pub async fn reorder(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    order_id: i64,
) -> Result<(usize, usize), Failure> {
    let user = dealer_user(actor, audience)?;
    let lines = store::reorder_lines(db, actor.tenant_id, &actor.scope, order_id)
        .await?
        .ok_or(Failure::NotFound { entity: "order" })?;
    let ids: Vec<i64> = lines.iter().map(|(id, _)| *id).collect();
    let (_, products) = orderable_products(db, actor, audience, &ids, &[]).await?;
    let orderable: Vec<i64> = products.iter().filter(|p| p.active).map(|p| p.product_id).collect();
    let kept: Vec<(i64, i64)> = lines.iter().copied().filter(|(id, _)| orderable.contains(id)).collect();
    let now = clock.now();
    let mut tx = db.begin().await?;
    let cart = store::cart_id(&mut tx, actor.tenant_id, audience.dealer_id, user, WORKING, now).await?;
    store::put_cart_lines(&mut tx, actor.tenant_id, cart, &kept, true, now).await?;
    tx.commit().await?;
    Ok((kept.len(), lines.len() - kept.len()))
}

pub async fn clear_cart(db: &Db, clock: &Clock, actor: &Actor, audience: &DealerAudience) -> Result<(), Failure> {
    let user = dealer_user(actor, audience)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let cart = store::cart_id(&mut tx, actor.tenant_id, audience.dealer_id, user, WORKING, now).await?;
    store::clear_cart(&mut tx, cart).await?;
    tx.commit().await?;
    Ok(())
}

fn cart_name(name: &str) -> Result<String, Failure> {
    let mut checks = platform::failure::Checks::new();
    let name = checks.text("name", name, 100);
    checks.finish()?;
    Ok(name)
}

/// Saves the working cart under a name (replacing a saved cart of that name); the working cart
/// stays as it is.
pub async fn save_cart(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    name: &str,
) -> Result<(), Failure> {
    let user = dealer_user(actor, audience)?;
    let name = cart_name(name)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let working = store::cart_id(&mut tx, actor.tenant_id, audience.dealer_id, user, WORKING, now).await?;
    let saved = store::cart_id(&mut tx, actor.tenant_id, audience.dealer_id, user, &name, now).await?;
    store::copy_cart(&mut tx, working, saved, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the working cart with a saved one, which is kept.
pub async fn restore_cart(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    name: &str,
) -> Result<(), Failure> {
    let user = dealer_user(actor, audience)?;
    let name = cart_name(name)?;
    if !store::saved_carts(db, user).await?.iter().any(|c| c.name == name) {
        return Err(Failure::NotFound { entity: "cart" });
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let working = store::cart_id(&mut tx, actor.tenant_id, audience.dealer_id, user, WORKING, now).await?;
    let saved = store::cart_id(&mut tx, actor.tenant_id, audience.dealer_id, user, &name, now).await?;
    store::copy_cart(&mut tx, saved, working, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_saved_cart(db: &Db, actor: &Actor, audience: &DealerAudience, name: &str) -> Result<(), Failure> {
    let user = dealer_user(actor, audience)?;
    let name = cart_name(name)?;
    let mut tx = db.begin().await?;
    if !store::delete_cart(&mut tx, user, &name).await? {
        return Err(Failure::NotFound { entity: "cart" });
    }
    tx.commit().await?;
    Ok(())
}

/// The order's own fields when it is made from the cart.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CartOrderInput {
    pub dealer_order_number: String,
    pub delivery_location_id: i64,
    pub requested_delivery_on: chrono::NaiveDate,
    #[serde(default)]
    pub allow_adjust: bool,
    #[serde(default)]
    pub comment: Option<String>,
    /// Save the order as a draft, to submit later.
    #[serde(default)]
    pub draft: bool,
}

/// Places the working cart as an order (or saves it as a draft), then empties the cart.
pub async fn order_cart(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    input: &CartOrderInput,
    channel: Channel,
) -> Result<Placed, Failure> {
    let user = dealer_user(actor, audience)?;
    let lines = store::cart_lines(db, user, WORKING).await?;
    if lines.is_empty() {
        return Err(Failure::field("lines", "cart.empty"));
    }
    let order = OrderInput {
        dealer_order_number: input.dealer_order_number.clone(),
        delivery_location_id: input.delivery_location_id,
        requested_delivery_on: input.requested_delivery_on,
        allow_adjust: input.allow_adjust,
        comment: input.comment.clone(),
        lines: lines
            .iter()
            .map(|(product, quantity)| OrderLineInput {
                product_id: Some(*product),
                product_code: None,
                quantity: *quantity,
            })
            .collect(),
        draft: input.draft,
    };
    let placed = commands::place_order(db, clock, actor, audience, &order, channel, None).await?;
    if placed.created {
        clear_cart(db, clock, actor, audience).await?;
    }
    Ok(placed)
}

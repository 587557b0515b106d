//! Shipments: goods leaving a warehouse for a dealer, from one confirmed sales order.
//!
//! A shipment has packages, each named by its SSCC, and lines taking part of what the sales order
//! confirmed; a product that is lot-tracked names the batch and expiry of every line. Recording
//! one consumes the reservation: on hand and reserved both fall by what left. Ordering decides
//! which order lines may be shipped and moves the order on; this module checks and writes the
//! shipment itself inside ordering's transaction.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use platform::failure::Checks;
use platform::{Actor, Failure, FieldError, Sscc, Tx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::stock::{self, Movement};
use crate::store;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentInput {
    /// The SSCC of every package (pallet or parcel), 18 digits with their check digit.
    pub packages: Vec<String>,
    #[serde(default)]
    pub vehicle: Option<String>,
    #[serde(default)]
    pub planned_arrival_on: Option<NaiveDate>,
    pub lines: Vec<ShipmentLineInput>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentLineInput {
    /// The order line shipped from.
    pub line_number: i64,
    pub quantity: i64,
    /// The package it travels in; may be left out when there is one package.
    #[serde(default)]
    pub sscc: Option<String>,
    /// Batch (lot) and expiry, required for lot-tracked products.
    #[serde(default)]
    pub batch: Option<String>,
    #[serde(default)]
    pub expiry_on: Option<NaiveDate>,
}

/// What ordering knows of an order line that this sales order may ship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippableLine {
    pub line_number: i64,
    pub product_id: i64,
    pub warehouse_id: i64,
    /// Confirmed and not yet shipped.
    pub open_quantity: i64,
    pub lot_tracked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedLine {
    pub line_number: i64,
    pub product_id: i64,
    pub warehouse_id: i64,
    pub quantity: i64,
    pub sscc: String,
    pub batch: Option<String>,
    pub expiry_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedShipment {
    pub packages: Vec<String>,
    pub vehicle: String,
    pub planned_arrival_on: Option<NaiveDate>,
    pub lines: Vec<CheckedLine>,
}

/// Checks a shipment against the lines it may ship; `today` is in the tenant's time zone.
pub fn check(input: &ShipmentInput, shippable: &[ShippableLine], today: NaiveDate) -> Result<CheckedShipment, Failure> {
    let mut checks = Checks::new();
    let vehicle = checks
        .optional_text("vehicle", input.vehicle.as_deref(), 100)
        .unwrap_or_default();
    if input.planned_arrival_on.is_some_and(|day| day < today) {
        checks.add(FieldError::new("planned_arrival_on", "order.date_in_past"));
    }
    if input.packages.is_empty() {
        checks.add(FieldError::new("packages", "shipment.no_packages"));
    }
    let mut packages = Vec::with_capacity(input.packages.len());
    for (index, text) in input.packages.iter().enumerate() {
        let field = format!("packages[{index}]");
        match Sscc::parse(text) {
            Ok(sscc) if packages.contains(&sscc.as_str().to_owned()) => {
                checks.add(FieldError::new(field, "shipment.package_repeated"));
            }
            Ok(sscc) => packages.push(sscc.as_str().to_owned()),
            Err(error) => checks.identifier(&field, &error),
        }
    }
    if input.lines.is_empty() {
        checks.add(FieldError::new("lines", "order.no_lines"));
    }
    let mut seen = HashSet::new();
    let mut lines = Vec::with_capacity(input.lines.len());
    for (index, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{index}].{name}");
        let Some(order_line) = shippable.iter().find(|s| s.line_number == line.line_number) else {
            checks.add(FieldError::new(field("line_number"), "shipment.line_not_shippable"));
            continue;
        };
        if !seen.insert(line.line_number) {
            checks.add(FieldError::new(field("line_number"), "order.line_repeated"));
        }
        if line.quantity <= 0 {
            checks.add(FieldError::new(field("quantity"), "field.positive"));
        } else if line.quantity > order_line.open_quantity {
            checks.add(
                FieldError::new(field("quantity"), "shipment.beyond_confirmed").with("max", order_line.open_quantity),
            );
        }
        let sscc = match line.sscc.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(text) => match Sscc::parse(text) {
                Ok(sscc) if packages.contains(&sscc.as_str().to_owned()) => sscc.as_str().to_owned(),
                Ok(_) => {
                    checks.add(FieldError::new(field("sscc"), "shipment.unknown_package"));
                    String::new()
                }
                Err(error) => {
                    checks.identifier(&field("sscc"), &error);
                    String::new()
                }
            },
            // The package's own problem, if any, is named already.
            None if input.packages.len() == 1 => packages.first().cloned().unwrap_or_default(),
            None => {
                checks.add(FieldError::new(field("sscc"), "shipment.package_required"));
                String::new()
            }
        };
        let batch = checks.optional_text(&field("batch"), line.batch.as_deref(), 40);
        if order_line.lot_tracked {
            if batch.is_none() {
                checks.add(FieldError::new(field("batch"), "shipment.batch_required"));
            }
            match line.expiry_on {
                None => checks.add(FieldError::new(field("expiry_on"), "shipment.expiry_required")),
                Some(day) if day < today => checks.add(FieldError::new(field("expiry_on"), "shipment.expired")),
                Some(_) => {}
            }
        }
        lines.push(CheckedLine {
            line_number: line.line_number,
            product_id: order_line.product_id,
            warehouse_id: order_line.warehouse_id,
            quantity: line.quantity,
            sscc,
            batch,
            expiry_on: line.expiry_on,
        });
    }
    checks.finish()?;
    Ok(CheckedShipment {
        packages,
        vehicle,
        planned_arrival_on: input.planned_arrival_on,
        lines,
    })
}

/// Where a shipment comes from and goes to.
pub struct ShipmentHead<'a> {
    pub number: &'a str,
    pub order_id: i64,
    pub sales_order_id: i64,
    pub dealer_id: i64,
    pub warehouse_id: i64,
}

/// Writes a checked shipment and takes its goods out of stock, inside the caller's transaction.
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    head: &ShipmentHead<'_>,
    shipment: &CheckedShipment,
    now: DateTime<Utc>,
) -> Result<i64, Failure> {
    if store::sscc_used(tx, actor.tenant_id, &shipment.packages).await? {
        return Err(Failure::field("packages", "shipment.package_used"));
    }
    let id = store::insert_shipment(tx, actor, head, shipment, now).await?;
    let movements: Vec<Movement> = shipment
        .lines
        .iter()
        .map(|line| Movement {
            warehouse_id: line.warehouse_id,
            product_id: line.product_id,
            kind: "shipment",
            on_hand_delta: -line.quantity,
            reserved_delta: -line.quantity,
            order_id: Some(head.order_id),
            note: Some(head.number.to_owned()),
        })
        .collect();
    if stock::apply(tx, actor.tenant_id, actor.user_id, now, &movements)
        .await?
        .is_err()
    {
        return Err(Failure::Internal(format!(
            "order {} held less stock than shipment {} takes",
            head.order_id, head.number
        )));
    }
    Ok(id)
}

/// A shipment as both sides see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Shipment {
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub dealer_order_number: String,
    pub sales_order_id: i64,
    pub dealer_id: i64,
    pub dealer_code: String,
    pub warehouse_code: String,
    pub vehicle: String,
    pub planned_arrival_on: Option<NaiveDate>,
    pub shipped_at: DateTime<Utc>,
    pub shipped_by_name: String,
    pub packages: Vec<String>,
    pub lines: Vec<ShipmentLine>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShipmentLine {
    pub order_line_number: i64,
    pub product_id: i64,
    pub sku: String,
    pub quantity: i64,
    pub sscc: String,
    pub batch: Option<String>,
    pub expiry_on: Option<NaiveDate>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const PALLET: &str = "146012345000000019";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    fn shippable(lot_tracked: bool) -> Vec<ShippableLine> {
        vec![ShippableLine {
            line_number: 1,
            product_id: 7,
            warehouse_id: 3,
            open_quantity: 48,
            lot_tracked,
        }]
    }

    fn input(quantity: i64) -> ShipmentInput {
        ShipmentInput {
            packages: vec![PALLET.into()],
            vehicle: Some("А123ВС 77".into()),
            planned_arrival_on: Some(today()),
            lines: vec![ShipmentLineInput {
                line_number: 1,
                quantity,
                sscc: None,
                batch: None,
                expiry_on: None,
            }],
        }
    }

    fn codes(result: Result<CheckedShipment, Failure>) -> Vec<String> {
        match result {
            Err(Failure::Invalid(errors)) => errors.iter().map(|e| format!("{} {}", e.field, e.code)).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_line_travels_in_the_only_package_when_none_is_named() {
        let checked = check(&input(24), &shippable(false), today()).unwrap();
        assert_eq!(checked.lines[0].sscc, PALLET);
        assert_eq!(checked.lines[0].quantity, 24);
    }

    #[test]
    fn more_than_is_confirmed_and_not_yet_shipped_is_refused() {
        assert_eq!(
            codes(check(&input(49), &shippable(false), today())),
            vec!["lines[0].quantity shipment.beyond_confirmed"]
        );
    }

    #[test]
    fn an_sscc_with_a_wrong_check_digit_is_refused() {
        let mut wrong = input(24);
        wrong.packages = vec!["146012345000000018".into()];
        assert_eq!(
            codes(check(&wrong, &shippable(false), today())),
            vec!["packages[0] identifier.check_digit"]
        );
    }

    #[test]
    fn a_lot_tracked_product_names_its_batch_and_an_expiry_not_past() {
        assert_eq!(
            codes(check(&input(24), &shippable(true), today())),
            vec![
                "lines[0].batch shipment.batch_required",
                "lines[0].expiry_on shipment.expiry_required"
            ]
        );
        let mut old = input(24);
        old.lines[0].batch = Some("L2611".into());
        old.lines[0].expiry_on = NaiveDate::from_ymd_opt(2026, 11, 1);
        assert_eq!(
            codes(check(&old, &shippable(true), today())),
            vec!["lines[0].expiry_on shipment.expired"]
        );
    }

    #[test]
    fn a_line_of_another_sales_order_is_not_shippable_here() {
        let mut other = input(24);
        other.lines[0].line_number = 2;
        assert_eq!(
            codes(check(&other, &shippable(false), today())),
            vec!["lines[0].line_number shipment.line_not_shippable"]
        );
    }
}

//! Receiving: the dealer says what arrived of a shipment, line by line — received, accepted and
//! rejected quantities, with a reason wherever that differs from what was shipped. A receipt with
//! any difference is a discrepancy for the manufacturer to settle. Goods taken in (accepted) are
//! what the dealer received: they become the dealer's own stock, which the manufacturer's stock no
//! longer counts. Rejected goods are not received; they come back through a return.

use chrono::{DateTime, Utc};
use platform::failure::Checks;
use platform::{Actor, Failure, FieldError, Permission, Tx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::store;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptInput {
    #[serde(default)]
    pub note: Option<String>,
    /// Every line of the shipment; a line left out is taken as received exactly as shipped.
    #[serde(default)]
    pub lines: Vec<ReceiptLineInput>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptLineInput {
    /// The order line, as the shipment names it.
    pub line_number: i64,
    pub received_quantity: i64,
    /// What was received and taken in; with the rejected, it makes up the received.
    pub accepted_quantity: i64,
    #[serde(default)]
    pub rejected_quantity: i64,
    /// `damaged`, `wrong_product`, `short`, `surplus` or `expired`: required wherever the line
    /// differs from what was shipped or something is rejected.
    #[serde(default)]
    pub reason: Option<String>,
}

pub const REASONS: [&str; 5] = ["damaged", "wrong_product", "short", "surplus", "expired"];

/// One shipment line as it left the warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedLine {
    pub line_number: i64,
    pub product_id: i64,
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedLine {
    pub line_number: i64,
    pub product_id: i64,
    pub shipped: i64,
    pub received: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub reason: Option<&'static str>,
}

impl CheckedLine {
    pub fn differs(&self) -> bool {
        self.received != self.shipped || self.rejected > 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReceipt {
    pub note: String,
    pub lines: Vec<CheckedLine>,
}

impl CheckedReceipt {
    pub fn has_discrepancy(&self) -> bool {
        self.lines.iter().any(CheckedLine::differs)
    }
}

/// Checks a receipt against the shipment's lines.
pub fn check(input: &ReceiptInput, shipped: &[ShippedLine]) -> Result<CheckedReceipt, Failure> {
    let mut checks = Checks::new();
    let note = checks
        .optional_text("note", input.note.as_deref(), 1_000)
        .unwrap_or_default();
    for (index, line) in input.lines.iter().enumerate() {
        if !shipped.iter().any(|s| s.line_number == line.line_number) {
            checks.add(FieldError::new(
                format!("lines[{index}].line_number"),
                "receipt.line_not_shipped",
            ));
        }
        if input.lines[..index].iter().any(|l| l.line_number == line.line_number) {
            checks.add(FieldError::new(
                format!("lines[{index}].line_number"),
                "order.line_repeated",
            ));
        }
    }
    let mut lines = Vec::with_capacity(shipped.len());
    for line in shipped {
        let Some((index, given)) = input
            .lines
            .iter()
            .enumerate()
            .find(|(_, l)| l.line_number == line.line_number)
        else {
            lines.push(CheckedLine {
                line_number: line.line_number,
                product_id: line.product_id,
                shipped: line.quantity,
                received: line.quantity,
                accepted: line.quantity,
                rejected: 0,
                reason: None,
            });
            continue;
        };
        let field = |name: &str| format!("lines[{index}].{name}");
        for (name, value) in [
            ("received_quantity", given.received_quantity),
            ("accepted_quantity", given.accepted_quantity),
            ("rejected_quantity", given.rejected_quantity),
        ] {
            if value < 0 {
                checks.add(FieldError::new(field(name), "field.not_negative"));
            }
        }
        if given.accepted_quantity + given.rejected_quantity != given.received_quantity {
            checks.add(FieldError::new(
                field("accepted_quantity"),
                "receipt.quantities_do_not_add_up",
            ));
        }
        let given_reason = given.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        let reason = match given_reason {
            None => None,
            Some(code) => {
                let known = REASONS.iter().copied().find(|r| *r == code);
                if known.is_none() {
                    checks.add(FieldError::new(field("reason"), "receipt.reason_unknown"));
                }
                known
            }
        };
        let checked = CheckedLine {
            line_number: line.line_number,
            product_id: line.product_id,
            shipped: line.quantity,
            received: given.received_quantity,
            accepted: given.accepted_quantity,
            rejected: given.rejected_quantity,
            reason,
        };
        if checked.received > checked.shipped && reason != Some("surplus") {
            checks.add(
                FieldError::new(field("received_quantity"), "receipt.surplus_unmarked").with("shipped", line.quantity),
            );
        } else if checked.differs() && given_reason.is_none() {
            checks.add(FieldError::new(field("reason"), "receipt.reason_required"));
        }
        lines.push(checked);
    }
    checks.finish()?;
    Ok(CheckedReceipt { note, lines })
}

/// Goods are taken in, and sent back, by the dealer's own people with the right to receive
/// them; never by the manufacturer's, whose administrators hold every permission.
pub fn require_receiver(actor: &Actor) -> Result<(), Failure> {
    actor.require(Permission::ReceiveGoods)?;
    if actor.is_dealer_user() {
        Ok(())
    } else {
        Err(Failure::Forbidden)
    }
}

/// The shipment's order and dealer and its lines, if the actor may see it.
pub async fn shipment_lines(
    tx: &mut Tx,
    actor: &Actor,
    shipment_id: i64,
) -> Result<(i64, i64, Vec<ShippedLine>), Failure> {
    store::shipment_for_receipt(tx, actor.tenant_id, &actor.scope, shipment_id)
        .await?
        .ok_or(Failure::NotFound { entity: "shipment" })
}

/// Where a receipt belongs.
pub struct ReceiptHead {
    pub shipment_id: i64,
    pub order_id: i64,
    pub dealer_id: i64,
}

/// Writes a checked receipt inside the caller's transaction; a shipment is received once.
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    head: &ReceiptHead,
    receipt: &CheckedReceipt,
    now: DateTime<Utc>,
) -> Result<i64, Failure> {
    match store::insert_receipt(tx, actor, head, receipt, now).await {
        Err(error) if error.is_unique_violation() => Err(Failure::Conflict {
            code: "receipt.already_received",
        }),
        other => Ok(other?),
    }
}

/// Whether every shipment of the order has been received and no receipt of it has a
/// discrepancy still to settle.
pub async fn all_received_and_settled(tx: &mut Tx, order_id: i64) -> Result<bool, Failure> {
    Ok(store::all_shipments_received_and_settled(tx, order_id).await?)
}

/// Settles the open discrepancy of a receipt the actor may see; returns the receipt's order.
pub async fn settle(
    tx: &mut Tx,
    actor: &Actor,
    receipt_id: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<i64, Failure> {
    match store::settle_discrepancy(tx, actor, receipt_id, note, now).await? {
        None => Err(Failure::NotFound { entity: "receipt" }),
        Some((_, false)) => Err(Failure::Conflict {
            code: "receipt.nothing_to_settle",
        }),
        Some((order_id, true)) => Ok(order_id),
    }
}

/// A receipt as both sides see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    pub id: i64,
    pub shipment_id: i64,
    pub shipment_number: String,
    pub order_id: i64,
    pub dealer_order_number: String,
    pub dealer_code: String,
    pub note: String,
    pub received_at: DateTime<Utc>,
    pub received_by_name: String,
    /// `none`, `open` (to settle) or `settled`.
    pub discrepancy: String,
    pub settled_by_name: Option<String>,
    pub settlement_note: Option<String>,
    pub lines: Vec<ReceiptLine>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptLine {
    pub order_line_number: i64,
    pub sku: String,
    pub shipped_quantity: i64,
    pub received_quantity: i64,
    pub accepted_quantity: i64,
    pub rejected_quantity: i64,
    pub reason: Option<String>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn shipped() -> Vec<ShippedLine> {
        vec![
            ShippedLine {
                line_number: 1,
                product_id: 7,
                quantity: 48,
            },
            ShippedLine {
                line_number: 2,
                product_id: 8,
                quantity: 24,
            },
        ]
    }

    fn line(received: i64, accepted: i64, rejected: i64, reason: Option<&str>) -> ReceiptLineInput {
        ReceiptLineInput {
            line_number: 1,
            received_quantity: received,
            accepted_quantity: accepted,
            rejected_quantity: rejected,
            reason: reason.map(str::to_owned),
        }
    }

    fn codes(input: ReceiptInput) -> Vec<String> {
        match check(&input, &shipped()) {
            Err(Failure::Invalid(errors)) => errors.iter().map(|e| format!("{} {}", e.field, e.code)).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    fn with(lines: Vec<ReceiptLineInput>) -> ReceiptInput {
        ReceiptInput { note: None, lines }
    }

    #[test]
    fn lines_left_out_arrived_as_shipped_and_make_no_discrepancy() {
        let receipt = check(&with(Vec::new()), &shipped()).unwrap();
        assert_eq!(receipt.lines.len(), 2);
        assert_eq!((receipt.lines[1].received, receipt.lines[1].accepted), (24, 24));
        assert!(!receipt.has_discrepancy());
    }

    #[test]
    fn a_short_or_damaged_line_names_its_reason_and_is_a_discrepancy() {
        assert_eq!(
            codes(with(vec![line(46, 46, 0, None)])),
            vec!["lines[0].reason receipt.reason_required"]
        );
        let receipt = check(&with(vec![line(48, 45, 3, Some("damaged"))]), &shipped()).unwrap();
        assert!(receipt.has_discrepancy());
        assert_eq!(receipt.lines[0].rejected, 3);
    }

    #[test]
    fn more_than_shipped_is_only_taken_as_marked_surplus() {
        assert_eq!(
            codes(with(vec![line(50, 50, 0, Some("damaged"))])),
            vec!["lines[0].received_quantity receipt.surplus_unmarked"]
        );
        assert!(check(&with(vec![line(50, 50, 0, Some("surplus"))]), &shipped()).is_ok());
    }

    #[test]
    fn accepted_and_rejected_make_up_the_received() {
        assert_eq!(
            codes(with(vec![line(48, 40, 3, Some("damaged"))])),
            vec!["lines[0].accepted_quantity receipt.quantities_do_not_add_up"]
        );
    }

    #[test]
    fn a_line_not_shipped_cannot_be_received() {
        let mut other = line(1, 1, 0, Some("surplus"));
        other.line_number = 9;
        assert_eq!(
            codes(with(vec![other])),
            vec!["lines[0].line_number receipt.line_not_shipped"]
        );
    }
}

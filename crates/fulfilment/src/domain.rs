//! Warehouses and stock levels.

use platform::failure::Checks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Warehouse {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub gln: Option<String>,
    /// Orders reserve first in the warehouse serving the delivery location, then in the others,
    /// lower priority first.
    pub priority: i64,
    /// Goods in a warehouse that is not sellable (defective goods) are never available.
    pub sellable: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarehouseInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub gln: Option<String>,
    #[serde(default = "default_priority")]
    pub priority: i64,
    #[serde(default = "default_sellable")]
    pub sellable: bool,
}

fn default_priority() -> i64 {
    100
}

fn default_sellable() -> bool {
    true
}

pub struct ValidWarehouse {
    pub code: String,
    pub name: String,
    pub gln: Option<String>,
    pub priority: i64,
    pub sellable: bool,
}

impl WarehouseInput {
    pub fn validate(&self) -> Result<ValidWarehouse, platform::Failure> {
        let mut checks = Checks::new();
        let code = checks.code("code", &self.code, 35);
        let name = checks.text("name", &self.name, 200);
        let gln = checks.gln("gln", self.gln.as_deref()).map(|gln| gln.to_string());
        if self.priority < 0 {
            checks.add(platform::FieldError::new("priority", "field.not_negative"));
        }
        checks.finish()?;
        Ok(ValidWarehouse {
            code,
            name,
            gln,
            priority: self.priority,
            sellable: self.sellable,
        })
    }
}

/// One product in one warehouse.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StockLevel {
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub product_id: i64,
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    /// On hand less reserved: what new orders may still take.
    pub available: i64,
    pub safety_stock: Option<i64>,
    pub max_stock: Option<i64>,
}

/// A receipt, or a correction counted on the shelf, for one product in one warehouse.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockChangeInput {
    pub warehouse_id: i64,
    pub product_id: i64,
    /// `receipt` adds to on hand; `adjustment` adds or (negative) takes away; `stocktake` sets
    /// on hand to the counted quantity.
    pub kind: StockChangeKind,
    pub quantity: i64,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockChangeKind {
    Receipt,
    Adjustment,
    Stocktake,
}

impl StockChangeKind {
    pub fn code(self) -> &'static str {
        match self {
            StockChangeKind::Receipt => "receipt",
            StockChangeKind::Adjustment => "adjustment",
            StockChangeKind::Stocktake => "stocktake",
        }
    }
}

impl StockChangeInput {
    /// The change of on hand this input makes when `on_hand` is what the warehouse holds now.
    pub fn on_hand_delta(&self, on_hand: i64, reserved: i64) -> Result<i64, platform::Failure> {
        let delta = match self.kind {
            StockChangeKind::Receipt if self.quantity <= 0 => {
                return Err(platform::Failure::field("quantity", "field.positive"));
            }
            StockChangeKind::Stocktake if self.quantity < 0 => {
                return Err(platform::Failure::field("quantity", "field.not_negative"));
            }
            StockChangeKind::Receipt | StockChangeKind::Adjustment => self.quantity,
            StockChangeKind::Stocktake => self.quantity - on_hand,
        };
        if on_hand + delta < reserved {
            // Taking away goods that orders already hold would oversell them.
            return Err(platform::Failure::Invalid(vec![platform::FieldError::new(
                "quantity",
                "stock.below_reserved",
            )
            .with("reserved", reserved)]));
        }
        Ok(delta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: StockChangeKind, quantity: i64) -> StockChangeInput {
        StockChangeInput {
            warehouse_id: 1,
            product_id: 1,
            kind,
            quantity,
            note: None,
        }
    }

    #[test]
    fn a_stocktake_sets_on_hand_to_what_was_counted() {
        assert_eq!(
            change(StockChangeKind::Stocktake, 40).on_hand_delta(55, 0).ok(),
            Some(-15)
        );
    }

    #[test]
    fn stock_held_by_orders_cannot_be_taken_away() {
        assert!(change(StockChangeKind::Adjustment, -10).on_hand_delta(50, 45).is_err());
        assert!(change(StockChangeKind::Adjustment, -5).on_hand_delta(50, 45).is_ok());
    }

    #[test]
    fn a_receipt_must_add_something() {
        assert!(change(StockChangeKind::Receipt, 0).on_hand_delta(0, 0).is_err());
    }
}

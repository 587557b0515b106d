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

/// Stock levels from the manufacturer's ERP: a full snapshot of the warehouses the rows name, or
/// changes to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockImportInput {
    pub mode: StockImportMode,
    pub rows: Vec<StockRowInput>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockImportMode {
    /// Each row's quantity is what is on hand; products of the named warehouses that no row
    /// names have nothing on hand.
    Snapshot,
    /// Each row's quantity is added to what is on hand (negative takes away).
    Changes,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockRowInput {
    pub warehouse_code: String,
    pub sku: String,
    pub quantity: i64,
    /// Below this many available units the product is flagged.
    #[serde(default)]
    pub safety_stock: Option<i64>,
    /// Above this many units on hand the product is flagged.
    #[serde(default)]
    pub max_stock: Option<i64>,
}

/// The most rows one import takes.
pub const MAX_STOCK_ROWS: usize = 200_000;

/// A row found good: its warehouse and product, and what it asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockRow {
    pub warehouse_id: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub safety_stock: Option<i64>,
    pub max_stock: Option<i64>,
}

/// Checks the rows against the tenant's warehouses and products (by code and SKU); field names
/// are `rows[i].…`, as imports expect.
pub fn check_stock_rows(
    input: &StockImportInput,
    warehouses: &std::collections::HashMap<String, i64>,
    products: &std::collections::HashMap<String, i64>,
) -> Result<Vec<StockRow>, platform::Failure> {
    use platform::FieldError;
    let mut checks = Checks::new();
    if input.rows.is_empty() {
        checks.add(FieldError::new("rows", "import.no_rows"));
    }
    if input.rows.len() > MAX_STOCK_ROWS {
        checks.add(FieldError::new("rows", "import.too_many_rows").with("max", MAX_STOCK_ROWS));
    }
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::with_capacity(input.rows.len());
    for (index, row) in input.rows.iter().enumerate() {
        let field = |name: &str| format!("rows[{index}].{name}");
        let warehouse = warehouses.get(row.warehouse_code.trim()).copied();
        if warehouse.is_none() {
            checks.add(FieldError::new(field("warehouse_code"), "field.not_found"));
        }
        let product = products.get(row.sku.trim()).copied();
        if product.is_none() {
            checks.add(FieldError::new(field("sku"), "import.unknown_sku"));
        }
        if input.mode == StockImportMode::Snapshot && row.quantity < 0 {
            checks.add(FieldError::new(field("quantity"), "field.not_negative"));
        }
        for (name, value) in [("safety_stock", row.safety_stock), ("max_stock", row.max_stock)] {
            if value.is_some_and(|v| v < 0) {
                checks.add(FieldError::new(field(name), "field.not_negative"));
            }
        }
        if let (Some(safety), Some(max)) = (row.safety_stock, row.max_stock) {
            if safety > max {
                checks.add(FieldError::new(field("safety_stock"), "stock.safety_above_max"));
            }
        }
        let (Some(warehouse_id), Some(product_id)) = (warehouse, product) else {
            continue;
        };
        if !seen.insert((warehouse_id, product_id)) {
            checks.add(FieldError::new(field("sku"), "stock.row_repeated"));
        }
        rows.push(StockRow {
            warehouse_id,
            product_id,
            quantity: row.quantity,
            safety_stock: row.safety_stock,
            max_stock: row.max_stock,
        });
    }
    checks.finish()?;
    Ok(rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn codes(mode: StockImportMode, rows: Vec<StockRowInput>) -> Vec<String> {
        let warehouses = HashMap::from([("MSK-DC".to_owned(), 1)]);
        let products = HashMap::from([("BS-0001".to_owned(), 7)]);
        match check_stock_rows(&StockImportInput { mode, rows }, &warehouses, &products) {
            Err(platform::Failure::Invalid(errors)) => {
                errors.iter().map(|e| format!("{} {}", e.field, e.code)).collect()
            }
            Ok(_) => Vec::new(),
            Err(other) => panic!("{other:?}"),
        }
    }

    fn row(warehouse: &str, sku: &str, quantity: i64) -> StockRowInput {
        StockRowInput {
            warehouse_code: warehouse.into(),
            sku: sku.into(),
            quantity,
            ..StockRowInput::default()
        }
    }

    #[test]
    fn stock_rows_name_known_warehouses_and_products_once_each() {
        assert_eq!(
            codes(
                StockImportMode::Snapshot,
                vec![
                    row("NOWHERE", "BS-0001", 5),
                    row("MSK-DC", "NO-SKU", 5),
                    row("MSK-DC", "BS-0001", 5),
                    row("MSK-DC", "BS-0001", 6)
                ]
            ),
            vec![
                "rows[0].warehouse_code field.not_found",
                "rows[1].sku import.unknown_sku",
                "rows[3].sku stock.row_repeated"
            ]
        );
    }

    #[test]
    fn a_snapshot_counts_nothing_below_zero_but_changes_may_take_away() {
        assert_eq!(
            codes(StockImportMode::Snapshot, vec![row("MSK-DC", "BS-0001", -1)]),
            vec!["rows[0].quantity field.not_negative"]
        );
        assert!(codes(StockImportMode::Changes, vec![row("MSK-DC", "BS-0001", -1)]).is_empty());
    }

    #[test]
    fn the_safety_stock_is_not_above_the_maximum() {
        let mut limits = row("MSK-DC", "BS-0001", 5);
        limits.safety_stock = Some(100);
        limits.max_stock = Some(50);
        assert_eq!(
            codes(StockImportMode::Changes, vec![limits]),
            vec!["rows[0].safety_stock stock.safety_above_max"]
        );
    }

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

//! Fulfilment queries: warehouses and stock levels for the manufacturer's people.

use platform::{Actor, Db, Failure, Page, PageRequest, Permission};

use crate::domain::{StockLevel, Warehouse};
use crate::store;

pub async fn warehouses(db: &Db, actor: &Actor) -> Result<Vec<Warehouse>, Failure> {
    actor.require(Permission::ViewStock)?;
    Ok(store::list_warehouses(db, actor.tenant_id).await?)
}

pub async fn stock_levels(
    db: &Db,
    actor: &Actor,
    warehouse_id: Option<i64>,
    sku: Option<&str>,
    page: PageRequest,
) -> Result<Page<StockLevel>, Failure> {
    actor.require(Permission::ViewStock)?;
    Ok(store::list_levels(db, actor.tenant_id, warehouse_id, sku, page).await?)
}

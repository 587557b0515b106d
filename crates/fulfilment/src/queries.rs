//! Fulfilment queries: warehouses and stock levels for the manufacturer's people.

use platform::{Actor, Db, Failure, Page, PageRequest, Permission};

use crate::domain::{StockLevel, Warehouse};
use crate::receipts::Receipt;
use crate::shipments::Shipment;
use crate::store;

pub use crate::store::{ReceiptFilter, ShipmentFilter, RECEIPT_SORT, SHIPMENT_SORT, STOCK_SORT};

pub async fn warehouses(db: &Db, actor: &Actor) -> Result<Vec<Warehouse>, Failure> {
    actor.require(Permission::ViewStock)?;
    Ok(store::list_warehouses(db, actor.tenant_id).await?)
}

pub async fn stock_levels(
    db: &Db,
    actor: &Actor,
    warehouse_id: Option<i64>,
    sku: Option<&str>,
    alerts_only: bool,
    sort: platform::Sort,
    page: PageRequest,
) -> Result<Page<StockLevel>, Failure> {
    actor.require(Permission::ViewStock)?;
    Ok(store::list_levels(db, actor.tenant_id, warehouse_id, sku, alerts_only, sort, page).await?)
}

/// Shipments the actor may see (a dealer its own, a manager those of its regions), newest first;
/// of one order when given.
pub async fn shipments(
    db: &Db,
    actor: &Actor,
    order_id: Option<i64>,
    page: PageRequest,
) -> Result<Page<Shipment>, Failure> {
    let filter = ShipmentFilter {
        order_id,
        ..ShipmentFilter::default()
    };
    shipment_list(db, actor, &filter, page).await
}

/// Shipments the actor may see under `filter`, in its order, with their packages and lines.
pub async fn shipment_list(
    db: &Db,
    actor: &Actor,
    filter: &ShipmentFilter,
    page: PageRequest,
) -> Result<Page<Shipment>, Failure> {
    actor.require(Permission::ViewOrders)?;
    let found = store::list_shipments(db, actor.tenant_id, &actor.scope, filter, page).await?;
    let ids: Vec<i64> = found.items.iter().map(|s| s.id).collect();
    let mut items = store::shipments_with_contents(db, actor.tenant_id, &actor.scope, &ids).await?;
    // In the list's order, whatever order the contents came back in.
    items.sort_by_key(|shipment| ids.iter().position(|id| *id == shipment.id));
    Ok(Page { items, ..found })
}

/// Shipments the actor may see that have not been received yet, newest first, at most `limit`,
/// without their packages and lines, and how many there are in all.
pub async fn shipments_on_the_way(db: &Db, actor: &Actor, limit: u32) -> Result<Page<Shipment>, Failure> {
    actor.require(Permission::ViewOrders)?;
    Ok(store::shipments_on_the_way(db, actor.tenant_id, &actor.scope, limit).await?)
}

/// One shipment with its packages and lines, if the actor may see it.
pub async fn shipment(db: &Db, actor: &Actor, id: i64) -> Result<Shipment, Failure> {
    actor.require(Permission::ViewOrders)?;
    store::shipments_with_contents(db, actor.tenant_id, &actor.scope, &[id])
        .await?
        .into_iter()
        .next()
        .ok_or(Failure::NotFound { entity: "shipment" })
}

/// Receipts the actor may see with their lines, newest first: of one order, or the discrepancies
/// still to settle.
pub async fn receipts(
    db: &Db,
    actor: &Actor,
    order_id: Option<i64>,
    open_only: bool,
    page: PageRequest,
) -> Result<Page<Receipt>, Failure> {
    let filter = ReceiptFilter {
        order_id,
        discrepancy: open_only.then(|| "open".to_owned()),
        ..ReceiptFilter::default()
    };
    receipt_list(db, actor, &filter, page).await
}

/// Receipts the actor may see under `filter`, in its order, with their lines.
pub async fn receipt_list(
    db: &Db,
    actor: &Actor,
    filter: &ReceiptFilter,
    page: PageRequest,
) -> Result<Page<Receipt>, Failure> {
    actor.require(Permission::ViewOrders)?;
    Ok(store::list_receipts(db, actor.tenant_id, &actor.scope, filter, page).await?)
}

//! Catalog queries.

use std::collections::HashMap;

use platform::{Actor, Db, Failure, Permission};

use crate::store;

/// The tenant's product ids by SKU, for imports that refer to products by SKU.
pub async fn product_ids_by_sku(db: &Db, actor: &Actor) -> Result<HashMap<String, i64>, Failure> {
    actor.require(Permission::ManageCatalog)?;
    Ok(store::product_ids_by_sku(db, actor.tenant_id)
        .await?
        .into_iter()
        .collect())
}

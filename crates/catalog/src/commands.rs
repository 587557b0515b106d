//! Catalog commands: checked, all or nothing, audited.

use std::collections::{HashMap, HashSet};

use platform::audit::{self, Change};
use platform::failure::Checks;
use platform::{Actor, Clock, Db, Failure, FieldError, Permission};
use serde_json::json;

use crate::domain::{CategoryInput, ProductInput};
use crate::store;

pub async fn create_category(db: &Db, clock: &Clock, actor: &Actor, input: &CategoryInput) -> Result<i64, Failure> {
    actor.require(Permission::ManageCatalog)?;
    let mut checks = Checks::new();
    checks.code("code", &input.code, 40);
    checks.text("name_en", &input.name_en, 200);
    checks.text("name_ru", &input.name_ru, 200);
    checks.text("name_zh", &input.name_zh, 200);
    checks.finish()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = store::insert_category(&mut tx, actor.tenant_id, input, now)
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                Failure::field("code", "category.code_taken")
            } else {
                e.into()
            }
        })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "category",
            entity_id: id,
            action: "create",
            before: None,
            after: Some(json!({ "code": input.code, "name_en": input.name_en })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds products: every row is checked first and nothing is written unless all are valid;
/// errors name the row. Returns how many were added.
pub async fn import_products(db: &Db, clock: &Clock, actor: &Actor, products: &[ProductInput]) -> Result<u64, Failure> {
    actor.require(Permission::ManageCatalog)?;
    let mut checks = Checks::new();
    let mut seen_skus = HashSet::new();
    let mut valid = Vec::with_capacity(products.len());
    for (row, product) in products.iter().enumerate() {
        if !seen_skus.insert(product.sku.trim()) {
            checks.add(FieldError::new(format!("rows[{row}].sku"), "product.sku_repeated"));
        }
        if let Some(product) = product.check(&mut checks, Some(row)) {
            valid.push(product);
        }
    }
    checks.finish()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let categories: HashMap<String, i64> = store::category_ids(&mut tx, actor.tenant_id)
        .await?
        .into_iter()
        .collect();
    let mut rows = Vec::with_capacity(valid.len());
    let mut unknown = Checks::new();
    for (row, product) in valid.into_iter().enumerate() {
        let category_id = match &product.category_code {
            Some(code) => match categories.get(code) {
                Some(id) => Some(*id),
                None => {
                    unknown.add(FieldError::new(format!("rows[{row}].category_code"), "field.not_found"));
                    None
                }
            },
            None => None,
        };
        rows.push((product, category_id));
    }
    unknown.finish()?;
    let added = store::insert_products(&mut tx, actor.tenant_id, &rows, now)
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                Failure::Conflict {
                    code: "product.sku_or_gtin_taken",
                }
            } else {
                e.into()
            }
        })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "product_import",
            entity_id: 0,
            action: "import",
            before: None,
            after: Some(json!({ "products": added })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

//! Catalog commands: checked, all or nothing, audited.

use std::collections::{HashMap, HashSet};

use platform::audit::{self, Change};
use platform::db::Source;
use platform::failure::Checks;
use platform::{Actor, Clock, Db, DbError, DealerAudience, Failure, FieldError, Permission};
use serde_json::json;

use crate::domain::*;
use crate::store;

pub async fn create_category(db: &Db, clock: &Clock, actor: &Actor, input: &CategoryInput) -> Result<i64, Failure> {
    actor.require(Permission::ManageCatalog)?;
    input.check()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if let Some(parent) = input.parent_id {
        if !store::category_parents(&mut tx, actor.tenant_id)
            .await?
            .iter()
            .any(|(id, _)| *id == parent)
        {
            return Err(Failure::field("parent_id", "field.not_found"));
        }
    }
    let id = store::insert_category(&mut tx, actor.tenant_id, input, now)
        .await
        .map_err(|e| unique_as(e, Failure::field("code", "category.code_taken")))?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "category",
            entity_id: id,
            action: "create",
            before: None,
            after: Some(json!({ "code": input.code, "name_en": input.name_en, "parent_id": input.parent_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames a category or moves it under another one (or to the top); never under itself or
/// one of its own descendants.
pub async fn update_category(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    id: i64,
    input: &CategoryInput,
) -> Result<(), Failure> {
    actor.require(Permission::ManageCatalog)?;
    input.check()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let parents = store::category_parents(&mut tx, actor.tenant_id).await?;
    if !parents.iter().any(|(c, _)| *c == id) {
        return Err(Failure::NotFound { entity: "category" });
    }
    if let Some(parent) = input.parent_id {
        if !parents.iter().any(|(c, _)| *c == parent) {
            return Err(Failure::field("parent_id", "field.not_found"));
        }
    }
    if would_cycle(&parents, id, input.parent_id) {
        return Err(Failure::field("parent_id", "category.cycle"));
    }
    store::update_category(&mut tx, actor.tenant_id, id, input)
        .await
        .map_err(|e| unique_as(e, Failure::field("code", "category.code_taken")))?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "category",
            entity_id: id,
            action: "update",
            before: None,
            after: Some(json!({ "code": input.code, "name_en": input.name_en, "parent_id": input.parent_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a category that holds no products and no other categories.
pub async fn delete_category(db: &Db, clock: &Clock, actor: &Actor, id: i64) -> Result<(), Failure> {
    actor.require(Permission::ManageCatalog)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let parents = store::category_parents(&mut tx, actor.tenant_id).await?;
    if !parents.iter().any(|(c, _)| *c == id) {
        return Err(Failure::NotFound { entity: "category" });
    }
    if parents.iter().any(|(_, parent)| *parent == Some(id)) || store::category_in_use(&mut tx, id).await? {
        return Err(Failure::Conflict {
            code: "category.not_empty",
        });
    }
    store::delete_category(&mut tx, actor.tenant_id, id).await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "category",
            entity_id: id,
            action: "delete",
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A unique-key clash as the failure the caller names; anything else as it is.
fn unique_as(error: DbError, failure: Failure) -> Failure {
    if error.is_unique_violation() {
        failure
    } else {
        error.into()
    }
}

/// Resolves the category and sales organisation codes of products to ids, naming the rows
/// whose codes are unknown.
async fn with_references(
    tx: &mut platform::Tx,
    actor: &Actor,
    products: Vec<ValidProduct>,
) -> Result<Vec<(ValidProduct, ProductReferences)>, Failure> {
    let categories: HashMap<String, i64> = store::list_categories(&mut Source::Tx(tx), actor.tenant_id)
        .await?
        .into_iter()
        .map(|c| (c.code, c.id))
        .collect();
    let organisations: HashMap<String, i64> = store::list_sales_organisations(&mut Source::Tx(tx), actor.tenant_id)
        .await?
        .into_iter()
        .map(|o| (o.code, o.id))
        .collect();
    let mut checks = Checks::new();
    let single = products.len() == 1;
    let mut resolve = |row: usize, name: &str, code: &Option<String>, known: &HashMap<String, i64>| {
        let code = code.as_ref()?;
        let id = known.get(code).copied();
        if id.is_none() {
            let field = if single {
                name.to_owned()
            } else {
                format!("rows[{row}].{name}")
            };
            checks.add(FieldError::new(field, "field.not_found"));
        }
        id
    };
    let mut resolved = Vec::with_capacity(products.len());
    for (row, product) in products.into_iter().enumerate() {
        let references = ProductReferences {
            category_id: resolve(row, "category_code", &product.category_code, &categories),
            sales_organisation_id: resolve(
                row,
                "sales_organisation_code",
                &product.sales_organisation_code,
                &organisations,
            ),
        };
        resolved.push((product, references));
    }
    checks.finish()?;
    Ok(resolved)
}

/// Adds one of the manufacturer's selling entities.
pub async fn create_sales_organisation(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    input: &SalesOrganisationInput,
) -> Result<i64, Failure> {
    actor.require(Permission::ManageTenant)?;
    input.check()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = store::insert_sales_organisation(&mut tx, actor.tenant_id, input, now)
        .await
        .map_err(|e| unique_as(e, Failure::field("code", "sales_organisation.code_taken")))?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "sales_organisation",
            entity_id: id,
            action: "create",
            before: None,
            after: Some(json!({ "code": input.code.trim(), "name": input.name.trim() })),
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
    let rows = with_references(&mut tx, actor, valid).await?;
    let added = store::insert_products(&mut tx, actor.tenant_id, &rows, now)
        .await
        .map_err(|e| {
            unique_as(
                e,
                Failure::Conflict {
                    code: "product.sku_or_gtin_taken",
                },
            )
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

fn check_one(input: &ProductInput) -> Result<ValidProduct, Failure> {
    let mut checks = Checks::new();
    let product = input.check(&mut checks, None);
    checks.finish()?;
    product.ok_or_else(|| Failure::field("gtin", "identifier.check_digit"))
}

pub async fn create_product(db: &Db, clock: &Clock, actor: &Actor, input: &ProductInput) -> Result<Product, Failure> {
    actor.require(Permission::ManageCatalog)?;
    let product = check_one(input)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let rows = with_references(&mut tx, actor, vec![product]).await?;
    store::insert_products(&mut tx, actor.tenant_id, &rows, now)
        .await
        .map_err(|e| unique_as(e, Failure::field("sku", "product.sku_or_gtin_taken")))?;
    let id = store::find_product_id_by_sku(&mut tx, actor.tenant_id, &input.sku)
        .await?
        .ok_or(Failure::NotFound { entity: "product" })?;
    let created = store::find_product(&mut Source::Tx(&mut tx), actor.tenant_id, id)
        .await?
        .ok_or(Failure::NotFound { entity: "product" })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "product",
            entity_id: id,
            action: "create",
            before: None,
            after: serde_json::to_value(&created).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn update_product(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    id: i64,
    input: &ProductInput,
) -> Result<Product, Failure> {
    actor.require(Permission::ManageCatalog)?;
    let product = check_one(input)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::find_product(&mut Source::Tx(&mut tx), actor.tenant_id, id)
        .await?
        .ok_or(Failure::NotFound { entity: "product" })?;
    let mut rows = with_references(&mut tx, actor, vec![product]).await?;
    let Some((product, references)) = rows.pop() else {
        return Err(Failure::NotFound { entity: "product" });
    };
    store::update_product(&mut tx, actor.tenant_id, id, &product, references, now)
        .await
        .map_err(|e| unique_as(e, Failure::field("sku", "product.sku_or_gtin_taken")))?;
    let after = store::find_product(&mut Source::Tx(&mut tx), actor.tenant_id, id)
        .await?
        .ok_or(Failure::NotFound { entity: "product" })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "product",
            entity_id: id,
            action: "update",
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(&after).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Publishes products to an audience, or withdraws them (`publish` false). Returns how many
/// publications were added or removed.
pub async fn change_publication(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    input: &PublicationInput,
    publish: bool,
) -> Result<u64, Failure> {
    actor.require(Permission::ManageCatalog)?;
    let audience_id = input.check()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !platform::audience::audience_exists(&mut tx, actor.tenant_id, input.audience.code(), audience_id).await? {
        return Err(Failure::field("audience_id", "field.not_found"));
    }
    let products = store::tenant_product_ids(&mut tx, actor.tenant_id, &input.product_ids, input.category_id).await?;
    let asked: HashSet<i64> = input.product_ids.iter().copied().collect();
    if asked.iter().any(|id| products.binary_search(id).is_err()) {
        return Err(Failure::field("product_ids", "field.not_found"));
    }
    let changed = if publish {
        store::insert_publications(&mut tx, actor.tenant_id, &products, input.audience, audience_id, now).await?
    } else {
        store::delete_publications(&mut tx, actor.tenant_id, &products, input.audience, audience_id).await?
    };
    audit::record(&mut tx, actor, now, Change {
        entity: "publication",
        entity_id: audience_id,
        action: if publish { "publish" } else { "withdraw" },
        before: None,
        after: Some(json!({ "audience": input.audience.code(), "audience_id": audience_id, "products": products.len(), "changed": changed })),
    })
    .await?;
    tx.commit().await?;
    Ok(changed)
}

/// Marks a product as a favorite of the signed-in dealer user; only published products.
pub async fn set_favorite(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    product_id: i64,
    favorite: bool,
) -> Result<(), Failure> {
    actor.require(Permission::ViewCatalog)?;
    let user_id = actor.user_id.ok_or(Failure::Forbidden)?;
    if actor.scope.dealer_id() != Some(audience.dealer_id) {
        return Err(Failure::Forbidden);
    }
    let mut tx = db.begin().await?;
    if favorite {
        store::find_published_product(&mut Source::Tx(&mut tx), actor.tenant_id, audience, product_id)
            .await?
            .ok_or(Failure::NotFound { entity: "product" })?;
        store::add_favorite(&mut tx, actor.tenant_id, user_id, product_id, clock.now()).await?;
    } else {
        store::remove_favorite(&mut tx, user_id, product_id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Adds a picture to a product: PNG, JPEG or WebP by its own signature (whatever the client
/// calls it), at most 2 MB, at most eight a product. Returns its id.
pub async fn add_product_image(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    product_id: i64,
    bytes: Vec<u8>,
) -> Result<i64, Failure> {
    actor.require(Permission::ManageCatalog)?;
    let content_type =
        platform::pictures::media_type(&bytes).ok_or_else(|| Failure::field("image", "product.image_type"))?;
    if bytes.len() > IMAGE_MAX_BYTES {
        return Err(Failure::Invalid(vec![
            FieldError::new("image", "product.image_size").with("max_mib", IMAGE_MAX_BYTES / 1024 / 1024)
        ]));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    store::find_product(&mut Source::Tx(&mut tx), actor.tenant_id, product_id)
        .await?
        .ok_or(Failure::NotFound { entity: "product" })?;
    let images = store::product_images(&mut Source::Tx(&mut tx), actor.tenant_id, product_id).await?;
    if images.len() >= IMAGES_PER_PRODUCT {
        return Err(Failure::Invalid(vec![FieldError::new(
            "image",
            "product.too_many_images",
        )
        .with("max", IMAGES_PER_PRODUCT)]));
    }
    let position = images.iter().map(|i| i.position).max().map_or(0, |last| last + 1);
    let id = store::insert_image(&mut tx, actor.tenant_id, product_id, content_type, bytes, position, now).await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "product",
            entity_id: product_id,
            action: "add_image",
            before: None,
            after: Some(json!({ "image_id": id, "content_type": content_type })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a product's picture, or puts it first (`first`), where catalogs show it.
pub async fn change_product_image(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    product_id: i64,
    image_id: i64,
    first: bool,
) -> Result<(), Failure> {
    actor.require(Permission::ManageCatalog)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let changed = if first {
        store::make_image_first(&mut tx, actor.tenant_id, product_id, image_id).await?
    } else {
        store::delete_image(&mut tx, actor.tenant_id, product_id, image_id).await?
    };
    if changed == 0 {
        return Err(Failure::NotFound { entity: "image" });
    }
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "product",
            entity_id: product_id,
            action: if first { "image_first" } else { "remove_image" },
            before: None,
            after: Some(json!({ "image_id": image_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

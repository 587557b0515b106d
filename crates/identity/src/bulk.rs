//! Imports of many dealers or users at once: every row is checked first, errors name the row,
//! and nothing is written unless every row is valid. One audit entry records each import.

use std::collections::HashSet;

use platform::audit::{self, Change};
use platform::failure::Checks;
use platform::{Actor, Clock, DataScope, Db, Failure, FieldError, Permission};
use serde_json::json;

use crate::domain::*;
use crate::error::IdentityError;
use crate::password;
use crate::store::{self, DealerRow, ValidLocation};

/// A dealer with its primary delivery location.
pub struct DealerImportRow {
    pub dealer: DealerInput,
    pub location: Option<LocationInput>,
}

fn unique_failure(error: platform::DbError, code: &'static str) -> IdentityError {
    if error.is_unique_violation() {
        Failure::Conflict { code }.into()
    } else {
        error.into()
    }
}

pub async fn import_dealers(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    rows: &[DealerImportRow],
) -> Result<u64, IdentityError> {
    actor.require(Permission::ManageDealers)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let regions = store::scoped_region_ids(&mut tx, actor.tenant_id, &actor.scope).await?;
    let distributors = store::scoped_distributor_ids(&mut tx, actor.tenant_id, &actor.scope).await?;
    let groups: HashSet<i64> = store::list_dealer_groups(&mut store::Source::Tx(&mut tx), actor.tenant_id)
        .await?
        .iter()
        .map(|g| g.id)
        .collect();
    let mut checks = Checks::new();
    let mut valid = Vec::with_capacity(rows.len());
    let mut locations = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let field = |name: &str| format!("rows[{index}].{name}");
        match row.dealer.validate() {
            Ok(dealer) => {
                if !regions.contains(&dealer.region_id) {
                    checks.add(FieldError::new(field("region_id"), "field.not_found"));
                }
                if dealer.parent_dealer_id.is_some_and(|p| !distributors.contains(&p)) {
                    checks.add(FieldError::new(
                        field("parent_dealer_id"),
                        "dealer.parent_not_distributor",
                    ));
                }
                if dealer.group_ids.iter().any(|g| !groups.contains(g)) {
                    checks.add(FieldError::new(field("group_ids"), "field.not_found"));
                }
                valid.push(dealer);
            }
            Err(Failure::Invalid(errors)) => {
                for error in errors {
                    checks.add(FieldError {
                        field: field(&error.field),
                        ..error
                    });
                }
            }
            Err(other) => return Err(other.into()),
        }
        let location = row.location.as_ref().map(|l| ValidLocation {
            code: checks.code(&field("location.code"), &l.code, CODE_MAX),
            name: checks.text(&field("location.name"), &l.name, NAME_MAX),
            address: checks.text(&field("location.address"), &l.address, TEXT_MAX),
            gln: checks
                .gln(&field("location.gln"), l.gln.as_deref())
                .map(|g| g.as_str().to_owned()),
            is_primary: true,
        });
        locations.push(location);
    }
    checks.finish()?;
    let dealer_rows: Vec<DealerRow> = valid
        .iter()
        .map(|dealer| DealerRow {
            dealer,
            status: dealer.status.unwrap_or(DealerStatus::Applicant),
        })
        .collect();
    let added = store::insert_dealers(&mut tx, actor.tenant_id, &dealer_rows, now)
        .await
        .map_err(|e| unique_failure(e, "dealer.code_or_gln_taken"))?;
    let ids = store::dealer_ids_by_code(&mut store::Source::Tx(&mut tx), actor.tenant_id).await?;
    let mut members = Vec::new();
    let mut new_locations = Vec::new();
    for (dealer, location) in valid.iter().zip(&locations) {
        let Some(id) = ids.get(&dealer.code) else { continue };
        members.extend(dealer.group_ids.iter().map(|g| (*g, *id)));
        if let Some(location) = location {
            new_locations.push((*id, location));
        }
    }
    store::insert_group_members(&mut tx, actor.tenant_id, &members).await?;
    store::insert_locations(&mut tx, actor.tenant_id, &new_locations, now).await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "dealer_import",
            entity_id: 0,
            action: "import",
            before: None,
            after: Some(json!({ "dealers": added })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// Imports users who all start with the same initial password (hashed once). Only a
/// tenant-wide administrator imports users.
pub async fn import_users(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    rows: &[UserInput],
    initial_password: &str,
) -> Result<u64, IdentityError> {
    actor.require(Permission::ManageUsers)?;
    if actor.scope != DataScope::Tenant {
        return Err(Failure::Forbidden.into());
    }
    let mut checks = Checks::new();
    check_password(&mut checks, "password", initial_password);
    let mut valid = Vec::with_capacity(rows.len());
    let mut logins = HashSet::new();
    for (index, row) in rows.iter().enumerate() {
        match row.validate(false) {
            Ok(user) => {
                if !logins.insert(user.login.clone()) {
                    checks.add(FieldError::new(format!("rows[{index}].login"), "user.login_taken"));
                }
                valid.push(user);
            }
            Err(Failure::Invalid(errors)) => {
                for error in errors {
                    checks.add(FieldError {
                        field: format!("rows[{index}].{}", error.field),
                        ..error
                    });
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let dealers: HashSet<platform::DealerId> =
        store::dealer_ids_by_code(&mut store::Source::Tx(&mut tx), actor.tenant_id)
            .await?
            .into_values()
            .collect();
    let regions = store::scoped_region_ids(&mut tx, actor.tenant_id, &actor.scope).await?;
    for (index, user) in valid.iter().enumerate() {
        if user.dealer_id.is_some_and(|d| !dealers.contains(&d)) {
            checks.add(FieldError::new(format!("rows[{index}].dealer_id"), "field.not_found"));
        }
        if user.region_ids.iter().any(|r| !regions.contains(r)) {
            checks.add(FieldError::new(format!("rows[{index}].region_ids"), "field.not_found"));
        }
    }
    checks.finish()?;
    let hash = password::hash_password(initial_password)?;
    let added = store::insert_users(&mut tx, actor.tenant_id, &valid, &hash, actor.user_id.is_some(), now)
        .await
        .map_err(|e| unique_failure(e, "user.login_taken"))?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "user_import",
            entity_id: 0,
            action: "import",
            before: None,
            after: Some(json!({ "users": added })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

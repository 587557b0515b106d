//! Identity's commands. Each checks permission and scope, validates, and writes in one
//! transaction together with its audit entry.

use chrono::{DateTime, TimeDelta, Utc};
use platform::audit::{self, Change};
use platform::failure::Checks;
use platform::{
    secret, Actor, Clock, Currency, DataScope, Db, DealerId, Failure, FieldError, Locale, Permission, RegionId, Role,
    TenantId, UserId,
};
use serde_json::json;

use crate::domain::*;
use crate::error::IdentityError;
use crate::password;
use crate::store::{self, Source, ValidLocation};

pub const SESSION_LIFETIME: TimeDelta = TimeDelta::hours(12);
pub const SIGN_IN_TOKEN_LIFETIME: TimeDelta = TimeDelta::hours(12);
/// Five wrong passwords within a quarter of an hour lock a login for the rest of that quarter.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
pub const FAILED_SIGN_IN_WINDOW: TimeDelta = TimeDelta::minutes(15);

type Result<T> = std::result::Result<T, IdentityError>;

fn snapshot(value: &impl serde::Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

// ----- tenants -----

/// Creates a tenant; an operator's act, outside any tenant's permissions.
pub async fn create_tenant(db: &Db, clock: &Clock, input: &NewTenant) -> Result<Tenant> {
    let mut checks = Checks::new();
    let code = checks.code("code", &input.code, CODE_MAX);
    checks.text("name", &input.name, NAME_MAX);
    if Currency::parse(&input.currency).is_err() {
        checks.add(FieldError::new("currency", "field.currency"));
    }
    let locale = parse_locale(&mut checks, "default_locale", &input.default_locale);
    check_time_zone(&mut checks, "time_zone", &input.time_zone);
    checks.finish()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if store::tenant_code_exists(&mut tx, &code).await? {
        return Err(IdentityError::TenantCodeTaken);
    }
    let id = store::insert_tenant(&mut tx, input, locale, now).await?;
    let tenant = store::lock_tenant(&mut tx, id)
        .await?
        .ok_or(Failure::NotFound { entity: "tenant" })?;
    audit::record(
        &mut tx,
        &Actor::system(id),
        now,
        Change {
            entity: "tenant",
            entity_id: id.get(),
            action: "create",
            before: None,
            after: snapshot(&tenant),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(tenant)
}

pub async fn update_tenant_settings(db: &Db, clock: &Clock, actor: &Actor, input: &TenantSettings) -> Result<Tenant> {
    actor.require(Permission::ManageTenant)?;
    let settings = input.validate()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::lock_tenant(&mut tx, actor.tenant_id)
        .await?
        .ok_or(Failure::NotFound { entity: "tenant" })?;
    store::update_tenant_settings(&mut tx, actor.tenant_id, &settings, now).await?;
    let after = store::lock_tenant(&mut tx, actor.tenant_id)
        .await?
        .ok_or(Failure::NotFound { entity: "tenant" })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "tenant",
            entity_id: actor.tenant_id.get(),
            action: "update",
            before: snapshot(&before),
            after: snapshot(&after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub const LOGO_MAX_BYTES: usize = 512 * 1024;

/// Replaces the tenant's logo: PNG, JPEG or SVG up to 512 KiB.
pub async fn set_tenant_logo(db: &Db, clock: &Clock, actor: &Actor, content_type: &str, bytes: Vec<u8>) -> Result<()> {
    actor.require(Permission::ManageTenant)?;
    if !matches!(content_type, "image/png" | "image/jpeg" | "image/svg+xml") {
        return Err(Failure::field("logo", "tenant.logo_type").into());
    }
    if bytes.is_empty() || bytes.len() > LOGO_MAX_BYTES {
        return Err(Failure::Invalid(vec![
            FieldError::new("logo", "tenant.logo_size").with("max_kib", LOGO_MAX_BYTES / 1024)
        ])
        .into());
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let size = bytes.len();
    store::update_tenant_logo(&mut tx, actor.tenant_id, content_type, bytes, now).await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "tenant",
            entity_id: actor.tenant_id.get(),
            action: "set_logo",
            before: None,
            after: Some(json!({ "content_type": content_type, "bytes": size })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ----- regions -----

fn kind_rank(kind: RegionKind) -> u8 {
    match kind {
        RegionKind::Country => 0,
        RegionKind::Region => 1,
        RegionKind::Territory => 2,
    }
}

pub async fn create_region(db: &Db, clock: &Clock, actor: &Actor, input: &RegionInput) -> Result<Region> {
    actor.require(Permission::ManageRegions)?;
    let region = input.validate()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if let Some(parent_id) = region.parent_id {
        let parent = store::find_region(&mut Source::Tx(&mut tx), actor.tenant_id, &actor.scope, parent_id)
            .await?
            .ok_or_else(|| Failure::field("parent_id", "field.not_found"))?;
        if kind_rank(parent.kind) >= kind_rank(region.kind) {
            return Err(Failure::field("kind", "region.kind_below_parent").into());
        }
    } else if actor.scope != DataScope::Tenant {
        return Err(Failure::Forbidden.into());
    }
    if store::region_code_exists(&mut tx, actor.tenant_id, &region.code).await? {
        return Err(IdentityError::RegionCodeTaken);
    }
    let id = store::insert_region(&mut tx, actor.tenant_id, &region, now).await?;
    let created = store::find_region(&mut Source::Tx(&mut tx), actor.tenant_id, &DataScope::Tenant, id)
        .await?
        .ok_or(Failure::NotFound { entity: "region" })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "region",
            entity_id: id.get(),
            action: "create",
            before: None,
            after: snapshot(&created),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn rename_region(db: &Db, clock: &Clock, actor: &Actor, id: RegionId, name: &str) -> Result<Region> {
    actor.require(Permission::ManageRegions)?;
    let mut checks = Checks::new();
    let name = checks.text("name", name, NAME_MAX);
    checks.finish()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::find_region(&mut Source::Tx(&mut tx), actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound { entity: "region" })?;
    store::update_region_name(&mut tx, actor.tenant_id, id, &name, now).await?;
    let after = Region { name, ..before.clone() };
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "region",
            entity_id: id.get(),
            action: "update",
            before: snapshot(&before),
            after: snapshot(&after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ----- dealer groups -----

pub async fn create_dealer_group(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    input: &DealerGroupInput,
) -> Result<DealerGroup> {
    actor.require(Permission::ManageDealers)?;
    let mut checks = Checks::new();
    let code = checks.code("code", &input.code, CODE_MAX);
    let name = checks.text("name", &input.name, NAME_MAX);
    checks.finish()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if store::dealer_group_code_exists(&mut tx, actor.tenant_id, &code).await? {
        return Err(IdentityError::DealerGroupCodeTaken);
    }
    let id = store::insert_dealer_group(&mut tx, actor.tenant_id, &code, &name, now).await?;
    let group = DealerGroup { id, code, name };
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "dealer_group",
            entity_id: id,
            action: "create",
            before: None,
            after: snapshot(&group),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(group)
}

// ----- dealers -----

/// Checks what a dealer refers to: a region and a distributor the actor can see, groups of the
/// tenant, and a code and GLN no other dealer has.
async fn check_dealer_references(
    tx: &mut platform::Tx,
    actor: &Actor,
    dealer: &ValidDealer,
    existing: Option<DealerId>,
) -> Result<()> {
    let mut checks = Checks::new();
    if store::find_region(&mut Source::Tx(tx), actor.tenant_id, &actor.scope, dealer.region_id)
        .await?
        .is_none()
    {
        checks.add(FieldError::new("region_id", "field.not_found"));
    }
    if let Some(parent_id) = dealer.parent_dealer_id {
        match store::find_dealer(&mut Source::Tx(tx), actor.tenant_id, &actor.scope, parent_id).await? {
            None => checks.add(FieldError::new("parent_dealer_id", "field.not_found")),
            Some(parent) if parent.tier != 1 || Some(parent.id) == existing => {
                checks.add(FieldError::new("parent_dealer_id", "dealer.parent_not_distributor"))
            }
            Some(_) => {}
        }
    }
    let known_groups = store::tenant_group_ids(tx, actor.tenant_id, &dealer.group_ids).await?;
    if dealer.group_ids.iter().any(|id| !known_groups.contains(id)) {
        checks.add(FieldError::new("group_ids", "field.not_found"));
    }
    checks.finish()?;
    if store::dealer_code_taken(tx, actor.tenant_id, &dealer.code, existing).await? {
        return Err(IdentityError::DealerCodeTaken);
    }
    if let Some(gln) = &dealer.gln {
        if store::dealer_gln_taken(tx, actor.tenant_id, gln.as_str(), existing).await? {
            return Err(IdentityError::DealerGlnTaken);
        }
    }
    Ok(())
}

pub async fn create_dealer(db: &Db, clock: &Clock, actor: &Actor, input: &DealerInput) -> Result<Dealer> {
    actor.require(Permission::ManageDealers)?;
    let dealer = input.validate()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    check_dealer_references(&mut tx, actor, &dealer, None).await?;
    let id = store::insert_dealer(
        &mut tx,
        actor.tenant_id,
        &dealer,
        dealer.status.unwrap_or(DealerStatus::Applicant),
        now,
    )
    .await?;
    let mut groups = dealer.group_ids.clone();
    groups.sort_unstable();
    groups.dedup();
    store::replace_dealer_groups(&mut tx, actor.tenant_id, id, &groups).await?;
    let created = store::find_dealer(&mut Source::Tx(&mut tx), actor.tenant_id, &DataScope::Tenant, id)
        .await?
        .ok_or(Failure::NotFound { entity: "dealer" })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "dealer",
            entity_id: id.get(),
            action: "create",
            before: None,
            after: snapshot(&json!({ "dealer": created, "group_ids": groups })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn update_dealer(db: &Db, clock: &Clock, actor: &Actor, id: DealerId, input: &DealerInput) -> Result<Dealer> {
    actor.require(Permission::ManageDealers)?;
    let dealer = input.validate()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::find_dealer(&mut Source::Tx(&mut tx), actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound { entity: "dealer" })?;
    check_dealer_references(&mut tx, actor, &dealer, Some(id)).await?;
    let status = dealer.status.unwrap_or(before.status);
    if !before.status.can_become(status) {
        return Err(IdentityError::DealerStatusChange {
            from: before.status.code(),
            to: status.code(),
        });
    }
    if dealer.tier == 2 && store::dealer_has_tier2(&mut tx, id).await? {
        return Err(Failure::field("tier", "dealer.has_tier2_dealers").into());
    }
    store::update_dealer(&mut tx, id, &dealer, status, now).await?;
    let mut groups = dealer.group_ids.clone();
    groups.sort_unstable();
    groups.dedup();
    store::replace_dealer_groups(&mut tx, actor.tenant_id, id, &groups).await?;
    let after = store::find_dealer(&mut Source::Tx(&mut tx), actor.tenant_id, &DataScope::Tenant, id)
        .await?
        .ok_or(Failure::NotFound { entity: "dealer" })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "dealer",
            entity_id: id.get(),
            action: if before.status == after.status {
                "update"
            } else {
                "change_status"
            },
            before: snapshot(&before),
            after: snapshot(&json!({ "dealer": after, "group_ids": groups })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Finds a dealer the actor may manage, inside the transaction that will change it.
async fn managed_dealer(tx: &mut platform::Tx, actor: &Actor, id: DealerId) -> Result<Dealer> {
    actor.require(Permission::ManageDealers)?;
    Ok(
        store::find_dealer(&mut Source::Tx(tx), actor.tenant_id, &actor.scope, id)
            .await?
            .ok_or(Failure::NotFound { entity: "dealer" })?,
    )
}

pub async fn add_delivery_location(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    dealer_id: DealerId,
    input: &LocationInput,
) -> Result<DeliveryLocation> {
    let mut checks = Checks::new();
    let location = ValidLocation {
        code: checks.code("code", &input.code, CODE_MAX),
        name: checks.text("name", &input.name, NAME_MAX),
        address: checks.text("address", &input.address, TEXT_MAX),
        gln: checks.gln("gln", input.gln.as_deref()).map(|g| g.as_str().to_owned()),
        is_primary: input.is_primary,
    };
    checks.finish()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    managed_dealer(&mut tx, actor, dealer_id).await?;
    if store::location_code_taken(&mut tx, dealer_id, &location.code).await? {
        return Err(IdentityError::LocationCodeTaken);
    }
    // The first location is the primary one, whatever the form said.
    let location = ValidLocation {
        is_primary: location.is_primary || !store::dealer_has_locations(&mut tx, dealer_id).await?,
        ..location
    };
    let created = store::insert_location(&mut tx, actor.tenant_id, dealer_id, &location, now).await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "delivery_location",
            entity_id: created.id,
            action: "create",
            before: None,
            after: snapshot(&created),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn add_contact(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    dealer_id: DealerId,
    input: &ContactInput,
) -> Result<Contact> {
    let mut checks = Checks::new();
    let contact = ContactInput {
        name: checks.text("name", &input.name, NAME_MAX),
        position: checks.optional_text("position", input.position.as_deref(), NAME_MAX),
        email: input
            .email
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .map(|e| checks.email("email", e)),
        phone: checks.optional_text("phone", input.phone.as_deref(), 40),
    };
    checks.finish()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    managed_dealer(&mut tx, actor, dealer_id).await?;
    let created = store::insert_contact(&mut tx, actor.tenant_id, dealer_id, &contact, now).await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "dealer_contact",
            entity_id: created.id,
            action: "create",
            before: None,
            after: snapshot(&created),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

// ----- users -----

/// Checks that the actor may give a user this dealer, these regions and roles: a tenant-wide
/// administrator anything in the tenant; a dealer's administrator only its own dealer's users.
async fn check_user_references(tx: &mut platform::Tx, actor: &Actor, user: &ValidUser) -> Result<()> {
    actor.require(Permission::ManageUsers)?;
    match (&actor.scope, user.dealer_id) {
        (DataScope::Tenant, _) => {}
        (DataScope::Dealer { dealer_id, .. }, Some(target)) if *dealer_id == target => {}
        _ => return Err(Failure::Forbidden.into()),
    }
    let mut checks = Checks::new();
    if let Some(dealer_id) = user.dealer_id {
        if store::find_dealer(&mut Source::Tx(tx), actor.tenant_id, &actor.scope, dealer_id)
            .await?
            .is_none()
        {
            checks.add(FieldError::new("dealer_id", "field.not_found"));
        }
    }
    for region_id in &user.region_ids {
        if store::find_region(&mut Source::Tx(tx), actor.tenant_id, &actor.scope, *region_id)
            .await?
            .is_none()
        {
            checks.add(FieldError::new("region_ids", "field.not_found"));
            break;
        }
    }
    checks.finish()?;
    Ok(())
}

pub async fn create_user(db: &Db, clock: &Clock, actor: &Actor, input: &UserInput) -> Result<User> {
    let user = input.validate(true)?;
    let hash = password::hash_password(user.password.as_deref().unwrap_or_default())?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    check_user_references(&mut tx, actor, &user).await?;
    if store::login_taken(&mut tx, &user.login, None).await? {
        return Err(IdentityError::LoginTaken);
    }
    // A password someone else chose must be replaced at first sign-in.
    let must_change = actor.user_id.is_some();
    let id = store::insert_user(&mut tx, actor.tenant_id, &user, &hash, must_change, now).await?;
    let created = store::find_user_by_id(&mut Source::Tx(&mut tx), id)
        .await?
        .ok_or(Failure::NotFound { entity: "user" })?
        .user;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "user",
            entity_id: id.get(),
            action: "create",
            before: None,
            after: snapshot(&created),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn update_user(db: &Db, clock: &Clock, actor: &Actor, id: UserId, input: &UserInput) -> Result<User> {
    let user = input.validate(false)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = visible_user_in(&mut tx, actor, id).await?;
    if before.dealer_id != user.dealer_id {
        return Err(Failure::field("dealer_id", "user.dealer_fixed").into());
    }
    check_user_references(&mut tx, actor, &user).await?;
    if store::login_taken(&mut tx, &user.login, Some(id)).await? {
        return Err(IdentityError::LoginTaken);
    }
    store::update_user(&mut tx, actor.tenant_id, id, &user, now).await?;
    if user.status == UserStatus::Disabled {
        store::end_sessions_of(&mut tx, id, now).await?;
    }
    let after = store::find_user_by_id(&mut Source::Tx(&mut tx), id)
        .await?
        .ok_or(Failure::NotFound { entity: "user" })?
        .user;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "user",
            entity_id: id.get(),
            action: "update",
            before: snapshot(&before),
            after: snapshot(&after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A user of the actor's tenant and scope, read inside the transaction that will change it.
async fn visible_user_in(tx: &mut platform::Tx, actor: &Actor, id: UserId) -> Result<User> {
    actor.require(Permission::ManageUsers)?;
    let stored = store::find_user_by_id(&mut Source::Tx(tx), id).await?;
    let visible = match &stored {
        Some(stored) if stored.tenant_id == actor.tenant_id => match (&actor.scope, stored.user.dealer_id) {
            (DataScope::Tenant, _) => true,
            (DataScope::Dealer { dealer_id, .. }, Some(of)) => *dealer_id == of,
            _ => false,
        },
        _ => false,
    };
    match stored {
        Some(stored) if visible => Ok(stored.user),
        _ => Err(Failure::NotFound { entity: "user" }.into()),
    }
}

/// An administrator sets a new password; the user must change it at next sign-in and every
/// session of theirs ends.
pub async fn reset_password(db: &Db, clock: &Clock, actor: &Actor, id: UserId, new_password: &str) -> Result<()> {
    let mut checks = Checks::new();
    check_password(&mut checks, "password", new_password);
    checks.finish()?;
    let hash = password::hash_password(new_password)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    visible_user_in(&mut tx, actor, id).await?;
    store::set_password(&mut tx, id, &hash, true, now).await?;
    store::end_sessions_of(&mut tx, id, now).await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "user",
            entity_id: id.get(),
            action: "reset_password",
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn change_own_password(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    current: &str,
    new_password: &str,
) -> Result<()> {
    let user_id = actor.user_id.ok_or(Failure::Forbidden)?;
    let mut checks = Checks::new();
    check_password(&mut checks, "new_password", new_password);
    if current == new_password {
        checks.add(FieldError::new("new_password", "password.unchanged"));
    }
    checks.finish()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = store::find_user_by_id(&mut Source::Tx(&mut tx), user_id)
        .await?
        .ok_or(Failure::NotFound { entity: "user" })?;
    if !password::verify_password(current, &stored.password_hash) {
        return Err(IdentityError::WrongCurrentPassword);
    }
    let hash = password::hash_password(new_password)?;
    store::set_password(&mut tx, user_id, &hash, false, now).await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "user",
            entity_id: user_id.get(),
            action: "change_password",
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_own_locale(db: &Db, clock: &Clock, actor: &Actor, locale: Option<Locale>) -> Result<()> {
    let user_id = actor.user_id.ok_or(Failure::Forbidden)?;
    let mut tx = db.begin().await?;
    store::set_user_locale(&mut tx, user_id, locale, clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

// ----- signing in -----

/// Checks a login and password, counting failures against guessing. Returns the user's id
/// and tenant on success.
async fn check_credentials(db: &Db, clock: &Clock, login: &str, password_text: &str) -> Result<(UserId, TenantId)> {
    let login = login.trim().to_lowercase();
    let now = clock.now();
    let (failures, oldest) = store::recent_failed_attempts(db, &login, now - FAILED_SIGN_IN_WINDOW).await?;
    if failures >= MAX_FAILED_SIGN_INS {
        let until = oldest.unwrap_or(now) + FAILED_SIGN_IN_WINDOW;
        return Err(IdentityError::TooManyAttempts {
            retry_after_seconds: (until - now).num_seconds().max(1),
        });
    }
    let Some(stored) = store::find_user_by_login(db, &login).await? else {
        password::verify_nothing(password_text);
        store::record_failed_attempt(db, &login, now).await?;
        return Err(IdentityError::WrongCredentials);
    };
    if !password::verify_password(password_text, &stored.password_hash) {
        store::record_failed_attempt(db, &login, now).await?;
        return Err(IdentityError::WrongCredentials);
    }
    if stored.user.status != UserStatus::Active {
        return Err(IdentityError::UserDisabled);
    }
    Ok((stored.user.id, stored.tenant_id))
}

/// A new browser session: the cookie value and the form token that guards its writes.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

fn random_token() -> Result<String> {
    secret::new_token().map_err(|e| Failure::Internal(e.to_string()).into())
}

pub async fn sign_in(db: &Db, clock: &Clock, login: &str, password_text: &str) -> Result<NewSession> {
    let (user_id, tenant_id) = check_credentials(db, clock, login, password_text).await?;
    let token = random_token()?;
    let csrf_token = random_token()?;
    let now = clock.now();
    let expires_at = now + SESSION_LIFETIME;
    let mut tx = db.begin().await?;
    store::clear_failed_attempts(&mut tx, &login.trim().to_lowercase()).await?;
    store::insert_session(
        &mut tx,
        &secret::token_digest(&token),
        tenant_id,
        user_id,
        &csrf_token,
        now,
        expires_at,
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession {
        token,
        csrf_token,
        expires_at,
    })
}

pub async fn sign_out(db: &Db, session_token: &str) -> Result<()> {
    store::delete_session(db, &secret::token_digest(session_token)).await?;
    Ok(())
}

/// A bearer token for the API in exchange for a login and password; it expires like a session.
pub async fn issue_sign_in_token(db: &Db, clock: &Clock, login: &str, password_text: &str) -> Result<String> {
    let (user_id, tenant_id) = check_credentials(db, clock, login, password_text).await?;
    let token = random_token()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    store::clear_failed_attempts(&mut tx, &login.trim().to_lowercase()).await?;
    store::insert_api_token(
        &mut tx,
        tenant_id,
        user_id,
        "sign-in",
        &secret::token_digest(&token),
        None,
        None,
        now,
        Some(now + SIGN_IN_TOKEN_LIFETIME),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn create_api_token(db: &Db, clock: &Clock, actor: &Actor, input: &ApiTokenInput) -> Result<IssuedToken> {
    actor.require(Permission::ManageApiTokens)?;
    let mut checks = Checks::new();
    let name = checks.text("name", &input.name, NAME_MAX);
    let role = input.role.as_deref().filter(|r| !r.trim().is_empty()).map(|code| {
        Role::parse(code.trim()).ok_or_else(|| FieldError::new("role", "user.unknown_role").with("role", code))
    });
    let role = match role {
        Some(Ok(role)) => Some(role),
        Some(Err(error)) => {
            checks.add(error);
            None
        }
        None => None,
    };
    let now = clock.now();
    if input.expires_at.is_some_and(|at| at <= now) {
        checks.add(FieldError::new("expires_at", "token.expiry_in_past"));
    }
    checks.finish()?;
    let mut tx = db.begin().await?;
    let user = store::find_user_by_id(&mut Source::Tx(&mut tx), input.user_id)
        .await?
        .filter(|stored| stored.tenant_id == actor.tenant_id)
        .ok_or_else(|| Failure::field("user_id", "field.not_found"))?;
    if role.is_some_and(|role| !user.user.roles.contains(&role)) {
        return Err(Failure::field("role", "token.role_not_held").into());
    }
    let secret_text = random_token()?;
    let id = store::insert_api_token(
        &mut tx,
        actor.tenant_id,
        input.user_id,
        &name,
        &secret::token_digest(&secret_text),
        role,
        actor.user_id.or(Some(input.user_id)),
        now,
        input.expires_at,
    )
    .await?;
    let token = store::find_api_token(&mut Source::Tx(&mut tx), actor.tenant_id, id)
        .await?
        .ok_or(Failure::NotFound { entity: "api_token" })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "api_token",
            entity_id: id,
            action: "create",
            before: None,
            after: snapshot(&token),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(IssuedToken {
        token,
        secret: secret_text,
    })
}

pub async fn revoke_api_token(db: &Db, clock: &Clock, actor: &Actor, id: i64) -> Result<ApiToken> {
    actor.require(Permission::ManageApiTokens)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::find_api_token(&mut Source::Tx(&mut tx), actor.tenant_id, id)
        .await?
        .ok_or(Failure::NotFound { entity: "api_token" })?;
    store::revoke_api_token(&mut tx, actor.tenant_id, id, now).await?;
    let after = store::find_api_token(&mut Source::Tx(&mut tx), actor.tenant_id, id)
        .await?
        .ok_or(Failure::NotFound { entity: "api_token" })?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "api_token",
            entity_id: id,
            action: "revoke",
            before: snapshot(&before),
            after: snapshot(&after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Removes expired sessions and old failed sign-ins; run by the housekeeping job.
pub async fn delete_expired_sessions(db: &Db, clock: &Clock) -> Result<u64> {
    let now = clock.now();
    Ok(store::delete_expired(db, now, now - TimeDelta::days(1)).await?)
}

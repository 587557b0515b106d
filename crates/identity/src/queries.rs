//! Identity's queries: what an actor may read, and who is behind a session or token.

use platform::{
    secret, Actor, Clock, DataScope, Db, DealerId, Failure, Locale, Page, PageRequest, Permission, RegionId, Role,
    TenantId, UserId,
};

use crate::domain::*;
use crate::error::IdentityError;
use crate::store::{self, Source, StoredUser};

pub use crate::store::{ApiTokenFilter, UserFilter, API_TOKEN_SORT, DEALER_GROUP_SORT, DEALER_SORT, USER_SORT};

type Result<T> = std::result::Result<T, IdentityError>;

pub async fn tenant(db: &Db, id: TenantId) -> Result<Tenant> {
    Ok(store::find_tenant(db, id)
        .await?
        .ok_or(Failure::NotFound { entity: "tenant" })?)
}

pub async fn tenant_by_code(db: &Db, code: &str) -> Result<Option<Tenant>> {
    Ok(store::find_tenant_by_code(db, code).await?)
}

/// The tenant's logo as content type and bytes, shown on every page of the tenant.
pub async fn tenant_logo(db: &Db, id: TenantId) -> Result<Option<(String, Vec<u8>)>> {
    Ok(store::find_tenant_logo(db, id).await?)
}

/// The regions the actor may see, parents before their children.
pub async fn regions(db: &Db, actor: &Actor) -> Result<Vec<Region>> {
    actor.require(Permission::ViewRegions)?;
    Ok(order_as_tree(
        store::list_regions(db, actor.tenant_id, &actor.scope).await?,
    ))
}

pub async fn region(db: &Db, actor: &Actor, id: RegionId) -> Result<Region> {
    actor.require(Permission::ViewRegions)?;
    Ok(
        store::find_region(&mut Source::Db(db), actor.tenant_id, &actor.scope, id)
            .await?
            .ok_or(Failure::NotFound { entity: "region" })?,
    )
}

/// Sorts regions depth-first, so a list reads as the tree; regions whose parent is out of
/// sight start their own subtree.
fn order_as_tree(regions: Vec<Region>) -> Vec<Region> {
    let ids: std::collections::HashSet<RegionId> = regions.iter().map(|r| r.id).collect();
    let mut ordered = Vec::with_capacity(regions.len());
    let mut stack: Vec<&Region> = regions
        .iter()
        .filter(|r| r.parent_id.is_none_or(|p| !ids.contains(&p)))
        .rev()
        .collect();
    while let Some(region) = stack.pop() {
        ordered.push(region.clone());
        stack.extend(regions.iter().filter(|r| r.parent_id == Some(region.id)).rev());
    }
    ordered
}

pub async fn dealers(db: &Db, actor: &Actor, filter: &DealerFilter, page: PageRequest) -> Result<Page<Dealer>> {
    actor.require(Permission::ViewDealers)?;
    Ok(store::list_dealers(db, actor, filter, page).await?)
}

pub async fn dealer(db: &Db, actor: &Actor, id: DealerId) -> Result<DealerDetail> {
    actor.require(Permission::ViewDealers)?;
    let dealer = store::find_dealer(&mut Source::Db(db), actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound { entity: "dealer" })?;
    Ok(store::dealer_detail(db, dealer).await?)
}

/// A dealer in the actor's scope by its code, as typed into a form; `None` if there is none.
pub async fn dealer_by_code(db: &Db, actor: &Actor, code: &str) -> Result<Option<Dealer>> {
    actor.require(Permission::ViewDealers)?;
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    Ok(store::find_dealer_by_code(&mut Source::Db(db), actor.tenant_id, &actor.scope, code).await?)
}

/// The dealers among `ids` that the actor may see.
pub async fn dealers_by_id(db: &Db, actor: &Actor, ids: &[DealerId]) -> Result<Vec<Dealer>> {
    actor.require(Permission::ViewDealers)?;
    Ok(store::find_dealers(db, actor.tenant_id, &actor.scope, ids).await?)
}

/// Who a dealer is for publications and prices: the actor's own dealer for dealer users, any
/// dealer in scope for internal users who look at a catalog as that dealer sees it.
pub async fn dealer_audience(db: &Db, actor: &Actor, dealer_id: Option<DealerId>) -> Result<platform::DealerAudience> {
    actor.require(Permission::ViewCatalog)?;
    let dealer_id = match (actor.scope.dealer_id(), dealer_id) {
        (Some(own), None) => own,
        (Some(own), Some(asked)) if asked == own => own,
        (Some(_), Some(_)) => return Err(Failure::NotFound { entity: "dealer" }.into()),
        (None, Some(asked)) => asked,
        (None, None) => return Err(Failure::field("dealer_id", "field.required").into()),
    };
    // Read with the user when the request signed in.
    if let Some(own) = actor.audience.as_ref().filter(|own| own.dealer_id == dealer_id) {
        return Ok(own.clone());
    }
    Ok(store::dealer_audience(db, actor.tenant_id, &actor.scope, dealer_id)
        .await?
        .ok_or(Failure::NotFound { entity: "dealer" })?)
}

pub async fn dealer_groups(db: &Db, actor: &Actor) -> Result<Vec<DealerGroup>> {
    actor.require(Permission::ViewDealers)?;
    if actor.is_dealer_user() {
        return Ok(Vec::new());
    }
    Ok(store::list_dealer_groups(&mut Source::Db(db), actor.tenant_id).await?)
}

/// One page of the dealer group list. Groups are the manufacturer's own classification, so a
/// dealer's people see none, as with [`dealer_groups`].
pub async fn dealer_group_list(
    db: &Db,
    actor: &Actor,
    filter: &DealerGroupFilter,
    page: PageRequest,
) -> Result<Page<DealerGroup>> {
    actor.require(Permission::ViewDealers)?;
    if actor.is_dealer_user() {
        return Ok(Page::new(Vec::new(), 0, page));
    }
    Ok(store::dealer_group_page(db, actor.tenant_id, filter, page).await?)
}

/// Every dealer of the tenant by code, for imports that refer to dealers by code.
pub async fn dealer_ids_by_code(db: &Db, actor: &Actor) -> Result<std::collections::HashMap<String, DealerId>> {
    actor.require(Permission::ManageDealers)?;
    Ok(store::dealer_ids_by_code(&mut Source::Db(db), actor.tenant_id).await?)
}

pub async fn users(db: &Db, actor: &Actor, filter: &UserFilter, page: PageRequest) -> Result<Page<User>> {
    actor.require(Permission::ViewUsers)?;
    Ok(store::list_users(db, actor, filter, page).await?)
}

pub async fn user(db: &Db, actor: &Actor, id: UserId) -> Result<User> {
    actor.require(Permission::ViewUsers)?;
    Ok(store::find_visible_user(db, actor, id)
        .await?
        .ok_or(Failure::NotFound { entity: "user" })?)
}

/// The user with this login, if the actor may see it: a login of another tenant's user, or of a
/// user out of the actor's scope, finds nobody.
pub async fn user_by_login(db: &Db, actor: &Actor, login: &str) -> Result<Option<User>> {
    actor.require(Permission::ViewUsers)?;
    let Some(stored) = store::find_user_by_login(db, login).await? else {
        return Ok(None);
    };
    Ok(store::find_visible_user(db, actor, stored.user.id).await?)
}

pub async fn api_tokens(db: &Db, actor: &Actor, filter: &ApiTokenFilter, page: PageRequest) -> Result<Page<ApiToken>> {
    actor.require(Permission::ManageApiTokens)?;
    Ok(store::list_api_tokens(db, actor.tenant_id, filter, page).await?)
}

/// Who is signed in, as the web layer needs it.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    pub user: User,
    /// The form token of a browser session; `None` for API tokens, which need none.
    pub csrf_token: Option<String>,
}

fn actor_for(stored: &StoredUser, only_role: Option<Role>) -> Actor {
    let user = &stored.user;
    let scope = match user.dealer_id {
        Some(dealer_id) => DataScope::Dealer {
            dealer_id,
            with_tier2: user.sees_tier2,
        },
        None if user.all_regions => DataScope::Tenant,
        None => DataScope::Regions {
            roots: user.region_ids.clone(),
        },
    };
    let roles = match only_role {
        Some(role) => user.roles.iter().copied().filter(|r| *r == role).collect(),
        None => user.roles.clone(),
    };
    Actor {
        tenant_id: stored.tenant_id,
        user_id: Some(user.id),
        display_name: user.display_name.clone(),
        roles,
        scope,
        locale: user.locale.unwrap_or(Locale::En),
        audience: stored.audience.clone(),
    }
}

/// The signed-in user, unless blocked.
fn active(stored: StoredUser, only_role: Option<Role>, csrf_token: Option<String>) -> Option<SignedIn> {
    (stored.user.status == UserStatus::Active).then(|| SignedIn {
        actor: actor_for(&stored, only_role),
        user: stored.user,
        csrf_token,
    })
}

/// An active user as the actor of work done on their behalf later, such as an import running
/// in the background; `None` once the user is gone or blocked.
pub async fn acting_user(db: &Db, user_id: UserId) -> Result<Option<Actor>> {
    let stored = store::find_user_by_id(&mut Source::Db(db), user_id).await?;
    Ok(stored
        .and_then(|stored| active(stored, None, None))
        .map(|signed_in| signed_in.actor))
}

/// The user behind a session cookie, if the session is alive and the user active.
pub async fn session(db: &Db, clock: &Clock, token: &str) -> Result<Option<SignedIn>> {
    let found = store::find_session_user(db, &secret::token_digest(token), clock.now()).await?;
    Ok(found.and_then(|(stored, csrf_token)| active(stored, None, Some(csrf_token))))
}

/// The user behind an API bearer token, narrowed to the token's role when it has one.
pub async fn bearer(db: &Db, clock: &Clock, token: &str) -> Result<Option<SignedIn>> {
    let now = clock.now();
    let Some((token, stored)) = store::find_token_user(db, &secret::token_digest(token), now).await? else {
        return Ok(None);
    };
    if token.stale {
        store::touch_api_token(db, token.id, now).await?;
    }
    Ok(active(stored, token.role, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(id: i64, parent: Option<i64>, code: &str) -> Region {
        Region {
            id: RegionId(id),
            parent_id: parent.map(RegionId),
            code: code.into(),
            name: code.into(),
            kind: RegionKind::Region,
            depth: 0,
        }
    }

    #[test]
    fn regions_are_listed_as_a_tree() {
        let ordered = order_as_tree(vec![
            region(1, None, "CN"),
            region(2, None, "RU"),
            region(3, Some(2), "RU-CEN"),
            region(4, Some(1), "CN-E"),
            region(5, Some(3), "RU-MOW"),
        ]);
        let codes: Vec<_> = ordered.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, vec!["CN", "CN-E", "RU", "RU-CEN", "RU-MOW"]);
    }
}

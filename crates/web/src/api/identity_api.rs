//! API handlers for identity: they translate HTTP to commands and queries and back, nothing more.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use identity::domain::*;
use identity::queries::UserFilter;
use identity::{commands, queries};
use platform::{DealerId, Page, PageRequest, RegionId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, ApiResult};
use crate::error::{Problem, WebError};
use crate::exports::TreeSearch;
use crate::session::ApiCaller;
use crate::AppState;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub login: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
}

/// Exchanges a login and password for a bearer token.
#[utoipa::path(post, path = "/auth/token", tag = "identity", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn issue_token(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TokenRequest>,
) -> ApiResult<TokenResponse> {
    let token = commands::issue_sign_in_token(&state.db, &state.clock, &body.login, &body.password).await?;
    Ok(Json(TokenResponse {
        token,
        token_type: "Bearer",
        expires_in: commands::SIGN_IN_TOKEN_LIFETIME.num_seconds(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub tenant: Tenant,
    /// The roles in force for this token (a token may be narrowed to one role).
    pub roles: Vec<String>,
}

/// The signed-in user and tenant.
#[utoipa::path(get, path = "/me", tag = "identity", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Me> {
    let actor = &caller.signed_in.actor;
    Ok(Json(Me {
        tenant: state.tenant(actor.tenant_id).await?,
        roles: actor.roles.iter().map(|r| r.code().to_owned()).collect(),
        user: caller.signed_in.user,
    }))
}

#[utoipa::path(get, path = "/tenant", tag = "identity", security(("bearer" = [])),
    responses((status = 200, body = Tenant), (status = 401, body = Problem)))]
pub async fn get_tenant(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Tenant> {
    Ok(Json(state.tenant(caller.signed_in.actor.tenant_id).await?))
}

/// Changes the tenant's name, language, time zone and colours (administrators).
#[utoipa::path(put, path = "/tenant", tag = "identity", security(("bearer" = [])), request_body = TenantSettings,
    responses((status = 200, body = Tenant), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn update_tenant(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<TenantSettings>,
) -> ApiResult<Tenant> {
    Ok(Json(
        commands::update_tenant_settings(&state.db, &state.clock, &caller.signed_in.actor, &body).await?,
    ))
}

/// The regions in the caller's data scope, parents before children; a search keeps the
/// regions whose code or name holds it, each with its ancestors.
#[utoipa::path(get, path = "/regions", tag = "identity", security(("bearer" = [])), params(TreeSearch),
    responses((status = 200, body = Vec<Region>), (status = 403, body = Problem)))]
pub async fn list_regions(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<TreeSearch>,
) -> ApiResult<Vec<Region>> {
    let regions = queries::regions(&state.db, &caller.signed_in.actor).await?;
    Ok(Json(search_regions(regions, query.text())))
}

/// The same regions as `GET /regions`, in tree order with each one's parent code, as a
/// spreadsheet with headers in the caller's language.
#[utoipa::path(get, path = "/regions/export", tag = "identity", security(("bearer" = [])), params(TreeSearch),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem)))]
pub async fn export_regions(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<TreeSearch>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(
        crate::exports::export_list(&state, &caller.signed_in.actor, &t, &crate::exports::RegionTree(query))
            .await?
            .for_api(),
    )
}

#[utoipa::path(post, path = "/regions", tag = "identity", security(("bearer" = [])), request_body = RegionInput,
    responses((status = 201, body = Region), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_region(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<RegionInput>,
) -> Result<(StatusCode, Json<Region>), WebError> {
    let region = commands::create_region(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(region)))
}

#[utoipa::path(get, path = "/regions/{id}", tag = "identity", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Region), (status = 404, body = Problem)))]
pub async fn get_region(State(state): State<AppState>, caller: ApiCaller, Path(id): Path<i64>) -> ApiResult<Region> {
    Ok(Json(
        queries::region(&state.db, &caller.signed_in.actor, RegionId(id)).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct RegionRename {
    pub name: String,
}

#[utoipa::path(patch, path = "/regions/{id}", tag = "identity", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RegionRename,
    responses((status = 200, body = Region), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rename_region(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RegionRename>,
) -> ApiResult<Region> {
    Ok(Json(
        commands::rename_region(
            &state.db,
            &state.clock,
            &caller.signed_in.actor,
            RegionId(id),
            &body.name,
        )
        .await?,
    ))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct DealerGroupQuery {
    /// Part of the code or name, any letter case.
    pub search: Option<String>,
    /// `code` or `name`; `-` first for descending. By code when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl DealerGroupQuery {
    pub fn filter(&self) -> Result<DealerGroupFilter, platform::Failure> {
        Ok(DealerGroupFilter {
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
            sort: queries::DEALER_GROUP_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// The manufacturer's dealer groups, filtered and paginated (none for a dealer's people).
#[utoipa::path(get, path = "/dealer-groups", tag = "identity", security(("bearer" = [])), params(DealerGroupQuery),
    responses((status = 200, body = Page<DealerGroup>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_dealer_groups(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<DealerGroupQuery>,
) -> ApiResult<Page<DealerGroup>> {
    Ok(Json(
        queries::dealer_group_list(
            &state.db,
            &caller.signed_in.actor,
            &query.filter()?,
            PageRequest::new(query.page, query.per_page),
        )
        .await?,
    ))
}

/// The same dealer groups as `GET /dealer-groups` (search and sort), every row, as a spreadsheet
/// with headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/dealer-groups/export", tag = "identity", security(("bearer" = [])), params(DealerGroupQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_dealer_groups(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<DealerGroupQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[utoipa::path(post, path = "/dealer-groups", tag = "identity", security(("bearer" = [])), request_body = DealerGroupInput,
    responses((status = 201, body = DealerGroup), (status = 422, body = Problem)))]
pub async fn create_dealer_group(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<DealerGroupInput>,
) -> Result<(StatusCode, Json<DealerGroup>), WebError> {
    let group = commands::create_dealer_group(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(group)))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct DealerQuery {
    /// Part of the code or legal name, any letter case.
    pub search: Option<String>,
    pub region_id: Option<i64>,
    pub status: Option<String>,
    pub tier: Option<i64>,
    pub group_id: Option<i64>,
    /// `code`, `legal_name`, `region`, `tier`, `status`, `gln` or `created_at`; `-` first for
    /// descending. By code when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl DealerQuery {
    pub fn filter(&self) -> Result<DealerFilter, platform::Failure> {
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            Some(code) => Some(
                DealerStatus::parse(code).ok_or_else(|| platform::Failure::field("status", "dealer.status_invalid"))?,
            ),
            None => None,
        };
        Ok(DealerFilter {
            search: self.search.clone(),
            region_id: self.region_id.map(RegionId),
            status,
            tier: self.tier,
            group_id: self.group_id,
            sort: queries::DEALER_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// Dealers in the caller's data scope, filtered and paginated.
#[utoipa::path(get, path = "/dealers", tag = "identity", security(("bearer" = [])), params(DealerQuery),
    responses((status = 200, body = Page<Dealer>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_dealers(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<DealerQuery>,
) -> ApiResult<Page<Dealer>> {
    Ok(Json(
        queries::dealers(
            &state.db,
            &caller.signed_in.actor,
            &query.filter()?,
            PageRequest::new(query.page, query.per_page),
        )
        .await?,
    ))
}

/// The same dealers as `GET /dealers` (filters and sort), every row, as a spreadsheet with
/// headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/dealers/export", tag = "identity", security(("bearer" = [])), params(DealerQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_dealers(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<DealerQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[utoipa::path(post, path = "/dealers", tag = "identity", security(("bearer" = [])), request_body = DealerInput,
    responses((status = 201, body = Dealer), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_dealer(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<DealerInput>,
) -> Result<(StatusCode, Json<Dealer>), WebError> {
    let dealer = commands::create_dealer(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(dealer)))
}

#[utoipa::path(get, path = "/dealers/{id}", tag = "identity", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = DealerDetail), (status = 404, body = Problem)))]
pub async fn get_dealer(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<DealerDetail> {
    Ok(Json(
        queries::dealer(&state.db, &caller.signed_in.actor, DealerId(id)).await?,
    ))
}

#[utoipa::path(put, path = "/dealers/{id}", tag = "identity", security(("bearer" = [])), params(("id" = i64, Path)), request_body = DealerInput,
    responses((status = 200, body = Dealer), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_dealer(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DealerInput>,
) -> ApiResult<Dealer> {
    Ok(Json(
        commands::update_dealer(&state.db, &state.clock, &caller.signed_in.actor, DealerId(id), &body).await?,
    ))
}

#[utoipa::path(post, path = "/dealers/{id}/locations", tag = "identity", security(("bearer" = [])), params(("id" = i64, Path)), request_body = LocationInput,
    responses((status = 201, body = DeliveryLocation), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_delivery_location(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LocationInput>,
) -> Result<(StatusCode, Json<DeliveryLocation>), WebError> {
    let location =
        commands::add_delivery_location(&state.db, &state.clock, &caller.signed_in.actor, DealerId(id), &body).await?;
    Ok((StatusCode::CREATED, Json(location)))
}

#[utoipa::path(post, path = "/dealers/{id}/contacts", tag = "identity", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ContactInput,
    responses((status = 201, body = Contact), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_contact(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ContactInput>,
) -> Result<(StatusCode, Json<Contact>), WebError> {
    let contact = commands::add_contact(&state.db, &state.clock, &caller.signed_in.actor, DealerId(id), &body).await?;
    Ok((StatusCode::CREATED, Json(contact)))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct UserQuery {
    /// Part of the login or name, any letter case.
    pub search: Option<String>,
    pub dealer_id: Option<i64>,
    /// `active` or `disabled`.
    pub status: Option<String>,
    /// `login`, `display_name`, `dealer`, `status` or `created_at`; `-` first for descending.
    /// By login when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl UserQuery {
    pub fn filter(&self) -> Result<UserFilter, platform::Failure> {
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(code) => {
                Some(UserStatus::parse(code).ok_or_else(|| platform::Failure::field("status", "field.invalid"))?)
            }
            None => None,
        };
        Ok(UserFilter {
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
            dealer_id: self.dealer_id.map(DealerId),
            status,
            sort: queries::USER_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// The same users as `GET /users` (filters and sort), every row, as a spreadsheet with
/// headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/users/export", tag = "identity", security(("bearer" = [])), params(UserQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_users(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[utoipa::path(get, path = "/users", tag = "identity", security(("bearer" = [])), params(UserQuery),
    responses((status = 200, body = Page<User>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> ApiResult<Page<User>> {
    let filter = query.filter()?;
    Ok(Json(
        queries::users(
            &state.db,
            &caller.signed_in.actor,
            &filter,
            PageRequest::new(query.page, query.per_page),
        )
        .await?,
    ))
}

#[utoipa::path(post, path = "/users", tag = "identity", security(("bearer" = [])), request_body = UserInput,
    responses((status = 201, body = User), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<UserInput>,
) -> Result<(StatusCode, Json<User>), WebError> {
    let user = commands::create_user(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(get, path = "/users/{id}", tag = "identity", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = Problem)))]
pub async fn get_user(State(state): State<AppState>, caller: ApiCaller, Path(id): Path<i64>) -> ApiResult<User> {
    Ok(Json(
        queries::user(&state.db, &caller.signed_in.actor, UserId(id)).await?,
    ))
}

#[utoipa::path(put, path = "/users/{id}", tag = "identity", security(("bearer" = [])), params(("id" = i64, Path)), request_body = UserInput,
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UserInput>,
) -> ApiResult<User> {
    Ok(Json(
        commands::update_user(&state.db, &state.clock, &caller.signed_in.actor, UserId(id), &body).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordReset {
    pub password: String,
}

/// Sets a new password that the user must change at next sign-in; ends their sessions.
#[utoipa::path(post, path = "/users/{id}/password", tag = "identity", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PasswordReset,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PasswordReset>,
) -> Result<StatusCode, WebError> {
    commands::reset_password(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        UserId(id),
        &body.password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct ApiTokenQuery {
    /// `active` (not revoked) or `revoked`.
    pub state: Option<String>,
    /// `name`, `user`, `role`, `created_at`, `expires_at`, `last_used_at` or `revoked_at`; `-`
    /// first for descending. Newest first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ApiTokenQuery {
    pub fn filter(&self) -> Result<queries::ApiTokenFilter, platform::Failure> {
        let state = match self.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(state @ ("active" | "revoked")) => Some(state.to_owned()),
            Some(_) => return Err(platform::Failure::field("state", "field.invalid")),
            None => None,
        };
        Ok(queries::ApiTokenFilter {
            state,
            sort: queries::API_TOKEN_SORT.parse(self.sort.as_deref())?,
        })
    }
}

#[utoipa::path(get, path = "/api-tokens", tag = "identity", security(("bearer" = [])), params(ApiTokenQuery),
    responses((status = 200, body = Page<ApiToken>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_api_tokens(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ApiTokenQuery>,
) -> ApiResult<Page<ApiToken>> {
    Ok(Json(
        queries::api_tokens(
            &state.db,
            &caller.signed_in.actor,
            &query.filter()?,
            PageRequest::new(query.page, query.per_page),
        )
        .await?,
    ))
}

/// The same tokens as `GET /api-tokens` (filters and sort), every row, as a spreadsheet with
/// headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`. Secrets are never in it.
#[utoipa::path(get, path = "/api-tokens/export", tag = "identity", security(("bearer" = [])), params(ApiTokenQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_api_tokens(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ApiTokenQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

/// Creates an integration token; its secret is in this response only.
#[utoipa::path(post, path = "/api-tokens", tag = "identity", security(("bearer" = [])), request_body = ApiTokenInput,
    responses((status = 201, body = IssuedToken), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_api_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<ApiTokenInput>,
) -> Result<(StatusCode, Json<IssuedToken>), WebError> {
    let token = commands::create_api_token(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

#[utoipa::path(delete, path = "/api-tokens/{id}", tag = "identity", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ApiToken), (status = 404, body = Problem)))]
pub async fn revoke_api_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<ApiToken> {
    Ok(Json(
        commands::revoke_api_token(&state.db, &state.clock, &caller.signed_in.actor, id).await?,
    ))
}

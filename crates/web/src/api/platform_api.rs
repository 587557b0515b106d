//! API handlers for the message centre, the tenant's mail server, the audit log and the job
//! queue.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use platform::audit::{self, AuditFilter, AuditRecord};
use platform::jobs::{self, Job, JobFilter};
use platform::mail::{self, MailServer, MailServerInput};
use platform::{Failure, Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::{ApiJson, ApiQuery, ApiResult};
use crate::error::{Problem, WebError};
use crate::lists::optional_text;
use crate::session::ApiCaller;
use crate::AppState;

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct AuditQuery {
    /// `dealer`, `user`, `region`, `tenant`, `api_token`, …
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    /// The display name of whoever made the change.
    pub actor: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// `occurred_at`, `actor`, `entity`, `entity_id` or `action`; `-` first for descending.
    /// Newest first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl AuditQuery {
    pub fn filter(&self) -> Result<AuditFilter, Failure> {
        let text = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        Ok(AuditFilter {
            entity: text(&self.entity),
            entity_id: self.entity_id,
            actor: text(&self.actor),
            from: self.from,
            to: self.to,
            sort: audit::AUDIT_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// Who changed what and when, newest first (administrators).
#[utoipa::path(get, path = "/audit-log", tag = "platform", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = Page<AuditRecord>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_audit_log(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditRecord>>, WebError> {
    Ok(Json(
        audit::list(
            &state.db,
            &caller.signed_in.actor,
            &query.filter()?,
            PageRequest::new(query.page, query.per_page),
        )
        .await?,
    ))
}

/// The same records as `GET /audit-log` (filters and sort), every row, as a spreadsheet with
/// headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/audit-log/export", tag = "platform", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_audit_log(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct JobQuery {
    /// `queued`, `running`, `done` or `failed`.
    pub status: Option<String>,
    pub kind: Option<String>,
    /// `id`, `kind`, `status`, `attempts`, `run_at`, `created_at` or `finished_at`; `-` first
    /// for descending. Newest first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl JobQuery {
    pub fn filter(&self) -> Result<JobFilter, Failure> {
        Ok(JobFilter {
            status: self.status.as_deref().and_then(optional_text),
            kind: self.kind.as_deref().and_then(optional_text),
            sort: jobs::JOB_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// Background jobs of the tenant and of the system (administrators).
#[utoipa::path(get, path = "/jobs", tag = "platform", security(("bearer" = [])), params(JobQuery),
    responses((status = 200, body = Page<Job>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<JobQuery>,
) -> Result<Json<Page<Job>>, WebError> {
    Ok(Json(
        jobs::list(
            &state.db,
            &caller.signed_in.actor,
            &query.filter()?,
            PageRequest::new(query.page, query.per_page),
        )
        .await?,
    ))
}

/// The same jobs as `GET /jobs` (filters and sort), every row, as a spreadsheet with headers
/// in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/jobs/export", tag = "platform", security(("bearer" = [])), params(JobQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_jobs(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<JobQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct MessageQuery {
    /// `true`: only the messages not read yet.
    pub unread: Option<bool>,
    /// Only messages of one kind, such as `message.order_shipped`.
    pub kind: Option<String>,
    /// `created_at`, `kind` or `read_at`; `-` first for descending. Newest first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl MessageQuery {
    pub fn filter(&self) -> Result<platform::messages::MessageFilter, Failure> {
        Ok(platform::messages::MessageFilter {
            unread: self.unread.unwrap_or(false),
            kind: self.kind.clone().map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()),
            sort: platform::messages::MESSAGE_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// A message with its text in the caller's language.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MessageText {
    #[serde(flatten)]
    pub message: platform::messages::Message,
    pub text: String,
}

/// The caller's own messages, newest first.
#[utoipa::path(get, path = "/messages", tag = "platform", security(("bearer" = [])), params(MessageQuery),
    responses((status = 200, body = Page<MessageText>), (status = 422, body = Problem)))]
pub async fn list_messages(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<MessageQuery>,
) -> Result<Json<Page<MessageText>>, WebError> {
    let page = PageRequest::new(query.page, query.per_page);
    let found = platform::messages::list_filtered(&state.db, &caller.signed_in.actor, &query.filter()?, page).await?;
    let t = caller.translator(&state).await?;
    let items = found
        .items
        .into_iter()
        .map(|message| MessageText {
            text: crate::pages::message_text(&t, &message),
            message,
        })
        .collect();
    Ok(Json(Page {
        items,
        total: found.total,
        page: found.page,
        per_page: found.per_page,
    }))
}

/// The same messages as `GET /messages` (filters and sort), every row, as a spreadsheet in
/// the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/messages/export", tag = "platform", security(("bearer" = [])), params(MessageQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 422, body = Problem)))]
pub async fn export_messages(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<MessageQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

/// Marks all the caller's messages read.
#[utoipa::path(post, path = "/messages/read", tag = "platform", security(("bearer" = [])),
    responses((status = 204)))]
pub async fn read_messages(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::http::StatusCode, WebError> {
    platform::messages::mark_all_read(&state.db, &caller.signed_in.actor, state.clock.now()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The tenant's mail server (administrators); `null` while e-mail is off. The password is
/// never shown.
#[utoipa::path(get, path = "/tenant/mail-server", tag = "platform", security(("bearer" = [])),
    responses((status = 200, body = Option<MailServer>), (status = 403, body = Problem)))]
pub async fn get_mail_server(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Option<MailServer>> {
    Ok(Json(mail::mail_server(&state.db, &caller.signed_in.actor).await?))
}

/// Sets the tenant's mail server; dealer users then get their notices by e-mail too. An empty
/// password keeps the saved one.
#[utoipa::path(put, path = "/tenant/mail-server", tag = "platform", security(("bearer" = [])),
    request_body = MailServerInput,
    responses((status = 200, body = MailServer), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_mail_server(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<MailServerInput>,
) -> ApiResult<MailServer> {
    Ok(Json(
        mail::set_mail_server(&state.db, &state.clock, &caller.signed_in.actor, &body).await?,
    ))
}

/// Turns e-mail off; notices still reach the message centre.
#[utoipa::path(delete, path = "/tenant/mail-server", tag = "platform", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem)))]
pub async fn remove_mail_server(State(state): State<AppState>, caller: ApiCaller) -> Result<StatusCode, WebError> {
    mail::remove_mail_server(&state.db, &state.clock, &caller.signed_in.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

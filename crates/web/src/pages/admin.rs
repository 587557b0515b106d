//! The administrator's pages: tenant settings and logo, integration tokens, the audit log and
//! the background jobs.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use identity::domain::{ApiToken, ApiTokenInput, IssuedToken, TenantSettings};
use identity::{commands, queries};
use platform::audit::{self, AuditFilter, AuditRecord};
use platform::jobs::{self, Job};
use platform::{secret, Failure, FieldError, Locale, Page, PageRequest, Permission, Role};
use serde::Deserialize;

use super::account::{DoneQuery, EmptyForm};
use super::users::{user_suggestions, CodedUser};
use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::api::{ApiTokenQuery, AuditQuery, JobQuery};
use crate::error::WebError;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

const JOB_STATUSES: [&str; 4] = ["queued", "running", "done", "failed"];

/// A `yyyy-mm-dd` date, as a date input sends it.
fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// The first moment of a day in the tenant's time zone.
fn start_of_day(date: NaiveDate, time_zone: Tz) -> Option<DateTime<Utc>> {
    date.and_time(NaiveTime::MIN)
        .and_local_timezone(time_zone)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
}

// ----- settings and logo -----

#[derive(Template)]
#[template(path = "platform/settings.html")]
struct SettingsPage {
    layout: Layout,
    form: TenantSettings,
    errors: FormErrors,
    logo_errors: FormErrors,
    languages: Vec<(&'static str, &'static str)>,
    logo_max_kib: usize,
}

fn settings_response(
    user: &PageUser,
    done: Option<&str>,
    form: TenantSettings,
    errors: FormErrors,
    logo_errors: FormErrors,
) -> Result<Response, WebError> {
    user.actor().require(Permission::ManageTenant)?;
    let view = SettingsPage {
        layout: Layout::new(user, "/admin/settings", "nav.settings").with_notice(done),
        form,
        errors,
        logo_errors,
        languages: Locale::ALL.iter().map(|l| (l.code(), l.native_name())).collect(),
        logo_max_kib: commands::LOGO_MAX_BYTES / 1024,
    };
    render(&view)
}

fn current_settings(user: &PageUser) -> TenantSettings {
    let tenant = &user.tenant;
    TenantSettings {
        name: tenant.name.clone(),
        default_locale: tenant.default_locale.code().to_owned(),
        time_zone: tenant.time_zone.clone(),
        brand_primary_color: tenant.brand_primary_color.clone(),
        brand_accent_color: tenant.brand_accent_color.clone(),
        credit_policy: Some(tenant.credit_policy.clone()),
        gln: Some(tenant.gln.clone().unwrap_or_default()),
    }
}

pub async fn settings_page(user: PageUser, Query(query): Query<DoneQuery>) -> Result<Response, WebError> {
    settings_response(
        &user,
        query.done.as_deref(),
        current_settings(&user),
        FormErrors::none(),
        FormErrors::none(),
    )
}

pub async fn save_settings(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<TenantSettings>,
) -> Result<Response, WebError> {
    let result = commands::update_tenant_settings(&state.db, &state.clock, user.actor(), &form)
        .await
        .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done("/admin/settings", "saved")),
        Err(errors) => settings_response(&user, None, form, errors, FormErrors::none()),
    }
}

/// The logo form's fields: its CSRF token and the file.
#[derive(Default)]
struct LogoUpload {
    csrf_token: String,
    content_type: String,
    bytes: Vec<u8>,
}

/// Reads the logo form; a body the server will not take whole is reported as too large.
async fn read_logo_upload(mut multipart: Multipart) -> Result<LogoUpload, Failure> {
    let too_large = |_| {
        Failure::Invalid(vec![
            FieldError::new("logo", "tenant.logo_size").with("max_kib", commands::LOGO_MAX_BYTES / 1024)
        ])
    };
    let mut upload = LogoUpload::default();
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        match field.name() {
            Some("csrf_token") => upload.csrf_token = field.text().await.map_err(too_large)?,
            Some("logo") => {
                upload.content_type = field.content_type().unwrap_or_default().to_owned();
                upload.bytes = field.bytes().await.map_err(too_large)?.to_vec();
            }
            _ => {}
        }
    }
    Ok(upload)
}

pub async fn upload_logo(
    State(state): State<AppState>,
    user: PageUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let multipart = multipart.map_err(|_| Failure::Forbidden)?;
    let result = match read_logo_upload(multipart).await {
        Ok(upload) if secret::constant_time_eq(&upload.csrf_token, user.csrf_token()) => commands::set_tenant_logo(
            &state.db,
            &state.clock,
            user.actor(),
            &upload.content_type,
            upload.bytes,
        )
        .await
        .map_err(WebError::from),
        Ok(_) => return Err(Failure::Forbidden.into()),
        Err(failure) => Err(failure.into()),
    };
    match form_outcome(&user.t, result)? {
        Ok(()) => Ok(redirect_done("/admin/settings", "logo_saved")),
        Err(errors) => settings_response(&user, None, current_settings(&user), FormErrors::none(), errors),
    }
}

/// The signed-in user's tenant logo. An SVG may carry scripts, so it is served sandboxed.
pub async fn logo(State(state): State<AppState>, user: PageUser) -> Result<Response, WebError> {
    let (content_type, bytes) = queries::tenant_logo(&state.db, user.actor().tenant_id)
        .await?
        .ok_or(Failure::NotFound { entity: "logo" })?;
    let content_type = HeaderValue::from_str(&content_type).map_err(|e| Failure::Internal(e.to_string()))?;
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300")),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        ),
    ];
    Ok((headers, bytes).into_response())
}

// ----- integration tokens -----

#[derive(Template)]
#[template(path = "platform/api_tokens.html")]
struct TokensPage {
    layout: Layout,
    page: Page<ApiToken>,
    query: PageQuery,
    states: [&'static str; 2],
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    filter_query: String,
    /// Users to suggest for the login field: login and name.
    users: Vec<(String, String)>,
    roles: Vec<&'static str>,
    form: TokenForm,
    errors: FormErrors,
    /// A token just created, whose secret is shown this once.
    issued: Option<IssuedToken>,
}

/// The token form as posted: an empty role means all the user's roles, an empty date no expiry.
#[derive(Deserialize, Default)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    /// The login of the user the token acts for, typed.
    #[serde(default)]
    user_login: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    expires_at: String,
}

impl TokenForm {
    /// The token for `user`; it expires at the end of the chosen day, in UTC.
    fn input(&self, user: &CodedUser) -> Result<ApiTokenInput, Failure> {
        let expires_at = match self.expires_at.trim() {
            "" => None,
            text => {
                let day = parse_date(text).ok_or_else(|| Failure::field("expires_at", "field.date"))?;
                Some(day.and_time(NaiveTime::MIN).and_utc() + TimeDelta::days(1) - TimeDelta::seconds(1))
            }
        };
        Ok(ApiTokenInput {
            name: self.name.clone(),
            user_id: user.id(),
            role: Some(self.role.trim().to_owned()).filter(|r| !r.is_empty()),
            expires_at,
        })
    }
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
    done: Option<String>,
}

impl PageQuery {
    fn query(&self) -> ApiTokenQuery {
        ApiTokenQuery {
            state: optional_text(&self.state),
            sort: optional_text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

async fn tokens_response(
    state: &AppState,
    user: &PageUser,
    query: PageQuery,
    form: TokenForm,
    errors: FormErrors,
    issued: Option<IssuedToken>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let filter = query.query().filter()?;
    let page = queries::api_tokens(&state.db, actor, &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/admin/api-tokens", &queries::API_TOKEN_SORT, filter.sort)
        .filter("state", filter.state.as_deref());
    let view = TokensPage {
        layout: Layout::new(user, "/admin/api-tokens", "nav.api_tokens").with_notice(query.done.as_deref()),
        page,
        filter_query: links.page_query(),
        links,
        states: ["active", "revoked"],
        query,
        users: user_suggestions(state, user).await?,
        roles: Role::INTERNAL
            .iter()
            .chain(Role::DEALER.iter())
            .map(|r| r.code())
            .collect(),
        form,
        errors,
        issued,
    };
    render(&view)
}

/// The tokens the page lists under the same filters and sort, every row, as XLSX.
pub async fn export_tokens(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

pub async fn tokens_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    tokens_response(&state, &user, query, TokenForm::default(), FormErrors::none(), None).await
}

pub async fn create_token(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<TokenForm>,
) -> Result<Response, WebError> {
    let token_user = CodedUser::look_up(&state, &user, &form.user_login).await?;
    let result = match form.input(&token_user) {
        Ok(input) => commands::create_api_token(&state.db, &state.clock, user.actor(), &input)
            .await
            .map_err(WebError::from),
        Err(failure) => Err(failure.into()),
    };
    let first_page = PageQuery::default();
    match form_outcome(&user.t, result)? {
        Ok(issued) => {
            let mut response = tokens_response(
                &state,
                &user,
                first_page,
                TokenForm::default(),
                FormErrors::none(),
                Some(issued),
            )
            .await?;
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(errors) => {
            let errors = token_user.errors_as(&user.t, errors, ("user_id", "user_login"), true, "user.login_unknown");
            tokens_response(&state, &user, first_page, form, errors, None).await
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, .. }: PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    commands::revoke_api_token(&state.db, &state.clock, user.actor(), id).await?;
    Ok(redirect_done("/admin/api-tokens", "revoked"))
}

// ----- audit log -----

#[derive(Template)]
#[template(path = "platform/audit.html")]
struct AuditPage {
    layout: Layout,
    page: Page<AuditRecord>,
    query: AuditListQuery,
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    filter_query: String,
}

impl AuditPage {
    fn pretty(&self, value: &serde_json::Value) -> String {
        serde_json::to_string_pretty(value).unwrap_or_default()
    }
}

/// Empty fields arrive as empty strings and mean "any"; dates are whole days, both included.
#[derive(Deserialize, Default)]
pub struct AuditListQuery {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
}

impl AuditListQuery {
    fn filter(&self, time_zone: Tz) -> Result<AuditFilter, WebError> {
        Ok(AuditFilter {
            entity: optional_text(&self.entity),
            entity_id: self.entity_id.trim().parse().ok(),
            actor: optional_text(&self.actor),
            from: parse_date(&self.from).and_then(|day| start_of_day(day, time_zone)),
            to: parse_date(&self.to)
                .and_then(|day| day.succ_opt())
                .and_then(|day| start_of_day(day, time_zone)),
            sort: audit::AUDIT_SORT.parse(Some(self.sort.as_str()))?,
        })
    }

    fn links(&self, filter: &AuditFilter) -> ListLinks {
        ListLinks::new("/admin/audit", &audit::AUDIT_SORT, filter.sort)
            .filter("entity", filter.entity.as_deref())
            .filter("entity_id", filter.entity_id)
            .filter("actor", filter.actor.as_deref())
            .filter("from", parse_date(&self.from))
            .filter("to", parse_date(&self.to))
    }
}

pub async fn audit_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<AuditListQuery>,
) -> Result<Response, WebError> {
    let filter = query.filter(user.t.time_zone)?;
    let page = audit::list(&state.db, user.actor(), &filter, PageRequest::new(query.page, None)).await?;
    let links = query.links(&filter);
    let view = AuditPage {
        layout: Layout::new(&user, "/admin/audit", "nav.audit"),
        filter_query: links.page_query(),
        links,
        page,
        query,
    };
    render(&view)
}

/// The audit records the page shows under the same filters and sort, every row, as XLSX.
pub async fn export_audit(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<AuditListQuery>,
) -> Result<Response, WebError> {
    let filter = query.filter(user.t.time_zone)?;
    // The days become moments in the reader's time zone here, so the job reads the same range.
    let api_query = AuditQuery {
        entity: filter.entity,
        entity_id: filter.entity_id,
        actor: filter.actor,
        from: filter.from,
        to: filter.to,
        sort: Some(query.sort.trim().to_owned()).filter(|sort| !sort.is_empty()),
        page: None,
        per_page: None,
    };
    Ok(crate::exports::export_list(&state, user.actor(), &user.t, &api_query)
        .await?
        .for_page())
}

// ----- background jobs -----

#[derive(Template)]
#[template(path = "platform/jobs.html")]
struct JobsPage {
    layout: Layout,
    page: Page<Job>,
    query: JobListQuery,
    statuses: [&'static str; 4],
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    filter_query: String,
}

/// Empty fields arrive as empty strings; they mean "any".
#[derive(Deserialize, Default)]
pub struct JobListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
}

impl JobListQuery {
    fn query(&self) -> JobQuery {
        JobQuery {
            status: optional_text(&self.status),
            kind: optional_text(&self.kind),
            sort: optional_text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

pub async fn jobs_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<JobListQuery>,
) -> Result<Response, WebError> {
    let filter = query.query().filter()?;
    let page = jobs::list(&state.db, user.actor(), &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/admin/jobs", &jobs::JOB_SORT, filter.sort)
        .filter("status", filter.status.as_deref())
        .filter("kind", filter.kind.as_deref());
    let view = JobsPage {
        layout: Layout::new(&user, "/admin/jobs", "nav.jobs"),
        filter_query: links.page_query(),
        links,
        page,
        query,
        statuses: JOB_STATUSES,
    };
    render(&view)
}

/// The jobs the page shows under the same filters and sort, every row, as XLSX.
pub async fn export_jobs(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<JobListQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

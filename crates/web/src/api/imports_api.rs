//! API handlers for spreadsheet imports: upload a file, follow its job, fetch its problems.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use platform::imports::{self, Import, Problem};
use platform::{Failure, Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiQuery;
use crate::error::{Problem as ProblemJson, WebError};
use crate::imports::{self as importing, ImportKind};
use crate::session::ApiCaller;
use crate::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// `products` or `price_rows`.
    pub kind: String,
    /// For `price_rows`: the list the rows go into.
    pub price_list_id: Option<i64>,
    pub file_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Started {
    pub id: i64,
}

/// Uploads an XLSX file (the request body) to import; a background job checks every row and
/// applies all of them or none. Follow it with `GET /imports/{id}`.
#[utoipa::path(post, path = "/imports", tag = "imports", security(("bearer" = [])), params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 202, body = Started), (status = 403, body = ProblemJson), (status = 422, body = ProblemJson)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<UploadQuery>,
    body: Body,
) -> Result<(StatusCode, Json<Started>), WebError> {
    let kind = ImportKind::parse(&query.kind).ok_or_else(|| Failure::field("kind", "field.invalid"))?;
    // Read here, with the import's own limit rather than the API's default for JSON bodies.
    let body = axum::body::to_bytes(body, importing::MAX_BYTES).await.map_err(|_| {
        Failure::Invalid(vec![
            platform::FieldError::new("file", "import.file_size").with("max_mib", importing::MAX_BYTES / 1024 / 1024)
        ])
    })?;
    let id = importing::start(
        &state.db,
        &state.clock,
        &caller.signed_in.actor,
        kind,
        query.price_list_id,
        query.file_name.as_deref().unwrap_or("import.xlsx"),
        body.to_vec(),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(Started { id })))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct ListQuery {
    /// `queued`, `reading`, `checking`, `applying`, `done`, `rejected` or `failed`.
    pub status: Option<String>,
    /// `file_name`, `kind`, `status`, `rows_total`, `created_at` or `finished_at`; `-` first
    /// for descending. Newest first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ListQuery {
    pub fn filter(&self) -> Result<imports::ImportFilter, Failure> {
        Ok(imports::ImportFilter {
            status: self
                .status
                .clone()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            sort: imports::IMPORT_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// The tenant's imports of the kinds the caller may start, newest first.
#[utoipa::path(get, path = "/imports", tag = "imports", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Page<Import>), (status = 403, body = ProblemJson), (status = 422, body = ProblemJson)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<Import>>, WebError> {
    let actor = &caller.signed_in.actor;
    let kinds: Vec<&str> = importing::kinds_for(actor).into_iter().map(ImportKind::code).collect();
    if kinds.is_empty() {
        return Err(Failure::Forbidden.into());
    }
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        imports::list(&state.db, actor, &kinds, &query.filter()?, page).await?,
    ))
}

/// The same imports as `GET /imports` (filters and sort), every row, as a spreadsheet with
/// headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/imports/export", tag = "imports", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = ProblemJson), (status = 422, body = ProblemJson)))]
pub async fn export(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDetail {
    #[serde(flatten)]
    pub import: Import,
    /// 0 to 100, by stage.
    pub progress: u8,
    /// Each problem with its message in the caller's language.
    pub problems: Vec<ProblemText>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemText {
    #[serde(flatten)]
    pub problem: Problem,
    pub message: String,
}

async fn visible_import(state: &AppState, caller: &ApiCaller, id: i64) -> Result<Import, WebError> {
    let actor = &caller.signed_in.actor;
    let import = imports::find(&state.db, actor, id).await?;
    if !importing::kinds_for(actor).iter().any(|k| k.code() == import.kind) {
        return Err(Failure::NotFound { entity: "import" }.into());
    }
    Ok(import)
}

/// One import: its stage, progress and problems.
#[utoipa::path(get, path = "/imports/{import_id}", tag = "imports", security(("bearer" = [])),
    params(("import_id" = i64, Path)), responses((status = 200, body = ImportDetail), (status = 404, body = ProblemJson)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<ImportDetail>, WebError> {
    let import = visible_import(&state, &caller, id).await?;
    let t = caller.translator(&state).await?;
    let problems = imports::problems(&state.db, &caller.signed_in.actor, id)
        .await?
        .into_iter()
        .map(|problem| ProblemText {
            message: importing::problem_message(&t, &problem),
            problem,
        })
        .collect();
    Ok(Json(ImportDetail {
        progress: import.progress(),
        import,
        problems,
    }))
}

/// The problems as an XLSX report: row, column, problem, in the caller's language.
#[utoipa::path(get, path = "/imports/{import_id}/report", tag = "imports", security(("bearer" = [])),
    params(("import_id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ProblemJson)))]
pub async fn report(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    visible_import(&state, &caller, id).await?;
    let problems = imports::problems(&state.db, &caller.signed_in.actor, id).await?;
    let t = caller.translator(&state).await?;
    crate::exports::import_report(&t, id, &problems)
}

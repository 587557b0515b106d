//! API handlers for background exports of lists: follow one, and fetch its file when done.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use platform::exports::{self, Export};
use platform::{Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiQuery;
use crate::error::{Problem as ProblemJson, WebError};
use crate::lists::optional_text;
use crate::session::ApiCaller;
use crate::AppState;

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct ExportListQuery {
    /// `queued`, `running`, `done` or `failed`.
    pub status: Option<String>,
    /// The list exported, as in its path: `dealers`, `products` …
    pub list: Option<String>,
    /// `list`, `status`, `rows_total`, `created_at` or `finished_at`; `-` first for
    /// descending. Newest first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ExportListQuery {
    pub fn filter(&self) -> Result<exports::ExportFilter, platform::Failure> {
        Ok(exports::ExportFilter {
            status: self.status.as_deref().and_then(optional_text),
            list: self.list.as_deref().and_then(optional_text),
            sort: exports::EXPORT_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// The caller's own background exports, filtered and sorted; newest first by default.
#[utoipa::path(get, path = "/exports", tag = "exports", security(("bearer" = [])), params(ExportListQuery),
    responses((status = 200, body = Page<Export>), (status = 422, body = ProblemJson)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ExportListQuery>,
) -> Result<Json<Page<Export>>, WebError> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        exports::list(&state.db, &caller.signed_in.actor, &query.filter()?, page).await?,
    ))
}

/// The same exports as `GET /exports` (filters and sort), every row, as a spreadsheet with
/// headers in the caller's language.
#[utoipa::path(get, path = "/exports/export", tag = "exports", security(("bearer" = [])), params(ExportListQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = Export), (status = 422, body = ProblemJson)))]
pub async fn export(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ExportListQuery>,
) -> Result<Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportDetail {
    #[serde(flatten)]
    pub export: Export,
    /// 0 to 100, by rows written.
    pub progress: u8,
    /// Why it failed, in the caller's language.
    pub message: Option<String>,
}

/// One of the caller's exports: its status and progress; another user's export is not found.
#[utoipa::path(get, path = "/exports/{export_id}", tag = "exports", security(("bearer" = [])),
    params(("export_id" = i64, Path)), responses((status = 200, body = ExportDetail), (status = 404, body = ProblemJson)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<ExportDetail>, WebError> {
    let export = exports::find(&state.db, &caller.signed_in.actor, id).await?;
    let t = caller.translator(&state).await?;
    let message = export.error_code.as_deref().map(|code| {
        let params: Vec<(&str, String)> = export
            .error_params
            .iter()
            .map(|(key, value)| (key.as_str(), value.clone()))
            .collect();
        t.t_with(code, &params)
    });
    Ok(Json(ExportDetail {
        progress: export.progress(),
        export,
        message,
    }))
}

/// The finished export's XLSX file; not found until the export is done.
#[utoipa::path(get, path = "/exports/{export_id}/file", tag = "exports", security(("bearer" = [])),
    params(("export_id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ProblemJson)))]
pub async fn file(State(state): State<AppState>, caller: ApiCaller, Path(id): Path<i64>) -> Result<Response, WebError> {
    crate::exports::export_file(&state, &caller.signed_in.actor, id).await
}

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
use crate::session::ApiCaller;
use crate::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ExportListQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The caller's own background exports, newest first.
#[utoipa::path(get, path = "/exports", tag = "exports", security(("bearer" = [])), params(ExportListQuery),
    responses((status = 200, body = Page<Export>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ExportListQuery>,
) -> Result<Json<Page<Export>>, WebError> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(exports::list(&state.db, &caller.signed_in.actor, page).await?))
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

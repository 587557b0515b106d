//! Export pages: the user's own background exports, and one export's progress, refreshing
//! itself while its job runs, with the file to download when it is done.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use platform::exports::{self, Export};
use platform::{Page, PageRequest};
use serde::Deserialize;

use super::{render, Layout};
use crate::api::ExportListQuery;
use crate::error::WebError;
use crate::i18n::Translator;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::PageUser;
use crate::AppState;

/// An export as the pages show it: the list's name, its status and when it was asked for, in
/// the reader's language.
pub struct ExportRow {
    export: Export,
    list: String,
    status: String,
    created: String,
    progress: u8,
    filters: String,
    error: Option<String>,
}

impl ExportRow {
    fn new(t: &Translator, export: Export) -> ExportRow {
        let filters = exports::parameters_text(&export.parameters);
        let error = export.error_code.as_deref().map(|code| {
            let params: Vec<(&str, String)> = export
                .error_params
                .iter()
                .map(|(key, value)| (key.as_str(), value.clone()))
                .collect();
            t.t_with(code, &params)
        });
        ExportRow {
            list: t.t(crate::exports::list_title(&export.list)).to_owned(),
            status: t.t(&format!("export.status_{}", export.status)).to_owned(),
            created: t.date_time(&export.created_at),
            progress: export.progress(),
            filters,
            error,
            export,
        }
    }
}

#[derive(Template)]
#[template(path = "platform/exports.html")]
struct ExportsPage {
    layout: Layout,
    page: Page<ExportRow>,
    filter_query: String,
    links: ListLinks,
    statuses: &'static [&'static str],
    /// Every list that exports in the background: its name and title.
    lists: Vec<(&'static str, String)>,
    query: ExportsQuery,
}

const STATUSES: &[&str] = &["queued", "running", "done", "failed"];

#[derive(Deserialize, Default)]
pub struct ExportsQuery {
    page: Option<u32>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    list: String,
    #[serde(default)]
    sort: String,
}

impl ExportsQuery {
    fn query(&self) -> ExportListQuery {
        ExportListQuery {
            status: optional_text(&self.status),
            list: optional_text(&self.list),
            sort: optional_text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

/// The user's own exports, filtered and sorted; newest first by default.
pub async fn exports_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ExportsQuery>,
) -> Result<Response, WebError> {
    let filter = query.query().filter()?;
    let found = exports::list(&state.db, user.actor(), &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/exports", &exports::EXPORT_SORT, filter.sort)
        .filter("status", filter.status.as_deref())
        .filter("list", filter.list.as_deref());
    let request = PageRequest {
        page: found.page,
        per_page: found.per_page,
    };
    let rows = found
        .items
        .into_iter()
        .map(|export| ExportRow::new(&user.t, export))
        .collect();
    let view = ExportsPage {
        layout: Layout::new(&user, "/exports", "nav.exports"),
        page: Page::new(rows, found.total, request),
        filter_query: links.page_query(),
        links,
        statuses: STATUSES,
        lists: crate::exports::list_titles()
            .map(|(list, title)| (list, user.t.t(title).to_owned()))
            .collect(),
        query,
    };
    render(&view)
}

#[derive(Template)]
#[template(path = "platform/export.html")]
struct ExportPage {
    layout: Layout,
    row: ExportRow,
}

/// The exports the page lists under the same filters and sort, as XLSX.
pub async fn export_exports(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ExportsQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

/// One of the user's exports; another user's is not found.
pub async fn export_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let export = exports::find(&state.db, user.actor(), id).await?;
    let mut layout = Layout::new(&user, "/exports", "export.title");
    if !export.finished() {
        layout.refresh_seconds = Some(2);
    }
    let view = ExportPage {
        layout,
        row: ExportRow::new(&user.t, export),
    };
    render(&view)
}

/// The finished export's file.
pub async fn export_file(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    crate::exports::export_file(&state, user.actor(), id).await
}

//! Import pages: the tenant's imports with a form to upload a file, and one import's progress
//! and problems, refreshing itself while its job runs.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use platform::imports::{self, Import};
use platform::{secret, Failure, FieldError, Page, PageRequest};
use serde::Deserialize;

use super::pricing::{price_list_suggestions, CodedPriceList};
use super::{form_outcome, redirect_done, render, Coded, FormErrors, Layout};
use crate::api::ImportListQuery;
use crate::error::WebError;
use crate::imports::{self as importing, ImportKind};
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::PageUser;
use crate::AppState;

pub struct ImportRow {
    import: Import,
    kind: String,
    status: String,
    created: String,
}

#[derive(Template)]
#[template(path = "platform/imports.html")]
struct ImportsPage {
    layout: Layout,
    page: Page<ImportRow>,
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    statuses: [&'static str; 7],
    chosen_status: String,
    sort: String,
    filter_query: String,
    kinds: Vec<(&'static str, String)>,
    /// Price lists to suggest for the code field: code and name.
    price_lists: Vec<(String, String)>,
    /// Whether the user may import price rows, so that the form asks for the price list.
    imports_prices: bool,
    errors: FormErrors,
    chosen_kind: String,
    chosen_list: String,
}

/// An import's stages and outcomes, to filter the list by.
const STATUSES: [&str; 7] = [
    "queued", "reading", "checking", "applying", "done", "rejected", "failed",
];

/// `kind` and `price_list_code` choose the upload form's kind and list; `status` and `sort`
/// filter and order the list of imports.
#[derive(Deserialize, Default)]
pub struct ImportsQuery {
    page: Option<u32>,
    kind: Option<String>,
    price_list_code: Option<String>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    done: Option<String>,
}

impl ImportsQuery {
    fn query(&self) -> ImportListQuery {
        ImportListQuery {
            status: optional_text(&self.status),
            sort: optional_text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

fn kind_codes(user: &PageUser) -> Vec<&'static str> {
    importing::kinds_for(user.actor())
        .into_iter()
        .map(ImportKind::code)
        .collect()
}

async fn imports_response(
    state: &AppState,
    user: &PageUser,
    query: ImportsQuery,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let codes = kind_codes(user);
    if codes.is_empty() {
        return Err(Failure::Forbidden.into());
    }
    let t = &user.t;
    let filter = query.query().filter()?;
    let found = imports::list(&state.db, actor, &codes, &filter, PageRequest::new(query.page, None)).await?;
    let links =
        ListLinks::new("/imports", &imports::IMPORT_SORT, filter.sort).filter("status", filter.status.as_deref());
    let rows = found
        .items
        .into_iter()
        .map(|import| ImportRow {
            kind: t.t(&format!("import.kind_{}", import.kind)).to_owned(),
            status: t.t(&format!("import.status_{}", import.status)).to_owned(),
            created: t.date_time(&import.created_at),
            import,
        })
        .collect();
    let imports_prices = codes.contains(&"price_rows");
    let price_lists = if imports_prices {
        price_list_suggestions(state, user).await?
    } else {
        Vec::new()
    };
    let view = ImportsPage {
        layout: Layout::new(user, "/imports", "nav.imports").with_notice(query.done.as_deref()),
        page: Page::new(
            rows,
            found.total,
            PageRequest {
                page: found.page,
                per_page: found.per_page,
            },
        ),
        filter_query: links.page_query(),
        links,
        statuses: STATUSES,
        chosen_status: query.status.trim().to_owned(),
        sort: query.sort.trim().to_owned(),
        kinds: codes
            .iter()
            .map(|code| (*code, t.t(&format!("import.kind_{code}")).to_owned()))
            .collect(),
        price_lists,
        imports_prices,
        errors,
        chosen_kind: query.kind.unwrap_or_default(),
        chosen_list: query.price_list_code.unwrap_or_default(),
    };
    render(&view)
}

/// The imports the page lists under the same filters and sort, every row, as XLSX.
pub async fn export_imports(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ImportsQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

pub async fn imports_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ImportsQuery>,
) -> Result<Response, WebError> {
    imports_response(&state, &user, query, FormErrors::none()).await
}

/// The upload form's fields.
#[derive(Default)]
struct Upload {
    csrf_token: String,
    kind: String,
    price_list_code: String,
    file_name: String,
    content: Vec<u8>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, Failure> {
    let too_large = |_| {
        Failure::Invalid(vec![
            FieldError::new("file", "import.file_size").with("max_mib", importing::MAX_BYTES / 1024 / 1024)
        ])
    };
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        match field.name() {
            Some("csrf_token") => upload.csrf_token = field.text().await.map_err(too_large)?,
            Some("kind") => upload.kind = field.text().await.map_err(too_large)?,
            Some("price_list_code") => upload.price_list_code = field.text().await.map_err(too_large)?,
            Some("file") => {
                upload.file_name = field.file_name().unwrap_or("import.xlsx").to_owned();
                upload.content = field.bytes().await.map_err(too_large)?.to_vec();
            }
            _ => {}
        }
    }
    Ok(upload)
}

pub async fn upload(
    State(state): State<AppState>,
    user: PageUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let multipart = multipart.map_err(|_| Failure::Forbidden)?;
    let upload = match read_upload(multipart).await {
        Ok(upload) if secret::constant_time_eq(&upload.csrf_token, user.csrf_token()) => upload,
        Ok(_) => return Err(Failure::Forbidden.into()),
        Err(failure) => {
            let errors = form_outcome::<()>(&user.t, Err(failure.into()))?
                .err()
                .unwrap_or_default();
            return imports_response(&state, &user, ImportsQuery::default(), errors).await;
        }
    };
    let price_list = CodedPriceList::look_up(&state, &user, &upload.price_list_code).await?;
    let result = match (ImportKind::parse(&upload.kind), &price_list) {
        // A code no price list has is refused as a list not found; the form then names the code.
        (Some(ImportKind::PriceRows), Coded::Unknown(_)) => {
            Err(WebError(Failure::field("price_list_id", "field.not_found")))
        }
        (Some(kind), _) => importing::start(
            &state.db,
            &state.clock,
            user.actor(),
            kind,
            match &price_list {
                Coded::Found(list) => Some(list.id),
                Coded::Blank | Coded::Unknown(_) => None,
            },
            &upload.file_name,
            upload.content,
        )
        .await
        .map_err(WebError),
        (None, _) => Err(WebError(Failure::field("kind", "field.required"))),
    };
    match form_outcome(&user.t, result)? {
        Ok(id) => Ok(redirect_done(&format!("/imports/{id}"), "import_started")),
        Err(errors) => {
            let errors = price_list.errors_as(
                &user.t,
                errors,
                ("price_list_id", "price_list_code"),
                false,
                "price_list.code_unknown",
            );
            let query = ImportsQuery {
                kind: Some(upload.kind),
                price_list_code: Some(upload.price_list_code),
                ..ImportsQuery::default()
            };
            imports_response(&state, &user, query, errors).await
        }
    }
}

pub struct ProblemRow {
    row: u32,
    column: String,
    message: String,
}

#[derive(Template)]
#[template(path = "platform/import.html")]
struct ImportPage {
    layout: Layout,
    import: Import,
    kind: String,
    status: String,
    progress: u8,
    problems: Vec<ProblemRow>,
    more_problems: usize,
}

/// At most this many problems are listed on the page; the report has them all.
const SHOWN_PROBLEMS: usize = 200;

/// Imports of a kind the user may no longer start are hidden as if they did not exist.
fn visible(user: &PageUser, import: &Import) -> Result<(), WebError> {
    if kind_codes(user).contains(&import.kind.as_str()) {
        Ok(())
    } else {
        Err(Failure::NotFound { entity: "import" }.into())
    }
}

pub async fn import_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<ImportsQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let import = imports::find(&state.db, actor, id).await?;
    visible(&user, &import)?;
    let t = &user.t;
    let problems = imports::problems(&state.db, actor, id).await?;
    let mut layout = Layout::new(&user, "/imports", "import.title").with_notice(query.done.as_deref());
    if !import.finished() {
        layout.refresh_seconds = Some(2);
    }
    let view = ImportPage {
        layout,
        kind: t.t(&format!("import.kind_{}", import.kind)).to_owned(),
        status: t.t(&format!("import.status_{}", import.status)).to_owned(),
        progress: import.progress(),
        more_problems: problems.len().saturating_sub(SHOWN_PROBLEMS),
        problems: problems
            .iter()
            .take(SHOWN_PROBLEMS)
            .map(|p| ProblemRow {
                row: p.row,
                column: p.column.clone(),
                message: importing::problem_message(t, p),
            })
            .collect(),
        import,
    };
    render(&view)
}

pub async fn report(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let import = imports::find(&state.db, user.actor(), id).await?;
    visible(&user, &import)?;
    let problems = imports::problems(&state.db, user.actor(), id).await?;
    crate::exports::import_report(&user.t, id, &problems)
}

pub async fn template(user: PageUser, Path(kind): Path<String>) -> Result<Response, WebError> {
    let kind = ImportKind::parse(&kind).ok_or(Failure::NotFound { entity: "template" })?;
    if !kind_codes(&user).contains(&kind.code()) {
        return Err(Failure::Forbidden.into());
    }
    crate::exports::import_template(kind)
}

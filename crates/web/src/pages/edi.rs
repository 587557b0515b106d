//! The EDI monitor: every interchange in and out with what became of it, each message's
//! problems, and the partners; a rejected message can be processed again from here. EDI
//! administrators keep the partner profiles and each partner's cross-reference table here too.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use edi::domain::partner::{CrossReference, CrossReferenceInput, Partner, PartnerInput, MESSAGES_IN, MESSAGES_OUT};
use edi::queries::{self, CrossReferenceFilter, InterchangeDetail, InterchangeSummary, PartnerFilter};
use platform::{Page, PageRequest, Permission};
use serde::Deserialize;

use super::dealers::{dealer_suggestions, CodedDealer};
use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::api::{ArchiveQuery, CrossReferenceListQuery, PartnerQuery};
use crate::error::{field_message, WebError};
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

const DIRECTIONS: [&str; 2] = ["in", "out"];
const STATUSES: [&str; 4] = ["accepted", "rejected", "queued", "delivered"];

#[derive(Template)]
#[template(path = "edi/interchanges.html")]
struct ArchivePage {
    layout: Layout,
    page: Page<InterchangeSummary>,
    query: ArchiveListQuery,
    directions: [&'static str; 2],
    statuses: [&'static str; 4],
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    filter_query: String,
}

/// Empty fields arrive as empty strings; they mean "any".
#[derive(Deserialize, Default)]
pub struct ArchiveListQuery {
    #[serde(default)]
    direction: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    message_type: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
}

impl ArchiveListQuery {
    fn query(&self) -> ArchiveQuery {
        ArchiveQuery {
            direction: optional_text(&self.direction),
            status: optional_text(&self.status),
            message_type: optional_text(&self.message_type),
            reference: optional_text(&self.reference),
            sort: optional_text(&self.sort),
            page: self.page,
            ..ArchiveQuery::default()
        }
    }
}

pub async fn archive(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ArchiveListQuery>,
) -> Result<Response, WebError> {
    let filter = query.query().filter()?;
    let page = queries::archive(&state.db, user.actor(), &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/edi", &queries::ARCHIVE_SORT, filter.sort)
        .filter("direction", filter.direction.as_deref())
        .filter("status", filter.status.as_deref())
        .filter("message_type", filter.message_type.as_deref())
        .filter("reference", filter.reference.as_deref());
    let view = ArchivePage {
        layout: Layout::new(&user, "/edi", "nav.edi"),
        filter_query: links.page_query(),
        links,
        page,
        query,
        directions: DIRECTIONS,
        statuses: STATUSES,
    };
    render(&view)
}

/// The interchanges the monitor shows under the same filters and sort, every row, as XLSX.
pub async fn export_archive(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ArchiveListQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

#[derive(Template)]
#[template(path = "edi/interchange.html")]
struct InterchangePage {
    layout: Layout,
    interchange: InterchangeDetail,
    /// What the messages' page links keep: nothing, the interchange has no filters.
    filter_query: String,
    can_reprocess: bool,
}

#[derive(Deserialize, Default)]
pub struct InterchangeQuery {
    page: Option<u32>,
    done: Option<String>,
}

pub async fn interchange(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<InterchangeQuery>,
) -> Result<Response, WebError> {
    let interchange = queries::interchange(&state.db, user.actor(), id, PageRequest::new(query.page, None)).await?;
    let mut layout = Layout::new(&user, "/edi", "edi.interchange").with_notice(query.done.as_deref());
    layout.title = format!("{} {}", layout.title, interchange.summary.control_reference);
    if interchange.processed().is_some_and(|(done, total)| done < total) {
        layout.refresh_seconds = Some(2);
    }
    let view = InterchangePage {
        layout,
        can_reprocess: user.actor().can(Permission::ManageEdi),
        interchange,
        filter_query: String::new(),
    };
    render(&view)
}

/// The reprocess button's form: the page of messages it was pressed on, to return to.
#[derive(Deserialize, Default)]
pub struct ReprocessForm {
    page: Option<u32>,
}

pub async fn reprocess(
    State(state): State<AppState>,
    Path(message_id): Path<i64>,
    PageForm { user, form }: PageForm<ReprocessForm>,
) -> Result<Response, WebError> {
    let message = edi::commands::reprocess(&state.db, &state.clock, user.actor(), message_id).await?;
    let done = if message.status == "applied" {
        "reprocessed"
    } else {
        "still_rejected"
    };
    let page = form.page.filter(|page| *page > 1).map(|page| format!("?page={page}"));
    Ok(redirect_done(
        &format!(
            "/edi/interchanges/{}{}",
            message.interchange_id,
            page.unwrap_or_default()
        ),
        done,
    ))
}

#[derive(Template)]
#[template(path = "edi/partners.html")]
struct PartnersPage {
    layout: Layout,
    page: Page<Partner>,
    query: PartnerListQuery,
    channels: [&'static str; 2],
    can_manage: bool,
    /// Sort headers, pages and the export, all keeping the search and sort.
    links: ListLinks,
    filter_query: String,
}

/// Empty fields arrive as empty strings; they mean "any".
#[derive(Deserialize, Default)]
pub struct PartnerListQuery {
    #[serde(default)]
    search: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
    done: Option<String>,
}

impl PartnerListQuery {
    fn query(&self) -> PartnerQuery {
        PartnerQuery {
            search: optional_text(&self.search),
            channel: optional_text(&self.channel),
            sort: optional_text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

pub async fn partners(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<PartnerListQuery>,
) -> Result<Response, WebError> {
    let filter: PartnerFilter = query.query().filter()?;
    let page = queries::partner_list(&state.db, user.actor(), &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/edi/partners", &queries::PARTNER_SORT, filter.sort)
        .filter("search", filter.search.as_deref())
        .filter("channel", filter.channel.as_deref());
    let view = PartnersPage {
        layout: Layout::new(&user, "/edi/partners", "nav.edi_partners").with_notice(query.done.as_deref()),
        page,
        filter_query: links.page_query(),
        links,
        query,
        channels: CHANNELS,
        can_manage: user.actor().can(Permission::ManageEdi),
    };
    render(&view)
}

/// The partners the list shows under the same search and sort, every row, as XLSX.
pub async fn export_partners(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<PartnerListQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

// ---- Partner profiles ----

const DIRECTORIES: [&str; 2] = ["D96A", "D01B"];
const SYNTAXES: [&str; 8] = ["UNOA", "UNOB", "UNOC", "UNOD", "UNOE", "UNOF", "UNOW", "UNOY"];
const SYNTAX_VERSIONS: [&str; 3] = ["2", "3", "4"];
const CHANNELS: [&str; 2] = ["api", "directory"];

/// The partner form as posted: selects send strings, message checkboxes repeat.
#[derive(Deserialize, Default)]
pub struct PartnerForm {
    /// The dealer's code, typed.
    #[serde(default)]
    dealer_code: String,
    #[serde(default)]
    interchange_id: String,
    #[serde(default)]
    interchange_qualifier: String,
    #[serde(default)]
    directory: String,
    #[serde(default)]
    syntax: String,
    #[serde(default)]
    syntax_version: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    directory_path: String,
    #[serde(default)]
    messages_in: Vec<String>,
    #[serde(default)]
    messages_out: Vec<String>,
    #[serde(default)]
    active: Option<String>,
}

impl PartnerForm {
    fn from_partner(partner: &Partner) -> PartnerForm {
        PartnerForm {
            dealer_code: partner.dealer_code.clone(),
            interchange_id: partner.interchange_id.clone(),
            interchange_qualifier: partner.interchange_qualifier.clone(),
            directory: partner.directory.clone(),
            syntax: partner.syntax.clone(),
            syntax_version: partner.syntax_version.to_string(),
            channel: partner.channel.clone(),
            directory_path: partner.directory_path.clone().unwrap_or_default(),
            messages_in: partner.messages_in.clone(),
            messages_out: partner.messages_out.clone(),
            active: partner.active.then(|| "on".to_owned()),
        }
    }

    /// Unreadable numbers become 0, which the command refuses naming the field; so does a
    /// dealer code that names nobody.
    fn input(&self, dealer: &CodedDealer) -> PartnerInput {
        PartnerInput {
            dealer_id: dealer.id().map_or(0, |id| id.get()),
            interchange_id: self.interchange_id.clone(),
            interchange_qualifier: Some(self.interchange_qualifier.clone()),
            directory: self.directory.clone(),
            syntax: self.syntax.clone(),
            syntax_version: self.syntax_version.trim().parse().unwrap_or(0),
            channel: self.channel.clone(),
            directory_path: Some(self.directory_path.clone()),
            messages_in: self.messages_in.clone(),
            messages_out: self.messages_out.clone(),
            active: self.active.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "edi/partner_form.html")]
struct PartnerFormPage {
    layout: Layout,
    /// `None` while creating.
    partner_id: Option<i64>,
    form: PartnerForm,
    errors: FormErrors,
    /// Dealers to suggest: code and name.
    dealers: Vec<(String, String)>,
    directories: [&'static str; 2],
    syntaxes: [&'static str; 8],
    syntax_versions: [&'static str; 3],
    channels: [&'static str; 2],
    messages_in: [&'static str; 8],
    messages_out: [&'static str; 6],
}

impl PartnerFormPage {
    fn receives(&self, message: &&str) -> bool {
        self.form.messages_out.iter().any(|m| m == message)
    }

    fn sends(&self, message: &&str) -> bool {
        self.form.messages_in.iter().any(|m| m == message)
    }
}

async fn partner_form_page(
    state: &AppState,
    user: &PageUser,
    partner_id: Option<i64>,
    form: PartnerForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let actor = user.actor();
    actor.require(Permission::ManageEdi)?;
    let dealers = dealer_suggestions(state, user, &identity::domain::DealerFilter::default()).await?;
    let title = if partner_id.is_some() {
        "edi.partner_edit"
    } else {
        "edi.partner_new"
    };
    let view = PartnerFormPage {
        layout: Layout::new(user, "/edi", title),
        partner_id,
        form,
        errors,
        dealers,
        directories: DIRECTORIES,
        syntaxes: SYNTAXES,
        syntax_versions: SYNTAX_VERSIONS,
        channels: CHANNELS,
        messages_in: MESSAGES_IN,
        messages_out: MESSAGES_OUT,
    };
    render(&view)
}

pub async fn new_partner_form(State(state): State<AppState>, user: PageUser) -> Result<Response, WebError> {
    let form = PartnerForm {
        interchange_qualifier: "14".to_owned(),
        directory: "D96A".to_owned(),
        syntax: "UNOC".to_owned(),
        syntax_version: "3".to_owned(),
        channel: "api".to_owned(),
        messages_in: ["ORDERS", "CONTRL", "APERAK"].map(String::from).to_vec(),
        messages_out: ["ORDRSP", "DESADV", "CONTRL", "APERAK"].map(String::from).to_vec(),
        active: Some("on".to_owned()),
        ..PartnerForm::default()
    };
    partner_form_page(&state, &user, None, form, FormErrors::none()).await
}

pub async fn create_partner(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<PartnerForm>,
) -> Result<Response, WebError> {
    user.actor().require(Permission::ManageEdi)?;
    let dealer = CodedDealer::look_up(&state, &user, &form.dealer_code).await?;
    let result = edi::commands::create_partner(&state.db, &state.clock, user.actor(), &form.input(&dealer))
        .await
        .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done("/edi/partners", "created")),
        Err(errors) => {
            let errors = dealer.errors(&user.t, errors, ("dealer_id", "dealer_code"), true);
            partner_form_page(&state, &user, None, form, errors).await
        }
    }
}

pub async fn edit_partner_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let partner = queries::partner(&state.db, user.actor(), id).await?;
    partner_form_page(
        &state,
        &user,
        Some(id),
        PartnerForm::from_partner(&partner),
        FormErrors::none(),
    )
    .await
}

pub async fn update_partner(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<PartnerForm>,
) -> Result<Response, WebError> {
    user.actor().require(Permission::ManageEdi)?;
    let dealer = CodedDealer::look_up(&state, &user, &form.dealer_code).await?;
    let result = edi::commands::update_partner(&state.db, &state.clock, user.actor(), id, &form.input(&dealer))
        .await
        .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done("/edi/partners", "saved")),
        Err(errors) => {
            let errors = dealer.errors(&user.t, errors, ("dealer_id", "dealer_code"), true);
            partner_form_page(&state, &user, Some(id), form, errors).await
        }
    }
}

// ---- Cross-references ----

const CROSS_REFERENCE_KINDS: [&str; 2] = ["article", "location"];

/// A cross-reference row as posted; `original_kind` and `original_code` name the row being
/// edited, and are empty for a new one.
#[derive(Deserialize, Default)]
pub struct CrossReferenceForm {
    #[serde(default)]
    original_kind: String,
    #[serde(default)]
    original_code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    partner_code: String,
    #[serde(default)]
    sku: String,
    #[serde(default)]
    location_code: String,
}

impl CrossReferenceForm {
    fn input(&self) -> CrossReferenceInput {
        CrossReferenceInput {
            kind: self.kind.clone(),
            partner_code: self.partner_code.clone(),
            sku: optional_text(&self.sku),
            location_code: optional_text(&self.location_code),
        }
    }

    fn replacing(&self) -> Option<(&str, &str)> {
        Some((self.original_kind.as_str(), self.original_code.as_str())).filter(|(_, code)| !code.is_empty())
    }
}

#[derive(Deserialize, Default)]
pub struct CrossReferenceQuery {
    page: Option<u32>,
    #[serde(default)]
    search: String,
    sort: Option<String>,
    /// The row to fill the form with: its kind and partner code.
    edit_kind: Option<String>,
    edit_code: Option<String>,
    done: Option<String>,
}

/// A problem of an imported file: its spreadsheet row, column and message.
pub struct ImportProblem {
    row: String,
    column: String,
    message: String,
}

#[derive(Template)]
#[template(path = "edi/cross_references.html")]
struct CrossReferencesPage {
    layout: Layout,
    partner: Partner,
    page: Page<CrossReference>,
    /// Sort headers, pages and the export, all keeping the sort.
    links: ListLinks,
    filter_query: String,
    can_manage: bool,
    form: CrossReferenceForm,
    errors: FormErrors,
    kinds: [&'static str; 2],
    /// The search and sort as asked for, kept by the search form.
    search: String,
    sort: Option<String>,
    /// The first [`SHOWN_PROBLEMS`] problems of a refused import, and how many more it had.
    import_problems: Vec<ImportProblem>,
    more_problems: usize,
}

/// At most this many problems of a refused import are listed, as for other imports.
const SHOWN_PROBLEMS: usize = 200;

impl CrossReferencesPage {
    fn editing(&self) -> bool {
        !self.form.original_code.is_empty()
    }

    fn edit_link(&self, row: &CrossReference) -> String {
        let query = [
            ("edit_kind", row.kind.as_str()),
            ("edit_code", row.partner_code.as_str()),
        ];
        serde_html_form::to_string(query).unwrap_or_default()
    }
}

async fn cross_references_response(
    state: &AppState,
    user: &PageUser,
    partner_id: i64,
    query: CrossReferenceQuery,
    form: Option<CrossReferenceForm>,
    errors: FormErrors,
    import_problems: Vec<ImportProblem>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let partner = queries::partner(&state.db, actor, partner_id).await?;
    let filter: CrossReferenceFilter = CrossReferenceListQuery {
        search: Some(query.search.clone()),
        sort: query.sort.clone(),
    }
    .filter()?;
    let page = queries::cross_reference_page(
        &state.db,
        actor,
        partner.id,
        &filter,
        PageRequest::new(query.page, None),
    )
    .await?;
    let links = ListLinks::new(
        cross_references_path(partner.id),
        &queries::CROSS_REFERENCE_SORT,
        filter.sort,
    )
    .filter("search", filter.search.as_deref());
    let form = match (form, &query.edit_kind, &query.edit_code) {
        (Some(form), _, _) => form,
        (None, Some(kind), Some(code)) => {
            // Only the rows whose codes contain it are read, not the whole table.
            let containing = CrossReferenceFilter {
                search: Some(code.clone()),
                ..CrossReferenceFilter::default()
            };
            let row = queries::cross_references(&state.db, actor, partner.id, &containing)
                .await?
                .into_iter()
                .find(|row| row.kind == *kind && row.partner_code == *code)
                .ok_or(platform::Failure::NotFound {
                    entity: "edi_cross_reference",
                })?;
            CrossReferenceForm {
                original_kind: row.kind.clone(),
                original_code: row.partner_code.clone(),
                kind: row.kind,
                partner_code: row.partner_code,
                sku: row.sku.unwrap_or_default(),
                location_code: row.location_code.unwrap_or_default(),
            }
        }
        _ => CrossReferenceForm {
            kind: "article".to_owned(),
            ..CrossReferenceForm::default()
        },
    };
    let mut layout = Layout::new(user, "/edi", "edi.cross_references").with_notice(query.done.as_deref());
    layout.title = format!("{} · {}", layout.title, partner.dealer_code);
    let view = CrossReferencesPage {
        layout,
        page,
        filter_query: links.page_query(),
        links,
        can_manage: actor.can(Permission::ManageEdi),
        partner,
        form,
        errors,
        kinds: CROSS_REFERENCE_KINDS,
        more_problems: import_problems.len().saturating_sub(SHOWN_PROBLEMS),
        import_problems: import_problems.into_iter().take(SHOWN_PROBLEMS).collect(),
        search: query.search,
        sort: query.sort.filter(|sort| !sort.is_empty()),
    };
    render(&view)
}

fn cross_references_path(partner_id: i64) -> String {
    format!("/edi/partners/{partner_id}/cross-references")
}

pub async fn cross_references(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<CrossReferenceQuery>,
) -> Result<Response, WebError> {
    cross_references_response(&state, &user, id, query, None, FormErrors::none(), Vec::new()).await
}

pub async fn save_cross_reference(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<CrossReferenceForm>,
) -> Result<Response, WebError> {
    let result = edi::commands::save_cross_reference(
        &state.db,
        &state.clock,
        user.actor(),
        id,
        form.replacing(),
        &form.input(),
    )
    .await
    .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(()) => Ok(redirect_done(&cross_references_path(id), "saved")),
        Err(errors) => {
            cross_references_response(
                &state,
                &user,
                id,
                CrossReferenceQuery::default(),
                Some(form),
                errors,
                Vec::new(),
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct RemoveCrossReferenceForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    partner_code: String,
}

pub async fn remove_cross_reference(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<RemoveCrossReferenceForm>,
) -> Result<Response, WebError> {
    edi::commands::remove_cross_reference(
        &state.db,
        &state.clock,
        user.actor(),
        id,
        &form.kind,
        &form.partner_code,
    )
    .await?;
    Ok(redirect_done(&cross_references_path(id), "removed"))
}

/// The table under the page's search, in the columns its import reads, in the page's order.
pub async fn export_cross_references(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<CrossReferenceListQuery>,
) -> Result<Response, WebError> {
    crate::exports::cross_references(&state, user.actor(), id, &query.filter()?).await
}

/// Reads the import form: its CSRF token and the file.
async fn read_cross_reference_upload(mut multipart: Multipart) -> Result<(String, Vec<u8>), platform::Failure> {
    let too_large = |_| {
        platform::Failure::Invalid(vec![platform::FieldError::new("file", "import.file_size")
            .with("max_mib", crate::imports::MAX_BYTES / 1024 / 1024)])
    };
    let (mut csrf, mut bytes) = (String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        match field.name() {
            Some("csrf_token") => csrf = field.text().await.map_err(too_large)?,
            Some("file") => bytes = field.bytes().await.map_err(too_large)?.to_vec(),
            _ => {}
        }
    }
    Ok((csrf, bytes))
}

pub async fn import_cross_references(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let multipart = multipart.map_err(|_| platform::Failure::Forbidden)?;
    let result = match read_cross_reference_upload(multipart).await {
        Ok((csrf, bytes)) if platform::secret::constant_time_eq(&csrf, user.csrf_token()) => {
            crate::imports::cross_references(&state.db, &state.clock, user.actor(), id, &bytes).await
        }
        Ok(_) => return Err(platform::Failure::Forbidden.into()),
        Err(failure) => Err(failure),
    };
    match result {
        Ok(_) => Ok(redirect_done(&cross_references_path(id), "imported")),
        Err(platform::Failure::Invalid(errors)) => {
            let problems = errors
                .iter()
                .map(|error| ImportProblem {
                    row: error
                        .params
                        .iter()
                        .find(|(name, _)| *name == "row")
                        .map(|(_, row)| row.clone())
                        .unwrap_or_default(),
                    column: error.field.rsplit('.').next().unwrap_or_default().to_owned(),
                    message: field_message(&user.t, error),
                })
                .collect();
            cross_references_response(
                &state,
                &user,
                id,
                CrossReferenceQuery::default(),
                None,
                FormErrors::none(),
                problems,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

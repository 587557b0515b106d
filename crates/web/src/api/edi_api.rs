//! API handlers for EDI: partner profiles, the inbox and outbox of the API channel, and the
//! archive of every interchange in and out.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use edi::commands::{self, Receipt};
use edi::domain::partner::{CrossReference, CrossReferenceInput, Partner, PartnerInput};
use edi::queries::{
    self, ArchiveFilter, CrossReferenceFilter, InterchangeDetail, InterchangeSummary, MessageRecord, PartnerFilter,
};
use platform::{Failure, FieldError, Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::{ApiJson, ApiQuery, ApiResult, Created};
use crate::error::{Problem, WebError};
use crate::lists::optional_text;
use crate::session::ApiCaller;
use crate::AppState;

/// The largest interchange the inbox takes: some 100,000 order lines.
pub const MAX_INTERCHANGE_BYTES: usize = 64 * 1024 * 1024;

/// The media type of EDIFACT (RFC 1767).
const EDIFACT: &str = "application/EDIFACT";

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct PartnerQuery {
    /// Part of the dealer's code or legal name, or of the partner's interchange id, any letter
    /// case.
    pub search: Option<String>,
    /// `api` or `directory`.
    pub channel: Option<String>,
    /// `dealer_code`, `dealer_name`, `interchange_id`, `directory`, `channel` or `active`; `-`
    /// first for descending. By dealer code when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl PartnerQuery {
    pub fn filter(&self) -> Result<PartnerFilter, Failure> {
        Ok(PartnerFilter {
            search: self.search.as_deref().and_then(optional_text),
            channel: self.channel.as_deref().and_then(optional_text),
            sort: queries::PARTNER_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// The EDI partners in the caller's scope, filtered and paginated.
#[utoipa::path(get, path = "/edi/partners", tag = "edi", security(("bearer" = [])), params(PartnerQuery),
    responses((status = 200, body = Page<Partner>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_partners(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<PartnerQuery>,
) -> ApiResult<Page<Partner>> {
    Ok(Json(
        queries::partner_list(
            &state.db,
            &caller.signed_in.actor,
            &query.filter()?,
            PageRequest::new(query.page, query.per_page),
        )
        .await?,
    ))
}

/// The same partners as `GET /edi/partners` (search, channel and sort), every row, as a
/// spreadsheet with headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/edi/partners/export", tag = "edi", security(("bearer" = [])), params(PartnerQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_partners(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<PartnerQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

/// Makes a dealer an EDI partner: its UNB identification, the EANCOM directory and syntax it
/// uses, its channel, and which messages go each way.
#[utoipa::path(post, path = "/edi/partners", tag = "edi", security(("bearer" = [])), request_body = PartnerInput,
    responses((status = 201, body = Partner), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_partner(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<PartnerInput>,
) -> Result<(StatusCode, Json<Partner>), WebError> {
    let partner = commands::create_partner(&state.db, &state.clock, &caller.signed_in.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(partner)))
}

#[utoipa::path(get, path = "/edi/partners/{partner_id}", tag = "edi", security(("bearer" = [])),
    params(("partner_id" = i64, Path)),
    responses((status = 200, body = Partner), (status = 404, body = Problem)))]
pub async fn get_partner(State(state): State<AppState>, caller: ApiCaller, Path(id): Path<i64>) -> ApiResult<Partner> {
    Ok(Json(queries::partner(&state.db, &caller.signed_in.actor, id).await?))
}

#[utoipa::path(put, path = "/edi/partners/{partner_id}", tag = "edi", security(("bearer" = [])),
    params(("partner_id" = i64, Path)), request_body = PartnerInput,
    responses((status = 200, body = Partner), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_partner(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PartnerInput>,
) -> ApiResult<Partner> {
    Ok(Json(
        commands::update_partner(&state.db, &state.clock, &caller.signed_in.actor, id, &body).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct CrossReferenceListQuery {
    /// Part of the partner's code, our SKU or our location code, any letter case.
    pub search: Option<String>,
    /// `kind`, `partner_code`, `sku` or `location_code`; `-` first for descending. Articles
    /// first, each by the partner's code, when absent.
    pub sort: Option<String>,
}

impl CrossReferenceListQuery {
    pub fn filter(&self) -> Result<CrossReferenceFilter, Failure> {
        Ok(CrossReferenceFilter {
            search: self
                .search
                .clone()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            sort: queries::CROSS_REFERENCE_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// The partner's own article numbers and location codes, and ours they stand for.
#[utoipa::path(get, path = "/edi/partners/{partner_id}/cross-references", tag = "edi", security(("bearer" = [])),
    params(("partner_id" = i64, Path), CrossReferenceListQuery),
    responses((status = 200, body = Vec<CrossReference>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn cross_references(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<CrossReferenceListQuery>,
) -> ApiResult<Vec<CrossReference>> {
    Ok(Json(
        queries::cross_references(&state.db, &caller.signed_in.actor, id, &query.filter()?).await?,
    ))
}

/// Replaces the partner's cross-reference table; every row is checked first and nothing is
/// saved unless all are right.
#[utoipa::path(put, path = "/edi/partners/{partner_id}/cross-references", tag = "edi", security(("bearer" = [])),
    params(("partner_id" = i64, Path)), request_body = Vec<CrossReferenceInput>,
    responses((status = 200, body = Vec<CrossReference>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_cross_references(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Vec<CrossReferenceInput>>,
) -> ApiResult<Vec<CrossReference>> {
    Ok(Json(
        commands::set_cross_references(&state.db, &state.clock, &caller.signed_in.actor, id, &body).await?,
    ))
}

/// Replaces the partner's cross-reference table from an XLSX file (the request body) with the
/// columns `kind`, `partner_code`, `sku` and `location_code`. Errors carry the spreadsheet row
/// in `params.row`.
#[utoipa::path(post, path = "/edi/partners/{partner_id}/cross-references/import", tag = "edi", security(("bearer" = [])),
    params(("partner_id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = Vec<CrossReference>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn import_cross_references(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    body: Body,
) -> ApiResult<Vec<CrossReference>> {
    let content = axum::body::to_bytes(body, crate::imports::MAX_BYTES)
        .await
        .map_err(|_| Failure::field("file", "import.file_size"))?;
    Ok(Json(
        crate::imports::cross_references(&state.db, &state.clock, &caller.signed_in.actor, id, &content).await?,
    ))
}

/// Sends the partner its whole catalog at its own prices today as a PRICAT, into the outbox.
#[utoipa::path(post, path = "/edi/partners/{partner_id}/pricat", tag = "edi", security(("bearer" = [])),
    params(("partner_id" = i64, Path)),
    responses((status = 201, body = Created), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn send_price_catalogue(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = commands::send_price_catalogue(&state.db, &state.clock, &caller.signed_in.actor, id).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Receives an interchange (the request body, as sent). A syntax error rejects it whole; each
/// message is otherwise applied on its own, a rejected one answered with an APERAK. A CONTRL
/// answers it in the outbox when its UNB asks for one. The same interchange sent again is
/// applied once.
#[utoipa::path(post, path = "/edi/inbox", tag = "edi", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "application/EDIFACT"),
    responses((status = 200, body = Receipt), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn receive(State(state): State<AppState>, caller: ApiCaller, body: Body) -> ApiResult<Receipt> {
    let content = axum::body::to_bytes(body, MAX_INTERCHANGE_BYTES).await.map_err(|_| {
        Failure::Invalid(vec![
            FieldError::new("interchange", "edi.interchange_size").with("max_mib", MAX_INTERCHANGE_BYTES / 1024 / 1024)
        ])
    })?;
    if content.iter().all(u8::is_ascii_whitespace) {
        return Err(Failure::field("interchange", "field.required").into());
    }
    Ok(Json(
        commands::receive(&state.db, &state.clock, &caller.signed_in.actor, &content, "api").await?,
    ))
}

/// Our interchanges waiting to be fetched: a dealer's system sees its own, an operator all.
/// Fetch each with `GET /edi/interchanges/{id}/content`, then confirm with
/// `POST /edi/interchanges/{id}/delivered`.
#[utoipa::path(get, path = "/edi/outbox", tag = "edi", security(("bearer" = [])),
    responses((status = 200, body = Vec<InterchangeSummary>), (status = 403, body = Problem)))]
pub async fn outbox(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Vec<InterchangeSummary>> {
    Ok(Json(queries::outbox(&state.db, &caller.signed_in.actor).await?))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
pub struct ArchiveQuery {
    pub partner_id: Option<i64>,
    /// `in` or `out`.
    pub direction: Option<String>,
    /// `accepted`, `rejected`, `queued` or `delivered`.
    pub status: Option<String>,
    /// A message type, such as `ORDERS`.
    pub message_type: Option<String>,
    /// A control reference, message reference or document number.
    pub reference: Option<String>,
    pub order_id: Option<i64>,
    /// `control_reference`, `direction`, `partner`, `message_types`, `status`, `contrl` or
    /// `created_at`; `-` first for descending. Newest first when absent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ArchiveQuery {
    pub fn filter(&self) -> Result<ArchiveFilter, platform::Failure> {
        Ok(ArchiveFilter {
            partner_id: self.partner_id,
            direction: self.direction.as_deref().and_then(optional_text),
            status: self.status.as_deref().and_then(optional_text),
            message_type: self.message_type.as_deref().and_then(optional_text),
            reference: self.reference.as_deref().and_then(optional_text),
            order_id: self.order_id,
            sort: queries::ARCHIVE_SORT.parse(self.sort.as_deref())?,
        })
    }
}

/// The archive of every interchange in and out, newest first.
#[utoipa::path(get, path = "/edi/interchanges", tag = "edi", security(("bearer" = [])), params(ArchiveQuery),
    responses((status = 200, body = Page<InterchangeSummary>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn archive(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ArchiveQuery>,
) -> ApiResult<Page<InterchangeSummary>> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        queries::archive(&state.db, &caller.signed_in.actor, &query.filter()?, page).await?,
    ))
}

/// The same interchanges as `GET /edi/interchanges` (filters and sort), every row, as a
/// spreadsheet with headers in the caller's language. When the selection holds more rows than
/// are written at once (10 000), the export runs in the background instead: `202 Accepted` with the
/// export and its `Location`; follow it with `GET /exports/{id}` and fetch `GET /exports/{id}/file`.
#[utoipa::path(get, path = "/edi/interchanges/export", tag = "edi", security(("bearer" = [])), params(ArchiveQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 202, body = platform::exports::Export), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_archive(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ArchiveQuery>,
) -> Result<axum::response::Response, WebError> {
    let t = caller.translator(&state).await?;
    Ok(crate::exports::export_list(&state, &caller.signed_in.actor, &t, &query)
        .await?
        .for_api())
}

/// Which page of an interchange's messages.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MessagePageQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// One interchange: what became of it, one page of its messages in their order, and the
/// segments of its first 64 KB as read. The whole is `GET /edi/interchanges/{id}/content`.
#[utoipa::path(get, path = "/edi/interchanges/{interchange_id}", tag = "edi", security(("bearer" = [])),
    params(("interchange_id" = i64, Path), MessagePageQuery),
    responses((status = 200, body = InterchangeDetail), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn interchange(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<MessagePageQuery>,
) -> ApiResult<InterchangeDetail> {
    let page = PageRequest::new(query.page, query.per_page);
    Ok(Json(
        queries::interchange(&state.db, &caller.signed_in.actor, id, page).await?,
    ))
}

/// The interchange exactly as received or sent.
#[utoipa::path(get, path = "/edi/interchanges/{interchange_id}/content", tag = "edi", security(("bearer" = [])),
    params(("interchange_id" = i64, Path)),
    responses((status = 200, content_type = "application/EDIFACT", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn content(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (summary, content) = queries::content(&state.db, &caller.signed_in.actor, id).await?;
    let file_name = format!(
        "{}-{}-{}.edi",
        summary.direction,
        summary.control_reference,
        summary.message_types.join("-")
    );
    Ok((
        [
            (header::CONTENT_TYPE, EDIFACT.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        content,
    )
        .into_response())
}

/// Confirms that an interchange of ours was fetched; it leaves the outbox.
#[utoipa::path(post, path = "/edi/interchanges/{interchange_id}/delivered", tag = "edi", security(("bearer" = [])),
    params(("interchange_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delivered(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    commands::mark_delivered(&state.db, &state.clock, &caller.signed_in.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Applies a rejected message again, once its master data (a product, a delivery location's
/// GLN, a publication) has been put right.
#[utoipa::path(post, path = "/edi/messages/{message_id}/reprocess", tag = "edi", security(("bearer" = [])),
    params(("message_id" = i64, Path)),
    responses((status = 200, body = MessageRecord), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reprocess(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<MessageRecord> {
    Ok(Json(
        commands::reprocess(&state.db, &state.clock, &caller.signed_in.actor, id).await?,
    ))
}

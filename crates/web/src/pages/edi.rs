//! The EDI monitor: every interchange in and out with what became of it, each message's
//! problems, and the partners; a rejected message can be processed again from here.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use edi::domain::partner::Partner;
use edi::queries::{self, ArchiveFilter, InterchangeDetail, InterchangeSummary};
use platform::{Page, PageRequest, Permission};
use serde::{Deserialize, Serialize};

use super::account::{DoneQuery, EmptyForm};
use super::{redirect_done, render, Layout};
use crate::error::WebError;
use crate::session::{PageForm, PageUser};
use crate::AppState;

const DIRECTIONS: [&str; 2] = ["in", "out"];
const STATUSES: [&str; 4] = ["accepted", "rejected", "queued", "delivered"];

#[derive(Template)]
#[template(path = "edi/interchanges.html")]
struct ArchivePage {
    layout: Layout,
    page: Page<InterchangeSummary>,
    query: ArchiveQuery,
    directions: [&'static str; 2],
    statuses: [&'static str; 4],
    filter_query: String,
}

/// Empty fields arrive as empty strings; they mean "any".
#[derive(Deserialize, Serialize, Default)]
pub struct ArchiveQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    direction: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    message_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    reference: String,
    #[serde(skip_serializing)]
    page: Option<u32>,
}

pub async fn archive(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ArchiveQuery>,
) -> Result<Response, WebError> {
    let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    let filter = ArchiveFilter {
        direction: text(&query.direction),
        status: text(&query.status),
        message_type: text(&query.message_type),
        reference: text(&query.reference),
        ..ArchiveFilter::default()
    };
    let page = queries::archive(&state.db, user.actor(), &filter, PageRequest::new(query.page, None)).await?;
    let view = ArchivePage {
        layout: Layout::new(&user, "/edi", "nav.edi"),
        filter_query: serde_html_form::to_string(&query).unwrap_or_default(),
        page,
        query,
        directions: DIRECTIONS,
        statuses: STATUSES,
    };
    render(&view)
}

#[derive(Template)]
#[template(path = "edi/interchange.html")]
struct InterchangePage {
    layout: Layout,
    interchange: InterchangeDetail,
    can_reprocess: bool,
}

pub async fn interchange(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let interchange = queries::interchange(&state.db, user.actor(), id).await?;
    let mut layout = Layout::new(&user, "/edi", "edi.interchange").with_notice(query.done.as_deref());
    layout.title = format!("{} {}", layout.title, interchange.summary.control_reference);
    let view = InterchangePage {
        layout,
        can_reprocess: user.actor().can(Permission::ManageEdi),
        interchange,
    };
    render(&view)
}

pub async fn reprocess(
    State(state): State<AppState>,
    Path(message_id): Path<i64>,
    PageForm { user, .. }: PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    let message = edi::commands::reprocess(&state.db, &state.clock, user.actor(), message_id).await?;
    let done = if message.status == "applied" {
        "reprocessed"
    } else {
        "still_rejected"
    };
    Ok(redirect_done(
        &format!("/edi/interchanges/{}", message.interchange_id),
        done,
    ))
}

#[derive(Template)]
#[template(path = "edi/partners.html")]
struct PartnersPage {
    layout: Layout,
    partners: Vec<Partner>,
}

pub async fn partners(State(state): State<AppState>, user: PageUser) -> Result<Response, WebError> {
    let view = PartnersPage {
        layout: Layout::new(&user, "/edi/partners", "nav.edi_partners"),
        partners: queries::partners(&state.db, user.actor()).await?,
    };
    render(&view)
}

//! The message centre: the signed-in person's notices, newest first, each in their language.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use platform::messages::Message;
use platform::{Page, PageRequest};
use serde::Deserialize;

use super::{redirect_done, render, Layout};
use crate::api::MessageQuery;
use crate::error::WebError;
use crate::i18n::Translator;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

pub struct MessageRow {
    message: Message,
    text: String,
    at: String,
}

/// A message in the reader's language.
pub fn message_text(t: &Translator, message: &Message) -> String {
    let params: Vec<(&str, String)> = message.params.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
    t.t_with(&message.kind, &params)
}

#[derive(Template)]
#[template(path = "platform/messages.html")]
struct MessagesPage {
    layout: Layout,
    page: Page<MessageRow>,
    query: MessagesQuery,
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    filter_query: String,
}

#[derive(Deserialize, Default)]
pub struct MessagesQuery {
    #[serde(default)]
    unread: Option<bool>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
    done: Option<String>,
}

impl MessagesQuery {
    fn query(&self) -> MessageQuery {
        MessageQuery {
            unread: self.unread,
            kind: optional_text(&self.kind),
            sort: optional_text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

pub async fn messages_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<MessagesQuery>,
) -> Result<Response, WebError> {
    let filter = query.query().filter()?;
    let found =
        platform::messages::list_filtered(&state.db, user.actor(), &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/messages", &platform::messages::MESSAGE_SORT, filter.sort)
        .flag("unread", filter.unread)
        .filter("kind", filter.kind.as_deref());
    let rows = found
        .items
        .into_iter()
        .map(|message| MessageRow {
            text: message_text(&user.t, &message),
            at: user.t.date_time(&message.created_at),
            message,
        })
        .collect();
    let view = MessagesPage {
        layout: Layout::new(&user, "/messages", "nav.messages").with_notice(query.done.as_deref()),
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
        query,
    };
    render(&view)
}

/// The messages the page shows under the same filters and sort, every row, as XLSX.
pub async fn export_messages(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<MessagesQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

#[derive(Deserialize, Default)]
pub struct EmptyForm {}

pub async fn mark_read(
    State(state): State<AppState>,
    PageForm { user, .. }: PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    platform::messages::mark_all_read(&state.db, user.actor(), state.clock.now()).await?;
    Ok(redirect_done("/messages", "messages_read"))
}

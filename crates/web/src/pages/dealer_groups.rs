//! The manufacturer's dealer groups, which price lists and promotions may name.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use identity::domain::DealerGroup;
use identity::queries;
use platform::{Page, PageRequest};
use serde::Deserialize;

use super::{render, Layout};
use crate::api::DealerGroupQuery;
use crate::error::WebError;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::PageUser;
use crate::AppState;

#[derive(Template)]
#[template(path = "identity/dealer_groups.html")]
struct DealerGroupsPage {
    layout: Layout,
    page: Page<DealerGroup>,
    query: ListQuery,
    /// Sort headers, pages and the export, all keeping the search and sort.
    links: ListLinks,
    filter_query: String,
}

/// Empty fields arrive as empty strings; they mean "any".
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    search: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
}

impl ListQuery {
    fn query(&self) -> DealerGroupQuery {
        DealerGroupQuery {
            search: optional_text(&self.search),
            sort: optional_text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let filter = query.query().filter()?;
    let page = queries::dealer_group_list(&state.db, user.actor(), &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/dealer-groups", &queries::DEALER_GROUP_SORT, filter.sort)
        .filter("search", filter.search.as_deref());
    let view = DealerGroupsPage {
        layout: Layout::new(&user, "/dealers", "nav.dealer_groups"),
        page,
        filter_query: links.page_query(),
        links,
        query,
    };
    render(&view)
}

/// The dealer groups the list shows under the same search and sort, every row, as XLSX.
pub async fn export(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

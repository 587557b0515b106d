//! The products published to a dealer that none of its users has opened: what the dealer may
//! not know it can order, for the manufacturer's sales people to point out.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use catalog::domain::CatalogItem;
use platform::{DealerId, Failure, Page, PageRequest};
use serde::Deserialize;

use super::{render, Layout};
use crate::api::NeverViewedQuery;
use crate::error::WebError;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::PageUser;
use crate::AppState;

/// Empty fields arrive as empty strings; they mean "any".
#[derive(Deserialize, Default)]
pub struct NeverViewedListQuery {
    #[serde(default)]
    dealer_id: String,
    #[serde(default)]
    search: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
}

impl NeverViewedListQuery {
    fn query(&self) -> Result<NeverViewedQuery, Failure> {
        Ok(NeverViewedQuery {
            dealer_id: self
                .dealer_id
                .trim()
                .parse()
                .map_err(|_| Failure::field("dealer_id", "field.required"))?,
            search: optional_text(&self.search),
            sort: optional_text(&self.sort),
            page: self.page,
            per_page: None,
        })
    }
}

#[derive(Template)]
#[template(path = "catalog/never_viewed.html")]
struct NeverViewedPage {
    layout: Layout,
    dealer_id: i64,
    dealer: String,
    page: Page<CatalogItem>,
    filter_query: String,
    links: ListLinks,
    search: String,
    sort: String,
}

pub async fn never_viewed_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(list): Query<NeverViewedListQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let query = list.query()?;
    let filter = query.filter()?;
    let audience = identity::queries::dealer_audience(&state.db, actor, Some(DealerId(query.dealer_id))).await?;
    let dealer = identity::queries::dealer(&state.db, actor, audience.dealer_id).await?;
    let page = catalog::queries::never_viewed(
        &state.db,
        actor,
        &audience,
        user.t.locale,
        &filter,
        PageRequest::new(query.page, None),
    )
    .await?;
    let links = ListLinks::new(
        "/catalog-statistics/never-viewed",
        &catalog::queries::PRODUCT_SORT,
        filter.sort,
    )
    .filter("dealer_id", Some(query.dealer_id))
    .filter("search", filter.search.as_deref());
    let view = NeverViewedPage {
        layout: Layout::new(&user, "/catalog-statistics", "statistics.never_viewed"),
        dealer_id: query.dealer_id,
        dealer: format!("{} · {}", dealer.dealer.code, dealer.dealer.legal_name),
        page,
        filter_query: links.page_query(),
        links,
        search: list.search.trim().to_owned(),
        sort: list.sort.trim().to_owned(),
    };
    render(&view)
}

/// The products the page lists under the same search and sort, as XLSX.
pub async fn export(
    State(state): State<AppState>,
    user: PageUser,
    Query(list): Query<NeverViewedListQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &list.query()?)
            .await?
            .for_page(),
    )
}

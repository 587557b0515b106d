//! The manufacturer's selling entities, and the form that adds one.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use catalog::domain::{SalesOrganisation, SalesOrganisationInput};
use catalog::{commands, queries};
use platform::{Page, PageRequest, Permission};
use serde::Deserialize;

use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::api::SalesOrganisationQuery;
use crate::error::WebError;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "catalog/sales_organisations.html")]
struct SalesOrganisationsPage {
    layout: Layout,
    page: Page<SalesOrganisation>,
    query: ListQuery,
    /// Sort headers, pages and the export, all keeping the search and sort.
    links: ListLinks,
    filter_query: String,
    can_manage: bool,
    form: SalesOrganisationInput,
    errors: FormErrors,
}

/// Empty fields arrive as empty strings; they mean "any".
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    search: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
    done: Option<String>,
}

impl ListQuery {
    fn query(&self) -> SalesOrganisationQuery {
        SalesOrganisationQuery {
            search: optional_text(&self.search),
            sort: optional_text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

async fn organisations_page(
    state: &AppState,
    user: &PageUser,
    query: ListQuery,
    form: SalesOrganisationInput,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let filter = query.query().filter()?;
    let page = queries::sales_organisation_list(&state.db, actor, &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/sales-organisations", &queries::SALES_ORGANISATION_SORT, filter.sort)
        .filter("search", filter.search.as_deref());
    let view = SalesOrganisationsPage {
        layout: Layout::new(user, "/sales-organisations", "nav.sales_organisations").with_notice(query.done.as_deref()),
        page,
        filter_query: links.page_query(),
        links,
        query,
        can_manage: actor.can(Permission::ManageTenant),
        form,
        errors,
    };
    render(&view)
}

pub async fn list(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    organisations_page(
        &state,
        &user,
        query,
        SalesOrganisationInput::default(),
        FormErrors::none(),
    )
    .await
}

/// The sales organisations the list shows under the same search and sort, every row, as XLSX.
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

pub async fn create(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<SalesOrganisationInput>,
) -> Result<Response, WebError> {
    let result = commands::create_sales_organisation(&state.db, &state.clock, user.actor(), &form)
        .await
        .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done("/sales-organisations", "created")),
        Err(errors) => organisations_page(&state, &user, ListQuery::default(), form, errors).await,
    }
}

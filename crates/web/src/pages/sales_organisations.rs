//! The manufacturer's selling entities, and the form that adds one.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use catalog::domain::{SalesOrganisation, SalesOrganisationInput};
use catalog::{commands, queries};
use platform::Permission;

use super::account::DoneQuery;
use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::error::WebError;
use crate::session::{PageForm, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "catalog/sales_organisations.html")]
struct SalesOrganisationsPage {
    layout: Layout,
    organisations: Vec<SalesOrganisation>,
    can_manage: bool,
    form: SalesOrganisationInput,
    errors: FormErrors,
}

async fn organisations_page(
    state: &AppState,
    user: &PageUser,
    done: Option<&str>,
    form: SalesOrganisationInput,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let view = SalesOrganisationsPage {
        layout: Layout::new(user, "/sales-organisations", "nav.sales_organisations").with_notice(done),
        organisations: queries::sales_organisations(&state.db, actor).await?,
        can_manage: actor.can(Permission::ManageTenant),
        form,
        errors,
    };
    render(&view)
}

pub async fn list(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    organisations_page(
        &state,
        &user,
        query.done.as_deref(),
        SalesOrganisationInput::default(),
        FormErrors::none(),
    )
    .await
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
        Err(errors) => organisations_page(&state, &user, None, form, errors).await,
    }
}

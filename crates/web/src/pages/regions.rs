//! The region tree, and the form that adds a region to it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use identity::domain::{Region, RegionInput, RegionKind};
use identity::{commands, queries};
use platform::Permission;
use serde::Deserialize;

use super::account::DoneQuery;
use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::error::WebError;
use crate::session::{PageForm, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "identity/regions.html")]
struct RegionsPage {
    layout: Layout,
    regions: Vec<Region>,
    can_manage: bool,
    form: RegionForm,
    errors: FormErrors,
    kinds: Vec<&'static str>,
}

/// The region form as posted: an empty parent means a root of the tree.
#[derive(Deserialize, Default)]
pub struct RegionForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
}

impl RegionForm {
    fn input(&self) -> RegionInput {
        RegionInput {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            parent_id: self.parent_id.trim().parse().ok(),
        }
    }
}

async fn regions_page(
    state: &AppState,
    user: &PageUser,
    done: Option<&str>,
    form: RegionForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let view = RegionsPage {
        layout: Layout::new(user, "/regions", "nav.regions").with_notice(done),
        regions: queries::regions(&state.db, actor).await?,
        can_manage: actor.can(Permission::ManageRegions),
        form,
        errors,
        kinds: RegionKind::ALL.iter().map(|k| k.code()).collect(),
    };
    render(&view)
}

pub async fn list(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let form = RegionForm {
        kind: RegionKind::Region.code().to_owned(),
        ..RegionForm::default()
    };
    regions_page(&state, &user, query.done.as_deref(), form, FormErrors::none()).await
}

pub async fn create(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<RegionForm>,
) -> Result<Response, WebError> {
    let result = commands::create_region(&state.db, &state.clock, user.actor(), &form.input())
        .await
        .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done("/regions", "created")),
        Err(errors) => regions_page(&state, &user, None, form, errors).await,
    }
}

/// The region tree as XLSX, in its order.
pub async fn export(State(state): State<AppState>, user: PageUser) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &crate::exports::RegionTree)
            .await?
            .for_page(),
    )
}

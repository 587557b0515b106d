//! The region tree, and the form that adds a region to it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use identity::domain::{search_regions, Region, RegionInput, RegionKind};
use identity::{commands, queries};
use platform::Permission;
use serde::Deserialize;

use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::error::WebError;
use crate::exports::{RegionTree, TreeSearch};
use crate::lists::encode;
use crate::session::{PageForm, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "identity/regions.html")]
struct RegionsPage {
    layout: Layout,
    /// The tree as the search leaves it.
    shown: Vec<Region>,
    search: String,
    export_href: String,
    /// Every region, as a choice of parent.
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

/// The page's query: a search of the tree, and the outcome of a form just sent.
#[derive(Deserialize, Default)]
pub struct RegionsQuery {
    done: Option<String>,
    #[serde(default)]
    search: String,
}

async fn regions_page(
    state: &AppState,
    user: &PageUser,
    query: RegionsQuery,
    form: RegionForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let regions = queries::regions(&state.db, actor).await?;
    let view = RegionsPage {
        layout: Layout::new(user, "/regions", "nav.regions").with_notice(query.done.as_deref()),
        shown: search_regions(regions.clone(), &query.search),
        export_href: format!("/regions/export?search={}", encode(&query.search)),
        search: query.search,
        regions,
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
    Query(query): Query<RegionsQuery>,
) -> Result<Response, WebError> {
    let form = RegionForm {
        kind: RegionKind::Region.code().to_owned(),
        ..RegionForm::default()
    };
    regions_page(&state, &user, query, form, FormErrors::none()).await
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
        Err(errors) => regions_page(&state, &user, RegionsQuery::default(), form, errors).await,
    }
}

/// The region tree as XLSX, in its order, as the search leaves it.
pub async fn export(
    State(state): State<AppState>,
    user: PageUser,
    Query(search): Query<TreeSearch>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &RegionTree(search))
            .await?
            .for_page(),
    )
}

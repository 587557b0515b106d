//! The category tree for the manufacturer: every category under its parent with its product
//! count, a form for a new one, and each category's form to rename, move or delete it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use catalog::domain::{search_tree, CategoryInput, CategoryNode};
use platform::{Failure, Permission};
use serde::Deserialize;

use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::error::WebError;
use crate::exports::{CategoryTree, TreeSearch};
use crate::lists::encode;
use crate::session::{PageForm, PageUser};
use crate::AppState;

/// The category form as posted.
#[derive(Deserialize, Default)]
pub struct CategoryForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_ru: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    parent_id: String,
}

impl CategoryForm {
    fn input(&self) -> CategoryInput {
        CategoryInput {
            code: self.code.clone(),
            name_en: self.name_en.clone(),
            name_ru: self.name_ru.clone(),
            name_zh: self.name_zh.clone(),
            parent_id: self.parent_id.trim().parse().ok(),
        }
    }
}

/// A category as a line of the tree and as a choice of parent.
pub struct TreeRow {
    id: i64,
    code: String,
    name: String,
    /// Indentation, in em.
    indent: usize,
    products: String,
}

fn rows(user: &PageUser, tree: &[CategoryNode]) -> Vec<TreeRow> {
    tree.iter()
        .map(|node| TreeRow {
            id: node.category.id,
            code: node.category.code.clone(),
            name: node.category.name(user.t.locale).to_owned(),
            indent: node.depth * 2,
            products: user.t.number(node.product_count),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "catalog/categories.html")]
struct CategoriesPage {
    layout: Layout,
    /// The tree as the search leaves it.
    shown: Vec<TreeRow>,
    search: String,
    export_href: String,
    /// Every category, as a choice of parent.
    tree: Vec<TreeRow>,
    can_manage: bool,
    form: CategoryForm,
    errors: FormErrors,
}

impl CategoriesPage {
    fn parent_selected(&self, id: &i64) -> bool {
        self.form.parent_id == id.to_string()
    }
}

/// The page's query: a search of the tree, and the outcome of a form just sent.
#[derive(Deserialize, Default)]
pub struct CategoriesQuery {
    done: Option<String>,
    #[serde(default)]
    search: String,
}

async fn tree_response(
    state: &AppState,
    user: &PageUser,
    query: CategoriesQuery,
    form: CategoryForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let tree = catalog::queries::category_tree(&state.db, user.actor()).await?;
    let view = CategoriesPage {
        layout: Layout::new(user, "/categories", "nav.categories").with_notice(query.done.as_deref()),
        shown: rows(user, &search_tree(tree.clone(), &query.search)),
        export_href: format!("/categories/export?search={}", encode(&query.search)),
        search: query.search,
        tree: rows(user, &tree),
        can_manage: user.actor().can(Permission::ManageCatalog),
        form,
        errors,
    };
    render(&view)
}

pub async fn categories_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<CategoriesQuery>,
) -> Result<Response, WebError> {
    tree_response(&state, &user, query, CategoryForm::default(), FormErrors::none()).await
}

pub async fn create(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<CategoryForm>,
) -> Result<Response, WebError> {
    let result = catalog::commands::create_category(&state.db, &state.clock, user.actor(), &form.input())
        .await
        .map_err(WebError);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done("/categories", "created")),
        Err(errors) => tree_response(&state, &user, CategoriesQuery::default(), form, errors).await,
    }
}

#[derive(Template)]
#[template(path = "catalog/category_form.html")]
struct CategoryPage {
    layout: Layout,
    id: i64,
    /// The categories it may move under: not itself, not its own descendants.
    parents: Vec<TreeRow>,
    form: CategoryForm,
    errors: FormErrors,
}

impl CategoryPage {
    fn parent_selected(&self, id: &i64) -> bool {
        self.form.parent_id == id.to_string()
    }
}

async fn category_response(
    state: &AppState,
    user: &PageUser,
    id: i64,
    form: Option<CategoryForm>,
    errors: FormErrors,
) -> Result<Response, WebError> {
    user.actor().require(Permission::ManageCatalog)?;
    let tree = catalog::queries::category_tree(&state.db, user.actor()).await?;
    let position = tree
        .iter()
        .position(|node| node.category.id == id)
        .ok_or(Failure::NotFound { entity: "category" })?;
    let node = &tree[position];
    // In tree order a category's descendants follow it, deeper than it, until the next of its depth.
    let subtree_end = tree[position + 1..]
        .iter()
        .position(|n| n.depth <= node.depth)
        .map_or(tree.len(), |offset| position + 1 + offset);
    let candidates: Vec<CategoryNode> = tree
        .iter()
        .enumerate()
        .filter(|(index, _)| *index < position || *index >= subtree_end)
        .map(|(_, n)| n.clone())
        .collect();
    let form = form.unwrap_or_else(|| CategoryForm {
        code: node.category.code.clone(),
        name_en: node.category.name_en.clone(),
        name_ru: node.category.name_ru.clone(),
        name_zh: node.category.name_zh.clone(),
        parent_id: node.category.parent_id.map(|p| p.to_string()).unwrap_or_default(),
    });
    let mut layout = Layout::new(user, "/categories", "category.edit");
    layout.title = format!("{} · {}", layout.title, node.category.code);
    let view = CategoryPage {
        layout,
        id,
        parents: rows(user, &candidates),
        form,
        errors,
    };
    render(&view)
}

pub async fn category_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    category_response(&state, &user, id, None, FormErrors::none()).await
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<CategoryForm>,
) -> Result<Response, WebError> {
    let result = catalog::commands::update_category(&state.db, &state.clock, user.actor(), id, &form.input())
        .await
        .map_err(WebError);
    match form_outcome(&user.t, result)? {
        Ok(()) => Ok(redirect_done("/categories", "saved")),
        Err(errors) => category_response(&state, &user, id, Some(form), errors).await,
    }
}

#[derive(Deserialize, Default)]
pub struct EmptyForm {}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, .. }: PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    catalog::commands::delete_category(&state.db, &state.clock, user.actor(), id).await?;
    Ok(redirect_done("/categories", "category_deleted"))
}

/// The category tree as XLSX, in its order, as the search leaves it.
pub async fn export(
    State(state): State<AppState>,
    user: PageUser,
    Query(search): Query<TreeSearch>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &CategoryTree(search))
            .await?
            .for_page(),
    )
}

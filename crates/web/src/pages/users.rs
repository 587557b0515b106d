//! User pages: the list with search, the user form with roles and data scope, and the
//! password reset.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use identity::domain::{DealerFilter, Region, User, UserInput, UserStatus};
use identity::{commands, queries};
use platform::{DealerId, Locale, Page, PageRequest, Permission, RegionId, Role, UserId};
use serde::Deserialize;

use super::account::DoneQuery;
use super::dealers::{dealer_suggestions, CodedDealer, DealerField};
use super::{form_outcome, redirect_done, render, Coded, FormErrors, Layout};
use crate::api::UserQuery;
use crate::error::WebError;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

fn role_codes(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(|r| r.code()).collect()
}

#[derive(Template)]
#[template(path = "identity/users.html")]
struct UsersPage {
    layout: Layout,
    page: Page<User>,
    query: UserListQuery,
    dealer: DealerField,
    can_manage: bool,
    statuses: [&'static str; 2],
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    /// The query string without `page`, for links to other pages of the same list.
    filter_query: String,
}

/// Empty fields arrive as empty strings; they mean "any".
#[derive(Deserialize, Default)]
pub struct UserListQuery {
    #[serde(default)]
    search: String,
    /// The dealer as links name it.
    #[serde(default)]
    dealer_id: String,
    /// The dealer as the filter's field takes it.
    #[serde(default)]
    dealer_code: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
    done: Option<String>,
}

impl UserListQuery {
    fn query(&self) -> UserQuery {
        let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        UserQuery {
            search: text(&self.search),
            dealer_id: self.dealer_id.trim().parse().ok(),
            status: text(&self.status),
            sort: text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<UserListQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let dealer = DealerField::read(&state, &user, &query.dealer_code, &query.dealer_id).await?;
    let api_query = UserQuery {
        dealer_id: dealer.filter_id(),
        ..query.query()
    };
    let filter = api_query.filter()?;
    let page = queries::users(&state.db, actor, &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/users", &queries::USER_SORT, filter.sort)
        .filter("search", api_query.search.as_deref())
        .filter("dealer_id", api_query.dealer_id)
        .filter("status", api_query.status.as_deref());
    let view = UsersPage {
        layout: Layout::new(&user, "/users", "nav.users").with_notice(query.done.as_deref()),
        filter_query: links.page_query(),
        links,
        page,
        query,
        dealer,
        can_manage: actor.can(Permission::ManageUsers),
        statuses: [UserStatus::Active.code(), UserStatus::Disabled.code()],
    };
    render(&view)
}

/// The users the list shows under the same filters and sort, every row, as XLSX.
pub async fn export(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<UserListQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

/// The user form as posted: role and region checkboxes repeat, other checkboxes send `true`.
#[derive(Deserialize, Default)]
pub struct UserForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    locale: String,
    /// The dealer's code, typed while creating a user; a user's dealer never changes after.
    #[serde(default)]
    dealer_code: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    region_ids: Vec<i64>,
    #[serde(default)]
    all_regions: bool,
    #[serde(default)]
    sees_tier2: bool,
    #[serde(default)]
    status: String,
}

impl UserForm {
    fn from_user(user: &User) -> UserForm {
        UserForm {
            login: user.login.clone(),
            display_name: user.display_name.clone(),
            password: String::new(),
            locale: user.locale.map(|l| l.code().to_owned()).unwrap_or_default(),
            dealer_code: String::new(),
            roles: user.roles.iter().map(|r| r.code().to_owned()).collect(),
            region_ids: user.region_ids.iter().map(|r| r.get()).collect(),
            all_regions: user.all_regions,
            sees_tier2: user.sees_tier2,
            status: user.status.code().to_owned(),
        }
    }

    /// The command's input for a user of `dealer` (`None`: manufacturer staff).
    fn input(&self, dealer: Option<DealerId>) -> UserInput {
        UserInput {
            login: self.login.clone(),
            display_name: self.display_name.clone(),
            password: Some(self.password.clone()).filter(|p| !p.is_empty()),
            locale: optional_text(&self.locale),
            dealer_id: dealer,
            roles: self.roles.clone(),
            region_ids: self.region_ids.iter().copied().map(RegionId).collect(),
            all_regions: self.all_regions,
            sees_tier2: self.sees_tier2,
            status: optional_text(&self.status),
        }
    }
}

#[derive(Template)]
#[template(path = "identity/user_form.html")]
struct UserFormPage {
    layout: Layout,
    /// `None` while creating.
    user_id: Option<UserId>,
    form: UserForm,
    errors: FormErrors,
    password_errors: FormErrors,
    /// Set when the dealer cannot be chosen: the user's dealer name, or `None` for staff.
    fixed_dealer: Option<Option<String>>,
    /// Dealers to suggest for the code field: code and name.
    dealers: Vec<(String, String)>,
    internal_roles: Vec<&'static str>,
    dealer_roles: Vec<&'static str>,
    regions: Vec<Region>,
    languages: Vec<(&'static str, &'static str)>,
    statuses: Vec<&'static str>,
}

impl UserFormPage {
    fn has_role(&self, code: &str) -> bool {
        self.form.roles.iter().any(|r| r == code)
    }

    fn has_region(&self, id: &RegionId) -> bool {
        self.form.region_ids.contains(&id.get())
    }
}

/// The form for a new user (`editing` is `None`) or for an existing one.
async fn form_page(
    state: &AppState,
    user: &PageUser,
    editing: Option<&User>,
    done: Option<&str>,
    form: UserForm,
    errors: FormErrors,
    password_errors: FormErrors,
) -> Result<Response, WebError> {
    let actor = user.actor();
    actor.require(Permission::ManageUsers)?;
    let own_dealer = actor.scope.dealer_id();
    let fixed_dealer = match editing {
        Some(target) => Some(target.dealer_name.clone()),
        None if own_dealer.is_some() => Some(user.signed_in.user.dealer_name.clone()),
        None if !chooses_dealer(user) => Some(None),
        None => None,
    };
    let dealers = if fixed_dealer.is_none() {
        dealer_suggestions(state, user, &DealerFilter::default()).await?
    } else {
        Vec::new()
    };
    let regions = if actor.can(Permission::ViewRegions) {
        queries::regions(&state.db, actor).await?
    } else {
        Vec::new()
    };
    let title = if editing.is_some() { "user.edit" } else { "user.new" };
    let view = UserFormPage {
        layout: Layout::new(user, "/users", title).with_notice(done),
        user_id: editing.map(|u| u.id),
        form,
        errors,
        password_errors,
        fixed_dealer,
        dealers,
        internal_roles: if own_dealer.is_some() {
            Vec::new()
        } else {
            role_codes(&Role::INTERNAL)
        },
        dealer_roles: role_codes(&Role::DEALER),
        regions,
        languages: Locale::ALL.iter().map(|l| (l.code(), l.native_name())).collect(),
        statuses: [UserStatus::Active, UserStatus::Disabled]
            .iter()
            .map(|s| s.code())
            .collect(),
    };
    render(&view)
}

/// Whether the person creating a user chooses its dealer: the manufacturer's people who may
/// see dealers do; a dealer's administrator creates users of its own dealer only.
fn chooses_dealer(user: &PageUser) -> bool {
    let actor = user.actor();
    actor.scope.dealer_id().is_none() && actor.can(Permission::ViewDealers)
}

pub async fn new_form(State(state): State<AppState>, user: PageUser) -> Result<Response, WebError> {
    form_page(
        &state,
        &user,
        None,
        None,
        UserForm::default(),
        FormErrors::none(),
        FormErrors::none(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<UserForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let dealer = if chooses_dealer(&user) {
        CodedDealer::look_up(&state, &user, &form.dealer_code).await?
    } else {
        Coded::Blank
    };
    let dealer_id = actor.scope.dealer_id().or(dealer.id());
    let result = commands::create_user(&state.db, &state.clock, actor, &form.input(dealer_id))
        .await
        .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(created) => Ok(redirect_done(&format!("/users/{}", created.id), "created")),
        Err(errors) => {
            let errors = dealer.errors(&user.t, errors, ("dealer_id", "dealer_code"), false);
            form_page(&state, &user, None, None, form, errors, FormErrors::none()).await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let target = queries::user(&state.db, user.actor(), UserId(id)).await?;
    let form = UserForm::from_user(&target);
    form_page(
        &state,
        &user,
        Some(&target),
        query.done.as_deref(),
        form,
        FormErrors::none(),
        FormErrors::none(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<UserForm>,
) -> Result<Response, WebError> {
    // A user stays with its dealer: the form does not offer to change it.
    let target = queries::user(&state.db, user.actor(), UserId(id)).await?;
    let result = commands::update_user(
        &state.db,
        &state.clock,
        user.actor(),
        UserId(id),
        &form.input(target.dealer_id),
    )
    .await
    .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done(&format!("/users/{id}"), "saved")),
        Err(errors) => form_page(&state, &user, Some(&target), None, form, errors, FormErrors::none()).await,
    }
}

#[derive(Deserialize)]
pub struct ResetPasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<ResetPasswordForm>,
) -> Result<Response, WebError> {
    let result = commands::reset_password(&state.db, &state.clock, user.actor(), UserId(id), &form.password)
        .await
        .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(()) => Ok(redirect_done(&format!("/users/{id}"), "password_reset")),
        Err(errors) => {
            let target = queries::user(&state.db, user.actor(), UserId(id)).await?;
            form_page(
                &state,
                &user,
                Some(&target),
                None,
                UserForm::from_user(&target),
                FormErrors::none(),
                errors,
            )
            .await
        }
    }
}

// ----- a user named by its login in a form -----

/// A user typed by its login.
pub(super) type CodedUser = Coded<User>;

impl CodedUser {
    pub(super) async fn look_up(state: &AppState, user: &PageUser, login: &str) -> Result<CodedUser, WebError> {
        Coded::find(login, async |login| {
            queries::user_by_login(&state.db, user.actor(), login).await
        })
        .await
    }

    /// The id to hand the command: an unknown login becomes an id no user has, so that the
    /// command refuses it as it refuses any other user it cannot find.
    pub(super) fn id(&self) -> UserId {
        match self {
            Coded::Found(user) => user.id,
            Coded::Blank | Coded::Unknown(_) => UserId(0),
        }
    }
}

/// Users to suggest in a login field, "login · name", as many as one page holds: a help for
/// typing, not the list of what may be chosen.
pub(super) async fn user_suggestions(state: &AppState, user: &PageUser) -> Result<Vec<(String, String)>, WebError> {
    let first = PageRequest::new(Some(1), Some(platform::page::MAX_PER_PAGE));
    Ok(queries::users(&state.db, user.actor(), &Default::default(), first)
        .await?
        .items
        .into_iter()
        .map(|found| (found.login, found.display_name))
        .collect())
}

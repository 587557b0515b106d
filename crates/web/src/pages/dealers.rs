//! Dealer pages: the list with search and filters, the dealer card, and the dealer form.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use identity::domain::*;
use identity::{commands, queries};
use platform::{DealerId, Page, PageRequest, Permission};
use serde::Deserialize;

use super::account::DoneQuery;
use super::{form_outcome, redirect_done, render, Coded, FormErrors, Layout};
use crate::api::DealerQuery;
use crate::error::WebError;
use crate::i18n::Translator;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "identity/dealers.html")]
struct DealersPage {
    layout: Layout,
    page: Page<Dealer>,
    query: DealerQuery,
    regions: Vec<Region>,
    groups: Vec<DealerGroup>,
    statuses: Vec<&'static str>,
    can_manage: bool,
    /// Whether to link the dealer group list.
    show_groups: bool,
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    /// The query string without `page`, for links to other pages of the same list.
    filter_query: String,
}

impl DealersPage {
    fn selected_status(&self, code: &str) -> bool {
        self.query.status.as_deref() == Some(code)
    }

    fn selected_region(&self, id: &platform::RegionId) -> bool {
        self.query.region_id == Some(id.get())
    }

    fn selected_group(&self, id: &i64) -> bool {
        self.query.group_id == Some(*id)
    }

    fn selected_tier(&self, tier: &i64) -> bool {
        self.query.tier == Some(*tier)
    }
}

/// Empty selects arrive as empty strings; they mean "any".
#[derive(Deserialize, Default)]
pub struct DealerListQuery {
    search: Option<String>,
    region_id: Option<String>,
    status: Option<String>,
    tier: Option<String>,
    group_id: Option<String>,
    sort: Option<String>,
    page: Option<u32>,
    done: Option<String>,
}

fn number(text: &Option<String>) -> Option<i64> {
    text.as_deref().and_then(|t| t.trim().parse().ok())
}

impl DealerListQuery {
    fn query(&self) -> DealerQuery {
        DealerQuery {
            search: self.search.clone(),
            region_id: number(&self.region_id),
            status: self.status.clone().filter(|s| !s.is_empty()),
            tier: number(&self.tier),
            group_id: number(&self.group_id),
            sort: self.sort.clone(),
            page: self.page,
            per_page: None,
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: PageUser,
    Query(raw): Query<DealerListQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let query = raw.query();
    let filter = query.filter()?;
    let page = queries::dealers(&state.db, actor, &filter, PageRequest::new(query.page, None)).await?;
    let regions = if actor.can(Permission::ViewRegions) {
        queries::regions(&state.db, actor).await?
    } else {
        Vec::new()
    };
    let groups = queries::dealer_groups(&state.db, actor).await?;
    let links = ListLinks::new("/dealers", &queries::DEALER_SORT, filter.sort)
        .filter("search", query.search.as_deref())
        .filter("region_id", query.region_id)
        .filter("status", query.status.as_deref())
        .filter("tier", query.tier)
        .filter("group_id", query.group_id);
    let view = DealersPage {
        layout: Layout::new(&user, "/dealers", "nav.dealers").with_notice(raw.done.as_deref()),
        filter_query: links.page_query(),
        links,
        page,
        query,
        regions,
        groups,
        statuses: DealerStatus::ALL.iter().map(|s| s.code()).collect(),
        can_manage: actor.can(Permission::ManageDealers),
        // Groups are the manufacturer's own classification; a dealer's people have none.
        show_groups: !actor.is_dealer_user(),
    };
    render(&view)
}

/// The dealers the list shows under the same filters and sort, every row, as XLSX.
pub async fn export(
    State(state): State<AppState>,
    user: PageUser,
    Query(raw): Query<DealerListQuery>,
) -> Result<Response, WebError> {
    Ok(crate::exports::export_list(&state, user.actor(), &user.t, &raw.query())
        .await?
        .for_page())
}

#[derive(Template)]
#[template(path = "identity/dealer.html")]
struct DealerCard {
    layout: Layout,
    detail: DealerDetail,
    can_manage: bool,
    /// The new location's form: empty, or as typed when it was refused.
    location: LocationForm,
    location_errors: FormErrors,
    /// The new contact's form: empty, or as typed when it was refused.
    contact: ContactForm,
    contact_errors: FormErrors,
}

/// The dealer card; after a refused form, that form as typed with its errors.
async fn dealer_card(
    state: &AppState,
    user: &PageUser,
    id: i64,
    done: Option<&str>,
    (location, location_errors): (LocationForm, FormErrors),
    (contact, contact_errors): (ContactForm, FormErrors),
) -> Result<Response, WebError> {
    let detail = queries::dealer(&state.db, user.actor(), DealerId(id)).await?;
    let view = DealerCard {
        layout: Layout::new(user, "/dealers", "dealer.title").with_notice(done),
        detail,
        can_manage: user.actor().can(Permission::ManageDealers),
        location,
        location_errors,
        contact,
        contact_errors,
    };
    render(&view)
}

pub async fn detail(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    dealer_card(
        &state,
        &user,
        id,
        query.done.as_deref(),
        (LocationForm::default(), FormErrors::none()),
        (ContactForm::default(), FormErrors::none()),
    )
    .await
}

/// The dealer form as posted: selects send strings, group checkboxes repeat.
#[derive(Deserialize, Default)]
pub struct DealerForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    legal_name: String,
    #[serde(default)]
    tax_number: String,
    #[serde(default)]
    gln: String,
    #[serde(default)]
    tier: String,
    /// The distributor's code, typed.
    #[serde(default)]
    parent_dealer_code: String,
    #[serde(default)]
    region_id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    group_ids: Vec<i64>,
    #[serde(default)]
    currency: String,
}

impl DealerForm {
    fn from_dealer(detail: &DealerDetail, parent_dealer_code: String) -> DealerForm {
        let dealer = &detail.dealer;
        DealerForm {
            code: dealer.code.clone(),
            legal_name: dealer.legal_name.clone(),
            tax_number: dealer.tax_number.clone().unwrap_or_default(),
            gln: dealer.gln.clone().unwrap_or_default(),
            tier: dealer.tier.to_string(),
            parent_dealer_code,
            region_id: dealer.region_id.to_string(),
            status: dealer.status.code().to_owned(),
            group_ids: detail.groups.iter().map(|g| g.id).collect(),
            currency: dealer.currency.clone().unwrap_or_default(),
        }
    }

    fn input(&self, parent: &CodedDealer) -> DealerInput {
        DealerInput {
            code: self.code.clone(),
            legal_name: self.legal_name.clone(),
            tax_number: optional_text(&self.tax_number),
            gln: optional_text(&self.gln),
            tier: self.tier.trim().parse().unwrap_or(0),
            parent_dealer_id: parent.id(),
            region_id: self
                .region_id
                .trim()
                .parse()
                .map(platform::RegionId)
                .unwrap_or_default(),
            status: optional_text(&self.status),
            group_ids: self.group_ids.clone(),
            currency: optional_text(&self.currency),
        }
    }
}

#[derive(Template)]
#[template(path = "identity/dealer_form.html")]
struct DealerFormPage {
    layout: Layout,
    /// `None` while creating.
    dealer_id: Option<i64>,
    form: DealerForm,
    errors: FormErrors,
    regions: Vec<Region>,
    groups: Vec<DealerGroup>,
    /// Distributors to suggest for the parent: code and name.
    distributors: Vec<(String, String)>,
    statuses: Vec<&'static str>,
}

impl DealerFormPage {
    fn has_group(&self, id: &i64) -> bool {
        self.form.group_ids.contains(id)
    }
}

async fn form_page(
    state: &AppState,
    user: &PageUser,
    dealer_id: Option<i64>,
    form: DealerForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let actor = user.actor();
    actor.require(Permission::ManageDealers)?;
    let distributors = dealer_suggestions(
        state,
        user,
        &DealerFilter {
            tier: Some(1),
            ..DealerFilter::default()
        },
    )
    .await?;
    let title = if dealer_id.is_some() {
        "dealer.edit"
    } else {
        "dealer.new"
    };
    let view = DealerFormPage {
        layout: Layout::new(user, "/dealers", title),
        dealer_id,
        form,
        errors,
        regions: queries::regions(&state.db, actor).await?,
        groups: queries::dealer_groups(&state.db, actor).await?,
        distributors,
        statuses: DealerStatus::ALL.iter().map(|s| s.code()).collect(),
    };
    render(&view)
}

pub async fn new_form(State(state): State<AppState>, user: PageUser) -> Result<Response, WebError> {
    let form = DealerForm {
        tier: "1".to_owned(),
        status: DealerStatus::Applicant.code().to_owned(),
        ..DealerForm::default()
    };
    form_page(&state, &user, None, form, FormErrors::none()).await
}

pub async fn create(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<DealerForm>,
) -> Result<Response, WebError> {
    let parent = CodedDealer::look_up(&state, &user, &form.parent_dealer_code).await?;
    let result = commands::create_dealer(&state.db, &state.clock, user.actor(), &form.input(&parent))
        .await
        .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(dealer) => Ok(redirect_done(&format!("/dealers/{}", dealer.id), "created")),
        Err(errors) => {
            let errors = parent.errors(&user.t, errors, ("parent_dealer_id", "parent_dealer_code"), false);
            form_page(&state, &user, None, form, errors).await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let detail = queries::dealer(&state.db, user.actor(), DealerId(id)).await?;
    // A parent outside the reader's scope cannot be shown: the field stays empty, and the
    // command refuses a sub-dealer without a distributor, so nothing is lost unnoticed.
    let parent_code = match detail.dealer.parent_dealer_id {
        Some(parent) => queries::dealer(&state.db, user.actor(), parent)
            .await
            .map(|parent| parent.dealer.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    form_page(
        &state,
        &user,
        Some(id),
        DealerForm::from_dealer(&detail, parent_code),
        FormErrors::none(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<DealerForm>,
) -> Result<Response, WebError> {
    let parent = CodedDealer::look_up(&state, &user, &form.parent_dealer_code).await?;
    let result = commands::update_dealer(
        &state.db,
        &state.clock,
        user.actor(),
        DealerId(id),
        &form.input(&parent),
    )
    .await
    .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done(&format!("/dealers/{id}"), "saved")),
        Err(errors) => {
            let errors = parent.errors(&user.t, errors, ("parent_dealer_id", "parent_dealer_code"), false);
            form_page(&state, &user, Some(id), form, errors).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct LocationForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    gln: String,
    #[serde(default)]
    is_primary: Option<String>,
}

pub async fn add_location(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<LocationForm>,
) -> Result<Response, WebError> {
    let input = LocationInput {
        code: form.code.clone(),
        name: form.name.clone(),
        address: form.address.clone(),
        gln: Some(form.gln.clone()).filter(|g| !g.trim().is_empty()),
        is_primary: form.is_primary.is_some(),
    };
    let result = commands::add_delivery_location(&state.db, &state.clock, user.actor(), DealerId(id), &input)
        .await
        .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done(&format!("/dealers/{id}"), "location_added")),
        Err(errors) => {
            let contact = (ContactForm::default(), FormErrors::none());
            dealer_card(&state, &user, id, None, (form, errors), contact).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ContactForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
}

pub async fn add_contact(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<ContactForm>,
) -> Result<Response, WebError> {
    let text = |t: &String| Some(t.clone()).filter(|t| !t.trim().is_empty());
    let input = ContactInput {
        name: form.name.clone(),
        position: text(&form.position),
        email: text(&form.email),
        phone: text(&form.phone),
    };
    let result = commands::add_contact(&state.db, &state.clock, user.actor(), DealerId(id), &input)
        .await
        .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done(&format!("/dealers/{id}"), "contact_added")),
        Err(errors) => {
            let location = (LocationForm::default(), FormErrors::none());
            dealer_card(&state, &user, id, None, location, (form, errors)).await
        }
    }
}

// ----- a dealer named by its code in a form -----

/// A dealer typed by its code.
pub(super) type CodedDealer = Coded<Dealer>;

impl CodedDealer {
    pub(super) async fn look_up(state: &AppState, user: &PageUser, code: &str) -> Result<CodedDealer, WebError> {
        Coded::find(code, async |code| {
            queries::dealer_by_code(&state.db, user.actor(), code).await
        })
        .await
    }

    /// The id to hand the command. An unknown code becomes an id no dealer has, so that the
    /// command refuses that field together with any other, and the form shows them all at once.
    pub(super) fn id(&self) -> Option<DealerId> {
        match self {
            Coded::Blank => None,
            Coded::Found(dealer) => Some(dealer.id),
            Coded::Unknown(_) => Some(DealerId(0)),
        }
    }

    /// The command's errors about the dealer id, at the dealer's code field.
    pub(super) fn errors(
        &self,
        t: &Translator,
        errors: FormErrors,
        fields: (&str, &str),
        required: bool,
    ) -> FormErrors {
        self.errors_as(t, errors, fields, required, "dealer.code_unknown")
    }
}

/// Dealers to suggest in a code field, "code · name", as many as one page holds: a
/// help for typing, not the list of what may be chosen.
pub(super) async fn dealer_suggestions(
    state: &AppState,
    user: &PageUser,
    filter: &DealerFilter,
) -> Result<Vec<(String, String)>, WebError> {
    Ok(queries::dealers(
        &state.db,
        user.actor(),
        filter,
        PageRequest::new(Some(1), Some(platform::page::MAX_PER_PAGE)),
    )
    .await?
    .items
    .into_iter()
    .map(|dealer| (dealer.code, dealer.legal_name))
    .collect())
}

/// A list's filter by dealer. Its form field takes the dealer's code (`dealer_code`) rather than
/// offering a select, which could not hold ten thousand dealers; links to the list (its pages,
/// sort headers and export, and other pages) name the dealer by id (`dealer_id`). A code typed
/// wins over an id; neither means any dealer. Only the manufacturer's people who may see dealers
/// choose one: for others the id of a link is taken as it is.
pub(super) struct DealerField {
    /// Whether the reader chooses the dealer, so that the page shows the field.
    pub(super) shown: bool,
    /// The code to show in the field: as typed, or of the dealer a link named.
    pub(super) code: String,
    /// The dealer chosen.
    pub(super) dealer: Option<DealerId>,
    /// Why the code typed chose no dealer.
    pub(super) error: Option<String>,
    /// Dealers to suggest in the field: code and name.
    pub(super) suggestions: Vec<(String, String)>,
}

impl DealerField {
    pub(super) async fn read(
        state: &AppState,
        user: &PageUser,
        code: &str,
        dealer_id: &str,
    ) -> Result<DealerField, WebError> {
        let actor = user.actor();
        let linked = dealer_id.trim().parse().ok().map(DealerId);
        let mut field = DealerField {
            shown: !actor.is_dealer_user() && actor.can(Permission::ViewDealers),
            code: String::new(),
            dealer: linked,
            error: None,
            suggestions: Vec::new(),
        };
        if !field.shown {
            return Ok(field);
        }
        field.suggestions = dealer_suggestions(state, user, &DealerFilter::default()).await?;
        match CodedDealer::look_up(state, user, code).await? {
            Coded::Found(dealer) => {
                field.code = dealer.code;
                field.dealer = Some(dealer.id);
            }
            Coded::Unknown(code) => {
                field.error = Some(user.t.t_with("dealer.code_unknown", &[("code", code.clone())]));
                field.code = code;
                field.dealer = None;
            }
            // A dealer out of the reader's scope has no code to show; the list's own scope
            // keeps its rows out.
            Coded::Blank => {
                if let Some(id) = linked {
                    field.code = queries::dealer(&state.db, actor, id)
                        .await
                        .map(|detail| detail.dealer.code)
                        .unwrap_or_default();
                }
            }
        }
        Ok(field)
    }

    /// The dealer id a list filters by. A code nobody has filters by an id no dealer has, so
    /// that the list shows nothing rather than everything.
    pub(super) fn filter_id(&self) -> Option<i64> {
        match (self.dealer, &self.error) {
            (Some(dealer), _) => Some(dealer.get()),
            (None, Some(_)) => Some(0),
            (None, None) => None,
        }
    }

    /// The chosen dealer's id as a link's `dealer_id` takes it; empty for none.
    pub(super) fn id_param(&self) -> String {
        self.dealer.map(|id| id.to_string()).unwrap_or_default()
    }
}

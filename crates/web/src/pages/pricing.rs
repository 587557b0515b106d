//! Price-list pages: the lists with a form for a new one, and each list's rows with a form to
//! add a price.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use catalog::domain::Product;
use chrono::NaiveDate;
use platform::{DealerId, Failure, FieldError, Money, Page, PageRequest, Permission};
use pricing::domain::{PriceList, PriceListInput, PriceRow, PriceRowInput};
use serde::Deserialize;

use super::catalog::{
    as_form_fields, audience_groups, audience_label, currency, day, money, parse_audience, today, typed_audience,
    whole_number, AudienceGroup,
};
use super::{form_outcome, redirect_done, render, Coded, FormErrors, Layout};
use crate::api::{PriceListQuery, PriceRowQuery};
use crate::error::WebError;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

/// A price list's rows as the page asks for them: search, sort, page.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    search: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
    done: Option<String>,
}

impl PageQuery {
    fn query(&self) -> PriceRowQuery {
        let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        PriceRowQuery {
            search: text(&self.search),
            sort: text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

/// The price-list list's filters as the form sends them; empty means "any".
#[derive(Deserialize, Default)]
pub struct PriceListsQuery {
    #[serde(default)]
    search: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
    done: Option<String>,
}

impl PriceListsQuery {
    fn query(&self) -> PriceListQuery {
        let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        PriceListQuery {
            search: text(&self.search),
            currency: text(&self.currency),
            sort: text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

/// A `yyyy-mm-dd` date, as a date input sends it.
fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

// ----- the lists -----

/// A price list with its audience in words.
pub struct PriceListRow {
    list: PriceList,
    audience: String,
}

/// The new-list form as posted: `audience` is `base` or a kind and an id, such as `dealer:12`.
#[derive(Deserialize, Default)]
pub struct PriceListForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    audience: String,
    /// A dealer by its code, which wins over `audience`.
    #[serde(default)]
    audience_dealer_code: String,
    #[serde(default)]
    currency: String,
}

impl PriceListForm {
    fn input(&self) -> PriceListInput {
        let (kind, audience_id) = parse_audience(&self.audience).unwrap_or_default();
        PriceListInput {
            code: self.code.clone(),
            name: self.name.clone(),
            audience: kind.to_owned(),
            audience_id,
            currency: self.currency.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "pricing/price_lists.html")]
struct PriceListsPage {
    layout: Layout,
    page: Page<PriceListRow>,
    query: PriceListsQuery,
    links: ListLinks,
    filter_query: String,
    can_manage: bool,
    form: PriceListForm,
    errors: FormErrors,
    audiences: Vec<AudienceGroup>,
}

async fn lists_response(
    state: &AppState,
    user: &PageUser,
    query: PriceListsQuery,
    form: PriceListForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let api_query = query.query();
    let filter = api_query.filter()?;
    let lists = pricing::queries::price_lists(&state.db, actor, &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/price-lists", &pricing::queries::PRICE_LIST_SORT, filter.sort)
        .filter("search", api_query.search.as_deref())
        .filter("currency", api_query.currency.as_deref());
    let named: Vec<DealerId> = lists.items.iter().filter_map(audience_dealer).collect();
    let audiences = audience_groups(state, user, ("base", "audience_choice.base"), &form.audience, &named).await?;
    let rows = lists
        .items
        .into_iter()
        .map(|list| PriceListRow {
            audience: audience_label(&user.t, &audiences, &list.audience, list.audience_id),
            list,
        })
        .collect();
    let view = PriceListsPage {
        layout: Layout::new(user, "/price-lists", "nav.price_lists").with_notice(query.done.as_deref()),
        page: Page::new(
            rows,
            lists.total,
            PageRequest {
                page: lists.page,
                per_page: lists.per_page,
            },
        ),
        filter_query: links.page_query(),
        links,
        query,
        can_manage: actor.can(Permission::ManagePrices),
        form,
        errors,
        audiences,
    };
    render(&view)
}

/// The price lists the list shows under the same filters and sort, every row, as XLSX.
pub async fn export_price_lists(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<PriceListsQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

pub async fn price_lists_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<PriceListsQuery>,
) -> Result<Response, WebError> {
    let form = PriceListForm {
        audience: "base".to_owned(),
        currency: user.tenant.currency.clone(),
        ..PriceListForm::default()
    };
    lists_response(&state, &user, query, form, FormErrors::none()).await
}

pub async fn create_price_list(
    State(state): State<AppState>,
    PageForm { user, mut form }: PageForm<PriceListForm>,
) -> Result<Response, WebError> {
    if let Some(errors) = typed_audience(&state, &user, &mut form.audience, &form.audience_dealer_code).await? {
        return lists_response(&state, &user, PriceListsQuery::default(), form, errors).await;
    }
    let result = pricing::commands::create_price_list(&state.db, &state.clock, user.actor(), &form.input())
        .await
        .map_err(|e| WebError(as_form_fields(e, &[("audience_id", "audience")])));
    match form_outcome(&user.t, result)? {
        Ok(id) => Ok(redirect_done(&format!("/price-lists/{id}"), "created")),
        Err(errors) => lists_response(&state, &user, PriceListsQuery::default(), form, errors).await,
    }
}

// ----- one list and its rows -----

/// A price row with its amount and days ready to show.
pub struct PriceRowView {
    row: PriceRow,
    price: Money,
    valid_from: String,
    valid_to: Option<String>,
}

/// The add-a-price form as posted: the product by SKU, everything else as text.
#[derive(Deserialize, Default)]
pub struct PriceRowForm {
    #[serde(default)]
    product: String,
    #[serde(default)]
    min_quantity: String,
    #[serde(default)]
    unit_price: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
}

impl PriceRowForm {
    /// The row as the use case takes it, with the SKU resolved to the product.
    async fn input(&self, state: &AppState, user: &PageUser) -> Result<PriceRowInput, Failure> {
        let mut errors = Vec::new();
        let sku = self.product.trim();
        let product_id = if sku.is_empty() {
            errors.push(FieldError::new("product", "field.required"));
            None
        } else {
            let ids = catalog::queries::product_ids_by_sku(&state.db, user.actor()).await?;
            let found = ids.get(sku).or_else(|| ids.get(&sku.to_uppercase())).copied();
            if found.is_none() {
                errors.push(FieldError::new("product", "field.not_found"));
            }
            found
        };
        let min_quantity = whole_number(&mut errors, "min_quantity", &self.min_quantity);
        let valid_from = parse_date(&self.valid_from);
        if valid_from.is_none() {
            errors.push(FieldError::new("valid_from", "field.date"));
        }
        let valid_to = match self.valid_to.trim() {
            "" => None,
            text => {
                let date = parse_date(text);
                if date.is_none() {
                    errors.push(FieldError::new("valid_to", "field.date"));
                }
                date
            }
        };
        match (product_id, min_quantity, valid_from) {
            (Some(product_id), Some(min_quantity), Some(valid_from)) if errors.is_empty() => Ok(PriceRowInput {
                product_id,
                min_quantity,
                unit_price: self.unit_price.trim().to_owned(),
                valid_from,
                valid_to,
            }),
            _ => Err(Failure::Invalid(errors)),
        }
    }
}

#[derive(Template)]
#[template(path = "pricing/price_list.html")]
struct PriceListPage {
    layout: Layout,
    list: PriceList,
    audience: String,
    created_at: String,
    page: Page<PriceRowView>,
    query: PageQuery,
    links: ListLinks,
    filter_query: String,
    can_manage: bool,
    form: PriceRowForm,
    errors: FormErrors,
    /// Suggestions for the SKU field: SKU and name.
    products: Vec<(String, String)>,
}

async fn list_response(
    state: &AppState,
    user: &PageUser,
    id: i64,
    query: PageQuery,
    form: PriceRowForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let t = &user.t;
    let list = pricing::queries::price_list(&state.db, actor, id).await?;
    let row_query = query.query();
    let filter = row_query.filter()?;
    let rows = pricing::queries::price_rows(&state.db, actor, id, &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new(
        format!("/price-lists/{id}"),
        &pricing::queries::PRICE_ROW_SORT,
        filter.sort,
    )
    .filter("search", row_query.search.as_deref());
    let list_currency = currency(&list.currency)?;
    let views = rows
        .items
        .into_iter()
        .map(|row| {
            Ok(PriceRowView {
                price: money(&row.unit_price, list_currency)?,
                valid_from: day(t, row.valid_from),
                valid_to: row.valid_to.map(|to| day(t, to)),
                row,
            })
        })
        .collect::<Result<Vec<_>, WebError>>()?;
    let can_manage = actor.can(Permission::ManagePrices);
    let products = if can_manage && actor.can(Permission::ViewProducts) {
        let first = PageRequest::new(Some(1), Some(platform::page::MAX_PER_PAGE));
        catalog::queries::products(&state.db, actor, &catalog::domain::ProductFilter::default(), first)
            .await?
            .items
            .into_iter()
            .map(|product: Product| (product.sku.clone(), product.name(t.locale).to_owned()))
            .collect()
    } else {
        Vec::new()
    };
    let named: Vec<DealerId> = audience_dealer(&list).into_iter().collect();
    let audiences = audience_groups(state, user, ("base", "audience_choice.base"), "", &named).await?;
    let mut layout = Layout::new(user, "/price-lists", "price_list.title").with_notice(query.done.as_deref());
    layout.title = format!("{} · {}", list.code, list.name);
    let view = PriceListPage {
        layout,
        audience: audience_label(t, &audiences, &list.audience, list.audience_id),
        created_at: t.date_time(&list.created_at),
        page: Page::new(
            views,
            rows.total,
            PageRequest {
                page: rows.page,
                per_page: rows.per_page,
            },
        ),
        filter_query: links.page_query(),
        links,
        query,
        can_manage,
        form,
        errors,
        products,
        list,
    };
    render(&view)
}

/// The price list's rows as a spreadsheet.
pub async fn export_price_list(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let rows = crate::exports::PriceListRows {
        price_list_id: id,
        query: query.query(),
    };
    Ok(crate::exports::export_list(&state, user.actor(), &user.t, &rows)
        .await?
        .for_page())
}

pub async fn price_list_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let form = PriceRowForm {
        min_quantity: "1".to_owned(),
        valid_from: today(&state, &user).format("%Y-%m-%d").to_string(),
        ..PriceRowForm::default()
    };
    list_response(&state, &user, id, query, form, FormErrors::none()).await
}

pub async fn add_price_row(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<PriceRowForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    actor.require(Permission::ManagePrices)?;
    let result = match form.input(&state, &user).await {
        Ok(row) => pricing::commands::import_price_rows(&state.db, &state.clock, actor, id, &[row]).await,
        Err(failure) => Err(failure),
    };
    let result = result.map_err(|e| WebError(as_form_fields(e, &[("product_id", "product")])));
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done(&format!("/price-lists/{id}"), "row_added")),
        Err(errors) => list_response(&state, &user, id, PageQuery::default(), form, errors).await,
    }
}

/// The dealer a price list is for, when it is one dealer's.
fn audience_dealer(list: &PriceList) -> Option<DealerId> {
    list.audience_id.filter(|_| list.audience == "dealer").map(DealerId)
}

// ----- a price list named by its code in a form -----

/// A price list typed by its code.
pub(super) type CodedPriceList = Coded<PriceList>;

impl CodedPriceList {
    pub(super) async fn look_up(state: &AppState, user: &PageUser, code: &str) -> Result<CodedPriceList, WebError> {
        Coded::find(code, async |code| {
            pricing::queries::price_list_by_code(&state.db, user.actor(), code).await
        })
        .await
    }
}

/// Price lists to suggest in a code field, "code · name (currency)", as many as one page holds.
pub(super) async fn price_list_suggestions(
    state: &AppState,
    user: &PageUser,
) -> Result<Vec<(String, String)>, WebError> {
    let first = PageRequest::new(Some(1), Some(platform::page::MAX_PER_PAGE));
    Ok(
        pricing::queries::price_lists(&state.db, user.actor(), &Default::default(), first)
            .await?
            .items
            .into_iter()
            .map(|list| (list.code, format!("{} ({})", list.name, list.currency)))
            .collect(),
    )
}

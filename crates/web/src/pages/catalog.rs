//! Catalog pages: each dealer's catalog at its prices with the reason for every price, its
//! favorites, the manufacturer's catalog statistics, and the manufacturer's product list and
//! product form with publication.
//!
//! Dealer users see their own dealer's catalog; the manufacturer's people choose a dealer
//! (`?dealer_id=`) and see the catalog exactly as that dealer sees it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use catalog::domain::{
    CatalogFilter, CatalogItem, CatalogSort, Category, Product, ProductInput, ProductStatus, ProductView,
    PublicationAudience, PublicationInput, SalesOrganisation, UNITS,
};
use catalog::queries::{CatalogEntry, PriceAsk, PricedProduct};
use chrono::NaiveDate;
use identity::domain::{Dealer, DealerFilter};
use platform::failure::Checks;
use platform::{Currency, DealerId, Failure, FieldError, Locale, Money, Page, PageRequest, Permission};
use serde::{Deserialize, Serialize};

use super::account::DoneQuery;
use super::dealers::{CodedDealer, DealerField};
use super::{form_outcome, redirect_done, render, Coded, FormErrors, Layout};
use crate::error::WebError;
use crate::i18n::Translator;
use crate::lists::optional_text;
use crate::session::{PageForm, PageUser};
use crate::AppState;

// ----- helpers shared with the price-list pages -----

/// Today in the tenant's time zone: the day prices are looked up for.
pub(super) fn today(state: &AppState, user: &PageUser) -> NaiveDate {
    user.t.day_of(&state.clock.now())
}

pub(super) fn currency(code: &str) -> Result<Currency, WebError> {
    Currency::parse(code).map_err(|e| WebError(Failure::Internal(e.to_string())))
}

/// An amount the use cases give as decimal text, ready to be formatted for the reader.
pub(super) fn money(text: &str, currency: Currency) -> Result<Money, WebError> {
    Money::parse_decimal(text, currency).map_err(|e| WebError(Failure::Internal(e.to_string())))
}

/// A day as the reader's locale writes it: 24 Nov 2026 / 24.11.2026 / 2026-11-24.
pub(super) fn day(t: &Translator, date: NaiveDate) -> String {
    let format = match t.locale {
        Locale::En => "%-d %b %Y",
        Locale::Ru => "%d.%m.%Y",
        Locale::Zh => "%Y-%m-%d",
    };
    date.format(format).to_string()
}

/// A whole number typed into a form field, or an error naming the field.
pub(super) fn whole_number(errors: &mut Vec<FieldError>, field: &str, text: &str) -> Option<i64> {
    let parsed = text.trim().parse().ok();
    if parsed.is_none() {
        errors.push(FieldError::new(field, "field.whole_number"));
    }
    parsed
}

/// A command's field errors under the names the form uses: the `rows[0].` of a one-row import
/// goes, and `renames` maps the command's names to the form's.
pub(super) fn as_form_fields(failure: Failure, renames: &[(&str, &str)]) -> Failure {
    match failure {
        Failure::Invalid(errors) => Failure::Invalid(
            errors
                .into_iter()
                .map(|mut error| {
                    if let Some(rest) = error.field.strip_prefix("rows[0].") {
                        error.field = rest.to_owned();
                    }
                    if let Some((_, to)) = renames.iter().find(|(from, _)| *from == error.field) {
                        error.field = (*to).to_owned();
                    }
                    error
                })
                .collect(),
        ),
        other => other,
    }
}

/// The dealers an internal user may choose from (the first page of the widest list), or none
/// for those who may not list dealers.
pub(super) async fn dealer_choices(state: &AppState, user: &PageUser) -> Result<Vec<Dealer>, WebError> {
    let actor = user.actor();
    if !actor.can(Permission::ViewDealers) {
        return Ok(Vec::new());
    }
    let page = PageRequest::new(Some(1), Some(platform::page::MAX_PER_PAGE));
    Ok(
        identity::queries::dealers(&state.db, actor, &DealerFilter::default(), page)
            .await?
            .items,
    )
}

/// One choice of an audience select.
pub struct AudienceOption {
    /// `all`, `base`, or a kind and an id: `dealer:12`, `group:3`, `tier:1`, `region:7`.
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A group of audience choices; the first has no label.
pub struct AudienceGroup {
    pub label: Option<&'static str>,
    pub options: Vec<AudienceOption>,
}

/// Everything a publication or price list may be for, as one select: `first` (everyone, or the
/// base list), then the dealers, groups, tiers and regions the user may see. The dealers are the
/// first page of them, with the one `selected` and those in `named` (audiences the page names)
/// wherever they are; any other is typed by its code (see [`typed_audience`]).
pub(super) async fn audience_groups(
    state: &AppState,
    user: &PageUser,
    first: (&'static str, &'static str),
    selected: &str,
    named: &[DealerId],
) -> Result<Vec<AudienceGroup>, WebError> {
    let actor = user.actor();
    let t = &user.t;
    let option = |value: String, label: String| AudienceOption {
        selected: value == selected.trim(),
        value,
        label,
    };
    let (first_value, first_label) = first;
    let mut groups = vec![AudienceGroup {
        label: None,
        options: vec![option(first_value.to_owned(), t.t(first_label).to_owned())],
    }];
    let mut dealers = dealer_choices(state, user).await?;
    let selected_dealer = match parse_audience(selected) {
        Some(("dealer", Some(id))) => Some(DealerId(id)),
        _ => None,
    };
    let missing: Vec<DealerId> = named
        .iter()
        .copied()
        .chain(selected_dealer)
        .filter(|id| !dealers.iter().any(|dealer| dealer.id == *id))
        .collect();
    if !missing.is_empty() {
        dealers.extend(identity::queries::dealers_by_id(&state.db, actor, &missing).await?);
    }
    if !dealers.is_empty() {
        groups.push(AudienceGroup {
            label: Some("audience_choice.dealers"),
            options: dealers
                .iter()
                .map(|d| option(format!("dealer:{}", d.id), format!("{} · {}", d.code, d.legal_name)))
                .collect(),
        });
    }
    if actor.can(Permission::ViewDealers) {
        let dealer_groups = identity::queries::dealer_groups(&state.db, actor).await?;
        if !dealer_groups.is_empty() {
            groups.push(AudienceGroup {
                label: Some("audience_choice.groups"),
                options: dealer_groups
                    .iter()
                    .map(|g| option(format!("group:{}", g.id), g.name.clone()))
                    .collect(),
            });
        }
    }
    groups.push(AudienceGroup {
        label: Some("audience_choice.tiers"),
        options: [1, 2]
            .into_iter()
            .map(|tier| option(format!("tier:{tier}"), t.t(&format!("dealer_tier.{tier}")).to_owned()))
            .collect(),
    });
    if actor.can(Permission::ViewRegions) {
        let regions = identity::queries::regions(&state.db, actor).await?;
        groups.push(AudienceGroup {
            label: Some("audience_choice.regions"),
            options: regions
                .iter()
                .map(|r| {
                    let indent = "\u{a0}\u{a0}".repeat(usize::try_from(r.depth).unwrap_or_default());
                    option(format!("region:{}", r.id), format!("{indent}{}", r.name))
                })
                .collect(),
        });
    }
    Ok(groups)
}

/// A form's audience with a dealer typed by its code, which wins over the select's choice: on
/// a dealer found, `choice` becomes that dealer; on a code nobody has, the form's error at the
/// code field.
pub(super) async fn typed_audience(
    state: &AppState,
    user: &PageUser,
    choice: &mut String,
    dealer_code: &str,
) -> Result<Option<FormErrors>, WebError> {
    match CodedDealer::look_up(state, user, dealer_code).await? {
        Coded::Blank => Ok(None),
        Coded::Found(dealer) => {
            *choice = format!("dealer:{}", dealer.id);
            Ok(None)
        }
        Coded::Unknown(code) => Ok(Some(FormErrors::none().with_message(
            &user.t,
            "audience_dealer_code",
            user.t.t_with("dealer.code_unknown", &[("code", code)]),
        ))),
    }
}

/// Splits an audience choice into its kind and id: `dealer:12` is `("dealer", Some(12))`.
pub(super) fn parse_audience(value: &str) -> Option<(&str, Option<i64>)> {
    match value.trim().split_once(':') {
        None => Some((value.trim(), None)),
        Some((kind, id)) => id.trim().parse().ok().map(|id| (kind, Some(id))),
    }
}

/// Who a price list or publication is for, in words: the name of the dealer, group, tier or
/// region when the user may see it, its number otherwise.
pub(super) fn audience_label(t: &Translator, groups: &[AudienceGroup], kind: &str, id: Option<i64>) -> String {
    let kind_name = t.t(&format!("price_audience.{kind}")).to_owned();
    let Some(id) = id else { return kind_name };
    let value = format!("{kind}:{id}");
    let name = groups
        .iter()
        .flat_map(|g| g.options.iter())
        .find(|o| o.value == value)
        .map(|o| o.label.trim_start_matches('\u{a0}').to_owned())
        .unwrap_or_else(|| format!("#{id}"));
    format!("{kind_name} · {name}")
}

/// A category named in the reader's language.
pub struct CategoryChoice {
    pub id: i64,
    pub code: String,
    pub name: String,
}

fn category_name(category: &Category, locale: Locale) -> &str {
    match locale {
        Locale::En => &category.name_en,
        Locale::Ru => &category.name_ru,
        Locale::Zh => &category.name_zh,
    }
}

async fn category_choices(state: &AppState, user: &PageUser) -> Result<Vec<CategoryChoice>, WebError> {
    Ok(catalog::queries::categories(&state.db, user.actor())
        .await?
        .iter()
        .map(|c| CategoryChoice {
            id: c.id,
            code: c.code.clone(),
            name: category_name(c, user.t.locale).to_owned(),
        })
        .collect())
}

fn unit_name(t: &Translator, unit: &str) -> String {
    t.t(&format!("unit.{unit}")).to_owned()
}

/// "12 × bottle".
fn pack_text(t: &Translator, pack_size: i64, unit: &str) -> String {
    t.t_with(
        "catalog.pack_of",
        &[("size", t.number(pack_size)), ("unit", unit_name(t, unit))],
    )
}

/// "12 / 12": the minimum order quantity and the multiple.
fn order_rule_text(t: &Translator, item: &CatalogItem) -> String {
    format!(
        "{} / {}",
        t.number(item.min_order_quantity),
        t.number(item.order_multiple)
    )
}

fn status_name(t: &Translator, status: ProductStatus) -> String {
    t.t(&format!("product_status.{}", status.code())).to_owned()
}

/// A path on this site to return to; anything else (another site, or text that cannot be a
/// `Location` header) is replaced by `fallback`.
pub(super) fn local_path(path: &str, fallback: &str) -> String {
    let safe = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(char::is_control);
    if safe {
        path.to_owned()
    } else {
        fallback.to_owned()
    }
}

// ----- the dealer's catalog and favorites -----

/// The catalog filters; empty fields arrive as empty strings and mean "any".
#[derive(Deserialize, Serialize, Default)]
pub struct CatalogListQuery {
    /// The dealer as links name it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    dealer_id: String,
    /// The dealer as the filter's field takes it; links name it by id instead.
    #[serde(default, skip_serializing)]
    dealer_code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    search: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    category_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sort: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    favorites: String,
    #[serde(skip_serializing)]
    page: Option<u32>,
    #[serde(skip_serializing)]
    done: Option<String>,
}

fn catalog_filter(query: &CatalogListQuery, favorites_page: bool) -> CatalogFilter {
    CatalogFilter {
        search: optional_text(&query.search),
        category_id: query.category_id.trim().parse().ok(),
        favorites_only: favorites_page || !query.favorites.is_empty(),
        sort: if query.sort == "sku" {
            CatalogSort::Sku
        } else {
            CatalogSort::Name
        },
    }
}

/// The catalog as the page shows it (same dealer and filters), as a spreadsheet.
pub async fn export_catalog(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<CatalogListQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let dealer_id = query.dealer_id.trim().parse::<i64>().ok();
    let audience = identity::queries::dealer_audience(&state.db, actor, dealer_id.map(DealerId)).await?;
    let filter = catalog_filter(&query, false);
    let catalog = crate::exports::CatalogExport {
        dealer_id: audience.dealer_id.get(),
        search: filter.search,
        category_id: filter.category_id,
        favorites: filter.favorites_only,
        date: today(&state, &user),
    };
    Ok(crate::exports::export_list(&state, actor, &user.t, &catalog)
        .await?
        .for_page())
}

/// A catalog line, with its amounts ready to be formatted.
pub struct CatalogRow {
    entry: CatalogEntry,
    pack: String,
    order_rule: String,
    status: String,
    price: Option<Money>,
    price_with_vat: Option<Money>,
    /// The list price, shown struck through when promotions bring the net price below it.
    list_price: Option<Money>,
    stock: String,
}

impl CatalogRow {
    fn new(t: &Translator, entry: CatalogEntry) -> Result<CatalogRow, WebError> {
        let currency = currency(&entry.currency)?;
        let price = entry.unit_price.as_deref().map(|p| money(p, currency)).transpose()?;
        let list_price = entry
            .list_price
            .as_deref()
            .map(|p| money(p, currency))
            .transpose()?
            .filter(|list| price.is_some_and(|net| net.minor() < list.minor()));
        let item = &entry.item;
        Ok(CatalogRow {
            pack: pack_text(t, item.pack_size, &item.unit),
            order_rule: order_rule_text(t, item),
            status: status_name(t, item.status),
            price,
            price_with_vat: entry
                .unit_price_with_vat
                .as_deref()
                .map(|p| money(p, currency))
                .transpose()?,
            list_price,
            stock: t.t(&format!("stock.{}", item.stock.code())).to_owned(),
            entry,
        })
    }
}

#[derive(Template)]
#[template(path = "catalog/catalog.html")]
struct CatalogPage {
    layout: Layout,
    query: CatalogListQuery,
    /// `/catalog` or `/favorites`.
    action: &'static str,
    favorites_page: bool,
    /// For internal users: the dealer whose catalog they look at.
    dealer: DealerField,
    /// False until an internal user chooses a dealer.
    dealer_chosen: bool,
    categories: Vec<CategoryChoice>,
    rows: Vec<CatalogRow>,
    page: u32,
    has_next: bool,
    /// The query string without `page`, for links to other pages of the same list.
    filter_query: String,
    /// Appended to product links: `?dealer_id=…` for internal users.
    dealer_suffix: String,
    /// Only dealer users keep favorites.
    can_favorite: bool,
    can_order: bool,
    /// Where a favorite toggle comes back to.
    back: String,
}

impl CatalogPage {
    fn selected_category(&self, id: &i64) -> bool {
        self.query.category_id.trim() == id.to_string()
    }
}

async fn catalog_response(
    state: &AppState,
    user: &PageUser,
    mut query: CatalogListQuery,
    favorites_page: bool,
) -> Result<Response, WebError> {
    let actor = user.actor();
    actor.require(Permission::ViewCatalog)?;
    let (action, title) = if favorites_page {
        ("/favorites", "nav.favorites")
    } else {
        ("/catalog", "nav.catalog")
    };
    let internal = actor.scope.dealer_id().is_none();
    let dealer = DealerField::read(state, user, &query.dealer_code, &query.dealer_id).await?;
    query.dealer_id = dealer.id_param();
    let dealer_id = dealer.dealer.map(DealerId::get);
    let page_request = PageRequest::new(query.page, None);
    let dealer_chosen = !internal || dealer_id.is_some();
    let mut rows = Vec::new();
    let mut has_next = false;
    if dealer_chosen {
        let audience = identity::queries::dealer_audience(&state.db, actor, dealer_id.map(DealerId)).await?;
        let filter = catalog_filter(&query, favorites_page);
        let (entries, more) = catalog::queries::priced_catalog(
            &state.db,
            actor,
            &audience,
            user.t.locale,
            &filter,
            page_request,
            today(state, user),
        )
        .await?;
        rows = entries
            .into_iter()
            .map(|entry| CatalogRow::new(&user.t, entry))
            .collect::<Result<_, _>>()?;
        has_next = more;
    }
    let filter_query = serde_html_form::to_string(&query).unwrap_or_default();
    let mut back = action.to_owned();
    if !filter_query.is_empty() || page_request.page > 1 {
        back.push('?');
        back.push_str(&filter_query);
        if page_request.page > 1 {
            back.push_str(&format!("&page={}", page_request.page));
        }
    }
    let view = CatalogPage {
        layout: Layout::new(user, action, title).with_notice(query.done.as_deref()),
        action,
        favorites_page,
        dealer,
        dealer_chosen,
        categories: category_choices(state, user).await?,
        rows,
        page: page_request.page,
        has_next,
        dealer_suffix: match (internal, dealer_id) {
            (true, Some(id)) => format!("?dealer_id={id}"),
            _ => String::new(),
        },
        can_favorite: actor.is_dealer_user(),
        can_order: actor.is_dealer_user() && actor.can(Permission::PlaceOrders),
        back,
        filter_query,
        query,
    };
    render(&view)
}

pub async fn catalog_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<CatalogListQuery>,
) -> Result<Response, WebError> {
    catalog_response(&state, &user, query, false).await
}

pub async fn favorites_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<CatalogListQuery>,
) -> Result<Response, WebError> {
    catalog_response(&state, &user, query, true).await
}

/// The ★ toggle: `favorite` is `on` or `off`; `back` is the page to return to.
#[derive(Deserialize)]
pub struct FavoriteForm {
    #[serde(default)]
    favorite: String,
    #[serde(default)]
    back: String,
}

pub async fn toggle_favorite(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<FavoriteForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    if !actor.is_dealer_user() {
        return Err(Failure::Forbidden.into());
    }
    let favorite = form.favorite != "off";
    let audience = identity::queries::dealer_audience(&state.db, actor, None).await?;
    catalog::commands::set_favorite(&state.db, &state.clock, actor, &audience, id, favorite).await?;
    let done = if favorite { "favorite_added" } else { "favorite_removed" };
    Ok(redirect_done(&local_path(&form.back, "/catalog"), done))
}

// ----- a product as the dealer sees it, and why this price -----

#[derive(Deserialize, Default)]
pub struct ProductPageQuery {
    #[serde(default)]
    dealer_id: String,
    #[serde(default)]
    quantity: String,
}

/// One line of "why this price".
pub struct PriceStep {
    label: String,
    detail: String,
    amount: Money,
    /// A discount, shown with a minus sign.
    discount: bool,
}

/// Goods given free with the asked quantity.
pub struct FreeGoods {
    product_id: i64,
    units: String,
}

#[derive(Template)]
#[template(path = "catalog/product.html")]
struct ProductPage {
    layout: Layout,
    can_order: bool,
    images: Vec<catalog::domain::ProductImage>,
    priced: PricedProduct,
    pack: String,
    order_rule: String,
    unit: String,
    status: String,
    vat: String,
    weight: Option<String>,
    volume: Option<String>,
    /// The quantity as typed, and what was wrong with it.
    quantity: String,
    quantity_error: Option<String>,
    /// For internal users, the dealer the page is priced for.
    dealer_id: Option<i64>,
    dealer_suffix: String,
    price_date: String,
    steps: Vec<PriceStep>,
    free_goods: Vec<FreeGoods>,
    unit_price: Option<Money>,
    unit_price_with_vat: Option<Money>,
    line_total: Option<Money>,
    line_total_with_vat: Option<Money>,
    line_total_label: String,
}

pub async fn product_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<ProductPageQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let t = user.t;
    let dealer_id = query.dealer_id.trim().parse::<i64>().ok();
    let audience = identity::queries::dealer_audience(&state.db, actor, dealer_id.map(DealerId)).await?;
    let (quantity, quantity_error) = match query.quantity.trim() {
        "" => (None, None),
        text => match text.parse::<i64>() {
            Ok(quantity) if quantity >= 1 => (Some(quantity), None),
            Ok(_) => (None, Some(t.t("field.positive").to_owned())),
            Err(_) => (None, Some(t.t("field.whole_number").to_owned())),
        },
    };
    let date = today(&state, &user);
    let priced = catalog::queries::priced_product(
        &state.db,
        &state.clock,
        actor,
        &audience,
        t.locale,
        id,
        PriceAsk { quantity, date },
    )
    .await?;
    let currency = currency(&priced.price.currency)?;
    let price = &priced.price;
    let mut steps: Vec<PriceStep> = price
        .steps
        .iter()
        .map(|step| PriceStep {
            label: t.t(&format!("why.{}", step.kind)).to_owned(),
            detail: t.t_with(
                "why.step_detail",
                &[
                    ("code", step.price_list_code.clone().unwrap_or_default()),
                    (
                        "audience",
                        t.t(&format!("why_audience.{}", step.audience.unwrap_or("base")))
                            .to_owned(),
                    ),
                    ("quantity", t.number(step.min_quantity.unwrap_or(1))),
                ],
            ),
            amount: step.unit_price,
            discount: false,
        })
        .collect();
    steps.extend(price.promotions.iter().map(|applied| PriceStep {
        label: t.t_with("why.promotion", &[("code", applied.promotion_code.clone())]),
        detail: t.t(&format!("why_kind.{}", applied.kind)).to_owned(),
        amount: applied.amount,
        // Free goods come on a line of their own; their value is not taken off this price.
        discount: applied.kind != "buy_get",
    }));
    let product = &priced.product;
    let view = ProductPage {
        layout: {
            let mut layout = Layout::new(&user, "/catalog", "catalog.product");
            layout.title = priced.name.clone();
            layout
        },
        pack: pack_text(&t, product.pack_size, &product.unit),
        order_rule: format!(
            "{} / {}",
            t.number(product.min_order_quantity),
            t.number(product.order_multiple)
        ),
        unit: unit_name(&t, &product.unit),
        status: status_name(&t, product.status),
        vat: format!("{} %", platform::money::percent_text(product.vat_rate_bp)),
        weight: product
            .weight_grams
            .map(|g| t.t_with("product.grams", &[("value", t.number(g))])),
        volume: product
            .volume_ml
            .map(|ml| t.t_with("product.millilitres", &[("value", t.number(ml))])),
        quantity: if quantity_error.is_some() {
            query.quantity.clone()
        } else {
            price.quantity.to_string()
        },
        quantity_error,
        dealer_suffix: match (actor.is_dealer_user(), dealer_id) {
            (false, Some(id)) => format!("?dealer_id={id}"),
            _ => String::new(),
        },
        dealer_id: dealer_id.filter(|_| !actor.is_dealer_user()),
        can_order: actor.is_dealer_user() && actor.can(Permission::PlaceOrders),
        images: catalog::queries::product_images(&state.db, actor, Some(&audience), priced.product.id).await?,
        price_date: t.t_with("why.date", &[("date", day(&t, price.date))]),
        free_goods: price
            .free_goods
            .iter()
            .map(|(product_id, units)| FreeGoods {
                product_id: *product_id,
                units: t.number(*units),
            })
            .collect(),
        unit_price: price.unit_price.as_deref().map(|p| money(p, currency)).transpose()?,
        unit_price_with_vat: price
            .unit_price_with_vat
            .as_deref()
            .map(|p| money(p, currency))
            .transpose()?,
        line_total: price.line_total.as_deref().map(|p| money(p, currency)).transpose()?,
        line_total_with_vat: price
            .line_total_with_vat
            .as_deref()
            .map(|p| money(p, currency))
            .transpose()?,
        line_total_label: t.t_with("why.line_total", &[("quantity", t.number(price.quantity))]),
        steps,
        priced,
    };
    render(&view)
}

// ----- catalog statistics -----

#[derive(Deserialize, Default)]
pub struct StatisticsQuery {
    /// The dealer as links name it.
    #[serde(default)]
    dealer_id: String,
    /// The dealer as the filter's field takes it.
    #[serde(default)]
    dealer_code: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
}

/// The product views the statistics page shows for a dealer, in its order, every row, as XLSX.
pub async fn export_statistics(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<StatisticsQuery>,
) -> Result<Response, WebError> {
    let dealer_id = query
        .dealer_id
        .trim()
        .parse::<i64>()
        .map_err(|_| platform::Failure::field("dealer_id", "field.required"))?;
    let views = crate::api::DealerStatisticsQuery {
        dealer_id,
        sort: Some(query.sort.trim().to_owned()).filter(|sort| !sort.is_empty()),
        page: None,
        per_page: None,
    };
    Ok(crate::exports::export_list(&state, user.actor(), &user.t, &views)
        .await?
        .for_page())
}

#[derive(Template)]
#[template(path = "catalog/statistics.html")]
struct StatisticsPage {
    layout: Layout,
    dealer: DealerField,
    dealer_id: Option<i64>,
    /// Product views; named `page` for the shared pagination.
    page: Page<ProductView>,
    /// For the views' pagination: the dealer and the sort.
    filter_query: String,
    /// How many products published to the dealer none of its users opened.
    never_viewed: i64,
    /// The views' sort headers and export.
    links: crate::lists::ListLinks,
}

pub async fn statistics_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<StatisticsQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    actor.require(Permission::ViewCatalogStatistics)?;
    let dealer = DealerField::read(&state, &user, &query.dealer_code, &query.dealer_id).await?;
    let dealer_id = dealer.dealer.map(DealerId::get);
    let sort = catalog::queries::PRODUCT_VIEW_SORT.parse(Some(&query.sort))?;
    let links = crate::lists::ListLinks::new("/catalog-statistics", &catalog::queries::PRODUCT_VIEW_SORT, sort)
        .filter("dealer_id", dealer_id);
    let views_request = PageRequest::new(query.page, None);
    let (page, never_viewed) = match dealer_id {
        Some(id) => {
            let audience = identity::queries::dealer_audience(&state.db, actor, Some(DealerId(id))).await?;
            let views =
                catalog::queries::product_views(&state.db, actor, &audience, user.t.locale, sort, views_request)
                    .await?;
            // Only the count: the products themselves are listed on a page of their own.
            let never_viewed = catalog::queries::never_viewed(
                &state.db,
                actor,
                &audience,
                user.t.locale,
                &catalog::domain::NeverViewedFilter::default(),
                PageRequest::new(Some(1), Some(1)),
            )
            .await?;
            (views, never_viewed.total)
        }
        None => (Page::new(Vec::new(), 0, views_request), 0),
    };
    let view = StatisticsPage {
        layout: Layout::new(&user, "/catalog-statistics", "nav.catalog_statistics"),
        dealer,
        dealer_id,
        filter_query: links.page_query(),
        page,
        never_viewed,
        links,
    };
    render(&view)
}

// ----- the manufacturer's products -----

/// Empty fields arrive as empty strings; they mean "any".
#[derive(Deserialize, Serialize, Default)]
pub struct ProductListQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    search: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    category_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sort: String,
    #[serde(skip_serializing)]
    page: Option<u32>,
    #[serde(skip_serializing)]
    done: Option<String>,
}

impl ProductListQuery {
    fn query(&self) -> crate::api::ProductQuery {
        crate::api::ProductQuery {
            search: optional_text(&self.search),
            category_id: self.category_id.trim().parse().ok(),
            status: optional_text(&self.status),
            sort: optional_text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

/// The products the list shows under the same filters and sort, every row, as XLSX.
pub async fn export_products(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ProductListQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

/// A product in the manufacturer's list, named in the reader's language.
pub struct ProductRow {
    product: Product,
    name: String,
    category: String,
    pack: String,
    status: String,
}

#[derive(Template)]
#[template(path = "catalog/products.html")]
struct ProductsPage {
    layout: Layout,
    page: Page<ProductRow>,
    query: ProductListQuery,
    categories: Vec<CategoryChoice>,
    statuses: [&'static str; 3],
    can_manage: bool,
    links: crate::lists::ListLinks,
    /// The query string without `page`, for links to other pages of the same list.
    filter_query: String,
}

impl ProductsPage {
    fn selected_category(&self, id: &i64) -> bool {
        self.query.category_id.trim() == id.to_string()
    }
}

pub async fn products_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ProductListQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let t = user.t;
    let api_query = query.query();
    let filter = api_query.filter(t.locale)?;
    let products = catalog::queries::products(&state.db, actor, &filter, PageRequest::new(query.page, None)).await?;
    let links = crate::lists::ListLinks::new("/products", &catalog::queries::PRODUCT_SORT, filter.sort)
        .filter("search", api_query.search.as_deref())
        .filter("category_id", api_query.category_id)
        .filter("status", api_query.status.as_deref());
    let categories = category_choices(&state, &user).await?;
    let rows = products
        .items
        .into_iter()
        .map(|product| ProductRow {
            name: product.name(t.locale).to_owned(),
            category: categories
                .iter()
                .find(|c| Some(c.id) == product.category_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            pack: pack_text(&t, product.pack_size, &product.unit),
            status: status_name(&t, product.status),
            product,
        })
        .collect();
    let view = ProductsPage {
        layout: Layout::new(&user, "/products", "nav.products").with_notice(query.done.as_deref()),
        page: Page::new(
            rows,
            products.total,
            PageRequest {
                page: products.page,
                per_page: products.per_page,
            },
        ),
        filter_query: links.page_query(),
        links,
        query,
        categories,
        statuses: ["active", "discontinued", "blocked"],
        can_manage: actor.can(Permission::ManageCatalog),
    };
    render(&view)
}

/// The product form as posted: every field as text, numbers checked here.
#[derive(Deserialize, Default)]
pub struct ProductForm {
    #[serde(default)]
    sku: String,
    #[serde(default)]
    gtin: String,
    #[serde(default)]
    category_code: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_ru: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    description_en: String,
    #[serde(default)]
    description_ru: String,
    #[serde(default)]
    description_zh: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    pack_size: String,
    #[serde(default)]
    min_order_quantity: String,
    #[serde(default)]
    order_multiple: String,
    #[serde(default)]
    vat_rate: String,
    #[serde(default)]
    weight_grams: String,
    #[serde(default)]
    volume_ml: String,
    #[serde(default)]
    status: String,
    /// A checkbox: present ("on") when ticked.
    #[serde(default)]
    lot_tracked: Option<String>,
    #[serde(default)]
    sales_organisation_code: String,
}

impl ProductForm {
    fn blank() -> ProductForm {
        ProductForm {
            unit: "PCE".to_owned(),
            pack_size: "1".to_owned(),
            min_order_quantity: "1".to_owned(),
            order_multiple: "1".to_owned(),
            vat_rate: "20".to_owned(),
            ..ProductForm::default()
        }
    }

    fn from_product(
        product: &Product,
        categories: &[CategoryChoice],
        organisations: &[SalesOrganisation],
    ) -> ProductForm {
        ProductForm {
            sku: product.sku.clone(),
            gtin: product.gtin.clone(),
            category_code: categories
                .iter()
                .find(|c| Some(c.id) == product.category_id)
                .map(|c| c.code.clone())
                .unwrap_or_default(),
            name_en: product.name_en.clone(),
            name_ru: product.name_ru.clone(),
            name_zh: product.name_zh.clone(),
            description_en: product.description_en.clone(),
            description_ru: product.description_ru.clone(),
            description_zh: product.description_zh.clone(),
            unit: product.unit.clone(),
            pack_size: product.pack_size.to_string(),
            min_order_quantity: product.min_order_quantity.to_string(),
            order_multiple: product.order_multiple.to_string(),
            vat_rate: platform::money::percent_text(product.vat_rate_bp),
            weight_grams: product.weight_grams.map(|g| g.to_string()).unwrap_or_default(),
            volume_ml: product.volume_ml.map(|ml| ml.to_string()).unwrap_or_default(),
            status: product.status.code().to_owned(),
            lot_tracked: product.lot_tracked.then(|| "on".to_owned()),
            sales_organisation_code: organisations
                .iter()
                .find(|o| Some(o.id) == product.sales_organisation_id)
                .map(|o| o.code.clone())
                .unwrap_or_default(),
        }
    }

    /// The product as the use case takes it. Numbers that are not numbers are reported with
    /// whatever else the product's own checks find, so the form shows every mistake at once.
    fn input(&self) -> Result<ProductInput, Failure> {
        let mut errors = Vec::new();
        let optional = |errors: &mut Vec<FieldError>, field: &str, text: &str| match text.trim() {
            "" => None,
            _ => whole_number(errors, field, text),
        };
        let weight_grams = optional(&mut errors, "weight_grams", &self.weight_grams);
        let volume_ml = optional(&mut errors, "volume_ml", &self.volume_ml);
        let input = ProductInput {
            sku: self.sku.clone(),
            gtin: self.gtin.trim().to_owned(),
            category_code: optional_text(&self.category_code),
            name_en: self.name_en.clone(),
            name_ru: self.name_ru.clone(),
            name_zh: self.name_zh.clone(),
            description_en: self.description_en.clone(),
            description_ru: self.description_ru.clone(),
            description_zh: self.description_zh.clone(),
            unit: self.unit.clone(),
            pack_size: whole_number(&mut errors, "pack_size", &self.pack_size).unwrap_or(1),
            min_order_quantity: whole_number(&mut errors, "min_order_quantity", &self.min_order_quantity).unwrap_or(1),
            order_multiple: whole_number(&mut errors, "order_multiple", &self.order_multiple).unwrap_or(1),
            vat_rate: self.vat_rate.clone(),
            weight_grams,
            volume_ml,
            status: optional_text(&self.status),
            lot_tracked: self.lot_tracked.is_some(),
            sales_organisation_code: optional_text(&self.sales_organisation_code),
        };
        if errors.is_empty() {
            return Ok(input);
        }
        let mut checks = Checks::new();
        input.check(&mut checks, None);
        if let Err(Failure::Invalid(more)) = checks.finish() {
            errors.extend(more);
        }
        Err(Failure::Invalid(errors))
    }
}

/// The forms beside the product's own on its page: the publication's choice and errors, and
/// the picture upload's errors.
#[derive(Default)]
pub struct PublishView {
    target: String,
    dealer_code: String,
    errors: FormErrors,
    image_errors: FormErrors,
}

#[derive(Template)]
#[template(path = "catalog/product_form.html")]
struct ProductFormPage {
    layout: Layout,
    /// `None` while creating.
    product_id: Option<i64>,
    form: ProductForm,
    errors: FormErrors,
    categories: Vec<CategoryChoice>,
    /// Offered only where the manufacturer sells through several organisations.
    organisations: Vec<SalesOrganisation>,
    units: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    can_manage: bool,
    audiences: Vec<AudienceGroup>,
    publish_errors: FormErrors,
    /// The dealer code the publication form was sent with.
    publish_dealer_code: String,
    images: Vec<catalog::domain::ProductImage>,
    image_errors: FormErrors,
}

async fn product_form_page(
    state: &AppState,
    user: &PageUser,
    product_id: Option<i64>,
    done: Option<&str>,
    form: ProductForm,
    errors: FormErrors,
    publish: PublishView,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let t = &user.t;
    let can_manage = actor.can(Permission::ManageCatalog);
    if product_id.is_none() {
        actor.require(Permission::ManageCatalog)?;
    }
    let audiences = if can_manage && product_id.is_some() {
        audience_groups(state, user, ("all", "audience_choice.everyone"), &publish.target, &[]).await?
    } else {
        Vec::new()
    };
    let title = if product_id.is_some() {
        "product.edit"
    } else {
        "product.new"
    };
    let view = ProductFormPage {
        layout: Layout::new(user, "/products", title).with_notice(done),
        product_id,
        form,
        errors,
        categories: category_choices(state, user).await?,
        organisations: catalog::queries::sales_organisations(&state.db, actor).await?,
        units: UNITS.iter().map(|unit| (*unit, unit_name(t, unit))).collect(),
        statuses: ProductStatus::ALL
            .iter()
            .map(|s| (s.code(), status_name(t, *s)))
            .collect(),
        can_manage,
        audiences,
        publish_errors: publish.errors,
        publish_dealer_code: publish.dealer_code,
        images: match product_id {
            Some(id) => catalog::queries::product_images(&state.db, actor, None, id).await?,
            None => Vec::new(),
        },
        image_errors: publish.image_errors,
    };
    render(&view)
}

/// The form of a saved product, as it is now.
async fn saved_product_form(state: &AppState, user: &PageUser, id: i64) -> Result<ProductForm, WebError> {
    let product = catalog::queries::product(&state.db, user.actor(), id).await?;
    let categories = category_choices(state, user).await?;
    let organisations = catalog::queries::sales_organisations(&state.db, user.actor()).await?;
    Ok(ProductForm::from_product(&product, &categories, &organisations))
}

pub async fn new_product_form(State(state): State<AppState>, user: PageUser) -> Result<Response, WebError> {
    product_form_page(
        &state,
        &user,
        None,
        None,
        ProductForm::blank(),
        FormErrors::none(),
        PublishView::default(),
    )
    .await
}

pub async fn create_product(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<ProductForm>,
) -> Result<Response, WebError> {
    user.actor().require(Permission::ManageCatalog)?;
    let result = match form.input() {
        Ok(input) => catalog::commands::create_product(&state.db, &state.clock, user.actor(), &input).await,
        Err(failure) => Err(failure),
    };
    let result = result.map_err(|e| WebError(as_form_fields(e, &[])));
    match form_outcome(&user.t, result)? {
        Ok(product) => Ok(redirect_done(&format!("/products/{}", product.id), "created")),
        Err(errors) => product_form_page(&state, &user, None, None, form, errors, PublishView::default()).await,
    }
}

pub async fn edit_product_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let product_form = saved_product_form(&state, &user, id).await?;
    product_form_page(
        &state,
        &user,
        Some(id),
        query.done.as_deref(),
        product_form,
        FormErrors::none(),
        PublishView::default(),
    )
    .await
}

pub async fn update_product(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<ProductForm>,
) -> Result<Response, WebError> {
    user.actor().require(Permission::ManageCatalog)?;
    let result = match form.input() {
        Ok(input) => catalog::commands::update_product(&state.db, &state.clock, user.actor(), id, &input).await,
        Err(failure) => Err(failure),
    };
    let result = result.map_err(|e| WebError(as_form_fields(e, &[])));
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done(&format!("/products/{id}"), "saved")),
        Err(errors) => product_form_page(&state, &user, Some(id), None, form, errors, PublishView::default()).await,
    }
}

/// The publication form: `target` is `all` or a kind and an id, such as `region:7`.
#[derive(Deserialize, Default)]
pub struct PublishForm {
    #[serde(default)]
    target: String,
    /// A dealer by its code, which wins over `target`.
    #[serde(default)]
    audience_dealer_code: String,
}

impl PublishForm {
    fn input(&self, product_id: i64) -> Result<PublicationInput, Failure> {
        let (kind, audience_id) = parse_audience(&self.target).unwrap_or_default();
        let audience = match kind {
            "all" => PublicationAudience::All,
            "dealer" => PublicationAudience::Dealer,
            "group" => PublicationAudience::Group,
            "tier" => PublicationAudience::Tier,
            "region" => PublicationAudience::Region,
            _ => return Err(Failure::field("target", "field.required")),
        };
        Ok(PublicationInput {
            product_ids: vec![product_id],
            category_id: None,
            audience,
            audience_id,
        })
    }
}

async fn change_publication(
    state: &AppState,
    user: &PageUser,
    id: i64,
    mut form: PublishForm,
    publish: bool,
) -> Result<Response, WebError> {
    let typed = typed_audience(state, user, &mut form.target, &form.audience_dealer_code).await?;
    let result = match (typed, form.input(id)) {
        (Some(errors), _) => return publication_refused(state, user, id, form, errors).await,
        (None, Ok(input)) => {
            catalog::commands::change_publication(&state.db, &state.clock, user.actor(), &input, publish).await
        }
        (None, Err(failure)) => Err(failure),
    };
    let renames = [
        ("audience_id", "target"),
        ("audience", "target"),
        ("product_ids", "target"),
    ];
    let result = result.map_err(|e| WebError(as_form_fields(e, &renames)));
    match form_outcome(&user.t, result)? {
        Ok(changed) => {
            let done = match (changed, publish) {
                (0, _) => "publication_unchanged",
                (_, true) => "published",
                (_, false) => "withdrawn",
            };
            Ok(redirect_done(&format!("/products/{id}"), done))
        }
        Err(errors) => publication_refused(state, user, id, form, errors).await,
    }
}

/// The product's page again, with the publication form as it was sent and why it was refused.
async fn publication_refused(
    state: &AppState,
    user: &PageUser,
    id: i64,
    form: PublishForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let product_form = saved_product_form(state, user, id).await?;
    let publish = PublishView {
        image_errors: FormErrors::none(),
        target: form.target,
        dealer_code: form.audience_dealer_code,
        errors,
    };
    product_form_page(state, user, Some(id), None, product_form, FormErrors::none(), publish).await
}

pub async fn publish_product(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<PublishForm>,
) -> Result<Response, WebError> {
    change_publication(&state, &user, id, form, true).await
}

pub async fn withdraw_product(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<PublishForm>,
) -> Result<Response, WebError> {
    change_publication(&state, &user, id, form, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_returned_to() {
        assert_eq!(local_path("/catalog?page=2", "/catalog"), "/catalog?page=2");
        assert_eq!(local_path("//evil.example/", "/catalog"), "/catalog");
        assert_eq!(local_path("/\\evil.example/", "/catalog"), "/catalog");
        assert_eq!(local_path("https://evil.example/", "/catalog"), "/catalog");
        assert_eq!(local_path("", "/favorites"), "/favorites");
        assert_eq!(local_path("/catalog\r\nSet-Cookie: x", "/catalog"), "/catalog");
    }

    #[test]
    fn audience_choices_split_into_kind_and_id() {
        assert_eq!(parse_audience("all"), Some(("all", None)));
        assert_eq!(parse_audience("region:7"), Some(("region", Some(7))));
        assert_eq!(parse_audience("dealer:x"), None);
    }

    #[test]
    fn one_row_errors_are_named_as_the_form_names_them() {
        let failure = Failure::Invalid(vec![
            FieldError::new("rows[0].valid_from", "price_list.period_overlaps"),
            FieldError::new("product_id", "field.not_found"),
        ]);
        let Failure::Invalid(errors) = as_form_fields(failure, &[("product_id", "product")]) else {
            unreachable!("still invalid")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["valid_from", "product"]);
    }
}

// ----- product pictures -----

/// Reads the picture upload form: its CSRF token and the file.
async fn read_image_upload(mut multipart: axum::extract::Multipart) -> Result<(String, Vec<u8>), Failure> {
    let too_large = |_| {
        Failure::Invalid(vec![FieldError::new("image", "product.image_size")
            .with("max_mib", catalog::domain::IMAGE_MAX_BYTES / 1024 / 1024)])
    };
    let (mut csrf, mut bytes) = (String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        match field.name() {
            Some("csrf_token") => csrf = field.text().await.map_err(too_large)?,
            Some("image") => bytes = field.bytes().await.map_err(too_large)?.to_vec(),
            _ => {}
        }
    }
    Ok((csrf, bytes))
}

pub async fn upload_image(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let multipart = multipart.map_err(|_| Failure::Forbidden)?;
    let result = match read_image_upload(multipart).await {
        Ok((csrf, bytes)) if platform::secret::constant_time_eq(&csrf, user.csrf_token()) => {
            catalog::commands::add_product_image(&state.db, &state.clock, user.actor(), id, bytes)
                .await
                .map_err(WebError)
        }
        Ok(_) => return Err(Failure::Forbidden.into()),
        Err(failure) => Err(WebError(failure)),
    };
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done(&format!("/products/{id}"), "image_added")),
        Err(image_errors) => {
            let product_form = saved_product_form(&state, &user, id).await?;
            let side = PublishView {
                image_errors,
                ..PublishView::default()
            };
            product_form_page(&state, &user, Some(id), None, product_form, FormErrors::none(), side).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ImageChangeForm {
    /// `first` puts the picture first; anything else removes it.
    #[serde(default)]
    action: String,
}

pub async fn change_image(
    State(state): State<AppState>,
    Path((id, image_id)): Path<(i64, i64)>,
    PageForm { user, form }: PageForm<ImageChangeForm>,
) -> Result<Response, WebError> {
    let first = form.action == "first";
    catalog::commands::change_product_image(&state.db, &state.clock, user.actor(), id, image_id, first).await?;
    Ok(redirect_done(&format!("/products/{id}"), "saved"))
}

/// A product's picture, to its manufacturer's people or to a dealer it is published to.
pub async fn image(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, image_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    crate::exports::product_image(&state, user.actor(), id, image_id).await
}

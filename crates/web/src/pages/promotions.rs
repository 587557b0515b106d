//! Promotion pages: the tenant's promotions with what they have used of their budgets, a form
//! for a new one of any kind, and pausing or resuming one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use platform::{FieldError, Page, PageRequest, Permission};
use pricing::domain::{BundleComponentInput, PromotionAudienceInput, PromotionInput, PromotionSummary};
use serde::Deserialize;

use super::catalog::{audience_groups, currency, day, money, parse_audience, typed_audience, AudienceGroup};
use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::api::PromotionQuery;
use crate::error::WebError;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

pub struct PromotionRow {
    promotion: PromotionSummary,
    kind: String,
    period: String,
    budget: String,
    units: String,
}

#[derive(Template)]
#[template(path = "pricing/promotions.html")]
struct PromotionsPage {
    layout: Layout,
    page: Page<PromotionRow>,
    query: PromotionsQuery,
    links: ListLinks,
    kinds: [&'static str; 5],
    filter_query: String,
    can_manage: bool,
}

/// The promotion list's filters as the form sends them; empty means "any".
#[derive(Deserialize, Default)]
pub struct PromotionsQuery {
    #[serde(default)]
    search: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    page: Option<u32>,
    done: Option<String>,
}

impl PromotionsQuery {
    fn query(&self) -> PromotionQuery {
        let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        PromotionQuery {
            search: text(&self.search),
            kind: text(&self.kind),
            status: text(&self.status),
            sort: text(&self.sort),
            page: self.page,
            per_page: None,
        }
    }
}

/// The promotions the list shows under the same filters and sort, every row, as XLSX.
pub async fn export(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<PromotionsQuery>,
) -> Result<Response, WebError> {
    Ok(
        crate::exports::export_list(&state, user.actor(), &user.t, &query.query())
            .await?
            .for_page(),
    )
}

pub async fn promotions_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<PromotionsQuery>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let t = &user.t;
    let api_query = query.query();
    let filter = api_query.filter()?;
    let found = pricing::queries::promotions(&state.db, actor, &filter, PageRequest::new(query.page, None)).await?;
    let links = ListLinks::new("/promotions", &pricing::queries::PROMOTION_SORT, filter.sort)
        .filter("search", api_query.search.as_deref())
        .filter("kind", api_query.kind.as_deref())
        .filter("status", api_query.status.as_deref());
    let mut rows = Vec::with_capacity(found.items.len());
    for promotion in found.items {
        let budget = match &promotion.budget {
            Some(budget) => {
                let currency = currency(&promotion.currency)?;
                format!(
                    "{} / {}",
                    t.money(&money(&promotion.budget_used, currency)?),
                    t.money(&money(budget, currency)?)
                )
            }
            None => "—".to_owned(),
        };
        rows.push(PromotionRow {
            kind: t.t(&format!("promotion_kind.{}", promotion.kind)).to_owned(),
            period: format!("{} – {}", day(t, promotion.starts_on), day(t, promotion.ends_on)),
            budget,
            units: match promotion.quantity_cap {
                Some(cap) => format!("{} / {}", t.number(promotion.quantity_used), t.number(cap)),
                None => "—".to_owned(),
            },
            promotion,
        });
    }
    let view = PromotionsPage {
        layout: Layout::new(&user, "/promotions", "nav.promotions").with_notice(query.done.as_deref()),
        page: Page::new(
            rows,
            found.total,
            PageRequest {
                page: found.page,
                per_page: found.per_page,
            },
        ),
        filter_query: links.page_query(),
        links,
        query,
        kinds: ["percent_off", "amount_off", "spend_save", "buy_get", "bundle"],
        can_manage: actor.can(Permission::ManagePrices),
    };
    render(&view)
}

/// The new-promotion form as posted. Products are typed as SKUs, bundle components as lines of
/// "SKU quantity".
#[derive(Deserialize, Default)]
pub struct PromotionForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    stackable: String,
    #[serde(default)]
    percent: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    threshold: String,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    buy: String,
    #[serde(default)]
    get: String,
    #[serde(default)]
    free_sku: String,
    #[serde(default)]
    bundle_sku: String,
    #[serde(default)]
    components: String,
    #[serde(default)]
    bundle_price: String,
    #[serde(default)]
    budget: String,
    #[serde(default)]
    quantity_cap: String,
    #[serde(default)]
    audience: String,
    /// A dealer by its code, which wins over `audience`.
    #[serde(default)]
    audience_dealer_code: String,
    #[serde(default)]
    skus: String,
}

impl PromotionForm {
    /// The form as the command's input; what cannot be read (a date, a number, an unknown SKU)
    /// is a field error of the form.
    fn input(&self, skus: &std::collections::HashMap<String, i64>) -> Result<PromotionInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut date = |field: &'static str, text: &str| {
            chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").unwrap_or_else(|_| {
                errors.push(FieldError::new(field, "field.date"));
                chrono::NaiveDate::MIN
            })
        };
        let starts_on = date("starts_on", &self.starts_on);
        let ends_on = date("ends_on", &self.ends_on);
        let mut number = |field: &'static str, text: &str| -> Option<i64> {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            text.parse()
                .map_err(|_| errors.push(FieldError::new(field, "field.whole_number")))
                .ok()
        };
        let priority = number("priority", &self.priority).unwrap_or(0);
        let buy = number("buy", &self.buy);
        let get = number("get", &self.get);
        let quantity_cap = number("quantity_cap", &self.quantity_cap);
        let product = |errors: &mut Vec<FieldError>, field: &'static str, sku: &str| -> Option<i64> {
            let sku = sku.trim();
            if sku.is_empty() {
                return None;
            }
            let id = skus.get(sku).copied();
            if id.is_none() {
                errors.push(FieldError::new(field, "import.unknown_sku"));
            }
            id
        };
        let free_product_id = product(&mut errors, "free_sku", &self.free_sku);
        let bundle_product_id = product(&mut errors, "bundle_sku", &self.bundle_sku);
        let mut product_ids = Vec::new();
        for sku in self.skus.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
            product_ids.extend(product(&mut errors, "skus", sku));
        }
        let mut components = Vec::new();
        for line in self.components.lines().filter(|l| !l.trim().is_empty()) {
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                [sku, quantity] => match (product(&mut errors, "components", sku), quantity.parse::<i64>()) {
                    (Some(product_id), Ok(quantity)) => components.push(BundleComponentInput { product_id, quantity }),
                    (_, Err(_)) => errors.push(FieldError::new("components", "cart.entry_quantity")),
                    _ => {}
                },
                _ => errors.push(FieldError::new("components", "cart.entry_format")),
            }
        }
        let audiences = match parse_audience(&self.audience) {
            Some(("all", _)) | None => vec![PromotionAudienceInput {
                audience: "all".to_owned(),
                audience_id: None,
            }],
            Some((kind, id)) => vec![PromotionAudienceInput {
                audience: kind.to_owned(),
                audience_id: id,
            }],
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PromotionInput {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            currency: self.currency.clone(),
            starts_on,
            ends_on,
            priority,
            stackable: self.stackable == "on",
            percent: optional_text(&self.percent),
            amount: optional_text(&self.amount),
            threshold: optional_text(&self.threshold),
            repeat: self.repeat == "on",
            buy,
            get,
            free_product_id,
            bundle_product_id,
            components,
            bundle_price: optional_text(&self.bundle_price),
            budget: optional_text(&self.budget),
            quantity_cap,
            audiences,
            product_ids,
            category_ids: Vec::new(),
        })
    }
}

/// One text field of the form: its name, label and hint keys, and its value.
pub struct TextField {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
}

impl PromotionForm {
    fn text_fields(&self) -> Vec<TextField> {
        let field = |name, label, hint, value: &String| TextField {
            name,
            label,
            hint,
            value: value.clone(),
        };
        vec![
            field("code", "promotion.code", "", &self.code),
            field("name", "promotion.name", "", &self.name),
            field("currency", "promotion.currency", "", &self.currency),
            field(
                "starts_on",
                "promotion.starts_on",
                "promotion.date_hint",
                &self.starts_on,
            ),
            field("ends_on", "promotion.ends_on", "promotion.date_hint", &self.ends_on),
            field(
                "priority",
                "promotion.priority",
                "promotion.priority_hint",
                &self.priority,
            ),
            field("percent", "promotion.percent", "promotion.percent_hint", &self.percent),
            field("amount", "promotion.amount", "promotion.amount_hint", &self.amount),
            field(
                "threshold",
                "promotion.threshold",
                "promotion.threshold_hint",
                &self.threshold,
            ),
            field("buy", "promotion.buy", "", &self.buy),
            field("get", "promotion.get", "", &self.get),
            field(
                "free_sku",
                "promotion.free_sku",
                "promotion.free_sku_hint",
                &self.free_sku,
            ),
            field("bundle_sku", "promotion.bundle_sku", "", &self.bundle_sku),
            field("bundle_price", "promotion.bundle_price", "", &self.bundle_price),
            field("budget", "promotion.budget", "promotion.budget_hint", &self.budget),
            field(
                "quantity_cap",
                "promotion.quantity_cap",
                "promotion.quantity_cap_hint",
                &self.quantity_cap,
            ),
        ]
    }
}

#[derive(Template)]
#[template(path = "pricing/promotion_form.html")]
struct PromotionFormPage {
    layout: Layout,
    fields: Vec<TextField>,
    form: PromotionForm,
    errors: FormErrors,
    audiences: Vec<AudienceGroup>,
    kinds: Vec<(&'static str, String)>,
}

const KINDS: [&str; 5] = ["percent_off", "amount_off", "spend_save", "buy_get", "bundle"];

async fn form_response(
    state: &AppState,
    user: &PageUser,
    form: PromotionForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    user.actor().require(Permission::ManagePrices)?;
    let audiences = audience_groups(state, user, ("all", "audience_choice.everyone"), &form.audience, &[]).await?;
    let view = PromotionFormPage {
        layout: Layout::new(user, "/promotions", "promotion.new"),
        kinds: KINDS
            .iter()
            .map(|k| (*k, user.t.t(&format!("promotion_kind.{k}")).to_owned()))
            .collect(),
        fields: form.text_fields(),
        form,
        errors,
        audiences,
    };
    render(&view)
}

pub async fn new_form(State(state): State<AppState>, user: PageUser) -> Result<Response, WebError> {
    let form = PromotionForm {
        currency: user.tenant.currency.clone(),
        audience: "all".to_owned(),
        kind: "percent_off".to_owned(),
        ..PromotionForm::default()
    };
    form_response(&state, &user, form, FormErrors::none()).await
}

pub async fn create(
    State(state): State<AppState>,
    PageForm { user, mut form }: PageForm<PromotionForm>,
) -> Result<Response, WebError> {
    let actor = user.actor();
    actor.require(Permission::ManagePrices)?;
    if let Some(errors) = typed_audience(&state, &user, &mut form.audience, &form.audience_dealer_code).await? {
        return form_response(&state, &user, form, errors).await;
    }
    let skus = catalog::queries::product_ids_by_sku(&state.db, actor).await?;
    let result = match form.input(&skus) {
        Ok(input) => pricing::commands::create_promotion(&state.db, &state.clock, actor, &input)
            .await
            .map(|_| ())
            .map_err(|failure| {
                WebError(super::catalog::as_form_fields(
                    failure,
                    &[
                        ("product_ids", "skus"),
                        ("audiences[0].audience_id", "audience"),
                        ("free_product_id", "free_sku"),
                        ("bundle_product_id", "bundle_sku"),
                        ("bundle_price", "bundle_price"),
                    ],
                ))
            }),
        Err(errors) => Err(WebError(platform::Failure::Invalid(errors))),
    };
    match form_outcome(&user.t, result)? {
        Ok(()) => Ok(redirect_done("/promotions", "created")),
        Err(errors) => form_response(&state, &user, form, errors).await,
    }
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    active: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<StatusForm>,
) -> Result<Response, WebError> {
    pricing::commands::set_promotion_active(&state.db, &state.clock, user.actor(), id, form.active == "on").await?;
    Ok(redirect_done("/promotions", "saved"))
}

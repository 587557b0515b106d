//! Return pages: the dealer asks to return goods of a received shipment from the order page; the
//! order desk approves or rejects on the returns list; the warehouse takes approved returns in.

use std::collections::HashMap;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use fulfilment::returns::{self, ArrivalInput, ArrivalLineInput, Return, ReturnInput, ReturnLineInput};
use platform::{secret, Failure, FieldError, Page, PageRequest, Permission};
use serde::Deserialize;

use super::line_form::{all_under, LineForm};
use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::api::ReturnQuery;
use crate::error::WebError;
use crate::i18n::Translator;
use crate::lists::optional_text;
use crate::lists::ListLinks;
use crate::session::{PageForm, PageUser};
use crate::AppState;

pub struct ReturnRow {
    pub id: i64,
    pub order_id: i64,
    pub order_number: String,
    pub dealer: String,
    pub shipment: String,
    pub requested: String,
    pub state_code: String,
    pub state: String,
    pub notice: String,
    pub note: String,
    pub decision: String,
    /// (line, text, quantity) of each line.
    pub lines: Vec<(i64, String, i64)>,
    pub photos: Vec<i64>,
}

pub fn return_rows(t: &Translator, found: &[Return]) -> Vec<ReturnRow> {
    found
        .iter()
        .map(|r| ReturnRow {
            id: r.id,
            order_id: r.order_id,
            order_number: r.dealer_order_number.clone(),
            dealer: r.dealer_code.clone(),
            shipment: r.shipment_number.clone(),
            requested: format!("{} · {}", t.date_time(&r.requested_at), r.requested_by_name),
            state_code: r.state.clone(),
            state: t.t(&format!("return.state_{}", r.state)).to_owned(),
            notice: r.notice_number.clone().unwrap_or_default(),
            note: r.note.clone(),
            decision: super::decided_by(&r.decided_by_name, &r.decision_reason),
            lines: r
                .lines
                .iter()
                .map(|l| {
                    let mut text = format!(
                        "#{} {} × {} · {}",
                        l.order_line_number,
                        l.sku,
                        t.number(l.quantity),
                        t.t(&format!("return.reason_{}", l.reason))
                    );
                    if let (Some(good), Some(defective)) = (l.good_quantity, l.defective_quantity) {
                        text.push_str(&format!(
                            " ({} {}, {} {})",
                            t.t("return.good"),
                            t.number(good),
                            t.t("return.defective"),
                            t.number(defective)
                        ));
                    }
                    (l.order_line_number, text, l.quantity)
                })
                .collect(),
            photos: r.photo_ids.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "fulfilment/returns.html")]
struct ReturnsPage {
    layout: Layout,
    page: Page<ReturnRow>,
    query: ListQuery,
    /// Sort headers, pages and the export, all keeping the filters and sort.
    links: ListLinks,
    filter_query: String,
    may_decide: bool,
    may_take_in: bool,
    /// A dealer's user adds photos to its returns awaiting a decision.
    may_add_photos: bool,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    done: Option<String>,
}

impl ListQuery {
    fn query(&self) -> ReturnQuery {
        ReturnQuery {
            state: optional_text(&self.state),
            sort: optional_text(&self.sort),
            page: self.page,
            ..ReturnQuery::default()
        }
    }
}

/// The returns the page lists under the same filters and sort, every row, as XLSX.
pub async fn export_returns(
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

async fn returns_response(
    state: &AppState,
    user: &PageUser,
    query: ListQuery,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let actor = user.actor();
    let filter = query.query();
    let sort = filter.sort()?;
    let found = returns::returns(
        &state.db,
        actor,
        None,
        filter.state(),
        sort,
        PageRequest::new(query.page, None),
    )
    .await?;
    let links = ListLinks::new("/returns", &returns::RETURN_SORT, sort).filter("state", filter.state());
    let view = ReturnsPage {
        layout: Layout::new(user, "/returns", "nav.returns").with_notice(query.done.as_deref()),
        page: Page::new(
            return_rows(&user.t, &found.items),
            found.total,
            PageRequest {
                page: found.page,
                per_page: found.per_page,
            },
        ),
        filter_query: links.page_query(),
        links,
        query,
        may_decide: actor.can(Permission::ReviewOrders),
        may_take_in: actor.can(Permission::ManageStock),
        may_add_photos: actor.is_dealer_user() && actor.can(Permission::ReceiveGoods),
        errors,
    };
    render(&view)
}

pub async fn returns_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    returns_response(&state, &user, query, FormErrors::none()).await
}

/// Asks to return goods from the order page's form of a received shipment:
/// `return_<shipment>_quantity_<line>` and `…_reason_<line>`.
pub async fn request(
    State(state): State<AppState>,
    Path(shipment_id): Path<i64>,
    PageForm { user, form: posted }: PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let form = LineForm::new(&posted, format!("return_{shipment_id}_"));
    let order_id = form.order_id()?;
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for n in form.lines("quantity") {
        if let Some(quantity) = form.line_number("quantity", n, &mut errors).filter(|q| *q != 0) {
            lines.push(ReturnLineInput {
                line_number: n,
                quantity,
                reason: form.line_value("reason", n).to_owned(),
            });
        }
    }
    let input = ReturnInput {
        note: Some(form.value("note").to_owned()).filter(|n| !n.is_empty()),
        lines,
    };
    let result = if errors.is_empty() {
        returns::request_return(&state.db, &state.clock, user.actor(), shipment_id, &input)
            .await
            .map_err(|failure| {
                form.errors(
                    failure,
                    |i| input.lines.get(i).map(|l| l.line_number),
                    |name| name,
                    |_| "lines",
                )
            })
    } else {
        Err(Failure::Invalid(errors))
    };
    match form_outcome(&user.t, result.map_err(WebError))? {
        Ok(_) => Ok(redirect_done("/returns", "return_requested")),
        Err(errors) => super::ordering::order_response(&state, &user, order_id, None, errors, posted).await,
    }
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<DecisionForm>,
) -> Result<Response, WebError> {
    let result = returns::decide_return(
        &state.db,
        &state.clock,
        user.actor(),
        id,
        form.decision == "approve",
        Some(&form.reason),
    )
    .await
    .map_err(|failure| all_under(failure, format!("reason_{id}")));
    match form_outcome(&user.t, result.map_err(WebError))? {
        Ok(()) => Ok(redirect_done("/returns", "return_decided")),
        Err(errors) => returns_response(&state, &user, ListQuery::default(), errors).await,
    }
}

/// Takes an approved return in: `good_<line>` and `defective_<line>` for each of its lines.
pub async fn arrival(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { user, form }: PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let fields = LineForm::new(&form, String::new());
    let mut errors = Vec::new();
    let lines: Vec<ArrivalLineInput> = fields
        .lines("good")
        .into_iter()
        .map(|n| ArrivalLineInput {
            line_number: n,
            good_quantity: fields.line_number("good", n, &mut errors).unwrap_or(0),
            defective_quantity: fields.line_number("defective", n, &mut errors).unwrap_or(0),
        })
        .collect();
    let input = ArrivalInput { lines };
    let result = if errors.is_empty() {
        returns::receive_return(&state.db, &state.clock, user.actor(), id, &input).await
    } else {
        Err(Failure::Invalid(errors))
    };
    // The list shows every approved return's form; errors are named after this return's.
    let result = result.map_err(|failure| {
        LineForm::new(&form, format!("arrival_{id}_")).errors(
            failure,
            |i| input.lines.get(i).map(|l| l.line_number),
            |_| "good",
            |_| "good",
        )
    });
    match form_outcome(&user.t, result.map_err(WebError))? {
        Ok(()) => Ok(redirect_done("/returns", "return_arrived")),
        Err(errors) => returns_response(&state, &user, ListQuery::default(), errors).await,
    }
}

pub async fn photo(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, photo_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    crate::exports::photo(&state, user.actor(), id, photo_id).await
}

/// The form's CSRF token and picture.
async fn read_photo(mut multipart: Multipart) -> Result<(String, Vec<u8>), Failure> {
    let too_large = |_| {
        Failure::Invalid(vec![
            FieldError::new("photo", "product.image_size").with("max_mib", platform::pictures::MAX_BYTES / 1024 / 1024)
        ])
    };
    let (mut token, mut bytes) = (String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        match field.name() {
            Some("csrf_token") => token = field.text().await.map_err(too_large)?,
            Some("photo") => bytes = field.bytes().await.map_err(too_large)?.to_vec(),
            _ => {}
        }
    }
    Ok((token, bytes))
}

/// Adds a photo from the returns list's upload form (multipart: `csrf_token`, `photo`).
pub async fn add_photo(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let multipart = multipart.map_err(|_| Failure::Forbidden)?;
    let result = match read_photo(multipart).await {
        Ok((token, _)) if !secret::constant_time_eq(&token, user.csrf_token()) => return Err(Failure::Forbidden.into()),
        Ok((_, bytes)) => returns::add_photo(&state.db, &state.clock, user.actor(), id, bytes).await,
        Err(failure) => Err(failure),
    };
    let result = result.map_err(|failure| all_under(failure, format!("photo_{id}")));
    match form_outcome(&user.t, result.map_err(WebError))? {
        Ok(_) => Ok(redirect_done("/returns", "photo_added")),
        Err(errors) => returns_response(&state, &user, ListQuery::default(), errors).await,
    }
}

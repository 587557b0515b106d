//! Spreadsheet exports, shared by the API and the pages so both give the same file.
//!
//! A list that implements [`ListExport`] exports through [`export_list`]: a selection of up to
//! [`AppState::direct_export_rows`] rows is written at once; a larger one becomes an export
//! record (`platform::exports`) whose background job ([`job_handler`]) reads the same list, with
//! the same query, as the same user, page by page, and keeps the file in the database. Every such
//! list is named once, in the `exported_lists!` invocation below, which is all the job needs to
//! write it.

use std::future::Future;
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use catalog::domain::CatalogFilter;
use chrono::NaiveDate;
use platform::exports::{self as records, Export};
use platform::jobs::{self, Handler};
use platform::{Actor, Clock, Db, DealerId, Failure, Page, PageRequest};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::WebError;
use crate::i18n::Translator;
use crate::AppState;

/// A list that exports through the shared mechanism. Its parameters are the list's API query
/// (kept as JSON when the export runs in the background); its rows come from the list's own
/// `queries::` function, one page at a time, mapped to the columns the page shows.
pub(crate) trait ListExport: Serialize + DeserializeOwned + Send + Sync {
    /// The list's name in export records, as in its path.
    const LIST: &'static str;
    /// The file's name, unless [`ListExport::file_name`] names it after the parameters.
    const FILE_NAME: &'static str;
    /// The sheet's title, a translation key.
    const TITLE_KEY: &'static str;
    /// The columns' headers: translation keys, or with [`ListExport::FIXED_HEADERS`] the
    /// headers themselves.
    const HEADER_KEYS: &'static [&'static str];
    /// Whether the headers are fixed codes rather than the page's columns in the reader's
    /// language: files that programs read, or that go back into an import, keep them.
    const FIXED_HEADERS: bool = false;

    /// The file's name for these parameters.
    fn file_name(&self) -> String {
        Self::FILE_NAME.to_owned()
    }

    /// One page of the list under these parameters as `actor` may see it, as rows of cells.
    fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> impl Future<Output = Result<Page<Vec<xlsx::Cell>>, Failure>> + Send;
}

/// What asking for a list's export gave: the file, or an export running in the background.
pub(crate) enum Exported {
    File(Response),
    Background(Box<Export>),
}

impl Exported {
    /// For pages: the file, or a redirect to the export's page, which follows its progress.
    pub(crate) fn for_page(self) -> Response {
        match self {
            Exported::File(response) => response,
            Exported::Background(export) => Redirect::to(&format!("/exports/{}", export.id)).into_response(),
        }
    }

    /// For the API: the file, or `202 Accepted` with the export and its location.
    pub(crate) fn for_api(self) -> Response {
        match self {
            Exported::File(response) => response,
            Exported::Background(export) => (
                StatusCode::ACCEPTED,
                [(header::LOCATION, format!("/api/v1/exports/{}", export.id))],
                Json(export),
            )
                .into_response(),
        }
    }
}

fn sheet<L: ListExport>(t: &Translator, rows: &[Vec<xlsx::Cell>]) -> Result<Vec<u8>, Failure> {
    let headers: Vec<&str> = match L::FIXED_HEADERS {
        true => L::HEADER_KEYS.to_vec(),
        false => L::HEADER_KEYS.iter().map(|key| t.t(key)).collect(),
    };
    xlsx::write_table(t.t(L::TITLE_KEY), &headers, rows).map_err(|error| Failure::Internal(error.to_string()))
}

/// The export of a list under `list`'s filters and sort: at once when the selection is small,
/// otherwise as a background export of the actor's.
pub(crate) async fn export_list<L: ListExport>(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    list: &L,
) -> Result<Exported, WebError> {
    let limit = state.direct_export_rows.max(1);
    let first = list
        .rows(
            &state.db,
            actor,
            t,
            PageRequest {
                page: 1,
                per_page: limit,
            },
        )
        .await?;
    if first.total <= i64::from(limit) {
        let bytes = sheet::<L>(t, &first.items)?;
        return Ok(Exported::File(spreadsheet(&list.file_name(), bytes)));
    }
    let mut parameters = serde_json::to_value(list).map_err(|error| Failure::Internal(error.to_string()))?;
    if let Some(fields) = parameters.as_object_mut() {
        fields.retain(|key, value| !value.is_null() && key != "page" && key != "per_page");
    }
    let id = records::create(
        &state.db,
        actor,
        L::LIST,
        &parameters,
        t.locale,
        &list.file_name(),
        state.clock.now(),
    )
    .await
    .map_err(Failure::from)?;
    Ok(Exported::Background(Box::new(
        records::find(&state.db, actor, id).await?,
    )))
}

/// The job writing background exports.
pub fn job_handler(clock: Clock) -> Handler {
    Arc::new(move |db: Db, job: jobs::Job| {
        let clock = clock.clone();
        Box::pin(async move {
            let id = job.payload["export_id"]
                .as_i64()
                .ok_or_else(|| "an export job without export_id".to_owned())?;
            let outcome = write_export(&db, &clock, id)
                .await
                .map_err(|failure| failure.to_string());
            if outcome.is_err() && job.attempts >= job.max_attempts {
                // The job is given up: say so on the export rather than leave it running.
                let _ = records::fail(&db, id, "export.failed", &[], clock.now()).await;
            }
            outcome
        })
    })
}

/// Writes one background export. What stops it for good (the user is gone or lost the
/// permission, the selection is too large) ends it as `failed` with a message; only a failure of
/// the database itself is returned, so that the job is tried again.
async fn write_export(db: &Db, clock: &Clock, id: i64) -> Result<(), Failure> {
    let Some((tenant_id, user_id, export)) = records::load_for_job(db, id).await? else {
        return Ok(());
    };
    if export.finished() {
        return Ok(());
    }
    // The user as they are now: permissions and regions are checked at run time.
    let Some(actor) = identity::queries::acting_user(db, user_id).await? else {
        records::fail(db, id, "export.user_gone", &[], clock.now()).await?;
        return Ok(());
    };
    // Moments are written in the tenant's time zone, as on the page and in a direct export.
    let tenant = identity::queries::tenant(db, tenant_id).await?;
    let t = Translator::new(export.locale, tenant.zone());
    match write_named_list(db, clock, &actor, &t, &export).await {
        Some(written) => written,
        None => Ok(records::fail(db, id, "export.unknown_list", &[], clock.now()).await?),
    }
}

/// Every list that exports through [`export_list`], each named once: the background job finds
/// the list it writes here, and the export pages its title, so that a list added here is both.
macro_rules! exported_lists {
    ($($list:ty),+ $(,)?) => {
        /// Writes a background export of the list it names; `None` when no list has that name.
        async fn write_named_list(
            db: &Db,
            clock: &Clock,
            actor: &Actor,
            t: &Translator,
            export: &Export,
        ) -> Option<Result<(), Failure>> {
            $(
                if export.list == <$list as ListExport>::LIST {
                    return Some(write_list::<$list>(db, clock, actor, t, export).await);
                }
            )+
            None
        }

        /// The name and title (a translation key) of every exported list.
        const LISTS: &[(&str, &str)] = &[$((<$list as ListExport>::LIST, <$list as ListExport>::TITLE_KEY)),+];
    };
}

exported_lists!(
    crate::api::DealerQuery,
    crate::api::UserQuery,
    crate::api::ProductQuery,
    crate::api::PriceListQuery,
    crate::api::PromotionQuery,
    crate::api::OrderQuery,
    OrderDeskExport,
    crate::api::AuditQuery,
    crate::api::JobQuery,
    crate::api::StockQuery,
    crate::api::ArchiveQuery,
    crate::api::PartnerQuery,
    crate::api::ShipmentQuery,
    crate::api::MessageQuery,
    crate::api::ReceiptQuery,
    crate::api::ApiTokenQuery,
    crate::api::ImportListQuery,
    crate::api::ReturnQuery,
    crate::api::DealerStatisticsQuery,
    crate::api::NeverViewedQuery,
    ExecutionOrdersExport,
    ExecutionLinesExport,
    crate::api::SalesOrganisationQuery,
    crate::api::DealerGroupQuery,
    RegionTree,
    CategoryTree,
    PriceListRows,
    CatalogExport,
    crate::api::ExportListQuery,
);

async fn write_list<L: ListExport>(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    t: &Translator,
    export: &Export,
) -> Result<(), Failure> {
    let Ok(list) = serde_json::from_value::<L>(export.parameters.clone()) else {
        records::fail(db, export.id, "export.parameters_invalid", &[], clock.now()).await?;
        return Ok(());
    };
    let mut rows: Vec<Vec<xlsx::Cell>> = Vec::new();
    let mut page = 1;
    loop {
        let request = PageRequest {
            page,
            per_page: records::ROWS_PER_PAGE,
        };
        let found = match list.rows(db, actor, t, request).await {
            Ok(found) => found,
            Err(Failure::Database(error)) => return Err(Failure::Database(error)),
            Err(failure) => {
                let code = match failure {
                    Failure::Forbidden | Failure::Unauthenticated => "export.forbidden",
                    Failure::Invalid(_) => "export.parameters_invalid",
                    _ => "export.failed",
                };
                records::fail(db, export.id, code, &[], clock.now()).await?;
                return Ok(());
            }
        };
        if found.total > records::MAX_ROWS {
            let params = [
                ("max".to_owned(), t.number(records::MAX_ROWS)),
                ("total".to_owned(), t.number(found.total)),
            ];
            records::fail(db, export.id, "export.too_large", &params, clock.now()).await?;
            return Ok(());
        }
        let last = found.items.len() < records::ROWS_PER_PAGE as usize;
        rows.extend(found.items);
        let done = rows.len() as i64;
        records::set_progress(db, export.id, done, found.total.max(done), clock.now()).await?;
        if last || done >= found.total {
            break;
        }
        page += 1;
    }
    let bytes = sheet::<L>(t, &rows)?;
    records::finish(db, export.id, rows.len() as i64, bytes, clock.now()).await?;
    Ok(())
}

/// The title of an exported list, a translation key.
pub(crate) fn list_title(list: &str) -> &'static str {
    LISTS
        .iter()
        .find(|(name, _)| *name == list)
        .map_or("export.title", |(_, title)| title)
}

/// Every list that exports in the background: its name and title (a translation key).
pub(crate) fn list_titles() -> impl Iterator<Item = (&'static str, &'static str)> {
    LISTS.iter().copied()
}

/// A finished background export's file.
pub(crate) async fn export_file(state: &AppState, actor: &Actor, id: i64) -> Result<Response, WebError> {
    let (file_name, bytes) = records::file(&state.db, actor, id).await?;
    Ok(spreadsheet(&file_name, bytes))
}

pub(crate) fn spreadsheet(file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, xlsx::MEDIA_TYPE.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn export_failure(error: xlsx::XlsxError) -> WebError {
    platform::Failure::Internal(error.to_string()).into()
}

fn text(value: Option<String>) -> xlsx::Cell {
    value.map_or(xlsx::Cell::Empty, xlsx::Cell::Text)
}

impl ListExport for crate::api::DealerQuery {
    const LIST: &'static str = "dealers";
    const FILE_NAME: &'static str = "dealers.xlsx";
    const TITLE_KEY: &'static str = "nav.dealers";
    const HEADER_KEYS: &'static [&'static str] = &[
        "dealer.code",
        "dealer.legal_name",
        "dealer.region",
        "dealer.tier",
        "dealer.status",
        "dealer.gln",
    ];

    /// The dealer list, as the dealers page shows it.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let dealers = identity::queries::dealers(db, actor, &self.filter()?, request).await?;
        Ok(map_page(dealers, |dealer| {
            vec![
                xlsx::Cell::Text(dealer.code),
                xlsx::Cell::Text(dealer.legal_name),
                xlsx::Cell::Text(dealer.region_name),
                xlsx::Cell::Integer(dealer.tier),
                xlsx::Cell::Text(t.t(&format!("dealer_status.{}", dealer.status.code())).to_owned()),
                text(dealer.gln),
            ]
        }))
    }
}

fn map_page<T>(page: Page<T>, row: impl FnMut(T) -> Vec<xlsx::Cell>) -> Page<Vec<xlsx::Cell>> {
    Page {
        items: page.items.into_iter().map(row).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }
}

impl ListExport for crate::api::ExportListQuery {
    const LIST: &'static str = "exports";
    const FILE_NAME: &'static str = "exports.xlsx";
    const TITLE_KEY: &'static str = "nav.exports";
    const HEADER_KEYS: &'static [&'static str] = &[
        "export.list",
        "export.filters",
        "export.status",
        "export.rows",
        "export.created_at",
        "export.finished_at",
    ];

    /// The actor's own exports, as the exports page shows them.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let found = records::list(db, actor, &self.filter()?, request).await?;
        Ok(map_page(found, |export| {
            vec![
                xlsx::Cell::Text(t.t(list_title(&export.list)).to_owned()),
                xlsx::Cell::Text(records::parameters_text(&export.parameters)),
                xlsx::Cell::Text(t.t(&format!("export.status_{}", export.status)).to_owned()),
                xlsx::Cell::Integer(export.rows_total),
                moment(t, Some(export.created_at)),
                moment(t, export.finished_at),
            ]
        }))
    }
}

impl ListExport for crate::api::NeverViewedQuery {
    const LIST: &'static str = "never-viewed";
    const FILE_NAME: &'static str = "never-viewed.xlsx";
    const TITLE_KEY: &'static str = "statistics.never_viewed";
    const HEADER_KEYS: &'static [&'static str] = &["catalog.sku", "catalog.product", "product.gtin"];

    /// The products nobody at the dealer opened, as their page shows them.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let audience = identity::queries::dealer_audience(db, actor, Some(DealerId(self.dealer_id))).await?;
        let found = catalog::queries::never_viewed(db, actor, &audience, t.locale, &self.filter()?, request).await?;
        Ok(map_page(found, |item| {
            vec![
                xlsx::Cell::Text(item.sku),
                xlsx::Cell::Text(item.name),
                xlsx::Cell::Text(item.gtin),
            ]
        }))
    }
}

/// A price list's rows under its search and sort: SKU, from quantity, price, currency, valid
/// from and to, headed by the column codes its import reads, so the file goes back in unchanged.
#[derive(Serialize, serde::Deserialize)]
pub(crate) struct PriceListRows {
    pub price_list_id: i64,
    #[serde(flatten)]
    pub query: crate::api::PriceRowQuery,
}

impl ListExport for PriceListRows {
    const LIST: &'static str = "price-list-rows";
    const FILE_NAME: &'static str = "price-list.xlsx";
    const TITLE_KEY: &'static str = "price_list.rows";
    const HEADER_KEYS: &'static [&'static str] = &[
        "sku",
        "min_quantity",
        "unit_price",
        "currency",
        "valid_from",
        "valid_to",
    ];
    const FIXED_HEADERS: bool = true;

    fn file_name(&self) -> String {
        format!("price-list-{}.xlsx", self.price_list_id)
    }

    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        _t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let list = pricing::queries::price_list(db, actor, self.price_list_id).await?;
        let rows = pricing::queries::price_rows(db, actor, list.id, &self.query.filter()?, request).await?;
        Ok(map_page(rows, |row| {
            vec![
                xlsx::Cell::Text(row.sku),
                xlsx::Cell::Integer(row.min_quantity),
                xlsx::Cell::Decimal(row.unit_price),
                xlsx::Cell::Text(list.currency.clone()),
                xlsx::Cell::Date(row.valid_from),
                row.valid_to.map_or(xlsx::Cell::Empty, xlsx::Cell::Date),
            ]
        }))
    }
}

/// A partner's cross-reference table under the page's search, in the columns its import reads,
/// in the page's order. Written at once: a partner's table holds its own article numbers,
/// thousands at most.
pub async fn cross_references(
    state: &AppState,
    actor: &Actor,
    partner_id: i64,
    filter: &edi::queries::CrossReferenceFilter,
) -> Result<Response, WebError> {
    let partner = edi::queries::partner(&state.db, actor, partner_id).await?;
    let text = |value: Option<String>| value.map_or(xlsx::Cell::Empty, xlsx::Cell::Text);
    let rows: Vec<Vec<xlsx::Cell>> = edi::queries::cross_references(&state.db, actor, partner.id, filter)
        .await?
        .into_iter()
        .map(|row| {
            vec![
                xlsx::Cell::Text(row.kind),
                xlsx::Cell::Text(row.partner_code),
                text(row.sku),
                text(row.location_code),
            ]
        })
        .collect();
    let bytes = xlsx::write_table("cross references", &crate::imports::CROSS_REFERENCE_COLUMNS, &rows)
        .map_err(export_failure)?;
    Ok(spreadsheet(
        &format!("cross-references-{}.xlsx", partner.dealer_code),
        bytes,
    ))
}

/// The dealer's catalog as its page shows it under the same filters, at its prices on the day
/// the export was asked for, in the columns programs read (fixed codes).
#[derive(Serialize, serde::Deserialize)]
pub(crate) struct CatalogExport {
    pub dealer_id: i64,
    pub search: Option<String>,
    pub category_id: Option<i64>,
    #[serde(default)]
    pub favorites: bool,
    pub date: NaiveDate,
}

impl CatalogExport {
    fn filter(&self) -> CatalogFilter {
        CatalogFilter {
            search: self.search.clone(),
            category_id: self.category_id,
            favorites_only: self.favorites,
            sort: catalog::domain::CatalogSort::Sku,
        }
    }
}

impl ListExport for CatalogExport {
    const LIST: &'static str = "catalog";
    const FILE_NAME: &'static str = "catalog.xlsx";
    const TITLE_KEY: &'static str = "nav.catalog";
    const HEADER_KEYS: &'static [&'static str] = &[
        "sku",
        "gtin",
        "name",
        "unit",
        "pack_size",
        "min_order_quantity",
        "order_multiple",
        "list_price",
        "net_price",
        "currency",
        "promotions",
    ];
    const FIXED_HEADERS: bool = true;

    fn file_name(&self) -> String {
        format!("catalog-{}.xlsx", self.dealer_id)
    }

    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let audience = identity::queries::dealer_audience(db, actor, Some(DealerId(self.dealer_id))).await?;
        let filter = self.filter();
        let total = catalog::queries::dealer_catalog_size(db, actor, &audience, &filter).await?;
        let (entries, _) =
            catalog::queries::priced_catalog(db, actor, &audience, t.locale, &filter, request, self.date).await?;
        let price = |text: Option<String>| text.map_or(xlsx::Cell::Empty, xlsx::Cell::Decimal);
        let items = entries
            .into_iter()
            .map(|entry| {
                vec![
                    xlsx::Cell::Text(entry.item.sku),
                    xlsx::Cell::Text(entry.item.gtin),
                    xlsx::Cell::Text(entry.item.name),
                    xlsx::Cell::Text(entry.item.unit),
                    xlsx::Cell::Integer(entry.item.pack_size),
                    xlsx::Cell::Integer(entry.item.min_order_quantity),
                    xlsx::Cell::Integer(entry.item.order_multiple),
                    price(entry.list_price),
                    price(entry.unit_price),
                    xlsx::Cell::Text(entry.currency),
                    xlsx::Cell::Text(
                        entry
                            .promotions
                            .iter()
                            .map(|p| p.code.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ]
            })
            .collect();
        Ok(Page {
            items,
            total,
            page: request.page,
            per_page: request.per_page,
        })
    }
}

/// The order list's columns, in the orders page's and the order desk's exports.
const ORDER_HEADER_KEYS: &[&str] = &[
    "order.number",
    "order.dealer_code",
    "order.dealer",
    "order.state",
    "order.placed_at",
    "order.requested_delivery_on",
    "order.lines",
    "order.net_total",
    "order.vat_total",
    "order.gross_total",
    "order.currency",
    "order.channel",
    "order.id",
];

fn order_row(t: &Translator, order: ordering::queries::OrderSummary) -> Vec<xlsx::Cell> {
    vec![
        xlsx::Cell::Text(order.dealer_order_number),
        xlsx::Cell::Text(order.dealer_code),
        xlsx::Cell::Text(order.dealer_name),
        xlsx::Cell::Text(t.t(&format!("order_state.{}", order.state.code())).to_owned()),
        xlsx::Cell::Date(t.day_of(&order.placed_at)),
        xlsx::Cell::Date(order.requested_delivery_on),
        xlsx::Cell::Integer(order.line_count),
        xlsx::Cell::Decimal(order.net_total),
        xlsx::Cell::Decimal(order.vat_total),
        xlsx::Cell::Decimal(order.gross_total),
        xlsx::Cell::Text(order.currency),
        xlsx::Cell::Text(order.channel),
        xlsx::Cell::Integer(order.id),
    ]
}

impl ListExport for crate::api::OrderQuery {
    const LIST: &'static str = "orders";
    const FILE_NAME: &'static str = "orders.xlsx";
    const TITLE_KEY: &'static str = "nav.orders";
    const HEADER_KEYS: &'static [&'static str] = ORDER_HEADER_KEYS;

    /// Orders the actor may see, one row each with their amounts.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let filter = self.filter().map_err(|error| error.0)?;
        let orders = ordering::queries::orders(db, actor, &filter, request).await?;
        Ok(map_page(orders, |order| order_row(t, order)))
    }
}

/// The order desk's export: the orders awaiting review under an order list's filters.
#[derive(Serialize, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct OrderDeskExport(pub crate::api::OrderQuery);

impl ListExport for OrderDeskExport {
    const LIST: &'static str = "order-desk";
    const FILE_NAME: &'static str = "order-desk.xlsx";
    const TITLE_KEY: &'static str = "nav.order_desk";
    const HEADER_KEYS: &'static [&'static str] = ORDER_HEADER_KEYS;

    /// Orders awaiting review that the actor may see, in the desk's order.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let filter = self.0.filter().map_err(|error| error.0)?;
        let orders = ordering::queries::review_queue(db, actor, &filter, request).await?;
        Ok(map_page(orders, |order| order_row(t, order)))
    }
}

/// An import's problems, in the reader's language.
pub fn import_report(
    t: &crate::i18n::Translator,
    id: i64,
    problems: &[platform::imports::Problem],
) -> Result<Response, WebError> {
    let bytes = crate::imports::report(t, problems).map_err(export_failure)?;
    Ok(spreadsheet(&format!("import-{id}-problems.xlsx"), bytes))
}

/// An empty file with an import kind's columns.
pub fn import_template(kind: crate::imports::ImportKind) -> Result<Response, WebError> {
    let bytes = crate::imports::template(kind).map_err(export_failure)?;
    Ok(spreadsheet(&format!("{}-template.xlsx", kind.code()), bytes))
}

/// A photo of a returned line's goods, cached privately like product pictures.
pub async fn photo(state: &AppState, actor: &Actor, return_id: i64, photo_id: i64) -> Result<Response, WebError> {
    let (content_type, bytes) = fulfilment::returns::photo(&state.db, actor, return_id, photo_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
            (header::ETAG, format!("\"return-photo-{photo_id}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// A product picture with its stored media type, cached privately for a day: pictures never
/// change under an id, so the id is its ETag.
pub async fn product_image(
    state: &AppState,
    actor: &Actor,
    product_id: i64,
    image_id: i64,
) -> Result<Response, WebError> {
    let audience = if actor.is_dealer_user() {
        Some(identity::queries::dealer_audience(&state.db, actor, None).await?)
    } else {
        None
    };
    let (content_type, bytes) =
        catalog::queries::product_image(&state.db, actor, audience.as_ref(), product_id, image_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
            (header::ETAG, format!("\"image-{image_id}\"")),
        ],
        bytes,
    )
        .into_response())
}

impl ListExport for crate::api::UserQuery {
    const LIST: &'static str = "users";
    const FILE_NAME: &'static str = "users.xlsx";
    const TITLE_KEY: &'static str = "nav.users";
    const HEADER_KEYS: &'static [&'static str] = &[
        "user.login",
        "user.display_name",
        "user.dealer",
        "user.roles",
        "user.account_status",
        "user.created_at",
    ];

    /// The user list, as the users page shows it.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let users = identity::queries::users(db, actor, &self.filter()?, request).await?;
        Ok(map_page(users, |user| {
            vec![
                xlsx::Cell::Text(user.login),
                xlsx::Cell::Text(user.display_name),
                text(user.dealer_name),
                xlsx::Cell::Text(
                    user.roles
                        .iter()
                        .map(|role| t.t(&format!("role.{}", role.code())).to_owned())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                xlsx::Cell::Text(t.t(&format!("user_status.{}", user.status.code())).to_owned()),
                xlsx::Cell::Date(t.day_of(&user.created_at)),
            ]
        }))
    }
}

/// Who a price list is for, in words: the kind, and the number of the dealer, group, tier or
/// region it names.
pub(crate) fn price_audience(t: &Translator, kind: &str, id: Option<i64>) -> String {
    let kind_name = t.t(&format!("price_audience.{kind}")).to_owned();
    match id {
        Some(id) => format!("{kind_name} · #{id}"),
        None => kind_name,
    }
}

impl ListExport for crate::api::PriceListQuery {
    const LIST: &'static str = "price-lists";
    const FILE_NAME: &'static str = "price-lists.xlsx";
    const TITLE_KEY: &'static str = "nav.price_lists";
    const HEADER_KEYS: &'static [&'static str] = &[
        "price_list.code",
        "price_list.name",
        "price_list.audience",
        "price_list.currency",
        "price_list.rows",
        "price_list.created_at",
    ];

    /// The price-list list, as the price lists page shows it.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let lists = pricing::queries::price_lists(db, actor, &self.filter()?, request).await?;
        Ok(map_page(lists, |list| {
            let audience = price_audience(t, &list.audience, list.audience_id);
            vec![
                xlsx::Cell::Text(list.code),
                xlsx::Cell::Text(list.name),
                xlsx::Cell::Text(audience),
                xlsx::Cell::Text(list.currency),
                xlsx::Cell::Integer(list.row_count),
                xlsx::Cell::Date(t.day_of(&list.created_at)),
            ]
        }))
    }
}

impl ListExport for crate::api::PromotionQuery {
    const LIST: &'static str = "promotions";
    const FILE_NAME: &'static str = "promotions.xlsx";
    const TITLE_KEY: &'static str = "nav.promotions";
    const HEADER_KEYS: &'static [&'static str] = &[
        "promotion.code",
        "promotion.name",
        "promotion.kind",
        "promotion.starts_on",
        "promotion.ends_on",
        "promotion.priority",
        "promotion.stackable",
        "promotion.budget",
        "promotion.budget_used",
        "price_list.currency",
        "promotion.quantity_cap",
        "promotion.units_used",
        "promotion.status",
    ];

    /// The promotion list, as the promotions page shows it.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let promotions = pricing::queries::promotions(db, actor, &self.filter()?, request).await?;
        Ok(map_page(promotions, |promotion| {
            let status = if promotion.status == "active" {
                "promotion.active"
            } else {
                "promotion.paused"
            };
            vec![
                xlsx::Cell::Text(promotion.code),
                xlsx::Cell::Text(promotion.name),
                xlsx::Cell::Text(t.t(&format!("promotion_kind.{}", promotion.kind)).to_owned()),
                xlsx::Cell::Date(promotion.starts_on),
                xlsx::Cell::Date(promotion.ends_on),
                xlsx::Cell::Integer(promotion.priority),
                xlsx::Cell::Text(
                    t.t(if promotion.stackable { "common.yes" } else { "common.no" })
                        .to_owned(),
                ),
                promotion.budget.map_or(xlsx::Cell::Empty, xlsx::Cell::Decimal),
                xlsx::Cell::Decimal(promotion.budget_used),
                xlsx::Cell::Text(promotion.currency),
                promotion.quantity_cap.map_or(xlsx::Cell::Empty, xlsx::Cell::Integer),
                xlsx::Cell::Integer(promotion.quantity_used),
                xlsx::Cell::Text(t.t(status).to_owned()),
            ]
        }))
    }
}

impl ListExport for crate::api::ProductQuery {
    const LIST: &'static str = "products";
    const FILE_NAME: &'static str = "products.xlsx";
    const TITLE_KEY: &'static str = "nav.products";
    const HEADER_KEYS: &'static [&'static str] = &[
        "product.sku",
        "product.name",
        "product.gtin",
        "catalog.category",
        "catalog.pack",
        "product.unit",
        "product.status",
    ];

    /// The manufacturer's product list, names and categories in the reader's language.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let products = catalog::queries::products(db, actor, &self.filter(t.locale)?, request).await?;
        let categories = catalog::queries::categories(db, actor).await?;
        let category_name = |id: Option<i64>| {
            categories
                .iter()
                .find(|c| Some(c.id) == id)
                .map(|c| c.name(t.locale).to_owned())
        };
        Ok(map_page(products, |product| {
            vec![
                xlsx::Cell::Text(product.sku.clone()),
                xlsx::Cell::Text(product.name(t.locale).to_owned()),
                xlsx::Cell::Text(product.gtin.clone()),
                text(category_name(product.category_id)),
                xlsx::Cell::Integer(product.pack_size),
                xlsx::Cell::Text(t.t(&format!("unit.{}", product.unit)).to_owned()),
                xlsx::Cell::Text(t.t(&format!("product_status.{}", product.status.code())).to_owned()),
            ]
        }))
    }
}

/// An interchange's message types as its archive row shows them: `ORDERS × 10,000, CONTRL`.
pub(crate) fn message_types_text(t: &Translator, interchange: &edi::queries::InterchangeSummary) -> String {
    interchange
        .message_type_counts()
        .iter()
        .map(|(kind, count)| match count {
            1 => (*kind).to_owned(),
            _ => format!("{kind} × {}", t.number(count)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A moment as the reader's locale writes it in the tenant's time zone, or an empty cell.
fn moment(t: &Translator, at: Option<chrono::DateTime<chrono::Utc>>) -> xlsx::Cell {
    at.map_or(xlsx::Cell::Empty, |at| xlsx::Cell::Text(t.date_time(&at)))
}

/// Shipped, returned or received lines as one cell: `#line SKU × quantity; …`.
fn lines_text<T>(lines: &[T], line: impl Fn(&T) -> String) -> xlsx::Cell {
    xlsx::Cell::Text(lines.iter().map(line).collect::<Vec<_>>().join("; "))
}

impl ListExport for crate::api::AuditQuery {
    const LIST: &'static str = "audit-log";
    const FILE_NAME: &'static str = "audit-log.xlsx";
    const TITLE_KEY: &'static str = "nav.audit";
    const HEADER_KEYS: &'static [&'static str] = &[
        "audit.time",
        "audit.actor",
        "audit.entity",
        "audit.entity_id",
        "audit.action",
        "audit.before",
        "audit.after",
    ];

    /// The audit log, as the audit page shows it, with the records as JSON.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let records = platform::audit::list(db, actor, &self.filter()?, request).await?;
        let json = |value: Option<serde_json::Value>| text(value.map(|v| v.to_string()));
        Ok(map_page(records, |record| {
            vec![
                moment(t, Some(record.occurred_at)),
                xlsx::Cell::Text(record.actor_name),
                xlsx::Cell::Text(record.entity),
                xlsx::Cell::Integer(record.entity_id),
                xlsx::Cell::Text(record.action),
                json(record.before),
                json(record.after),
            ]
        }))
    }
}

impl ListExport for crate::api::JobQuery {
    const LIST: &'static str = "jobs";
    const FILE_NAME: &'static str = "jobs.xlsx";
    const TITLE_KEY: &'static str = "nav.jobs";
    const HEADER_KEYS: &'static [&'static str] = &[
        "job.id",
        "job.kind",
        "job.status",
        "job.attempts",
        "job.run_at",
        "job.last_error",
        "job.created_at",
        "job.finished_at",
    ];

    /// The background jobs, as the jobs page shows them.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let jobs = platform::jobs::list(db, actor, &self.filter()?, request).await?;
        Ok(map_page(jobs, |job| {
            vec![
                xlsx::Cell::Integer(job.id),
                xlsx::Cell::Text(job.kind),
                xlsx::Cell::Text(t.t(&format!("job_status.{}", job.status)).to_owned()),
                xlsx::Cell::Integer(job.attempts),
                moment(t, Some(job.run_at)),
                text(job.last_error),
                moment(t, Some(job.created_at)),
                moment(t, job.finished_at),
            ]
        }))
    }
}

impl ListExport for crate::api::StockQuery {
    const LIST: &'static str = "stock";
    const FILE_NAME: &'static str = "stock.xlsx";
    const TITLE_KEY: &'static str = "nav.stock";
    const HEADER_KEYS: &'static [&'static str] = &[
        "order.warehouse",
        "catalog.sku",
        "stock.on_hand",
        "stock.reserved",
        "stock.available",
        "stock.safety_stock",
        "stock.max_stock",
    ];

    /// The stock levels, as the stock page shows them.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        _t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let levels = fulfilment::queries::stock_levels(
            db,
            actor,
            self.warehouse_id,
            self.sku.as_deref(),
            self.alerts.unwrap_or(false),
            self.sort()?,
            request,
        )
        .await?;
        let optional = |value: Option<i64>| value.map_or(xlsx::Cell::Empty, xlsx::Cell::Integer);
        Ok(map_page(levels, |level| {
            vec![
                xlsx::Cell::Text(level.warehouse_code),
                xlsx::Cell::Text(level.sku),
                xlsx::Cell::Integer(level.on_hand),
                xlsx::Cell::Integer(level.reserved),
                xlsx::Cell::Integer(level.available),
                optional(level.safety_stock),
                optional(level.max_stock),
            ]
        }))
    }
}

impl ListExport for crate::api::ArchiveQuery {
    const LIST: &'static str = "edi-interchanges";
    const FILE_NAME: &'static str = "edi-interchanges.xlsx";
    const TITLE_KEY: &'static str = "nav.edi";
    const HEADER_KEYS: &'static [&'static str] = &[
        "edi.reference",
        "edi.direction",
        "edi.partner",
        "edi.messages",
        "edi.status",
        "edi.contrl",
        "edi.at",
    ];

    /// The EDI archive, as the EDI monitor shows it.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let interchanges = edi::queries::archive(db, actor, &self.filter()?, request).await?;
        Ok(map_page(interchanges, |interchange| {
            let types = message_types_text(t, &interchange);
            vec![
                xlsx::Cell::Text(interchange.control_reference),
                xlsx::Cell::Text(t.t(&format!("edi_direction.{}", interchange.direction)).to_owned()),
                xlsx::Cell::Text(interchange.dealer_code.unwrap_or(interchange.sender)),
                xlsx::Cell::Text(types),
                xlsx::Cell::Text(t.t(&format!("edi_status.{}", interchange.status)).to_owned()),
                text(
                    interchange
                        .contrl
                        .map(|contrl| t.t(&format!("edi_contrl.{contrl}")).to_owned()),
                ),
                moment(t, Some(interchange.created_at)),
            ]
        }))
    }
}

impl ListExport for crate::api::PartnerQuery {
    const LIST: &'static str = "edi-partners";
    const FILE_NAME: &'static str = "edi-partners.xlsx";
    const TITLE_KEY: &'static str = "nav.edi_partners";
    const HEADER_KEYS: &'static [&'static str] = &[
        "dealer.code",
        "dealer.legal_name",
        "edi.interchange_id",
        "edi.interchange_qualifier",
        "edi.subset",
        "edi.syntax",
        "edi.channel",
        "edi.messages_in",
        "edi.messages_out",
        "edi.active",
        "edi.problem",
    ];

    /// The EDI partners, as their page shows them.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let partners = edi::queries::partner_list(db, actor, &self.filter()?, request).await?;
        Ok(map_page(partners, |partner| {
            vec![
                xlsx::Cell::Text(partner.dealer_code),
                xlsx::Cell::Text(partner.dealer_name),
                xlsx::Cell::Text(partner.interchange_id),
                xlsx::Cell::Text(partner.interchange_qualifier),
                xlsx::Cell::Text(partner.directory),
                xlsx::Cell::Text(format!("{}:{}", partner.syntax, partner.syntax_version)),
                xlsx::Cell::Text(t.t(&format!("edi_channel.{}", partner.channel)).to_owned()),
                xlsx::Cell::Text(partner.messages_in.join(", ")),
                xlsx::Cell::Text(partner.messages_out.join(", ")),
                xlsx::Cell::Text(t.t(if partner.active { "edi.yes" } else { "edi.no" }).to_owned()),
                xlsx::Cell::Text(
                    partner
                        .problem
                        .map(|p| {
                            format!(
                                "{}: {} ({} {})",
                                t.t(&format!("edi_stage.{}", p.stage)),
                                p.detail,
                                t.t("edi.problem_since"),
                                t.date_time(&p.since)
                            )
                        })
                        .unwrap_or_default(),
                ),
            ]
        }))
    }
}

impl ListExport for crate::api::ShipmentQuery {
    const LIST: &'static str = "shipments";
    const FILE_NAME: &'static str = "shipments.xlsx";
    const TITLE_KEY: &'static str = "nav.shipments";
    const HEADER_KEYS: &'static [&'static str] = &[
        "shipment.number",
        "order.number",
        "order.dealer",
        "shipment.shipped_at",
        "order.warehouse",
        "shipment.vehicle",
        "shipment.planned_arrival",
        "shipment.packages",
        "order.lines",
    ];

    /// The shipments, as the shipment list shows them, with their packages and lines as text.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let shipments = fulfilment::queries::shipment_list(db, actor, &self.filter()?, request).await?;
        Ok(map_page(shipments, |shipment| {
            vec![
                xlsx::Cell::Text(shipment.number),
                xlsx::Cell::Text(shipment.dealer_order_number),
                xlsx::Cell::Text(shipment.dealer_code),
                moment(t, Some(shipment.shipped_at)),
                xlsx::Cell::Text(shipment.warehouse_code),
                xlsx::Cell::Text(shipment.vehicle),
                shipment.planned_arrival_on.map_or(xlsx::Cell::Empty, xlsx::Cell::Date),
                xlsx::Cell::Text(shipment.packages.join(", ")),
                lines_text(&shipment.lines, |line| {
                    format!("#{} {} × {}", line.order_line_number, line.sku, line.quantity)
                }),
            ]
        }))
    }
}

impl ListExport for crate::api::MessageQuery {
    const LIST: &'static str = "messages";
    const FILE_NAME: &'static str = "messages.xlsx";
    const TITLE_KEY: &'static str = "nav.messages";
    const HEADER_KEYS: &'static [&'static str] = &["messages.time", "messages.text", "messages.read_at"];

    /// The reader's own messages, as the message centre shows them.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let messages = platform::messages::list_filtered(db, actor, &self.filter()?, request).await?;
        Ok(map_page(messages, |message| {
            vec![
                moment(t, Some(message.created_at)),
                xlsx::Cell::Text(crate::pages::message_text(t, &message)),
                moment(t, message.read_at),
            ]
        }))
    }
}

impl ListExport for crate::api::ReceiptQuery {
    const LIST: &'static str = "receipts";
    const FILE_NAME: &'static str = "receipts.xlsx";
    const TITLE_KEY: &'static str = "nav.discrepancies";
    const HEADER_KEYS: &'static [&'static str] = &[
        "shipment.number",
        "order.number",
        "order.dealer",
        "receipt.received_at",
        "receipt.lines_export",
        "receipt.discrepancy",
    ];

    /// The receipts, as the discrepancy list shows them, with their lines as text.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let receipts = fulfilment::queries::receipt_list(db, actor, &self.filter()?, request).await?;
        Ok(map_page(receipts, |receipt| {
            vec![
                xlsx::Cell::Text(receipt.shipment_number),
                xlsx::Cell::Text(receipt.dealer_order_number),
                xlsx::Cell::Text(receipt.dealer_code),
                moment(t, Some(receipt.received_at)),
                lines_text(&receipt.lines, |line| {
                    format!(
                        "#{} {}: {} / {} / {}",
                        line.order_line_number,
                        line.sku,
                        line.shipped_quantity,
                        line.received_quantity,
                        line.rejected_quantity
                    )
                }),
                xlsx::Cell::Text(t.t(&format!("receipt.discrepancy_{}", receipt.discrepancy)).to_owned()),
            ]
        }))
    }
}

impl ListExport for crate::api::ApiTokenQuery {
    const LIST: &'static str = "api-tokens";
    const FILE_NAME: &'static str = "api-tokens.xlsx";
    const TITLE_KEY: &'static str = "nav.api_tokens";
    const HEADER_KEYS: &'static [&'static str] = &[
        "token.name",
        "token.user",
        "token.role",
        "token.created_at",
        "token.expires_at",
        "token.last_used_at",
        "token.revoked_at",
    ];

    /// The integration tokens, as the tokens page shows them (never their secrets).
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let tokens = identity::queries::api_tokens(db, actor, &self.filter()?, request).await?;
        Ok(map_page(tokens, |token| {
            vec![
                xlsx::Cell::Text(token.name),
                xlsx::Cell::Text(token.user_login),
                xlsx::Cell::Text(match token.role {
                    Some(role) => t.t(&format!("role.{role}")).to_owned(),
                    None => t.t("token.all_roles").to_owned(),
                }),
                moment(t, Some(token.created_at)),
                moment(t, token.expires_at),
                moment(t, token.last_used_at),
                moment(t, token.revoked_at),
            ]
        }))
    }
}

impl ListExport for crate::api::ImportListQuery {
    const LIST: &'static str = "imports";
    const FILE_NAME: &'static str = "imports.xlsx";
    const TITLE_KEY: &'static str = "nav.imports";
    const HEADER_KEYS: &'static [&'static str] = &[
        "import.file",
        "import.kind",
        "import.status",
        "import.rows",
        "import.applied",
        "import.started",
        "import.finished",
    ];

    /// The imports of the kinds the actor may start, as the imports page lists them.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let kinds: Vec<&str> = crate::imports::kinds_for(actor)
            .into_iter()
            .map(crate::imports::ImportKind::code)
            .collect();
        if kinds.is_empty() {
            return Err(Failure::Forbidden);
        }
        let imports = platform::imports::list(db, actor, &kinds, &self.filter()?, request).await?;
        Ok(map_page(imports, |import| {
            vec![
                xlsx::Cell::Text(import.file_name),
                xlsx::Cell::Text(t.t(&format!("import.kind_{}", import.kind)).to_owned()),
                xlsx::Cell::Text(t.t(&format!("import.status_{}", import.status)).to_owned()),
                xlsx::Cell::Integer(import.rows_total),
                xlsx::Cell::Integer(import.rows_applied),
                moment(t, Some(import.created_at)),
                moment(t, import.finished_at),
            ]
        }))
    }
}

impl ListExport for crate::api::ReturnQuery {
    const LIST: &'static str = "returns";
    const FILE_NAME: &'static str = "returns.xlsx";
    const TITLE_KEY: &'static str = "nav.returns";
    const HEADER_KEYS: &'static [&'static str] = &[
        "return.notice",
        "order.number",
        "order.dealer",
        "shipment.number",
        "return.requested",
        "order.lines",
        "order.state",
    ];

    /// The returns, as the returns page shows them, with their lines as text.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let returns =
            fulfilment::returns::returns(db, actor, self.order_id, self.state(), self.sort()?, request).await?;
        Ok(map_page(returns, |item| {
            vec![
                text(item.notice_number),
                xlsx::Cell::Text(item.dealer_order_number),
                xlsx::Cell::Text(item.dealer_code),
                xlsx::Cell::Text(item.shipment_number),
                moment(t, Some(item.requested_at)),
                lines_text(&item.lines, |line| {
                    format!("#{} {} × {}", line.order_line_number, line.sku, line.quantity)
                }),
                xlsx::Cell::Text(t.t(&format!("return.state_{}", item.state)).to_owned()),
            ]
        }))
    }
}

impl ListExport for crate::api::DealerStatisticsQuery {
    const LIST: &'static str = "product-views";
    const FILE_NAME: &'static str = "product-views.xlsx";
    const TITLE_KEY: &'static str = "statistics.views";
    const HEADER_KEYS: &'static [&'static str] = &[
        "catalog.sku",
        "catalog.product",
        "statistics.user",
        "statistics.count",
        "statistics.last_viewed",
    ];

    fn file_name(&self) -> String {
        format!("product-views-{}.xlsx", self.dealer_id)
    }

    /// Which of the dealer's users opened which products, as the statistics page shows them.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let sort = catalog::queries::PRODUCT_VIEW_SORT.parse(self.sort.as_deref())?;
        let audience = identity::queries::dealer_audience(db, actor, Some(platform::DealerId(self.dealer_id))).await?;
        let views = catalog::queries::product_views(db, actor, &audience, t.locale, sort, request).await?;
        Ok(map_page(views, |view| {
            vec![
                xlsx::Cell::Text(view.sku),
                xlsx::Cell::Text(view.name),
                xlsx::Cell::Text(view.user_login),
                xlsx::Cell::Integer(view.view_count),
                xlsx::Cell::Date(t.day_of(&view.last_viewed_at)),
            ]
        }))
    }
}

/// The order execution report's columns per order.
const EXECUTION_ORDER_KEYS: &[&str] = &[
    "order.number",
    "order.dealer_code",
    "order.state",
    "order.placed_at",
    "order.ordered",
    "order.confirmed",
    "execution.shipped",
    "execution.received",
    "execution.invoiced",
    "execution.ordered_amount",
    "execution.confirmed_amount",
    "execution.invoiced_amount",
    "execution.paid_amount",
    "order.currency",
    "order.id",
];

/// The order execution report's columns per line: its line number and SKU after the order's.
const EXECUTION_LINE_KEYS: &[&str] = &[
    "order.number",
    "order.dealer_code",
    "order.state",
    "order.placed_at",
    "execution.line",
    "catalog.sku",
    "order.ordered",
    "order.confirmed",
    "execution.shipped",
    "execution.received",
    "execution.invoiced",
    "execution.ordered_amount",
    "execution.confirmed_amount",
    "execution.invoiced_amount",
    "execution.paid_amount",
    "order.currency",
    "order.id",
];

/// The order execution report per order. The report's two views have different columns, so
/// each is a list of its own (see [`ExecutionLinesExport`]).
#[derive(Serialize, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct ExecutionOrdersExport(pub crate::api::ExecutionQuery);

/// The order execution report per order line.
#[derive(Serialize, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct ExecutionLinesExport(pub crate::api::ExecutionQuery);

impl ListExport for ExecutionOrdersExport {
    const LIST: &'static str = "order-execution";
    const FILE_NAME: &'static str = "order-execution.xlsx";
    const TITLE_KEY: &'static str = "nav.order_execution";
    const HEADER_KEYS: &'static [&'static str] = EXECUTION_ORDER_KEYS;

    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        execution_rows(db, actor, t, &self.0, false, request).await
    }
}

impl ListExport for ExecutionLinesExport {
    const LIST: &'static str = "order-execution-lines";
    const FILE_NAME: &'static str = "order-execution.xlsx";
    const TITLE_KEY: &'static str = "nav.order_execution";
    const HEADER_KEYS: &'static [&'static str] = EXECUTION_LINE_KEYS;

    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        execution_rows(db, actor, t, &self.0, true, request).await
    }
}

/// The order execution report, per order or per line, as its page shows it.
async fn execution_rows(
    db: &Db,
    actor: &Actor,
    t: &Translator,
    query: &crate::api::ExecutionQuery,
    per_line: bool,
    request: PageRequest,
) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
    let filter = query.filter().map_err(|error| error.0)?;
    let report = ordering::report::order_execution(db, actor, &filter, per_line, request).await?;
    Ok(map_page(report, |row| {
        let mut cells = vec![
            xlsx::Cell::Text(row.dealer_order_number),
            xlsx::Cell::Text(row.dealer_code),
            xlsx::Cell::Text(t.t(&format!("order_state.{}", row.state.code())).to_owned()),
            xlsx::Cell::Date(t.day_of(&row.placed_at)),
        ];
        if per_line {
            cells.push(row.line_number.map_or(xlsx::Cell::Empty, xlsx::Cell::Integer));
            cells.push(text(row.sku));
        }
        cells.extend([
            xlsx::Cell::Integer(row.ordered_quantity),
            xlsx::Cell::Integer(row.confirmed_quantity),
            xlsx::Cell::Integer(row.shipped_quantity),
            xlsx::Cell::Integer(row.received_quantity),
            xlsx::Cell::Integer(row.invoiced_quantity),
            xlsx::Cell::Decimal(row.ordered_amount),
            xlsx::Cell::Decimal(row.confirmed_amount),
            xlsx::Cell::Decimal(row.invoiced_amount),
            xlsx::Cell::Decimal(row.paid_amount),
            xlsx::Cell::Text(row.currency),
            xlsx::Cell::Integer(row.order_id),
        ]);
        cells
    }))
}

/// The export of the order execution report in the view the query asks for.
pub(crate) async fn export_execution(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    query: crate::api::ExecutionQuery,
) -> Result<Exported, WebError> {
    if query.per_line() {
        export_list(state, actor, t, &ExecutionLinesExport(query)).await
    } else {
        export_list(state, actor, t, &ExecutionOrdersExport(query)).await
    }
}

impl ListExport for crate::api::SalesOrganisationQuery {
    const LIST: &'static str = "sales-organisations";
    const FILE_NAME: &'static str = "sales-organisations.xlsx";
    const TITLE_KEY: &'static str = "nav.sales_organisations";
    const HEADER_KEYS: &'static [&'static str] = &["sales_organisation.code", "sales_organisation.name"];

    /// The sales organisations, as their page shows them.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        _t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let organisations = catalog::queries::sales_organisation_list(db, actor, &self.filter()?, request).await?;
        Ok(map_page(organisations, |organisation| {
            vec![xlsx::Cell::Text(organisation.code), xlsx::Cell::Text(organisation.name)]
        }))
    }
}

impl ListExport for crate::api::DealerGroupQuery {
    const LIST: &'static str = "dealer-groups";
    const FILE_NAME: &'static str = "dealer-groups.xlsx";
    const TITLE_KEY: &'static str = "nav.dealer_groups";
    const HEADER_KEYS: &'static [&'static str] = &["dealer_group.code", "dealer_group.name"];

    /// The dealer groups, as their page shows them.
    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        _t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let groups = identity::queries::dealer_group_list(db, actor, &self.filter()?, request).await?;
        Ok(map_page(groups, |group| {
            vec![xlsx::Cell::Text(group.code), xlsx::Cell::Text(group.name)]
        }))
    }
}

/// One page of a tree's rows, already in tree order. Trees are read whole (a few hundred nodes
/// at most) and their order is the hierarchy, so they are not sorted; a search keeps each
/// match's ancestors.
fn tree_page(rows: Vec<Vec<xlsx::Cell>>, request: PageRequest) -> Page<Vec<xlsx::Cell>> {
    let total = rows.len() as i64;
    let per_page = request.per_page.max(1) as usize;
    let skip = (request.page.max(1) as usize - 1) * per_page;
    Page {
        items: rows.into_iter().skip(skip).take(per_page).collect(),
        total,
        page: request.page,
        per_page: request.per_page,
    }
}

/// A search of a tree: the nodes whose code or name holds it, each with its ancestors.
#[derive(Debug, Default, Serialize, serde::Deserialize, utoipa::IntoParams)]
pub struct TreeSearch {
    /// Part of a code or name, any letter case; a match comes with its ancestors.
    pub search: Option<String>,
}

impl TreeSearch {
    /// The search; empty for the whole tree.
    pub fn text(&self) -> &str {
        self.search.as_deref().unwrap_or_default()
    }
}

/// The region tree as its page shows it, each region with its parent's code.
#[derive(Serialize, serde::Deserialize)]
pub(crate) struct RegionTree(pub TreeSearch);

impl ListExport for RegionTree {
    const LIST: &'static str = "regions";
    const FILE_NAME: &'static str = "regions.xlsx";
    const TITLE_KEY: &'static str = "nav.regions";
    const HEADER_KEYS: &'static [&'static str] = &["region.code", "region.name", "region.level", "region.parent"];

    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let regions = identity::queries::regions(db, actor).await?;
        let codes: std::collections::HashMap<_, _> = regions.iter().map(|r| (r.id, r.code.clone())).collect();
        let regions = identity::domain::search_regions(regions, self.0.text());
        let rows = regions
            .iter()
            .map(|region| {
                vec![
                    xlsx::Cell::Text(region.code.clone()),
                    xlsx::Cell::Text(region.name.clone()),
                    xlsx::Cell::Text(t.t(&format!("region_kind.{}", region.kind.code())).to_owned()),
                    text(region.parent_id.and_then(|parent| codes.get(&parent).cloned())),
                ]
            })
            .collect();
        Ok(tree_page(rows, request))
    }
}

/// The category tree as its page shows it, each category with its parent's code.
#[derive(Serialize, serde::Deserialize)]
pub(crate) struct CategoryTree(pub TreeSearch);

impl ListExport for CategoryTree {
    const LIST: &'static str = "categories";
    const FILE_NAME: &'static str = "categories.xlsx";
    const TITLE_KEY: &'static str = "nav.categories";
    const HEADER_KEYS: &'static [&'static str] =
        &["category.code", "category.name", "category.parent", "category.products"];

    async fn rows(
        &self,
        db: &Db,
        actor: &Actor,
        t: &Translator,
        request: PageRequest,
    ) -> Result<Page<Vec<xlsx::Cell>>, Failure> {
        let tree = catalog::queries::category_tree(db, actor).await?;
        let codes: std::collections::HashMap<_, _> =
            tree.iter().map(|n| (n.category.id, n.category.code.clone())).collect();
        let tree = catalog::domain::search_tree(tree, self.0.text());
        let rows = tree
            .iter()
            .map(|node| {
                let category = &node.category;
                vec![
                    xlsx::Cell::Text(category.code.clone()),
                    xlsx::Cell::Text(category.name(t.locale).to_owned()),
                    text(category.parent_id.and_then(|parent| codes.get(&parent).cloned())),
                    xlsx::Cell::Integer(node.product_count),
                ]
            })
            .collect();
        Ok(tree_page(rows, request))
    }
}

#[cfg(test)]
mod tests {
    use super::LISTS;

    #[test]
    fn every_exported_list_has_a_name_of_its_own() {
        let mut names: Vec<&str> = LISTS.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), LISTS.len(), "the job finds a list by its name");
    }
}

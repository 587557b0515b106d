//! Spreadsheet exports, shared by the API and the pages so both give the same file.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use catalog::domain::CatalogFilter;
use chrono::NaiveDate;
use platform::{Actor, DealerAudience, Locale, PageRequest};

use crate::error::WebError;
use crate::i18n::Translator;
use crate::AppState;

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

/// A list page's export: one sheet named by `title_key`, one header per translation key in
/// `header_keys` (the columns the page shows, in the reader's language), one row per item.
/// The rows come from the list's own query read with `PageRequest::export()` and checked by
/// `Page::exportable()`, so the filters, sort, permissions and the row limit are the page's.
pub(crate) fn list_export(
    t: &Translator,
    file_name: &str,
    title_key: &str,
    header_keys: &[&str],
    rows: &[Vec<xlsx::Cell>],
) -> Result<Response, WebError> {
    let headers: Vec<&str> = header_keys.iter().map(|key| t.t(key)).collect();
    let bytes = xlsx::write_table(t.t(title_key), &headers, rows).map_err(export_failure)?;
    Ok(spreadsheet(file_name, bytes))
}

fn text(value: Option<String>) -> xlsx::Cell {
    value.map_or(xlsx::Cell::Empty, xlsx::Cell::Text)
}

/// The dealer list under `filter`, as the dealers page shows it.
pub async fn dealers(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &identity::domain::DealerFilter,
) -> Result<Response, WebError> {
    let dealers = identity::queries::dealers(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = dealers
        .into_iter()
        .map(|dealer| {
            vec![
                xlsx::Cell::Text(dealer.code),
                xlsx::Cell::Text(dealer.legal_name),
                xlsx::Cell::Text(dealer.region_name),
                xlsx::Cell::Integer(dealer.tier),
                xlsx::Cell::Text(t.t(&format!("dealer_status.{}", dealer.status.code())).to_owned()),
                text(dealer.gln),
            ]
        })
        .collect();
    list_export(
        t,
        "dealers.xlsx",
        "nav.dealers",
        &[
            "dealer.code",
            "dealer.legal_name",
            "dealer.region",
            "dealer.tier",
            "dealer.status",
            "dealer.gln",
        ],
        &rows,
    )
}

/// A price list's rows under `filter`: SKU, from quantity, price, currency, valid from and to,
/// headed by the column codes its import reads (so the file goes back in unchanged).
pub async fn price_list(
    state: &AppState,
    actor: &Actor,
    id: i64,
    filter: &pricing::domain::PriceRowFilter,
) -> Result<Response, WebError> {
    let list = pricing::queries::price_list(&state.db, actor, id).await?;
    let rows: Vec<Vec<xlsx::Cell>> = pricing::queries::all_price_rows(&state.db, actor, id, filter)
        .await?
        .into_iter()
        .map(|row| {
            vec![
                xlsx::Cell::Text(row.sku),
                xlsx::Cell::Integer(row.min_quantity),
                xlsx::Cell::Decimal(row.unit_price),
                xlsx::Cell::Text(list.currency.clone()),
                xlsx::Cell::Date(row.valid_from),
                row.valid_to.map_or(xlsx::Cell::Empty, xlsx::Cell::Date),
            ]
        })
        .collect();
    let headers = [
        "sku",
        "min_quantity",
        "unit_price",
        "currency",
        "valid_from",
        "valid_to",
    ];
    let bytes = xlsx::write_table(&list.code, &headers, &rows).map_err(export_failure)?;
    Ok(spreadsheet(&format!("price-list-{}.xlsx", list.code), bytes))
}

/// A partner's cross-reference table, in the columns its import reads, in the page's order.
pub async fn cross_references(
    state: &AppState,
    actor: &Actor,
    partner_id: i64,
    sort: platform::Sort,
) -> Result<Response, WebError> {
    let partner = edi::queries::partner(&state.db, actor, partner_id).await?;
    let text = |value: Option<String>| value.map_or(xlsx::Cell::Empty, xlsx::Cell::Text);
    let rows: Vec<Vec<xlsx::Cell>> = edi::queries::cross_references(&state.db, actor, partner.id, sort)
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

/// Everything the dealer's catalog shows under `filter`, at its prices on `date`, page by page.
pub async fn catalog(
    state: &AppState,
    actor: &Actor,
    audience: &DealerAudience,
    locale: Locale,
    filter: &CatalogFilter,
    date: NaiveDate,
) -> Result<Response, WebError> {
    let mut rows = Vec::new();
    let mut page = 1;
    loop {
        let request = PageRequest::new(Some(page), Some(platform::page::MAX_PER_PAGE));
        let (entries, has_next) =
            catalog::queries::priced_catalog(&state.db, actor, audience, locale, filter, request, date).await?;
        rows.extend(entries.into_iter().map(|entry| {
            let price = |text: Option<String>| text.map_or(xlsx::Cell::Empty, xlsx::Cell::Decimal);
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
        }));
        if !has_next {
            break;
        }
        page += 1;
    }
    let headers = [
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
    let bytes = xlsx::write_table("Catalog", &headers, &rows).map_err(export_failure)?;
    Ok(spreadsheet(&format!("catalog-{}.xlsx", audience.dealer_id), bytes))
}

/// Orders under `filter` that the actor may see (or, for `queue`, those awaiting review), one
/// row each with their amounts, in the list's order.
pub async fn orders(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &ordering::queries::OrderFilter,
    queue: bool,
) -> Result<Response, WebError> {
    let orders = if queue {
        ordering::queries::review_queue(&state.db, actor, filter, PageRequest::export()).await?
    } else {
        ordering::queries::orders(&state.db, actor, filter, PageRequest::export()).await?
    };
    let rows: Vec<Vec<xlsx::Cell>> = orders
        .exportable()?
        .into_iter()
        .map(|order| {
            vec![
                xlsx::Cell::Text(order.dealer_order_number),
                xlsx::Cell::Text(order.dealer_code),
                xlsx::Cell::Text(order.dealer_name),
                xlsx::Cell::Text(t.t(&format!("order_state.{}", order.state.code())).to_owned()),
                xlsx::Cell::Date(order.placed_at.date_naive()),
                xlsx::Cell::Date(order.requested_delivery_on),
                xlsx::Cell::Integer(order.line_count),
                xlsx::Cell::Decimal(order.net_total),
                xlsx::Cell::Decimal(order.vat_total),
                xlsx::Cell::Decimal(order.gross_total),
                xlsx::Cell::Text(order.currency),
                xlsx::Cell::Text(order.channel),
                xlsx::Cell::Integer(order.id),
            ]
        })
        .collect();
    let (file_name, title) = if queue {
        ("order-desk.xlsx", "nav.order_desk")
    } else {
        ("orders.xlsx", "nav.orders")
    };
    list_export(
        t,
        file_name,
        title,
        &[
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
        ],
        &rows,
    )
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

/// The whole order execution report under `filter`, per order or per line, in its order.
pub async fn order_execution(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &ordering::report::ReportFilter,
    per_line: bool,
) -> Result<Response, WebError> {
    let report = ordering::report::order_execution(&state.db, actor, filter, per_line, PageRequest::export()).await?;
    let rows: Vec<Vec<xlsx::Cell>> = report
        .exportable()?
        .into_iter()
        .map(|row| {
            let mut cells = vec![
                xlsx::Cell::Text(row.dealer_order_number),
                xlsx::Cell::Text(row.dealer_code),
                xlsx::Cell::Text(t.t(&format!("order_state.{}", row.state.code())).to_owned()),
                xlsx::Cell::Date(row.placed_at.date_naive()),
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
        })
        .collect();
    let mut headers = vec!["order.number", "order.dealer_code", "order.state", "order.placed_at"];
    if per_line {
        headers.extend(["execution.line", "catalog.sku"]);
    }
    headers.extend([
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
    ]);
    list_export(t, "order-execution.xlsx", "nav.order_execution", &headers, &rows)
}

/// The user list under `filter`, as the users page shows it.
pub async fn users(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &identity::queries::UserFilter,
) -> Result<Response, WebError> {
    let users = identity::queries::users(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = users
        .into_iter()
        .map(|user| {
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
                xlsx::Cell::Date(user.created_at.date_naive()),
            ]
        })
        .collect();
    list_export(
        t,
        "users.xlsx",
        "nav.users",
        &[
            "user.login",
            "user.display_name",
            "user.dealer",
            "user.roles",
            "user.account_status",
            "user.created_at",
        ],
        &rows,
    )
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

/// The price-list list under `filter`, as the price lists page shows it.
pub async fn price_lists(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &pricing::domain::PriceListFilter,
) -> Result<Response, WebError> {
    let lists = pricing::queries::price_lists(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = lists
        .into_iter()
        .map(|list| {
            let audience = price_audience(t, &list.audience, list.audience_id);
            vec![
                xlsx::Cell::Text(list.code),
                xlsx::Cell::Text(list.name),
                xlsx::Cell::Text(audience),
                xlsx::Cell::Text(list.currency),
                xlsx::Cell::Integer(list.row_count),
                xlsx::Cell::Date(list.created_at.date_naive()),
            ]
        })
        .collect();
    list_export(
        t,
        "price-lists.xlsx",
        "nav.price_lists",
        &[
            "price_list.code",
            "price_list.name",
            "price_list.audience",
            "price_list.currency",
            "price_list.rows",
            "price_list.created_at",
        ],
        &rows,
    )
}

/// The promotion list under `filter`, as the promotions page shows it.
pub async fn promotions(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &pricing::domain::PromotionFilter,
) -> Result<Response, WebError> {
    let promotions = pricing::queries::promotions(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = promotions
        .into_iter()
        .map(|promotion| {
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
        })
        .collect();
    list_export(
        t,
        "promotions.xlsx",
        "nav.promotions",
        &[
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
        ],
        &rows,
    )
}

/// The manufacturer's product list under `filter`, names and categories in the reader's language.
pub async fn products(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &catalog::domain::ProductFilter,
) -> Result<Response, WebError> {
    let products = catalog::queries::products(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let categories = catalog::queries::categories(&state.db, actor).await?;
    let category_name = |id: Option<i64>| {
        categories.iter().find(|c| Some(c.id) == id).map(|c| match t.locale {
            Locale::En => c.name_en.clone(),
            Locale::Ru => c.name_ru.clone(),
            Locale::Zh => c.name_zh.clone(),
        })
    };
    let rows: Vec<Vec<xlsx::Cell>> = products
        .into_iter()
        .map(|product| {
            vec![
                xlsx::Cell::Text(product.sku.clone()),
                xlsx::Cell::Text(product.name(t.locale).to_owned()),
                xlsx::Cell::Text(product.gtin.clone()),
                text(category_name(product.category_id)),
                xlsx::Cell::Integer(product.pack_size),
                xlsx::Cell::Text(t.t(&format!("unit.{}", product.unit)).to_owned()),
                xlsx::Cell::Text(t.t(&format!("product_status.{}", product.status.code())).to_owned()),
            ]
        })
        .collect();
    list_export(
        t,
        "products.xlsx",
        "nav.products",
        &[
            "product.sku",
            "product.name",
            "product.gtin",
            "catalog.category",
            "catalog.pack",
            "product.unit",
            "product.status",
        ],
        &rows,
    )
}

/// Which of a dealer's users opened which products, in the statistics page's order.
pub async fn product_views(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    audience: &DealerAudience,
    sort: platform::Sort,
) -> Result<Response, WebError> {
    let views = catalog::queries::product_views(&state.db, actor, audience, t.locale, sort, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = views
        .into_iter()
        .map(|view| {
            vec![
                xlsx::Cell::Text(view.sku),
                xlsx::Cell::Text(view.name),
                xlsx::Cell::Text(view.user_login),
                xlsx::Cell::Integer(view.view_count),
                xlsx::Cell::Date(view.last_viewed_at.date_naive()),
            ]
        })
        .collect();
    list_export(
        t,
        &format!("product-views-{}.xlsx", audience.dealer_id),
        "statistics.views",
        &[
            "catalog.sku",
            "catalog.product",
            "statistics.user",
            "statistics.count",
            "statistics.last_viewed",
        ],
        &rows,
    )
}

/// The translator for an API caller's export: the caller's language and the tenant's time
/// zone, so that the file is the same as the page's.
pub(crate) async fn api_translator(
    state: &AppState,
    caller: &crate::session::ApiCaller,
) -> Result<Translator, WebError> {
    let tenant = state.tenant(caller.signed_in.actor.tenant_id).await?;
    Ok(Translator::new(
        caller.locale,
        tenant.time_zone.parse().unwrap_or(chrono_tz::UTC),
    ))
}

/// A moment as the reader's locale writes it in the tenant's time zone, or an empty cell.
fn moment(t: &Translator, at: Option<chrono::DateTime<chrono::Utc>>) -> xlsx::Cell {
    at.map_or(xlsx::Cell::Empty, |at| xlsx::Cell::Text(t.date_time(&at)))
}

/// The audit log under `filter`, as the audit page shows it, with the records as JSON.
pub async fn audit_log(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &platform::audit::AuditFilter,
) -> Result<Response, WebError> {
    let records = platform::audit::list(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let json = |value: Option<serde_json::Value>| text(value.map(|v| v.to_string()));
    let rows: Vec<Vec<xlsx::Cell>> = records
        .into_iter()
        .map(|record| {
            vec![
                moment(t, Some(record.occurred_at)),
                xlsx::Cell::Text(record.actor_name),
                xlsx::Cell::Text(record.entity),
                xlsx::Cell::Integer(record.entity_id),
                xlsx::Cell::Text(record.action),
                json(record.before),
                json(record.after),
            ]
        })
        .collect();
    list_export(
        t,
        "audit-log.xlsx",
        "nav.audit",
        &[
            "audit.time",
            "audit.actor",
            "audit.entity",
            "audit.entity_id",
            "audit.action",
            "audit.before",
            "audit.after",
        ],
        &rows,
    )
}

/// The background jobs under `filter`, as the jobs page shows them.
pub async fn jobs(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &platform::jobs::JobFilter,
) -> Result<Response, WebError> {
    let jobs = platform::jobs::list(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = jobs
        .into_iter()
        .map(|job| {
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
        })
        .collect();
    list_export(
        t,
        "jobs.xlsx",
        "nav.jobs",
        &[
            "job.id",
            "job.kind",
            "job.status",
            "job.attempts",
            "job.run_at",
            "job.last_error",
            "job.created_at",
            "job.finished_at",
        ],
        &rows,
    )
}

/// The stock levels under the query's filters and sort, as the stock page shows them.
pub async fn stock(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    query: &crate::api::StockQuery,
) -> Result<Response, WebError> {
    let levels = fulfilment::queries::stock_levels(
        &state.db,
        actor,
        query.warehouse_id,
        query.sku.as_deref(),
        query.alerts.unwrap_or(false),
        query.sort()?,
        PageRequest::export(),
    )
    .await?
    .exportable()?;
    let optional = |value: Option<i64>| value.map_or(xlsx::Cell::Empty, xlsx::Cell::Integer);
    let rows: Vec<Vec<xlsx::Cell>> = levels
        .into_iter()
        .map(|level| {
            vec![
                xlsx::Cell::Text(level.warehouse_code),
                xlsx::Cell::Text(level.sku),
                xlsx::Cell::Integer(level.on_hand),
                xlsx::Cell::Integer(level.reserved),
                xlsx::Cell::Integer(level.available),
                optional(level.safety_stock),
                optional(level.max_stock),
            ]
        })
        .collect();
    list_export(
        t,
        "stock.xlsx",
        "nav.stock",
        &[
            "order.warehouse",
            "catalog.sku",
            "stock.on_hand",
            "stock.reserved",
            "stock.available",
            "stock.safety_stock",
            "stock.max_stock",
        ],
        &rows,
    )
}

/// The EDI archive under `filter`, as the EDI monitor shows it.
pub async fn interchanges(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &edi::queries::ArchiveFilter,
) -> Result<Response, WebError> {
    let interchanges = edi::queries::archive(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = interchanges
        .into_iter()
        .map(|interchange| {
            vec![
                xlsx::Cell::Text(interchange.control_reference),
                xlsx::Cell::Text(t.t(&format!("edi_direction.{}", interchange.direction)).to_owned()),
                xlsx::Cell::Text(interchange.dealer_code.unwrap_or(interchange.sender)),
                xlsx::Cell::Text(interchange.message_types.join(", ")),
                xlsx::Cell::Text(t.t(&format!("edi_status.{}", interchange.status)).to_owned()),
                text(
                    interchange
                        .contrl
                        .map(|contrl| t.t(&format!("edi_contrl.{contrl}")).to_owned()),
                ),
                moment(t, Some(interchange.created_at)),
            ]
        })
        .collect();
    list_export(
        t,
        "edi-interchanges.xlsx",
        "nav.edi",
        &[
            "edi.reference",
            "edi.direction",
            "edi.partner",
            "edi.messages",
            "edi.status",
            "edi.contrl",
            "edi.at",
        ],
        &rows,
    )
}

/// The shipments under `filter`, as the shipment list shows them, with their packages and
/// lines as text.
pub async fn shipments(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &fulfilment::queries::ShipmentFilter,
) -> Result<Response, WebError> {
    let shipments = fulfilment::queries::shipment_list(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = shipments
        .into_iter()
        .map(|shipment| {
            let lines = shipment
                .lines
                .iter()
                .map(|line| format!("#{} {} × {}", line.order_line_number, line.sku, line.quantity))
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                xlsx::Cell::Text(shipment.number),
                xlsx::Cell::Text(shipment.dealer_order_number),
                xlsx::Cell::Text(shipment.dealer_code),
                moment(t, Some(shipment.shipped_at)),
                xlsx::Cell::Text(shipment.warehouse_code),
                xlsx::Cell::Text(shipment.vehicle),
                shipment.planned_arrival_on.map_or(xlsx::Cell::Empty, xlsx::Cell::Date),
                xlsx::Cell::Text(shipment.packages.join(", ")),
                xlsx::Cell::Text(lines),
            ]
        })
        .collect();
    list_export(
        t,
        "shipments.xlsx",
        "nav.shipments",
        &[
            "shipment.number",
            "order.number",
            "order.dealer",
            "shipment.shipped_at",
            "order.warehouse",
            "shipment.vehicle",
            "shipment.planned_arrival",
            "shipment.packages",
            "order.lines",
        ],
        &rows,
    )
}

/// The reader's messages under `filter`, as the message centre shows them.
pub async fn messages(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &platform::messages::MessageFilter,
) -> Result<Response, WebError> {
    let messages = platform::messages::list_filtered(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = messages
        .into_iter()
        .map(|message| {
            vec![
                moment(t, Some(message.created_at)),
                xlsx::Cell::Text(crate::pages::message_text(t, &message)),
                moment(t, message.read_at),
            ]
        })
        .collect();
    list_export(
        t,
        "messages.xlsx",
        "nav.messages",
        &["messages.time", "messages.text", "messages.read_at"],
        &rows,
    )
}

/// The receipts under `filter`, as the discrepancy list shows them, with their lines as text.
pub async fn receipts(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &fulfilment::queries::ReceiptFilter,
) -> Result<Response, WebError> {
    let receipts = fulfilment::queries::receipt_list(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = receipts
        .into_iter()
        .map(|receipt| {
            let lines = receipt
                .lines
                .iter()
                .map(|line| {
                    format!(
                        "#{} {}: {} / {} / {}",
                        line.order_line_number,
                        line.sku,
                        line.shipped_quantity,
                        line.received_quantity,
                        line.rejected_quantity
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                xlsx::Cell::Text(receipt.shipment_number),
                xlsx::Cell::Text(receipt.dealer_order_number),
                xlsx::Cell::Text(receipt.dealer_code),
                moment(t, Some(receipt.received_at)),
                xlsx::Cell::Text(lines),
                xlsx::Cell::Text(t.t(&format!("receipt.discrepancy_{}", receipt.discrepancy)).to_owned()),
            ]
        })
        .collect();
    list_export(
        t,
        "receipts.xlsx",
        "nav.discrepancies",
        &[
            "shipment.number",
            "order.number",
            "order.dealer",
            "receipt.received_at",
            "receipt.lines_export",
            "receipt.discrepancy",
        ],
        &rows,
    )
}

/// The integration tokens under `filter`, as the tokens page shows them (never their secrets).
pub async fn api_tokens(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    filter: &identity::queries::ApiTokenFilter,
) -> Result<Response, WebError> {
    let tokens = identity::queries::api_tokens(&state.db, actor, filter, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = tokens
        .into_iter()
        .map(|token| {
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
        })
        .collect();
    list_export(
        t,
        "api-tokens.xlsx",
        "nav.api_tokens",
        &[
            "token.name",
            "token.user",
            "token.role",
            "token.created_at",
            "token.expires_at",
            "token.last_used_at",
            "token.revoked_at",
        ],
        &rows,
    )
}

/// The imports of `kinds` under `filter`, as the imports page lists them.
pub async fn imports(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    kinds: &[&str],
    filter: &platform::imports::ImportFilter,
) -> Result<Response, WebError> {
    if kinds.is_empty() {
        return Err(platform::Failure::Forbidden.into());
    }
    let imports = platform::imports::list(&state.db, actor, kinds, filter, PageRequest::export())
        .await?
        .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = imports
        .into_iter()
        .map(|import| {
            vec![
                xlsx::Cell::Text(import.file_name),
                xlsx::Cell::Text(t.t(&format!("import.kind_{}", import.kind)).to_owned()),
                xlsx::Cell::Text(t.t(&format!("import.status_{}", import.status)).to_owned()),
                xlsx::Cell::Integer(import.rows_total),
                xlsx::Cell::Integer(import.rows_applied),
                moment(t, Some(import.created_at)),
                moment(t, import.finished_at),
            ]
        })
        .collect();
    list_export(
        t,
        "imports.xlsx",
        "nav.imports",
        &[
            "import.file",
            "import.kind",
            "import.status",
            "import.rows",
            "import.applied",
            "import.started",
            "import.finished",
        ],
        &rows,
    )
}

/// The returns under the query's filters and sort, as the returns page shows them, with their
/// lines as text.
pub async fn returns(
    state: &AppState,
    actor: &Actor,
    t: &Translator,
    query: &crate::api::ReturnQuery,
) -> Result<Response, WebError> {
    let returns = fulfilment::returns::returns(
        &state.db,
        actor,
        query.order_id,
        query.state(),
        query.sort()?,
        PageRequest::export(),
    )
    .await?
    .exportable()?;
    let rows: Vec<Vec<xlsx::Cell>> = returns
        .into_iter()
        .map(|item| {
            let lines = item
                .lines
                .iter()
                .map(|line| format!("#{} {} × {}", line.order_line_number, line.sku, line.quantity))
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                text(item.notice_number),
                xlsx::Cell::Text(item.dealer_order_number),
                xlsx::Cell::Text(item.dealer_code),
                xlsx::Cell::Text(item.shipment_number),
                moment(t, Some(item.requested_at)),
                xlsx::Cell::Text(lines),
                xlsx::Cell::Text(t.t(&format!("return.state_{}", item.state)).to_owned()),
            ]
        })
        .collect();
    list_export(
        t,
        "returns.xlsx",
        "nav.returns",
        &[
            "return.notice",
            "order.number",
            "order.dealer",
            "shipment.number",
            "return.requested",
            "order.lines",
            "order.state",
        ],
        &rows,
    )
}

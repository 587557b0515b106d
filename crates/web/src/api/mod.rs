//! The REST API under `/api/v1`: JSON in and out, bearer tokens, RFC 9457 problems, and an
//! OpenAPI 3.1 document generated from the same handler list that builds the router.

mod catalog_api;
mod docs;
mod edi_api;
mod exports_api;
mod fulfilment_api;
mod identity_api;
mod imports_api;
mod ordering_api;
pub use catalog_api::{
    DealerStatisticsQuery, NeverViewedQuery, PriceListQuery, PriceRowQuery, ProductQuery, PromotionQuery,
    SalesOrganisationQuery,
};
pub use edi_api::{ArchiveQuery, CrossReferenceListQuery, PartnerQuery};
pub use exports_api::ExportListQuery;
pub use fulfilment_api::{ReceiptQuery, ReturnQuery, ShipmentQuery, StockQuery, DISCREPANCY_FILTERS};
pub use identity_api::{ApiTokenQuery, DealerGroupQuery, DealerQuery, UserQuery};
pub use imports_api::ListQuery as ImportListQuery;
pub use ordering_api::{ExecutionQuery, OrderQuery};
pub use platform_api::{AuditQuery, JobQuery, MessageQuery};
mod platform_api;

use std::sync::LazyLock;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::{self, Next};
use axum::response::Response;
use platform::{Failure, Locale};
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{seed_for_bare_response, ProblemSeed, WebError};
use crate::i18n::Translator;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Dealerport API",
        description = "Dealers, catalogs, prices, orders and their documents between a manufacturer and its dealers. \
            Authenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`. \
            Errors are RFC 9457 problem details; `Accept-Language` (en, ru, zh) chooses their language."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "identity", description = "Tenant, regions, dealers, users and API tokens"),
        (name = "catalog", description = "Products, publications, each dealer's catalog, favorites and catalog statistics"),
        (name = "pricing", description = "Price lists and their rows"),
        (name = "imports", description = "XLSX imports of products and price-list rows, run as background jobs"),
        (name = "exports", description = "XLSX exports of large lists, run as background jobs"),
        (name = "ordering", description = "Carts, orders, the order desk and dealers' credit"),
        (name = "fulfilment", description = "Warehouses, stock, shipments, receipts and returns"),
        (name = "edi", description = "EDI partners, the inbox and outbox of EANCOM interchanges, and their archive"),
        (name = "platform", description = "Message centre, mail server, audit log and background jobs"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The XLSX exports of lists, `GET /<list>/export` beside each list. Kept apart from [`router`]
/// because every `routes!` adds to the stack frame of the function holding it, and one function
/// with all of them overflows a 2 MiB thread stack in debug builds.
#[inline(never)]
fn list_exports(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(identity_api::export_dealers))
        .routes(routes!(identity_api::export_users))
        .routes(routes!(catalog_api::export_price_lists))
        .routes(routes!(catalog_api::export_promotions))
        .routes(routes!(ordering_api::export_orders))
        .routes(routes!(ordering_api::export_review_queue))
        .routes(routes!(ordering_api::export_order_execution))
        .routes(routes!(catalog_api::export_products))
        .routes(routes!(catalog_api::export_product_views))
        .routes(routes!(platform_api::export_audit_log))
        .routes(routes!(platform_api::export_jobs))
        .routes(routes!(fulfilment_api::export_stock))
        .routes(routes!(edi_api::export_archive))
        .routes(routes!(edi_api::export_partners))
        .routes(routes!(fulfilment_api::export_shipments))
        .routes(routes!(platform_api::export_messages))
        .routes(routes!(fulfilment_api::export_receipts))
        .routes(routes!(identity_api::export_api_tokens))
        .routes(routes!(imports_api::export))
        .routes(routes!(fulfilment_api::export_returns))
        .routes(routes!(catalog_api::export_sales_organisations))
        .routes(routes!(identity_api::export_dealer_groups))
        .routes(routes!(exports_api::list))
        .routes(routes!(exports_api::export))
        .routes(routes!(exports_api::get))
        .routes(routes!(exports_api::file))
}

/// Every API route; adding a handler here adds it to the router and to the document.
pub fn router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(identity_api::issue_token))
        .routes(routes!(identity_api::me))
        .routes(routes!(identity_api::get_tenant, identity_api::update_tenant))
        .routes(routes!(identity_api::list_regions, identity_api::create_region))
        .routes(routes!(identity_api::export_regions))
        .routes(routes!(identity_api::get_region, identity_api::rename_region))
        .routes(routes!(
            identity_api::list_dealer_groups,
            identity_api::create_dealer_group
        ))
        .routes(routes!(identity_api::list_dealers, identity_api::create_dealer))
        .routes(routes!(identity_api::get_dealer, identity_api::update_dealer))
        .routes(routes!(identity_api::add_delivery_location))
        .routes(routes!(identity_api::add_contact))
        .routes(routes!(identity_api::list_users, identity_api::create_user))
        .routes(routes!(identity_api::get_user, identity_api::update_user))
        .routes(routes!(identity_api::reset_password))
        .routes(routes!(identity_api::list_api_tokens, identity_api::create_api_token))
        .routes(routes!(identity_api::revoke_api_token))
        .routes(routes!(catalog_api::dealer_catalog))
        .routes(routes!(catalog_api::export_catalog))
        .routes(routes!(catalog_api::catalog_product))
        .routes(routes!(catalog_api::why_this_price))
        .routes(routes!(catalog_api::add_favorite, catalog_api::remove_favorite))
        .routes(routes!(catalog_api::list_categories, catalog_api::create_category))
        .routes(routes!(catalog_api::export_categories))
        .routes(routes!(
            catalog_api::list_sales_organisations,
            catalog_api::create_sales_organisation
        ))
        .routes(routes!(catalog_api::category_tree))
        .routes(routes!(catalog_api::update_category, catalog_api::delete_category))
        .routes(routes!(catalog_api::list_products, catalog_api::create_product))
        .routes(routes!(catalog_api::get_product, catalog_api::update_product))
        .routes(routes!(
            catalog_api::list_product_images,
            catalog_api::add_product_image
        ))
        .routes(routes!(
            catalog_api::get_product_image,
            catalog_api::delete_product_image
        ))
        .routes(routes!(catalog_api::publish))
        .routes(routes!(catalog_api::withdraw))
        .routes(routes!(catalog_api::product_views))
        .routes(routes!(catalog_api::never_viewed))
        .routes(routes!(catalog_api::export_never_viewed))
        .routes(routes!(catalog_api::list_price_lists, catalog_api::create_price_list))
        .routes(routes!(catalog_api::get_price_list))
        .routes(routes!(catalog_api::export_price_list))
        .routes(routes!(catalog_api::list_price_rows, catalog_api::add_price_rows))
        .routes(routes!(catalog_api::list_promotions, catalog_api::create_promotion))
        .routes(routes!(catalog_api::set_promotion_status))
        .routes(routes!(ordering_api::get_cart, ordering_api::clear_cart))
        .routes(routes!(ordering_api::set_cart_line))
        .routes(routes!(ordering_api::add_cart_entries))
        .routes(routes!(ordering_api::order_cart))
        .routes(routes!(ordering_api::save_cart))
        .routes(routes!(ordering_api::restore_cart))
        .routes(routes!(ordering_api::delete_saved_cart))
        .routes(routes!(ordering_api::list_orders, ordering_api::place_order))
        .routes(routes!(ordering_api::upload_orders))
        .routes(routes!(ordering_api::order_upload_template))
        .routes(routes!(ordering_api::review_queue))
        .routes(routes!(ordering_api::get_order))
        .routes(routes!(ordering_api::reorder))
        .routes(routes!(ordering_api::confirm_order))
        .routes(routes!(ordering_api::reject_order))
        .routes(routes!(ordering_api::undo_rejection))
        .routes(routes!(ordering_api::submit_draft))
        .routes(routes!(ordering_api::cancel_order))
        .routes(routes!(ordering_api::decide_credit_hold))
        .routes(routes!(ordering_api::set_dealer_credit))
        .routes(routes!(ordering_api::order_execution))
        .routes(routes!(
            ordering_api::list_change_requests,
            ordering_api::raise_change_request
        ))
        .routes(routes!(ordering_api::decide_change_request))
        .routes(routes!(ordering_api::withdraw_change_request))
        .routes(routes!(
            fulfilment_api::list_warehouses,
            fulfilment_api::create_warehouse
        ))
        .routes(routes!(fulfilment_api::list_stock))
        .routes(routes!(fulfilment_api::change_stock))
        .routes(routes!(fulfilment_api::assign_warehouse))
        .routes(routes!(fulfilment_api::import_stock))
        .routes(routes!(fulfilment_api::ship))
        .routes(routes!(fulfilment_api::list_shipments))
        .routes(routes!(fulfilment_api::get_shipment))
        .routes(routes!(fulfilment_api::receive))
        .routes(routes!(fulfilment_api::list_receipts))
        .routes(routes!(fulfilment_api::settle))
        .routes(routes!(fulfilment_api::request_return))
        .routes(routes!(fulfilment_api::list_returns))
        .routes(routes!(fulfilment_api::decide_return))
        .routes(routes!(fulfilment_api::receive_return))
        .routes(routes!(fulfilment_api::add_return_photo))
        .routes(routes!(fulfilment_api::return_photo))
        .routes(routes!(imports_api::list, imports_api::upload))
        .routes(routes!(imports_api::get))
        .routes(routes!(imports_api::report))
        .routes(routes!(platform_api::list_messages))
        .routes(routes!(platform_api::read_messages))
        .routes(routes!(platform_api::list_audit_log))
        .routes(routes!(platform_api::list_jobs))
        .routes(routes!(edi_api::list_partners, edi_api::create_partner))
        .routes(routes!(edi_api::get_partner, edi_api::update_partner))
        .routes(routes!(edi_api::send_price_catalogue))
        .routes(routes!(edi_api::cross_references, edi_api::set_cross_references))
        .routes(routes!(edi_api::import_cross_references))
        .routes(routes!(edi_api::receive))
        .routes(routes!(edi_api::outbox))
        .routes(routes!(edi_api::archive))
        .routes(routes!(edi_api::interchange))
        .routes(routes!(edi_api::content))
        .routes(routes!(edi_api::delivered))
        .routes(routes!(edi_api::reprocess))
        .routes(routes!(
            platform_api::get_mail_server,
            platform_api::set_mail_server,
            platform_api::remove_mail_server
        ))
        .fallback(|| async { WebError(Failure::NotFound { entity: "route" }) });
    let v1 = list_exports(v1);
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .route("/api/v1/openapi.json", axum::routing::get(docs::openapi_json))
        .route("/api", axum::routing::get(docs::api_page))
        .layer(middleware::from_fn(render_problems))
}

/// The generated document, built once.
pub static OPENAPI: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| router().split_for_parts().1);

fn api_translator(parts: &Parts) -> Translator {
    let locale = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::negotiate)
        .unwrap_or_default();
    Translator::new(locale, chrono_tz::UTC)
}

/// Renders every failure of the API as problem JSON in the caller's language, including the
/// framework's own rejections (unknown route, wrong method, malformed path).
async fn render_problems(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let t = api_translator(&parts);
    let response = next.run(Request::from_parts(parts, body)).await;
    if let Some(seed) = response.extensions().get::<ProblemSeed>() {
        return seed.to_json_response(&t);
    }
    if let Some(seed) = seed_for_bare_response(&response) {
        return seed.to_json_response(&t);
    }
    response
}

/// The id of what a request created.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// What a JSON handler answers: the value, or the one error type.
pub(super) type ApiResult<T> = Result<axum::Json<T>, WebError>;

/// A JSON body whose decoding errors name the field that is wrong.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(Failure::field("body", "api.json_expected").into());
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| Failure::field("body", "field.too_long"))?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut deserializer) {
            Ok(value) => Ok(ApiJson(value)),
            Err(error) => Err(json_failure(&error).into()),
        }
    }
}

fn json_failure(error: &serde_path_to_error::Error<serde_json::Error>) -> Failure {
    let message = error.inner().to_string();
    let path = error.path().to_string();
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        let field = if path == "." {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return Failure::field(field, "field.required");
    }
    if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|m| m.split('`').next())
    {
        // A field the API does not take, such as a price sent with an order line, is refused
        // rather than silently dropped. The path already ends with the field's name.
        let field = if path == "." { field.to_owned() } else { path };
        return Failure::field(field, "field.unknown");
    }
    if error.inner().is_syntax() || error.inner().is_eof() {
        return Failure::field("body", "api.json_syntax");
    }
    let field = if path == "." { "body".to_owned() } else { path };
    let code = if message.starts_with("invalid type") {
        "field.wrong_type"
    } else {
        "field.invalid"
    };
    Failure::field(field, code)
}

/// Query-string parameters whose decoding errors name the parameter that is wrong.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_html_form::from_str(query)
            .map(ApiQuery)
            .map_err(|e| crate::session::form_failure(&e.to_string()).into())
    }
}

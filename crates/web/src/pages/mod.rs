//! Pages rendered on the server, usable without JavaScript, in the reader's language.
//!
//! Every page is built from a [`Layout`] (branding, navigation, the user menu) and a template
//! in `templates/<capability>/`. Forms post back, and on invalid input the same page is shown
//! again with each error next to its field.

mod account;
mod admin;
mod catalog;
mod categories;
mod dashboard;
mod dealer_groups;
mod dealers;
mod edi;
mod home;
mod messages;
pub use messages::message_text;
mod exports;
mod imports;
mod line_form;
mod mail;
mod never_viewed;
mod order_upload;
mod ordering;
mod pricing;
mod promotions;
mod receipts;
mod regions;
mod returns;
mod sales_organisations;
mod shipments;
mod stock;
mod users;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use platform::{FieldError, Permission};

use crate::error::{field_message, seed_for_bare_response, ProblemSeed, WebError};
use crate::i18n::Translator;
use crate::session::{resolve_locale, PageUser};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/dashboard", get(dashboard::dashboard_page))
        .route("/login", get(account::login_page).post(account::login))
        .route("/logout", post(account::logout))
        .route("/language", get(account::choose_language))
        .route("/account", get(account::account_page))
        .route("/account/password", post(account::change_password))
        .route("/account/language", post(account::save_language))
        .route("/dealers", get(dealers::list).post(dealers::create))
        .route("/dealers/export", get(dealers::export))
        .route("/dealers/new", get(dealers::new_form))
        .route("/dealers/{id}", get(dealers::detail).post(dealers::update))
        .route("/dealers/{id}/edit", get(dealers::edit_form))
        .route("/dealers/{id}/locations", post(dealers::add_location))
        .route("/dealers/{id}/contacts", post(dealers::add_contact))
        .route("/catalog/export", get(catalog::export_catalog))
        .route("/catalog", get(catalog::catalog_page))
        .route("/catalog/{id}", get(catalog::product_page))
        .route("/catalog/{id}/favorite", post(catalog::toggle_favorite))
        .route("/favorites", get(catalog::favorites_page))
        .route("/catalog-statistics", get(catalog::statistics_page))
        .route("/catalog-statistics/export", get(catalog::export_statistics))
        .route("/catalog-statistics/never-viewed", get(never_viewed::never_viewed_page))
        .route("/catalog-statistics/never-viewed/export", get(never_viewed::export))
        .route("/categories", get(categories::categories_page).post(categories::create))
        .route("/categories/export", get(categories::export))
        .route(
            "/categories/{id}",
            get(categories::category_page).post(categories::update),
        )
        .route("/categories/{id}/delete", post(categories::delete))
        .route("/products", get(catalog::products_page).post(catalog::create_product))
        .route("/products/export", get(catalog::export_products))
        .route("/products/new", get(catalog::new_product_form))
        .route(
            "/products/{id}",
            get(catalog::edit_product_form).post(catalog::update_product),
        )
        .route("/products/{id}/publish", post(catalog::publish_product))
        .route(
            "/products/{id}/images",
            post(catalog::upload_image).layer(DefaultBodyLimit::max(catalog_images_limit())),
        )
        .route(
            "/products/{id}/images/{image_id}",
            get(catalog::image).post(catalog::change_image),
        )
        .route("/products/{id}/withdraw", post(catalog::withdraw_product))
        .route(
            "/price-lists",
            get(pricing::price_lists_page).post(pricing::create_price_list),
        )
        .route("/promotions", get(promotions::promotions_page).post(promotions::create))
        .route("/promotions/export", get(promotions::export))
        .route("/promotions/new", get(promotions::new_form))
        .route("/promotions/{id}/status", post(promotions::set_status))
        .route("/price-lists/export", get(pricing::export_price_lists))
        .route("/price-lists/{id}/export", get(pricing::export_price_list))
        .route("/price-lists/{id}", get(pricing::price_list_page))
        .route("/price-lists/{id}/rows", post(pricing::add_price_row))
        .route("/cart", get(ordering::cart_page))
        .route("/cart/lines", post(ordering::put_line))
        .route("/cart/entries", post(ordering::add_entries))
        .route("/cart/saved", post(ordering::saved_cart))
        .route("/cart/clear", post(ordering::clear_cart))
        .route("/cart/order", post(ordering::order_cart))
        .route("/orders", get(ordering::orders_page))
        .route(
            "/orders/upload",
            get(order_upload::upload_page)
                .post(order_upload::upload)
                .layer(DefaultBodyLimit::max(crate::order_upload::MAX_BYTES + 64 * 1024)),
        )
        .route("/orders/upload/template", get(order_upload::template))
        .route("/orders/export", get(ordering::export_orders))
        .route("/order-desk", get(ordering::order_desk_page))
        .route("/reports/order-execution", get(ordering::execution_page))
        .route("/reports/order-execution/export", get(ordering::export_execution))
        .route("/order-desk/export", get(ordering::export_order_desk))
        .route("/orders/{id}", get(ordering::order_page))
        .route("/orders/{id}/confirm", post(ordering::confirm))
        .route("/orders/{id}/reject", post(ordering::reject))
        .route("/orders/{id}/undo-rejection", post(ordering::undo_rejection))
        .route("/orders/{id}/submit", post(ordering::submit_draft))
        .route("/orders/{id}/cancel", post(ordering::cancel))
        .route("/orders/{id}/credit-decision", post(ordering::decide_credit))
        .route("/orders/{id}/reorder", post(ordering::reorder))
        .route("/orders/{id}/change-requests", post(ordering::propose_change))
        .route("/change-requests/{id}/decision", post(ordering::decide_change))
        .route("/sales-orders/{id}/shipments", post(shipments::ship))
        .route("/shipments", get(shipments::shipments_page))
        .route("/shipments/export", get(shipments::export_shipments))
        .route("/shipments/{id}/receipt", post(receipts::receive))
        .route("/receipts/{id}/settlement", post(receipts::settle))
        .route("/discrepancies", get(receipts::discrepancies_page))
        .route("/discrepancies/export", get(receipts::export_discrepancies))
        .route("/stock", get(stock::stock_page))
        .route("/stock/export", get(stock::export_stock))
        .route("/shipments/{id}/returns", post(returns::request))
        .route("/returns", get(returns::returns_page))
        .route("/returns/export", get(returns::export_returns))
        .route("/returns/{id}/decision", post(returns::decide))
        .route("/returns/{id}/arrival", post(returns::arrival))
        .route(
            "/returns/{id}/photos",
            post(returns::add_photo).layer(DefaultBodyLimit::max(platform::pictures::MAX_BYTES + 64 * 1024)),
        )
        .route("/returns/{id}/photos/{photo_id}", get(returns::photo))
        .route("/change-requests/{id}/withdraw", post(ordering::withdraw_change))
        .route(
            "/imports",
            get(imports::imports_page)
                .post(imports::upload)
                .layer(DefaultBodyLimit::max(crate::imports::MAX_BYTES + 64 * 1024)),
        )
        .route("/imports/export", get(imports::export_imports))
        .route("/imports/template/{kind}", get(imports::template))
        .route("/imports/{id}", get(imports::import_page))
        .route("/exports", get(exports::exports_page))
        .route("/exports/export", get(exports::export_exports))
        .route("/exports/{id}", get(exports::export_page))
        .route("/exports/{id}/file", get(exports::export_file))
        .route("/imports/{id}/report", get(imports::report))
        .route("/messages", get(messages::messages_page))
        .route("/messages/export", get(messages::export_messages))
        .route("/messages/read", post(messages::mark_read))
        .route("/dealer-groups", get(dealer_groups::list))
        .route("/dealer-groups/export", get(dealer_groups::export))
        .route("/regions", get(regions::list).post(regions::create))
        .route("/regions/export", get(regions::export))
        .route(
            "/sales-organisations",
            get(sales_organisations::list).post(sales_organisations::create),
        )
        .route("/sales-organisations/export", get(sales_organisations::export))
        .route("/users", get(users::list).post(users::create))
        .route("/users/export", get(users::export))
        .route("/users/new", get(users::new_form))
        .route("/users/{id}", get(users::edit_form).post(users::update))
        .route("/users/{id}/password", post(users::reset_password))
        .route("/admin/settings", get(admin::settings_page).post(admin::save_settings))
        .route("/admin/logo", post(admin::upload_logo))
        .route("/edi", get(edi::archive))
        .route("/edi/export", get(edi::export_archive))
        .route("/edi/partners", get(edi::partners).post(edi::create_partner))
        .route("/edi/partners/export", get(edi::export_partners))
        .route("/edi/partners/new", get(edi::new_partner_form))
        .route("/edi/partners/{id}", post(edi::update_partner))
        .route("/edi/partners/{id}/edit", get(edi::edit_partner_form))
        .route(
            "/edi/partners/{id}/cross-references",
            get(edi::cross_references).post(edi::save_cross_reference),
        )
        .route(
            "/edi/partners/{id}/cross-references/remove",
            post(edi::remove_cross_reference),
        )
        .route(
            "/edi/partners/{id}/cross-references/import",
            post(edi::import_cross_references).layer(DefaultBodyLimit::max(crate::imports::MAX_BYTES + 64 * 1024)),
        )
        .route(
            "/edi/partners/{id}/cross-references/export",
            get(edi::export_cross_references),
        )
        .route("/edi/interchanges/{id}", get(edi::interchange))
        .route("/edi/messages/{id}/reprocess", post(edi::reprocess))
        .route("/admin/mail", get(mail::show).post(mail::save))
        .route("/admin/mail/remove", post(mail::remove))
        .route("/admin/api-tokens", get(admin::tokens_page).post(admin::create_token))
        .route("/admin/api-tokens/export", get(admin::export_tokens))
        .route("/admin/api-tokens/{id}/revoke", post(admin::revoke_token))
        .route("/admin/audit", get(admin::audit_page))
        .route("/admin/audit/export", get(admin::export_audit))
        .route("/admin/jobs", get(admin::jobs_page))
        .route("/admin/jobs/export", get(admin::export_jobs))
        .route("/brand/logo", get(admin::logo))
        .route("/static/app.css", get(stylesheet))
        .fallback(|| async { WebError(platform::Failure::NotFound { entity: "page" }) })
        .layer(middleware::from_fn(render_failures))
}

/// A picture upload's body: the picture and the form around it.
fn catalog_images_limit() -> usize {
    ::catalog::domain::IMAGE_MAX_BYTES + 64 * 1024
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

/// A menu entry; shown only to those whose roles grant `permission`.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

const NAVIGATION: [(&str, &str, Option<Permission>); 29] = [
    ("/", "nav.home", None),
    ("/dashboard", "nav.dashboard", Some(Permission::ViewDashboard)),
    ("/dealers", "nav.dealers", Some(Permission::ViewDealers)),
    ("/catalog", "nav.catalog", Some(Permission::ViewCatalog)),
    ("/favorites", "nav.favorites", Some(Permission::ViewCatalog)),
    ("/cart", "nav.cart", Some(Permission::PlaceOrders)),
    ("/orders", "nav.orders", Some(Permission::ViewOrders)),
    ("/order-desk", "nav.order_desk", Some(Permission::ReviewOrders)),
    ("/shipments", "nav.shipments", Some(Permission::ViewOrders)),
    ("/discrepancies", "nav.discrepancies", Some(Permission::ReviewOrders)),
    ("/returns", "nav.returns", Some(Permission::ViewOrders)),
    ("/stock", "nav.stock", Some(Permission::ViewStock)),
    (
        "/reports/order-execution",
        "nav.order_execution",
        Some(Permission::ViewOrders),
    ),
    ("/products", "nav.products", Some(Permission::ViewProducts)),
    ("/categories", "nav.categories", Some(Permission::ViewProducts)),
    (
        "/sales-organisations",
        "nav.sales_organisations",
        Some(Permission::ViewProducts),
    ),
    ("/price-lists", "nav.price_lists", Some(Permission::ViewPrices)),
    ("/promotions", "nav.promotions", Some(Permission::ViewPrices)),
    ("/imports", "nav.imports", Some(Permission::ManageCatalog)),
    ("/exports", "nav.exports", None),
    (
        "/catalog-statistics",
        "nav.catalog_statistics",
        Some(Permission::ViewCatalogStatistics),
    ),
    ("/edi", "nav.edi", Some(Permission::ViewEdi)),
    ("/regions", "nav.regions", Some(Permission::ViewRegions)),
    ("/users", "nav.users", Some(Permission::ViewUsers)),
    ("/admin/api-tokens", "nav.api_tokens", Some(Permission::ManageApiTokens)),
    ("/admin/audit", "nav.audit", Some(Permission::ViewAuditLog)),
    ("/admin/jobs", "nav.jobs", Some(Permission::ViewJobs)),
    ("/admin/settings", "nav.settings", Some(Permission::ManageTenant)),
    ("/admin/mail", "nav.mail", Some(Permission::ManageTenant)),
];

/// What every signed-in page shows around its content.
pub struct Layout {
    pub t: Translator,
    pub tenant_name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub has_logo: bool,
    pub user_name: String,
    pub dealer_name: Option<String>,
    pub csrf_token: String,
    pub nav: Vec<NavItem>,
    /// A one-line confirmation after a successful form, from `?done=<key>`.
    pub notice: Option<String>,
    pub title: String,
    /// Reload the page after this many seconds: pages that follow work in progress, without script.
    pub refresh_seconds: Option<u32>,
    pub unread_messages: i64,
}

impl Layout {
    pub fn new(user: &PageUser, active: &str, title_key: &str) -> Layout {
        let actor = user.actor();
        let nav = NAVIGATION
            .iter()
            .filter(|(_, _, permission)| permission.is_none_or(|p| actor.can(p)))
            .map(|(href, label, _)| NavItem {
                href,
                label,
                active: *href == active,
            })
            .collect();
        Layout {
            t: user.t,
            tenant_name: user.tenant.name.clone(),
            primary_color: user.tenant.brand_primary_color.clone(),
            accent_color: user.tenant.brand_accent_color.clone(),
            has_logo: user.tenant.has_logo,
            user_name: user.signed_in.user.display_name.clone(),
            dealer_name: user.signed_in.user.dealer_name.clone(),
            csrf_token: user.csrf_token().to_owned(),
            nav,
            notice: None,
            title: user.t.t(title_key).to_owned(),
            refresh_seconds: None,
            unread_messages: user.unread_messages,
        }
    }

    /// Shows the confirmation named by `done`, if it is one of ours.
    pub fn with_notice(mut self, done: Option<&str>) -> Layout {
        self.notice = done
            .filter(|key| key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .map(|key| self.t.t(&format!("notice.{key}")).to_owned());
        self
    }
}

/// Who decided and why, as one line: "Anna: not in stock", or just who when no reason was given.
pub fn decided_by(who: &Option<String>, why: &Option<String>) -> String {
    match (who, why) {
        (Some(who), Some(why)) => format!("{who}: {why}"),
        (Some(who), None) => who.clone(),
        _ => String::new(),
    }
}

/// Field errors of a form, in the reader's language, to show next to each field.
#[derive(Default)]
pub struct FormErrors {
    messages: HashMap<String, String>,
    pub summary: Option<String>,
}

impl FormErrors {
    pub fn none() -> FormErrors {
        FormErrors::default()
    }

    pub fn from_fields(t: &Translator, errors: &[FieldError]) -> FormErrors {
        let mut messages = HashMap::new();
        for error in errors {
            messages
                .entry(error.field.clone())
                .or_insert_with(|| field_message(t, error));
        }
        FormErrors {
            messages,
            summary: Some(t.t("problem.invalid").to_owned()),
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.messages.get(field).map(String::as_str)
    }

    /// Whether any field of a form whose fields share this prefix has an error, to open it.
    pub fn any_starting_with(&self, prefix: &str) -> bool {
        self.messages.keys().any(|field| field.starts_with(prefix))
    }

    pub fn any(&self) -> bool {
        self.summary.is_some()
    }

    /// Every field with its message.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.messages
            .iter()
            .map(|(field, message)| (field.as_str(), message.as_str()))
    }

    /// The same errors with `from`'s under the name `to`: for a form field that the page
    /// translates before the command sees it, such as a dealer code for a dealer id.
    pub fn renamed(mut self, from: &str, to: &str) -> FormErrors {
        if let Some(message) = self.messages.remove(from) {
            self.messages.insert(to.to_owned(), message);
        }
        self
    }

    /// These errors with `message` for `field`, in place of what the field had.
    pub fn with_message(mut self, t: &Translator, field: &str, message: String) -> FormErrors {
        self.messages.insert(field.to_owned(), message);
        self.summary = self.summary.or_else(|| Some(t.t("problem.invalid").to_owned()));
        self
    }

    /// These errors and `other`'s; where both name a field, these win.
    pub fn merged(mut self, other: FormErrors) -> FormErrors {
        for (field, message) in other.messages {
            self.messages.entry(field).or_insert(message);
        }
        self.summary = self.summary.or(other.summary);
        self
    }
}

/// A record typed into a form field by what people know it by — a dealer by its code, a user by
/// its login. Forms refer to dealers and users this way rather than by a list to choose from,
/// since a tenant may have ten thousand of them; a `datalist` of suggestions and a link to the
/// list help find the code.
pub(super) enum Coded<T> {
    /// The field was left empty.
    Blank,
    Found(T),
    /// Nothing in the reader's scope has the code typed.
    Unknown(String),
}

impl<T> Coded<T> {
    /// The record `find` gives for the code typed; an empty field is not looked up.
    pub(super) async fn find<E>(
        typed: &str,
        find: impl AsyncFnOnce(&str) -> Result<Option<T>, E>,
    ) -> Result<Coded<T>, WebError>
    where
        WebError: From<E>,
    {
        let typed = typed.trim();
        if typed.is_empty() {
            return Ok(Coded::Blank);
        }
        Ok(match find(typed).await? {
            Some(found) => Coded::Found(found),
            None => Coded::Unknown(typed.to_owned()),
        })
    }

    /// The command's errors about the record's id, moved to the code field that was typed; an
    /// unknown code is said with the message `unknown` (taking `{code}`), and so is an empty
    /// field that the form requires.
    pub(super) fn errors_as(
        &self,
        t: &Translator,
        errors: FormErrors,
        (id_field, code_field): (&str, &str),
        required: bool,
        unknown: &str,
    ) -> FormErrors {
        let errors = errors.renamed(id_field, code_field);
        match self {
            Coded::Unknown(code) => errors.with_message(t, code_field, t.t_with(unknown, &[("code", code.clone())])),
            Coded::Blank if required => errors.with_message(t, code_field, t.t("field.required").to_owned()),
            Coded::Blank | Coded::Found(_) => errors,
        }
    }
}

/// Splits a command's result: field errors go back to the form, anything else is a failure.
pub fn form_outcome<T>(t: &Translator, result: Result<T, WebError>) -> Result<Result<T, FormErrors>, WebError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(WebError(platform::Failure::Invalid(errors))) => Ok(Err(FormErrors::from_fields(t, &errors))),
        Err(other) => Err(other),
    }
}

pub fn render(template: &impl Template) -> Result<Response, WebError> {
    render_with_status(StatusCode::OK, template)
}

pub fn render_with_status(status: StatusCode, template: &impl Template) -> Result<Response, WebError> {
    let html = template
        .render()
        .map_err(|e| platform::Failure::Internal(e.to_string()))?;
    Ok((status, Html(html)).into_response())
}

/// After a successful post: back to a page, with a confirmation to show there.
pub fn redirect_done(to: &str, done: &str) -> Response {
    let separator = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{separator}done={done}")).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Translator,
    status: u16,
    title: String,
    detail: Option<String>,
}

/// Turns failures into pages: the sign-in page for the signed-out, a translated error page
/// for everything else.
async fn render_failures(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let t = Translator::new(resolve_locale(&parts, None, None), chrono_tz::UTC);
    let path = parts.uri.path().to_owned();
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(seed) = response
        .extensions()
        .get::<ProblemSeed>()
        .cloned()
        .or_else(|| seed_for_bare_response(&response))
    else {
        return response;
    };
    if seed.status == StatusCode::UNAUTHORIZED {
        let next = if path.starts_with('/') && !path.starts_with("//") {
            path
        } else {
            "/".to_owned()
        };
        return Redirect::to(&format!("/login?next={}", next.replace('&', "%26"))).into_response();
    }
    let page = ErrorPage {
        t,
        status: seed.status.as_u16(),
        title: t.t(seed.title_key).to_owned(),
        detail: seed.detail(&t).or_else(|| {
            seed.errors
                .first()
                .map(|e| format!("{}: {}", e.field, field_message(&t, e)))
        }),
    };
    let mut rendered = render_with_status(seed.status, &page).unwrap_or_else(|_| seed.status.into_response());
    seed.add_headers(rendered.headers_mut());
    rendered
}

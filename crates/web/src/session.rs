//! Who is asking: the session cookie for pages, the bearer token for the API, the language they
//! read, and the CSRF check that guards every form.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use identity::queries::{self, SignedIn};
use platform::{secret, Failure, Locale};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::WebError;
use crate::i18n::Translator;
use crate::AppState;

pub const SESSION_COOKIE: &str = "dealerport_session";
pub const LANGUAGE_COOKIE: &str = "dealerport_lang";
/// Guards the sign-in form, which has no session yet, by the double-submit pattern.
pub const SIGN_IN_CSRF_COOKIE: &str = "dealerport_signin";

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure when served over TLS.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{secure}")
}

/// The reader's language: their saved preference, then the language they picked on this
/// browser, then what the browser asks for, then the tenant's default.
pub fn resolve_locale(parts: &Parts, preference: Option<Locale>, tenant_default: Option<Locale>) -> Locale {
    preference
        .or_else(|| cookie(parts, LANGUAGE_COOKIE).and_then(Locale::parse))
        .or_else(|| {
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::negotiate)
        })
        .or(tenant_default)
        .unwrap_or_default()
}

/// An API caller, identified by `Authorization: Bearer <token>`.
pub struct ApiCaller {
    pub signed_in: SignedIn,
    /// `Accept-Language` first, then the user's saved language.
    pub locale: Locale,
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(Failure::Unauthenticated)?;
        let signed_in = queries::bearer(&state.db, &state.clock, token)
            .await?
            .ok_or(Failure::Unauthenticated)?;
        let locale = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Locale::negotiate)
            .or(signed_in.user.locale)
            .unwrap_or_default();
        Ok(ApiCaller { signed_in, locale })
    }
}

impl ApiCaller {
    /// Texts in the caller's language, with times in the tenant's time zone, as its pages show them.
    pub async fn translator(&self, state: &AppState) -> Result<Translator, WebError> {
        let tenant = state.tenant(self.signed_in.actor.tenant_id).await?;
        Ok(Translator::new(self.locale, tenant.zone()))
    }
}

/// A person signed in to the pages.
pub struct PageUser {
    pub signed_in: SignedIn,
    pub session_token: String,
    pub tenant: identity::domain::Tenant,
    pub t: Translator,
    /// Shown in every page's header.
    pub unread_messages: i64,
}

impl PageUser {
    pub fn csrf_token(&self) -> &str {
        self.signed_in.csrf_token.as_deref().unwrap_or_default()
    }

    pub fn actor(&self) -> &platform::Actor {
        &self.signed_in.actor
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = cookie(parts, SESSION_COOKIE)
            .ok_or(Failure::Unauthenticated)?
            .to_owned();
        let mut signed_in = queries::session(&state.db, &state.clock, &token)
            .await?
            .ok_or(Failure::Unauthenticated)?;
        let tenant = state.tenant(signed_in.actor.tenant_id).await?;
        let locale = resolve_locale(parts, signed_in.user.locale, Some(tenant.default_locale));
        signed_in.actor.locale = locale;
        let unread_messages = platform::messages::unread(&state.db, &signed_in.actor).await?;
        let t = Translator::new(locale, tenant.zone());
        Ok(PageUser {
            signed_in,
            session_token: token,
            tenant,
            t,
            unread_messages,
        })
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// A form posted by a signed-in person, accepted only with the session's CSRF token.
/// Repeated fields (`roles=a&roles=b`) become lists.
pub struct PageForm<T> {
    pub user: PageUser,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for PageForm<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let user = PageUser::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, 1024 * 1024)
            .await
            .map_err(|_| Failure::field("body", "field.too_long"))?;
        let csrf: CsrfField = serde_html_form::from_bytes(&bytes).map_err(|_| Failure::Forbidden)?;
        if !secret::constant_time_eq(&csrf.csrf_token, user.csrf_token()) {
            return Err(Failure::Forbidden.into());
        }
        let form = serde_html_form::from_bytes(&bytes).map_err(|e| form_failure(&e.to_string()))?;
        Ok(PageForm { user, form })
    }
}

/// Turns a form decoding error into a field error, naming the field when serde does.
pub fn form_failure(message: &str) -> Failure {
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field"))
        .unwrap_or("form");
    let code = if message.contains("missing field") {
        "field.required"
    } else {
        "field.invalid"
    };
    Failure::field(field, code)
}

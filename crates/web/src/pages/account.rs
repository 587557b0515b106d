//! Signing in and out, the language, and the user's own account.

use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use identity::commands;
use platform::{secret, Failure, Locale};
use serde::Deserialize;

use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::error::WebError;
use crate::i18n::Translator;
use crate::session::{
    cookie, resolve_locale, set_cookie, PageForm, PageUser, LANGUAGE_COOKIE, SESSION_COOKIE, SIGN_IN_CSRF_COOKIE,
};
use crate::AppState;

#[derive(Template)]
#[template(path = "identity/login.html")]
struct LoginPage {
    t: Translator,
    csrf_token: String,
    next: String,
    login: String,
    message: Option<String>,
    languages: Vec<(&'static str, &'static str)>,
}

/// Only paths of this site: an absolute URL in `next` would make the sign-in page a redirector.
fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| {
        n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.chars().any(char::is_control)
    })
    .unwrap_or("/")
    .to_owned()
}

fn login_page_response(
    state: &AppState,
    t: Translator,
    next: String,
    login: String,
    message: Option<String>,
) -> Result<Response, WebError> {
    let csrf_token = secret::new_token().map_err(|e| Failure::Internal(e.to_string()))?;
    let page = LoginPage {
        t,
        csrf_token: csrf_token.clone(),
        next,
        login,
        message,
        languages: Locale::ALL.iter().map(|l| (l.code(), l.native_name())).collect(),
    };
    let mut response = render(&page)?;
    if let Ok(value) = set_cookie(SIGN_IN_CSRF_COOKIE, &csrf_token, 3600, state.secure_cookies).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    Query(query): Query<NextQuery>,
    request: Request,
) -> Result<Response, WebError> {
    let (parts, _) = request.into_parts();
    let t = Translator::new(resolve_locale(&parts, None, None), chrono_tz::UTC);
    login_page_response(&state, t, safe_next(query.next.as_deref()), String::new(), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let (parts, body) = request.into_parts();
    let t = Translator::new(resolve_locale(&parts, None, None), chrono_tz::UTC);
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map_err(|_| Failure::field("body", "field.too_long"))?;
    let form: LoginForm = serde_html_form::from_bytes(&bytes).map_err(|_| Failure::Forbidden)?;
    let expected = cookie(&parts, SIGN_IN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !secret::constant_time_eq(expected, &form.csrf_token) {
        return Err(Failure::Forbidden.into());
    }
    let next = safe_next(form.next.as_deref());
    match commands::sign_in(&state.db, &state.clock, &form.login, &form.password).await {
        Ok(session) => {
            let lifetime = (session.expires_at - state.clock.now()).num_seconds();
            let mut response = Redirect::to(&next).into_response();
            if let Ok(value) = set_cookie(SESSION_COOKIE, &session.token, lifetime, state.secure_cookies).parse() {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            if let Ok(value) = set_cookie(SIGN_IN_CSRF_COOKIE, "", 0, state.secure_cookies).parse() {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(error) => {
            let failure: Failure = error.into();
            let message = match &failure {
                Failure::Unauthenticated => t.t("login.wrong").to_owned(),
                Failure::Throttled { retry_after_seconds } => {
                    t.t_with("problem.retry_after", &[("seconds", retry_after_seconds.to_string())])
                }
                Failure::Invalid(_) => t.t("login.wrong").to_owned(),
                _ => return Err(failure.into()),
            };
            login_page_response(&state, t, next, form.login.trim().to_owned(), Some(message))
        }
    }
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn logout(State(state): State<AppState>, form: PageForm<EmptyForm>) -> Result<Response, WebError> {
    commands::sign_out(&state.db, &form.user.session_token).await?;
    let mut response = Redirect::to("/login").into_response();
    if let Ok(value) = set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct LanguageQuery {
    lang: String,
    next: Option<String>,
}

/// Remembers a language on this browser, for pages before sign-in.
pub async fn choose_language(State(state): State<AppState>, Query(query): Query<LanguageQuery>) -> Response {
    let mut response = Redirect::to(&safe_next(query.next.as_deref())).into_response();
    if let Some(locale) = Locale::parse(&query.lang) {
        if let Ok(value) = set_cookie(LANGUAGE_COOKIE, locale.code(), 365 * 24 * 3600, state.secure_cookies).parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[derive(Template)]
#[template(path = "identity/account.html")]
struct AccountPage {
    layout: Layout,
    login: String,
    roles: Vec<String>,
    languages: Vec<(&'static str, &'static str, bool)>,
    errors: FormErrors,
}

fn account_response(user: &PageUser, done: Option<&str>, errors: FormErrors) -> Result<Response, WebError> {
    let preference = user.signed_in.user.locale;
    let page = AccountPage {
        layout: Layout::new(user, "/account", "nav.account").with_notice(done),
        login: user.signed_in.user.login.clone(),
        roles: user
            .signed_in
            .user
            .roles
            .iter()
            .map(|r| format!("role.{}", r.code()))
            .collect(),
        languages: Locale::ALL
            .iter()
            .map(|l| (l.code(), l.native_name(), preference == Some(*l)))
            .collect(),
        errors,
    };
    render(&page)
}

#[derive(Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

pub async fn account_page(user: PageUser, Query(query): Query<DoneQuery>) -> Result<Response, WebError> {
    account_response(&user, query.done.as_deref(), FormErrors::none())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<PasswordForm>,
) -> Result<Response, WebError> {
    let result = commands::change_own_password(
        &state.db,
        &state.clock,
        user.actor(),
        &form.current_password,
        &form.new_password,
    )
    .await
    .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(()) => Ok(redirect_done("/account", "password_changed")),
        Err(errors) => account_response(&user, None, errors),
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    locale: String,
}

pub async fn save_language(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<LanguageForm>,
) -> Result<Response, WebError> {
    let locale = Locale::parse(&form.locale);
    commands::set_own_locale(&state.db, &state.clock, user.actor(), locale).await?;
    let mut response = redirect_done("/account", "saved");
    let cookie_value = match locale {
        Some(locale) => set_cookie(LANGUAGE_COOKIE, locale.code(), 365 * 24 * 3600, state.secure_cookies),
        None => set_cookie(LANGUAGE_COOKIE, "", 0, state.secure_cookies),
    };
    if let Ok(value) = cookie_value.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

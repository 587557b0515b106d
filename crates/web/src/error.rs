//! The one place where failures become HTTP responses: RFC 9457 problem details for the API,
//! translated error pages for people. Server errors are logged with their cause and never shown.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use platform::{Failure, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::Translator;

/// The status code for a failure, decided here and nowhere else.
pub fn status_of(failure: &Failure) -> StatusCode {
    match failure {
        Failure::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Failure::NotFound { .. } => StatusCode::NOT_FOUND,
        Failure::Forbidden => StatusCode::FORBIDDEN,
        Failure::Unauthenticated => StatusCode::UNAUTHORIZED,
        Failure::Conflict { .. } => StatusCode::CONFLICT,
        Failure::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        Failure::Database(platform::DbError::UniqueViolation(_)) => StatusCode::CONFLICT,
        Failure::Database(_) | Failure::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The translation key of a failure's headline.
pub fn title_key(failure: &Failure) -> &'static str {
    match failure {
        Failure::Invalid(_) => "problem.invalid",
        Failure::NotFound { .. } => "problem.not_found",
        Failure::Forbidden => "problem.forbidden",
        Failure::Unauthenticated => "problem.unauthenticated",
        Failure::Conflict { .. } | Failure::Database(platform::DbError::UniqueViolation(_)) => "problem.conflict",
        Failure::Throttled { .. } => "problem.throttled",
        Failure::Database(_) | Failure::Internal(_) => "problem.internal",
    }
}

/// A field error in the reader's language.
pub fn field_message(t: &Translator, error: &FieldError) -> String {
    let params: Vec<(&str, String)> = error.params.iter().map(|(k, v)| (*k, v.clone())).collect();
    t.t_with(error.code, &params)
}

/// Logs what the user must not see; called once for every failure that becomes a 5xx.
pub fn log_if_server_error(failure: &Failure) {
    if status_of(failure).is_server_error() {
        let mut chain = failure.to_string();
        let mut source = std::error::Error::source(failure);
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::error!(error = %chain, "request failed");
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The input field, as the JSON body or query names it.
    pub field: String,
    /// A stable code, such as `field.required`.
    pub code: String,
    pub message: String,
    /// The values the message names, such as `{"max": "100"}`, for clients that word their own.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub params: std::collections::BTreeMap<String, String>,
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A stable key for the detail, such as `order.illegal_transition`, for clients to act on;
    /// the wording of `detail` may change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// The web layer's one error type. Handlers return it; it becomes a bare status carrying a
/// [`ProblemSeed`], which the API renders as problem JSON and the pages as a translated page,
/// each in the reader's language.
#[derive(Debug)]
pub struct WebError(pub Failure);

impl From<Failure> for WebError {
    fn from(failure: Failure) -> Self {
        WebError(failure)
    }
}

impl From<identity::IdentityError> for WebError {
    fn from(error: identity::IdentityError) -> Self {
        WebError(error.into())
    }
}

impl From<platform::DbError> for WebError {
    fn from(error: platform::DbError) -> Self {
        WebError(Failure::Database(error))
    }
}

/// What a response needs to say about a failure, without the failure's private causes.
#[derive(Debug, Clone)]
pub struct ProblemSeed {
    pub status: StatusCode,
    pub title_key: &'static str,
    pub errors: Vec<FieldError>,
    pub detail_key: Option<&'static str>,
    pub retry_after_seconds: Option<i64>,
}

impl ProblemSeed {
    pub fn of(failure: &Failure) -> ProblemSeed {
        ProblemSeed {
            status: status_of(failure),
            title_key: title_key(failure),
            errors: match failure {
                Failure::Invalid(errors) => errors.clone(),
                _ => Vec::new(),
            },
            detail_key: match failure {
                Failure::Conflict { code } => Some(code),
                Failure::Throttled { .. } => Some("problem.retry_after"),
                _ => None,
            },
            retry_after_seconds: match failure {
                Failure::Throttled { retry_after_seconds } => Some(*retry_after_seconds),
                _ => None,
            },
        }
    }

    pub fn detail(&self, t: &Translator) -> Option<String> {
        let seconds = self.retry_after_seconds.unwrap_or_default().to_string();
        self.detail_key.map(|key| t.t_with(key, &[("seconds", seconds)]))
    }

    /// The problem as RFC 9457 JSON, in the reader's language.
    pub fn to_json_response(&self, t: &Translator) -> Response {
        let problem = Problem {
            kind: format!(
                "https://dealerport.dev/problems/{}",
                self.title_key.trim_start_matches("problem.")
            ),
            title: t.t(self.title_key).to_owned(),
            status: self.status.as_u16(),
            detail: self.detail(t),
            code: self.detail_key.map(str::to_owned),
            errors: self
                .errors
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    code: e.code.to_owned(),
                    message: field_message(t, e),
                    params: e.params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
                })
                .collect(),
        };
        let mut response = (self.status, axum::Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        self.add_headers(headers);
        response
    }

    pub fn add_headers(&self, headers: &mut axum::http::HeaderMap) {
        if let Some(seconds) = self.retry_after_seconds {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                headers.insert(header::RETRY_AFTER, value);
            }
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
    }
}

/// A seed for a client error the framework answered by itself (a malformed path or query, an
/// unknown route, a wrong method), so that it too is rendered in the reader's language.
pub fn seed_for_bare_response(response: &Response) -> Option<ProblemSeed> {
    let status = response.status();
    let rendered = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/") || v.as_bytes().starts_with(b"text/html"));
    if !status.is_client_error() || rendered {
        return None;
    }
    let title_key = match status.as_u16() {
        404 => "problem.not_found",
        405 => "problem.method_not_allowed",
        413 => "problem.too_large",
        415 => "problem.unsupported_media_type",
        _ => "problem.bad_request",
    };
    Some(ProblemSeed {
        status,
        title_key,
        errors: Vec::new(),
        detail_key: None,
        retry_after_seconds: None,
    })
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        log_if_server_error(&self.0);
        let seed = ProblemSeed::of(&self.0);
        let mut response = seed.status.into_response();
        response.extensions_mut().insert(seed);
        response
    }
}

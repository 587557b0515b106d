//! The OpenAPI document and a readable API page, both served by the binary itself.

use askama::Template;
use axum::extract::Request;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use utoipa::openapi::path::{Operation, PathItem};

use super::OPENAPI;
use crate::i18n::Translator;
use crate::session::resolve_locale;

pub async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI.to_pretty_json().unwrap_or_default(),
    )
        .into_response()
}

pub struct OperationView {
    pub method: &'static str,
    pub path: String,
    pub summary: String,
    pub tag: String,
    pub parameters: Vec<String>,
    pub request_body: String,
    pub responses: Vec<String>,
}

#[derive(Template)]
#[template(path = "api.html")]
struct ApiPage {
    t: Translator,
    title: String,
    description: String,
    operations: Vec<OperationView>,
}

fn operations(path: &str, item: &PathItem) -> Vec<OperationView> {
    let methods: [(&'static str, &Option<Operation>); 5] = [
        ("GET", &item.get),
        ("POST", &item.post),
        ("PUT", &item.put),
        ("PATCH", &item.patch),
        ("DELETE", &item.delete),
    ];
    methods
        .into_iter()
        .filter_map(|(method, operation)| operation.as_ref().map(|op| (method, op)))
        .map(|(method, op)| OperationView {
            method,
            path: path.to_owned(),
            summary: op
                .summary
                .clone()
                .or_else(|| op.description.clone())
                .unwrap_or_else(|| op.operation_id.clone().unwrap_or_default()),
            tag: op.tags.as_ref().and_then(|t| t.first().cloned()).unwrap_or_default(),
            parameters: op.parameters.iter().flatten().map(|p| p.name.clone()).collect(),
            request_body: op
                .request_body
                .as_ref()
                .and_then(|body| body.content.values().next())
                .and_then(|content| content.schema.as_ref())
                .map(schema_name)
                .unwrap_or_default(),
            responses: op.responses.responses.keys().cloned().collect(),
        })
        .collect()
}

fn schema_name(schema: &utoipa::openapi::RefOr<utoipa::openapi::Schema>) -> String {
    match schema {
        utoipa::openapi::RefOr::Ref(reference) => {
            reference.ref_location.rsplit('/').next().unwrap_or_default().to_owned()
        }
        utoipa::openapi::RefOr::T(_) => "object".to_owned(),
    }
}

/// A page listing every operation, rendered on the server from the generated document.
pub async fn api_page(request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let t = Translator::new(resolve_locale(&parts, None, None), chrono_tz::UTC);
    let operations = OPENAPI
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| operations(path, item))
        .collect();
    let page = ApiPage {
        t,
        title: OPENAPI.info.title.clone(),
        description: OPENAPI.info.description.clone().unwrap_or_default(),
        operations,
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => crate::WebError(platform::Failure::Internal(error.to_string())).into_response(),
    }
}

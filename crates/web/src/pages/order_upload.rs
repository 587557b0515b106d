//! The order upload page: a dealer sends a spreadsheet of order lines, for one or several of its
//! delivery locations, and gets its orders or every problem of the file, with an error report.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;
use base64::Engine;
use platform::{secret, Failure, FieldError, Permission};

use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::error::WebError;
use crate::imports::problem_message;
use crate::order_upload::{self, Refused};
use crate::session::PageUser;
use crate::AppState;

pub struct ProblemRow {
    row: u32,
    column: String,
    message: String,
}

#[derive(Template)]
#[template(path = "ordering/order_upload.html")]
struct UploadPage {
    layout: Layout,
    errors: FormErrors,
    problems: Vec<ProblemRow>,
    /// The error report as a `data:` link, so that nothing of a refused file is kept.
    report: String,
    columns: String,
}

fn may_upload(user: &PageUser) -> Result<(), WebError> {
    let actor = user.actor();
    if actor.is_dealer_user() && actor.can(Permission::PlaceOrders) {
        Ok(())
    } else {
        Err(Failure::Forbidden.into())
    }
}

fn page(user: &PageUser, errors: FormErrors, problems: Vec<platform::imports::Problem>) -> Result<Response, WebError> {
    let t = &user.t;
    let report = if problems.is_empty() {
        String::new()
    } else {
        let bytes = crate::imports::report(t, &problems).map_err(|e| Failure::Internal(e.to_string()))?;
        format!(
            "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    };
    let view = UploadPage {
        layout: Layout::new(user, "/orders/upload", "nav.order_upload"),
        errors,
        problems: problems
            .iter()
            .map(|p| ProblemRow {
                row: p.row,
                column: p.column.clone(),
                message: problem_message(t, p),
            })
            .collect(),
        report,
        columns: order_upload::REQUIRED.join(", "),
    };
    render(&view)
}

pub async fn upload_page(user: PageUser) -> Result<Response, WebError> {
    may_upload(&user)?;
    page(&user, FormErrors::none(), Vec::new())
}

async fn read_file(mut multipart: Multipart, csrf: &str) -> Result<Vec<u8>, Failure> {
    let too_large = |_| {
        Failure::Invalid(vec![
            FieldError::new("file", "import.file_size").with("max_mib", order_upload::MAX_BYTES / 1024 / 1024)
        ])
    };
    let (mut token, mut content) = (String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        match field.name() {
            Some("csrf_token") => token = field.text().await.map_err(too_large)?,
            Some("file") => content = field.bytes().await.map_err(too_large)?.to_vec(),
            _ => {}
        }
    }
    if !secret::constant_time_eq(&token, csrf) {
        return Err(Failure::Forbidden);
    }
    if content.is_empty() {
        return Err(Failure::field("file", "field.required"));
    }
    Ok(content)
}

pub async fn upload(
    State(state): State<AppState>,
    user: PageUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    may_upload(&user)?;
    let multipart = multipart.map_err(|_| Failure::Forbidden)?;
    let content = match read_file(multipart, user.csrf_token()).await {
        Ok(content) => content,
        Err(Failure::Forbidden) => return Err(Failure::Forbidden.into()),
        Err(failure) => {
            let errors = form_outcome::<()>(&user.t, Err(failure.into()))?
                .err()
                .unwrap_or_default();
            return page(&user, errors, Vec::new());
        }
    };
    let actor = user.actor();
    let audience = identity::queries::dealer_audience(&state.db, actor, None).await?;
    match order_upload::place_from_file(&state.db, &state.clock, actor, &audience, &content).await {
        Ok(placed) if placed.iter().any(|p| p.created) => Ok(redirect_done("/orders", "orders_uploaded")),
        Ok(_) => Ok(redirect_done("/orders", "orders_uploaded_before")),
        Err(Refused::Rows(rows)) => page(
            &user,
            FormErrors::none(),
            rows.iter().map(order_upload::RowError::problem).collect(),
        ),
        Err(Refused::Failed(failure)) => {
            let errors = form_outcome::<()>(&user.t, Err(failure.into()))?
                .err()
                .unwrap_or_default();
            page(&user, errors, Vec::new())
        }
    }
}

pub async fn template(user: PageUser) -> Result<Response, WebError> {
    may_upload(&user)?;
    let bytes = order_upload::template().map_err(|e| Failure::Internal(e.to_string()))?;
    Ok(crate::exports::spreadsheet("orders-template.xlsx", bytes))
}

//! The administrator's page for the tenant's mail server, through which dealer users also get
//! their notices by e-mail.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use platform::mail::{self, MailSecurity, MailServer, MailServerInput};
use platform::Permission;
use serde::Deserialize;

use super::account::{DoneQuery, EmptyForm};
use super::{form_outcome, redirect_done, render, FormErrors, Layout};
use crate::error::WebError;
use crate::session::{PageForm, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "platform/mail.html")]
struct MailPage {
    layout: Layout,
    server: Option<MailServer>,
    form: MailForm,
    errors: FormErrors,
    securities: Vec<&'static str>,
}

/// The form as posted: the port is text so that a mistyped one is reported, not lost.
#[derive(Deserialize, Default)]
pub struct MailForm {
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    security: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    from_address: String,
}

impl MailForm {
    fn of(server: &MailServer) -> MailForm {
        MailForm {
            host: server.host.clone(),
            port: server.port.to_string(),
            security: server.security.code().to_owned(),
            username: server.username.clone(),
            password: String::new(),
            from_address: server.from_address.clone(),
        }
    }

    fn input(&self) -> MailServerInput {
        let port = self.port.trim();
        MailServerInput {
            host: self.host.clone(),
            // Zero is out of range, so text that is not a port is refused with the port's message.
            port: (!port.is_empty()).then(|| port.parse().unwrap_or(0)),
            security: self.security.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
            from_address: self.from_address.clone(),
        }
    }
}

async fn mail_page(
    state: &AppState,
    user: &PageUser,
    done: Option<&str>,
    form: Option<MailForm>,
    errors: FormErrors,
) -> Result<Response, WebError> {
    user.actor().require(Permission::ManageTenant)?;
    let server = mail::mail_server(&state.db, user.actor()).await?;
    let form = form.unwrap_or_else(|| match &server {
        Some(server) => MailForm::of(server),
        None => MailForm {
            security: MailSecurity::Starttls.code().to_owned(),
            ..MailForm::default()
        },
    });
    let view = MailPage {
        layout: Layout::new(user, "/admin/mail", "nav.mail").with_notice(done),
        server,
        form,
        errors,
        securities: MailSecurity::ALL.iter().map(|s| s.code()).collect(),
    };
    render(&view)
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    mail_page(&state, &user, query.done.as_deref(), None, FormErrors::none()).await
}

pub async fn save(
    State(state): State<AppState>,
    PageForm { user, form }: PageForm<MailForm>,
) -> Result<Response, WebError> {
    let result = mail::set_mail_server(&state.db, &state.clock, user.actor(), &form.input())
        .await
        .map_err(WebError::from);
    match form_outcome(&user.t, result)? {
        Ok(_) => Ok(redirect_done("/admin/mail", "saved")),
        Err(errors) => mail_page(&state, &user, None, Some(form), errors).await,
    }
}

pub async fn remove(
    State(state): State<AppState>,
    PageForm { user, .. }: PageForm<EmptyForm>,
) -> Result<Response, WebError> {
    mail::remove_mail_server(&state.db, &state.clock, user.actor()).await?;
    Ok(redirect_done("/admin/mail", "mail_off"))
}

//! The mail job: dealer users' notices by e-mail, through the tenant's own SMTP server, each
//! in its reader's language.
//!
//! A job mails the notices one command wrote. Each notice is marked once it is sent, so a job
//! that fails half way and is tried again sends only what is left; a malformed address or one
//! the server refuses for good is marked undeliverable instead of holding the rest up.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use platform::jobs::{self, Handler};
use platform::mail::{self, MailSecurity, MailServerSettings, PendingMail};
use platform::{Db, Locale, TenantId};

use crate::i18n::Translator;
use crate::pages::message_text;

/// How long one conversation with the server may take before the job gives up and retries.
const TIMEOUT: Duration = Duration::from_secs(30);

pub fn job_handler() -> Handler {
    Arc::new(move |db: Db, job: jobs::Job| Box::pin(async move { run(&db, &job).await }))
}

async fn run(db: &Db, job: &jobs::Job) -> Result<(), String> {
    let tenant_id: TenantId = job.tenant_id.ok_or("a mail job without a tenant")?;
    let ids: Vec<i64> = job.payload["message_ids"]
        .as_array()
        .map(|ids| ids.iter().filter_map(serde_json::Value::as_i64).collect())
        .unwrap_or_default();
    let pending = mail::pending(db, tenant_id, &ids).await.map_err(|e| e.to_string())?;
    if pending.is_empty() {
        return Ok(());
    }
    let Some(server) = mail::server_settings(db, tenant_id).await.map_err(|e| e.to_string())? else {
        // E-mail was turned off after the notices were written: they stay in the message centre.
        for notice in &pending {
            mail::settle(db, notice.message.id, None)
                .await
                .map_err(|e| e.to_string())?;
        }
        return Ok(());
    };
    let transport = transport(&server)?;
    let from: Mailbox = server
        .from_address
        .parse()
        .map_err(|e| format!("the sender address {} is not valid: {e}", server.from_address))?;
    for notice in &pending {
        let Some(email) = compose(&from, notice) else {
            mail::settle(db, notice.message.id, Some("undeliverable"))
                .await
                .map_err(|e| e.to_string())?;
            continue;
        };
        match transport.send(email).await {
            Ok(_) => mail::settle(db, notice.message.id, Some("sent"))
                .await
                .map_err(|e| e.to_string())?,
            Err(error) if error.is_permanent() => {
                tracing::warn!(message_id = notice.message.id, %error, "mail refused for good");
                mail::settle(db, notice.message.id, Some("undeliverable"))
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Err(error) => return Err(format!("the mail server {}: {error}", server.host)),
        }
    }
    Ok(())
}

fn transport(server: &MailServerSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match server.security {
        MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&server.host),
        MailSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&server.host),
        MailSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&server.host)),
    }
    .map_err(|e| format!("the mail server {}: {e}", server.host))?;
    let builder = builder.port(server.port).timeout(Some(TIMEOUT));
    let builder = if server.username.is_empty() {
        builder
    } else {
        builder.credentials(Credentials::new(server.username.clone(), server.password.clone()))
    };
    Ok(builder.build())
}

/// The notice as an e-mail in its reader's language; `None` when the address is not one.
fn compose(from: &Mailbox, notice: &PendingMail) -> Option<Message> {
    let address = notice.to_address.parse().ok()?;
    let to = Mailbox::new(Some(notice.to_name.clone()), address);
    let locale = Locale::parse(&notice.locale).unwrap_or(Locale::En);
    let t = Translator::new(locale, notice.time_zone.parse().unwrap_or(chrono_tz::UTC));
    let text = message_text(&t, &notice.message);
    let footer = t.t_with("mail.footer", &[("tenant", notice.tenant_name.clone())]);
    let body = format!("{text}\n\n-- \n{footer}\n");
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(format!("{}: {text}", notice.tenant_name))
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                // Base64 keeps Cyrillic and Chinese intact through any relay.
                .header(ContentTransferEncoding::Base64)
                .body(body),
        )
        .ok()
}

//! E-mail through the tenant's own SMTP server: its settings, and the notices waiting to be
//! mailed. Sending itself is a background job (`JOB_KIND`), so a slow or unreachable server
//! never holds up the command that caused the notice, and a failed delivery is retried.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actor::{Actor, Permission};
use crate::audit::{self, Change};
use crate::clock::Clock;
use crate::db::{Db, DbError, Query, Row, Tx};
use crate::failure::{Checks, Failure, FieldError};
use crate::ids::TenantId;
use crate::jobs;
use crate::messages::Message;
use crate::secret;

/// The job that mails the notices named in its payload (`{"message_ids": [...]}`).
pub const JOB_KIND: &str = "mail";

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailSecurity {
    /// TLS from the first byte, usually on port 465.
    Tls,
    /// A plain connection upgraded with STARTTLS, usually on port 587.
    Starttls,
    /// No encryption: only for a relay on the same host or a trusted network.
    None,
}

impl MailSecurity {
    pub const ALL: [MailSecurity; 3] = [MailSecurity::Tls, MailSecurity::Starttls, MailSecurity::None];

    pub fn code(self) -> &'static str {
        match self {
            MailSecurity::Tls => "tls",
            MailSecurity::Starttls => "starttls",
            MailSecurity::None => "none",
        }
    }

    pub fn parse(code: &str) -> Option<MailSecurity> {
        MailSecurity::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    fn default_port(self) -> i64 {
        match self {
            MailSecurity::Tls => 465,
            MailSecurity::Starttls => 587,
            MailSecurity::None => 25,
        }
    }
}

/// The mail server as an administrator sets it. An empty password keeps the one saved.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MailServerInput {
    pub host: String,
    /// Left out, the usual port of the security chosen.
    #[serde(default)]
    pub port: Option<i64>,
    /// `tls`, `starttls` or `none`.
    pub security: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    /// The sender of every e-mail, such as `orders@baikal-springs.ru`.
    pub from_address: String,
}

/// The mail server as it is shown: never with its password.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MailServer {
    pub host: String,
    pub port: i64,
    pub security: MailSecurity,
    pub username: String,
    pub has_password: bool,
    pub from_address: String,
    pub updated_at: DateTime<Utc>,
}

/// What the mail job needs to connect; it carries the password, so it is never serialised.
#[derive(Debug, Clone)]
pub struct MailServerSettings {
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    pub username: String,
    pub password: String,
    pub from_address: String,
}

struct ValidMailServer {
    host: String,
    port: i64,
    security: MailSecurity,
    username: String,
    password: String,
    from_address: String,
}

impl MailServerInput {
    fn validate(&self) -> Result<ValidMailServer, Failure> {
        let mut checks = Checks::new();
        let host = self.host.trim().to_ascii_lowercase();
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !host_ok {
            checks.add(FieldError::new("host", "mail.host_invalid"));
        }
        let security = MailSecurity::parse(&self.security).unwrap_or_else(|| {
            checks.add(FieldError::new("security", "field.invalid"));
            MailSecurity::Starttls
        });
        let port = self.port.unwrap_or(security.default_port());
        if !(1..=65_535).contains(&port) {
            checks.add(FieldError::new("port", "mail.port_invalid"));
        }
        let username = checks
            .optional_text("username", Some(&self.username), 200)
            .unwrap_or_default();
        let from_address = checks.email("from_address", &self.from_address);
        if self.password.len() > 500 {
            checks.add(FieldError::new("password", "field.too_long").with("max", 500));
        }
        checks.finish()?;
        Ok(ValidMailServer {
            host,
            port,
            security,
            username,
            password: self.password.clone(),
            from_address,
        })
    }
}

const SERVER_COLUMNS: &str = "host, port, security, username, password, from_address, updated_at";

fn read_server(row: &Row) -> Result<(MailServer, String), DbError> {
    let password: String = row.get("password")?;
    let security: String = row.get("security")?;
    Ok((
        MailServer {
            host: row.get("host")?,
            port: row.get("port")?,
            security: MailSecurity::parse(&security).unwrap_or(MailSecurity::Starttls),
            username: row.get("username")?,
            has_password: !password.is_empty(),
            from_address: row.get("from_address")?,
            updated_at: row.get("updated_at")?,
        },
        password,
    ))
}

async fn find_server(db: &Db, tenant_id: TenantId) -> Result<Option<(MailServer, String)>, DbError> {
    db.fetch_optional(
        &Query::new(format!(
            "SELECT {SERVER_COLUMNS} FROM mail_servers WHERE tenant_id = $1"
        ))
        .bind(tenant_id),
    )
    .await?
    .as_ref()
    .map(read_server)
    .transpose()
}

/// The tenant's mail server, for its administrators; `None` when e-mail is off.
pub async fn mail_server(db: &Db, actor: &Actor) -> Result<Option<MailServer>, Failure> {
    actor.require(Permission::ManageTenant)?;
    Ok(find_server(db, actor.tenant_id).await?.map(|(server, _)| server))
}

/// Sets the tenant's mail server: from now on dealer users' notices are also e-mailed.
pub async fn set_mail_server(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    input: &MailServerInput,
) -> Result<MailServer, Failure> {
    actor.require(Permission::ManageTenant)?;
    let server = input.validate()?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    tx.execute(
        &Query::new(
            "INSERT INTO mail_servers (tenant_id, host, port, security, username, password, from_address, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (tenant_id) DO UPDATE SET host = excluded.host, port = excluded.port,
                 security = excluded.security, username = excluded.username,
                 password = CASE WHEN excluded.password = '' THEN mail_servers.password ELSE excluded.password END,
                 from_address = excluded.from_address, updated_at = excluded.updated_at",
        )
        .bind(actor.tenant_id)
        .bind(&server.host)
        .bind(server.port)
        .bind(server.security.code())
        .bind(&server.username)
        .bind(secret::to_store(db.secret_key(), &server.password).map_err(|e| Failure::Internal(e.to_string()))?)
        .bind(&server.from_address)
        .bind(now),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "mail_server",
            entity_id: actor.tenant_id.get(),
            action: "update",
            before: None,
            after: Some(json!({
                "host": server.host, "port": server.port, "security": server.security.code(),
                "username": server.username, "from_address": server.from_address,
                "password_changed": !server.password.is_empty(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    find_server(db, actor.tenant_id)
        .await?
        .map(|(server, _)| server)
        .ok_or(Failure::NotFound { entity: "mail_server" })
}

/// Turns e-mail off; notices still reach the message centre.
pub async fn remove_mail_server(db: &Db, clock: &Clock, actor: &Actor) -> Result<(), Failure> {
    actor.require(Permission::ManageTenant)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    tx.execute(&Query::new("DELETE FROM mail_servers WHERE tenant_id = $1").bind(actor.tenant_id))
        .await?;
    audit::record(
        &mut tx,
        actor,
        now,
        Change {
            entity: "mail_server",
            entity_id: actor.tenant_id.get(),
            action: "delete",
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- For the mail job, which works for the system, not for a person ----

/// How the mail job connects for a tenant; `None` when e-mail has been turned off since.
pub async fn server_settings(db: &Db, tenant_id: TenantId) -> Result<Option<MailServerSettings>, DbError> {
    let Some((server, stored)) = find_server(db, tenant_id).await? else {
        return Ok(None);
    };
    let password = secret::from_store(db.secret_key(), &stored).map_err(|e| DbError::Column {
        column: "password".into(),
        problem: e.to_string(),
    })?;
    Ok(Some(MailServerSettings {
        host: server.host,
        port: u16::try_from(server.port).unwrap_or(25),
        security: server.security,
        username: server.username,
        password,
        from_address: server.from_address,
    }))
}

/// Seals the SMTP passwords kept as typed, saved before the server had a key; returns how many.
/// Run as a server starts, so that a key once set covers every password, however many servers
/// start at once: each password is sealed only while it is still the one read.
pub async fn seal_stored_passwords(db: &Db) -> Result<u64, DbError> {
    let Some(key) = db.secret_key() else {
        return Ok(0);
    };
    let mut sealed = 0;
    for row in db
        .fetch_all(&Query::new(
            "SELECT tenant_id, password FROM mail_servers WHERE password <> ''",
        ))
        .await?
    {
        let password: String = row.get("password")?;
        if secret::is_sealed(&password) {
            continue;
        }
        let seal = key.seal(&password).map_err(|e| DbError::Statement(e.to_string()))?;
        sealed += db
            .execute(
                &Query::new("UPDATE mail_servers SET password = $2 WHERE tenant_id = $1 AND password = $3")
                    .bind(row.get::<i64>("tenant_id")?)
                    .bind(seal)
                    .bind(password),
            )
            .await?;
    }
    Ok(sealed)
}

/// A notice waiting to be mailed, with its reader's address and language.
#[derive(Debug, Clone)]
pub struct PendingMail {
    pub message: Message,
    pub to_address: String,
    pub to_name: String,
    /// The reader's own language, else the tenant's.
    pub locale: String,
    pub time_zone: String,
    pub tenant_name: String,
}

/// Those of `message_ids` that still wait to be mailed, in the tenant.
pub async fn pending(db: &Db, tenant_id: TenantId, message_ids: &[i64]) -> Result<Vec<PendingMail>, DbError> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Query::new(
        "SELECT m.id, m.kind, m.order_id, m.params, m.created_at, m.read_at, u.login, u.display_name,
                COALESCE(u.locale, t.default_locale) AS locale, t.time_zone, t.name AS tenant_name
         FROM messages m JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id
         WHERE m.tenant_id = $1 AND m.mail_status = 'pending' AND m.id IN ",
    )
    .bind(tenant_id);
    query.push_bind_list(message_ids.iter().copied()).push(" ORDER BY m.id");
    db.fetch_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok(PendingMail {
                message: crate::messages::read_message(row)?,
                // A login is an e-mail address.
                to_address: row.get("login")?,
                to_name: row.get("display_name")?,
                locale: row.get("locale")?,
                time_zone: row.get("time_zone")?,
                tenant_name: row.get("tenant_name")?,
            })
        })
        .collect()
}

/// Records what became of one notice's e-mail: `sent`, `undeliverable`, or NULL (not mailed,
/// because e-mail was turned off before it went).
pub async fn settle(db: &Db, message_id: i64, status: Option<&str>) -> Result<(), DbError> {
    db.execute(
        &Query::new("UPDATE messages SET mail_status = $2 WHERE id = $1 AND mail_status = 'pending'")
            .bind(message_id)
            .bind(status),
    )
    .await?;
    Ok(())
}

/// Queues the mail job for notices just written, in the caller's transaction.
pub async fn queue(tx: &mut Tx, tenant_id: TenantId, message_ids: &[i64], now: DateTime<Utc>) -> Result<(), DbError> {
    if message_ids.is_empty() {
        return Ok(());
    }
    jobs::enqueue(
        tx,
        Some(tenant_id),
        JOB_KIND,
        &json!({ "message_ids": message_ids }),
        now,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_defaults_to_the_usual_one_for_the_security_chosen() {
        let input = |security: &str| MailServerInput {
            host: "smtp.baikal-springs.ru".into(),
            security: security.into(),
            from_address: "orders@baikal-springs.ru".into(),
            ..MailServerInput::default()
        };
        let port = |security| input(security).validate().map(|s| s.port).ok();
        assert_eq!(port("tls"), Some(465));
        assert_eq!(port("starttls"), Some(587));
        assert_eq!(port("none"), Some(25));
        assert!(input("ssl").validate().is_err());
    }
}

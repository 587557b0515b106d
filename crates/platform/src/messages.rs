//! The in-app message centre: notices for people about what happened to their business, kept
//! as message keys with parameters so each reader sees them in their own language.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::actor::Actor;
use crate::db::{Db, DbError, Query, Row, Tx};
use crate::failure::Failure;
use crate::ids::{DealerId, TenantId};
use crate::page::{Page, PageRequest};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: i64,
    /// A message key, such as `message.order_confirmed`.
    pub kind: String,
    pub order_id: Option<i64>,
    pub params: Vec<(String, String)>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Sends a message to every active user of a dealer, in the caller's transaction: one
/// statement however many users the dealer has. Where the tenant has a mail server, they also
/// get it by e-mail at their login address, sent by a job once the caller commits.
pub async fn notify_dealer_users(
    tx: &mut Tx,
    tenant_id: TenantId,
    dealer_id: DealerId,
    kind: &str,
    order_id: Option<i64>,
    params: &[(&str, String)],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let params = serde_json::to_string(params).unwrap_or_else(|_| "[]".to_owned());
    let to_mail = tx
        .fetch_all(
            &Query::new(
                "INSERT INTO messages (tenant_id, user_id, kind, order_id, params, created_at, mail_status)
                 SELECT u.tenant_id, u.id, $1, $2, $3, $4,
                        CASE WHEN EXISTS (SELECT 1 FROM mail_servers s WHERE s.tenant_id = u.tenant_id)
                             THEN 'pending' END
                 FROM users u WHERE u.tenant_id = $5 AND u.dealer_id = $6 AND u.status = 'active'
                 RETURNING id, mail_status",
            )
            .bind(kind)
            .bind(order_id)
            .bind(params)
            .bind(now)
            .bind(tenant_id)
            .bind(dealer_id),
        )
        .await?
        .iter()
        .filter_map(|row| match row.get::<Option<String>>("mail_status") {
            Ok(Some(_)) => Some(row.get::<i64>("id")),
            Ok(None) => None,
            Err(error) => Some(Err(error)),
        })
        .collect::<Result<Vec<i64>, DbError>>()?;
    crate::mail::queue(tx, tenant_id, &to_mail, now).await
}

pub(crate) fn read_message(row: &Row) -> Result<Message, DbError> {
    Ok(Message {
        id: row.get("id")?,
        kind: row.get("kind")?,
        order_id: row.get("order_id")?,
        params: serde_json::from_str(&row.get::<String>("params")?).unwrap_or_default(),
        created_at: row.get("created_at")?,
        read_at: row.get("read_at")?,
    })
}

/// Which of a user's messages a list shows, and in which order.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    /// Only those not read yet.
    pub unread: bool,
    /// Only those of one kind, such as `message.order_shipped`.
    pub kind: Option<String>,
    /// Parsed with [`MESSAGE_SORT`].
    pub sort: crate::Sort,
}

/// The message list's sortable columns; newest first by default.
pub const MESSAGE_SORT: crate::SortColumns = crate::SortColumns {
    columns: &[
        crate::SortColumn::new("created_at", "created_at"),
        crate::SortColumn::new("kind", "kind"),
        crate::SortColumn::nullable("read_at", "read_at"),
    ],
    default: "-created_at",
    tiebreaker: "id",
};

/// The signed-in user's own messages, newest first.
pub async fn list(db: &Db, actor: &Actor, page: PageRequest) -> Result<Page<Message>, Failure> {
    list_filtered(db, actor, &MessageFilter::default(), page).await
}

/// The signed-in user's own messages under `filter`.
pub async fn list_filtered(
    db: &Db,
    actor: &Actor,
    filter: &MessageFilter,
    page: PageRequest,
) -> Result<Page<Message>, Failure> {
    let user = actor.user_id.ok_or(Failure::Forbidden)?;
    let mut condition = Query::new(" WHERE tenant_id = $1 AND user_id = $2")
        .bind(actor.tenant_id)
        .bind(user);
    if filter.unread {
        condition.push(" AND read_at IS NULL");
    }
    if let Some(kind) = &filter.kind {
        condition.push(" AND kind = ").push_bind(kind.clone());
    }
    Ok(crate::db::fetch_page(
        db,
        "messages",
        "SELECT id, kind, order_id, params, created_at, read_at FROM messages",
        condition,
        &MESSAGE_SORT.order_by(filter.sort),
        page,
        read_message,
    )
    .await?)
}

/// The user's newest unread messages, at most `limit`, and how many are unread in all.
pub async fn latest_unread(db: &Db, actor: &Actor, limit: u32) -> Result<Page<Message>, Failure> {
    let user = actor.user_id.ok_or(Failure::Forbidden)?;
    let condition = Query::new(" WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL")
        .bind(actor.tenant_id)
        .bind(user);
    Ok(crate::db::fetch_first(
        db,
        "SELECT id, kind, order_id, params, created_at, read_at FROM messages",
        condition,
        "id DESC",
        limit,
        read_message,
    )
    .await?)
}

/// How many of the user's messages are unread.
pub async fn unread(db: &Db, actor: &Actor) -> Result<i64, DbError> {
    let Some(user) = actor.user_id else { return Ok(0) };
    db.fetch_one(&Query::new("SELECT COUNT(*) AS n FROM messages WHERE user_id = $1 AND read_at IS NULL").bind(user))
        .await?
        .get("n")
}

/// Marks all the user's messages read.
pub async fn mark_all_read(db: &Db, actor: &Actor, now: DateTime<Utc>) -> Result<u64, Failure> {
    let user = actor.user_id.ok_or(Failure::Forbidden)?;
    Ok(db
        .execute(
            &Query::new("UPDATE messages SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(now)
                .bind(user),
        )
        .await?)
}

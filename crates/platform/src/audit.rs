//! The audit log: who changed what and when, with the values before and after.
//!
//! Entries are written inside the transaction of the change they describe, so a change and its
//! audit entry are committed together or not at all.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::actor::{Actor, Permission};
use crate::db::{Db, DbError, Query, Row, Tx};
use crate::failure::Failure;
use crate::page::{Page, PageRequest};

/// One change to record. `before` is `None` for a creation, `after` for a deletion.
pub struct Change {
    pub entity: &'static str,
    pub entity_id: i64,
    pub action: &'static str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn record(tx: &mut Tx, actor: &Actor, at: DateTime<Utc>, change: Change) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "INSERT INTO audit_log (tenant_id, occurred_at, user_id, actor_name, entity, entity_id, action, before_json, after_json)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(actor.tenant_id)
        .bind(at)
        .bind(actor.user_id)
        .bind(&actor.display_name)
        .bind(change.entity)
        .bind(change.entity_id)
        .bind(change.action)
        .bind(change.before.map(|v| v.to_string()))
        .bind(change.after.map(|v| v.to_string())),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_name: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub actor: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Parsed with [`AUDIT_SORT`].
    pub sort: crate::Sort,
}

/// The audit log's sortable columns; newest first by default.
pub const AUDIT_SORT: crate::SortColumns = crate::SortColumns {
    columns: &[
        crate::SortColumn::new("occurred_at", "occurred_at"),
        crate::SortColumn::new("actor", "actor_name"),
        crate::SortColumn::new("entity", "entity"),
        crate::SortColumn::new("entity_id", "entity_id"),
        crate::SortColumn::new("action", "action"),
    ],
    default: "-occurred_at",
    tiebreaker: "id",
};

/// The tenant's audit log, newest first unless sorted otherwise; administrators only.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditRecord>, Failure> {
    actor.require(Permission::ViewAuditLog)?;
    let mut condition = Query::new("");
    condition.push(" WHERE tenant_id = ").push_bind(actor.tenant_id);
    if let Some(entity) = &filter.entity {
        condition.push(" AND entity = ").push_bind(entity);
    }
    if let Some(entity_id) = filter.entity_id {
        condition.push(" AND entity_id = ").push_bind(entity_id);
    }
    if let Some(name) = &filter.actor {
        condition.push(" AND actor_name = ").push_bind(name);
    }
    if let Some(from) = filter.from {
        condition.push(" AND occurred_at >= ").push_bind(from);
    }
    if let Some(to) = filter.to {
        condition.push(" AND occurred_at < ").push_bind(to);
    }
    Ok(crate::db::fetch_page(
        db,
        "audit_log",
        "SELECT id, occurred_at, actor_name, entity, entity_id, action, before_json, after_json FROM audit_log",
        condition,
        &AUDIT_SORT.order_by(filter.sort),
        page,
        read_record,
    )
    .await?)
}

fn read_record(row: &Row) -> Result<AuditRecord, DbError> {
    let json = |column: &str| -> Result<Option<serde_json::Value>, DbError> {
        Ok(row
            .get::<Option<String>>(column)?
            .and_then(|text| serde_json::from_str(&text).ok()))
    };
    Ok(AuditRecord {
        id: row.get("id")?,
        occurred_at: row.get("occurred_at")?,
        actor_name: row.get("actor_name")?,
        entity: row.get("entity")?,
        entity_id: row.get("entity_id")?,
        action: row.get("action")?,
        before: json("before_json")?,
        after: json("after_json")?,
    })
}

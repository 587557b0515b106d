//! List exports too large to send at once, as records: who asked for which list with which
//! filters and sort, how many rows the background job has written of how many, and the finished
//! file. Kept in the database so that servers stay stateless and people can leave the page and
//! come back. What a list holds is decided elsewhere; this module only keeps the record.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::actor::Actor;
use crate::db::{Db, DbError, Query, Row};
use crate::failure::Failure;
use crate::ids::{TenantId, UserId};
use crate::locale::Locale;
use crate::page::{Page, PageRequest};

/// The background job kind that writes exports.
pub const JOB_KIND: &str = "export";

/// Rows read from the list per query while writing an export.
pub const ROWS_PER_PAGE: u32 = 5_000;

/// The most rows one background export holds; a larger selection fails with `export.too_large`.
pub const MAX_ROWS: i64 = 1_000_000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Export {
    pub id: i64,
    /// The list exported, as in its path: `dealers`, `products` …
    pub list: String,
    /// The list's filters and sort, as its API query takes them.
    #[schema(value_type = Object)]
    pub parameters: serde_json::Value,
    /// `queued`, `running`, then `done` (the file can be downloaded) or `failed`.
    pub status: String,
    pub rows_done: i64,
    /// The rows the selection holds, known once the job has read the first page.
    pub rows_total: i64,
    pub file_name: String,
    /// Why the export failed: a message key, and its parameters.
    pub error_code: Option<String>,
    pub error_params: Vec<(String, String)>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub locale: Locale,
}

/// An export's filters and sort as one line of text: `name = value, …`.
pub fn parameters_text(parameters: &serde_json::Value) -> String {
    parameters
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(key, value)| match value {
                    serde_json::Value::String(text) => format!("{key} = {text}"),
                    other => format!("{key} = {other}"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

impl Export {
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "done" | "failed")
    }

    /// How far the job has come, in percent of the rows.
    pub fn progress(&self) -> u8 {
        if self.status == "done" {
            return 100;
        }
        if self.rows_total <= 0 {
            return 0;
        }
        u8::try_from((self.rows_done.clamp(0, self.rows_total) * 100) / self.rows_total).unwrap_or(100)
    }
}

const COLUMNS: &str = "id, list, parameters, locale, status, rows_done, rows_total, file_name, error_code, \
     error_params, created_at, updated_at, finished_at";

fn read_export(row: &Row) -> Result<Export, DbError> {
    let parameters: String = row.get("parameters")?;
    let error_params: Option<String> = row.get("error_params")?;
    let locale: String = row.get("locale")?;
    Ok(Export {
        id: row.get("id")?,
        list: row.get("list")?,
        parameters: serde_json::from_str(&parameters).unwrap_or(serde_json::Value::Null),
        status: row.get("status")?,
        rows_done: row.get("rows_done")?,
        rows_total: row.get("rows_total")?,
        file_name: row.get("file_name")?,
        error_code: row.get("error_code")?,
        error_params: error_params
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default(),
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        finished_at: row.get("finished_at")?,
        locale: Locale::parse(&locale).unwrap_or_default(),
    })
}

/// Records an export of `list` for the actor and queues its job, in one transaction.
pub async fn create(
    db: &Db,
    actor: &Actor,
    list: &str,
    parameters: &serde_json::Value,
    locale: Locale,
    file_name: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let id: i64 = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO exports (tenant_id, user_id, list, parameters, locale, status, rows_done, rows_total,
                     file_name, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'queued', 0, 0, $6, $7, $7) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(actor.user_id)
            .bind(list)
            .bind(parameters.to_string())
            .bind(locale.code())
            .bind(file_name)
            .bind(now),
        )
        .await?
        .get("id")?;
    crate::jobs::enqueue(
        &mut tx,
        Some(actor.tenant_id),
        JOB_KIND,
        &serde_json::json!({ "export_id": id }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The export, if the actor asked for it: another user's export does not exist for them.
pub async fn find(db: &Db, actor: &Actor, id: i64) -> Result<Export, Failure> {
    db.fetch_optional(
        &Query::new(format!(
            "SELECT {COLUMNS} FROM exports WHERE tenant_id = $1 AND user_id = $2 AND id = $3"
        ))
        .bind(actor.tenant_id)
        .bind(actor.user_id)
        .bind(id),
    )
    .await?
    .as_ref()
    .map(read_export)
    .transpose()?
    .ok_or(Failure::NotFound { entity: "export" })
}

/// The finished file of the actor's export: its name and bytes.
pub async fn file(db: &Db, actor: &Actor, id: i64) -> Result<(String, Vec<u8>), Failure> {
    let row = db
        .fetch_optional(
            &Query::new(
                "SELECT file_name, content FROM exports
                 WHERE tenant_id = $1 AND user_id = $2 AND id = $3 AND status = 'done'",
            )
            .bind(actor.tenant_id)
            .bind(actor.user_id)
            .bind(id),
        )
        .await?
        .ok_or(Failure::NotFound { entity: "export" })?;
    let content: Option<Vec<u8>> = row.get("content")?;
    Ok((
        row.get("file_name")?,
        content.ok_or(Failure::NotFound { entity: "export" })?,
    ))
}

#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// `queued`, `running`, `done` or `failed`.
    pub status: Option<String>,
    /// The list exported, as in [`Export::list`].
    pub list: Option<String>,
    /// Parsed with [`EXPORT_SORT`].
    pub sort: crate::Sort,
}

/// The export list's sortable columns; newest first by default.
pub const EXPORT_SORT: crate::SortColumns = crate::SortColumns {
    columns: &[
        crate::SortColumn::new("list", "list"),
        crate::SortColumn::new("status", "status"),
        crate::SortColumn::new("rows_total", "rows_total"),
        crate::SortColumn::new("created_at", "created_at"),
        crate::SortColumn::nullable("finished_at", "finished_at"),
    ],
    default: "-created_at",
    tiebreaker: "id",
};

/// The actor's own exports under `filter`.
pub async fn list(db: &Db, actor: &Actor, filter: &ExportFilter, page: PageRequest) -> Result<Page<Export>, Failure> {
    let mut condition = Query::new(" WHERE tenant_id = $1 AND user_id = $2")
        .bind(actor.tenant_id)
        .bind(actor.user_id);
    if let Some(status) = &filter.status {
        condition.push(" AND status = ").push_bind(status.clone());
    }
    if let Some(list) = &filter.list {
        condition.push(" AND list = ").push_bind(list.clone());
    }
    Ok(crate::db::fetch_page(
        db,
        "exports",
        &format!("SELECT {COLUMNS} FROM exports"),
        condition,
        &EXPORT_SORT.order_by(filter.sort),
        page,
        read_export,
    )
    .await?)
}

/// What the job needs: the record (any tenant's: the job acts for the system) and who asked.
pub async fn load_for_job(db: &Db, id: i64) -> Result<Option<(TenantId, UserId, Export)>, DbError> {
    let Some(row) = db
        .fetch_optional(
            &Query::new(format!(
                "SELECT tenant_id, user_id, {COLUMNS} FROM exports WHERE id = $1"
            ))
            .bind(id),
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((
        TenantId(row.get("tenant_id")?),
        UserId(row.get("user_id")?),
        read_export(&row)?,
    )))
}

/// Records the rows written so far, in a short statement of its own so the page sees it at once.
pub async fn set_progress(
    db: &Db,
    id: i64,
    rows_done: i64,
    rows_total: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    db.execute(
        &Query::new(
            "UPDATE exports SET status = 'running', rows_done = $1, rows_total = $2, updated_at = $3
             WHERE id = $4 AND status IN ('queued', 'running')",
        )
        .bind(rows_done)
        .bind(rows_total)
        .bind(now)
        .bind(id),
    )
    .await?;
    Ok(())
}

/// Ends the export with its file.
pub async fn finish(db: &Db, id: i64, rows: i64, content: Vec<u8>, now: DateTime<Utc>) -> Result<(), DbError> {
    db.execute(
        &Query::new(
            "UPDATE exports SET status = 'done', rows_done = $1, rows_total = $1, content = $2, updated_at = $3,
                 finished_at = $3
             WHERE id = $4",
        )
        .bind(rows)
        .bind(content)
        .bind(now)
        .bind(id),
    )
    .await?;
    Ok(())
}

/// Ends the export as failed, with a message key and its parameters saying why.
pub async fn fail(
    db: &Db,
    id: i64,
    code: &str,
    params: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    db.execute(
        &Query::new(
            "UPDATE exports SET status = 'failed', error_code = $1, error_params = $2, updated_at = $3, finished_at = $3
             WHERE id = $4",
        )
        .bind(code)
        .bind(serde_json::to_string(params).unwrap_or_else(|_| "[]".to_owned()))
        .bind(now)
        .bind(id),
    )
    .await?;
    Ok(())
}

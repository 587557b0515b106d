//! Spreadsheet imports as records: the uploaded file, the stage its background job has reached,
//! and the problems found, kept so that people can leave the page, come back, and download the
//! error report. What a file means is decided elsewhere; this module only keeps the record.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::db::{Db, DbError, Query, Row, Tx};
use crate::failure::Failure;
use crate::page::{Page, PageRequest};

/// The background job kind that processes imports.
pub const JOB_KIND: &str = "import";

/// One problem of an imported file: its row as the spreadsheet numbers it, the column's
/// header, and a message key with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    pub row: u32,
    pub column: String,
    pub code: String,
    pub params: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Import {
    pub id: i64,
    /// `products` or `price_rows`.
    pub kind: String,
    pub price_list_id: Option<i64>,
    pub file_name: String,
    /// `queued`, `reading`, `checking`, `applying`, then `done`, `rejected` (the file has
    /// problems; nothing was applied) or `failed` (it could not be processed).
    pub status: String,
    pub rows_total: i64,
    pub rows_applied: i64,
    pub problem_count: usize,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub user_id: Option<i64>,
}

impl Import {
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "done" | "rejected" | "failed")
    }

    /// How far the job has come, in percent, by its stage.
    pub fn progress(&self) -> u8 {
        match self.status.as_str() {
            "queued" => 0,
            "reading" => 10,
            "checking" => 40,
            "applying" => 70,
            _ => 100,
        }
    }
}

const COLUMNS: &str =
    "id, kind, price_list_id, file_name, status, rows_total, rows_applied, problems, created_at, finished_at, user_id";

fn read_import(row: &Row) -> Result<Import, DbError> {
    let problems: String = row.get("problems")?;
    Ok(Import {
        id: row.get("id")?,
        kind: row.get("kind")?,
        price_list_id: row.get("price_list_id")?,
        file_name: row.get("file_name")?,
        status: row.get("status")?,
        rows_total: row.get("rows_total")?,
        rows_applied: row.get("rows_applied")?,
        problem_count: serde_json::from_str::<Vec<Problem>>(&problems).map_or(0, |p| p.len()),
        created_at: row.get("created_at")?,
        finished_at: row.get("finished_at")?,
        user_id: row.get("user_id")?,
    })
}

/// Records an uploaded file and queues its job, in the caller's transaction.
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    kind: &str,
    price_list_id: Option<i64>,
    file_name: &str,
    content: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id: i64 = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO imports (tenant_id, user_id, kind, price_list_id, file_name, content, status, rows_total,
                     rows_applied, problems, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, 0, '[]', $7) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(actor.user_id)
            .bind(kind)
            .bind(price_list_id)
            .bind(file_name)
            .bind(content)
            .bind(now),
        )
        .await?
        .get("id")?;
    crate::jobs::enqueue(
        tx,
        Some(actor.tenant_id),
        JOB_KIND,
        &serde_json::json!({ "import_id": id }),
        now,
    )
    .await?;
    Ok(id)
}

/// The import, if it is the actor's tenant's.
pub async fn find(db: &Db, actor: &Actor, id: i64) -> Result<Import, Failure> {
    db.fetch_optional(
        &Query::new(format!(
            "SELECT {COLUMNS} FROM imports WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(actor.tenant_id)
        .bind(id),
    )
    .await?
    .as_ref()
    .map(read_import)
    .transpose()?
    .ok_or(Failure::NotFound { entity: "import" })
}

/// The problems found in the file, in row order.
pub async fn problems(db: &Db, actor: &Actor, id: i64) -> Result<Vec<Problem>, Failure> {
    let row = db
        .fetch_optional(
            &Query::new("SELECT problems FROM imports WHERE tenant_id = $1 AND id = $2")
                .bind(actor.tenant_id)
                .bind(id),
        )
        .await?
        .ok_or(Failure::NotFound { entity: "import" })?;
    serde_json::from_str(&row.get::<String>("problems")?).map_err(|e| Failure::Internal(e.to_string()))
}

/// Which imports a list shows, and in which order.
#[derive(Debug, Clone, Default)]
pub struct ImportFilter {
    /// One stage or outcome, such as `done` or `rejected`.
    pub status: Option<String>,
    /// Parsed with [`IMPORT_SORT`].
    pub sort: crate::Sort,
}

/// The import list's sortable columns; newest first by default.
pub const IMPORT_SORT: crate::SortColumns = crate::SortColumns {
    columns: &[
        crate::SortColumn::new("file_name", "file_name"),
        crate::SortColumn::new("kind", "kind"),
        crate::SortColumn::new("status", "status"),
        crate::SortColumn::new("rows_total", "rows_total"),
        crate::SortColumn::new("created_at", "created_at"),
        crate::SortColumn::nullable("finished_at", "finished_at"),
    ],
    default: "-created_at",
    tiebreaker: "id",
};

/// The tenant's imports of these kinds under `filter`, newest first unless sorted otherwise.
pub async fn list(
    db: &Db,
    actor: &Actor,
    kinds: &[&str],
    filter: &ImportFilter,
    page: PageRequest,
) -> Result<Page<Import>, Failure> {
    let mut condition = Query::new(" WHERE tenant_id = $1").bind(actor.tenant_id);
    condition.push(" AND kind IN ").push_bind_list(kinds.iter().copied());
    if let Some(status) = &filter.status {
        condition.push(" AND status = ").push_bind(status.clone());
    }
    Ok(crate::db::fetch_page(
        db,
        "imports",
        &format!("SELECT {COLUMNS} FROM imports"),
        condition,
        &IMPORT_SORT.order_by(filter.sort),
        page,
        read_import,
    )
    .await?)
}

/// What the job needs: the record (any tenant's: the job acts for the system) and the file.
pub async fn load_for_job(db: &Db, id: i64) -> Result<Option<(i64, Import, Vec<u8>)>, DbError> {
    let Some(row) = db
        .fetch_optional(
            &Query::new(format!(
                "SELECT tenant_id, content, {COLUMNS} FROM imports WHERE id = $1"
            ))
            .bind(id),
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((row.get("tenant_id")?, read_import(&row)?, row.get("content")?)))
}

/// Moves the import to a stage, in a short transaction of its own so the page sees it at once.
pub async fn set_stage(db: &Db, id: i64, status: &str, rows_total: i64) -> Result<(), DbError> {
    db.execute(
        &Query::new("UPDATE imports SET status = $1, rows_total = $2 WHERE id = $3")
            .bind(status)
            .bind(rows_total)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Ends the import: `done` with the rows applied, `rejected` with the problems found, or
/// `failed` with one problem saying why it could not be processed.
pub async fn finish(
    db: &Db,
    id: i64,
    status: &str,
    rows_applied: i64,
    problems: &[Problem],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    db.execute(
        &Query::new("UPDATE imports SET status = $1, rows_applied = $2, problems = $3, finished_at = $4 WHERE id = $5")
            .bind(status)
            .bind(rows_applied)
            .bind(serde_json::to_string(problems).unwrap_or_else(|_| "[]".to_owned()))
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

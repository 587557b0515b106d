//! Background jobs kept in the database: leased, retried with back-off, visible to administrators.
//!
//! A job is taken by one conditional `UPDATE` that only succeeds while the job is still free, so
//! two servers never run the same job at once; a worker that dies loses its lease when
//! `leased_until` passes and another worker takes the job up again.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::actor::{Actor, Permission};
use crate::clock::Clock;
use crate::db::{Db, DbError, Query, Row, Tx};
use crate::failure::Failure;
use crate::ids::TenantId;
use crate::page::{Page, PageRequest};

pub const DEFAULT_MAX_ATTEMPTS: i64 = 5;
const LEASE: TimeDelta = TimeDelta::minutes(5);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Job {
    pub id: i64,
    #[schema(value_type = Option<i64>)]
    pub tenant_id: Option<TenantId>,
    pub kind: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const JOB_COLUMNS: &str =
    "id, tenant_id, kind, payload, status, attempts, max_attempts, run_at, last_error, created_at, finished_at";

fn read_job(row: &Row) -> Result<Job, DbError> {
    let payload: String = row.get("payload")?;
    Ok(Job {
        id: row.get("id")?,
        tenant_id: row.get::<Option<i64>>("tenant_id")?.map(TenantId),
        kind: row.get("kind")?,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        status: row.get("status")?,
        attempts: row.get("attempts")?,
        max_attempts: row.get("max_attempts")?,
        run_at: row.get("run_at")?,
        last_error: row.get("last_error")?,
        created_at: row.get("created_at")?,
        finished_at: row.get("finished_at")?,
    })
}

/// Queues a job inside the caller's transaction, so it exists only if the caller commits.
pub async fn enqueue(
    tx: &mut Tx,
    tenant_id: Option<TenantId>,
    kind: &str,
    payload: &serde_json::Value,
    run_at: DateTime<Utc>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO jobs (tenant_id, kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
             VALUES ($1, $2, $3, 'queued', 0, $4, $5, $5, $5) RETURNING id",
        )
        .bind(tenant_id)
        .bind(kind)
        .bind(payload.to_string())
        .bind(DEFAULT_MAX_ATTEMPTS)
        .bind(run_at),
    )
    .await?
    .get("id")
}

/// Queues a job of `kind` unless one is already waiting or running: for recurring work that
/// every server schedules at start, so that it runs once however many servers there are.
pub async fn ensure_queued(db: &Db, kind: &str, run_at: DateTime<Utc>) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let pending = tx
        .fetch_optional(
            &Query::new("SELECT id FROM jobs WHERE kind = $1 AND status IN ('queued', 'running') LIMIT 1").bind(kind),
        )
        .await?;
    if pending.is_none() {
        enqueue(&mut tx, None, kind, &serde_json::Value::Null, run_at).await?;
    }
    tx.commit().await
}

/// Takes the next due job for `worker`, or `None` when nothing is due.
pub async fn lease(db: &Db, worker: &str, now: DateTime<Utc>) -> Result<Option<Job>, DbError> {
    let due = "((status = 'queued' AND run_at <= $3) OR (status = 'running' AND leased_until < $3 AND attempts < max_attempts))";
    let sql = format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, leased_by = $1, leased_until = $2, updated_at = $3
         WHERE id = (SELECT id FROM jobs WHERE {due} ORDER BY run_at, id LIMIT 1) AND {due}
         RETURNING {JOB_COLUMNS}"
    );
    let row = db
        .fetch_optional(&Query::new(sql).bind(worker).bind(now + LEASE).bind(now))
        .await?;
    row.as_ref().map(read_job).transpose()
}

/// Marks a leased job done; false when the lease had already passed to another worker.
pub async fn complete(db: &Db, job_id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    let touched = db
        .execute(
            &Query::new(
                "UPDATE jobs SET status = 'done', leased_by = NULL, leased_until = NULL, finished_at = $3, updated_at = $3
                 WHERE id = $1 AND leased_by = $2 AND status = 'running'",
            )
            .bind(job_id)
            .bind(worker)
            .bind(now),
        )
        .await?;
    Ok(touched == 1)
}

/// Records a failed attempt: the job runs again after a back-off that doubles with each attempt
/// (10 s, 20 s, 40 s … at most an hour), or is given up once it has used all its attempts.
pub async fn fail(db: &Db, job: &Job, worker: &str, error: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    let exhausted = job.attempts >= job.max_attempts;
    let backoff = TimeDelta::seconds((10_i64 << job.attempts.clamp(0, 10)).min(3600));
    db.execute(
        &Query::new(
            "UPDATE jobs SET status = $3, run_at = $4, last_error = $5, leased_by = NULL, leased_until = NULL,
                 finished_at = $6, updated_at = $7
             WHERE id = $1 AND leased_by = $2 AND status = 'running'",
        )
        .bind(job.id)
        .bind(worker)
        .bind(if exhausted { "failed" } else { "queued" })
        .bind(now + backoff)
        .bind(error.chars().take(2000).collect::<String>())
        .bind(exhausted.then_some(now))
        .bind(now),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Parsed with [`JOB_SORT`].
    pub sort: crate::Sort,
}

/// The job list's sortable columns; newest first by default.
pub const JOB_SORT: crate::SortColumns = crate::SortColumns {
    columns: &[
        crate::SortColumn::new("id", "id"),
        crate::SortColumn::new("kind", "kind"),
        crate::SortColumn::new("status", "status"),
        crate::SortColumn::new("attempts", "attempts"),
        crate::SortColumn::new("run_at", "run_at"),
        crate::SortColumn::new("created_at", "created_at"),
        crate::SortColumn::nullable("finished_at", "finished_at"),
    ],
    default: "-created_at",
    tiebreaker: "id",
};

/// The tenant's jobs and the system's own, newest first unless sorted otherwise;
/// administrators only.
pub async fn list(db: &Db, actor: &Actor, filter: &JobFilter, page: PageRequest) -> Result<Page<Job>, Failure> {
    actor.require(Permission::ViewJobs)?;
    let mut condition = Query::new(" WHERE (tenant_id = $1 OR tenant_id IS NULL)").bind(actor.tenant_id);
    if let Some(status) = &filter.status {
        condition.push(" AND status = ").push_bind(status);
    }
    if let Some(kind) = &filter.kind {
        condition.push(" AND kind = ").push_bind(kind);
    }
    let select = format!("SELECT {JOB_COLUMNS} FROM jobs");
    Ok(crate::db::fetch_page(
        db,
        "jobs",
        &select,
        condition,
        &JOB_SORT.order_by(filter.sort),
        page,
        read_job,
    )
    .await?)
}

pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
pub type Handler = Arc<dyn Fn(Db, Job) -> HandlerFuture + Send + Sync>;

/// Runs jobs of the kinds it has handlers for until told to stop.
pub struct Worker {
    db: Db,
    clock: Clock,
    name: String,
    handlers: HashMap<String, Handler>,
}

impl Worker {
    pub fn new(db: Db, clock: Clock, name: String) -> Worker {
        Worker {
            db,
            clock,
            name,
            handlers: HashMap::new(),
        }
    }

    pub fn handle(mut self, kind: &str, handler: Handler) -> Worker {
        self.handlers.insert(kind.to_owned(), handler);
        self
    }

    /// Runs one due job if there is one; returns whether it found work.
    pub async fn run_once(&self) -> Result<bool, DbError> {
        let Some(job) = lease(&self.db, &self.name, self.clock.now()).await? else {
            return Ok(false);
        };
        let outcome = match self.handlers.get(&job.kind) {
            Some(handler) => handler(self.db.clone(), job.clone()).await,
            None => Err(format!("no handler for job kind {}", job.kind)),
        };
        match outcome {
            Ok(()) => {
                complete(&self.db, job.id, &self.name, self.clock.now()).await?;
            }
            Err(error) => {
                tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
                fail(&self.db, &job, &self.name, &error, self.clock.now()).await?;
            }
        }
        Ok(true)
    }

    /// Polls for work until `stop` resolves, pausing a second whenever the queue is empty.
    pub async fn run(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let idle = match self.run_once().await {
                Ok(found) => !found,
                Err(error) => {
                    tracing::error!(%error, "job queue unavailable");
                    true
                }
            };
            if idle {
                tokio::select! {
                    () = &mut stop => return,
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }
}

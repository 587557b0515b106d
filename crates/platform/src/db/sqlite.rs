//! SQLite, called in place. A statement runs on the thread of the task that asks for it: SQLite
//! answers in microseconds from its page cache, and sending each statement and each row to a
//! connection's own thread and back (as sqlx's driver does) cost more than the statements,
//! mostly in switching threads. The price is that a slow statement holds its thread; the
//! runtime's other threads go on meanwhile.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{DbError, Value, WriteTurn};

/// How long a writer waits for another's write lock before giving up.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a task waits for a free connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
/// Prepared statements kept per connection: every distinct text the application runs often.
const STATEMENT_CACHE: usize = 512;
/// Pages of WAL (80 MB) after which a commit copies them into the database file.
const CHECKPOINT_PAGES: u32 = 20_000;

/// Connections to one SQLite file: the readers', at most `permits` of them in use at once, and the
/// writer's.
pub struct Pool {
    target: Target,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
    /// The connection every write of this process goes through, kept apart from the readers'.
    /// SQLite empties a connection's page cache whenever another connection has committed since
    /// its last transaction; the writer's own commits do not count, so its cache stays warm with
    /// the pages writes keep coming back to (stock levels, order indexes, parent rows checked by
    /// foreign keys).
    writer: Mutex<Option<Connection>>,
}

/// What a connection opens.
enum Target {
    File(String),
    /// `:memory:` as one database shared by the pool's connections, named for this pool alone.
    Memory(String),
}

impl Pool {
    /// A pool for `path` (a file, created when missing, or `:memory:`); the first connection is
    /// opened at once, so that a wrong path is reported here.
    pub fn open(path: &str, max_connections: u32) -> Result<Pool, DbError> {
        let target = if path == ":memory:" {
            static MEMORY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = MEMORY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Target::Memory(format!(
                "file:dealerport-memory-{}-{n}?mode=memory&cache=shared",
                std::process::id()
            ))
        } else {
            Target::File(path.to_owned())
        };
        let pool = Pool {
            target,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(max_connections.max(1) as usize)),
            writer: Mutex::new(None),
        };
        let first = pool.connect()?;
        pool.lock_idle().push(first);
        Ok(pool)
    }

    fn connect(&self) -> Result<Connection, DbError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = match &self.target {
            Target::File(path) => Connection::open_with_flags(path, flags),
            Target::Memory(uri) => Connection::open_with_flags(uri, flags),
        }
        .map_err(|e| DbError::Config(e.to_string()))?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // WAL lets readers go on while one writer writes; FULL makes every commit durable.
        let _mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        // A statement that changes many rows in a transaction keeps the pages it changed in a
        // statement journal, to undo itself should it fail. SQLite spills that journal past
        // 64 KiB into a temporary file, which the writer then writes, closes and deletes for
        // every such statement: about a tenth of the CPU while orders are placed.
        connection.pragma_update(None, "temp_store", "MEMORY")?;
        // A larger page cache per connection than SQLite's 2 MiB, for the large catalogs.
        connection.pragma_update(None, "cache_size", -32768)?;
        // The WAL is copied into the database every CHECKPOINT_PAGES pages rather than SQLite's
        // 1,000: an order writes some fifty pages, many of them the same index and stock pages,
        // and a checkpoint copies only each page's last version.
        let _pages: i64 =
            connection.query_row(&format!("PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}"), [], |row| {
                row.get(0)
            })?;
        Ok(connection)
    }

    /// A connection for one statement or one transaction, waiting while all are in use.
    pub async fn acquire(self: &Arc<Pool>) -> Result<Lease, DbError> {
        let permit = tokio::time::timeout(ACQUIRE_TIMEOUT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| DbError::PoolTimedOut)?
            .map_err(|_| DbError::PoolTimedOut)?;
        let idle = self.lock_idle().pop();
        self.lease(idle, Some(permit))
    }

    /// The writer's connection. Only the holder of this process's turn to write asks for it, so
    /// it is never in use when asked for.
    pub fn acquire_writer(self: &Arc<Pool>) -> Result<Lease, DbError> {
        let kept = self.lock_writer().take();
        self.lease(kept, None)
    }

    /// A lease of `kept`, or of a new connection when there is none to reuse.
    fn lease(
        self: &Arc<Pool>,
        kept: Option<Connection>,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Result<Lease, DbError> {
        let connection = match kept {
            Some(connection) => connection,
            None => self.connect()?,
        };
        Ok(Lease {
            connection: Some(connection),
            pool: self.clone(),
            permit,
        })
    }

    /// Closes the idle connections and refuses new ones.
    pub fn close(&self) {
        self.permits.close();
        self.lock_idle().clear();
        self.lock_writer().take();
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_writer(&self) -> std::sync::MutexGuard<'_, Option<Connection>> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A connection taken from the pool; it goes back when dropped, with any transaction it was
/// left in rolled back.
pub struct Lease {
    connection: Option<Connection>,
    pool: Arc<Pool>,
    /// None for the writer's connection, which is not counted among the readers'.
    permit: Option<OwnedSemaphorePermit>,
}

impl Lease {
    fn connection(&self) -> Result<&Connection, DbError> {
        self.connection.as_ref().ok_or(DbError::PoolTimedOut)
    }

    /// Whether `query` only reads, so that it needs no turn to write.
    pub(super) fn is_read_only(&self, query: &super::ForSqlite<'_>) -> Result<bool, DbError> {
        Ok(self.connection()?.prepare_cached(&query.sql)?.readonly())
    }

    pub(super) fn fetch_all(&self, query: &super::ForSqlite<'_>) -> Result<Vec<SqliteRow>, DbError> {
        self.fetch(query, usize::MAX)
    }

    /// The first row of `query`, if any, reading no further.
    pub(super) fn fetch_optional(&self, query: &super::ForSqlite<'_>) -> Result<Option<SqliteRow>, DbError> {
        Ok(self.fetch(query, 1)?.pop())
    }

    fn fetch(&self, query: &super::ForSqlite<'_>, most: usize) -> Result<Vec<SqliteRow>, DbError> {
        logged(&query.sql, || self.read(query, most))
    }

    fn read(&self, query: &super::ForSqlite<'_>, most: usize) -> Result<Vec<SqliteRow>, DbError> {
        let mut statement = self.prepared(query)?;
        let columns: Arc<[String]> = statement.column_names().into_iter().map(str::to_owned).collect();
        let mut rows = statement.raw_query();
        let mut found = Vec::new();
        while found.len() < most {
            let Some(row) = rows.next()? else { break };
            let mut values = Vec::with_capacity(columns.len());
            for index in 0..columns.len() {
                values.push(Owned::from(row.get_ref(index)?));
            }
            found.push(SqliteRow {
                columns: columns.clone(),
                values,
            });
        }
        Ok(found)
    }

    /// Runs a statement to its end; the rows it changed (or read).
    pub(super) fn execute(&self, query: &super::ForSqlite<'_>) -> Result<u64, DbError> {
        logged(&query.sql, || self.run(query))
    }

    fn run(&self, query: &super::ForSqlite<'_>) -> Result<u64, DbError> {
        let mut statement = self.prepared(query)?;
        let read_only = statement.readonly();
        let mut rows = statement.raw_query();
        let mut read = 0;
        while rows.next()?.is_some() {
            read += 1;
        }
        drop(rows);
        // SQLite counts the changes of the last statement that wrote, so a read counts the rows
        // it read instead, as PostgreSQL does.
        Ok(if read_only { read } else { self.connection()?.changes() })
    }

    /// `query`'s statement, prepared or taken from the cache, with its arguments bound.
    fn prepared(&self, query: &super::ForSqlite<'_>) -> Result<rusqlite::CachedStatement<'_>, DbError> {
        let mut statement = self.connection()?.prepare_cached(&query.sql)?;
        for (index, value) in query.args.iter().enumerate() {
            statement.raw_bind_parameter(index + 1, Bound(value))?;
        }
        Ok(statement)
    }

    /// Runs a text of several statements without arguments.
    pub fn execute_script(&self, sql: &str) -> Result<(), DbError> {
        Ok(self.connection()?.execute_batch(sql)?)
    }
}

/// Runs a statement, logging it with its time when `sql=debug` is asked for (`DEALERPORT_LOG`).
fn logged<T>(sql: &str, run: impl FnOnce() -> Result<T, DbError>) -> Result<T, DbError> {
    if !tracing::enabled!(target: "sql", tracing::Level::DEBUG) {
        return run();
    }
    let started = Instant::now();
    let result = run();
    tracing::debug!(target: "sql", elapsed = ?started.elapsed(), "{sql}");
    result
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            // A connection left inside a transaction (a task that stopped half-way) rolls it back
            // before anyone else uses it; one that cannot is closed instead.
            if connection.is_autocommit() || connection.execute_batch("ROLLBACK").is_ok() {
                if self.permit.is_some() {
                    self.pool.lock_idle().push(connection);
                } else {
                    *self.pool.lock_writer() = Some(connection);
                }
            }
        }
    }
}

/// A write transaction: this process's turn to write and a connection inside `BEGIN IMMEDIATE`.
/// Dropped without [`Transaction::commit`], it rolls back.
pub struct Transaction {
    lease: Lease,
    _turn: WriteTurn,
}

impl Transaction {
    pub fn begin(lease: Lease, turn: WriteTurn) -> Result<Transaction, DbError> {
        lease.execute_script("BEGIN IMMEDIATE")?;
        Ok(Transaction { lease, _turn: turn })
    }

    pub fn lease(&self) -> &Lease {
        &self.lease
    }

    pub fn commit(self) -> Result<(), DbError> {
        // A commit that fails leaves the transaction open; dropping the lease rolls it back.
        self.lease.execute_script("COMMIT")
    }
}

/// A value as bound to a statement.
struct Bound<'a>(&'a Value);

impl rusqlite::ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as Sql;
        Ok(match self.0 {
            Value::Int(Some(v)) => ToSqlOutput::Owned(Sql::Integer(*v)),
            Value::Text(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Value::Bool(Some(v)) => ToSqlOutput::Owned(Sql::Integer(i64::from(*v))),
            // A fixed-width UTC text sorts the same as the instant it names. Neither is written
            // through a format string, which chrono would parse again on every call.
            Value::Time(Some(v)) => ToSqlOutput::Owned(Sql::Text(v.to_rfc3339_opts(SecondsFormat::Micros, true))),
            Value::Date(Some(v)) => ToSqlOutput::Owned(Sql::Text(v.to_string())),
            Value::Bytes(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
            Value::Int(None)
            | Value::Text(None)
            | Value::Bool(None)
            | Value::Time(None)
            | Value::Date(None)
            | Value::Bytes(None) => ToSqlOutput::Owned(Sql::Null),
        })
    }
}

/// A column's value as read.
#[derive(Debug, Clone)]
pub enum Owned {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<ValueRef<'_>> for Owned {
    fn from(value: ValueRef<'_>) -> Self {
        match value {
            ValueRef::Null => Owned::Null,
            ValueRef::Integer(v) => Owned::Integer(v),
            ValueRef::Real(v) => Owned::Real(v),
            ValueRef::Text(v) => Owned::Text(String::from_utf8_lossy(v).into_owned()),
            ValueRef::Blob(v) => Owned::Blob(v.to_vec()),
        }
    }
}

/// A row read from SQLite.
pub struct SqliteRow {
    columns: Arc<[String]>,
    values: Vec<Owned>,
}

impl SqliteRow {
    pub fn get<T: FromSqlite>(&self, column: &str) -> Result<T, DbError> {
        let value = self
            .columns
            .iter()
            .position(|name| name == column)
            .and_then(|index| self.values.get(index))
            .ok_or_else(|| DbError::Column {
                column: column.to_owned(),
                problem: "no such column".into(),
            })?;
        T::from_sqlite(value).map_err(|problem| DbError::Column {
            column: column.to_owned(),
            problem,
        })
    }
}

/// A Rust type read from a SQLite column, with the conversions the application relies on.
pub trait FromSqlite: Sized {
    fn from_sqlite(value: &Owned) -> Result<Self, String>;
}

fn mismatched(expected: &str, value: &Owned) -> String {
    format!("expected {expected}, found {value:?}")
}

impl<T: FromSqlite> FromSqlite for Option<T> {
    fn from_sqlite(value: &Owned) -> Result<Self, String> {
        match value {
            Owned::Null => Ok(None),
            other => T::from_sqlite(other).map(Some),
        }
    }
}

impl FromSqlite for i64 {
    fn from_sqlite(value: &Owned) -> Result<Self, String> {
        match value {
            Owned::Integer(v) => Ok(*v),
            other => Err(mismatched("an integer", other)),
        }
    }
}

impl FromSqlite for i32 {
    fn from_sqlite(value: &Owned) -> Result<Self, String> {
        i32::try_from(i64::from_sqlite(value)?).map_err(|e| e.to_string())
    }
}

impl FromSqlite for f64 {
    fn from_sqlite(value: &Owned) -> Result<Self, String> {
        match value {
            Owned::Real(v) => Ok(*v),
            Owned::Integer(v) => Ok(*v as f64),
            other => Err(mismatched("a number", other)),
        }
    }
}

impl FromSqlite for bool {
    fn from_sqlite(value: &Owned) -> Result<Self, String> {
        Ok(i64::from_sqlite(value)? != 0)
    }
}

impl FromSqlite for String {
    fn from_sqlite(value: &Owned) -> Result<Self, String> {
        match value {
            Owned::Text(v) => Ok(v.clone()),
            other => Err(mismatched("a text", other)),
        }
    }
}

impl FromSqlite for Vec<u8> {
    fn from_sqlite(value: &Owned) -> Result<Self, String> {
        match value {
            Owned::Blob(v) => Ok(v.clone()),
            Owned::Text(v) => Ok(v.as_bytes().to_vec()),
            other => Err(mismatched("bytes", other)),
        }
    }
}

impl FromSqlite for NaiveDate {
    fn from_sqlite(value: &Owned) -> Result<Self, String> {
        match value {
            Owned::Text(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|e| format!("{e}: {v}")),
            other => Err(mismatched("a date", other)),
        }
    }
}

impl FromSqlite for DateTime<Utc> {
    fn from_sqlite(value: &Owned) -> Result<Self, String> {
        match value {
            // Written as RFC 3339 in UTC; a text without an offset is taken as UTC.
            Owned::Text(v) => DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc()))
                .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc()))
                .map_err(|e| format!("{e}: {v}")),
            other => Err(mismatched("a time", other)),
        }
    }
}

//! The storage boundary: one SQL text per query, run on SQLite or PostgreSQL.
//!
//! Business code writes portable SQL with `$1, $2, …` placeholders (both drivers accept them),
//! binds values through [`Query`], and reads columns through [`Row::get`]. Which database is
//! behind a [`Db`] is decided here, once, when it connects; nothing outside this module branches
//! on it. sqlx's `Any` driver was not used because it loses time zones and decimals.
//!
//! Portable SQL rules that keep both databases honest:
//! - every integer column is `BIGINT`, and computed integers are `CAST(… AS BIGINT)`
//!   (PostgreSQL's `SUM` of a bigint is a numeric);
//! - timestamps are `TIMESTAMPTZ`, written from the injected clock, never `CURRENT_TIMESTAMP`;
//! - case-insensitive search goes through a lower-cased column the application fills in,
//!   because SQLite's `lower()` only knows ASCII.

use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row as _};

mod grouped;
mod migrate;
mod sqlite;
mod unnest;

pub use grouped::Grouped;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database URL is not usable: {0}")]
    Config(String),
    /// A statement the code built wrongly, refused before it reaches the database.
    #[error("the statement cannot be run as built: {0}")]
    Statement(String),
    #[error("a unique constraint was violated: {0}")]
    UniqueViolation(String),
    #[error("a foreign key constraint was violated: {0}")]
    ForeignKeyViolation(String),
    #[error("a check constraint was violated: {0}")]
    CheckViolation(String),
    #[error("expected a row, found none")]
    NoRow,
    #[error("column {column} could not be read: {problem}")]
    Column { column: String, problem: String },
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: Box<DbError>,
    },
    #[error("the database schema is at version {found}, newer than this binary knows ({known})")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("no database connection became free in time")]
    PoolTimedOut,
    #[error("the database stayed busy with other writes for too long")]
    Busy,
    #[error(transparent)]
    Sqlx(sqlx::Error),
    #[error(transparent)]
    Sqlite(rusqlite::Error),
}

impl DbError {
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::UniqueViolation(_))
    }

    pub fn is_check_violation(&self) -> bool {
        matches!(self, DbError::CheckViolation(_))
    }
}

impl From<sqlx::Error> for DbError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db_error) = &error {
            match db_error.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    return DbError::UniqueViolation(db_error.message().to_owned())
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return DbError::ForeignKeyViolation(db_error.message().to_owned())
                }
                sqlx::error::ErrorKind::CheckViolation => {
                    return DbError::CheckViolation(db_error.message().to_owned())
                }
                _ => {}
            }
        }
        DbError::Sqlx(error)
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        if let rusqlite::Error::SqliteFailure(failure, message) = &error {
            let message = message.clone().unwrap_or_else(|| failure.to_string());
            match failure.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    return DbError::UniqueViolation(message)
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return DbError::ForeignKeyViolation(message),
                ffi::SQLITE_CONSTRAINT_CHECK => return DbError::CheckViolation(message),
                _ => {}
            }
        }
        DbError::Sqlite(error)
    }
}

/// A value bound to a placeholder. Nulls carry their type because PostgreSQL needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    Bytes(Option<Vec<u8>>),
}

macro_rules! value_from {
    ($variant:ident, $type:ty, $convert:expr) => {
        impl From<$type> for Value {
            fn from(value: $type) -> Self {
                Value::$variant(Some($convert(value)))
            }
        }
        impl From<Option<$type>> for Value {
            fn from(value: Option<$type>) -> Self {
                Value::$variant(value.map($convert))
            }
        }
    };
}

value_from!(Int, i64, |v| v);
value_from!(Int, i32, i64::from);
value_from!(Int, u32, i64::from);
value_from!(Text, String, |v| v);
value_from!(Text, &str, str::to_owned);
value_from!(Text, &String, String::clone);
value_from!(Bool, bool, |v| v);
value_from!(Time, DateTime<Utc>, |v| v);
value_from!(Date, NaiveDate, |v| v);
value_from!(Bytes, Vec<u8>, |v| v);

/// One SQL text and its arguments. Build it whole with [`Query::new`] and [`Query::bind`], or
/// piece by piece with [`Query::push`] and [`Query::push_bind`], which numbers placeholders.
#[derive(Debug, Clone)]
pub struct Query {
    sql: String,
    args: Vec<Value>,
    planned_per_run: bool,
    /// Stretches of `sql` that PostgreSQL is sent as arrays instead ([`unnest::Stretch`]).
    arrayed: Vec<unnest::Stretch>,
}

impl Query {
    pub fn new(sql: impl Into<String>) -> Query {
        Query {
            sql: sql.into(),
            args: Vec::new(),
            planned_per_run: false,
            arrayed: Vec::new(),
        }
    }

    /// Has PostgreSQL plan the statement afresh for its values on every run. Otherwise, after
    /// five runs, it may settle on one plan for any values, which saves planning (a tenth of a
    /// millisecond and more: two fifths of its work for the statements that place an order) but can
    /// be far worse for the values that come. Lists and reports, whose filters and sort decide
    /// the plan, are planned per run, and so is any statement seen to go wrong: a price list's
    /// rows for a 500-line cart took 11 ms on a settled plan instead of 1, and a dealer's
    /// published products by name 300 ms instead of 5.
    pub fn planned_per_run(mut self) -> Query {
        self.planned_per_run = true;
        self
    }

    /// Binds the next `$n` of a text written with explicit placeholders.
    pub fn bind(mut self, value: impl Into<Value>) -> Query {
        self.args.push(value.into());
        self
    }

    pub fn push(&mut self, sql: &str) -> &mut Query {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for `value`, numbered after those already bound.
    pub fn push_bind(&mut self, value: impl Into<Value>) -> &mut Query {
        self.args.push(value.into());
        let placeholder = format!("${}", self.args.len());
        self.sql.push_str(&placeholder);
        self
    }

    /// Appends `(v1, v2, …)` as placeholders, for `IN` lists. The statement's text differs with
    /// the number of values, so PostgreSQL prepares and plans it anew for each number.
    pub fn push_bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Query {
        self.push_placeholders(values);
        self
    }

    /// Appends ` IN (v1, v2, …)`; PostgreSQL is sent ` = ANY($n)` with the values as one array.
    /// The statement then has one text for any number of values, which PostgreSQL prepares once
    /// per connection and, after a few runs, runs on one plan for all values: for lookups by key
    /// whose lists vary in length. Where the best plan depends on the values, or PostgreSQL
    /// would plan an array of unknown length worse than the few values it usually has, use
    /// [`Query::push_bind_list`].
    pub fn push_in_array<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Query {
        let start = self.sql.len();
        let first = self.args.len();
        self.sql.push_str(" IN ");
        self.push_placeholders(values);
        if self.args.len() > first {
            self.arrayed.push(unnest::Stretch {
                text: start..self.sql.len(),
                values: first..self.args.len(),
                shape: unnest::Shape::AnyOf,
            });
        }
        self
    }

    /// Appends `(v1, v2, …)` as placeholders.
    fn push_placeholders<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) {
        self.sql.push('(');
        for (index, value) in values.into_iter().enumerate() {
            if index > 0 {
                self.sql.push_str(", ");
            }
            self.push_bind(value);
        }
        self.sql.push(')');
    }

    /// Appends `(SELECT column1 AS a, column2 AS b … FROM (VALUES (…), (…)) AS listed)`: rows of
    /// values as a table named by `columns`, to join in `UPDATE … FROM`. Both databases call a
    /// `VALUES` list's columns column1, column2…. PostgreSQL is sent one array per column
    /// instead, unnested into the table.
    pub fn push_values_table(&mut self, columns: &[&str], rows: &[Vec<Value>]) -> &mut Query {
        let start = self.sql.len();
        let first = self.args.len();
        self.sql.push_str("(SELECT ");
        for (index, column) in columns.iter().enumerate() {
            if index > 0 {
                self.sql.push_str(", ");
            }
            self.sql.push_str(&format!("column{} AS {column}", index + 1));
        }
        self.sql.push_str(" FROM (VALUES ");
        for (index, row) in rows.iter().enumerate() {
            if index > 0 {
                self.sql.push_str(", ");
            }
            self.push_placeholders(row.iter().cloned());
        }
        self.sql.push_str(") AS listed)");
        // Rows of other widths stay a `VALUES` list, which both databases refuse alike.
        if !rows.is_empty() && !columns.is_empty() && rows.iter().all(|row| row.len() == columns.len()) {
            self.arrayed.push(unnest::Stretch {
                text: start..self.sql.len(),
                values: first..self.args.len(),
                shape: unnest::Shape::Table(columns.iter().map(|column| (*column).to_owned()).collect()),
            });
        }
        self
    }

    /// Puts text before what is there; the placeholders keep their numbers.
    pub fn prepend(&mut self, sql: &str) -> &mut Query {
        self.sql.insert_str(0, sql);
        for stretch in &mut self.arrayed {
            stretch.text = stretch.text.start + sql.len()..stretch.text.end + sql.len();
        }
        self
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub fn argument_count(&self) -> usize {
        self.args.len()
    }

    /// The query as SQLite takes it fastest: every `$n` becomes an anonymous `?`, with the
    /// arguments repeated in the order they are used. SQLite looks a named parameter up by
    /// scanning all the names before it, so binding the thousands of a multi-row insert by name
    /// took time that grew with the square of their number; anonymous ones bind by position.
    fn for_sqlite(&self) -> ForSqlite<'_> {
        let mut sql = String::with_capacity(self.sql.len());
        let mut args = Vec::with_capacity(self.args.len());
        let mut copied = 0;
        for (text, index) in Placeholders::new(&self.sql, self.args.len()) {
            sql.push_str(&self.sql[copied..text.start]);
            sql.push('?');
            args.push(&self.args[index]);
            copied = text.end;
        }
        sql.push_str(&self.sql[copied..]);
        ForSqlite { sql, args }
    }

    /// The query as PostgreSQL takes it: as written, or with its lists and tables of values as
    /// arrays ([`unnest::Stretch`]). An unnamed statement is planned for the values bound to it,
    /// then forgotten.
    fn for_postgres(&self) -> Result<ForPostgres<'_>, DbError> {
        let persistent = !self.planned_per_run;
        if self.arrayed.is_empty() {
            return Ok(ForPostgres {
                sql: std::borrow::Cow::Borrowed(&self.sql),
                args: self.args.iter().map(PgArgument::Value).collect(),
                persistent,
            });
        }
        let (sql, args) = unnest::rewrite(&self.sql, &self.args, &self.arrayed)?;
        Ok(ForPostgres {
            sql: std::borrow::Cow::Owned(sql),
            args,
            persistent,
        })
    }
}

/// Where each `$n` of a text stands and which argument it names, outside quotes; a `$n` beyond
/// the arguments is not a placeholder of ours and is left alone.
struct Placeholders<'a> {
    sql: &'a str,
    arguments: usize,
    at: usize,
    quote: Option<u8>,
}

impl<'a> Placeholders<'a> {
    fn new(sql: &'a str, arguments: usize) -> Placeholders<'a> {
        Placeholders {
            sql,
            arguments,
            at: 0,
            quote: None,
        }
    }
}

impl Iterator for Placeholders<'_> {
    /// The placeholder's bytes in the text, and the index of its argument.
    type Item = (std::ops::Range<usize>, usize);

    fn next(&mut self) -> Option<Self::Item> {
        // Read as bytes: every character looked for is ASCII, and UTF-8 never uses an ASCII
        // byte inside another character.
        let text = self.sql.as_bytes();
        while self.at < text.len() {
            let byte = text[self.at];
            self.at += 1;
            match (self.quote, byte) {
                (Some(open), _) if byte == open => self.quote = None,
                (None, b'\'' | b'"') => self.quote = Some(byte),
                (None, b'$') => {
                    let start = self.at - 1;
                    let digits_end = text[self.at..]
                        .iter()
                        .position(|d| !d.is_ascii_digit())
                        .map_or(text.len(), |n| self.at + n);
                    let index = self.sql[self.at..digits_end]
                        .parse::<usize>()
                        .ok()
                        .and_then(|number| number.checked_sub(1))
                        .filter(|index| *index < self.arguments);
                    self.at = digits_end;
                    if let Some(index) = index {
                        return Some((start..digits_end, index));
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// A query as sent to PostgreSQL (see [`Query::for_postgres`]).
struct ForPostgres<'a> {
    sql: std::borrow::Cow<'a, str>,
    args: Vec<PgArgument<'a>>,
    persistent: bool,
}

enum PgArgument<'a> {
    Value(&'a Value),
    Array(unnest::Array),
}

impl ForPostgres<'_> {
    fn query(&self) -> sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments> {
        let mut query = sqlx::query(&self.sql).persistent(self.persistent);
        for argument in &self.args {
            query = match argument {
                PgArgument::Value(Value::Int(v)) => query.bind(*v),
                PgArgument::Value(Value::Text(v)) => query.bind(v.as_deref()),
                PgArgument::Value(Value::Bool(v)) => query.bind(*v),
                PgArgument::Value(Value::Time(v)) => query.bind(*v),
                PgArgument::Value(Value::Date(v)) => query.bind(*v),
                PgArgument::Value(Value::Bytes(v)) => query.bind(v.as_deref()),
                PgArgument::Array(array) => array.bind(query),
            };
        }
        query
    }
}

/// A query rewritten for SQLite (see [`Query::for_sqlite`]).
struct ForSqlite<'a> {
    sql: String,
    args: Vec<&'a Value>,
}

/// A row from either database.
pub enum Row {
    Sqlite(sqlite::SqliteRow),
    Postgres(PgRow),
}

/// A Rust type that both databases' columns are read into.
pub trait Column: Sized {
    fn read(row: &Row, column: &str) -> Result<Self, DbError>;
}

impl<T> Column for T
where
    T: sqlite::FromSqlite,
    T: for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    fn read(row: &Row, column: &str) -> Result<Self, DbError> {
        match row {
            Row::Sqlite(row) => row.get(column),
            Row::Postgres(row) => row.try_get::<T, _>(column).map_err(|source| DbError::Column {
                column: column.to_owned(),
                problem: source.to_string(),
            }),
        }
    }
}

/// A currency kept as its ISO code.
impl Column for crate::Currency {
    fn read(row: &Row, column: &str) -> Result<Self, DbError> {
        crate::Currency::parse(&row.get::<String>(column)?).map_err(|error| DbError::Column {
            column: column.to_owned(),
            problem: error.to_string(),
        })
    }
}

impl Row {
    pub fn get<T: Column>(&self, column: &str) -> Result<T, DbError> {
        T::read(self, column)
    }

    /// The ids a column joins with commas (`string_agg(CAST(id AS TEXT), ',')`), none for NULL:
    /// how a row brings along the ids of a few rows related to it.
    pub fn get_ids(&self, column: &str) -> Result<Vec<i64>, DbError> {
        let Some(joined) = self.get::<Option<String>>(column)? else {
            return Ok(Vec::new());
        };
        joined
            .split(',')
            .map(|id| {
                id.parse().map_err(|_| DbError::Column {
                    column: column.into(),
                    problem: format!("{id:?} is not an id"),
                })
            })
            .collect()
    }
}

#[derive(Clone)]
enum Pool {
    Sqlite(Arc<sqlite::Pool>),
    Postgres(PgPool),
}

/// A connection pool to the one database of this deployment.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    /// SQLite has one writer at a time. Writers of this process wait their turn here, in a
    /// queue, rather than in SQLite's busy handler, which sleeps and retries: with many
    /// concurrent orders that sleeping cut throughput from hundreds to tens a second.
    /// Other processes on the same file still meet the busy handler.
    writer: Arc<tokio::sync::Mutex<()>>,
    shared: Arc<grouped::Shared>,
    /// On SQLite, the connection a [`Db::snapshot`] reads through.
    snapshot: Option<Arc<Mutex<sqlite::Lease>>>,
    /// The server's key for the secrets it stores and reads back (see [`crate::secret`]).
    secret_key: Option<Arc<crate::secret::SecretKey>>,
}

/// This process's turn to write to SQLite, held until the transaction ends.
pub struct WriteTurn {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

/// How to connect; `schema` puts every table of a PostgreSQL connection in one schema (tests).
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub url: String,
    pub max_connections: u32,
    pub schema: Option<String>,
}

impl DbOptions {
    pub fn new(url: impl Into<String>) -> DbOptions {
        DbOptions {
            url: url.into(),
            max_connections: 10,
            schema: None,
        }
    }
}

/// A LIKE pattern matching `text` anywhere, lower-cased, with `%`, `_` and `\` taken literally;
/// use it with `LIKE … ESCAPE '\'` against a lower-cased column.
pub fn like_contains(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Db {
    /// Connects to `postgres://…` or to a SQLite file (`sqlite:path` or a bare path), creating
    /// the SQLite file when it is missing.
    pub async fn connect(options: &DbOptions) -> Result<Db, DbError> {
        let pool = if is_postgres_url(&options.url) {
            let mut connect = PgConnectOptions::from_str(&options.url).map_err(|e| DbError::Config(e.to_string()))?;
            if let Some(schema) = &options.schema {
                connect = connect.options([("search_path", schema.as_str())]);
            }
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(connect)
                    .await?,
            )
        } else {
            let path = options
                .url
                .strip_prefix("sqlite://")
                .or_else(|| options.url.strip_prefix("sqlite:"));
            Pool::Sqlite(Arc::new(sqlite::Pool::open(
                path.unwrap_or(&options.url),
                options.max_connections,
            )?))
        };
        Ok(Db {
            pool,
            writer: Arc::new(tokio::sync::Mutex::new(())),
            shared: Arc::default(),
            snapshot: None,
            secret_key: None,
        })
    }

    /// This handle, sealing the secrets it stores with `key`.
    pub fn with_secret_key(self, key: crate::secret::SecretKey) -> Db {
        Db {
            secret_key: Some(Arc::new(key)),
            ..self
        }
    }

    pub fn secret_key(&self) -> Option<&crate::secret::SecretKey> {
        self.secret_key.as_deref()
    }

    /// A handle that reads through one connection in one read transaction until it is dropped,
    /// for a command's many small reads: on SQLite each statement otherwise takes a connection
    /// from the pool and begins and ends a transaction of its own, and a connection that sees
    /// another's commit at that beginning reads its pages again. Its reads see the database as
    /// it was at the first of them, so a command drops it before it writes and reads afresh
    /// after. Writes through it go to the pool as usual. On PostgreSQL it is the pool itself.
    pub async fn snapshot(&self) -> Result<Db, DbError> {
        match &self.pool {
            Pool::Sqlite(pool) if self.snapshot.is_none() => {
                let lease = pool.acquire().await?;
                lease.execute_script("BEGIN")?;
                Ok(Db {
                    snapshot: Some(Arc::new(Mutex::new(lease))),
                    ..self.clone()
                })
            }
            _ => Ok(self.clone()),
        }
    }

    /// The one `T` of this database in this process, such as a capability's [`Grouped`] queue.
    pub fn shared<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        self.shared.get()
    }

    pub fn backend_name(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`)
    /// so that two writers queue instead of failing when a read would turn into a write.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => {
                let turn = self.write_turn().await?;
                Tx::Sqlite(sqlite::Transaction::begin(pool.acquire_writer()?, turn)?)
            }
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Applies the migrations this binary carries and has not applied yet.
    pub async fn migrate(&self) -> Result<usize, DbError> {
        migrate::run(self).await
    }

    /// Gathers fresh table statistics for the query planners, or they guess from empty tables
    /// and choose full scans. On SQLite only the per-index figures are kept: the bundled SQLite
    /// is built with STAT4, and its value samples make it re-plan every statement with a bound
    /// value on each run (a fifth of all CPU time when placing orders on the large demo), for
    /// plans no better than those the per-index figures give.
    pub async fn refresh_statistics(&self) -> Result<(), DbError> {
        self.execute(&Query::new("ANALYZE")).await?;
        if let Pool::Sqlite(_) = self.pool {
            let samples =
                Query::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM sqlite_schema WHERE name = 'sqlite_stat4'");
            if self.fetch_one(&samples).await?.get::<i64>("n")? > 0 {
                self.execute(&Query::new("DELETE FROM sqlite_stat4")).await?;
                // Makes this connection read the statistics again; new connections read them anyway.
                self.execute(&Query::new("ANALYZE sqlite_schema")).await?;
            }
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), DbError> {
        self.fetch_one(&Query::new("SELECT CAST(1 AS BIGINT) AS one"))
            .await
            .map(|_| ())
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close(),
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// A transaction; dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    Sqlite(sqlite::Transaction),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<(), DbError> {
        match self {
            Tx::Sqlite(tx) => tx.commit()?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Runs a text of several statements without arguments (migrations).
    async fn execute_script(&mut self, sql: &str) -> Result<(), DbError> {
        match self {
            Tx::Sqlite(tx) => tx.lease().execute_script(sql),
            Tx::Postgres(tx) => Ok(sqlx::raw_sql(sql).execute(&mut **tx).await.map(|_| ())?),
        }
    }

    fn is_postgres(&self) -> bool {
        matches!(self, Tx::Postgres(_))
    }
}

impl Db {
    /// Runs one statement on a pooled SQLite connection outside any transaction. A statement
    /// that writes waits for this process's turn to write first, as a transaction does: SQLite's
    /// own wait for the write lock would hold the thread, and with it, on a runtime of one
    /// thread, the very task that holds the lock.
    async fn on_sqlite<T>(
        &self,
        pool: &Arc<sqlite::Pool>,
        query: &Query,
        run: impl FnOnce(&sqlite::Lease, &ForSqlite<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let query = query.for_sqlite();
        if let Some(snapshot) = &self.snapshot {
            let lease = snapshot.lock().unwrap_or_else(PoisonError::into_inner);
            if lease.is_read_only(&query)? {
                return run(&lease, &query);
            }
        }
        let lease = pool.acquire().await?;
        if lease.is_read_only(&query)? {
            return run(&lease, &query);
        }
        // The connection goes back while waiting, or writers waiting their turn could hold every
        // connection the writer whose turn it is needs.
        drop(lease);
        let _turn = self.write_turn().await?;
        run(&pool.acquire_writer()?, &query)
    }

    /// This process's turn to write to SQLite. It is given up on after as long as SQLite's own
    /// busy handler waits for another process, so that a task that waits on itself (writing
    /// outside the transaction it holds) fails instead of hanging.
    async fn write_turn(&self) -> Result<WriteTurn, DbError> {
        let guard = tokio::time::timeout(sqlite::BUSY_TIMEOUT, self.writer.clone().lock_owned())
            .await
            .map_err(|_| DbError::Busy)?;
        Ok(WriteTurn { _guard: guard })
    }

    pub async fn fetch_all(&self, query: &Query) -> Result<Vec<Row>, DbError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => self
                .on_sqlite(pool, query, sqlite::Lease::fetch_all)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Pool::Postgres(pool) => query
                .for_postgres()?
                .query()
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    pub async fn fetch_optional(&self, query: &Query) -> Result<Option<Row>, DbError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => self
                .on_sqlite(pool, query, sqlite::Lease::fetch_optional)
                .await?
                .map(Row::Sqlite),
            Pool::Postgres(pool) => query
                .for_postgres()?
                .query()
                .fetch_optional(pool)
                .await?
                .map(Row::Postgres),
        })
    }

    pub async fn fetch_one(&self, query: &Query) -> Result<Row, DbError> {
        self.fetch_optional(query).await?.ok_or(DbError::NoRow)
    }

    /// Runs a statement outside any transaction; returns the number of rows it touched.
    pub async fn execute(&self, query: &Query) -> Result<u64, DbError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => self.on_sqlite(pool, query, sqlite::Lease::execute).await?,
            Pool::Postgres(pool) => query.for_postgres()?.query().execute(pool).await?.rows_affected(),
        })
    }
}

impl Tx {
    pub async fn fetch_all(&mut self, query: &Query) -> Result<Vec<Row>, DbError> {
        Ok(match self {
            Tx::Sqlite(tx) => tx
                .lease()
                .fetch_all(&query.for_sqlite())?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Tx::Postgres(tx) => query
                .for_postgres()?
                .query()
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    pub async fn fetch_optional(&mut self, query: &Query) -> Result<Option<Row>, DbError> {
        Ok(match self {
            Tx::Sqlite(tx) => tx.lease().fetch_optional(&query.for_sqlite())?.map(Row::Sqlite),
            Tx::Postgres(tx) => query
                .for_postgres()?
                .query()
                .fetch_optional(&mut **tx)
                .await?
                .map(Row::Postgres),
        })
    }

    pub async fn fetch_one(&mut self, query: &Query) -> Result<Row, DbError> {
        self.fetch_optional(query).await?.ok_or(DbError::NoRow)
    }

    pub async fn execute(&mut self, query: &Query) -> Result<u64, DbError> {
        Ok(match self {
            Tx::Sqlite(tx) => tx.lease().execute(&query.for_sqlite())?,
            Tx::Postgres(tx) => query.for_postgres()?.query().execute(&mut **tx).await?.rows_affected(),
        })
    }

    /// Inserts many rows in few statements: multi-row `VALUES` lists on SQLite, one array per
    /// column on PostgreSQL. `insert` is the statement up to `VALUES`, such as
    /// `INSERT INTO t (a, b)`; every row has as many values as it names columns, each column
    /// one type.
    pub async fn insert_many(&mut self, insert: &str, rows: &[Vec<Value>]) -> Result<u64, DbError> {
        self.insert_many_then(insert, rows, "").await
    }

    /// As [`Tx::insert_many`], skipping rows that clash with the unique key `conflict_columns`
    /// (such as `(product_id, audience, audience_id)`); returns how many were new.
    pub async fn insert_many_skipping_existing(
        &mut self,
        insert: &str,
        rows: &[Vec<Value>],
        conflict_columns: &str,
    ) -> Result<u64, DbError> {
        self.insert_many_then(insert, rows, &format!(" ON CONFLICT {conflict_columns} DO NOTHING"))
            .await
    }

    /// As [`Tx::insert_many`], answering the rows `returning` (such as `RETURNING id, key`)
    /// names. Neither database promises them in the order of `rows`: match them by a key.
    pub async fn insert_many_returning(
        &mut self,
        insert: &str,
        rows: &[Vec<Value>],
        returning: &str,
    ) -> Result<Vec<Row>, DbError> {
        let suffix = format!(" {returning}");
        if let Tx::Postgres(tx) = self {
            let Some(unnest::Unnested { sql, arrays }) = unnest::Unnested::new(insert, rows, &suffix)? else {
                return Ok(Vec::new());
            };
            let found = unnest::bind(&arrays, sqlx::query(&sql)).fetch_all(&mut **tx).await?;
            return Ok(found.into_iter().map(Row::Postgres).collect());
        }
        let mut returned = Vec::with_capacity(rows.len());
        for query in many_rows(insert, rows, &suffix)? {
            returned.extend(self.fetch_all(&query).await?);
        }
        Ok(returned)
    }

    async fn insert_many_then(&mut self, insert: &str, rows: &[Vec<Value>], suffix: &str) -> Result<u64, DbError> {
        if let Tx::Postgres(tx) = self {
            let Some(unnest::Unnested { sql, arrays }) = unnest::Unnested::new(insert, rows, suffix)? else {
                return Ok(0);
            };
            return Ok(unnest::bind(&arrays, sqlx::query(&sql))
                .execute(&mut **tx)
                .await?
                .rows_affected());
        }
        let mut inserted = 0;
        for query in many_rows(insert, rows, suffix)? {
            inserted += self.execute(&query).await?;
        }
        Ok(inserted)
    }
}

/// The multi-row `INSERT` statements that write `rows` on SQLite (PostgreSQL takes them as
/// arrays, see [`unnest`]).
fn many_rows(insert: &str, rows: &[Vec<Value>], suffix: &str) -> Result<Vec<Query>, DbError> {
    let columns = rows.first().map_or(1, Vec::len).max(1);
    // SQLite would store a text in an integer column; PostgreSQL's arrays refuse it, and so
    // does this, so that both databases answer alike.
    if let Some(first) = rows.first() {
        let differs = |row: &Vec<Value>| {
            row.len() != first.len()
                || row
                    .iter()
                    .zip(first)
                    .any(|(value, model)| std::mem::discriminant(value) != std::mem::discriminant(model))
        };
        if let Some(index) = rows.iter().position(differs) {
            return Err(mismatched_row(insert, index));
        }
    }
    // About 2,000 placeholders a statement: SQLite caps them at 32,766, and every full chunk
    // of a large insert shares one text, which SQLite has prepared and kept.
    let per_statement = (2_000 / columns).clamp(1, 1000);
    Ok(rows
        .chunks(per_statement)
        .map(|chunk| {
            let mut query = Query::new(insert);
            query.push(" VALUES ");
            for (index, row) in chunk.iter().enumerate() {
                if index > 0 {
                    query.push(", ");
                }
                query.push_bind_list(row.iter().cloned());
            }
            query.push(suffix);
            query
        })
        .collect())
}

fn mismatched_row(insert: &str, index: usize) -> DbError {
    DbError::Statement(format!(
        "row {index} of `{insert}` does not have the columns of the first row"
    ))
}

/// Reads through a pool or inside a transaction, for lookups that commands and queries share.
pub enum Source<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl Source<'_> {
    pub async fn fetch_optional(&mut self, query: &Query) -> Result<Option<Row>, DbError> {
        match self {
            Source::Db(db) => db.fetch_optional(query).await,
            Source::Tx(tx) => tx.fetch_optional(query).await,
        }
    }

    pub async fn fetch_all(&mut self, query: &Query) -> Result<Vec<Row>, DbError> {
        match self {
            Source::Db(db) => db.fetch_all(query).await,
            Source::Tx(tx) => tx.fetch_all(query).await,
        }
    }
}

/// The first `limit` rows `condition` selects in `order_by` order, and how many it selects in
/// all, in one query: the count rides on every row as a window over the whole selection, so a
/// short list beside its count (the home page's) costs one round trip. `select_from` is a
/// `SELECT … FROM …` text, as for [`fetch_page`].
pub async fn fetch_first<T>(
    db: &Db,
    select_from: &str,
    condition: Query,
    order_by: &str,
    limit: u32,
    read: impl Fn(&Row) -> Result<T, DbError>,
) -> Result<crate::page::Page<T>, DbError> {
    let columns = select_from
        .strip_prefix("SELECT ")
        .ok_or_else(|| DbError::Statement(format!("not a SELECT: {select_from}")))?;
    let request = crate::page::PageRequest::new(Some(1), Some(limit));
    let mut rows = condition.planned_per_run();
    rows.prepend(&format!("SELECT COUNT(*) OVER () AS listed_total, {columns}"));
    rows.push(&format!(" ORDER BY {order_by} LIMIT "))
        .push_bind(request.limit());
    let found = db.fetch_all(&rows).await?;
    let total = match found.first() {
        Some(row) => row.get("listed_total")?,
        None => 0,
    };
    let items = found.iter().map(read).collect::<Result<_, _>>()?;
    Ok(crate::page::Page::new(items, total, request))
}

/// Counts the rows `condition` selects (a text starting ` WHERE …`), then reads one page of
/// them in `order_by` order: the two queries behind every counted list.
pub async fn fetch_page<T>(
    db: &Db,
    count_from: &str,
    select_from: &str,
    condition: Query,
    order_by: &str,
    page: crate::page::PageRequest,
    read: impl Fn(&Row) -> Result<T, DbError>,
) -> Result<crate::page::Page<T>, DbError> {
    // A list's filters and sort make the plan: its statements are planned for their values.
    let condition = condition.planned_per_run();
    let mut count = condition.clone();
    count.prepend(&format!("SELECT COUNT(*) AS total FROM {count_from}"));
    let total: i64 = db.fetch_one(&count).await?.get("total")?;
    let mut rows = condition;
    rows.prepend(select_from);
    rows.push(&format!(" ORDER BY {order_by} LIMIT "))
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let items = db.fetch_all(&rows).await?.iter().map(read).collect::<Result<_, _>>()?;
    Ok(crate::page::Page::new(items, total, page))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    async fn scratch_sqlite(name: &str) -> (Db, std::path::PathBuf) {
        let file = std::env::temp_dir().join(format!("dealerport-{name}-{}.db", std::process::id()));
        let db = Db::connect(&DbOptions::new(format!("sqlite:{}", file.display())))
            .await
            .unwrap();
        (db, file)
    }

    async fn remove_scratch(db: Db, file: &std::path::Path) {
        db.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }

    /// Time stands still in this test until every task waits, then jumps: the 30 seconds of
    /// waiting for the turn pass at once.
    #[tokio::test(start_paused = true)]
    async fn a_write_outside_the_transaction_its_own_task_holds_fails_instead_of_hanging() {
        let (db, file) = scratch_sqlite("turn").await;
        db.execute(&Query::new("CREATE TABLE t (id BIGINT)")).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        tx.execute(&Query::new("INSERT INTO t (id) VALUES (1)")).await.unwrap();
        let outside = db.execute(&Query::new("INSERT INTO t (id) VALUES (2)")).await;
        assert!(matches!(outside, Err(DbError::Busy)), "{outside:?}");
        tx.commit().await.unwrap();
        let count = db
            .fetch_one(&Query::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM t"))
            .await
            .unwrap();
        assert_eq!(count.get::<i64>("n").unwrap(), 1);
        remove_scratch(db, &file).await;
    }

    async fn count(db: &Db) -> i64 {
        db.fetch_one(&Query::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM t"))
            .await
            .unwrap()
            .get("n")
            .unwrap()
    }

    #[tokio::test]
    async fn a_snapshot_reads_the_database_as_it_was_at_its_first_read_and_writes_through_the_pool() {
        let (db, file) = scratch_sqlite("snapshot").await;
        db.execute(&Query::new("CREATE TABLE t (id BIGINT)")).await.unwrap();
        db.execute(&Query::new("INSERT INTO t (id) VALUES (1)")).await.unwrap();
        let snapshot = db.snapshot().await.unwrap();
        assert_eq!(count(&snapshot).await, 1);
        db.execute(&Query::new("INSERT INTO t (id) VALUES (2)")).await.unwrap();
        assert_eq!(count(&snapshot).await, 1, "the snapshot still sees one row");
        assert_eq!(count(&db).await, 2);
        snapshot
            .execute(&Query::new("INSERT INTO t (id) VALUES (3)"))
            .await
            .unwrap();
        assert_eq!(count(&db).await, 3, "a write through the snapshot is committed at once");
        assert_eq!(count(&snapshot).await, 1);
        drop(snapshot);
        assert_eq!(count(&db).await, 3);
        remove_scratch(db, &file).await;
    }

    /// Instants are compared and sorted as text in SQLite, so their text must have one width.
    #[tokio::test]
    async fn sqlite_keeps_an_instant_as_fixed_width_utc_text_and_a_date_as_iso_text() {
        use chrono::TimeZone;
        let (db, file) = scratch_sqlite("text").await;
        db.execute(&Query::new("CREATE TABLE t (at TEXT, whole TEXT, day TEXT)"))
            .await
            .unwrap();
        let whole = Utc.with_ymd_and_hms(2026, 12, 7, 8, 5, 9).unwrap();
        let at = whole + chrono::TimeDelta::microseconds(120);
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        db.execute(
            &Query::new("INSERT INTO t (at, whole, day) VALUES ($1, $2, $3)")
                .bind(at)
                .bind(whole)
                .bind(day),
        )
        .await
        .unwrap();
        let row = db.fetch_one(&Query::new("SELECT at, whole, day FROM t")).await.unwrap();
        assert_eq!(row.get::<String>("at").unwrap(), "2026-12-07T08:05:09.000120Z");
        assert_eq!(row.get::<String>("whole").unwrap(), "2026-12-07T08:05:09.000000Z");
        assert_eq!(row.get::<String>("day").unwrap(), "2026-03-01");
        assert_eq!(row.get::<DateTime<Utc>>("at").unwrap(), at);
        remove_scratch(db, &file).await;
    }

    #[test]
    fn postgresql_gets_an_in_array_and_a_table_of_values_as_arrays_with_the_rest_renumbered() {
        let mut query = Query::new("SELECT x FROM t WHERE a = $1 AND b").bind(7);
        query
            .push_in_array([1, 2, 3])
            .push(" AND c NOT IN ")
            .push_bind_list(["p"])
            .push(" AND d = $1 AND e = ")
            .push_bind("q");
        query.push(" AND f IN (SELECT id FROM ");
        query.push_values_table(&["id", "n"], &[vec![4.into(), 5.into()], vec![6.into(), 7.into()]]);
        query.push(" AS v)");
        query.prepend("/* listed */ ");
        let sent = query.for_postgres().unwrap();
        assert_eq!(
            sent.sql,
            "/* listed */ SELECT x FROM t WHERE a = $1 AND b = ANY($2::bigint[]) AND c NOT IN ($3) \
             AND d = $1 AND e = $4 AND f IN (SELECT id FROM \
             (SELECT * FROM UNNEST($5::bigint[], $6::bigint[]) AS listed (id, n)) AS v)"
        );
        let shown: Vec<String> = sent
            .args
            .iter()
            .map(|argument| match argument {
                PgArgument::Value(value) => format!("{value:?}"),
                PgArgument::Array(unnest::Array::Int(values)) => format!("{values:?}"),
                PgArgument::Array(_) => "another array".to_owned(),
            })
            .collect();
        assert_eq!(
            shown,
            [
                "Int(Some(7))",
                "[Some(1), Some(2), Some(3)]",
                "Text(Some(\"p\"))",
                "Text(Some(\"q\"))",
                "[Some(4), Some(6)]",
                "[Some(5), Some(7)]"
            ]
        );
        assert!(sent.persistent);
    }

    #[test]
    fn sqlite_gets_anonymous_placeholders_with_arguments_in_the_order_they_are_used() {
        let query =
            Query::new("SELECT $2 AS b, '$1 Байкал' AS text, \"$9\" AS name, $1 + $12 AS a, $1 AS again, $ AS sign")
                .bind(1)
                .bind(2);
        let rewritten = query.for_sqlite();
        assert_eq!(
            rewritten.sql,
            "SELECT ? AS b, '$1 Байкал' AS text, \"$9\" AS name, ? + $12 AS a, ? AS again, $ AS sign"
        );
        assert_eq!(
            rewritten.args,
            vec![&Value::Int(Some(2)), &Value::Int(Some(1)), &Value::Int(Some(1))]
        );
    }
}

//! Spreadsheet imports of products, of price-list rows and of stock levels, and of a partner's
//! EDI cross-references.
//!
//! An uploaded XLSX is kept with a record and a background job. The job reads the sheet, turns
//! each row into the input of catalog's or pricing's own import command (the same columns as
//! their exports, so a file can go out, be edited and come back), and that command checks every
//! row and applies all of them or none. Problems are kept by spreadsheet row and column header,
//! as message keys, so the error report can be read in the language of whoever downloads it.

use std::collections::HashMap;
use std::sync::Arc;

use catalog::domain::ProductInput;
use chrono::NaiveDate;
use edi::domain::partner::{CrossReference, CrossReferenceInput};
use fulfilment::domain::{StockImportInput, StockImportMode, StockRowInput};
use platform::imports::{self, Import, Problem};
use platform::jobs::{self, Handler};
use platform::{Actor, Clock, Db, Failure, FieldError, Permission, UserId};
use pricing::domain::PriceRowInput;
use xlsx::{Table, TableRow};

use crate::i18n::Translator;

/// The largest file accepted: a 100,000-row price list is about 3 MB.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// What is imported, and the permission it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Products,
    PriceRows,
    /// Stock on hand of every product the file names, and none of those it does not, in the
    /// warehouses it names.
    StockSnapshot,
    /// Stock to add (or, negative, take away).
    StockChanges,
}

impl ImportKind {
    pub fn parse(code: &str) -> Option<ImportKind> {
        match code {
            "products" => Some(ImportKind::Products),
            "price_rows" => Some(ImportKind::PriceRows),
            "stock_snapshot" => Some(ImportKind::StockSnapshot),
            "stock_changes" => Some(ImportKind::StockChanges),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Products => "products",
            ImportKind::PriceRows => "price_rows",
            ImportKind::StockSnapshot => "stock_snapshot",
            ImportKind::StockChanges => "stock_changes",
        }
    }

    fn permission(self) -> Permission {
        match self {
            ImportKind::Products => Permission::ManageCatalog,
            ImportKind::PriceRows => Permission::ManagePrices,
            ImportKind::StockSnapshot | ImportKind::StockChanges => Permission::ManageStock,
        }
    }

    /// The columns of a file, required ones first, as its template and the export have them.
    pub fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            ImportKind::Products => (
                &["sku", "gtin", "name_en", "name_ru", "name_zh", "unit", "pack_size"],
                &[
                    "category_code",
                    "description_en",
                    "description_ru",
                    "description_zh",
                    "min_order_quantity",
                    "order_multiple",
                    "vat_rate",
                    "weight_grams",
                    "volume_ml",
                    "status",
                    "lot_tracked",
                    "sales_organisation_code",
                ],
            ),
            ImportKind::PriceRows => (
                &["sku", "unit_price", "valid_from"],
                &["min_quantity", "currency", "valid_to"],
            ),
            ImportKind::StockSnapshot | ImportKind::StockChanges => {
                (&["warehouse_code", "sku", "quantity"], &["safety_stock", "max_stock"])
            }
        }
    }
}

/// The kinds of import an actor may see and start.
pub fn kinds_for(actor: &Actor) -> Vec<ImportKind> {
    [
        ImportKind::Products,
        ImportKind::PriceRows,
        ImportKind::StockSnapshot,
        ImportKind::StockChanges,
    ]
    .into_iter()
    .filter(|kind| actor.can(kind.permission()))
    .collect()
}

/// The columns of a partner's cross-reference table, in its export and its import.
pub const CROSS_REFERENCE_COLUMNS: [&str; 4] = ["kind", "partner_code", "sku", "location_code"];

/// Replaces a partner's EDI cross-reference table from an XLSX file with the columns of its
/// export, at once: the table is small. A problem carries the spreadsheet's row in `params.row`.
pub async fn cross_references(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    partner_id: i64,
    content: &[u8],
) -> Result<Vec<CrossReference>, Failure> {
    let table = xlsx::read_table(content).map_err(|error| Failure::field("file", error.code()))?;
    let [kind, code, sku, location] = CROSS_REFERENCE_COLUMNS.map(|name| table.column(name));
    let cell = |row: &TableRow, column: Option<usize>| column.map(|c| row.cell(c).trim().to_owned());
    let rows: Vec<CrossReferenceInput> = table
        .rows
        .iter()
        .map(|row| CrossReferenceInput {
            kind: cell(row, kind).unwrap_or_default(),
            partner_code: cell(row, code).unwrap_or_default(),
            sku: cell(row, sku).filter(|v| !v.is_empty()),
            location_code: cell(row, location).filter(|v| !v.is_empty()),
        })
        .collect();
    match edi::commands::set_cross_references(db, clock, actor, partner_id, &rows).await {
        // Name the spreadsheet's own row, as the person fixing the file sees it.
        Err(Failure::Invalid(errors)) => Err(Failure::Invalid(
            errors
                .into_iter()
                .map(|error| {
                    let index = error
                        .field
                        .strip_prefix("rows[")
                        .and_then(|rest| rest.split(']').next())
                        .and_then(|index| index.parse::<usize>().ok());
                    match index.and_then(|index| table.rows.get(index)) {
                        Some(row) => error.with("row", row.number),
                        None => error,
                    }
                })
                .collect(),
        )),
        other => other,
    }
}

/// Accepts an upload: the actor may import this kind, the price list is the tenant's, and the
/// file is a workbook of sensible size. The rows are read by the job.
pub async fn start(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    kind: ImportKind,
    price_list_id: Option<i64>,
    file_name: &str,
    content: Vec<u8>,
) -> Result<i64, Failure> {
    actor.require(kind.permission())?;
    let price_list_id = match kind {
        ImportKind::PriceRows => {
            let id = price_list_id.ok_or_else(|| Failure::field("price_list_id", "field.required"))?;
            pricing::queries::price_list(db, actor, id).await?;
            Some(id)
        }
        ImportKind::Products | ImportKind::StockSnapshot | ImportKind::StockChanges => None,
    };
    if content.is_empty() || content.len() > MAX_BYTES {
        return Err(Failure::Invalid(vec![
            FieldError::new("file", "import.file_size").with("max_mib", MAX_BYTES / 1024 / 1024)
        ]));
    }
    // Every XLSX file is a zip archive; anything else is refused before it is stored.
    if !content.starts_with(b"PK") {
        return Err(Failure::field("file", "import.not_xlsx"));
    }
    let file_name: String = file_name.trim().chars().filter(|c| !c.is_control()).take(200).collect();
    let mut tx = db.begin().await?;
    let id = imports::create(
        &mut tx,
        actor,
        kind.code(),
        price_list_id,
        &file_name,
        content,
        clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The handler the job worker runs for imports; the server and the tests register it alike.
pub fn job_handler(clock: Clock) -> Handler {
    Arc::new(move |db: Db, job: jobs::Job| {
        let clock = clock.clone();
        Box::pin(async move {
            let id = job.payload["import_id"]
                .as_i64()
                .ok_or_else(|| "an import job without import_id".to_owned())?;
            run(&db, &clock, id).await.map_err(|failure| failure.to_string())
        })
    })
}

fn problem(row: u32, column: &str, code: &str) -> Problem {
    Problem {
        row,
        column: column.to_owned(),
        code: code.to_owned(),
        params: Vec::new(),
    }
}

/// Processes one import. Problems with the file end it as `rejected` or `failed`; only a
/// failure of the database itself is returned, so that the job is tried again.
async fn run(db: &Db, clock: &Clock, id: i64) -> Result<(), Failure> {
    let Some((_, import, content)) = imports::load_for_job(db, id).await? else {
        return Ok(());
    };
    if import.finished() {
        return Ok(());
    }
    let actor = match import.user_id {
        Some(user) => identity::queries::acting_user(db, UserId(user)).await?,
        None => None,
    };
    let Some(actor) = actor else {
        imports::finish(db, id, "failed", 0, &[problem(0, "", "import.user_gone")], clock.now()).await?;
        return Ok(());
    };
    imports::set_stage(db, id, "reading", 0).await?;
    let table = match xlsx::read_table(&content) {
        Ok(table) => table,
        Err(error) => {
            imports::finish(db, id, "failed", 0, &[problem(0, "", error.code())], clock.now()).await?;
            return Ok(());
        }
    };
    let rows = table.rows.len() as i64;
    imports::set_stage(db, id, "checking", rows).await?;
    let kind = ImportKind::parse(&import.kind).unwrap_or(ImportKind::Products);
    let outcome = match kind {
        ImportKind::Products => import_products(db, clock, &actor, &table, id).await,
        ImportKind::PriceRows => import_price_rows(db, clock, &actor, &table, &import, id).await,
        ImportKind::StockSnapshot => import_stock(db, clock, &actor, &table, StockImportMode::Snapshot, id).await,
        ImportKind::StockChanges => import_stock(db, clock, &actor, &table, StockImportMode::Changes, id).await,
    };
    match outcome {
        Ok(applied) => imports::finish(db, id, "done", applied as i64, &[], clock.now()).await?,
        Err(Outcome::Rejected(problems)) => imports::finish(db, id, "rejected", 0, &problems, clock.now()).await?,
        Err(Outcome::Failed(Failure::Database(error))) => return Err(Failure::Database(error)),
        Err(Outcome::Failed(failure)) => {
            let code = match failure {
                Failure::Forbidden => "problem.forbidden",
                Failure::NotFound { .. } => "problem.not_found",
                Failure::Conflict { code } => code,
                _ => "problem.internal",
            };
            imports::finish(db, id, "failed", 0, &[problem(0, "", code)], clock.now()).await?;
        }
    }
    Ok(())
}

enum Outcome {
    /// The file has problems; nothing was applied.
    Rejected(Vec<Problem>),
    Failed(Failure),
}

/// The columns a table lacks, as problems of its header row.
fn missing_columns(table: &Table, kind: ImportKind) -> Vec<Problem> {
    kind.columns()
        .0
        .iter()
        .filter(|column| table.column(column).is_none())
        .map(|column| problem(1, column, "import.column_missing"))
        .collect()
}

/// Reads the named cells of a row, collecting problems of cells that do not parse.
struct RowReader<'a> {
    table: &'a Table,
    row: &'a TableRow,
    problems: &'a mut Vec<Problem>,
}

impl RowReader<'_> {
    fn text(&self, column: &str) -> String {
        self.table.column(column).map_or("", |c| self.row.cell(c)).to_owned()
    }

    fn optional(&self, column: &str) -> Option<String> {
        Some(self.text(column)).filter(|t| !t.is_empty())
    }

    fn number(&mut self, column: &str, default: Option<i64>) -> i64 {
        match (self.text(column).as_str(), default) {
            ("", Some(default)) => default,
            (text, _) => text.parse().unwrap_or_else(|_| {
                self.problems
                    .push(problem(self.row.number, column, "field.whole_number"));
                0
            }),
        }
    }

    /// A yes/no cell: empty is no.
    fn flag(&mut self, column: &str) -> bool {
        match self.text(column).trim().to_lowercase().as_str() {
            "" | "0" | "no" | "false" => false,
            "1" | "yes" | "true" => true,
            _ => {
                self.problems.push(problem(self.row.number, column, "field.yes_no"));
                false
            }
        }
    }

    fn optional_number(&mut self, column: &str) -> Option<i64> {
        self.optional(column).map(|_| self.number(column, None))
    }

    fn date(&mut self, column: &str) -> Option<NaiveDate> {
        let text = self.text(column);
        if text.is_empty() {
            return None;
        }
        let date = NaiveDate::parse_from_str(text.get(..10).unwrap_or(&text), "%Y-%m-%d").ok();
        if date.is_none() {
            self.problems.push(problem(self.row.number, column, "field.date"));
        }
        date
    }
}

/// The command's `rows[i].field` errors as problems of spreadsheet rows and columns.
fn row_problems(table: &Table, errors: Vec<FieldError>, columns: &HashMap<&str, &str>) -> Vec<Problem> {
    errors
        .into_iter()
        .map(|error| {
            let parsed = error
                .field
                .strip_prefix("rows[")
                .and_then(|rest| rest.split_once("]."))
                .and_then(|(index, field)| Some((index.parse::<usize>().ok()?, field.to_owned())));
            let (row, column) = match parsed {
                Some((index, field)) => (
                    table.rows.get(index).map_or(0, |r| r.number),
                    columns.get(field.as_str()).map_or(field.clone(), |c| (*c).to_owned()),
                ),
                None => (0, error.field.clone()),
            };
            Problem {
                row,
                column,
                code: error.code.to_owned(),
                params: error
                    .params
                    .into_iter()
                    .map(|(name, value)| (name.to_owned(), value))
                    .collect(),
            }
        })
        .collect()
}

fn command_outcome(table: &Table, failure: Failure, columns: &HashMap<&str, &str>) -> Outcome {
    match failure {
        Failure::Invalid(errors) => Outcome::Rejected(row_problems(table, errors, columns)),
        other => Outcome::Failed(other),
    }
}

async fn import_products(db: &Db, clock: &Clock, actor: &Actor, table: &Table, id: i64) -> Result<u64, Outcome> {
    let mut problems = missing_columns(table, ImportKind::Products);
    if !problems.is_empty() {
        return Err(Outcome::Rejected(problems));
    }
    let mut products = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut cells = RowReader {
            table,
            row,
            problems: &mut problems,
        };
        let defaults = ProductInput::default();
        products.push(ProductInput {
            sku: cells.text("sku"),
            gtin: cells.text("gtin"),
            category_code: cells.optional("category_code"),
            name_en: cells.text("name_en"),
            name_ru: cells.text("name_ru"),
            name_zh: cells.text("name_zh"),
            description_en: cells.text("description_en"),
            description_ru: cells.text("description_ru"),
            description_zh: cells.text("description_zh"),
            unit: cells.text("unit"),
            pack_size: cells.number("pack_size", None),
            min_order_quantity: cells.number("min_order_quantity", Some(defaults.min_order_quantity)),
            order_multiple: cells.number("order_multiple", Some(defaults.order_multiple)),
            vat_rate: cells.optional("vat_rate").unwrap_or(defaults.vat_rate),
            weight_grams: cells.optional_number("weight_grams"),
            volume_ml: cells.optional_number("volume_ml"),
            status: cells.optional("status"),
            lot_tracked: cells.flag("lot_tracked"),
            sales_organisation_code: cells.optional("sales_organisation_code"),
        });
    }
    if !problems.is_empty() {
        return Err(Outcome::Rejected(problems));
    }
    imports::set_stage(db, id, "applying", table.rows.len() as i64)
        .await
        .map_err(|e| Outcome::Failed(e.into()))?;
    catalog::commands::import_products(db, clock, actor, &products)
        .await
        .map_err(|failure| command_outcome(table, failure, &HashMap::new()))
}

async fn import_price_rows(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    table: &Table,
    import: &Import,
    id: i64,
) -> Result<u64, Outcome> {
    let mut problems = missing_columns(table, ImportKind::PriceRows);
    if !problems.is_empty() {
        return Err(Outcome::Rejected(problems));
    }
    let list_id = import.price_list_id.unwrap_or_default();
    let list = pricing::queries::price_list(db, actor, list_id)
        .await
        .map_err(Outcome::Failed)?;
    let skus = catalog::queries::product_ids_by_sku(db, actor)
        .await
        .map_err(Outcome::Failed)?;
    let mut rows = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut cells = RowReader {
            table,
            row,
            problems: &mut problems,
        };
        let sku = cells.text("sku");
        let product_id = match skus.get(&sku) {
            Some(id) => *id,
            None => {
                cells.problems.push(problem(row.number, "sku", "import.unknown_sku"));
                0
            }
        };
        if let Some(currency) = cells.optional("currency") {
            if !currency.eq_ignore_ascii_case(&list.currency) {
                cells.problems.push(Problem {
                    row: row.number,
                    column: "currency".to_owned(),
                    code: "import.currency_mismatch".to_owned(),
                    params: vec![("currency".to_owned(), list.currency.clone())],
                });
            }
        }
        let valid_from = cells.date("valid_from");
        if valid_from.is_none() && cells.text("valid_from").is_empty() {
            cells.problems.push(problem(row.number, "valid_from", "field.required"));
        }
        rows.push(PriceRowInput {
            product_id,
            min_quantity: cells.number("min_quantity", Some(1)),
            unit_price: cells.text("unit_price"),
            valid_from: valid_from.unwrap_or_default(),
            valid_to: cells.date("valid_to"),
        });
    }
    if !problems.is_empty() {
        return Err(Outcome::Rejected(problems));
    }
    imports::set_stage(db, id, "applying", table.rows.len() as i64)
        .await
        .map_err(|e| Outcome::Failed(e.into()))?;
    let columns = HashMap::from([("product_id", "sku")]);
    pricing::commands::import_price_rows(db, clock, actor, list_id, &rows)
        .await
        .map_err(|failure| command_outcome(table, failure, &columns))
}

async fn import_stock(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    table: &Table,
    mode: StockImportMode,
    id: i64,
) -> Result<u64, Outcome> {
    let kind = match mode {
        StockImportMode::Snapshot => ImportKind::StockSnapshot,
        StockImportMode::Changes => ImportKind::StockChanges,
    };
    let mut problems = missing_columns(table, kind);
    if !problems.is_empty() {
        return Err(Outcome::Rejected(problems));
    }
    let mut rows = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut cells = RowReader {
            table,
            row,
            problems: &mut problems,
        };
        rows.push(StockRowInput {
            warehouse_code: cells.text("warehouse_code"),
            sku: cells.text("sku"),
            quantity: cells.number("quantity", None),
            safety_stock: cells.optional_number("safety_stock"),
            max_stock: cells.optional_number("max_stock"),
        });
    }
    if !problems.is_empty() {
        return Err(Outcome::Rejected(problems));
    }
    imports::set_stage(db, id, "applying", table.rows.len() as i64)
        .await
        .map_err(|e| Outcome::Failed(e.into()))?;
    fulfilment::commands::import_stock(db, clock, actor, &StockImportInput { mode, rows })
        .await
        .map_err(|failure| command_outcome(table, failure, &HashMap::new()))
}

/// A problem in the reader's language.
pub fn problem_message(t: &Translator, problem: &Problem) -> String {
    let params: Vec<(&str, String)> = problem.params.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
    t.t_with(&problem.code, &params)
}

/// The error report: one row per problem, in the reader's language.
pub fn report(t: &Translator, problems: &[Problem]) -> Result<Vec<u8>, xlsx::XlsxError> {
    let rows: Vec<Vec<xlsx::Cell>> = problems
        .iter()
        .map(|p| {
            vec![
                xlsx::Cell::Integer(i64::from(p.row)),
                xlsx::Cell::Text(p.column.clone()),
                xlsx::Cell::Text(problem_message(t, p)),
            ]
        })
        .collect();
    let headers = [t.t("import.row"), t.t("import.column"), t.t("import.problem")];
    xlsx::write_table(t.t("import.report"), &headers, &rows)
}

/// An empty file with the kind's columns, to fill in.
pub fn template(kind: ImportKind) -> Result<Vec<u8>, xlsx::XlsxError> {
    let (required, optional) = kind.columns();
    let headers: Vec<&str> = required.iter().chain(optional).copied().collect();
    xlsx::write_table(kind.code(), &headers, &[])
}

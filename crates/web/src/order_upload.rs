//! Orders uploaded as a spreadsheet.
//!
//! One file holds the lines of one or several orders of the dealer, for one or several of its
//! delivery locations: a consolidated order. Rows with the same order number and delivery
//! location make one order; an order number used for several locations becomes one order per
//! location, numbered `number-LOCATION`. Every row is checked, and the orders are placed
//! together through ordering's own command, all or none. Problems name the spreadsheet row and
//! column, so the dealer can fix the file and send it again.

use std::collections::HashMap;

use chrono::NaiveDate;
use ordering::commands::Placed;
use ordering::domain::{Channel, OrderInput, OrderLineInput};
use platform::imports::Problem;
use platform::{Actor, Clock, Db, DealerAudience, Failure, FieldError};
use xlsx::Table;

/// The columns of the file, required ones first, as the template has them.
pub const REQUIRED: &[&str] = &[
    "order_number",
    "delivery_location",
    "delivery_on",
    "product",
    "quantity",
];
pub const OPTIONAL: &[&str] = &["comment"];

/// The largest file accepted; a 2,000-line order is about 60 kB.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// A problem of one spreadsheet row; the error's field is the column.
#[derive(Debug, Clone)]
pub struct RowError {
    /// The spreadsheet row, 1 for the header; 0 for the file as a whole.
    pub row: u32,
    pub error: FieldError,
}

impl RowError {
    fn new(row: u32, column: &str, code: &'static str) -> RowError {
        RowError {
            row,
            error: FieldError::new(column, code),
        }
    }

    /// As an import problem, for the page and the error report.
    pub fn problem(&self) -> Problem {
        Problem {
            row: self.row,
            column: self.error.field.clone(),
            code: self.error.code.to_owned(),
            params: self
                .error
                .params
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect(),
        }
    }

    /// As an API field error: the column, with the row among the parameters.
    pub fn field_error(self) -> FieldError {
        self.error.with("row", self.row)
    }
}

/// Why an upload placed nothing.
#[derive(Debug)]
pub enum Refused {
    /// The file has problems; each names its row and column.
    Rows(Vec<RowError>),
    /// Something other than the file: permission, a conflict, the database.
    Failed(Failure),
}

impl From<Failure> for Refused {
    fn from(failure: Failure) -> Self {
        Refused::Failed(failure)
    }
}

/// One order gathered from the file, with the spreadsheet row of each of its lines.
struct Gathered {
    number: String,
    location_code: String,
    input: OrderInput,
    rows: Vec<u32>,
}

/// Reads the file and places its orders for the actor's dealer.
pub async fn place_from_file(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    audience: &DealerAudience,
    content: &[u8],
) -> Result<Vec<Placed>, Refused> {
    if content.len() > MAX_BYTES {
        let error = RowError::new(0, "file", "import.file_size")
            .error
            .with("max_mib", MAX_BYTES / 1024 / 1024);
        return Err(Refused::Rows(vec![RowError { row: 0, error }]));
    }
    let table =
        xlsx::read_table(content).map_err(|error| Refused::Rows(vec![RowError::new(0, "file", error.code())]))?;
    let locations: HashMap<String, i64> = identity::queries::dealer(db, actor, audience.dealer_id)
        .await
        .map_err(|error| Refused::Failed(error.into()))?
        .locations
        .into_iter()
        .map(|location| (location.code.to_uppercase(), location.id))
        .collect();
    let orders = gather(&table, &locations)?;
    let inputs: Vec<OrderInput> = orders.iter().map(|order| order.input.clone()).collect();
    ordering::commands::place_orders(db, clock, actor, audience, &inputs, Channel::Xlsx)
        .await
        .map_err(|failure| match failure {
            Failure::Invalid(errors) => Refused::Rows(errors.into_iter().map(|e| row_of(&orders, e)).collect()),
            other => Refused::Failed(other),
        })
}

/// Groups the rows into orders, checking each cell that needs no lookup in the catalog.
fn gather(table: &Table, locations: &HashMap<String, i64>) -> Result<Vec<Gathered>, Refused> {
    let missing: Vec<RowError> = REQUIRED
        .iter()
        .filter(|column| table.column(column).is_none())
        .map(|column| RowError::new(1, column, "import.column_missing"))
        .collect();
    if !missing.is_empty() {
        return Err(Refused::Rows(missing));
    }
    if table.rows.is_empty() {
        return Err(Refused::Rows(vec![RowError::new(0, "file", "order.no_lines")]));
    }
    let mut problems = Vec::new();
    let mut orders: Vec<Gathered> = Vec::new();
    for row in &table.rows {
        let cell = |column: &str| table.column(column).map_or("", |c| row.cell(c)).trim().to_owned();
        let mut required = |column: &str| {
            let text = cell(column);
            if text.is_empty() {
                problems.push(RowError::new(row.number, column, "field.required"));
            }
            text
        };
        let number = required("order_number");
        let location_code = required("delivery_location").to_uppercase();
        let date_text = required("delivery_on");
        let product = required("product");
        let quantity_text = required("quantity");
        let location = locations.get(&location_code).copied();
        if location.is_none() && !location_code.is_empty() {
            problems.push(RowError::new(row.number, "delivery_location", "order.unknown_location"));
        }
        let date = NaiveDate::parse_from_str(date_text.get(..10).unwrap_or(&date_text), "%Y-%m-%d").ok();
        if date.is_none() && !date_text.is_empty() {
            problems.push(RowError::new(row.number, "delivery_on", "field.date"));
        }
        let quantity = quantity_text.parse::<i64>().ok();
        if quantity.is_none() && !quantity_text.is_empty() {
            problems.push(RowError::new(row.number, "quantity", "field.whole_number"));
        }
        let (Some(location), Some(date), Some(quantity)) = (location, date, quantity) else {
            continue;
        };
        if number.is_empty() || product.is_empty() {
            continue;
        }
        let line = OrderLineInput {
            product_id: None,
            product_code: Some(product),
            quantity,
        };
        match orders
            .iter_mut()
            .find(|o| o.number == number && o.input.delivery_location_id == location)
        {
            Some(order) => {
                if order.input.requested_delivery_on != date {
                    problems.push(RowError::new(row.number, "delivery_on", "order.upload_dates_differ"));
                }
                if order.input.comment.is_none() {
                    order.input.comment = Some(cell("comment")).filter(|c| !c.is_empty());
                }
                order.input.lines.push(line);
                order.rows.push(row.number);
            }
            None => orders.push(Gathered {
                number: number.clone(),
                location_code: location_code.clone(),
                input: OrderInput {
                    dealer_order_number: number,
                    delivery_location_id: location,
                    requested_delivery_on: date,
                    allow_adjust: false,
                    comment: Some(cell("comment")).filter(|c| !c.is_empty()),
                    lines: vec![line],
                    draft: false,
                },
                rows: vec![row.number],
            }),
        }
    }
    if !problems.is_empty() {
        return Err(Refused::Rows(problems));
    }
    // An order number for several locations: one order per location, each numbered apart.
    let mut locations_of: HashMap<String, usize> = HashMap::new();
    for order in &orders {
        *locations_of.entry(order.number.clone()).or_default() += 1;
    }
    for order in &mut orders {
        if locations_of.get(&order.number).is_some_and(|n| *n > 1) {
            order.input.dealer_order_number = format!("{}-{}", order.number, order.location_code);
        }
    }
    Ok(orders)
}

/// The spreadsheet row and column of an error of `place_orders`, which names fields as
/// `orders[k].lines[i].quantity` (or without `orders[k].` for a single order).
fn row_of(orders: &[Gathered], error: FieldError) -> RowError {
    let (index, field) = match error
        .field
        .strip_prefix("orders[")
        .and_then(|rest| rest.split_once("]."))
    {
        Some((index, field)) => (index.parse::<usize>().unwrap_or(0), field.to_owned()),
        None => (0, error.field.clone()),
    };
    let Some(order) = orders.get(index) else {
        return RowError { row: 0, error };
    };
    let first_row = order.rows.first().copied().unwrap_or(0);
    let (row, column) = match field.strip_prefix("lines[").and_then(|rest| rest.split_once("].")) {
        Some((line, name)) => {
            let row = line
                .parse::<usize>()
                .ok()
                .and_then(|line| order.rows.get(line).copied())
                .unwrap_or(first_row);
            let column = if name == "quantity" { "quantity" } else { "product" };
            (row, column)
        }
        None => {
            let column = match field.as_str() {
                "dealer_order_number" => "order_number",
                "delivery_location_id" => "delivery_location",
                "requested_delivery_on" => "delivery_on",
                "comment" => "comment",
                _ => "product",
            };
            (first_row, column)
        }
    };
    RowError {
        row,
        error: FieldError {
            field: column.to_owned(),
            ..error
        },
    }
}

/// An empty file with the columns, to fill in.
pub fn template() -> Result<Vec<u8>, xlsx::XlsxError> {
    let headers: Vec<&str> = REQUIRED.iter().chain(OPTIONAL).copied().collect();
    xlsx::write_table("orders", &headers, &[])
}

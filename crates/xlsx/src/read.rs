//! Reading the first sheet of a workbook as a header row and rows of text.
//!
//! Every cell becomes the text a person would type, for the domain's own parsers: numbers in
//! their shortest exact decimal form ("45.08", "12"), dates as `yyyy-mm-dd`, text trimmed.
//! Spreadsheets store numbers as doubles; the shortest text that reads back as the same double is
//! what was typed for any price with up to fifteen significant digits, so "45.08" stays "45.08"
//! and never becomes 45.079999…; amounts are then parsed as exact decimals by the domain.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use chrono::{NaiveDate, TimeDelta};

/// Why a file could not be read as a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is not an XLSX workbook: {0}")]
    NotXlsx(String),
    #[error("the workbook has no sheet")]
    NoSheet,
    #[error("the first sheet has no header row")]
    NoHeader,
}

impl ReadError {
    /// Stable key for translations.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::NotXlsx(_) => "import.not_xlsx",
            ReadError::NoSheet => "import.no_sheet",
            ReadError::NoHeader => "import.no_header",
        }
    }
}

/// One row under the header, with its row number as the spreadsheet shows it (the header is 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    pub number: u32,
    pub cells: Vec<String>,
}

impl TableRow {
    /// The cell of a column, or "" past the row's end.
    pub fn cell(&self, column: usize) -> &str {
        self.cells.get(column).map_or("", String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    /// The rows with something in them; blank rows are left out.
    pub rows: Vec<TableRow>,
}

impl Table {
    /// The index of a column by its header, ignoring case and surrounding blanks.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
    }
}

/// Reads the first sheet of an XLSX file.
pub fn read_table(bytes: &[u8]) -> Result<Table, ReadError> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| ReadError::NotXlsx(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or(ReadError::NoSheet)?
        .map_err(|e| ReadError::NotXlsx(e.to_string()))?;
    // The range starts at the first used cell; row numbers count from the sheet's top.
    let first_row = range.start().map_or(0, |(row, _)| row);
    let first_column = range.start().map_or(0, |(_, column)| column) as usize;
    let mut rows = range.rows().enumerate();
    let headers: Vec<String> = match rows.next() {
        Some((_, cells)) => pad(first_column, cells.iter().map(text).collect()),
        None => return Err(ReadError::NoHeader),
    };
    if headers.iter().all(String::is_empty) {
        return Err(ReadError::NoHeader);
    }
    let rows = rows
        .map(|(index, cells)| TableRow {
            number: first_row + index as u32 + 1,
            cells: pad(first_column, cells.iter().map(text).collect()),
        })
        .filter(|row| row.cells.iter().any(|c| !c.is_empty()))
        .collect();
    Ok(Table { headers, rows })
}

/// Cells of a range that does not start in column A, shifted back into place.
fn pad(first_column: usize, cells: Vec<String>) -> Vec<String> {
    let mut padded = vec![String::new(); first_column];
    padded.extend(cells);
    padded
}

fn text(cell: &Data) -> String {
    match cell {
        Data::Int(value) => value.to_string(),
        Data::Float(value) => number_text(*value),
        Data::String(value) | Data::DateTimeIso(value) | Data::DurationIso(value) => value.trim().to_owned(),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(value) => date_text(value.as_f64()),
        Data::Error(error) => format!("#{error:?}"),
        Data::Empty => String::new(),
    }
}

fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        // Rust prints the shortest decimal that reads back as the same double.
        format!("{value}")
    }
}

/// An Excel serial day (days since 1899-12-30) as `yyyy-mm-dd`, with the time when it has one.
fn date_text(serial: f64) -> String {
    let Some(base) = NaiveDate::from_ymd_opt(1899, 12, 30) else {
        return number_text(serial);
    };
    let days = serial.floor();
    let Some(day) = base.checked_add_signed(TimeDelta::days(days as i64)) else {
        return number_text(serial);
    };
    let seconds = ((serial - days) * 86_400.0).round() as i64;
    if seconds == 0 {
        day.format("%Y-%m-%d").to_string()
    } else {
        let time = day.and_hms_opt(0, 0, 0).map(|t| t + TimeDelta::seconds(seconds));
        time.map_or_else(|| day.to_string(), |t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{write_table, Cell};

    #[test]
    fn a_written_table_reads_back_as_typed() {
        let rows = vec![
            vec![
                Cell::Text(" BS-0001 ".into()),
                Cell::Decimal("45.08".into()),
                Cell::Integer(12),
                Cell::Date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
            ],
            vec![Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty],
            vec![
                Cell::Text("Байкальская 贝加尔".into()),
                Cell::Decimal("0.1".into()),
                Cell::Decimal("1500".into()),
                Cell::Empty,
            ],
        ];
        let bytes = write_table("Prices", &["sku", "unit_price", "min_quantity", "valid_from"], &rows).unwrap();
        let table = read_table(&bytes).unwrap();
        assert_eq!(table.headers, vec!["sku", "unit_price", "min_quantity", "valid_from"]);
        assert_eq!(table.column("UNIT_PRICE "), Some(1));
        assert_eq!(table.rows.len(), 2, "the blank row is left out");
        assert_eq!(table.rows[0].number, 2);
        assert_eq!(table.rows[0].cells, vec!["BS-0001", "45.08", "12", "2026-03-01"]);
        assert_eq!(table.rows[1].number, 4, "row numbers as the spreadsheet shows them");
        assert_eq!(table.rows[1].cell(1), "0.1");
        assert_eq!(table.rows[1].cell(2), "1500");
        assert_eq!(table.rows[1].cell(3), "");
        assert_eq!(table.rows[1].cell(9), "", "past the row's end");
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused() {
        assert_eq!(
            read_table(b"sku;price\nBS-0001;45.08").unwrap_err().code(),
            "import.not_xlsx"
        );
    }

    #[test]
    fn numbers_keep_the_digits_that_were_typed() {
        assert_eq!(number_text(45.08), "45.08");
        assert_eq!(
            number_text(0.1 + 0.2),
            "0.30000000000000004",
            "not rounded away: the domain refuses it"
        );
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(number_text(-3.0), "-3");
    }
}

//! Spreadsheets in and out. Out: one sheet with a bold, frozen header row and an autofilter,
//! numbers as numbers so that a spreadsheet can sum them, written with `rust_xlsxwriter`. In: the
//! first sheet as a header row and rows of text, read with `calamine`. Both build without network
//! access or C code.

mod read;

pub use read::{read_table, ReadError, Table, TableRow};

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};

#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error("the workbook could not be written: {0}")]
    Write(String),
}

impl From<rust_xlsxwriter::XlsxError> for XlsxError {
    fn from(error: rust_xlsxwriter::XlsxError) -> Self {
        XlsxError::Write(error.to_string())
    }
}

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Integer(i64),
    /// An exact decimal as text, such as "45.08": shown with as many decimals as it has.
    Decimal(String),
    Date(NaiveDate),
    Empty,
}

pub const MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Writes one sheet of `headers` and `rows` into an XLSX file.
pub fn write_table(sheet_name: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name.chars().take(31).collect::<String>())?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (column, header) in (0u16..).zip(headers) {
        sheet.write_string_with_format(0, column, *header, &bold)?;
        sheet.set_column_width(column, (header.chars().count() + 4).clamp(10, 40) as f64)?;
    }
    for (row, cells) in (1u32..).zip(rows) {
        for (column, cell) in (0u16..).zip(cells) {
            match cell {
                Cell::Text(text) => {
                    sheet.write_string(row, column, text)?;
                }
                Cell::Integer(value) => {
                    // Spreadsheets hold numbers as doubles; integers are exact up to 2^53.
                    sheet.write_number(row, column, *value as f64)?;
                }
                Cell::Decimal(text) => {
                    // The value stays exact text in the domain; the double is for display and
                    // sums in the spreadsheet only.
                    let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
                    let format = Format::new().set_num_format(if decimals == 0 {
                        "0".to_owned()
                    } else {
                        format!("0.{}", "0".repeat(decimals))
                    });
                    match text.parse::<f64>() {
                        Ok(number) => sheet.write_number_with_format(row, column, number, &format)?,
                        Err(_) => sheet.write_string(row, column, text)?,
                    };
                }
                Cell::Date(day) => {
                    let excel = rust_xlsxwriter::ExcelDateTime::from_ymd(
                        u16::try_from(chrono::Datelike::year(day)).unwrap_or(1900),
                        u8::try_from(chrono::Datelike::month(day)).unwrap_or(1),
                        u8::try_from(chrono::Datelike::day(day)).unwrap_or(1),
                    )?;
                    sheet.write_datetime_with_format(row, column, &excel, &date)?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    if !headers.is_empty() {
        let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        sheet.autofilter(0, 0, last_row, u16::try_from(headers.len() - 1).unwrap_or(0))?;
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_table_becomes_a_workbook() {
        let rows = vec![
            vec![
                Cell::Text("BS-0001".into()),
                Cell::Text("Байкальская вода 贝加尔".into()),
                Cell::Decimal("45.08".into()),
            ],
            vec![
                Cell::Text("4607001000013".into()),
                Cell::Integer(12),
                Cell::Date(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
            ],
            vec![Cell::Empty, Cell::Decimal("1500".into()), Cell::Empty],
        ];
        let bytes = write_table("Catalog", &["SKU", "Name", "Price"], &rows).unwrap();
        assert_eq!(&bytes[..2], b"PK", "an XLSX file is a zip archive");
        assert!(bytes.len() > 1000);
    }
}

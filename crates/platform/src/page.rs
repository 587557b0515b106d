//! Pagination, sorting and export limits shared by every list: pages, API and exports.
//!
//! A list names its sortable columns once, in a [`SortColumns`] whitelist next to its SQL: a key
//! the user sees in `?sort=` (`sort=name` ascending, `sort=-name` descending) and the SQL
//! expression behind it. [`SortColumns::parse`] refuses an unknown key with a `sort` field error;
//! [`SortColumns::order_by`] turns a [`Sort`] into an ORDER BY made only of whitelisted text,
//! always ending in the list's unique tiebreaker so that pages never overlap or skip rows.

use serde::{Deserialize, Serialize};

use crate::failure::Failure;

pub const DEFAULT_PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 200;
/// The most rows a list's XLSX export writes at once; a larger selection is exported in the
/// background (`exports`).
pub const MAX_EXPORT_ROWS: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl PageRequest {
    /// Out-of-range numbers are pulled back into range rather than refused: page 0 is page 1.
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> PageRequest {
        PageRequest {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE),
        }
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, request: PageRequest) -> Page<T> {
        Page {
            items,
            total,
            page: request.page,
            per_page: request.per_page,
        }
    }

    pub fn page_count(&self) -> u32 {
        let per_page = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per_page - 1) / per_page)
            .unwrap_or(u32::MAX)
            .max(1)
    }

    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.page_count()
    }
}

/// The order a list was asked for: a whitelisted column key and a direction. The default
/// (empty key) stands for the list's own default order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Sort {
    pub key: &'static str,
    pub descending: bool,
}

impl Sort {
    /// The `sort` parameter's text: `key` or `-key`.
    pub fn to_param(self) -> String {
        if self.descending {
            format!("-{}", self.key)
        } else {
            self.key.to_owned()
        }
    }
}

/// One sortable column: the key in `?sort=` and the SQL expression it orders by.
#[derive(Debug, Clone, Copy)]
pub struct SortColumn {
    pub key: &'static str,
    pub sql: &'static str,
    /// Empty values sort last in both directions on both databases (SQLite and PostgreSQL
    /// disagree about where NULL goes otherwise).
    pub nullable: bool,
}

impl SortColumn {
    pub const fn new(key: &'static str, sql: &'static str) -> SortColumn {
        SortColumn {
            key,
            sql,
            nullable: false,
        }
    }

    pub const fn nullable(key: &'static str, sql: &'static str) -> SortColumn {
        SortColumn {
            key,
            sql,
            nullable: true,
        }
    }
}

/// A list's whitelist of sortable columns, its default order and its unique tiebreaker.
#[derive(Debug, Clone, Copy)]
pub struct SortColumns {
    pub columns: &'static [SortColumn],
    /// The order when none is asked for, as a `sort` parameter (`code`, `-placed_at`).
    pub default: &'static str,
    /// A unique expression (usually the id) ending every ORDER BY, in the sort's direction.
    pub tiebreaker: &'static str,
}

impl SortColumns {
    fn column(&self, key: &str) -> Option<&'static SortColumn> {
        self.columns.iter().find(|column| column.key == key)
    }

    fn split(text: &str) -> (&str, bool) {
        match text.strip_prefix('-') {
            Some(key) => (key, true),
            None => (text, false),
        }
    }

    /// Reads `sort=key` or `sort=-key`; nothing or an empty text is the default order, a key
    /// not in the whitelist is the field error `sort` / `list.sort_invalid`.
    pub fn parse(&self, text: Option<&str>) -> Result<Sort, Failure> {
        let text = text.map(str::trim).unwrap_or_default();
        if text.is_empty() {
            return Ok(Sort::default());
        }
        let (key, descending) = Self::split(text);
        match self.column(key) {
            Some(column) => Ok(Sort {
                key: column.key,
                descending,
            }),
            None => Err(Failure::Invalid(vec![crate::failure::FieldError::new(
                "sort",
                "list.sort_invalid",
            )
            .with("allowed", self.keys().join(", "))])),
        }
    }

    /// The sortable keys, for messages and API documentation.
    pub fn keys(&self) -> Vec<&'static str> {
        self.columns.iter().map(|column| column.key).collect()
    }

    /// The order actually applied: `sort`, or the list's default when it names no column.
    pub fn effective(&self, sort: Sort) -> Sort {
        if self.column(sort.key).is_some() {
            return sort;
        }
        let (key, descending) = Self::split(self.default);
        match self.column(key) {
            Some(column) => Sort {
                key: column.key,
                descending,
            },
            None => Sort::default(),
        }
    }

    /// The ORDER BY text (without the words ORDER BY) for `sort`: only whitelisted SQL, then
    /// the tiebreaker.
    pub fn order_by(&self, sort: Sort) -> String {
        let sort = self.effective(sort);
        let direction = if sort.descending { "DESC" } else { "ASC" };
        let mut order = String::new();
        if let Some(column) = self.column(sort.key) {
            if column.nullable {
                order.push_str(&format!("CASE WHEN {} IS NULL THEN 1 ELSE 0 END, ", column.sql));
            }
            order.push_str(&format!("{} {direction}, ", column.sql));
        }
        order.push_str(&format!("{} {direction}", self.tiebreaker));
        order
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_clamped_into_range() {
        let request = PageRequest::new(Some(0), Some(10_000));
        assert_eq!((request.page, request.per_page), (1, MAX_PER_PAGE));
        assert_eq!(PageRequest::new(Some(3), Some(20)).offset(), 40);
    }

    const COLUMNS: SortColumns = SortColumns {
        columns: &[SortColumn::new("code", "d.code"), SortColumn::nullable("gln", "d.gln")],
        default: "-code",
        tiebreaker: "d.id",
    };

    #[test]
    fn sorts_come_only_from_the_whitelist_and_end_in_the_tiebreaker() {
        let ascending = COLUMNS.parse(Some("code")).unwrap();
        assert_eq!(COLUMNS.order_by(ascending), "d.code ASC, d.id ASC");
        let descending = COLUMNS.parse(Some("-gln")).unwrap();
        assert_eq!(
            COLUMNS.order_by(descending),
            "CASE WHEN d.gln IS NULL THEN 1 ELSE 0 END, d.gln DESC, d.id DESC"
        );
        assert_eq!(descending.to_param(), "-gln");
        assert_eq!(COLUMNS.order_by(COLUMNS.parse(None).unwrap()), "d.code DESC, d.id DESC");
        assert_eq!(
            COLUMNS.order_by(COLUMNS.parse(Some(" ")).unwrap()),
            "d.code DESC, d.id DESC"
        );
    }

    #[test]
    fn an_unknown_sort_key_is_a_field_error() {
        for text in ["name", "code; DROP TABLE dealers", "--code", "d.code"] {
            match COLUMNS.parse(Some(text)) {
                Err(Failure::Invalid(errors)) => {
                    assert_eq!(errors[0].field, "sort");
                    assert_eq!(errors[0].code, "list.sort_invalid");
                }
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn page_count_rounds_up() {
        let page: Page<()> = Page::new(vec![], 101, PageRequest::new(Some(1), Some(50)));
        assert_eq!(page.page_count(), 3);
        assert!(page.has_next());
        assert!(!page.has_previous());
    }
}

//! What every list page shares: the links of its sortable column headers, its pages and its
//! XLSX export, all keeping the current filters and sort.
//!
//! A list page builds one [`ListLinks`] from its path, its filters and its parsed sort, hands
//! `links.page_query()` to `pagination.html` as `filter_query`, and writes each sortable header
//! as `{{ links.header("key", label)|safe }}`. Its export lives at `<list path>/export` with the
//! same query.

use platform::{Sort, SortColumns};

/// Text typed into a form or a list's filter, trimmed; empty means "none".
pub fn optional_text(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// One sortable column header, rendered by `sort_header.html` in a function of its own so that
/// a page with many headers keeps a small stack frame.
#[derive(askama::Template)]
#[template(path = "sort_header.html")]
pub struct SortHeader<'a> {
    href: String,
    aria_sort: &'static str,
    arrow: &'static str,
    label: &'a str,
    /// A right-aligned column of numbers.
    amount: bool,
}

/// The links of one list page.
#[derive(Debug, Clone)]
pub struct ListLinks {
    path: String,
    /// `name=value` pairs of the filters in use, already encoded.
    filters: Vec<String>,
    /// The sort the request asked for (empty key: the default).
    requested: Sort,
    /// The sort applied, which the headers show.
    applied: Sort,
}

impl ListLinks {
    pub fn new(path: impl Into<String>, columns: &SortColumns, sort: Sort) -> ListLinks {
        ListLinks {
            path: path.into(),
            filters: Vec::new(),
            requested: sort,
            applied: columns.effective(sort),
        }
    }

    /// Adds a filter to every link when it has a non-empty value.
    pub fn filter(mut self, name: &str, value: Option<impl ToString>) -> ListLinks {
        if let Some(value) = value.map(|v| v.to_string()).filter(|v| !v.trim().is_empty()) {
            self.filters.push(format!("{name}={}", encode(&value)));
        }
        self
    }

    /// A true/false filter, kept only when true.
    pub fn flag(self, name: &str, on: bool) -> ListLinks {
        self.filter(name, on.then_some("true"))
    }

    fn query_with_sort(&self, sort: Option<Sort>) -> String {
        let mut pairs = self.filters.clone();
        if let Some(sort) = sort.filter(|s| !s.key.is_empty()) {
            pairs.push(format!("sort={}", encode(&sort.to_param())));
        }
        pairs.join("&")
    }

    /// Filters and sort, without the page: what `pagination.html` puts before `page=`.
    pub fn page_query(&self) -> String {
        self.query_with_sort(Some(self.requested))
    }

    /// The filters alone.
    pub fn filter_query(&self) -> String {
        self.query_with_sort(None)
    }

    /// The header link for `key`: ascending first, the other direction when already sorted by it.
    pub fn sort_href(&self, key: &str) -> String {
        let next = if self.applied.key == key {
            format!("{}{key}", if self.applied.descending { "" } else { "-" })
        } else {
            key.to_owned()
        };
        let mut pairs = self.filters.clone();
        pairs.push(format!("sort={}", encode(&next)));
        format!("{}?{}", self.path, pairs.join("&"))
    }

    /// `aria-sort` of the header for `key`.
    pub fn aria_sort(&self, key: &str) -> &'static str {
        match (self.applied.key == key, self.applied.descending) {
            (true, false) => "ascending",
            (true, true) => "descending",
            (false, _) => "none",
        }
    }

    /// The arrow beside the header for `key`, or nothing when the list is not sorted by it.
    pub fn arrow(&self, key: &str) -> &'static str {
        match (self.applied.key == key, self.applied.descending) {
            (true, false) => "▲",
            (true, true) => "▼",
            (false, _) => "",
        }
    }

    /// The header of a sortable column, for `{{ links.header("code", label)|safe }}`.
    pub fn header<'a>(&self, key: &str, label: &'a str) -> SortHeader<'a> {
        SortHeader {
            href: self.sort_href(key),
            aria_sort: self.aria_sort(key),
            arrow: self.arrow(key),
            label,
            amount: false,
        }
    }

    /// The header of a sortable column of numbers, right-aligned.
    pub fn amount_header<'a>(&self, key: &str, label: &'a str) -> SortHeader<'a> {
        SortHeader {
            amount: true,
            ..self.header(key, label)
        }
    }

    /// The list's XLSX export, with the same filters and sort.
    pub fn export_href(&self) -> String {
        let query = self.page_query();
        if query.is_empty() {
            format!("{}/export", self.path)
        } else {
            format!("{}/export?{query}", self.path)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use platform::SortColumn;

    const COLUMNS: SortColumns = SortColumns {
        columns: &[SortColumn::new("code", "d.code"), SortColumn::new("name", "d.name")],
        default: "code",
        tiebreaker: "d.id",
    };

    #[test]
    fn links_keep_the_filters_and_toggle_the_direction() {
        let sort = COLUMNS.parse(Some("name")).unwrap();
        let links = ListLinks::new("/dealers", &COLUMNS, sort)
            .filter("search", Some("a b&c"))
            .filter("status", None::<String>)
            .flag("alerts", true);
        assert_eq!(links.page_query(), "search=a%20b%26c&alerts=true&sort=name");
        assert_eq!(
            links.sort_href("name"),
            "/dealers?search=a%20b%26c&alerts=true&sort=-name"
        );
        assert_eq!(
            links.sort_href("code"),
            "/dealers?search=a%20b%26c&alerts=true&sort=code"
        );
        assert_eq!(links.aria_sort("name"), "ascending");
        assert_eq!(links.aria_sort("code"), "none");
        assert_eq!(
            links.export_href(),
            "/dealers/export?search=a%20b%26c&alerts=true&sort=name"
        );
    }

    #[test]
    fn a_header_links_to_the_other_direction_and_says_how_it_is_sorted() {
        use askama::Template;
        let links =
            ListLinks::new("/dealers", &COLUMNS, COLUMNS.parse(Some("-code")).unwrap()).filter("q", Some("<&>"));
        assert_eq!(
            links.header("code", "Code & name").render().unwrap(),
            "<th aria-sort=\"descending\"><a class=\"sort\" href=\"/dealers?q=%3C%26%3E&#38;sort=code\">Code &#38; name <span aria-hidden=\"true\">▼</span></a></th>"
        );
        assert_eq!(
            links.amount_header("name", "Name").render().unwrap(),
            "<th class=\"amount\" aria-sort=\"none\"><a class=\"sort\" href=\"/dealers?q=%3C%26%3E&#38;sort=name\">Name</a></th>"
        );
    }

    #[test]
    fn without_a_sort_the_default_column_shows_as_sorted() {
        let links = ListLinks::new("/dealers", &COLUMNS, Sort::default());
        assert_eq!(links.aria_sort("code"), "ascending");
        assert_eq!(links.arrow("code"), "▲");
        assert_eq!(links.sort_href("code"), "/dealers?sort=-code");
        assert_eq!(links.export_href(), "/dealers/export");
    }
}

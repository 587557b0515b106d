//! Dates, numbers and money on the main pages of both workspaces are written as each language
//! writes them: 1,234.50 and ₽1,234.50 in English, 1 234,50 ₽ in Russian, ¥1,234.50 in Chinese;
//! 24 Nov 2026 / 24.11.2026 / 2026-11-24; and never a raw timestamp such as
//! 2026-11-24T10:00:00Z or one ending in +00:00.
//!
//! What people typed is shown as they typed it, so the check leaves out the names of the
//! tenant's promotions, and the audit log's records, shown as the JSON they are kept as.

use testkit::{BrowserSession, TestApp};

use crate::id_of;

/// `html` without its `<element …>…</element>` parts.
fn without(html: &str, element: &str) -> String {
    let end = format!("</{element}>");
    html.split(&format!("<{element}"))
        .enumerate()
        .map(|(index, part)| match index {
            0 => part,
            _ => part.split_once(end.as_str()).map_or("", |(_, after)| after),
        })
        .collect()
}

/// The text a reader sees: tags dropped (with their attributes), a few entities decoded; the
/// style sheet's text and preformatted records left out.
fn visible_text(html: &str) -> String {
    let without_style = without(&without(html, "style"), "pre");
    let mut text = String::new();
    let mut in_tag = false;
    for c in without_style.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&nbsp;", "\u{a0}")
        .replace("&#160;", "\u{a0}")
        .replace("&#43;", "+")
        .replace("&amp;", "&")
}

/// The texts of `<td class="amount">` cells: numbers and money.
fn amount_cells(html: &str) -> Vec<String> {
    html.split("<td class=\"amount\"")
        .skip(1)
        .filter_map(|cell| cell.split_once('>').map(|(_, rest)| rest))
        .map(|rest| visible_text(rest.split("</td>").next().unwrap_or_default()))
        .collect()
}

/// Where `pattern` occurs in `text`: in a pattern `9` is any digit, `N` anything but a digit
/// (or the text's start or end), `P` anything but a digit or a point, `_` a space or a
/// no-break space, `~` a no-break space; any other character stands for itself.
fn occurrences(text: &str, pattern: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    let fits = |at: isize, p: char| {
        let c = usize::try_from(at).ok().and_then(|i| chars.get(i)).copied();
        match p {
            '9' => c.is_some_and(|c| c.is_ascii_digit()),
            'N' => c.is_none_or(|c| !c.is_ascii_digit()),
            'P' => c.is_none_or(|c| !c.is_ascii_digit() && c != '.'),
            '_' => c.is_some_and(|c| c == ' ' || c == '\u{a0}'),
            '~' => c == Some('\u{a0}'),
            p => c == Some(p),
        }
    };
    // A leading `N` may stand before the text's start.
    (-1..chars.len() as isize)
        .filter(|start| {
            pattern
                .iter()
                .enumerate()
                .all(|(offset, p)| fits(start + offset as isize, *p))
        })
        .map(|start| {
            let from = usize::try_from(start - 12).unwrap_or(0);
            let to = (usize::try_from(start).unwrap_or(0) + pattern.len() + 12).min(chars.len());
            chars[from..to].iter().collect()
        })
        .collect()
}

/// What is written wrongly for `locale` on a page, each with what surrounds it; `typed` are
/// texts people typed, left out.
fn misformatted(locale: &str, html: &str, typed: &[String]) -> Vec<String> {
    let mut text = visible_text(html);
    for typed in typed {
        text = text.replace(typed.as_str(), " ");
    }
    let mut found = Vec::new();
    let mut look = |what: &str, text: &str, pattern: &str| {
        for place in occurrences(text, pattern) {
            found.push(format!("{what}: …{place}…"));
        }
    };
    look("a raw timestamp", &text, "9999-99-99T99:99");
    look("a time zone offset", &text, "+00:00");
    look("a time in UTC", &text, "99 UTC");
    look("a time with seconds", &text, "99:99:99");
    match locale {
        "ru" => {
            look("English digit grouping", &text, "9,999N");
            look("a decimal point", &text, "N9.99P");
            look("a decimal point", &text, "99.99P");
            look("the currency before the amount", &text, "₽9");
            look("an ISO date", &text, "9999-99-99");
        }
        _ => {
            look("Russian digit grouping", &text, "9~999");
            look("a decimal comma", &text, "9,99P");
            look("the currency after the amount", &text, "9_₽");
            look("the currency after the amount", &text, "9_¥");
            if locale == "en" {
                look("an ISO date", &text, "9999-99-99");
            }
        }
    }
    for cell in amount_cells(html) {
        look("digits not grouped", &cell, "9999");
    }
    found
}

async fn set_language(app: &TestApp, locale: &str) {
    app.db
        .execute(&platform::Query::new(format!(
            "UPDATE users SET locale = '{locale}' WHERE login IN ('dealer@demo.test', 'admin@demo.test')"
        )))
        .await
        .unwrap();
}

async fn problems_on(
    app: &TestApp,
    session: &BrowserSession,
    locale: &str,
    paths: &[String],
    typed: &[String],
) -> Vec<String> {
    let mut problems = Vec::new();
    for path in paths {
        let page = app.page(session, path).await;
        assert_eq!(page.status, 200, "{path}");
        let html = page.text();
        assert!(
            html.contains(&format!("<html lang=\"{locale}\">")),
            "{path} in {locale}"
        );
        for problem in misformatted(locale, &html, typed) {
            problems.push(format!("{locale} {path}: {problem}"));
        }
    }
    problems
}

#[tokio::test]
async fn both_workspaces_write_dates_numbers_and_money_as_each_language_does() {
    let app = TestApp::with_demo().await;
    let dealer = app.browser_session("dealer@demo.test").await;
    let admin = app.browser_session("admin@demo.test").await;
    let order = id_of(&app, "orders", "dealer_order_number", "VK-2026-0141").await;
    let vektor = id_of(&app, "dealers", "code", "VEKTOR").await;
    let price_list = id_of(&app, "price_lists", "code", "VEKTOR-2026").await;
    let dealer_pages: Vec<String> = [
        "/",
        "/catalog",
        "/favorites",
        "/cart",
        "/orders",
        "/shipments",
        "/returns",
        "/messages",
    ]
    .iter()
    .map(|path| path.to_string())
    .chain([format!("/orders/{order}")])
    .collect();
    let manufacturer_pages: Vec<String> = [
        "/",
        "/dashboard",
        "/order-desk",
        "/orders",
        "/dealers",
        "/products",
        "/price-lists",
        "/promotions",
        "/stock",
        "/shipments",
        "/discrepancies",
        "/returns",
        "/reports/order-execution",
        "/reports/order-execution?view=lines",
        "/catalog-statistics",
        "/edi",
        "/edi/partners",
        "/imports",
        "/messages",
        "/users",
        "/admin/audit",
        "/admin/jobs",
        "/admin/api-tokens",
    ]
    .iter()
    .map(|path| path.to_string())
    .chain([
        format!("/orders/{order}"),
        format!("/dealers/{vektor}"),
        format!("/price-lists/{price_list}"),
        format!("/catalog?dealer_id={vektor}"),
    ])
    .collect();

    let promotion_names: Vec<String> = app
        .db
        .fetch_all(&platform::Query::new("SELECT name FROM promotions"))
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("name").unwrap())
        .collect();

    let mut problems = Vec::new();
    for locale in ["en", "ru", "zh"] {
        set_language(&app, locale).await;
        problems.extend(problems_on(&app, &dealer, locale, &dealer_pages, &promotion_names).await);
        problems.extend(problems_on(&app, &admin, locale, &manufacturer_pages, &promotion_names).await);
    }
    assert!(
        problems.is_empty(),
        "{} misformatted:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_check_itself_tells_locales_apart() {
    let russian = "<td class=\"amount\">1\u{a0}192,32\u{a0}₽</td><p>24.11.2026 12:00</p>";
    assert_eq!(misformatted("ru", russian, &[]), Vec::<String>::new());
    let english_in_russian = "<td class=\"amount\">₽1,192.32</td>";
    assert_eq!(
        misformatted("ru", english_in_russian, &[]).len(),
        3,
        "grouping, decimal point, currency first: {:?}",
        misformatted("ru", english_in_russian, &[])
    );
    let raw = "<p>2026-11-24T10:00:00+00:00</p><td class=\"amount\">1192.32</td>";
    assert_eq!(
        misformatted("zh", raw, &[]).len(),
        4,
        "timestamp, offset, seconds, ungrouped digits: {:?}",
        misformatted("zh", raw, &[])
    );
    let english = "<td class=\"amount\">₽1,192.32</td><p>24 Nov 2026</p>";
    assert_eq!(misformatted("en", english, &[]), Vec::<String>::new());
    let typed = "<p>Spend 50,000 ₽</p>";
    assert_eq!(
        misformatted("ru", typed, &["Spend 50,000 ₽".to_owned()]),
        Vec::<String>::new()
    );
}

//! The home pages: a dealer's people see what waits in their own business, and the
//! manufacturer's people a dashboard of charts drawn by the server, with the figures of the
//! dealers in their scope, one currency at a time, the same in every language.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Utc};
use ordering::domain::{Channel, OrderInput, OrderLineInput};
use platform::{Actor, Currency, DataScope, DealerId, Locale, Money, Role};
use quick_xml::events::Event;
use serde_json::json;
use testkit::{BrowserSession, TestApp};
use web::i18n::Translator;

use crate::{id_of, location_of};

const PALLET: &str = "146012345000000019";
/// The demo's tenant keeps Moscow time, three hours ahead of UTC all year.
const MOSCOW: i32 = 3 * 3600;

fn english() -> Translator {
    Translator::new(Locale::En, chrono_tz::Europe::Moscow)
}

/// A dealer's order of 120 bottles of still water, through the API.
async fn order_water(app: &TestApp, token: &str, number: &str, delivery: &str) -> i64 {
    let water = id_of(app, "products", "sku", "BS-0001").await;
    let placed = app
        .post(
            "/api/v1/orders",
            token,
            json!({
                "dealer_order_number": number,
                "delivery_location_id": location_of(app, "VEKTOR").await,
                "requested_delivery_on": delivery,
                "lines": [{ "product_id": water, "quantity": 120 }],
            }),
        )
        .await;
    assert_eq!(placed.status, 201, "{}", placed.text());
    placed.json()["order_id"].as_i64().unwrap()
}

/// Neva Trade of Saint Petersburg, outside the Moscow manager's regions, orders in roubles too.
async fn neva_orders(app: &TestApp) {
    let system = Actor::system(platform::TenantId(
        app.count("SELECT id AS n FROM tenants WHERE code = 'demo'").await,
    ));
    let neva = DealerId(id_of(app, "dealers", "code", "NEVA-TRADE").await);
    let buyer = Actor {
        user_id: None,
        display_name: "Neva buyer".into(),
        roles: vec![Role::Purchaser],
        scope: DataScope::Dealer {
            dealer_id: neva,
            with_tier2: false,
        },
        ..system
    };
    let audience = identity::queries::dealer_audience(&app.db, &buyer, None).await.unwrap();
    let input = OrderInput {
        dealer_order_number: "NT-0001".into(),
        delivery_location_id: location_of(app, "NEVA-TRADE").await,
        requested_delivery_on: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
        allow_adjust: false,
        comment: None,
        lines: vec![OrderLineInput {
            product_id: Some(id_of(app, "products", "sku", "BS-0006").await),
            product_code: None,
            quantity: 72,
        }],
        draft: false,
    };
    ordering::commands::place_order(&app.db, &app.clock, &buyer, &audience, &input, Channel::Api, None)
        .await
        .unwrap();
}

/// The viewer's orders as the API lists them, summed by currency and month of Moscow time the
/// way the dashboard counts them: neither rejected nor cancelled.
async fn sums_by_month(app: &TestApp, token: &str) -> BTreeMap<(String, NaiveDate), (i64, Money)> {
    let orders = app.get("/api/v1/orders?per_page=200", token).await.json();
    let mut sums = BTreeMap::new();
    for order in orders["items"].as_array().unwrap() {
        if ["rejected", "cancelled"].contains(&order["state"].as_str().unwrap()) {
            continue;
        }
        let code = order["currency"].as_str().unwrap().to_owned();
        let currency = Currency::parse(&code).unwrap();
        let placed: DateTime<Utc> = order["placed_at"].as_str().unwrap().parse().unwrap();
        let local = placed.with_timezone(&FixedOffset::east_opt(MOSCOW).unwrap());
        let month = NaiveDate::from_ymd_opt(local.year(), local.month(), 1).unwrap();
        let net = Money::parse_decimal(order["net_total"].as_str().unwrap(), currency).unwrap();
        let (count, sum) = sums.entry((code, month)).or_insert((0, Money::zero(currency)));
        *count += 1;
        *sum = sum.checked_add(net).unwrap();
    }
    sums
}

/// Text as the page's escaping wrote it, read back.
fn unescape(html: &str) -> String {
    html.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
}

/// The figures table of one chart of a page: (name, value) per row.
fn figures(html: &str, chart: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("id=\"{chart}-title\""))
        .unwrap_or_else(|| panic!("no chart {chart}"));
    let body = &html[start..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let name = row
                .split("<th scope=\"row\">")
                .nth(1)
                .unwrap()
                .split("</th>")
                .next()
                .unwrap();
            let value = row
                .split("class=\"amount\">")
                .nth(1)
                .unwrap()
                .split("</td>")
                .next()
                .unwrap();
            (unescape(name), unescape(value))
        })
        .collect()
}

fn figure<'a>(rows: &'a [(String, String)], name: &str) -> &'a str {
    rows.iter()
        .find(|(row, _)| row == name)
        .map(|(_, value)| value.as_str())
        .unwrap_or_else(|| panic!("no row {name} in {rows:?}"))
}

/// Every chart of a page: its id, and the bars of its SVG, which must be well-formed XML with a
/// title and a description.
fn charts(html: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for piece in html.split("<svg ").skip(1) {
        let svg = format!("<svg {}</svg>", piece.split("</svg>").next().unwrap());
        let id = svg
            .split("aria-labelledby=\"")
            .nth(1)
            .and_then(|rest| rest.split("-title").next())
            .unwrap()
            .to_owned();
        let mut reader = quick_xml::Reader::from_str(&svg);
        let (mut bars, mut titled, mut described) = (0, false, false);
        loop {
            match reader.read_event() {
                Ok(Event::Start(element)) | Ok(Event::Empty(element)) => {
                    let class = element
                        .try_get_attribute("class")
                        .unwrap()
                        .map(|a| a.value.into_owned())
                        .unwrap_or_default();
                    match element.name().into_inner() {
                        "rect" if class.starts_with("chart-bar") => bars += 1,
                        "title" if element.try_get_attribute("id").unwrap().is_some() => titled = true,
                        "desc" => described = true,
                        _ => {}
                    }
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(error) => panic!("chart {id} is not well-formed: {error}\n{svg}"),
            }
        }
        assert!(titled && described, "chart {id} has a title and a description");
        found.push((id, bars));
    }
    found
}

/// The count a block of a dealer's home shows beside its heading.
fn block_count(html: &str, heading: &str) -> i64 {
    let before = html
        .split(&format!("</span> {heading}</h2>"))
        .next()
        .unwrap_or_else(|| panic!("no block {heading}"));
    before
        .rsplit("<span class=\"figure\">")
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_dealers_home_shows_what_waits_in_its_own_business_and_nothing_of_another_dealers() {
    let app = TestApp::with_demo().await;
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let warehouse = app.token("warehouse@demo.test").await;
    // Goods of a new order on the way.
    let order = order_water(&app, &dealer, "VK-2026-0150", "2026-11-30").await;
    let confirmed = app
        .post(&format!("/api/v1/orders/{order}/confirm"), &desk, json!({}))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    let seen = app.get(&format!("/api/v1/orders/{order}"), &warehouse).await.json();
    let sales_order = seen["sales_orders"][0]["id"].as_i64().unwrap();
    let shipped = app
        .post(
            &format!("/api/v1/sales-orders/{sales_order}/shipments"),
            &warehouse,
            json!({ "packages": [PALLET], "planned_arrival_on": "2026-11-27", "lines": [{ "line_number": 1, "quantity": 120 }] }),
        )
        .await;
    assert_eq!(shipped.status, 201, "{}", shipped.text());
    // A change asked of a confirmed order, and broken juice to send back.
    let first = id_of(&app, "orders", "dealer_order_number", "VK-2026-0141").await;
    let change = app
        .post(
            &format!("/api/v1/orders/{first}/change-requests"),
            &dealer,
            json!({ "reason": "Less space in the warehouse", "lines": [{ "line_number": 1, "quantity": 60 }] }),
        )
        .await;
    assert_eq!(change.status, 201, "{}", change.text());
    let received = app
        .count("SELECT MIN(shipment_id) AS n FROM receipts WHERE discrepancy <> 'none'")
        .await;
    let shipment = app.get(&format!("/api/v1/shipments/{received}"), &dealer).await.json();
    let juice = shipment["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == "BS-0006")
        .unwrap()["order_line_number"]
        .clone();
    let returned = app
        .post(
            &format!("/api/v1/shipments/{received}/returns"),
            &dealer,
            json!({ "lines": [{ "line_number": juice, "quantity": 2, "reason": "damaged" }] }),
        )
        .await;
    assert_eq!(returned.status, 201, "{}", returned.text());
    let unread = app
        .count(
            "SELECT COUNT(*) AS n FROM messages m JOIN users u ON u.id = m.user_id
             WHERE u.login = 'dealer@demo.test' AND m.read_at IS NULL",
        )
        .await;
    assert!(unread > 0, "the desk's decisions were announced");

    let home = app.page(&app.browser_session("dealer@demo.test").await, "/").await;
    assert_eq!(home.status, 200);
    let html = home.text();
    assert_eq!(block_count(&html, "orders awaiting confirmation"), 2);
    assert!(
        html.contains("VK-2026-0143") && html.contains("VK-EDI-0145"),
        "from the portal and by EDI"
    );
    assert_eq!(block_count(&html, "shipments on the way"), 1);
    assert!(html.contains("arrives 27 Nov 2026"));
    assert!(html.contains(&format!("href=\"/orders/{order}\"")));
    assert_eq!(block_count(&html, "unread messages"), unread);
    assert_eq!(block_count(&html, "open change requests"), 1);
    assert!(html.contains("asked by the dealer: Less space in the warehouse"));
    assert_eq!(block_count(&html, "open returns"), 1);
    assert!(html.contains("href=\"/returns?state=requested\""));
    assert!(!html.contains("QQ-2611"), "nothing of Qingquan's");

    let other = app
        .page(&app.browser_session("dealer2@demo.test").await, "/")
        .await
        .text();
    assert_eq!(block_count(&other, "orders awaiting confirmation"), 1);
    assert!(other.contains("QQ-2611-07"));
    for heading in ["shipments on the way", "open change requests", "open returns"] {
        assert_eq!(block_count(&other, heading), 0, "{heading}");
    }
    assert!(other.contains("Nothing waits here."));
    assert!(!other.contains("VK-2026"), "nothing of Vektor's");

    let manager = app
        .page(&app.browser_session("manager@demo.test").await, "/")
        .await
        .text();
    assert!(
        !manager.contains("orders awaiting confirmation"),
        "the manufacturer's people have the dashboard instead"
    );
}

#[tokio::test]
async fn the_dashboard_adds_up_the_orders_of_each_month_region_dealer_and_product() {
    let app = TestApp::with_demo().await;
    neva_orders(&app).await;
    // Forty days on, January 2027 in Moscow: one more order, just placed.
    app.clock.advance(TimeDelta::days(40));
    let dealer = app.token("dealer@demo.test").await;
    order_water(&app, &dealer, "VK-2027-0001", "2027-01-20").await;
    let admin = app.token("admin@demo.test").await;
    let sums = sums_by_month(&app, &admin).await;
    let t = english();
    let november = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let january = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    assert_eq!(
        sums.keys().cloned().collect::<Vec<_>>(),
        vec![
            ("CNY".to_owned(), november),
            ("RUB".to_owned(), november),
            ("RUB".to_owned(), january),
        ]
    );

    let session = app.browser_session("admin@demo.test").await;
    let html = app.page(&session, "/dashboard").await.text();
    assert!(html.contains("From Feb 2026 to Jan 2027."));
    let values = figures(&html, "chart-net-value");
    let counts = figures(&html, "chart-orders");
    assert_eq!(values.len(), 12, "a row for every month, empty ones too");
    for ((code, month), (count, net)) in sums.iter().filter(|((code, _), _)| code == "RUB") {
        let name = format!("{} {}", month.format("%b"), month.year());
        assert_eq!(figure(&values, &name), t.money(net), "{code} {name}");
        assert_eq!(figure(&counts, &name), count.to_string(), "{name}");
    }
    assert_eq!(figure(&values, "Dec 2026"), "₽0.00");
    let rub: Money = sums
        .iter()
        .filter(|((code, _), _)| code == "RUB")
        .fold(Money::zero(Currency::parse("RUB").unwrap()), |sum, (_, (_, net))| {
            sum.checked_add(*net).unwrap()
        });
    let neva_net = app
        .count("SELECT net_total_minor AS n FROM orders WHERE dealer_order_number = 'NT-0001'")
        .await;
    let neva = Money::new(neva_net, Currency::parse("RUB").unwrap());
    let vektor = rub.checked_sub(neva).unwrap();
    let dealers = figures(&html, "chart-dealers");
    assert_eq!(
        dealers,
        vec![
            ("VEKTOR · ООО «ТД Вектор-Напитки»".to_owned(), t.money(&vektor)),
            ("NEVA-TRADE · ООО «Нева Трейд»".to_owned(), t.money(&neva)),
        ],
        "largest first, roubles only"
    );
    assert_eq!(
        figures(&html, "chart-regions"),
        vec![
            ("Москва".to_owned(), t.money(&vektor)),
            ("Санкт-Петербург".to_owned(), t.money(&neva)),
        ]
    );
    // The products: every line of the roubles orders counted, rejected orders' lines aside.
    let mut products: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let orders = app.get("/api/v1/orders?per_page=200", &admin).await.json();
    for order in orders["items"].as_array().unwrap() {
        if order["currency"] != "RUB" || order["state"] == "rejected" {
            continue;
        }
        let detail = app.get(&format!("/api/v1/orders/{}", order["id"]), &admin).await.json();
        for line in detail["lines"].as_array().unwrap() {
            let total = Money::parse_decimal(line["line_total"].as_str().unwrap(), Currency::parse("RUB").unwrap());
            let entry = products.entry(line["sku"].as_str().unwrap().to_owned()).or_default();
            entry.0 += line["quantity"].as_i64().unwrap();
            entry.1 += total.unwrap().minor();
        }
    }
    let (sku, (units, net)) = products.iter().max_by_key(|(_, (_, net))| *net).unwrap();
    let top = &figures(&html, "chart-products")[0];
    assert!(
        top.0.starts_with(&format!("{sku} · ")) && top.0.ends_with(&format!("({} units)", t.number(*units))),
        "{top:?}"
    );
    assert_eq!(top.1, t.money(&Money::new(*net, Currency::parse("RUB").unwrap())));
    // Waiting: Vektor's VK-2026-0143 and VK-EDI-0145, Qingquan's and Neva's orders for forty days,
    // the new one not yet a day.
    let waiting = figures(&html, "chart-waiting");
    assert_eq!(
        waiting,
        vec![
            ("< 1 day".to_owned(), "1".to_owned()),
            ("1–3 days".to_owned(), "0".to_owned()),
            ("3–7 days".to_owned(), "0".to_owned()),
            ("> 7 days".to_owned(), "4".to_owned()),
        ]
    );

    // Yuan are never added to roubles: they have their own charts.
    assert!(html.contains("<a href=\"/dashboard?currency=CNY\">CNY (orders: 1)</a>"));
    let yuan = app.page(&session, "/dashboard?currency=CNY").await.text();
    let (_, (_, qingquan)) = sums.iter().find(|((code, _), _)| code == "CNY").unwrap();
    assert_eq!(
        figure(&figures(&yuan, "chart-net-value"), "Nov 2026"),
        t.money(qingquan)
    );
    assert_eq!(
        figures(&yuan, "chart-dealers"),
        vec![("SH-QINGQUAN · 上海清泉贸易有限公司".to_owned(), t.money(qingquan))]
    );
    let roubles: i64 = sums
        .iter()
        .filter(|((code, _), _)| code == "RUB")
        .map(|(_, (count, _))| count)
        .sum();
    assert!(yuan.contains(&format!("RUB (orders: {roubles})")));
}

#[tokio::test]
async fn a_sales_manager_sees_only_the_figures_of_their_regions() {
    let app = TestApp::with_demo().await;
    neva_orders(&app).await;
    let t = english();
    let manager = app.token("manager@demo.test").await;
    let sums = sums_by_month(&app, &manager).await;
    let november = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let (count, net) = sums.get(&("RUB".to_owned(), november)).unwrap();
    assert_eq!(*count, 4, "Vektor's five orders of Moscow, less the rejected one");

    let html = app
        .page(&app.browser_session("manager@demo.test").await, "/dashboard")
        .await
        .text();
    assert_eq!(figure(&figures(&html, "chart-net-value"), "Nov 2026"), t.money(net));
    assert_eq!(figure(&figures(&html, "chart-orders"), "Nov 2026"), "4");
    assert_eq!(figures(&html, "chart-dealers").len(), 1);
    assert_eq!(
        figures(&html, "chart-regions"),
        vec![("Москва".to_owned(), t.money(net))]
    );
    assert_eq!(
        figure(&figures(&html, "chart-waiting"), "< 1 day"),
        "2",
        "VK-2026-0143 and VK-EDI-0145"
    );
    for hidden in ["NEVA-TRADE", "Санкт-Петербург", "QINGQUAN", "currency=CNY"] {
        assert!(!html.contains(hidden), "the Moscow manager sees {hidden}");
    }

    let china = app
        .page(&app.browser_session("manager.cn@demo.test").await, "/dashboard")
        .await
        .text();
    assert!(!china.contains("VEKTOR") && !china.contains("NEVA-TRADE"));
    assert!(china.contains("/dashboard?currency=CNY"), "its dealers buy in yuan");
}

#[tokio::test]
async fn every_chart_is_well_formed_svg_with_a_bar_for_every_figure() {
    let app = TestApp::with_demo().await;
    let html = app
        .page(&app.browser_session("admin@demo.test").await, "/dashboard")
        .await
        .text();
    let regions = figures(&html, "chart-regions").len();
    let dealers = figures(&html, "chart-dealers").len();
    let products = figures(&html, "chart-products").len();
    assert_eq!((regions, dealers), (1, 1), "Vektor of Moscow orders in roubles");
    assert!(products >= 3);
    assert_eq!(
        charts(&html),
        vec![
            ("chart-net-value".to_owned(), 12),
            ("chart-orders".to_owned(), 12),
            ("chart-regions".to_owned(), regions),
            ("chart-dealers".to_owned(), dealers),
            ("chart-products".to_owned(), products),
            ("chart-waiting".to_owned(), 4),
        ]
    );
    assert!(html.contains("class=\"chart-bar\""), "colours come from the stylesheet");
    assert!(!html.contains("fill="), "and never from the markup");
    assert!(!html.contains("<script"), "no script");

    // A manufacturer whose scope has no orders sees the month charts at zero and no rankings.
    let empty = app
        .page(&app.browser_session("admin@demo.test").await, "/dashboard?currency=USD")
        .await
        .text();
    assert_eq!(
        charts(&empty).len(),
        3,
        "months and waiting; the rankings say there is nothing"
    );
    assert!(empty.contains("No orders in this period."));
}

async fn in_language(app: &TestApp, login: &str, locale: &str) -> BrowserSession {
    let session = app.browser_session(login).await;
    let chosen = app.submit(&session, "/account/language", &[("locale", locale)]).await;
    assert!(chosen.status.is_redirection(), "{}", chosen.text());
    session
}

#[tokio::test]
async fn the_home_pages_speak_russian_and_chinese_with_no_key_left_untranslated() {
    let app = TestApp::with_demo().await;
    for (login, path) in [
        ("dealer@demo.test", "/"),
        ("admin@demo.test", "/dashboard"),
        ("admin@demo.test", "/dashboard?currency=CNY"),
    ] {
        for (locale, sample) in [("ru", "Сводка"), ("zh", "数据看板")] {
            let session = in_language(&app, login, locale).await;
            let page = app.page(&session, path).await;
            assert_eq!(page.status, 200, "{login} {path} {locale}");
            let html = page.text();
            if path.starts_with("/dashboard") {
                assert!(html.contains(sample), "{path} in {locale}");
            }
            for prefix in [
                "home.",
                "dashboard.",
                "month.",
                "chart.",
                "nav.",
                "order_state.",
                "return.state_",
            ] {
                assert!(
                    !html.contains(prefix),
                    "{login} {path} in {locale} shows the key {prefix}…"
                );
            }
        }
    }
    let russian = app
        .page(&in_language(&app, "admin@demo.test", "ru").await, "/dashboard")
        .await
        .text();
    assert!(russian.contains("нояб. 2026"), "months in the reader's language");
    let chinese = app
        .page(&in_language(&app, "admin@demo.test", "zh").await, "/dashboard")
        .await
        .text();
    assert!(chinese.contains("2026年11月"));
}

#[tokio::test]
async fn only_the_manufacturers_people_who_follow_sales_open_the_dashboard() {
    let app = TestApp::with_demo().await;
    for login in ["dealer@demo.test", "vektor.admin@demo.test", "warehouse@demo.test"] {
        let session = app.browser_session(login).await;
        assert_eq!(app.page(&session, "/dashboard").await.status, 403, "{login}");
        assert!(
            !app.page(&session, "/").await.text().contains("href=\"/dashboard\""),
            "{login} has no menu entry"
        );
    }
    for login in [
        "admin@demo.test",
        "manager@demo.test",
        "orders@demo.test",
        "finance@demo.test",
    ] {
        let session = app.browser_session(login).await;
        assert_eq!(app.page(&session, "/dashboard").await.status, 200, "{login}");
        assert!(app.page(&session, "/").await.text().contains("href=\"/dashboard\""));
    }
}

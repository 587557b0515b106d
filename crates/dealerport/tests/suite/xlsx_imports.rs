//! Spreadsheet imports: a file goes in through the API or a page, a background job checks every
//! row, and either all rows are applied or none, with a report naming each problem's row and
//! column in the reader's language.

use axum::body::Body;
use axum::http::{header, Method, Request};
use serde_json::Value;
use testkit::TestApp;
use xlsx::Cell;

use crate::id_of;

/// Runs the queued jobs with the handler the server registers.
pub async fn run_jobs(app: &TestApp) {
    let worker = platform::jobs::Worker::new(app.db.clone(), app.clock.clone(), "test-worker".into()).handle(
        platform::imports::JOB_KIND,
        web::imports::job_handler(app.clock.clone()),
    );
    while worker.run_once().await.unwrap() {}
}

pub async fn upload(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>, language: &str) -> testkit::TestResponse {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/imports?{query}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, xlsx::MEDIA_TYPE)
            .header(header::ACCEPT_LANGUAGE, language)
            .body(Body::from(bytes))
            .unwrap(),
    )
    .await
}

pub async fn import_in(app: &TestApp, token: &str, id: i64, language: &str) -> Value {
    app.send(
        Request::builder()
            .uri(format!("/api/v1/imports/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::ACCEPT_LANGUAGE, language)
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .json()
}

/// Rows of SKU, price and first day, from 500 units on: a quantity break the demo lists lack.
pub fn price_file(rows: &[(&str, &str, &str)]) -> Vec<u8> {
    price_file_from(500, rows)
}

fn price_file_from(min_quantity: i64, rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|(sku, price, from)| {
            vec![
                Cell::Text((*sku).into()),
                Cell::Integer(min_quantity),
                Cell::Decimal((*price).into()),
                Cell::Text("RUB".into()),
                Cell::Text((*from).into()),
                Cell::Empty,
            ]
        })
        .collect();
    xlsx::write_table(
        "prices",
        &[
            "sku",
            "min_quantity",
            "unit_price",
            "currency",
            "valid_from",
            "valid_to",
        ],
        &rows,
    )
    .unwrap()
}

const ROWS: &str = "SELECT COUNT(*) AS n FROM price_list_rows";

#[tokio::test]
async fn a_valid_price_file_is_applied_whole() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let list = id_of(&app, "price_lists", "code", "BASE-RUB").await;
    let before = app.count(ROWS).await;
    let file = price_file(&[("BS-0001", "52.50", "2027-01-01"), ("BS-0002", "91.00", "2027-01-01")]);
    let started = upload(
        &app,
        &admin,
        &format!("kind=price_rows&price_list_id={list}&file_name=2027.xlsx"),
        file,
        "en",
    )
    .await;
    assert_eq!(started.status, 202, "{}", started.text());
    let id = started.json()["id"].as_i64().unwrap();
    assert_eq!(import_in(&app, &admin, id, "en").await["status"], "queued");
    run_jobs(&app).await;
    let import = import_in(&app, &admin, id, "en").await;
    assert_eq!(import["status"], "done", "{import}");
    assert_eq!(import["progress"], 100);
    assert_eq!(import["rows_applied"], 2);
    assert_eq!(app.count(ROWS).await, before + 2);
    let price = app
        .count(&format!(
            "SELECT r.unit_price_minor AS n FROM price_list_rows r JOIN products p ON p.id = r.product_id
             WHERE r.price_list_id = {list} AND p.sku = 'BS-0001' AND r.min_quantity = 500"
        ))
        .await;
    assert_eq!(price, 5250, "exact to the kopeck");
}

#[tokio::test]
async fn a_file_with_bad_rows_applies_nothing_and_names_row_and_column_in_russian() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let list = id_of(&app, "price_lists", "code", "BASE-RUB").await;
    let before = app.count(ROWS).await;
    let file = price_file(&[
        ("BS-0001", "52.50", "2027-01-01"),
        ("NO-SUCH", "10.00", "2027-01-01"),
        ("BS-0003", "12.345", "2027-01-01"),
        ("BS-0004", "0", "2027-01-01"),
        ("BS-0005", "30.00", "2026-06-01"),
    ]);
    let started = upload(
        &app,
        &admin,
        &format!("kind=price_rows&price_list_id={list}"),
        file,
        "ru",
    )
    .await;
    let id = started.json()["id"].as_i64().unwrap();
    run_jobs(&app).await;
    let import = import_in(&app, &admin, id, "ru").await;
    assert_eq!(import["status"], "rejected", "{import}");
    let problems: Vec<(i64, String)> = import["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["row"].as_i64().unwrap(), p["column"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        problems,
        vec![(3, "sku".to_owned())],
        "an unknown SKU stops the file before the prices are checked"
    );
    assert_eq!(import["problems"][0]["message"], "Товара с таким артикулом нет.");
    assert_eq!(app.count(ROWS).await, before, "nothing applied");

    // With the SKU fixed, the prices themselves are checked, each error on its spreadsheet row.
    let file = price_file(&[
        ("BS-0001", "52.50", "2027-01-01"),
        ("BS-0003", "12.345", "2027-01-01"),
        ("BS-0004", "0", "2027-01-01"),
    ]);
    let started = upload(
        &app,
        &admin,
        &format!("kind=price_rows&price_list_id={list}"),
        file,
        "ru",
    )
    .await;
    let id = started.json()["id"].as_i64().unwrap();
    run_jobs(&app).await;
    let import = import_in(&app, &admin, id, "ru").await;
    assert_eq!(import["status"], "rejected");
    let cells: Vec<(i64, &str)> = import["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["row"].as_i64().unwrap(), p["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        cells,
        vec![(3, "unit_price"), (4, "unit_price")],
        "too many decimals, a zero price: {import}"
    );
    assert_eq!(app.count(ROWS).await, before, "nothing applied");

    let report = app
        .send(
            Request::builder()
                .uri(format!("/api/v1/imports/{id}/report"))
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .header(header::ACCEPT_LANGUAGE, "ru")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(report.status, 200);
    let table = xlsx::read_table(&report.body).unwrap();
    assert_eq!(table.headers, vec!["Строка", "Столбец", "Ошибка"]);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[0].cells[0], "3");
    assert_eq!(table.rows[0].cells[2], "Слишком много знаков после запятой.");

    // A price for a period the list already covers is refused too.
    let file = price_file_from(1, &[("BS-0005", "30.00", "2026-06-01")]);
    let started = upload(
        &app,
        &admin,
        &format!("kind=price_rows&price_list_id={list}"),
        file,
        "en",
    )
    .await;
    let id = started.json()["id"].as_i64().unwrap();
    run_jobs(&app).await;
    let import = import_in(&app, &admin, id, "en").await;
    assert_eq!(import["problems"][0]["code"], "price_list.period_overlaps");
    assert_eq!(import["problems"][0]["row"], 2);
    assert_eq!(import["problems"][0]["column"], "valid_from");
    assert_eq!(app.count(ROWS).await, before, "nothing applied");
}

#[tokio::test]
async fn a_file_that_is_not_a_workbook_is_refused() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let text = upload(&app, &admin, "kind=products", b"sku;name\nX;Y".to_vec(), "en").await;
    assert_eq!(text.status, 422);
    assert_eq!(text.error_codes(), vec!["import.not_xlsx"]);
    let broken = upload(&app, &admin, "kind=products", b"PK\x03\x04 broken zip".to_vec(), "en").await;
    assert_eq!(broken.status, 202, "it looks like a zip until it is read");
    let id = broken.json()["id"].as_i64().unwrap();
    run_jobs(&app).await;
    let import = import_in(&app, &admin, id, "en").await;
    assert_eq!(import["status"], "failed");
    assert_eq!(import["problems"][0]["code"], "import.not_xlsx");
}

#[tokio::test]
async fn imports_need_the_permission_of_what_they_change_and_stay_in_the_tenant() {
    let app = TestApp::with_demo().await;
    let manager = app.token("manager@demo.test").await;
    let list = id_of(&app, "price_lists", "code", "BASE-RUB").await;
    let file = price_file(&[("BS-0001", "52.50", "2027-01-01")]);
    let refused = upload(
        &app,
        &manager,
        &format!("kind=price_rows&price_list_id={list}"),
        file.clone(),
        "en",
    )
    .await;
    assert_eq!(refused.status, 403);
    let admin = app.token("admin@demo.test").await;
    let id = upload(
        &app,
        &admin,
        &format!("kind=price_rows&price_list_id={list}"),
        file,
        "en",
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    let dealer = app.token("dealer@demo.test").await;
    assert_eq!(app.get(&format!("/api/v1/imports/{id}"), &dealer).await.status, 404);
    assert_eq!(
        app.get(&format!("/api/v1/imports/{id}/report"), &manager).await.status,
        404
    );
}

#[tokio::test]
async fn products_uploaded_on_the_page_are_imported_and_the_page_follows_the_job() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let gtin = platform::Gtin::with_check_digit("460700000990").unwrap();
    let file = xlsx::write_table(
        "products",
        &[
            "sku",
            "gtin",
            "name_en",
            "name_ru",
            "name_zh",
            "unit",
            "pack_size",
            "category_code",
        ],
        &[vec![
            Cell::Text("BS-0990".into()),
            Cell::Text(gtin.as_str().into()),
            Cell::Text("Birch sap 1 L".into()),
            Cell::Text("Берёзовый сок 1 л".into()),
            Cell::Text("白桦树汁 1升".into()),
            Cell::Text("BO".into()),
            Cell::Integer(6),
            Cell::Text("JUICE".into()),
        ]],
    )
    .unwrap();
    let boundary = "dealerportboundary";
    let mut body = Vec::new();
    for (name, value) in [("csrf_token", session.csrf_token.as_str()), ("kind", "products")] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"birch.xlsx\"\r\nContent-Type: {}\r\n\r\n",
            xlsx::MEDIA_TYPE
        )
        .bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    let posted = app
        .send(
            Request::post("/imports")
                .header(header::COOKIE, &session.cookie)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.text());
    let path = posted.headers["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let waiting = app.page(&session, &path).await.text();
    assert!(
        waiting.contains("http-equiv=\"refresh\""),
        "the page reloads itself while the job runs"
    );
    assert!(
        waiting.contains(&format!("You may leave it: the import goes on, and the list of imports leads back here. <a href=\"{path}\">Refresh now</a>")),
        "and says the work goes on without it: {waiting}"
    );
    let listed = app.page(&session, "/imports").await.text();
    let row = listed
        .split(&format!("<a href=\"{path}\">birch.xlsx</a>"))
        .nth(1)
        .unwrap();
    let row = row.split("</tr>").next().unwrap();
    assert!(
        row.contains("Waiting") && row.contains("<progress max=\"100\" value=\"0\">"),
        "the list shows where it has got to: {row}"
    );
    run_jobs(&app).await;
    let done = app.page(&session, &path).await.text();
    assert!(done.contains("Done"), "{done}");
    assert!(!done.contains("http-equiv=\"refresh\""));
    assert!(!done.contains("Refresh now"));
    assert!(done.contains("Finished"), "{done}");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM products WHERE sku = 'BS-0990'")
            .await,
        1
    );
    let list = app.page(&session, "/imports").await.text();
    assert!(list.contains("birch.xlsx"));
}

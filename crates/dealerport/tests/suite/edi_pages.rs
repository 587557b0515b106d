//! The EDI partner pages: EDI administrators create and edit partner profiles and keep each
//! partner's cross-reference table row by row or as a spreadsheet; the people who may see EDI
//! see them read-only, and the others not at all.

use axum::body::Body;
use axum::http::{header, Request};
use testkit::{BrowserSession, TestApp, TestResponse};

use crate::edi::text;

fn redirect_target(response: &TestResponse) -> String {
    response.headers["location"].to_str().unwrap().to_owned()
}

/// The field's own error: the message shown after it, before the next field's label, with the
/// field marked invalid.
pub fn field_error<'a>(page: &'a str, field: &str) -> Option<&'a str> {
    let after_field = page.split(&format!("id=\"{field}\"")).nth(1)?;
    let (field_tag, rest) = after_field.split_once('>')?;
    let up_to_next_field = rest.split("<label").next().unwrap_or_default();
    let error = up_to_next_field.split("<p class=\"field-error\">").nth(1)?;
    field_tag
        .contains("aria-invalid=\"true\"")
        .then(|| error.split("</p>").next().unwrap_or_default())
}

/// Posts a form whose values were built at run time.
async fn submit(app: &TestApp, session: &BrowserSession, path: &str, fields: &[(&str, String)]) -> TestResponse {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(name, value)| (*name, value.as_str())).collect();
    app.submit(session, path, &fields).await
}

async fn partners(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM edi_partners").await
}

#[tokio::test]
async fn an_edi_administrator_creates_and_edits_a_partner_with_errors_by_their_fields() {
    let app = TestApp::with_demo().await;
    let admin = app.browser_session("admin@demo.test").await;
    let gln = text(&app, "SELECT gln AS t FROM dealers WHERE code = 'SH-QINGQUAN'").await;
    let form = app.page(&admin, "/edi/partners/new").await;
    assert_eq!(form.status, 200);
    assert!(
        form.text().contains("<option value=\"SH-QINGQUAN\">"),
        "dealers suggested for the code field"
    );

    let profile = |version: &'static str| {
        vec![
            ("dealer_code", "SH-QINGQUAN".to_owned()),
            ("interchange_id", gln.clone()),
            ("interchange_qualifier", "14".to_owned()),
            ("directory", "D01B".to_owned()),
            ("syntax", "UNOY".to_owned()),
            ("syntax_version", version.to_owned()),
            ("channel", "api".to_owned()),
            ("messages_in", "ORDERS".to_owned()),
            ("messages_in", "ORDCHG".to_owned()),
            ("messages_out", "ORDRSP".to_owned()),
            ("active", "on".to_owned()),
        ]
    };
    let refused = submit(&app, &admin, "/edi/partners", &profile("3")).await;
    assert_eq!(refused.status, 200);
    assert_eq!(
        field_error(&refused.text(), "syntax_version"),
        Some("UNOW and UNOY (UTF-8) need syntax version 4.")
    );
    assert_eq!(partners(&app).await, 1, "nothing is created");

    let created = submit(&app, &admin, "/edi/partners", &profile("4")).await;
    assert_eq!(created.status, 303, "{}", created.text());
    assert_eq!(redirect_target(&created), "/edi/partners?done=created");
    let partner = app
        .count("SELECT p.id AS n FROM edi_partners p JOIN dealers d ON d.id = p.dealer_id WHERE d.code = 'SH-QINGQUAN'")
        .await;
    let list = app.page(&admin, "/edi/partners?done=created").await.text();
    assert!(list.contains("Created."), "{list}");
    assert!(list.contains(&format!("href=\"/edi/partners/{partner}/edit\"")));
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'edi_partner' AND action = 'create'")
            .await,
        2,
        "the demo's partner and this one"
    );

    let edit_path = format!("/edi/partners/{partner}/edit");
    let edit = app.page(&admin, &edit_path).await.text();
    assert!(edit.contains(&format!("value=\"{gln}\"")), "the form holds the profile");
    assert!(edit.contains("value=\"ORDCHG\" checked"), "{edit}");
    let mut to_folder = profile("4");
    to_folder.retain(|(name, _)| *name != "channel");
    to_folder.push(("channel", "directory".to_owned()));
    let update_path = format!("/edi/partners/{partner}");
    let no_folder = submit(&app, &admin, &update_path, &to_folder).await;
    assert_eq!(no_folder.status, 200);
    assert_eq!(
        field_error(&no_folder.text(), "directory_path"),
        Some("This field is required.")
    );
    to_folder.push(("directory_path", "/srv/edi/qingquan".to_owned()));
    let saved = submit(&app, &admin, &update_path, &to_folder).await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM edi_partners WHERE id = {partner} AND channel = 'directory'"
        ))
        .await,
        1
    );

    // Seeing EDI is not keeping it.
    let manager = app.browser_session("manager@demo.test").await;
    assert!(!app
        .page(&manager, "/edi/partners")
        .await
        .text()
        .contains("/edi/partners/new"));
    assert_eq!(app.page(&manager, "/edi/partners/new").await.status, 403);
    assert_eq!(submit(&app, &manager, &update_path, &profile("4")).await.status, 403);
    // Qingquan's partner is in China: the sales manager there reads its table in Chinese.
    let china = app.browser_session("manager.cn@demo.test").await;
    let table = app
        .page(&china, &format!("/edi/partners/{partner}/cross-references"))
        .await;
    assert_eq!(table.status, 200);
    assert!(table.text().contains("代码对照表"), "{}", table.text());
}

async fn vektor_partner(app: &TestApp) -> i64 {
    app.count("SELECT p.id AS n FROM edi_partners p JOIN dealers d ON d.id = p.dealer_id WHERE d.code = 'VEKTOR'")
        .await
}

async fn codes(app: &TestApp) -> Vec<String> {
    app.db
        .fetch_all(&platform::Query::new(
            "SELECT partner_code AS t FROM edi_cross_references ORDER BY kind, partner_code",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("t").unwrap())
        .collect()
}

/// Posts an XLSX file to the page's import form.
async fn upload(app: &TestApp, session: &BrowserSession, path: &str, file: Vec<u8>) -> TestResponse {
    let boundary = "dealerportboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{}\r\n",
        session.csrf_token
    )
    .into_bytes();
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"codes.xlsx\"\r\nContent-Type: {}\r\n\r\n",
            xlsx::MEDIA_TYPE
        )
        .bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    app.send(
        Request::post(path)
            .header(header::COOKIE, &session.cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn workbook(rows: &[[&str; 4]]) -> Vec<u8> {
    let rows: Vec<Vec<xlsx::Cell>> = rows
        .iter()
        .map(|row| row.iter().map(|v| xlsx::Cell::Text((*v).to_owned())).collect())
        .collect();
    xlsx::write_table(
        "cross references",
        &["kind", "partner_code", "sku", "location_code"],
        &rows,
    )
    .unwrap()
}

#[tokio::test]
async fn a_partners_cross_references_are_kept_row_by_row_and_as_a_spreadsheet() {
    let app = TestApp::with_demo().await;
    let admin = app.browser_session("admin@demo.test").await;
    let partner = vektor_partner(&app).await;
    let path = format!("/edi/partners/{partner}/cross-references");
    let location = text(
        &app,
        "SELECT l.code AS t FROM delivery_locations l JOIN dealers d ON d.id = l.dealer_id
         WHERE d.code = 'VEKTOR' AND l.is_primary = TRUE",
    )
    .await;
    let page = app.page(&admin, &path).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Add a row"));

    let unknown = app
        .submit(
            &admin,
            &path,
            &[("kind", "article"), ("partner_code", "VK-ART-17"), ("sku", "NO-SUCH")],
        )
        .await;
    assert_eq!(unknown.status, 200);
    assert_eq!(
        field_error(&unknown.text(), "sku"),
        Some("Not found, or not yours to use.")
    );
    assert!(codes(&app).await.is_empty(), "nothing is saved");
    for row in [
        [("kind", "article"), ("partner_code", "VK-ART-17"), ("sku", "BS-0001")],
        [
            ("kind", "location"),
            ("partner_code", "SKLAD-1"),
            ("location_code", &location),
        ],
    ] {
        let added = app.submit(&admin, &path, &row).await;
        assert_eq!(added.status, 303, "{}", added.text());
        assert_eq!(redirect_target(&added), format!("{path}?done=saved"));
    }
    let twice = app
        .submit(
            &admin,
            &path,
            &[("kind", "article"), ("partner_code", "VK-ART-17"), ("sku", "BS-0002")],
        )
        .await;
    assert_eq!(twice.status, 200);
    assert_eq!(
        field_error(&twice.text(), "partner_code"),
        Some("The partner already has a row of this kind with this code.")
    );

    let editing = app
        .page(&admin, &format!("{path}?edit_kind=article&edit_code=VK-ART-17"))
        .await
        .text();
    assert!(
        editing.contains("name=\"original_code\" value=\"VK-ART-17\""),
        "{editing}"
    );
    let edited = app
        .submit(
            &admin,
            &path,
            &[
                ("original_kind", "article"),
                ("original_code", "VK-ART-17"),
                ("kind", "article"),
                ("partner_code", "VK-ART-18"),
                ("sku", "BS-0002"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.text());
    let removed = app
        .submit(
            &admin,
            &format!("{path}/remove"),
            &[("kind", "location"), ("partner_code", "SKLAD-1")],
        )
        .await;
    assert_eq!(removed.status, 303);
    assert_eq!(codes(&app).await, vec!["VK-ART-18"]);
    let audited = app
        .count(
            "SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'edi_partner'
             AND action IN ('cross_reference_save', 'cross_reference_remove')",
        )
        .await;
    assert_eq!(audited, 4, "every change is audited");

    let exported = app.page(&admin, &format!("{path}/export")).await;
    assert_eq!(exported.status, 200);
    let table = xlsx::read_table(&exported.body).unwrap();
    assert_eq!(table.headers, vec!["kind", "partner_code", "sku", "location_code"]);
    assert_eq!(table.rows[0].cell(1), "VK-ART-18");
    assert_eq!(table.rows[0].cell(2), "BS-0002");

    // A file with a bad row changes nothing and names the row as the spreadsheet numbers it.
    let import = format!("{path}/import");
    let refused = upload(
        &app,
        &admin,
        &import,
        workbook(&[
            ["article", "VK-ART-20", "BS-0001", ""],
            ["location", "SKLAD-9", "", "NOWHERE"],
        ]),
    )
    .await;
    assert_eq!(refused.status, 200);
    let refused = refused.text();
    assert!(
        refused.contains("<td class=\"amount\">3</td><td>location_code</td><td>Not found, or not yours to use.</td>"),
        "{refused}"
    );
    assert_eq!(codes(&app).await, vec!["VK-ART-18"]);
    // Sixty rows replace the table, and the page shows them fifty at a time.
    let many: Vec<String> = (1..=60).map(|n| format!("VK-ART-{n:03}")).collect();
    let rows: Vec<[&str; 4]> = many
        .iter()
        .map(|code| ["article", code.as_str(), "BS-0001", ""])
        .collect();
    let imported = upload(&app, &admin, &import, workbook(&rows)).await;
    assert_eq!(imported.status, 303, "{}", imported.text());
    assert_eq!(codes(&app).await.len(), 60);
    let second = app.page(&admin, &format!("{path}?page=2")).await.text();
    assert!(second.contains("VK-ART-060") && !second.contains("VK-ART-001"));

    // The order desk sees the table in Russian and cannot change it; a dealer cannot see it.
    let desk = app.browser_session("orders@demo.test").await;
    let read_only = app.page(&desk, &path).await.text();
    assert!(read_only.contains("Таблица соответствий") && read_only.contains("VK-ART-001"));
    assert!(!read_only.contains("name=\"original_code\""), "no form to change it");
    let changed = app
        .submit(
            &desk,
            &path,
            &[("kind", "article"), ("partner_code", "X"), ("sku", "BS-0001")],
        )
        .await;
    assert_eq!(changed.status, 403);
    let dealer = app.browser_session("dealer@demo.test").await;
    assert_eq!(app.page(&dealer, &path).await.status, 403);
}

#[tokio::test]
async fn an_inbound_interchange_shows_how_many_of_its_messages_are_processed_until_all_are() {
    let app = TestApp::with_demo().await;
    let desk = app.browser_session("admin@demo.test").await;
    let interchange = app
        .count("SELECT MIN(id) AS n FROM edi_interchanges WHERE direction = 'in' AND status = 'accepted'")
        .await;
    let path = format!("/edi/interchanges/{interchange}");
    let done = app.page(&desk, &path).await.text();
    assert!(done.contains("1 of 1 messages processed"), "{done}");
    assert!(!done.contains("http-equiv=\"refresh\""), "nothing left to follow");

    // As while the job is still applying it: each message is recorded once applied.
    app.db
        .execute(&platform::Query::new(format!(
            "DELETE FROM edi_messages WHERE interchange_id = {interchange}"
        )))
        .await
        .unwrap();
    let running = app.page(&desk, &path).await.text();
    assert!(running.contains("0 of 1 messages processed"), "{running}");
    assert!(
        running.contains("http-equiv=\"refresh\""),
        "the page follows the processing by itself"
    );
}

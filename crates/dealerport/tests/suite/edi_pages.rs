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

/// Keeps an accepted inbound interchange from Vektor of `count` ORDERS messages, each with forty
/// lines, with every message recorded as stored; returns its id.
async fn large_interchange(app: &TestApp, count: usize) -> i64 {
    let (sender, _) = crate::edi::vektor(app).await;
    let tenant = crate::id_of(app, "tenants", "code", "demo").await;
    let partner = vektor_partner(app).await;
    let mut content = format!(
        "UNA:+.? '\nUNB+UNOC:3+{sender}:14+{}:14+261206:1000+BIG1'\n",
        crate::edi::OURS
    );
    for n in 1..=count {
        content.push_str(&format!("UNH+M{n:03}+ORDERS:D:96A:UN:EAN008'\nBGM+220+BIG-{n:03}+9'\n"));
        for line in 1..=40 {
            content.push_str(&format!("LIN+{line}++4601234500012:SRV'\nQTY+21:48'\n"));
        }
        content.push_str(&format!("UNT+83+M{n:03}'\n"));
    }
    content.push_str(&format!("UNZ+{count}+BIG1'\n"));
    let now = app.clock.now();
    let interchange: i64 = app
        .db
        .fetch_one(
            &platform::Query::new(
                "INSERT INTO edi_interchanges (tenant_id, partner_id, direction, sender, recipient, control_reference,
                     channel, message_types, content, status, created_at)
                 VALUES ($1, $2, 'in', $3, $4, 'BIG1', 'api', $5, $6, 'accepted', $7) RETURNING id",
            )
            .bind(tenant)
            .bind(partner)
            .bind(sender.as_str())
            .bind(crate::edi::OURS)
            .bind(vec!["ORDERS"; count].join(","))
            .bind(content.into_bytes())
            .bind(now),
        )
        .await
        .unwrap()
        .get("id")
        .unwrap();
    for n in 1..=count {
        app.db
            .execute(
                &platform::Query::new(
                    "INSERT INTO edi_messages (tenant_id, interchange_id, partner_id, direction, message_type,
                         message_reference, document_number, status, errors, notes, created_at)
                     VALUES ($1, $2, $3, 'in', 'ORDERS', $4, $5, 'stored', '[]', '[]', $6)",
                )
                .bind(tenant)
                .bind(interchange)
                .bind(partner)
                .bind(format!("M{n:03}"))
                .bind(format!("BIG-{n:03}"))
                .bind(now),
            )
            .await
            .unwrap();
    }
    interchange
}

#[tokio::test]
async fn a_large_interchange_shows_its_messages_a_page_at_a_time_and_the_start_of_its_text() {
    let app = TestApp::with_demo().await;
    let desk = app.browser_session("admin@demo.test").await;
    let interchange = large_interchange(&app, 60).await;
    let path = format!("/edi/interchanges/{interchange}");

    let first = app.page(&desk, &path).await.text();
    assert!(first.contains("60 of 60 messages processed"), "{first}");
    assert!(
        first.contains("ORDERS M001") && first.contains("ORDERS M050"),
        "{first}"
    );
    assert!(!first.contains("ORDERS M051"), "fifty messages a page");
    assert!(first.contains("rel=\"next\" href=\"?&amp;page=2\""), "{first}");

    let second = app.page(&desk, &format!("{path}?page=2")).await.text();
    assert!(
        second.contains("ORDERS M051") && second.contains("ORDERS M060"),
        "{second}"
    );
    assert!(!second.contains("ORDERS M050"), "{second}");
    assert!(
        second.contains("60 of 60 messages processed"),
        "the progress counts every message"
    );

    // Some 90 KB of text: the page shows its start and links the whole interchange.
    assert!(
        first.contains("UNB+UNOC:3+") && first.contains("BGM+220+BIG-001+9"),
        "{first}"
    );
    assert!(!first.contains("BGM+220+BIG-060+9"), "not the whole text");
    assert!(first.contains("The first "), "{first}");
    assert!(first.contains(&format!("href=\"/api/v1/edi/interchanges/{interchange}/content\"")));

    let archive = app.page(&desk, "/edi?direction=in").await.text();
    assert!(
        archive.contains("<td>ORDERS × 60</td>"),
        "each type once, with its count: {archive}"
    );
    let export = app.page(&desk, "/edi/export?direction=in").await;
    let (_, rows) = crate::lists::workbook(&export.body);
    assert!(rows.iter().any(|row| row[3] == "ORDERS × 60"), "{rows:?}");
}

#[tokio::test]
async fn a_partners_cross_references_are_searched_by_code_or_sku_and_export_as_found() {
    let app = TestApp::with_demo().await;
    let token = app.token("admin@demo.test").await;
    let partner = vektor_partner(&app).await;
    let saved = app
        .put(
            &format!("/api/v1/edi/partners/{partner}/cross-references"),
            &token,
            serde_json::json!([
                {"kind": "article", "partner_code": "VK-ART-1", "sku": "BS-0001"},
                {"kind": "article", "partner_code": "VK-ART-2", "sku": "BS-0002"},
                {"kind": "article", "partner_code": "VK-WATER-3", "sku": "BS-0003"},
            ]),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    let admin = app.browser_session("admin@demo.test").await;
    let path = format!("/edi/partners/{partner}/cross-references");

    let by_sku = app.page(&admin, &format!("{path}?search=bs-0002")).await.text();
    assert!(by_sku.contains("VK-ART-2"), "{by_sku}");
    assert!(
        !by_sku.contains("VK-ART-1") && !by_sku.contains("VK-WATER-3"),
        "{by_sku}"
    );
    assert!(
        by_sku.contains("name=\"search\" type=\"search\" value=\"bs-0002\""),
        "{by_sku}"
    );

    let by_code = app
        .page(&admin, &format!("{path}?search=art&sort=-partner_code"))
        .await
        .text();
    assert!(
        by_code.contains(&format!("href=\"{path}/export?search=art&#38;sort=-partner_code\"")),
        "the export keeps the search and sort: {by_code}"
    );
    let export = app
        .page(&admin, &format!("{path}/export?search=art&sort=-partner_code"))
        .await;
    let table = xlsx::read_table(&export.body).unwrap();
    let exported: Vec<&str> = table.rows.iter().map(|row| row.cell(1)).collect();
    assert_eq!(exported, ["VK-ART-2", "VK-ART-1"]);
    let api = app
        .get(
            &format!("/api/v1/edi/partners/{partner}/cross-references?search=WATER"),
            &token,
        )
        .await
        .json();
    assert_eq!(api[0]["partner_code"], "VK-WATER-3");
    assert_eq!(api.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_cross_reference_file_lists_its_first_two_hundred_problems_and_counts_the_rest() {
    let app = TestApp::with_demo().await;
    let admin = app.browser_session("admin@demo.test").await;
    let partner = vektor_partner(&app).await;
    let codes: Vec<String> = (1..=250).map(|n| format!("VK-ART-{n:03}")).collect();
    let rows: Vec<[&str; 4]> = codes
        .iter()
        .map(|code| ["article", code.as_str(), "NO-SUCH", ""])
        .collect();
    let refused = upload(
        &app,
        &admin,
        &format!("/edi/partners/{partner}/cross-references/import"),
        workbook(&rows),
    )
    .await;
    assert_eq!(refused.status, 200);
    let page = refused.text();
    assert_eq!(page.matches("<td>Not found, or not yours to use.</td>").count(), 200);
    assert!(
        page.contains("<td class=\"amount\">201</td>"),
        "the 200th row of data is row 201"
    );
    assert!(!page.contains("<td class=\"amount\">202</td>"));
    assert!(page.contains("50 more are not listed"), "{page}");
}

#[tokio::test]
async fn a_message_processed_again_from_a_later_page_returns_to_that_page() {
    let app = TestApp::with_demo().await;
    let admin = app.browser_session("admin@demo.test").await;
    let interchange = large_interchange(&app, 60).await;
    let message = app
        .count(&format!(
            "SELECT id AS n FROM edi_messages WHERE interchange_id = {interchange} AND message_reference = 'M055'"
        ))
        .await;
    app.db
        .execute(&platform::Query::new(format!(
            "UPDATE edi_messages SET status = 'rejected' WHERE id = {message}"
        )))
        .await
        .unwrap();
    let path = format!("/edi/interchanges/{interchange}");
    let second = app.page(&admin, &format!("{path}?page=2")).await.text();
    assert!(
        second.contains(&format!(
            "action=\"/edi/messages/{message}/reprocess\">\n  <input type=\"hidden\" name=\"csrf_token\""
        )),
        "{second}"
    );
    let again = app
        .submit(&admin, &format!("/edi/messages/{message}/reprocess"), &[("page", "2")])
        .await;
    assert_eq!(again.status, 303, "{}", again.text());
    assert!(
        redirect_target(&again).starts_with(&format!("{path}?page=2&done=")),
        "{}",
        redirect_target(&again)
    );
}

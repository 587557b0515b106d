//! E-mail: where the tenant has a mail server, dealer users get their notices by e-mail too,
//! in their own language, sent by a retried background job. A small SMTP server in the test
//! plays the tenant's mail server.

use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::{json, Value};
use testkit::TestApp;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::{id_of, location_of};

/// One e-mail as the server took it.
#[derive(Debug, Clone)]
struct Received {
    recipients: Vec<String>,
    data: String,
}

impl Received {
    /// The subject, decoded from its RFC 2047 encoded words.
    fn subject(&self) -> String {
        let line = self
            .data
            .split("\r\n")
            .skip_while(|l| !l.starts_with("Subject:"))
            .take_while(|l| l.starts_with("Subject:") || l.starts_with(' '))
            .collect::<Vec<_>>()
            .join("");
        // Space between two encoded words is folding, not text (RFC 2047, section 6.2).
        let mut subject = String::new();
        let mut after_encoded = false;
        for word in line.trim_start_matches("Subject:").split_whitespace() {
            match word.strip_prefix("=?utf-8?b?").and_then(|w| w.strip_suffix("?=")) {
                Some(encoded) => {
                    if !after_encoded && !subject.is_empty() {
                        subject.push(' ');
                    }
                    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
                    subject.push_str(&String::from_utf8(bytes).unwrap());
                    after_encoded = true;
                }
                None => {
                    if !subject.is_empty() {
                        subject.push(' ');
                    }
                    subject.push_str(word);
                    after_encoded = false;
                }
            }
        }
        subject
    }

    /// The body, decoded from base64.
    fn body(&self) -> String {
        let (_, encoded) = self.data.split_once("\r\n\r\n").unwrap();
        let encoded: String = encoded.split_whitespace().collect();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap()).unwrap()
    }
}

/// A mail server on a free local port that accepts everything, or, while `refusing`, answers
/// every sender with a temporary failure. Returns its port and what it received.
async fn mail_server(refusing: Arc<Mutex<bool>>) -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let inbox = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let inbox = inbox.clone();
            let refusing = refusing.clone();
            tokio::spawn(async move {
                let (reader, mut writer) = socket.into_split();
                let mut lines = BufReader::new(reader).lines();
                writer.write_all(b"220 mail.test ESMTP\r\n").await.unwrap();
                let mut recipients = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let command = line.to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
                        b"250 mail.test\r\n"
                    } else if command.starts_with("MAIL FROM") && *refusing.lock().unwrap() {
                        b"451 4.3.0 try again later\r\n"
                    } else if command.starts_with("RCPT TO") {
                        recipients.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                        b"250 OK\r\n"
                    } else if command == "DATA" {
                        writer.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = Vec::new();
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            data.push(line);
                        }
                        inbox.lock().unwrap().push(Received {
                            recipients: std::mem::take(&mut recipients),
                            data: data.join("\r\n"),
                        });
                        b"250 queued\r\n"
                    } else if command == "QUIT" {
                        writer.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    writer.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

/// Runs the due jobs with the mail handler the server registers.
async fn run_mail_jobs(app: &TestApp) {
    let worker = platform::jobs::Worker::new(app.db.clone(), app.clock.clone(), "test-mailer".into())
        .handle(platform::mail::JOB_KIND, web::mail::job_handler());
    while worker.run_once().await.unwrap() {}
}

async fn confirm_an_order(app: &TestApp, number: &str) {
    let dealer = app.token("dealer@demo.test").await;
    let desk = app.token("orders@demo.test").await;
    let water = id_of(app, "products", "sku", "BS-0002").await;
    let location = location_of(app, "VEKTOR").await;
    let placed = app
        .post(
            "/api/v1/orders",
            &dealer,
            json!({"dealer_order_number": number, "delivery_location_id": location,
                "requested_delivery_on": "2026-11-30", "lines": [{"product_id": water, "quantity": 60}]}),
        )
        .await;
    assert_eq!(placed.status, 201, "{}", placed.text());
    let order_id = placed.json()["order_id"].as_i64().unwrap();
    let confirmed = app
        .post(&format!("/api/v1/orders/{order_id}/confirm"), &desk, json!({}))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
}

fn server_body(port: u16) -> Value {
    json!({"host": "127.0.0.1", "port": port, "security": "none", "from_address": "orders@baikal-springs.ru"})
}

#[tokio::test]
async fn dealer_users_get_the_notice_by_e_mail_in_their_own_language() {
    let app = TestApp::with_demo().await;
    let (port, received) = mail_server(Arc::new(Mutex::new(false))).await;
    let admin = app.token("admin@demo.test").await;
    let set = app.put("/api/v1/tenant/mail-server", &admin, server_body(port)).await;
    assert_eq!(set.status, 200, "{}", set.text());

    confirm_an_order(&app, "MAIL-1").await;
    assert!(
        received.lock().unwrap().is_empty(),
        "nothing is sent inside the command"
    );
    run_mail_jobs(&app).await;

    let mut mails = received.lock().unwrap().clone();
    mails.sort_by(|a, b| a.recipients.cmp(&b.recipients));
    let recipients: Vec<&str> = mails.iter().map(|m| m.recipients[0].as_str()).collect();
    assert_eq!(recipients, vec!["dealer@demo.test", "vektor.admin@demo.test"]);
    assert!(
        mails[0].data.contains("From: orders@baikal-springs.ru"),
        "{}",
        mails[0].data
    );
    assert_eq!(
        mails[0].subject(),
        "Baikal Springs: Your order MAIL-1 has been confirmed."
    );
    assert!(
        mails[0].body().contains("You can read all your notices"),
        "{}",
        mails[0].body()
    );
    assert_eq!(
        mails[1].subject(),
        "Baikal Springs: Ваш заказ MAIL-1 подтверждён.",
        "Svetlana reads Russian"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM messages WHERE mail_status = 'sent'")
            .await,
        2
    );

    run_mail_jobs(&app).await;
    assert_eq!(received.lock().unwrap().len(), 2, "a notice is mailed once");
}

#[tokio::test]
async fn a_mail_server_that_is_down_is_tried_again_until_it_takes_the_mail() {
    let app = TestApp::with_demo().await;
    let refusing = Arc::new(Mutex::new(true));
    let (port, received) = mail_server(refusing.clone()).await;
    let admin = app.token("admin@demo.test").await;
    app.put("/api/v1/tenant/mail-server", &admin, server_body(port)).await;

    confirm_an_order(&app, "MAIL-2").await;
    run_mail_jobs(&app).await;
    assert!(received.lock().unwrap().is_empty());
    let failed = app
        .count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'mail' AND status = 'queued' AND last_error LIKE '%try again later%'")
        .await;
    assert_eq!(failed, 1, "the job waits to be tried again, with the server's answer");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM messages WHERE mail_status = 'pending'")
            .await,
        2
    );

    *refusing.lock().unwrap() = false;
    app.clock.advance(chrono::TimeDelta::hours(1));
    run_mail_jobs(&app).await;
    assert_eq!(received.lock().unwrap().len(), 2);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM messages WHERE mail_status = 'pending'")
            .await,
        0
    );
}

#[tokio::test]
async fn without_a_mail_server_notices_stay_in_the_message_centre() {
    let app = TestApp::with_demo().await;
    confirm_an_order(&app, "MAIL-3").await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'mail'").await, 0);

    let (port, received) = mail_server(Arc::new(Mutex::new(false))).await;
    let admin = app.token("admin@demo.test").await;
    app.put("/api/v1/tenant/mail-server", &admin, server_body(port)).await;
    confirm_an_order(&app, "MAIL-4").await;
    let off = app
        .call(
            axum::http::Method::DELETE,
            "/api/v1/tenant/mail-server",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(off.status, 204);
    run_mail_jobs(&app).await;
    assert!(received.lock().unwrap().is_empty(), "turned off before the job ran");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM messages WHERE mail_status IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn the_mail_server_is_the_administrators_and_its_password_is_never_shown() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let bad = app
        .put(
            "/api/v1/tenant/mail-server",
            &admin,
            json!({"host": "smtp example", "port": 70000, "security": "ssl", "from_address": "orders"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.error_fields(), vec!["host", "security", "port", "from_address"]);
    assert_eq!(app.get("/api/v1/tenant/mail-server", &admin).await.json(), Value::Null);

    let body = json!({"host": "smtp.baikal-springs.ru", "security": "starttls", "username": "portal",
        "password": "s3cret", "from_address": "orders@baikal-springs.ru"});
    let set = app.put("/api/v1/tenant/mail-server", &admin, body).await.json();
    assert_eq!(set["port"], 587);
    assert_eq!(set["has_password"], true);
    assert!(!set.to_string().contains("s3cret"));
    let kept = app
        .put(
            "/api/v1/tenant/mail-server",
            &admin,
            json!({"host": "smtp.baikal-springs.ru", "security": "tls", "username": "portal", "from_address": "orders@baikal-springs.ru"}),
        )
        .await
        .json();
    assert_eq!(kept["port"], 465);
    assert_eq!(kept["has_password"], true, "an empty password keeps the saved one");
    assert!(
        app.count("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'mail_server' AND after_json LIKE '%s3cret%'")
            .await
            == 0,
        "the audit log does not keep the password"
    );

    let manager = app.token("manager@demo.test").await;
    assert_eq!(app.get("/api/v1/tenant/mail-server", &manager).await.status, 403);
    let dealer = app.token("dealer@demo.test").await;
    assert_eq!(
        app.put("/api/v1/tenant/mail-server", &dealer, server_body(25))
            .await
            .status,
        403
    );

    let session = app.browser_session("admin@demo.test").await;
    let page = app.page(&session, "/admin/mail").await.text();
    assert!(
        page.contains("smtp.baikal-springs.ru") && !page.contains("s3cret"),
        "{page}"
    );
    let refused = app
        .submit(
            &session,
            "/admin/mail",
            &[
                ("host", "smtp.baikal-springs.ru"),
                ("security", "tls"),
                ("port", "abc"),
                ("from_address", "orders@baikal-springs.ru"),
            ],
        )
        .await;
    assert!(
        refused.text().contains("The port is a number from 1 to 65535."),
        "{}",
        refused.text()
    );
}

#[tokio::test]
async fn the_mail_servers_password_is_sealed_in_the_database_and_opened_with_the_servers_key() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let body = json!({"host": "smtp.baikal-springs.ru", "security": "starttls", "username": "portal",
        "password": "s3cret", "from_address": "orders@baikal-springs.ru"});
    assert_eq!(app.put("/api/v1/tenant/mail-server", &admin, body).await.status, 200);
    let stored = crate::edi::text(&app, "SELECT password AS t FROM mail_servers").await;
    assert!(
        stored.starts_with("sealed:") && !stored.contains("s3cret"),
        "a copy of the database does not give it away: {stored}"
    );

    let tenant = platform::TenantId(app.count("SELECT MIN(tenant_id) AS n FROM mail_servers").await);
    let settings = platform::mail::server_settings(&app.db, tenant).await.unwrap().unwrap();
    assert_eq!(
        settings.password, "s3cret",
        "the mail job opens it with the server's key"
    );

    // A password saved before the server had a key is sealed when a server starts with one.
    app.db
        .execute(&platform::Query::new(
            "UPDATE mail_servers SET password = 'saved before'",
        ))
        .await
        .unwrap();
    assert_eq!(platform::mail::seal_stored_passwords(&app.db).await.unwrap(), 1);
    let stored = crate::edi::text(&app, "SELECT password AS t FROM mail_servers").await;
    assert!(
        stored.starts_with("sealed:") && !stored.contains("saved before"),
        "{stored}"
    );
    let settings = platform::mail::server_settings(&app.db, tenant).await.unwrap().unwrap();
    assert_eq!(settings.password, "saved before");
    assert_eq!(
        platform::mail::seal_stored_passwords(&app.db).await.unwrap(),
        0,
        "what is sealed stays as it is"
    );
}

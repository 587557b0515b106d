//! The command line: help, bootstrap without the demo, and errors that name the problem.

use std::process::Command;

use testkit::TestDatabase;

fn dealerport(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dealerport"))
        .args(args)
        .env("DEALERPORT_DATABASE_URL", database_url)
        .env("DEALERPORT_LOG", "warn")
        .output()
        .expect("run dealerport")
}

#[test]
fn every_command_explains_itself() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["tenant", "create", "--help"],
        vec!["user", "create", "--help"],
        vec!["demo", "--help"],
        vec!["edi", "import", "--help"],
        vec!["edi", "export", "--help"],
    ] {
        let output = dealerport("sqlite::memory:", &args);
        assert!(output.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Usage:"), "{args:?}: {text}");
    }
    let help = String::from_utf8_lossy(&dealerport("sqlite::memory:", &["serve", "--help"]).stdout).into_owned();
    assert!(help.contains("--listen") && help.contains("--database-url") && help.contains("--demo"));
}

#[test]
fn a_malformed_secret_key_stops_the_server_before_it_stores_anything() {
    let output = Command::new(env!("CARGO_BIN_EXE_dealerport"))
        .args(["tenant", "create", "--code", "acme", "--name", "Acme Drinks"])
        .env("DEALERPORT_DATABASE_URL", "sqlite::memory:")
        .env("DEALERPORT_SECRET_KEY", "not-a-key")
        .output()
        .expect("run dealerport");
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("DEALERPORT_SECRET_KEY: the secret key must be 64 hexadecimal characters"),
        "{said}"
    );
    assert!(!said.contains("not-a-key"), "the key is never echoed: {said}");
}

#[tokio::test]
async fn a_tenant_and_its_first_administrator_are_created_without_the_demo() {
    let database = TestDatabase::create().await;
    database.connect().await;
    let url = database.process_url();
    let tenant = dealerport(
        &url,
        &[
            "tenant",
            "create",
            "--code",
            "acme",
            "--name",
            "Acme Drinks",
            "--currency",
            "CNY",
            "--locale",
            "zh",
            "--time-zone",
            "Asia/Shanghai",
        ],
    );
    assert!(tenant.status.success(), "{}", String::from_utf8_lossy(&tenant.stderr));
    let again = dealerport(&url, &["tenant", "create", "--code", "acme", "--name", "Acme again"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("tenant.code_taken"));
    let bad_user = dealerport(
        &url,
        &[
            "user",
            "create",
            "--tenant",
            "acme",
            "--login",
            "nobody",
            "--name",
            "X",
            "--password",
            "long-enough",
            "--role",
            "administrator",
        ],
    );
    assert!(!bad_user.status.success());
    assert!(String::from_utf8_lossy(&bad_user.stderr).contains("login: field.email"));
    let user = dealerport(
        &url,
        &[
            "user",
            "create",
            "--tenant",
            "acme",
            "--login",
            "boss@acme.example",
            "--name",
            "Boss",
            "--password",
            "long-enough",
            "--role",
            "administrator",
            "--all-regions",
        ],
    );
    assert!(user.status.success(), "{}", String::from_utf8_lossy(&user.stderr));
    let db = database.connect().await;
    let users: i64 = db
        .fetch_one(
            &platform::Query::new(
                "SELECT COUNT(*) AS n FROM users WHERE login = 'boss@acme.example' AND all_regions = $1",
            )
            .bind(true),
        )
        .await
        .unwrap()
        .get("n")
        .unwrap();
    assert_eq!(users, 1);
}

#[tokio::test]
async fn edi_files_are_imported_and_our_interchanges_exported_from_the_command_line() {
    let app = testkit::TestApp::with_demo().await;
    let url = app.database.process_url();
    let folder = std::env::temp_dir().join(format!("dealerport-edi-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    let sender: String = app
        .db
        .fetch_one(&platform::Query::new(
            "SELECT gln AS t FROM dealers WHERE code = 'VEKTOR'",
        ))
        .await
        .unwrap()
        .get("t")
        .unwrap();
    let file = folder.join("broken.edi");
    std::fs::write(
        &file,
        format!("UNB+UNOC:3+{sender}:14+4601234500005:14+261124:1000+CLI1++ORDERS++1'UNH+1+ORDERS:D:96A:UN'UNT+5+1'UNZ+1+CLI1'"),
    )
    .unwrap();
    let imported = dealerport(&url, &["edi", "import", "--tenant", "demo", &file.to_string_lossy()]);
    let said = String::from_utf8_lossy(&imported.stdout);
    assert!(
        !imported.status.success(),
        "a rejected interchange is a failure of the command"
    );
    assert!(said.contains("rejected") && said.contains("UNT"), "{said}");

    let out = folder.join("out");
    let exported = dealerport(
        &url,
        &[
            "edi",
            "export",
            "--tenant",
            "demo",
            "--partner",
            "VEKTOR",
            "--out",
            &out.to_string_lossy(),
        ],
    );
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files.len(),
        2,
        "the demo's CONTRL and the one answering CLI1: {files:?}"
    );
    assert!(files.iter().all(|f| f.contains("CONTRL")));
    let unknown = dealerport(
        &url,
        &[
            "edi",
            "export",
            "--tenant",
            "demo",
            "--partner",
            "NOBODY",
            "--out",
            &out.to_string_lossy(),
        ],
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("NOBODY is not an EDI partner"));
    let _ = std::fs::remove_dir_all(&folder);
}

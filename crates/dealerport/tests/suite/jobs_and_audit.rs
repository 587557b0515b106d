//! The job queue and the audit log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use platform::jobs::{self, Handler, Worker};
use platform::{Clock, Query};
use testkit::{TestApp, TestDatabase};

#[tokio::test]
async fn two_workers_on_one_database_never_run_a_job_twice() {
    let database = TestDatabase::create().await;
    let first = database.connect().await;
    let second = database.connect().await;
    let clock = Clock::system();
    let mut tx = first.begin().await.unwrap();
    for n in 0..40 {
        jobs::enqueue(&mut tx, None, "count", &serde_json::json!({ "n": n }), clock.now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let runs: Arc<Mutex<HashMap<i64, u32>>> = Arc::default();
    let handler = |runs: Arc<Mutex<HashMap<i64, u32>>>| -> Handler {
        Arc::new(move |_db, job| {
            let runs = runs.clone();
            Box::pin(async move {
                *runs.lock().unwrap().entry(job.id).or_default() += 1;
                Ok(())
            })
        })
    };
    let a = Worker::new(first, clock.clone(), "a".into()).handle("count", handler(runs.clone()));
    let b = Worker::new(second.clone(), clock.clone(), "b".into()).handle("count", handler(runs.clone()));
    let drain = |worker: Worker| async move { while worker.run_once().await.unwrap() {} };
    tokio::join!(drain(a), drain(b));
    let runs = runs.lock().unwrap().clone();
    assert_eq!(runs.len(), 40);
    assert!(runs.values().all(|count| *count == 1), "{runs:?}");
    let done: i64 = second
        .fetch_one(&Query::new("SELECT COUNT(*) AS n FROM jobs WHERE status = 'done'"))
        .await
        .unwrap()
        .get("n")
        .unwrap();
    assert_eq!(done, 40);
}

#[tokio::test]
async fn a_failing_job_is_retried_with_back_off_then_given_up() {
    let app = TestApp::new().await;
    let mut tx = app.db.begin().await.unwrap();
    let id = jobs::enqueue(&mut tx, None, "flaky", &serde_json::Value::Null, app.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let failing: Handler = Arc::new(|_db, _job| Box::pin(async { Err("the partner is down".to_owned()) }));
    let worker = Worker::new(app.db.clone(), app.clock.clone(), "w".into()).handle("flaky", failing);
    assert!(worker.run_once().await.unwrap());
    assert!(!worker.run_once().await.unwrap(), "not due again before the back-off");
    for _ in 1..jobs::DEFAULT_MAX_ATTEMPTS {
        app.clock.advance(chrono::TimeDelta::hours(1));
        assert!(worker.run_once().await.unwrap());
    }
    let row = app
        .db
        .fetch_one(&Query::new("SELECT status, attempts, last_error FROM jobs WHERE id = $1").bind(id))
        .await
        .unwrap();
    assert_eq!(row.get::<String>("status").unwrap(), "failed");
    assert_eq!(row.get::<i64>("attempts").unwrap(), jobs::DEFAULT_MAX_ATTEMPTS);
    assert_eq!(
        row.get::<Option<String>>("last_error").unwrap().as_deref(),
        Some("the partner is down")
    );
    let admin = {
        demo::seed(&app.db, &app.clock, demo::Scale::Small).await.unwrap();
        app.token("admin@demo.test").await
    };
    let listed = app.get("/api/v1/jobs?status=failed", &admin).await.json();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["kind"], "flaky");
}

#[tokio::test]
async fn the_audit_log_keeps_old_and_new_values_and_is_for_administrators() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let settings = serde_json::json!({
        "name": "Baikal Springs Group",
        "default_locale": "ru",
        "time_zone": "Asia/Irkutsk",
        "brand_primary_color": "#0B5394",
        "brand_accent_color": "#f1c232"
    });
    let updated = app.put("/api/v1/tenant", &admin, settings).await;
    assert_eq!(updated.status, 200, "{}", updated.text());
    assert_eq!(updated.json()["brand_primary_color"], "#0b5394");
    let log = app
        .get("/api/v1/audit-log?entity=tenant&per_page=1", &admin)
        .await
        .json();
    let entry = &log["items"][0];
    assert_eq!(entry["action"], "update");
    assert_eq!(entry["before"]["name"], "Baikal Springs");
    assert_eq!(entry["after"]["name"], "Baikal Springs Group");
    assert_eq!(entry["actor_name"], "Irina Smirnova");
    let manager = app.token("manager@demo.test").await;
    assert_eq!(app.get("/api/v1/audit-log", &manager).await.status, 403);
    let bad = app
        .put("/api/v1/tenant", &admin, serde_json::json!({"name": "x", "default_locale": "fr", "time_zone": "Mars/Base", "brand_primary_color": "red", "brand_accent_color": "#fff"}))
        .await;
    assert_eq!(
        bad.error_fields(),
        vec![
            "default_locale",
            "time_zone",
            "brand_primary_color",
            "brand_accent_color"
        ]
    );
}

#[tokio::test]
async fn migrations_apply_once() {
    let app = TestApp::new().await;
    assert_eq!(app.db.migrate().await.unwrap(), 0);
}

//! The API's published contract: the OpenAPI document, health checks, problem details.

use axum::body::Body;
use axum::http::Request;
use testkit::TestApp;

/// The document is generated from the handlers; this snapshot shows every change to it in
/// review. Run with `UPDATE_SNAPSHOTS=1` to accept a change.
#[tokio::test]
async fn the_openapi_document_matches_its_snapshot() {
    let app = TestApp::new().await;
    let response = app
        .send(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status, 200);
    let document = response.json();
    assert_eq!(document["openapi"], "3.1.0");
    let pretty = serde_json::to_string_pretty(&document).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openapi.snapshot.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &pretty).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        snapshot == pretty,
        "the OpenAPI document changed; review it and run with UPDATE_SNAPSHOTS=1"
    );
}

#[tokio::test]
async fn the_api_page_lists_every_operation_without_outside_assets() {
    let app = TestApp::new().await;
    let page = app.send(Request::get("/api").body(Body::empty()).unwrap()).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("/dealers/{id}/locations"));
    assert!(
        !html.contains("http://") && !html.contains("//cdn"),
        "no assets from elsewhere"
    );
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::new().await;
    assert_eq!(
        app.send(Request::get("/healthz").body(Body::empty()).unwrap())
            .await
            .status,
        200
    );
    assert_eq!(
        app.send(Request::get("/readyz").body(Body::empty()).unwrap())
            .await
            .text(),
        "ready"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_in_the_callers_language() {
    let app = TestApp::new().await;
    let unknown = app
        .send(
            Request::get("/api/v1/nowhere")
                .header("accept-language", "ru")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.headers["content-type"], "application/problem+json");
    assert_eq!(unknown.json()["status"], 404);
    assert_ne!(unknown.json()["title"], "Not found.", "translated into Russian");
    let wrong_method = app
        .send(Request::delete("/api/v1/dealers").body(Body::empty()).unwrap())
        .await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.json()["status"], 405);
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::new().await;
    let page = app.send(Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(page.headers["x-frame-options"], "DENY");
    assert!(page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
}

//! Signing in, sessions, tokens and passwords.

use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use testkit::TestApp;

use crate::id_of;

#[tokio::test]
async fn a_token_is_issued_for_a_right_password_only() {
    let app = TestApp::with_demo().await;
    let token = app.token("admin@demo.test").await;
    let me = app.get("/api/v1/me", &token).await.json();
    assert_eq!(me["user"]["login"], "admin@demo.test");
    assert_eq!(me["tenant"]["name"], "Baikal Springs");
    assert!(me["user"].get("password_hash").is_none());
    let wrong = app
        .call(
            axum::http::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": "admin@demo.test", "password": "wrong password"})),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.headers["www-authenticate"], "Bearer");
    let nobody = app.get("/api/v1/me", "not-a-token").await;
    assert_eq!(nobody.status, 401);
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_login_for_a_while() {
    let app = TestApp::with_demo().await;
    for _ in 0..5 {
        let response = app
            .call(
                axum::http::Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"login": "dealer@demo.test", "password": "guess-guess"})),
            )
            .await;
        assert_eq!(response.status, 401);
    }
    let locked = app
        .call(
            axum::http::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": "dealer@demo.test", "password": testkit::PASSWORD})),
        )
        .await;
    assert_eq!(locked.status, 429, "even the right password waits");
    assert_eq!(locked.headers["retry-after"], "900");
    app.clock.advance(chrono::TimeDelta::minutes(16));
    app.token("dealer@demo.test").await;
}

#[tokio::test]
async fn an_administrators_password_reset_ends_sessions_and_asks_for_a_new_password() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let dealer_token = app.token("dealer@demo.test").await;
    let user = id_of(&app, "users", "login", "dealer@demo.test").await;
    let short = app
        .post(
            &format!("/api/v1/users/{user}/password"),
            &admin,
            json!({"password": "short"}),
        )
        .await;
    assert_eq!(short.error_codes(), vec!["password.too_short"]);
    let reset = app
        .post(
            &format!("/api/v1/users/{user}/password"),
            &admin,
            json!({"password": "temporary-123"}),
        )
        .await;
    assert_eq!(reset.status, 204);
    assert_eq!(
        app.get("/api/v1/me", &dealer_token).await.status,
        401,
        "the old sign-in token is revoked"
    );
    let response = app
        .call(
            axum::http::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": "dealer@demo.test", "password": "temporary-123"})),
        )
        .await;
    let token = response.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get("/api/v1/me", &token).await.json()["user"]["must_change_password"],
        true
    );
}

#[tokio::test]
async fn integration_tokens_are_shown_once_narrowed_to_a_role_and_revocable() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let manager = id_of(&app, "users", "login", "manager@demo.test").await;
    let not_held = app
        .post(
            "/api/v1/api-tokens",
            &admin,
            json!({"name": "ERP", "user_id": manager, "role": "finance"}),
        )
        .await;
    assert_eq!(not_held.error_codes(), vec!["token.role_not_held"]);
    let created = app
        .post(
            "/api/v1/api-tokens",
            &admin,
            json!({"name": "ERP", "user_id": manager, "role": "sales_manager"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let secret = created.json()["secret"].as_str().unwrap().to_owned();
    let id = created.json()["id"].as_i64().unwrap();
    let me = app.get("/api/v1/me", &secret).await.json();
    assert_eq!(me["roles"], json!(["sales_manager"]));
    let listed = app.get("/api/v1/api-tokens", &admin).await;
    assert!(!listed.text().contains(&secret), "the secret is never shown again");
    let stored: i64 = app
        .count(&format!(
            "SELECT COUNT(*) AS n FROM api_tokens WHERE token_digest = '{secret}'"
        ))
        .await;
    assert_eq!(stored, 0, "only a digest is stored");
    let revoked = app
        .call(
            axum::http::Method::DELETE,
            &format!("/api/v1/api-tokens/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(revoked.status, 200);
    assert_eq!(app.get("/api/v1/me", &secret).await.status, 401);
}

#[tokio::test]
async fn the_browser_session_cookie_is_http_only_and_same_site() {
    let app = TestApp::with_demo().await;
    let page = app.send(Request::get("/login").body(Body::empty()).unwrap()).await;
    let csrf = page.cookie("dealerport_signin").unwrap();
    let response = app
        .send(
            Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", format!("dealerport_signin={csrf}"))
                .body(Body::from(format!(
                    "csrf_token={csrf}&login=admin%40demo.test&password=dealerport&next=%2Fdealers"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, 303);
    assert_eq!(response.headers["location"], "/dealers");
    let set_cookie = response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("dealerport_session="))
        .unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
}

#[tokio::test]
async fn a_sign_in_without_its_form_token_is_refused() {
    let app = TestApp::with_demo().await;
    let response = app
        .send(
            Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("login=admin%40demo.test&password=dealerport"))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, 403);
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_changes_nothing() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let region = id_of(&app, "regions", "code", "RU-MOW").await.to_string();
    let forged = app
        .send(
            Request::post("/dealers")
                .header("cookie", &session.cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "csrf_token=forged&code=EVIL&legal_name=Evil&tier=1&region_id={region}"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM dealers WHERE code = 'EVIL'").await,
        0
    );
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("manager@demo.test").await;
    assert_eq!(app.page(&session, "/dealers").await.status, 200);
    let out = app.submit(&session, "/logout", &[]).await;
    assert_eq!(out.status, 303);
    let after = app.page(&session, "/dealers").await;
    assert_eq!(after.status, 303);
    assert_eq!(after.headers["location"], "/login?next=/dealers");
}

#[tokio::test]
async fn a_user_changes_their_own_password_knowing_the_current_one() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("dealer2@demo.test").await;
    let wrong = app
        .submit(
            &session,
            "/account/password",
            &[
                ("current_password", "not-it-at-all"),
                ("new_password", "a-new-password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.text().contains("The current password is wrong."));
    let changed = app
        .submit(
            &session,
            "/account/password",
            &[
                ("current_password", testkit::PASSWORD),
                ("new_password", "a-new-password"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303);
    let response = app
        .call(
            axum::http::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": "dealer2@demo.test", "password": "a-new-password"})),
        )
        .await;
    assert_eq!(response.status, 200);
}

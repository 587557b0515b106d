//! Pages as a browser gets them: in the reader's language, usable without JavaScript.

use axum::body::Body;
use axum::http::Request;
use testkit::TestApp;

use crate::id_of;

#[tokio::test]
async fn the_sign_in_page_speaks_the_browsers_language() {
    let app = TestApp::with_demo().await;
    for (accept, expected) in [
        ("ru-RU,ru;q=0.9", "Войти"),
        ("zh-CN,zh;q=0.9", "登录"),
        ("de-DE", "Sign in"),
    ] {
        let page = app
            .send(
                Request::get("/login")
                    .header("accept-language", accept)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(page.status, 200);
        assert!(page.text().contains(expected), "{accept}: {}", page.text());
    }
}

#[tokio::test]
async fn a_users_saved_language_wins_over_the_browsers() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("manager.cn@demo.test").await;
    let page = app
        .send(
            Request::get("/dealers")
                .header("cookie", &session.cookie)
                .header("accept-language", "ru")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(page.text().contains("<html lang=\"zh\">"));
    assert!(page.text().contains("经销商"));
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_the_sign_in_page() {
    let app = TestApp::with_demo().await;
    let response = app.send(Request::get("/users").body(Body::empty()).unwrap()).await;
    assert_eq!(response.status, 303);
    assert_eq!(response.headers["location"], "/login?next=/users");
}

#[tokio::test]
async fn a_dealer_form_with_mistakes_comes_back_with_the_errors_next_to_the_fields() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let region = id_of(&app, "regions", "code", "RU-MOW").await.to_string();
    let response = app
        .submit(
            &session,
            "/dealers",
            &[
                ("code", "VEKTOR"),
                ("legal_name", "Дубль"),
                ("tier", "1"),
                ("region_id", &region),
                ("gln", "4601234500102"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(response.status, 200);
    let html = response.text();
    assert!(html.contains("The check digit is wrong."), "{html}");
    assert!(html.contains("value=\"Дубль\""), "the form keeps what was typed");
    let created = app
        .submit(
            &session,
            "/dealers",
            &[
                ("code", "NEW-ONE"),
                ("legal_name", "Новый дилер"),
                ("tier", "1"),
                ("region_id", &region),
                ("status", "active"),
                ("group_ids", "1"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let card = app.page(&session, created.headers["location"].to_str().unwrap()).await;
    assert!(card.text().contains("Новый дилер"));
    assert!(card.text().contains("Created."));
}

#[tokio::test]
async fn failures_on_pages_are_translated_pages_not_bare_errors() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("dealer@demo.test").await;
    let forbidden = app.page(&session, "/admin/audit").await;
    assert_eq!(forbidden.status, 403);
    assert!(forbidden.text().contains("You are not allowed to do this."));
    let missing = app.page(&session, "/dealers/999999").await;
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("<html"));
}

#[tokio::test]
async fn every_main_page_renders_for_an_administrator() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let dealer = id_of(&app, "dealers", "code", "VEKTOR").await;
    let user = id_of(&app, "users", "login", "dealer@demo.test").await;
    for path in [
        "/".to_owned(),
        "/dealers".to_owned(),
        "/dealers?search=%D0%B2&status=active&tier=1&region_id=&group_id=".to_owned(),
        format!("/dealers/{dealer}"),
        format!("/dealers/{dealer}/edit"),
        "/dealers/new".to_owned(),
        "/regions".to_owned(),
        "/users".to_owned(),
        "/users/new".to_owned(),
        format!("/users/{user}"),
        "/account".to_owned(),
        "/admin/settings".to_owned(),
        "/admin/api-tokens".to_owned(),
        "/admin/audit".to_owned(),
        "/admin/jobs".to_owned(),
    ] {
        let page = app.page(&session, &path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.text());
        assert!(
            page.text().contains("Baikal Springs"),
            "{path} shows the tenant's brand"
        );
    }
}

//! Managing dealers through the API: what is accepted, what is refused, and that a refusal
//! changes nothing.

use serde_json::json;
use testkit::TestApp;

use crate::id_of;

async fn dealer_count(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM dealers").await
}

fn new_dealer(region_id: i64) -> serde_json::Value {
    json!({
        "code": "KAZAN-01",
        "legal_name": "ООО «Казань Напитки»",
        "tax_number": "1655123456",
        "gln": "4601234500104",
        "tier": 1,
        "region_id": region_id,
        "status": "active"
    })
}

#[tokio::test]
async fn a_sales_manager_creates_a_dealer_in_their_region_and_it_is_audited() {
    let app = TestApp::with_demo().await;
    let token = app.token("manager@demo.test").await;
    let region = id_of(&app, "regions", "code", "RU-TUL").await;
    let created = app.post("/api/v1/dealers", &token, new_dealer(region)).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let dealer = created.json();
    assert_eq!(dealer["code"], "KAZAN-01");
    assert_eq!(dealer["region_name"], "Тульская область");
    let id = dealer["id"].as_i64().unwrap();
    let audit = app
        .get(
            &format!("/api/v1/audit-log?entity=dealer&entity_id={id}"),
            &app.token("admin@demo.test").await,
        )
        .await
        .json();
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["action"], "create");
    assert_eq!(audit["items"][0]["actor_name"], "Pavel Orlov");
}

#[tokio::test]
async fn a_dealer_in_a_region_outside_the_managers_scope_is_refused_and_nothing_is_written() {
    let app = TestApp::with_demo().await;
    let token = app.token("manager@demo.test").await;
    let before = dealer_count(&app).await;
    let foreign_region = id_of(&app, "regions", "code", "CN-SH").await;
    let response = app.post("/api/v1/dealers", &token, new_dealer(foreign_region)).await;
    assert_eq!(response.status, 422);
    assert_eq!(response.error_fields(), vec!["region_id"]);
    assert_eq!(response.error_codes(), vec!["field.not_found"]);
    assert_eq!(dealer_count(&app).await, before);
}

#[tokio::test]
async fn every_problem_of_a_dealer_is_named_with_its_field() {
    let app = TestApp::with_demo().await;
    let token = app.token("admin@demo.test").await;
    let before = dealer_count(&app).await;
    let region = id_of(&app, "regions", "code", "RU-MOW").await;
    let response = app
        .post(
            "/api/v1/dealers",
            &token,
            json!({
                "code": "has space",
                "legal_name": "x".repeat(201),
                "gln": "4601234500102",
                "tier": 2,
                "region_id": region
            }),
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(
        response.error_fields(),
        vec!["code", "legal_name", "gln", "parent_dealer_id"]
    );
    assert_eq!(
        response.error_codes(),
        vec![
            "field.code_characters",
            "field.too_long",
            "identifier.check_digit",
            "dealer.tier2_needs_parent"
        ]
    );
    assert_eq!(dealer_count(&app).await, before);
}

#[tokio::test]
async fn wrong_types_and_missing_fields_are_named() {
    let app = TestApp::with_demo().await;
    let token = app.token("admin@demo.test").await;
    let wrong_type = app
        .post(
            "/api/v1/dealers",
            &token,
            json!({"code": "X", "legal_name": "X", "tier": "one", "region_id": 1}),
        )
        .await;
    assert_eq!(wrong_type.status, 422);
    assert_eq!(wrong_type.error_fields(), vec!["tier"]);
    assert_eq!(wrong_type.error_codes(), vec!["field.wrong_type"]);
    let missing = app
        .post(
            "/api/v1/dealers",
            &token,
            json!({"code": "X", "tier": 1, "region_id": 1}),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.error_fields(), vec!["legal_name"]);
    assert_eq!(missing.error_codes(), vec!["field.required"]);
    let not_json = app
        .send(
            axum::http::Request::post("/api/v1/dealers")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{\"code\": "))
                .unwrap(),
        )
        .await;
    assert_eq!(not_json.status, 422);
    assert_eq!(not_json.error_codes(), vec!["api.json_syntax"]);
    assert_eq!(not_json.headers["content-type"], "application/problem+json");
}

#[tokio::test]
async fn codes_and_glns_are_unique_within_a_tenant() {
    let app = TestApp::with_demo().await;
    let token = app.token("admin@demo.test").await;
    let region = id_of(&app, "regions", "code", "RU-MOW").await;
    let mut duplicate_code = new_dealer(region);
    duplicate_code["code"] = json!("VEKTOR");
    let response = app.post("/api/v1/dealers", &token, duplicate_code).await;
    assert_eq!(response.status, 422);
    assert_eq!(response.error_codes(), vec!["dealer.code_taken"]);
    let vektor_gln: String = app
        .db
        .fetch_one(&platform::Query::new("SELECT gln FROM dealers WHERE code = 'VEKTOR'"))
        .await
        .unwrap()
        .get("gln")
        .unwrap();
    let mut duplicate_gln = new_dealer(region);
    duplicate_gln["gln"] = json!(vektor_gln);
    let response = app.post("/api/v1/dealers", &token, duplicate_gln).await;
    assert_eq!(response.error_codes(), vec!["dealer.gln_taken"]);
}

#[tokio::test]
async fn a_tier2_dealer_must_buy_from_a_visible_distributor() {
    let app = TestApp::with_demo().await;
    let token = app.token("manager@demo.test").await;
    let region = id_of(&app, "regions", "code", "RU-MOW").await;
    let foreign_distributor = id_of(&app, "dealers", "code", "SH-QINGQUAN").await;
    let mut dealer = new_dealer(region);
    dealer["tier"] = json!(2);
    dealer["parent_dealer_id"] = json!(foreign_distributor);
    let response = app.post("/api/v1/dealers", &token, dealer.clone()).await;
    assert_eq!(response.error_fields(), vec!["parent_dealer_id"]);
    dealer["parent_dealer_id"] = json!(id_of(&app, "dealers", "code", "VEKTOR").await);
    let response = app.post("/api/v1/dealers", &token, dealer).await;
    assert_eq!(response.status, 201, "{}", response.text());
}

#[tokio::test]
async fn a_closed_dealer_cannot_be_reopened() {
    let app = TestApp::with_demo().await;
    let token = app.token("admin@demo.test").await;
    let id = id_of(&app, "dealers", "code", "TULA-DIST").await;
    let mut dealer = app.get(&format!("/api/v1/dealers/{id}"), &token).await.json();
    dealer["status"] = json!("closed");
    dealer["group_ids"] = json!([]);
    let closed = app.put(&format!("/api/v1/dealers/{id}"), &token, dealer.clone()).await;
    assert_eq!(closed.status, 200, "{}", closed.text());
    dealer["status"] = json!("active");
    let reopened = app.put(&format!("/api/v1/dealers/{id}"), &token, dealer).await;
    assert_eq!(reopened.status, 422);
    assert_eq!(reopened.error_codes(), vec!["dealer.status_change"]);
}

#[tokio::test]
async fn delivery_locations_keep_one_primary_and_validate_their_gln() {
    let app = TestApp::with_demo().await;
    let token = app.token("manager@demo.test").await;
    let id = id_of(&app, "dealers", "code", "VEKTOR").await;
    let bad = app
        .post(
            &format!("/api/v1/dealers/{id}/locations"),
            &token,
            json!({"code": "MSK-WH3", "name": "Склад 3", "address": "Москва", "gln": "123"}),
        )
        .await;
    assert_eq!(bad.error_codes(), vec!["identifier.wrong_length"]);
    let added = app
        .post(
            &format!("/api/v1/dealers/{id}/locations"),
            &token,
            json!({"code": "MSK-WH3", "name": "Склад 3", "address": "Москва", "is_primary": true}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text());
    let detail = app.get(&format!("/api/v1/dealers/{id}"), &token).await.json();
    let primaries: Vec<&str> = detail["locations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["is_primary"] == true)
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(primaries, vec!["MSK-WH3"]);
}

#[tokio::test]
async fn dealers_are_searched_in_any_script_and_paginated() {
    let app = TestApp::with_demo().await;
    let token = app.token("admin@demo.test").await;
    let cyrillic = app
        .get("/api/v1/dealers?search=%D0%B2%D0%B5%D0%BA%D1%82%D0%BE%D1%80", &token)
        .await
        .json();
    assert_eq!(cyrillic["total"], 1, "вектор finds ТД Вектор-Напитки");
    let chinese = app
        .get("/api/v1/dealers?search=%E6%B8%85%E6%B3%89", &token)
        .await
        .json();
    assert_eq!(chinese["items"][0]["code"], "SH-QINGQUAN");
    let page = app.get("/api/v1/dealers?per_page=3&page=2", &token).await.json();
    assert_eq!(page["total"], 10);
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    let literal = app.get("/api/v1/dealers?search=%25", &token).await.json();
    assert_eq!(literal["total"], 0, "a % is searched for literally");
    let bad_status = app.get("/api/v1/dealers?status=sleeping", &token).await;
    assert_eq!(bad_status.status, 422);
    assert_eq!(bad_status.error_fields(), vec!["status"]);
}

#[tokio::test]
async fn a_purchaser_cannot_change_dealers() {
    let app = TestApp::with_demo().await;
    let token = app.token("dealer@demo.test").await;
    let region = id_of(&app, "regions", "code", "RU-MOW").await;
    let response = app.post("/api/v1/dealers", &token, new_dealer(region)).await;
    assert_eq!(response.status, 403);
    assert_eq!(response.json()["title"], "You are not allowed to do this.");
}

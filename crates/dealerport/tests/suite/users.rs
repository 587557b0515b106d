//! Users, their roles and data scopes, and who may create whom.

use serde_json::json;
use testkit::TestApp;

use crate::id_of;

#[tokio::test]
async fn an_administrator_creates_a_sales_manager_for_a_region() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let region = id_of(&app, "regions", "code", "RU-SIB").await;
    let created = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"login": "Siberia@Demo.test", "display_name": "Сибирь", "password": testkit::PASSWORD, "roles": ["sales_manager"], "region_ids": [region]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(
        created.json()["login"],
        "siberia@demo.test",
        "logins are kept in lower case"
    );
    assert_eq!(created.json()["must_change_password"], true);
    let token = app.token("siberia@demo.test").await;
    let dealers = app.get("/api/v1/dealers", &token).await.json();
    let codes: Vec<&str> = dealers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["ANGARA-OPT", "SIBVODA"]);
}

#[tokio::test]
async fn bad_user_input_is_refused_field_by_field() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let before = app.count("SELECT COUNT(*) AS n FROM users").await;
    let dealer = id_of(&app, "dealers", "code", "VEKTOR").await;
    let response = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"login": "not-an-email", "display_name": "", "password": "short", "roles": ["administrator", "wizard"], "dealer_id": dealer}),
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(
        response.error_fields(),
        vec!["login", "display_name", "password", "roles", "roles"]
    );
    assert_eq!(
        response.error_codes(),
        vec![
            "field.email",
            "field.required",
            "password.too_short",
            "user.role_for_other_kind",
            "user.unknown_role"
        ]
    );
    let taken = app
        .post("/api/v1/users", &admin, json!({"login": "dealer@demo.test", "display_name": "Dup", "password": "long-enough", "roles": ["finance"]}))
        .await;
    assert_eq!(taken.error_codes(), vec!["user.login_taken"]);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM users").await, before);
}

#[tokio::test]
async fn a_dealer_administrator_manages_only_its_own_dealers_users() {
    let app = TestApp::with_demo().await;
    let token = app.token("vektor.admin@demo.test").await;
    let own = id_of(&app, "dealers", "code", "VEKTOR").await;
    let other = id_of(&app, "dealers", "code", "SH-QINGQUAN").await;
    let created = app
        .post("/api/v1/users", &token, json!({"login": "clerk@vektor.example", "display_name": "Кладовщик", "password": "long-enough", "roles": ["receiving_clerk"], "dealer_id": own}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let elsewhere = app
        .post("/api/v1/users", &token, json!({"login": "spy@vektor.example", "display_name": "Spy", "password": "long-enough", "roles": ["purchaser"], "dealer_id": other}))
        .await;
    assert_eq!(elsewhere.status, 403);
    let escalation = app
        .post("/api/v1/users", &token, json!({"login": "boss@vektor.example", "display_name": "Boss", "password": "long-enough", "roles": ["administrator"]}))
        .await;
    assert_eq!(escalation.status, 403, "an internal user cannot be made by a dealer");
    let listed = app.get("/api/v1/users", &token).await.json();
    assert!(listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["dealer_id"] == own));
}

#[tokio::test]
async fn a_disabled_user_can_no_longer_sign_in() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let id = id_of(&app, "users", "login", "dealer2@demo.test").await;
    let mut user = app.get(&format!("/api/v1/users/{id}"), &admin).await.json();
    user["status"] = json!("disabled");
    let updated = app.put(&format!("/api/v1/users/{id}"), &admin, user).await;
    assert_eq!(updated.status, 200, "{}", updated.text());
    let response = app
        .call(
            axum::http::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": "dealer2@demo.test", "password": testkit::PASSWORD})),
        )
        .await;
    assert_eq!(response.status, 401);
}

#[tokio::test]
async fn regions_form_a_tree_and_a_manager_sees_their_subtree() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let parent = id_of(&app, "regions", "code", "RU-CEN").await;
    let created = app
        .post(
            "/api/v1/regions",
            &admin,
            json!({"code": "RU-KLU", "name": "Калужская область", "kind": "territory", "parent_id": parent}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.json()["depth"], 2);
    let upside_down = app
        .post(
            "/api/v1/regions",
            &admin,
            json!({"code": "RU-X", "name": "X", "kind": "country", "parent_id": parent}),
        )
        .await;
    assert_eq!(upside_down.error_codes(), vec!["region.country_has_no_parent"]);
    let manager = app.token("manager@demo.test").await;
    let regions = app.get("/api/v1/regions", &manager).await.json();
    let codes: Vec<&str> = regions
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["RU-CEN", "RU-KLU", "RU-MOW", "RU-TUL"]);
}

#[tokio::test]
async fn a_users_roles_and_regions_are_read_back_whole_alone_and_in_the_list() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let siberia = id_of(&app, "regions", "code", "RU-SIB").await;
    let centre = id_of(&app, "regions", "code", "RU-CEN").await;
    let created = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"login": "two@demo.test", "display_name": "Two hats", "password": testkit::PASSWORD,
                   "roles": ["sales_manager", "order_desk"], "region_ids": [siberia, centre]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_i64().unwrap();
    let mut regions = vec![siberia, centre];
    regions.sort_unstable();

    let alone = app.get(&format!("/api/v1/users/{id}"), &admin).await.json();
    assert_eq!(alone["roles"], json!(["order_desk", "sales_manager"]));
    assert_eq!(alone["region_ids"], json!(regions));

    let listed = app.get("/api/v1/users?search=two@demo", &admin).await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["roles"], alone["roles"]);
    assert_eq!(listed["items"][0]["region_ids"], alone["region_ids"]);

    let no_regions = app.get("/api/v1/users?search=admin@demo", &admin).await.json();
    assert_eq!(no_regions["items"][0]["region_ids"], json!([]));
}

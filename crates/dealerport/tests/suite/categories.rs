//! The category tree: categories under categories, moved and renamed without ever becoming their
//! own ancestor, deleted only when empty, and a dealer's category filter covering the subtree.

use axum::http::Method;
use serde_json::json;
use testkit::TestApp;

use crate::id_of;

fn category(code: &str, parent_id: Option<i64>) -> serde_json::Value {
    json!({ "code": code, "name_en": code, "name_ru": code, "name_zh": code, "parent_id": parent_id })
}

#[tokio::test]
async fn categories_form_a_tree_that_never_loops() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let water = id_of(&app, "categories", "code", "WATER").await;
    let create = |body| async { app.post("/api/v1/categories", &admin, body).await };
    let sparkling = create(category("WATER-SPARKLING", Some(water))).await;
    assert_eq!(sparkling.status, 201, "{}", sparkling.text());
    let sparkling = sparkling.json()["id"].as_i64().unwrap();
    let mineral = create(category("WATER-SPARKLING-MINERAL", Some(sparkling)))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();

    let tree = app.get("/api/v1/categories/tree", &admin).await.json();
    let water_at = tree
        .as_array()
        .unwrap()
        .iter()
        .position(|n| n["code"] == "WATER")
        .unwrap();
    assert_eq!(tree[water_at + 1]["code"], "WATER-SPARKLING");
    assert_eq!(tree[water_at + 1]["depth"], 1);
    assert_eq!(tree[water_at + 2]["depth"], 2);

    let looped = app
        .put(
            &format!("/api/v1/categories/{water}"),
            &admin,
            category("WATER", Some(mineral)),
        )
        .await;
    assert_eq!(looped.status, 422);
    assert_eq!(looped.error_codes(), vec!["category.cycle"]);
    let itself = app
        .put(
            &format!("/api/v1/categories/{sparkling}"),
            &admin,
            category("WATER-SPARKLING", Some(sparkling)),
        )
        .await;
    assert_eq!(itself.error_codes(), vec!["category.cycle"]);
    let moved = app
        .put(
            &format!("/api/v1/categories/{mineral}"),
            &admin,
            category("WATER-MINERAL", Some(water)),
        )
        .await;
    assert_eq!(moved.status, 204, "moved up and renamed");

    let full = app
        .call(
            Method::DELETE,
            &format!("/api/v1/categories/{water}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(full.status, 409, "it still holds products and categories");
    assert_eq!(full.json()["code"], "category.not_empty");
    let empty = app
        .call(
            Method::DELETE,
            &format!("/api/v1/categories/{mineral}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(empty.status, 204);
    let manager = app.token("manager@demo.test").await;
    let refused = app
        .call(
            Method::DELETE,
            &format!("/api/v1/categories/{sparkling}"),
            Some(&manager),
            None,
        )
        .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn a_category_filter_shows_the_products_of_its_subcategories() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let drinks = app
        .post("/api/v1/categories", &admin, category("DRINKS", None))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let juice = id_of(&app, "categories", "code", "JUICE").await;
    let moved = app
        .put(
            &format!("/api/v1/categories/{juice}"),
            &admin,
            json!({ "code": "JUICE", "name_en": "Juices", "name_ru": "Соки", "name_zh": "果汁", "parent_id": drinks }),
        )
        .await;
    assert_eq!(moved.status, 204, "{}", moved.text());
    let dealer = app.token("dealer@demo.test").await;
    let page = app
        .get(&format!("/api/v1/catalog?category_id={drinks}"), &dealer)
        .await
        .json();
    let skus: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sku"].as_str().unwrap())
        .collect();
    assert!(!skus.is_empty(), "the juices are under drinks now");
    assert!(skus.contains(&"BS-0006"));
}

#[tokio::test]
async fn the_category_page_explains_a_refused_move_in_russian() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let water = id_of(&app, "categories", "code", "WATER").await.to_string();
    let created = app
        .submit(
            &session,
            "/categories",
            &[
                ("code", "WATER-KIDS"),
                ("name_en", "For children"),
                ("name_ru", "Детская"),
                ("name_zh", "儿童"),
                ("parent_id", &water),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    let kids = id_of(&app, "categories", "code", "WATER-KIDS").await.to_string();
    let _ = app.submit(&session, "/account/language", &[("locale", "ru")]).await;
    let tree = app.page(&session, "/categories").await.text();
    assert!(tree.contains("Детская"));
    let form = app.page(&session, &format!("/categories/{water}")).await.text();
    assert!(
        !form.contains(&format!("<option value=\"{kids}\"")),
        "a category's own subtree is not offered as its parent"
    );
    let refused = app
        .submit(
            &session,
            &format!("/categories/{water}"),
            &[
                ("code", "WATER"),
                ("name_en", "Mineral water"),
                ("name_ru", "Минеральная вода"),
                ("name_zh", "矿泉水"),
                ("parent_id", &kids),
            ],
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(
        refused.text().contains("Группу нельзя поместить в саму себя"),
        "{}",
        refused.text()
    );
}

//! Product pictures: PNG, JPEG or WebP by their own signature, a few per product, shown in the
//! catalog, and served only to those who may see the product.

use axum::body::Body;
use axum::http::{header, Method, Request};
use testkit::TestApp;

use crate::id_of;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

async fn upload(app: &TestApp, token: &str, product: i64, bytes: Vec<u8>, claimed: &str) -> testkit::TestResponse {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/products/{product}/images"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, claimed)
            .body(Body::from(bytes))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn pictures_are_checked_by_their_content_and_limited() {
    let app = TestApp::with_demo().await;
    let admin = app.token("admin@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let text = upload(&app, &admin, water, b"<svg onload=alert(1)>".to_vec(), "image/png").await;
    assert_eq!(text.status, 422, "the client's content type is not believed");
    assert_eq!(text.error_codes(), vec!["product.image_type"]);
    let mut huge = PNG.to_vec();
    huge.resize(3 * 1024 * 1024, 0);
    let too_big = upload(&app, &admin, water, huge, "image/png").await;
    assert_eq!(too_big.error_codes(), vec!["product.image_size"]);

    let images = app
        .get(&format!("/api/v1/products/{water}/images"), &admin)
        .await
        .json();
    let already = images.as_array().unwrap().len();
    assert_eq!(already, 1, "the demo gives each product a picture");
    for _ in already..8 {
        assert_eq!(
            upload(&app, &admin, water, PNG.to_vec(), "application/octet-stream")
                .await
                .status,
            201
        );
    }
    let ninth = upload(&app, &admin, water, PNG.to_vec(), "image/png").await;
    assert_eq!(ninth.error_codes(), vec!["product.too_many_images"]);

    let manager = app.token("manager@demo.test").await;
    assert_eq!(
        upload(&app, &manager, water, PNG.to_vec(), "image/png").await.status,
        403
    );
}

#[tokio::test]
async fn a_dealer_sees_pictures_of_published_products_only() {
    let app = TestApp::with_demo().await;
    let chinese = app.token("dealer2@demo.test").await;
    let energy = app
        .count("SELECT p.id AS n FROM products p JOIN categories c ON c.id = p.category_id WHERE c.code = 'ENERGY'")
        .await;
    let energy_image = app
        .count(&format!(
            "SELECT MIN(id) AS n FROM product_images WHERE product_id = {energy}"
        ))
        .await;
    let hidden = app
        .get(&format!("/api/v1/products/{energy}/images/{energy_image}"), &chinese)
        .await;
    assert_eq!(hidden.status, 404, "energy drinks are published to Russia only");

    let water = id_of(&app, "products", "sku", "BS-0001").await;
    let image = app
        .count(&format!(
            "SELECT MIN(id) AS n FROM product_images WHERE product_id = {water}"
        ))
        .await;
    let seen = app
        .get(&format!("/api/v1/products/{water}/images/{image}"), &chinese)
        .await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.headers["content-type"], "image/png");
    assert_eq!(seen.headers["cache-control"], "private, max-age=86400");
    assert!(seen.body.starts_with(b"\x89PNG"));

    let session = app.browser_session("dealer2@demo.test").await;
    let catalog = app.page(&session, "/catalog?search=BS-0001").await.text();
    assert!(
        catalog.contains(&format!("src=\"/products/{water}/images/{image}\"")),
        "a thumbnail on the row"
    );
    let page = app
        .page(&session, &format!("/products/{energy}/images/{energy_image}"))
        .await;
    assert_eq!(page.status, 404);
}

#[tokio::test]
async fn the_product_page_explains_a_refused_picture() {
    let app = TestApp::with_demo().await;
    let session = app.browser_session("admin@demo.test").await;
    let water = id_of(&app, "products", "sku", "BS-0002").await;
    let boundary = "picture";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"note.txt\"\r\nContent-Type: image/png\r\n\r\n",
        session.csrf_token
    )
    .into_bytes();
    body.extend_from_slice(b"just text");
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    let refused = app
        .send(
            Request::post(format!("/products/{water}/images"))
                .header(header::COOKIE, &session.cookie)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(refused
        .text()
        .contains("Only PNG, JPEG and WebP pictures are accepted."));
    let page = app.page(&session, &format!("/products/{water}")).await.text();
    assert!(
        page.contains(&format!("src=\"/products/{water}/images/")),
        "the demo picture is shown"
    );
}

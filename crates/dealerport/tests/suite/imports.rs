//! Imports of many rows: every row is checked first, errors name the row and the field, and
//! nothing is written unless every row is valid.

use catalog::domain::ProductInput;
use identity::bulk::{self, DealerImportRow};
use identity::domain::{DealerInput, UserInput};
use platform::{Actor, Failure};
use pricing::domain::{PriceListInput, PriceRowInput};
use testkit::TestApp;

use crate::id_of;

async fn admin(app: &TestApp) -> Actor {
    let tenant = identity::queries::tenant_by_code(&app.db, "demo")
        .await
        .unwrap()
        .unwrap();
    Actor::system(tenant.id)
}

fn product(sku: &str, gtin: &str) -> ProductInput {
    ProductInput {
        sku: sku.into(),
        gtin: gtin.into(),
        category_code: Some("WATER".into()),
        name_en: "Water".into(),
        name_ru: "Вода".into(),
        name_zh: "水".into(),
        unit: "PCE".into(),
        pack_size: 6,
        ..ProductInput::default()
    }
}

fn invalid_fields(failure: Failure) -> Vec<(String, &'static str)> {
    match failure {
        Failure::Invalid(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn a_product_import_with_one_bad_row_names_it_and_adds_nothing() {
    let app = TestApp::with_demo().await;
    let actor = admin(&app).await;
    let before = app.count("SELECT COUNT(*) AS n FROM products").await;
    let rows = vec![
        product("NEW-1", "4607009999999"),
        product("NEW-2", "4607009999990"),
        ProductInput {
            pack_size: 0,
            ..product("NEW-1", "96385074")
        },
    ];
    let failure = catalog::commands::import_products(&app.db, &app.clock, &actor, &rows)
        .await
        .unwrap_err();
    assert_eq!(
        invalid_fields(failure),
        vec![
            ("rows[1].gtin".to_owned(), "identifier.check_digit"),
            ("rows[2].sku".to_owned(), "product.sku_repeated"),
            ("rows[2].pack_size".to_owned(), "field.positive"),
        ]
    );
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM products").await, before);
    let good = vec![product("NEW-1", "4607009999999"), product("NEW-2", "96385074")];
    assert_eq!(
        catalog::commands::import_products(&app.db, &app.clock, &actor, &good)
            .await
            .unwrap(),
        2
    );
    let again = catalog::commands::import_products(&app.db, &app.clock, &actor, &good)
        .await
        .unwrap_err();
    assert!(matches!(
        again,
        Failure::Conflict {
            code: "product.sku_or_gtin_taken"
        }
    ));
}

#[tokio::test]
async fn price_rows_are_checked_against_the_lists_currency_and_the_tenants_products() {
    let app = TestApp::with_demo().await;
    let actor = admin(&app).await;
    let list = pricing::commands::create_price_list(
        &app.db,
        &app.clock,
        &actor,
        &PriceListInput {
            code: "TEST".into(),
            name: "Test".into(),
            audience: "tier".into(),
            audience_id: Some(2),
            currency: "RUB".into(),
        },
    )
    .await
    .unwrap();
    let product = id_of(&app, "products", "sku", "BS-0001").await;
    let row = |price: &str, quantity: i64| PriceRowInput {
        product_id: product,
        min_quantity: quantity,
        unit_price: price.into(),
        valid_from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        valid_to: None,
    };
    let failure = pricing::commands::import_price_rows(
        &app.db,
        &app.clock,
        &actor,
        list,
        &[row("49.999", 1), row("-1", 1), row("12,50", 0)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        invalid_fields(failure),
        vec![
            ("rows[0].unit_price".to_owned(), "money.too_many_decimals"),
            ("rows[1].unit_price".to_owned(), "field.positive"),
            ("rows[2].min_quantity".to_owned(), "field.positive"),
        ]
    );
    let foreign = PriceRowInput {
        product_id: 999_999,
        ..row("10", 1)
    };
    let failure = pricing::commands::import_price_rows(&app.db, &app.clock, &actor, list, &[foreign])
        .await
        .unwrap_err();
    assert_eq!(
        invalid_fields(failure),
        vec![("product_id".to_owned(), "field.not_found")]
    );
    assert_eq!(
        pricing::commands::import_price_rows(&app.db, &app.clock, &actor, list, &[row("12,50", 10)])
            .await
            .unwrap(),
        1
    );
    let stored = app
        .count(&format!(
            "SELECT unit_price_minor AS n FROM price_list_rows WHERE price_list_id = {list}"
        ))
        .await;
    assert_eq!(stored, 1250, "12,50 roubles are kept as 1250 kopecks");
}

#[tokio::test]
async fn a_dealer_import_refuses_foreign_regions_and_bad_glns_by_row() {
    let app = TestApp::with_demo().await;
    let actor = admin(&app).await;
    let before = app.count("SELECT COUNT(*) AS n FROM dealers").await;
    let region = identity::domain::RegionInput {
        code: "X".into(),
        name: "X".into(),
        kind: "country".into(),
        parent_id: None,
    };
    let other = identity::commands::create_tenant(
        &app.db,
        &app.clock,
        &identity::domain::NewTenant {
            code: "x".into(),
            name: "X".into(),
            currency: "RUB".into(),
            default_locale: "en".into(),
            time_zone: "UTC".into(),
        },
    )
    .await
    .unwrap();
    let foreign_region = identity::commands::create_region(&app.db, &app.clock, &Actor::system(other.id), &region)
        .await
        .unwrap()
        .id;
    let row = |code: &str, gln: &str, region_id| DealerImportRow {
        dealer: DealerInput {
            code: code.into(),
            legal_name: "ООО Тест".into(),
            gln: Some(gln.into()),
            tier: 1,
            region_id,
            ..DealerInput::default()
        },
        location: None,
    };
    let own_region = platform::RegionId(id_of(&app, "regions", "code", "RU-MOW").await);
    let failure = bulk::import_dealers(
        &app.db,
        &app.clock,
        &actor,
        &[
            row("OK-1", "4601234500104", own_region),
            row("BAD-1", "4601234500105", own_region),
            row("BAD-2", "4601234500111", foreign_region),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(
        invalid_fields(failure.into()),
        vec![
            ("rows[1].gln".to_owned(), "identifier.check_digit"),
            ("rows[2].region_id".to_owned(), "field.not_found")
        ]
    );
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM dealers").await, before);
}

#[tokio::test]
async fn imported_users_sign_in_with_their_initial_password() {
    let app = TestApp::with_demo().await;
    let actor = admin(&app).await;
    let dealer = platform::DealerId(id_of(&app, "dealers", "code", "NEVA-TRADE").await);
    let rows: Vec<UserInput> = (1..=3)
        .map(|n| UserInput {
            login: format!("buyer{n}@neva.example"),
            display_name: format!("Buyer {n}"),
            dealer_id: Some(dealer),
            roles: vec!["purchaser".into()],
            ..UserInput::default()
        })
        .collect();
    assert_eq!(
        bulk::import_users(&app.db, &app.clock, &actor, &rows, testkit::PASSWORD)
            .await
            .unwrap(),
        3
    );
    let token = app.token("buyer2@neva.example").await;
    let me = app.get("/api/v1/dealers", &token).await.json();
    assert_eq!(me["items"][0]["code"], "NEVA-TRADE");
    assert_eq!(me["total"], 1);
}

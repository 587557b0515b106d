//! The demo catalog: Baikal Springs' waters, juices, teas and lemonades, with a base price list
//! in roubles, a price list in yuan for China and a dealer-specific list for Vektor.

use catalog::domain::{CategoryInput, ProductInput, PublicationAudience, PublicationInput, SalesOrganisationInput};
use chrono::NaiveDate;
use platform::{Actor, Clock, Db, DealerId, Gtin, RegionId};
use pricing::domain::{BundleComponentInput, PriceListInput, PriceRowInput, PromotionAudienceInput, PromotionInput};

use crate::{find, Created, DemoError};

/// (code, English, Russian, Chinese)
pub const CATEGORIES: [(&str, &str, &str, &str); 5] = [
    ("WATER", "Mineral water", "Минеральная вода", "矿泉水"),
    ("JUICE", "Juices", "Соки", "果汁"),
    ("TEA", "Iced tea", "Холодный чай", "冰茶"),
    ("LEMONADE", "Lemonades", "Лимонады", "柠檬水"),
    ("ENERGY", "Energy drinks", "Энергетики", "能量饮料"),
];

/// (category, English, Russian, Chinese, litres ×100, pack size, base price in kopecks)
/// The group's selling companies: the water company and its juice sister company.
const SALES_ORGANISATIONS: [(&str, &str); 2] = [("BS01", "ООО «Байкал Спрингс»"), ("BJ01", "ООО «Байкальские соки»")];

const PRODUCTS: [(&str, &str, &str, &str, i64, i64, i64); 17] = [
    (
        "WATER",
        "Baikal still water",
        "Байкальская вода негазированная",
        "贝加尔湖纯净水",
        50,
        12,
        4900,
    ),
    (
        "WATER",
        "Baikal still water",
        "Байкальская вода негазированная",
        "贝加尔湖纯净水",
        150,
        6,
        8900,
    ),
    (
        "WATER",
        "Baikal sparkling water",
        "Байкальская вода газированная",
        "贝加尔湖气泡水",
        50,
        12,
        5400,
    ),
    (
        "WATER",
        "Baikal sparkling water",
        "Байкальская вода газированная",
        "贝加尔湖气泡水",
        150,
        6,
        9500,
    ),
    (
        "WATER",
        "Baikal water in glass",
        "Байкальская вода в стекле",
        "贝加尔湖玻璃瓶装水",
        33,
        24,
        11900,
    ),
    (
        "JUICE",
        "Sea buckthorn juice",
        "Облепиховый сок",
        "沙棘汁",
        100,
        12,
        18900,
    ),
    ("JUICE", "Apple juice", "Яблочный сок", "苹果汁", 100, 12, 13900),
    (
        "JUICE",
        "Cranberry morse",
        "Клюквенный морс",
        "蔓越莓果饮",
        100,
        12,
        15900,
    ),
    (
        "TEA",
        "Iced green tea with lemon",
        "Холодный зелёный чай с лимоном",
        "柠檬绿茶",
        50,
        12,
        8900,
    ),
    (
        "TEA",
        "Iced black tea with peach",
        "Холодный чёрный чай с персиком",
        "蜜桃红茶",
        50,
        12,
        8900,
    ),
    (
        "TEA",
        "Iced jasmine tea",
        "Холодный жасминовый чай",
        "茉莉花茶",
        50,
        12,
        9400,
    ),
    (
        "LEMONADE",
        "Tarragon lemonade",
        "Лимонад «Тархун»",
        "龙蒿柠檬水",
        50,
        12,
        7900,
    ),
    (
        "LEMONADE",
        "Baikal lemonade",
        "Лимонад «Байкал»",
        "贝加尔柠檬水",
        50,
        12,
        7900,
    ),
    (
        "LEMONADE",
        "Pear lemonade",
        "Лимонад «Дюшес»",
        "梨子柠檬水",
        150,
        6,
        11900,
    ),
    (
        "ENERGY",
        "Taiga energy drink",
        "Энергетик «Тайга»",
        "泰加能量饮料",
        45,
        24,
        9900,
    ),
    (
        "ENERGY",
        "Taiga energy drink sugar free",
        "Энергетик «Тайга» без сахара",
        "泰加无糖能量饮料",
        45,
        24,
        9900,
    ),
    // Sold as a bundle: two still, two sparkling and two teas at a bundle price.
    (
        "WATER",
        "Baikal tasting set",
        "Дегустационный набор «Байкал»",
        "贝加尔品鉴套装",
        300,
        1,
        39900,
    ),
];

/// Everything to every dealer, but energy drinks only in Russia, where they are licensed.
async fn publish_categories(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    regions: &Created<RegionId>,
) -> Result<(), DemoError> {
    let categories = catalog::queries::categories(db, actor).await?;
    for category in categories {
        let (audience, audience_id) = if category.code == "ENERGY" {
            (PublicationAudience::Region, Some(find(regions, "RU")?.get()))
        } else {
            (PublicationAudience::All, None)
        };
        let publication = PublicationInput {
            product_ids: Vec::new(),
            category_id: Some(category.id),
            audience,
            audience_id,
        };
        catalog::commands::change_publication(db, clock, actor, &publication, true).await?;
    }
    Ok(())
}

/// A GTIN-13 from the demo's company prefix and a serial number.
pub fn demo_gtin(serial: u64) -> Result<Gtin, DemoError> {
    Gtin::with_check_digit(&format!("46070{serial:07}")).map_err(|e| DemoError::Data(e.to_string()))
}

fn litres(centilitres: i64) -> String {
    let whole = centilitres / 100;
    let fraction = centilitres % 100;
    if fraction == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{fraction:02}").trim_end_matches('0'))
    }
}

/// (code, name, audience, audience id, currency, price from the base price in kopecks)
type DemoPriceList = (
    &'static str,
    &'static str,
    &'static str,
    Option<i64>,
    &'static str,
    fn(i64) -> i64,
);

/// A decimal price text from minor units, as an import file would have it.
pub fn price_text(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

pub fn price_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
}

pub async fn seed_catalog(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    regions: &Created<RegionId>,
    dealers: &Created<DealerId>,
) -> Result<(), DemoError> {
    for (code, en, ru, zh) in CATEGORIES {
        let input = CategoryInput {
            code: code.to_owned(),
            name_en: en.to_owned(),
            name_ru: ru.to_owned(),
            name_zh: zh.to_owned(),
            parent_id: None,
        };
        catalog::commands::create_category(db, clock, actor, &input).await?;
    }
    // Water and juice are made and sold by two companies of the group; an order of both
    // becomes two sales orders, each invoiced by its own company.
    for (code, name) in SALES_ORGANISATIONS {
        let input = SalesOrganisationInput {
            code: code.to_owned(),
            name: name.to_owned(),
        };
        catalog::commands::create_sales_organisation(db, clock, actor, &input).await?;
    }
    let mut products = Vec::new();
    for (serial, (category, en, ru, zh, centilitres, pack, _)) in PRODUCTS.iter().enumerate() {
        let size = litres(*centilitres);
        products.push(ProductInput {
            sku: format!("BS-{:04}", serial + 1),
            gtin: demo_gtin(serial as u64 + 1)?.as_str().to_owned(),
            category_code: Some((*category).to_owned()),
            name_en: format!("{en} {size} L"),
            name_ru: format!("{ru} {} л", size.replace('.', ",")),
            name_zh: format!("{zh} {size}升"),
            description_en: format!("{en}, {size} L. Bottled at Lake Baikal."),
            description_ru: format!("{ru}, {} л. Разлито на Байкале.", size.replace('.', ",")),
            description_zh: format!("{zh}，{size}升。贝加尔湖灌装。"),
            unit: "BO".to_owned(),
            pack_size: *pack,
            min_order_quantity: *pack,
            order_multiple: *pack,
            vat_rate: "20".to_owned(),
            weight_grams: Some(centilitres * 10 + 40),
            volume_ml: Some(centilitres * 10),
            status: None,
            // Juices keep for months, not years: each shipment names the batch and its expiry.
            lot_tracked: *category == "JUICE",
            sales_organisation_code: Some(if *category == "JUICE" { "BJ01" } else { "BS01" }.to_owned()),
        });
    }
    catalog::commands::import_products(db, clock, actor, &products).await?;
    publish_categories(db, clock, actor, regions).await?;
    let ids = catalog::queries::product_ids_by_sku(db, actor).await?;
    for (serial, (category, ..)) in PRODUCTS.iter().enumerate() {
        let colour = match *category {
            "WATER" => [38, 120, 196],
            "JUICE" => [240, 140, 30],
            "TEA" => [70, 150, 80],
            "LEMONADE" => [235, 205, 60],
            _ => [200, 50, 50],
        };
        if let Some(id) = ids.get(&format!("BS-{:04}", serial + 1)) {
            catalog::commands::add_product_image(db, clock, actor, *id, crate::pictures::solid_png(96, colour)).await?;
        }
    }
    let product_id = |serial: usize| {
        ids.get(&format!("BS-{:04}", serial + 1))
            .copied()
            .ok_or_else(|| DemoError::Data(format!("product {serial} missing")))
    };
    let lists: [DemoPriceList; 3] = [
        ("BASE-RUB", "Base price list", "base", None, "RUB", |price| price),
        (
            "CN-CNY",
            "China price list",
            "region",
            Some(find(regions, "CN")?.get()),
            "CNY",
            |price| price * 9 / 100,
        ),
        (
            "VEKTOR-2026",
            "Vektor contract prices",
            "dealer",
            Some(find(dealers, "VEKTOR")?.get()),
            "RUB",
            |price| price * 92 / 100,
        ),
    ];
    for (code, name, audience, audience_id, currency, price_of) in lists {
        let list = PriceListInput {
            code: code.to_owned(),
            name: name.to_owned(),
            audience: audience.to_owned(),
            audience_id,
            currency: currency.to_owned(),
        };
        let list_id = pricing::commands::create_price_list(db, clock, actor, &list).await?;
        let mut rows = Vec::new();
        for (serial, product) in PRODUCTS.iter().enumerate() {
            let price = price_of(product.6);
            rows.push(PriceRowInput {
                product_id: product_id(serial)?,
                min_quantity: 1,
                unit_price: price_text(price),
                valid_from: price_start(),
                valid_to: None,
            });
            // A quantity break: 5% off from ten packs on.
            rows.push(PriceRowInput {
                product_id: product_id(serial)?,
                min_quantity: product.5 * 10,
                unit_price: price_text(price * 95 / 100),
                valid_from: price_start(),
                valid_to: None,
            });
        }
        pricing::commands::import_price_rows(db, clock, actor, list_id, &rows).await?;
    }
    seed_promotions(db, clock, actor, regions, &|serial| product_id(serial)).await
}

/// A promotion of each kind, running from a month ago to two months ahead of seeding.
async fn seed_promotions(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    regions: &Created<RegionId>,
    product_id: &dyn Fn(usize) -> Result<i64, DemoError>,
) -> Result<(), DemoError> {
    let today = clock.now().date_naive();
    let categories = catalog::queries::categories(db, actor).await?;
    let category = |code: &str| categories.iter().find(|c| c.code == code).map(|c| c.id);
    let base = |code: &str, name: &str, kind: &str, currency: &str| PromotionInput {
        code: code.to_owned(),
        name: name.to_owned(),
        kind: kind.to_owned(),
        currency: currency.to_owned(),
        starts_on: today - chrono::TimeDelta::days(30),
        ends_on: today + chrono::TimeDelta::days(60),
        priority: 0,
        stackable: false,
        percent: None,
        amount: None,
        threshold: None,
        repeat: false,
        buy: None,
        get: None,
        free_product_id: None,
        bundle_product_id: None,
        components: Vec::new(),
        bundle_price: None,
        budget: None,
        quantity_cap: None,
        audiences: Vec::new(),
        product_ids: Vec::new(),
        category_ids: Vec::new(),
    };
    let promotions = [
        PromotionInput {
            percent: Some("10".to_owned()),
            priority: 10,
            category_ids: category("TEA").into_iter().collect(),
            budget: Some("250000".to_owned()),
            ..base("TEA-10", "Iced tea season: 10 % off", "percent_off", "RUB")
        },
        PromotionInput {
            buy: Some(12),
            get: Some(1),
            stackable: true,
            product_ids: vec![product_id(0)?],
            quantity_cap: Some(5_000),
            ..base("WATER-12-1", "Still water: buy 12, get 1 free", "buy_get", "RUB")
        },
        PromotionInput {
            threshold: Some("50000".to_owned()),
            amount: Some("2500".to_owned()),
            repeat: true,
            stackable: true,
            category_ids: ["WATER", "JUICE", "LEMONADE"]
                .iter()
                .filter_map(|c| category(c))
                .collect(),
            ..base("SPEND-50K", "Spend 50,000 ₽, save 2,500 ₽", "spend_save", "RUB")
        },
        PromotionInput {
            bundle_product_id: Some(product_id(16)?),
            components: vec![
                BundleComponentInput {
                    product_id: product_id(0)?,
                    quantity: 2,
                },
                BundleComponentInput {
                    product_id: product_id(2)?,
                    quantity: 2,
                },
                BundleComponentInput {
                    product_id: product_id(8)?,
                    quantity: 2,
                },
            ],
            bundle_price: Some("349.00".to_owned()),
            ..base("TASTING-SET", "Tasting set at a bundle price", "bundle", "RUB")
        },
        PromotionInput {
            percent: Some("5".to_owned()),
            audiences: vec![PromotionAudienceInput {
                audience: "region".to_owned(),
                audience_id: Some(find(regions, "CN")?.get()),
            }],
            category_ids: category("JUICE").into_iter().collect(),
            ..base("CN-JUICE-5", "果汁节 5% 优惠", "percent_off", "CNY")
        },
    ];
    for promotion in &promotions {
        pricing::commands::create_promotion(db, clock, actor, promotion).await?;
    }
    Ok(())
}

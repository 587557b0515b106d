//! Volume for benchmarks: 200 regions, 10,000 dealers, 30,000 users, 100,000 products, a base
//! price list for every product, a million dealer-specific price rows and the distributors'
//! open orders (see [`crate::history`]). Everything goes through the same import commands as real
//! data, in batches, so it finishes in minutes.

use std::time::Instant;

use catalog::domain::ProductInput;
use identity::bulk::{self, DealerImportRow};
use identity::domain::*;
use platform::{Actor, Clock, Db, DealerId, Gln, RegionId};
use pricing::domain::{PriceListInput, PriceRowInput, PromotionAudienceInput, PromotionInput};

use crate::catalog::{demo_gtin, price_start, price_text, CATEGORIES};
use crate::{find, Created, DemoError};

pub const REGIONS: usize = 200;
pub const DEALERS: usize = 10_000;
pub const USERS_PER_DEALER: usize = 3;
pub const PRODUCTS: usize = 100_000;
pub const DEALER_PRICE_ROWS: usize = 1_000_000;
pub const PROMOTIONS: usize = 200;
/// Dealers with a price list of their own; each has `DEALER_PRICE_ROWS / DEALERS_WITH_PRICES` rows.
const DEALERS_WITH_PRICES: usize = 2_000;

/// A small deterministic generator, so every large demo is the same. Its seed is not zero.
pub(crate) struct Sequence(pub(crate) u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % bound.max(1) as u64).unwrap_or(0)
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn progress(started: Instant, what: &str) {
    eprintln!("  {:>6.1} s  {what}", started.elapsed().as_secs_f64());
}

pub async fn seed_volume(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    small_regions: &Created<RegionId>,
) -> Result<String, DemoError> {
    let started = Instant::now();
    let mut sequence = Sequence(0x5eed_ba1c_a1d0_0001);
    let territories = seed_regions(db, clock, actor, small_regions).await?;
    progress(started, "regions");
    let groups = seed_groups(db, clock, actor).await?;
    let dealers = seed_dealers(db, clock, actor, &territories, &groups, &mut sequence).await?;
    progress(started, "dealers");
    seed_users(db, clock, actor, &dealers).await?;
    progress(started, "users");
    let products = seed_products(db, clock, actor).await?;
    progress(started, "products");
    seed_prices(db, clock, actor, &dealers, &products, &mut sequence).await?;
    progress(started, "price rows");
    seed_promotions(db, clock, actor, &territories, &groups, &products, &mut sequence).await?;
    progress(started, "promotions");
    seed_stock(db, clock, actor, &products).await?;
    progress(started, "stock");
    let orders = crate::history::seed_open_orders(db, clock, actor, &dealers, &products).await?;
    progress(started, "open orders");
    db.refresh_statistics().await?;
    progress(started, "statistics");
    Ok(format!(
        "; added volume: {} regions in all, {} dealers, {} users, {} products, {} dealer-specific price rows, {} promotions, {} open orders in {:.0} s",
        REGIONS,
        DEALERS,
        DEALERS * USERS_PER_DEALER,
        PRODUCTS,
        DEALER_PRICE_ROWS,
        PROMOTIONS,
        orders,
        started.elapsed().as_secs_f64()
    ))
}

/// Territories under the small demo's federal districts and 大区, up to 200 regions in all.
async fn seed_regions(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    small: &Created<RegionId>,
) -> Result<Vec<RegionId>, DemoError> {
    let parents = ["RU-CEN", "RU-NW", "RU-SIB", "CN-E", "CN-S"];
    let mut territories: Vec<RegionId> = [
        "RU-MOW", "RU-TUL", "RU-SPE", "RU-NVS", "RU-IRK", "CN-SH", "CN-ZJ", "CN-GD",
    ]
    .iter()
    .map(|code| find(small, code))
    .collect::<Result<_, _>>()?;
    for n in 0..REGIONS - small.len() {
        let parent = parents[n % parents.len()];
        let name = if parent.starts_with("CN") {
            format!("{}区域{}", &parent[3..], n + 1)
        } else {
            format!("Территория {parent}-{}", n + 1)
        };
        let input = RegionInput {
            code: format!("{parent}-T{:03}", n + 1),
            name,
            kind: "territory".to_owned(),
            parent_id: Some(find(small, parent)?),
        };
        territories.push(identity::commands::create_region(db, clock, actor, &input).await?.id);
    }
    Ok(territories)
}

async fn seed_groups(db: &Db, clock: &Clock, actor: &Actor) -> Result<Vec<i64>, DemoError> {
    let mut groups = identity::queries::dealer_groups(db, actor)
        .await?
        .iter()
        .map(|g| g.id)
        .collect::<Vec<_>>();
    for n in groups.len()..20 {
        let input = DealerGroupInput {
            code: format!("SEGMENT-{n:02}"),
            name: format!("Segment {n:02}"),
        };
        groups.push(
            identity::commands::create_dealer_group(db, clock, actor, &input)
                .await?
                .id,
        );
    }
    Ok(groups)
}

const RU_WORDS: [&str; 12] = [
    "Вектор",
    "Альфа",
    "Северный",
    "Волна",
    "Исток",
    "Родник",
    "Опт",
    "Трейд",
    "Снаб",
    "Маркет",
    "Плюс",
    "Регион",
];
const CN_WORDS: [&str; 12] = [
    "华源", "恒通", "宏达", "鑫盛", "永安", "金泉", "顺发", "天成", "瑞丰", "百润", "嘉禾", "新城",
];

async fn seed_dealers(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    territories: &[RegionId],
    groups: &[i64],
    sequence: &mut Sequence,
) -> Result<Vec<DealerId>, DemoError> {
    let distributors = DEALERS / 5;
    let mut rows = Vec::with_capacity(DEALERS);
    let mut parents: Vec<(String, bool)> = Vec::new();
    for n in 1..=DEALERS {
        let chinese = n % 3 == 0;
        let code = format!("D-{n:05}");
        let legal_name = if chinese {
            format!(
                "{}{}饮品贸易有限公司",
                sequence.pick(&CN_WORDS),
                sequence.pick(&CN_WORDS)
            )
        } else {
            format!("ООО «{} {}»", sequence.pick(&RU_WORDS), sequence.pick(&RU_WORDS))
        };
        let prefix = if chinese { "6901" } else { "4601" };
        let gln = Gln::with_check_digit(&format!("{prefix}{n:08}")).map_err(|e| DemoError::Data(e.to_string()))?;
        let tier = if n <= distributors { 1 } else { 2 };
        let region_id = *sequence.pick(territories);
        rows.push((
            code.clone(),
            tier,
            chinese,
            DealerImportRow {
                dealer: DealerInput {
                    code: code.clone(),
                    legal_name,
                    tax_number: Some(format!("{:010}", 7_700_000_000_u64 + n as u64)),
                    gln: Some(gln.as_str().to_owned()),
                    tier,
                    parent_dealer_id: None,
                    region_id,
                    status: Some(if n % 50 == 0 { "suspended" } else { "active" }.to_owned()),
                    group_ids: vec![*sequence.pick(groups)],
                    currency: None,
                },
                location: Some(LocationInput {
                    code: "MAIN".to_owned(),
                    name: if chinese {
                        "主仓库".to_owned()
                    } else {
                        "Основной склад".to_owned()
                    },
                    address: if chinese {
                        format!("工业园区{n}号")
                    } else {
                        format!("ул. Складская, {n}")
                    },
                    gln: None,
                    is_primary: true,
                }),
            },
        ));
        if tier == 1 {
            parents.push((code, chinese));
        }
    }
    let (first, second): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, tier, _, _)| *tier == 1);
    let first: Vec<DealerImportRow> = first.into_iter().map(|(_, _, _, row)| row).collect();
    for chunk in first.chunks(2_000) {
        bulk::import_dealers(db, clock, actor, chunk).await?;
    }
    let ids = dealer_ids(db, actor).await?;
    let russian: Vec<DealerId> = parents
        .iter()
        .filter(|(_, cn)| !cn)
        .filter_map(|(c, _)| ids.get(c).copied())
        .collect();
    let chinese: Vec<DealerId> = parents
        .iter()
        .filter(|(_, cn)| *cn)
        .filter_map(|(c, _)| ids.get(c).copied())
        .collect();
    let mut second: Vec<DealerImportRow> = second
        .into_iter()
        .map(|(_, _, cn, row)| (cn, row))
        .map(|(cn, mut row)| {
            row.dealer.parent_dealer_id = Some(*sequence.pick(if cn { &chinese } else { &russian }));
            row
        })
        .collect();
    second.truncate(DEALERS - distributors);
    for chunk in second.chunks(2_000) {
        bulk::import_dealers(db, clock, actor, chunk).await?;
    }
    let ids = dealer_ids(db, actor).await?;
    Ok((1..=DEALERS)
        .filter_map(|n| ids.get(&format!("D-{n:05}")).copied())
        .collect())
}

async fn dealer_ids(db: &Db, actor: &Actor) -> Result<std::collections::HashMap<String, DealerId>, DemoError> {
    Ok(identity::queries::dealer_ids_by_code(db, actor).await?)
}

async fn seed_users(db: &Db, clock: &Clock, actor: &Actor, dealers: &[DealerId]) -> Result<(), DemoError> {
    let roles: [(&str, &[&str]); USERS_PER_DEALER] = [
        ("admin", &["dealer_administrator", "purchaser"]),
        ("buyer", &["purchaser"]),
        ("clerk", &["receiving_clerk"]),
    ];
    let mut rows = Vec::with_capacity(dealers.len() * USERS_PER_DEALER);
    for (n, dealer_id) in dealers.iter().enumerate() {
        for (role_name, role_codes) in roles {
            rows.push(UserInput {
                login: format!("{role_name}.{:05}@dealers.demo.test", n + 1),
                display_name: format!("{role_name} {:05}", n + 1),
                dealer_id: Some(*dealer_id),
                roles: role_codes.iter().map(|r| (*r).to_owned()).collect(),
                ..UserInput::default()
            });
        }
    }
    for chunk in rows.chunks(10_000) {
        bulk::import_users(db, clock, actor, chunk, crate::DEMO_PASSWORD).await?;
    }
    Ok(())
}

const FLAVOURS: [(&str, &str, &str); 20] = [
    ("lemon", "лимон", "柠檬"),
    ("orange", "апельсин", "橙子"),
    ("apple", "яблоко", "苹果"),
    ("cherry", "вишня", "樱桃"),
    ("peach", "персик", "桃子"),
    ("pear", "груша", "梨"),
    ("grape", "виноград", "葡萄"),
    ("mango", "манго", "芒果"),
    ("lime", "лайм", "青柠"),
    ("mint", "мята", "薄荷"),
    ("ginger", "имбирь", "生姜"),
    ("cranberry", "клюква", "蔓越莓"),
    ("lingonberry", "брусника", "越橘"),
    ("sea buckthorn", "облепиха", "沙棘"),
    ("blackcurrant", "смородина", "黑加仑"),
    ("raspberry", "малина", "覆盆子"),
    ("tarragon", "тархун", "龙蒿"),
    ("jasmine", "жасмин", "茉莉"),
    ("lychee", "личи", "荔枝"),
    ("yuzu", "юдзу", "柚子"),
];

async fn seed_products(db: &Db, clock: &Clock, actor: &Actor) -> Result<Vec<i64>, DemoError> {
    let sizes = [(33, 24), (50, 12), (100, 12), (150, 6), (200, 6)];
    let first_serial = 1_000;
    let mut batch = Vec::with_capacity(10_000);
    for n in 0..PRODUCTS {
        let (category, en, ru, zh) = CATEGORIES[n % CATEGORIES.len()];
        let (flavour_en, flavour_ru, flavour_zh) = FLAVOURS[(n / CATEGORIES.len()) % FLAVOURS.len()];
        let (centilitres, pack) = sizes[(n / 100) % sizes.len()];
        let series = n / 500 + 1;
        batch.push(ProductInput {
            sku: format!("BS-{:06}", first_serial + n),
            gtin: demo_gtin((first_serial + n) as u64)?.as_str().to_owned(),
            category_code: Some(category.to_owned()),
            name_en: format!(
                "{en}, {flavour_en}, {:.2} L, series {series}",
                centilitres as f32 / 100.0
            ),
            name_ru: format!("{ru}, {flavour_ru}, {centilitres} сл, серия {series}"),
            name_zh: format!("{zh}·{flavour_zh} {centilitres}厘升 第{series}系列"),
            unit: "BO".to_owned(),
            pack_size: pack,
            ..ProductInput::default()
        });
        if batch.len() == 10_000 {
            catalog::commands::import_products(db, clock, actor, &batch).await?;
            batch.clear();
        }
    }
    catalog::commands::import_products(db, clock, actor, &batch).await?;
    for category in catalog::queries::categories(db, actor).await? {
        let publication = catalog::domain::PublicationInput {
            product_ids: Vec::new(),
            category_id: Some(category.id),
            audience: catalog::domain::PublicationAudience::All,
            audience_id: None,
        };
        catalog::commands::change_publication(db, clock, actor, &publication, true).await?;
    }
    let ids = catalog::queries::product_ids_by_sku(db, actor).await?;
    Ok((0..PRODUCTS)
        .filter_map(|n| ids.get(&format!("BS-{:06}", first_serial + n)).copied())
        .collect())
}

/// Plenty of every product in the Moscow warehouse, so that orders in benchmarks never run out.
async fn seed_stock(db: &Db, clock: &Clock, actor: &Actor, products: &[i64]) -> Result<(), DemoError> {
    let warehouse = fulfilment::queries::warehouses(db, actor)
        .await?
        .into_iter()
        .find(|w| w.code == "MSK-DC")
        .ok_or_else(|| DemoError::Data("the Moscow warehouse is missing".into()))?;
    let quantities: Vec<(i64, i64)> = products.iter().map(|id| (*id, 10_000_000)).collect();
    let mut tx = db.begin().await?;
    fulfilment::stock::record_opening_stock(&mut tx, actor.tenant_id, clock.now(), warehouse.id, &quantities).await?;
    tx.commit().await?;
    Ok(())
}

async fn seed_prices(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    dealers: &[DealerId],
    products: &[i64],
    sequence: &mut Sequence,
) -> Result<(), DemoError> {
    let base_price = |product: i64| 5_000 + (product % 200) * 100;
    let base = pricing::commands::create_price_list(
        db,
        clock,
        actor,
        &PriceListInput {
            code: "BASE-LARGE".to_owned(),
            name: "Base price list (volume)".to_owned(),
            audience: "base".to_owned(),
            audience_id: None,
            currency: "RUB".to_owned(),
        },
    )
    .await?;
    for chunk in products.chunks(20_000) {
        let rows: Vec<PriceRowInput> = chunk
            .iter()
            .map(|product| PriceRowInput {
                product_id: *product,
                min_quantity: 1,
                unit_price: price_text(base_price(*product)),
                valid_from: price_start(),
                valid_to: None,
            })
            .collect();
        pricing::commands::import_price_rows(db, clock, actor, base, &rows).await?;
    }
    let rows_per_dealer = DEALER_PRICE_ROWS / DEALERS_WITH_PRICES;
    for (n, dealer) in dealers.iter().take(DEALERS_WITH_PRICES).enumerate() {
        let list = pricing::commands::create_price_list(
            db,
            clock,
            actor,
            &PriceListInput {
                code: format!("DEALER-{:05}", n + 1),
                name: format!("Contract prices {:05}", n + 1),
                audience: "dealer".to_owned(),
                audience_id: Some(dealer.get()),
                currency: "RUB".to_owned(),
            },
        )
        .await?;
        let start = sequence.below(products.len() - rows_per_dealer);
        let discount = 85 + i64::try_from(n % 10).unwrap_or(0);
        let rows: Vec<PriceRowInput> = products[start..start + rows_per_dealer]
            .iter()
            .map(|product| PriceRowInput {
                product_id: *product,
                min_quantity: 1,
                unit_price: price_text(base_price(*product) * discount / 100),
                valid_from: price_start(),
                valid_to: None,
            })
            .collect();
        pricing::commands::import_price_rows(db, clock, actor, list, &rows).await?;
        if (n + 1) % 500 == 0 {
            eprintln!("  price lists: {} of {DEALERS_WITH_PRICES}", n + 1);
        }
    }
    Ok(())
}

/// Active promotions of every per-product kind, for audiences of every kind, each on 50
/// products; every tenth one on a whole category.
async fn seed_promotions(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    territories: &[RegionId],
    groups: &[i64],
    products: &[i64],
    sequence: &mut Sequence,
) -> Result<(), DemoError> {
    let today = clock.now().date_naive();
    let categories: Vec<i64> = catalog::queries::categories(db, actor)
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    for n in 0..PROMOTIONS {
        let audience = match n % 4 {
            0 => PromotionAudienceInput {
                audience: "all".to_owned(),
                audience_id: None,
            },
            1 => PromotionAudienceInput {
                audience: "region".to_owned(),
                audience_id: Some(sequence.pick(territories).get()),
            },
            2 => PromotionAudienceInput {
                audience: "group".to_owned(),
                audience_id: Some(*sequence.pick(groups)),
            },
            _ => PromotionAudienceInput {
                audience: "tier".to_owned(),
                audience_id: Some(1 + (n as i64 / 4) % 2),
            },
        };
        let start = sequence.below(products.len() - 50);
        let (product_ids, category_ids) = if n % 10 == 9 {
            (Vec::new(), vec![*sequence.pick(&categories)])
        } else {
            (products[start..start + 50].to_vec(), Vec::new())
        };
        let (kind, percent, amount, buy, get) = match n % 3 {
            0 => ("percent_off", Some(format!("{}", 3 + n % 12)), None, None, None),
            1 => ("amount_off", None, Some("1.50".to_owned()), None, None),
            _ => ("buy_get", None, None, Some(10 + (n as i64 % 3) * 10), Some(1)),
        };
        let input = PromotionInput {
            code: format!("VOLUME-{:03}", n + 1),
            name: format!("Volume promotion {}", n + 1),
            kind: kind.to_owned(),
            currency: "RUB".to_owned(),
            starts_on: today - chrono::TimeDelta::days(10),
            ends_on: today + chrono::TimeDelta::days(80),
            priority: (n % 5) as i64,
            stackable: n % 2 == 0,
            percent,
            amount,
            threshold: None,
            repeat: false,
            buy,
            get,
            free_product_id: None,
            bundle_product_id: None,
            components: Vec::new(),
            bundle_price: None,
            budget: (n % 4 == 0).then(|| "500000".to_owned()),
            quantity_cap: None,
            audiences: vec![audience],
            product_ids,
            category_ids,
        };
        pricing::commands::create_promotion(db, clock, actor, &input).await?;
    }
    Ok(())
}

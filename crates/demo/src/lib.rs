//! The demo tenant: Baikal Springs, a beverage brand selling through distributors in Russia and
//! China. It is the product's shop window, so it goes through the same commands as real users
//! (with validation and audit) and uses valid GLNs.
//!
//! Seeding never touches other data: if a tenant with the demo code exists, nothing is done.

mod catalog;
mod edi;
mod history;
mod large;
mod ordering;
mod pictures;

use identity::commands;
use identity::domain::*;
use platform::{Actor, Clock, Db, DealerId, Failure, Gln, RegionId};

pub const DEMO_TENANT_CODE: &str = "demo";
pub const DEMO_PASSWORD: &str = "dealerport";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A believable tenant to click through: a dozen dealers, the demo logins.
    Small,
    /// The small tenant plus volume for benchmarks.
    Large,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{0}")]
    Failure(#[from] Failure),
    #[error("the demo data is inconsistent: {0}")]
    Data(String),
}

impl From<identity::IdentityError> for DemoError {
    fn from(error: identity::IdentityError) -> Self {
        DemoError::Failure(error.into())
    }
}

impl From<platform::DbError> for DemoError {
    fn from(error: platform::DbError) -> Self {
        DemoError::Failure(Failure::Database(error))
    }
}

/// Seeds the demo tenant unless it exists; returns a line saying what was done.
pub async fn seed(db: &Db, clock: &Clock, scale: Scale) -> Result<String, DemoError> {
    if identity::queries::tenant_by_code(db, DEMO_TENANT_CODE).await?.is_some() {
        return Ok("the demo tenant is already there; nothing was changed".to_owned());
    }
    let tenant = commands::create_tenant(
        db,
        clock,
        &NewTenant {
            code: DEMO_TENANT_CODE.to_owned(),
            name: "Baikal Springs".to_owned(),
            currency: "RUB".to_owned(),
            default_locale: "en".to_owned(),
            time_zone: "Europe/Moscow".to_owned(),
        },
    )
    .await?;
    let system = Actor::system(tenant.id);
    let regions = seed_regions(db, clock, &system).await?;
    let groups = seed_groups(db, clock, &system).await?;
    let dealers = seed_dealers(db, clock, &system, &regions, &groups).await?;
    seed_users(db, clock, &system, &regions, &dealers).await?;
    catalog::seed_catalog(db, clock, &system, &regions, &dealers).await?;
    ordering::seed_ordering(db, clock, &system, &dealers).await?;
    edi::seed_edi(db, clock, &system, &tenant, &dealers).await?;
    let mut report = format!(
        "seeded the demo tenant \"{}\": {} regions, {} dealers; sign in as admin@demo.test, manager@demo.test, \
         dealer@demo.test or dealer2@demo.test with the password \"{DEMO_PASSWORD}\"",
        tenant.name,
        regions.len(),
        dealers.len()
    );
    if scale == Scale::Large {
        report.push_str(&large::seed_volume(db, clock, &system, &regions).await?);
    }
    Ok(report)
}

/// Region codes and their ids, in the order they were created.
pub(crate) type Created<T> = Vec<(&'static str, T)>;

pub(crate) fn find<T: Copy>(created: &Created<T>, code: &str) -> Result<T, DemoError> {
    created
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, id)| *id)
        .ok_or_else(|| DemoError::Data(format!("unknown code {code}")))
}

/// (code, name, kind, parent code)
const REGIONS: [(&str, &str, &str, Option<&str>); 15] = [
    ("RU", "Россия", "country", None),
    ("RU-CEN", "Центральный федеральный округ", "region", Some("RU")),
    ("RU-MOW", "Москва", "territory", Some("RU-CEN")),
    ("RU-TUL", "Тульская область", "territory", Some("RU-CEN")),
    ("RU-NW", "Северо-Западный федеральный округ", "region", Some("RU")),
    ("RU-SPE", "Санкт-Петербург", "territory", Some("RU-NW")),
    ("RU-SIB", "Сибирский федеральный округ", "region", Some("RU")),
    ("RU-NVS", "Новосибирская область", "territory", Some("RU-SIB")),
    ("RU-IRK", "Иркутская область", "territory", Some("RU-SIB")),
    ("CN", "中国", "country", None),
    ("CN-E", "华东大区", "region", Some("CN")),
    ("CN-SH", "上海", "territory", Some("CN-E")),
    ("CN-ZJ", "浙江", "territory", Some("CN-E")),
    ("CN-S", "华南大区", "region", Some("CN")),
    ("CN-GD", "广东", "territory", Some("CN-S")),
];

async fn seed_regions(db: &Db, clock: &Clock, actor: &Actor) -> Result<Created<RegionId>, DemoError> {
    let mut created: Created<RegionId> = Vec::new();
    for (code, name, kind, parent) in REGIONS {
        let parent_id = match parent {
            Some(parent) => Some(find(&created, parent)?),
            None => None,
        };
        let input = RegionInput {
            code: code.to_owned(),
            name: name.to_owned(),
            kind: kind.to_owned(),
            parent_id,
        };
        let region = commands::create_region(db, clock, actor, &input).await?;
        created.push((code, region.id));
    }
    Ok(created)
}

const GROUPS: [(&str, &str); 3] = [
    ("KEY", "Key accounts"),
    ("HORECA", "HoReCa distributors"),
    ("RETAIL", "Retail chains"),
];

async fn seed_groups(db: &Db, clock: &Clock, actor: &Actor) -> Result<Created<i64>, DemoError> {
    let mut created = Vec::new();
    for (code, name) in GROUPS {
        let input = DealerGroupInput {
            code: code.to_owned(),
            name: name.to_owned(),
        };
        created.push((code, commands::create_dealer_group(db, clock, actor, &input).await?.id));
    }
    Ok(created)
}

struct DemoDealer {
    code: &'static str,
    legal_name: &'static str,
    tax_number: Option<&'static str>,
    /// The GLN without its check digit, which is computed.
    gln_body: &'static str,
    tier: i64,
    parent: Option<&'static str>,
    region: &'static str,
    status: &'static str,
    groups: &'static [&'static str],
    /// (code, name, address)
    location: (&'static str, &'static str, &'static str),
    /// (name, position, e-mail, phone)
    contact: (&'static str, &'static str, &'static str, &'static str),
}

const DEALERS: [DemoDealer; 10] = [
    DemoDealer {
        code: "VEKTOR",
        legal_name: "ООО «ТД Вектор-Напитки»",
        tax_number: Some("7701234567"),
        gln_body: "460123450001",
        tier: 1,
        parent: None,
        region: "RU-MOW",
        status: "active",
        groups: &["KEY", "HORECA"],
        location: ("MSK-WH1", "Склад Южные ворота", "Москва, 19-й км МКАД, вл. 20, стр. 1"),
        contact: (
            "Олег Кузнецов",
            "Руководитель закупок",
            "o.kuznetsov@vektor-drinks.example",
            "+7 495 123-45-67",
        ),
    },
    DemoDealer {
        code: "DOM-PRODUKTY",
        legal_name: "ИП Соколова А. В. «Продукты у дома»",
        tax_number: Some("770412345678"),
        gln_body: "460123450002",
        tier: 2,
        parent: Some("VEKTOR"),
        region: "RU-MOW",
        status: "active",
        groups: &["RETAIL"],
        location: ("SHOP-1", "Магазин на Профсоюзной", "Москва, ул. Профсоюзная, 56"),
        contact: (
            "Анна Соколова",
            "Владелец",
            "sokolova@produkty-u-doma.example",
            "+7 916 555-12-34",
        ),
    },
    DemoDealer {
        code: "TULA-DIST",
        legal_name: "ООО «Тульский дистрибьютор»",
        tax_number: Some("7107012345"),
        gln_body: "460123450003",
        tier: 1,
        parent: None,
        region: "RU-TUL",
        status: "active",
        groups: &[],
        location: ("TULA-WH", "Склад Тула", "Тула, Рязанская ул., 1"),
        contact: (
            "Сергей Белов",
            "Коммерческий директор",
            "belov@tula-dist.example",
            "+7 4872 70-00-01",
        ),
    },
    DemoDealer {
        code: "NEVA-TRADE",
        legal_name: "ООО «Нева Трейд»",
        tax_number: Some("7801234567"),
        gln_body: "460123450004",
        tier: 1,
        parent: None,
        region: "RU-SPE",
        status: "active",
        groups: &["KEY"],
        location: ("SPB-WH", "Склад Шушары", "Санкт-Петербург, Шушары, Московское ш., 70"),
        contact: (
            "Мария Волкова",
            "Менеджер по закупкам",
            "volkova@neva-trade.example",
            "+7 812 300-20-10",
        ),
    },
    DemoDealer {
        code: "SIBVODA",
        legal_name: "ООО «СибВода»",
        tax_number: Some("5401234567"),
        gln_body: "460123450005",
        tier: 1,
        parent: None,
        region: "RU-NVS",
        status: "active",
        groups: &["HORECA"],
        location: ("NSK-WH", "Склад Толмачёво", "Новосибирск, ул. Станционная, 60"),
        contact: (
            "Дмитрий Егоров",
            "Директор",
            "egorov@sibvoda.example",
            "+7 383 200-10-20",
        ),
    },
    DemoDealer {
        code: "ANGARA-OPT",
        legal_name: "ООО «Ангара Опт»",
        tax_number: Some("3801234567"),
        gln_body: "460123450006",
        tier: 1,
        parent: None,
        region: "RU-IRK",
        status: "applicant",
        groups: &[],
        location: ("IRK-WH", "Склад Иркутск", "Иркутск, ул. Трактовая, 18"),
        contact: (
            "Ирина Петрова",
            "Менеджер",
            "petrova@angara-opt.example",
            "+7 3952 50-60-70",
        ),
    },
    DemoDealer {
        code: "SH-QINGQUAN",
        legal_name: "上海清泉贸易有限公司",
        tax_number: Some("91310000MA1FL0001X"),
        gln_body: "690123450001",
        tier: 1,
        parent: None,
        region: "CN-SH",
        status: "active",
        groups: &["KEY"],
        location: ("SH-WH1", "浦东仓库", "上海市浦东新区航头镇航都路18号"),
        contact: ("王丽", "采购经理", "wang.li@qingquan-trade.example", "+86 21 5555 0101"),
    },
    DemoDealer {
        code: "HZ-XIHU",
        legal_name: "杭州西湖饮品商行",
        tax_number: Some("91330100MA2AB0002Y"),
        gln_body: "690123450002",
        tier: 2,
        parent: Some("SH-QINGQUAN"),
        region: "CN-ZJ",
        status: "active",
        groups: &["RETAIL"],
        location: ("HZ-SHOP", "西湖门店", "杭州市西湖区北山街88号"),
        contact: ("陈明", "店长", "chen.ming@xihu-drinks.example", "+86 571 8888 0202"),
    },
    DemoDealer {
        code: "GZ-NANFANG",
        legal_name: "广州南方饮料分销有限公司",
        tax_number: Some("91440100MA3CD0003Z"),
        gln_body: "690123450003",
        tier: 1,
        parent: None,
        region: "CN-GD",
        status: "active",
        groups: &["HORECA"],
        location: ("GZ-WH", "白云仓库", "广州市白云区太和镇广从五路33号"),
        contact: ("李强", "总经理", "li.qiang@nanfang-drinks.example", "+86 20 6666 0303"),
    },
    DemoDealer {
        code: "SZ-HAIAN",
        legal_name: "深圳海岸食品有限公司",
        tax_number: Some("91440300MA4EF0004W"),
        gln_body: "690123450004",
        tier: 1,
        parent: None,
        region: "CN-GD",
        status: "suspended",
        groups: &[],
        location: ("SZ-WH", "宝安仓库", "深圳市宝安区福永街道凤凰路1号"),
        contact: ("张伟", "采购", "zhang.wei@haian-food.example", "+86 755 7777 0404"),
    },
];

async fn seed_dealers(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    regions: &Created<RegionId>,
    groups: &Created<i64>,
) -> Result<Created<DealerId>, DemoError> {
    let mut created: Created<DealerId> = Vec::new();
    for dealer in &DEALERS {
        let gln = Gln::with_check_digit(dealer.gln_body).map_err(|e| DemoError::Data(e.to_string()))?;
        let parent_dealer_id = match dealer.parent {
            Some(parent) => Some(find(&created, parent)?),
            None => None,
        };
        let input = DealerInput {
            code: dealer.code.to_owned(),
            legal_name: dealer.legal_name.to_owned(),
            tax_number: dealer.tax_number.map(str::to_owned),
            gln: Some(gln.as_str().to_owned()),
            tier: dealer.tier,
            parent_dealer_id,
            region_id: find(regions, dealer.region)?,
            status: Some(dealer.status.to_owned()),
            group_ids: dealer
                .groups
                .iter()
                .map(|g| find(groups, g))
                .collect::<Result<_, _>>()?,
            // Chinese distributors buy in yuan.
            currency: dealer.region.starts_with("CN").then(|| "CNY".to_owned()),
        };
        let id = commands::create_dealer(db, clock, actor, &input).await?.id;
        let (code, name, address) = dealer.location;
        let location = LocationInput {
            code: code.to_owned(),
            name: name.to_owned(),
            address: address.to_owned(),
            gln: Some(location_gln(dealer.gln_body, '9')?),
            is_primary: true,
        };
        commands::add_delivery_location(db, clock, actor, id, &location).await?;
        let (name, position, email, phone) = dealer.contact;
        let contact = ContactInput {
            name: name.to_owned(),
            position: Some(position.to_owned()),
            email: Some(email.to_owned()),
            phone: Some(phone.to_owned()),
        };
        commands::add_contact(db, clock, actor, id, &contact).await?;
        created.push((dealer.code, id));
    }
    // Vektor receives at two warehouses, so that its purchasers can send a consolidated order.
    for (dealer, code, name, address) in MORE_LOCATIONS {
        let body = DEALERS
            .iter()
            .find(|d| d.code == dealer)
            .map(|d| d.gln_body)
            .unwrap_or_default();
        let location = LocationInput {
            code: code.to_owned(),
            name: name.to_owned(),
            address: address.to_owned(),
            gln: Some(location_gln(body, '8')?),
            is_primary: false,
        };
        commands::add_delivery_location(db, clock, actor, find(&created, dealer)?, &location).await?;
    }
    Ok(created)
}

/// A delivery location's GLN, numbered from its dealer's: the tenth digit marks the location
/// (9 the dealer's first, 8 its second).
fn location_gln(dealer_gln_body: &str, marker: char) -> Result<String, DemoError> {
    let body = match (dealer_gln_body.get(..9), dealer_gln_body.get(10..)) {
        (Some(head), Some(tail)) => format!("{head}{marker}{tail}"),
        _ => return Err(DemoError::Data(format!("GLN body {dealer_gln_body} is too short"))),
    };
    Gln::with_check_digit(&body)
        .map(|gln| gln.as_str().to_owned())
        .map_err(|e| DemoError::Data(e.to_string()))
}

/// Delivery locations beyond each dealer's first: (dealer, code, name, address).
const MORE_LOCATIONS: [(&str, &str, &str, &str); 1] = [(
    "VEKTOR",
    "MSK-WH2",
    "Склад Химки",
    "Химки, Ленинградское ш., 16, стр. 3",
)];

struct DemoUser {
    login: &'static str,
    name: &'static str,
    locale: Option<&'static str>,
    roles: &'static [&'static str],
    /// Internal users: `None` for every region, else region codes.
    regions: Option<&'static [&'static str]>,
    dealer: Option<&'static str>,
    sees_tier2: bool,
}

const USERS: [DemoUser; 9] = [
    DemoUser {
        login: "admin@demo.test",
        name: "Irina Smirnova",
        locale: None,
        roles: &["administrator"],
        regions: None,
        dealer: None,
        sees_tier2: false,
    },
    DemoUser {
        login: "manager@demo.test",
        name: "Pavel Orlov",
        locale: None,
        roles: &["sales_manager"],
        regions: Some(&["RU-CEN"]),
        dealer: None,
        sees_tier2: false,
    },
    DemoUser {
        login: "manager.cn@demo.test",
        name: "Zhou Jie 周杰",
        locale: Some("zh"),
        roles: &["sales_manager"],
        regions: Some(&["CN"]),
        dealer: None,
        sees_tier2: false,
    },
    DemoUser {
        login: "orders@demo.test",
        name: "Elena Morozova",
        locale: Some("ru"),
        roles: &["order_desk"],
        regions: Some(&["RU"]),
        dealer: None,
        sees_tier2: false,
    },
    DemoUser {
        login: "finance@demo.test",
        name: "Natalia Fedorova",
        locale: Some("ru"),
        roles: &["finance"],
        regions: None,
        dealer: None,
        sees_tier2: false,
    },
    DemoUser {
        login: "warehouse@demo.test",
        name: "Artem Nikitin",
        locale: Some("ru"),
        roles: &["warehouse"],
        regions: None,
        dealer: None,
        sees_tier2: false,
    },
    DemoUser {
        login: "dealer@demo.test",
        name: "Oleg Kuznetsov",
        locale: None,
        roles: &["purchaser"],
        regions: None,
        dealer: Some("VEKTOR"),
        sees_tier2: false,
    },
    DemoUser {
        login: "vektor.admin@demo.test",
        name: "Svetlana Vektorova",
        locale: Some("ru"),
        roles: &["dealer_administrator", "purchaser"],
        regions: None,
        dealer: Some("VEKTOR"),
        sees_tier2: true,
    },
    DemoUser {
        login: "dealer2@demo.test",
        name: "Wang Li 王丽",
        locale: None,
        roles: &["purchaser"],
        regions: None,
        dealer: Some("SH-QINGQUAN"),
        sees_tier2: false,
    },
];

async fn seed_users(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    regions: &Created<RegionId>,
    dealers: &Created<DealerId>,
) -> Result<(), DemoError> {
    for user in &USERS {
        let region_ids = match user.regions {
            Some(codes) => codes.iter().map(|c| find(regions, c)).collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let input = UserInput {
            login: user.login.to_owned(),
            display_name: user.name.to_owned(),
            password: Some(DEMO_PASSWORD.to_owned()),
            locale: user.locale.map(str::to_owned),
            dealer_id: match user.dealer {
                Some(code) => Some(find(dealers, code)?),
                None => None,
            },
            roles: user.roles.iter().map(|r| (*r).to_owned()).collect(),
            all_regions: user.dealer.is_none() && user.regions.is_none(),
            region_ids,
            sees_tier2: user.sees_tier2,
            status: None,
        };
        commands::create_user(db, clock, actor, &input).await?;
    }
    Ok(())
}

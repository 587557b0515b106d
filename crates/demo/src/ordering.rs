//! The demo's warehouses, stock, credit limits and a few orders in different states, so that the
//! order desk, the dealer's order list and the timelines show something from the first start.

use chrono::TimeDelta;
use fulfilment::domain::{
    StockChangeInput, StockChangeKind, StockImportInput, StockImportMode, StockRowInput, WarehouseInput,
};
use fulfilment::receipts::{ReceiptInput, ReceiptLineInput};
use fulfilment::shipments::{ShipmentInput, ShipmentLineInput};
use ordering::commands::CreditInput;
use ordering::domain::{Channel, LineDecision, OrderInput, OrderLineInput};
use platform::{Actor, Clock, DataScope, Db, DealerId, Gln, Locale, Role, Sscc, UserId};

use crate::{find, Created, DemoError};

/// (code, name, GLN body, priority, sellable)
const WAREHOUSES: [(&str, &str, &str, i64, bool); 4] = [
    ("MSK-DC", "Подольск, распределительный центр", "460123459001", 1, true),
    ("NSK-DC", "Новосибирск, склад", "460123459002", 2, true),
    ("SH-DC", "上海配送中心", "690123459003", 3, true),
    ("DEFECT", "Брак и возвраты", "460123459004", 99, false),
];

/// Which warehouse serves each dealer's delivery location.
const SERVING: [(&str, &str); 10] = [
    ("VEKTOR", "MSK-DC"),
    ("DOM-PRODUKTY", "MSK-DC"),
    ("TULA-DIST", "MSK-DC"),
    ("NEVA-TRADE", "MSK-DC"),
    ("SIBVODA", "NSK-DC"),
    ("ANGARA-OPT", "NSK-DC"),
    ("SH-QINGQUAN", "SH-DC"),
    ("HZ-XIHU", "SH-DC"),
    ("GZ-NANFANG", "SH-DC"),
    ("SZ-HAIAN", "SH-DC"),
];

/// (dealer, credit limit, minimum order amount) in the dealer's currency.
const CREDIT: [(&str, &str, Option<&str>); 5] = [
    ("VEKTOR", "5000000.00", None),
    ("TULA-DIST", "300000.00", Some("15000.00")),
    ("DOM-PRODUKTY", "20000.00", None),
    ("SH-QINGQUAN", "800000.00", Some("1000.00")),
    ("SIBVODA", "1500000.00", None),
];

pub async fn seed_ordering(
    db: &Db,
    clock: &Clock,
    system: &Actor,
    dealers: &Created<DealerId>,
) -> Result<(), DemoError> {
    let mut warehouses: Created<i64> = Vec::new();
    for (code, name, gln_body, priority, sellable) in WAREHOUSES {
        let gln = Gln::with_check_digit(gln_body).map_err(|e| DemoError::Data(e.to_string()))?;
        let input = WarehouseInput {
            code: code.to_owned(),
            name: name.to_owned(),
            gln: Some(gln.as_str().to_owned()),
            priority,
            sellable,
        };
        warehouses.push((
            code,
            fulfilment::commands::create_warehouse(db, clock, system, &input).await?,
        ));
    }
    let products = catalog::queries::product_ids_by_sku(db, system).await?;
    let mut skus: Vec<&String> = products.keys().collect();
    skus.sort();
    for (index, sku) in skus.iter().enumerate() {
        let Some(product_id) = products.get(*sku).copied() else {
            continue;
        };
        // Sparkling 1.5 L (BS-0004) runs short in Moscow: orders for more take it from Novosibirsk,
        // and their confirmation splits into two sales orders.
        let moscow = if sku.as_str() == "BS-0004" {
            60
        } else {
            4_800 + 120 * index as i64
        };
        for (warehouse, quantity) in [("MSK-DC", moscow), ("NSK-DC", 1_200), ("SH-DC", 2_400)] {
            let change = StockChangeInput {
                warehouse_id: find(&warehouses, warehouse)?,
                product_id,
                kind: StockChangeKind::Receipt,
                quantity,
                note: Some("opening stock".to_owned()),
            };
            fulfilment::commands::change_stock(db, clock, system, &change).await?;
        }
    }
    // Safety stock and maximum of two products, as the ERP sends them: sparkling water runs low in
    // Moscow and still water piles up in Shanghai, so the stock page has alerts to show.
    let limits = StockImportInput {
        mode: StockImportMode::Changes,
        rows: vec![
            StockRowInput {
                warehouse_code: "MSK-DC".to_owned(),
                sku: "BS-0004".to_owned(),
                quantity: 0,
                safety_stock: Some(240),
                max_stock: Some(5_000),
            },
            StockRowInput {
                warehouse_code: "SH-DC".to_owned(),
                sku: "BS-0001".to_owned(),
                quantity: 0,
                safety_stock: Some(500),
                max_stock: Some(2_000),
            },
        ],
    };
    fulfilment::commands::import_stock(db, clock, system, &limits).await?;
    for (dealer, warehouse) in SERVING {
        let detail = identity::queries::dealer(db, system, find(dealers, dealer)?).await?;
        for location in detail.locations {
            fulfilment::commands::assign_warehouse(db, clock, system, location.id, Some(find(&warehouses, warehouse)?))
                .await?;
        }
    }
    for (dealer, limit, minimum) in CREDIT {
        let audience = identity::queries::dealer_audience(db, system, Some(find(dealers, dealer)?)).await?;
        let input = CreditInput {
            credit_limit: Some(limit.to_owned()),
            min_order_amount: minimum.map(str::to_owned),
            max_order_amount: None,
        };
        ordering::commands::set_dealer_credit(db, clock, system, &audience, &input).await?;
    }
    seed_orders(db, clock, system, dealers, &products).await
}

/// A purchaser of Vektor places four orders: one the order desk confirms partially, one it
/// rejects, one that waits in the queue, and one confirmed and mostly shipped.
async fn seed_orders(
    db: &Db,
    clock: &Clock,
    system: &Actor,
    dealers: &Created<DealerId>,
    products: &std::collections::HashMap<String, i64>,
) -> Result<(), DemoError> {
    let vektor = find(dealers, "VEKTOR")?;
    let detail = identity::queries::dealer(db, system, vektor).await?;
    let location = detail
        .locations
        .first()
        .map(|l| l.id)
        .ok_or_else(|| DemoError::Data("Vektor has no delivery location".into()))?;
    let purchaser = demo_user(db, system, "dealer@demo.test").await?;
    let buyer = Actor {
        tenant_id: system.tenant_id,
        user_id: Some(purchaser),
        display_name: "Oleg Kuznetsov".to_owned(),
        roles: vec![Role::Purchaser],
        scope: DataScope::Dealer {
            dealer_id: vektor,
            with_tier2: false,
        },
        locale: Locale::Ru,
        audience: None,
    };
    let desk = Actor {
        display_name: "Order desk".to_owned(),
        ..system.clone()
    };
    let audience = identity::queries::dealer_audience(db, &buyer, None).await?;
    let today = ordering::commands::tenant_today(db, clock, system).await?;
    let line = |sku: &str, quantity: i64| -> Result<OrderLineInput, DemoError> {
        Ok(OrderLineInput {
            product_id: Some(
                products
                    .get(sku)
                    .copied()
                    .ok_or_else(|| DemoError::Data(format!("no product {sku}")))?,
            ),
            product_code: None,
            quantity,
        })
    };
    let orders = [
        (
            "VK-2026-0141",
            vec![line("BS-0001", 120)?, line("BS-0004", 96)?, line("BS-0009", 48)?],
        ),
        ("VK-2026-0142", vec![line("BS-0002", 60)?, line("BS-0006", 36)?]),
        (
            "VK-2026-0143",
            vec![line("BS-0001", 240)?, line("BS-0012", 24)?, line("BS-0015", 48)?],
        ),
        ("VK-2026-0144", vec![line("BS-0002", 120)?, line("BS-0006", 36)?]),
    ];
    let mut placed = Vec::new();
    for (number, lines) in orders {
        let input = OrderInput {
            dealer_order_number: number.to_owned(),
            delivery_location_id: location,
            requested_delivery_on: today + TimeDelta::days(5),
            allow_adjust: true,
            comment: None,
            lines,
            draft: false,
        };
        let order =
            ordering::commands::place_order(db, clock, &buyer, &audience, &input, Channel::Portal, None).await?;
        placed.push(order.order_id);
    }
    if let [first, second, _, shipped] = placed[..] {
        let lines = ordering::queries::order(db, &desk, Locale::En, first).await?.lines;
        let tea = lines
            .iter()
            .find(|l| l.sku == "BS-0009")
            .ok_or_else(|| DemoError::Data("the tea line is missing".into()))?;
        let short = LineDecision {
            line_number: tea.line_number,
            confirmed_quantity: 36,
            delivery_on: Some(today + TimeDelta::days(7)),
            reason: Some("Iced tea is allocated this month: 36 bottles now, the rest next week".to_owned()),
        };
        ordering::commands::confirm_order(db, clock, &desk, first, &[short]).await?;
        ordering::commands::reject_order(db, clock, &desk, second, Some("Duplicate of order VK-2026-0141")).await?;
        ordering::commands::confirm_order(db, clock, &desk, shipped, &[]).await?;
        ship_most(db, clock, &desk, shipped, today).await?;
        receive_with_breakage(db, clock, &buyer, shipped).await?;
    }
    // Qingquan in Shanghai orders in yuan, from the Shanghai warehouse.
    let qingquan = find(dealers, "SH-QINGQUAN")?;
    let buyer = Actor {
        user_id: Some(demo_user(db, system, "dealer2@demo.test").await?),
        display_name: "Wang Li 王丽".to_owned(),
        scope: DataScope::Dealer {
            dealer_id: qingquan,
            with_tier2: false,
        },
        locale: Locale::Zh,
        ..buyer
    };
    let audience = identity::queries::dealer_audience(db, &buyer, None).await?;
    let location = identity::queries::dealer(db, system, qingquan)
        .await?
        .locations
        .first()
        .map(|l| l.id)
        .ok_or_else(|| DemoError::Data("Qingquan has no delivery location".into()))?;
    let input = OrderInput {
        dealer_order_number: "QQ-2611-07".to_owned(),
        delivery_location_id: location,
        requested_delivery_on: today + TimeDelta::days(4),
        allow_adjust: false,
        comment: Some("请在工作日送货".to_owned()),
        lines: vec![line("BS-0001", 240)?, line("BS-0006", 120)?],
        draft: false,
    };
    ordering::commands::place_order(db, clock, &buyer, &audience, &input, Channel::Portal, None).await?;
    Ok(())
}

/// The warehouse ships a confirmed order on one pallet, all but twelve bottles of juice, which
/// follow later: the order is partly shipped, and the juice names its batch and expiry.
async fn ship_most(
    db: &Db,
    clock: &Clock,
    warehouse: &Actor,
    order_id: i64,
    today: chrono::NaiveDate,
) -> Result<(), DemoError> {
    let order = ordering::queries::order(db, warehouse, Locale::En, order_id).await?;
    for (serial, sales_order) in (1..).zip(&order.sales_orders) {
        // One pallet per sales order, numbered from the brand's GS1 company prefix.
        let pallet =
            Sscc::with_check_digit(&format!("346012345{serial:08}")).map_err(|e| DemoError::Data(e.to_string()))?;
        let lines = order
            .lines
            .iter()
            .filter(|l| l.sales_order_id == Some(sales_order.id))
            .map(|l| {
                let juice = l.sku == "BS-0006";
                ShipmentLineInput {
                    line_number: l.line_number,
                    quantity: l.confirmed_quantity.unwrap_or(l.quantity) - if juice { 12 } else { 0 },
                    sscc: None,
                    batch: juice.then(|| "L2611-14".to_owned()),
                    expiry_on: juice.then(|| today + TimeDelta::days(180)),
                }
            })
            .collect();
        let input = ShipmentInput {
            packages: vec![pallet.as_str().to_owned()],
            vehicle: Some("А 123 ВС 77, Деловые Линии".to_owned()),
            planned_arrival_on: Some(today + TimeDelta::days(2)),
            lines,
        };
        ordering::shipping::ship(db, clock, warehouse, sales_order.id, &input).await?;
    }
    Ok(())
}

/// Vektor takes the pallet in: two bottles of juice arrived broken and are rejected, which leaves
/// a discrepancy on the order desk's list.
async fn receive_with_breakage(db: &Db, clock: &Clock, buyer: &Actor, order_id: i64) -> Result<(), DemoError> {
    let all = platform::PageRequest::new(Some(1), Some(platform::page::MAX_PER_PAGE));
    let shipments = fulfilment::queries::shipments(db, buyer, Some(order_id), all)
        .await?
        .items;
    for shipment in shipments {
        let lines = shipment
            .lines
            .iter()
            .filter(|l| l.sku == "BS-0006")
            .map(|l| ReceiptLineInput {
                line_number: l.order_line_number,
                received_quantity: l.quantity,
                accepted_quantity: l.quantity - 2,
                rejected_quantity: 2,
                reason: Some("damaged".to_owned()),
            })
            .collect();
        let input = ReceiptInput {
            note: Some("Две бутылки сока разбиты при перевозке, фото у водителя".to_owned()),
            lines,
        };
        ordering::receiving::receive(db, clock, buyer, shipment.id, &input).await?;
    }
    Ok(())
}

async fn demo_user(db: &Db, system: &Actor, login: &str) -> Result<UserId, DemoError> {
    let filter = identity::queries::UserFilter {
        search: Some(login.to_owned()),
        ..Default::default()
    };
    identity::queries::users(db, system, &filter, platform::PageRequest::default())
        .await?
        .items
        .into_iter()
        .find(|u| u.login == login)
        .map(|u| u.id)
        .ok_or_else(|| DemoError::Data(format!("no user {login}")))
}

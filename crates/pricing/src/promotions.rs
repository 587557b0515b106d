//! The promotion engine: discounts, spend-X-save-Y (满减), buy-N-get-M (满赠) and bundles (套餐)
//! applied to a cart whose lines already carry their list prices (see [`crate::engine`]).
//!
//! Pure: the promotions, the cart and a price look-up come in, the priced cart goes out with an
//! [`Applied`] entry for every amount a promotion changed, so pages, API, orders and EDI can
//! show why a price is what it is. Money is [`Money`] throughout: integer minor units, every
//! division rounded by a named rule, every sum checked.
//!
//! # The rules
//!
//! 1. **Period.** Only promotions whose period contains the pricing date count; both ends are
//!    inclusive. Promotions outside it are ignored entirely (not even validated).
//! 2. **Bundles first.** A cart line of a bundle product becomes one line per component
//!    (`bundle_of = Some(bundle product)`, quantity = component quantity × bundles). The bundle
//!    price × bundles is split over the components in proportion to their list value (list
//!    price × component quantity) with [`Money::allocate`], so the component lines sum exactly
//!    to the bundle price; if every component is free of charge the split follows the component
//!    quantities. Component list prices come from `list_price_of`; a component without one is
//!    [`PromotionError::MissingPrice`] naming it. Component lines take no other promotion
//!    (no discount, no free goods, no share of a spend-save). Each carries an `Applied` of kind
//!    `bundle` whose amount is its list value minus its share (negative if the bundle is dearer
//!    than its parts). If several bundle promotions sell the same product, the first in order
//!    (rule 3) with room under its caps wins.
//! 3. **Per-unit discounts** (`PercentOff`, `AmountOff`), line by line in cart order. The
//!    promotions naming the line's product are taken in order: higher `priority` first, then
//!    lower `id`. If the first is not stackable, it alone applies and the line is *exclusive*;
//!    otherwise every stackable one applies, each on the unit price left by the previous, and a
//!    non-stackable one further down is skipped. A percentage is taken of the unit price and
//!    rounded half-up to the minor unit, per unit; an amount off never takes a unit below zero.
//!    Buy-get promotions (rule 4) take part in the same ordering, since they too apply to a
//!    line: a non-stackable buy-get first in order excludes the discounts, and the reverse.
//!    A promotion "applies" to a line only if it can still give something there: its caps are
//!    not used up and, for a buy-get, the line reaches `buy` units.
//! 4. **Buy-get.** For every `buy` units of a qualifying line, `get` units of the same product
//!    (or of `free_product_id`, priced by `list_price_of`) are given free: floor(quantity ÷
//!    buy) × get units on a line of their own right after the line that earned them, with
//!    `free = true`, net price and total zero, and an `Applied` of kind `buy_get` whose amount
//!    is the value of the goods given (list price × units).
//! 5. **Spend-save** on the order. A spend-save qualifies the lines of its products that are
//!    neither bundle components, free lines nor exclusive (rule 3); their totals after rules
//!    3–4 are summed. If the sum reaches `threshold`, it gives `saving` (× floor(sum ÷
//!    threshold) when `repeat`), never more than what is left of those lines, spread over them
//!    in proportion to their totals with [`Money::allocate`]: every line's total drops by its
//!    share and carries an `Applied` with it, and the whole saving is listed once in
//!    `PricedCart::order_discounts`. Those are *already inside* the line totals — never
//!    subtract them again. Among spend-saves that reached their threshold the same ordering
//!    decides: a non-stackable one first excludes the others; otherwise all stackable ones
//!    apply (each measured on the totals after rule 3–4, each taking its share from what the
//!    previous ones left).
//! 6. **Caps** count across the whole cart, in the order lines are priced. `budget_remaining`
//!    caps the money a promotion gives (discounts, the value of free goods, a bundle's saving,
//!    a spend-save); `quantity_remaining` caps the units it discounts or gives free (for a
//!    bundle: bundles sold at the bundle price; for a spend-save: times the saving is given).
//!    A per-unit discount running out of budget discounts whole units while the budget lasts
//!    and gives the remainder to one more unit. Free goods are whole units only. Bundles past a
//!    cap stay an ordinary line of the bundle product at its own list price. Whenever a cap
//!    stopped a promotion, its `Applied.note` says so.
//! 7. **Validity.** All cart lines share one currency, and so must every amount of an active
//!    promotion and every looked-up price ([`PromotionError::CurrencyMismatch`]); quantities
//!    are positive and prices not negative; active promotions must make sense (a percentage
//!    within 0–100 %, a positive threshold, `buy` and `get` positive, ...). An overflow is
//!    [`PromotionError::Overflow`], never a panic. An empty cart has no currency and is
//!    refused.
//! 8. **Speed.** Active promotions are indexed by product id once, so each line looks only at
//!    the promotions naming its product: one pass over the lines, whatever the number of
//!    promotions.
//!
//! `line_total` is exact and authoritative; `unit_net_price` is `line_total ÷ quantity`
//! rounded half-up, which is exact unless a cap, a bundle share or a spend-save share left the
//! units of one line at different prices. The cart `total` is the sum of the line totals.
//!
//! Written here rather than taken from a crate: promotion rules are the product's own, and
//! nothing published matches them.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use platform::money::{MoneyError, Rounding};
use platform::{Currency, Money};
use serde::Serialize;

/// One promotion as the sales manager set it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: PromotionKind,
    /// Higher applies first.
    pub priority: i64,
    /// A non-stackable promotion excludes all others on the lines it applies to (and, for
    /// order-level ones, the other order-level ones on the order).
    pub stackable: bool,
    /// First day of the period, inclusive.
    pub starts_on: NaiveDate,
    /// Last day of the period, inclusive.
    pub ends_on: NaiveDate,
    /// The products it applies to (the caller has already expanded categories into product
    /// ids). Bundles ignore it: they apply to their `bundle_product_id`.
    pub product_ids: Vec<i64>,
    /// The discount money it may still give (remaining budget); `None` for no limit.
    pub budget_remaining: Option<Money>,
    /// The units it may still discount or give away; `None` for no limit.
    pub quantity_remaining: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromotionKind {
    /// Per unit, e.g. 1500 = 15 %.
    PercentOff { basis_points: i64 },
    /// Per unit.
    AmountOff { amount: Money },
    /// Spend X save Y on the qualifying lines' value after unit discounts: once, or once per
    /// full `threshold` when `repeat`.
    SpendSave {
        threshold: Money,
        saving: Money,
        repeat: bool,
    },
    /// For every `buy` units of a qualifying product, `get` units free (of the same product,
    /// or of `free_product_id`), added as their own free lines.
    BuyGet {
        buy: i64,
        get: i64,
        free_product_id: Option<i64>,
    },
    /// One unit of `bundle_product_id` is sold as the `components` (product, quantity) at
    /// `bundle_price` in total per bundle.
    Bundle {
        bundle_product_id: i64,
        components: Vec<(i64, i64)>,
        bundle_price: Money,
    },
}

impl PromotionKind {
    /// The `Applied.kind` this promotion reports.
    pub fn code(&self) -> &'static str {
        match self {
            PromotionKind::PercentOff { .. } => "percent_off",
            PromotionKind::AmountOff { .. } => "amount_off",
            PromotionKind::SpendSave { .. } => "spend_save",
            PromotionKind::BuyGet { .. } => "buy_get",
            PromotionKind::Bundle { .. } => "bundle",
        }
    }
}

const BASIS_POINTS_IN_WHOLE: i64 = 10_000;

impl Promotion {
    /// Whether `date` lies inside the period, both ends included.
    pub fn is_active_on(&self, date: NaiveDate) -> bool {
        self.starts_on <= date && date <= self.ends_on
    }

    /// Checks that the promotion makes sense for a cart in `currency`; the engine runs this on
    /// every active promotion, and forms can run it before saving one.
    pub fn check(&self, currency: Currency) -> Result<(), PromotionError> {
        let invalid = |reason: &'static str| PromotionError::InvalidPromotion {
            promotion_code: self.code.clone(),
            reason,
        };
        let same_currency = |money: Money| same_currency(currency, money);
        match &self.kind {
            PromotionKind::PercentOff { basis_points } => {
                if !(0..=BASIS_POINTS_IN_WHOLE).contains(basis_points) {
                    return Err(invalid("the percentage must lie between 0 and 100"));
                }
            }
            PromotionKind::AmountOff { amount } => {
                same_currency(*amount)?;
                if amount.is_negative() {
                    return Err(invalid("the amount off must not be negative"));
                }
            }
            PromotionKind::SpendSave { threshold, saving, .. } => {
                same_currency(*threshold)?;
                same_currency(*saving)?;
                if threshold.minor() <= 0 {
                    return Err(invalid("the threshold must be positive"));
                }
                if saving.is_negative() {
                    return Err(invalid("the saving must not be negative"));
                }
            }
            PromotionKind::BuyGet { buy, get, .. } => {
                if *buy <= 0 || *get <= 0 {
                    return Err(invalid("buy and get must be positive"));
                }
            }
            PromotionKind::Bundle {
                components,
                bundle_price,
                ..
            } => {
                same_currency(*bundle_price)?;
                if bundle_price.is_negative() {
                    return Err(invalid("the bundle price must not be negative"));
                }
                if components.is_empty() {
                    return Err(invalid("a bundle needs components"));
                }
                if components.iter().any(|(_, quantity)| *quantity <= 0) {
                    return Err(invalid("component quantities must be positive"));
                }
            }
        }
        if let Some(budget) = self.budget_remaining {
            same_currency(budget)?;
            if budget.is_negative() {
                return Err(invalid("the remaining budget must not be negative"));
            }
        }
        if self.quantity_remaining.is_some_and(|quantity| quantity < 0) {
            return Err(invalid("the remaining quantity must not be negative"));
        }
        Ok(())
    }
}

/// A cart line at its list price, before promotions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub product_id: i64,
    pub quantity: i64,
    pub unit_list_price: Money,
}

/// The cart after promotions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PricedCart {
    /// Cart order; bundles replaced by their components, free lines right after the line that
    /// earned them.
    pub lines: Vec<PricedLine>,
    /// Spend-saves given on the order, whole; their shares are already in the line totals.
    pub order_discounts: Vec<Applied>,
    /// The sum of the line totals; its currency is the cart's.
    #[serde(serialize_with = "money_text")]
    pub total: Money,
    /// What the cart takes from each promotion applied, for budgets and caps.
    #[serde(skip)]
    pub uses: Vec<PromotionUse>,
}

/// How much of a promotion's budget and quantity cap one cart uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromotionUse {
    pub promotion_id: i64,
    pub amount: Money,
    /// Units discounted or given, counted only for a promotion with a quantity cap.
    pub units: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PricedLine {
    pub product_id: i64,
    pub quantity: i64,
    #[serde(serialize_with = "money_text")]
    pub unit_list_price: Money,
    /// `line_total ÷ quantity`, rounded half-up.
    #[serde(serialize_with = "money_text")]
    pub unit_net_price: Money,
    /// Exact: list price × quantity minus every `applied` amount (zero on a free line).
    #[serde(serialize_with = "money_text")]
    pub line_total: Money,
    /// Goods given by a buy-get promotion.
    pub free: bool,
    /// `Some(bundle product id)` for component lines of a bundle.
    pub bundle_of: Option<i64>,
    /// What changed the price of this line, in the order it happened.
    pub applied: Vec<Applied>,
}

/// One promotion's effect on one line (or, in `order_discounts`, on the order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub promotion_id: i64,
    pub promotion_code: String,
    /// `percent_off`, `amount_off`, `spend_save`, `buy_get` or `bundle`.
    pub kind: &'static str,
    /// The discount it gave, or the value of free goods.
    #[serde(serialize_with = "money_text")]
    pub amount: Money,
    /// Details, and always whether a cap stopped the promotion.
    pub note: Option<String>,
}

fn money_text<S: serde::Serializer>(money: &Money, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&money.to_decimal_string())
}

/// Why a cart could not be priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromotionError {
    /// Nothing to price, so no currency to price in.
    EmptyCart,
    /// A line, a looked-up price or an active promotion's amount is not in the cart's currency.
    CurrencyMismatch {
        expected: Currency,
        found: Currency,
    },
    InvalidQuantity {
        product_id: i64,
        quantity: i64,
    },
    NegativePrice {
        product_id: i64,
    },
    /// A bundle component or a free product has no list price.
    MissingPrice {
        product_id: i64,
        promotion_code: String,
    },
    InvalidPromotion {
        promotion_code: String,
        reason: &'static str,
    },
    Overflow,
    /// Any other arithmetic refusal (not expected once the inputs are checked).
    Money(MoneyError),
}

impl PromotionError {
    /// Stable key for translations and API clients; the English message may be reworded.
    pub fn code(&self) -> &'static str {
        match self {
            PromotionError::EmptyCart => "promotion.empty_cart",
            PromotionError::CurrencyMismatch { .. } => "promotion.currency_mismatch",
            PromotionError::InvalidQuantity { .. } => "promotion.invalid_quantity",
            PromotionError::NegativePrice { .. } => "promotion.negative_price",
            PromotionError::MissingPrice { .. } => "promotion.missing_price",
            PromotionError::InvalidPromotion { .. } => "promotion.invalid",
            PromotionError::Overflow => "promotion.overflow",
            PromotionError::Money(error) => error.code(),
        }
    }
}

impl fmt::Display for PromotionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PromotionError::EmptyCart => f.write_str("the cart is empty"),
            PromotionError::CurrencyMismatch { expected, found } => {
                write!(f, "an amount in {found} cannot be priced in a {expected} cart")
            }
            PromotionError::InvalidQuantity { product_id, quantity } => {
                write!(f, "product {product_id}: quantity {quantity} is not positive")
            }
            PromotionError::NegativePrice { product_id } => {
                write!(f, "product {product_id} has a negative price")
            }
            PromotionError::MissingPrice {
                product_id,
                promotion_code,
            } => write!(
                f,
                "product {product_id}, needed by promotion {promotion_code}, has no list price"
            ),
            PromotionError::InvalidPromotion { promotion_code, reason } => {
                write!(f, "promotion {promotion_code}: {reason}")
            }
            PromotionError::Overflow => f.write_str("an amount or quantity is too large"),
            PromotionError::Money(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for PromotionError {}

impl From<MoneyError> for PromotionError {
    fn from(error: MoneyError) -> Self {
        match error {
            MoneyError::Overflow => PromotionError::Overflow,
            other => PromotionError::Money(other),
        }
    }
}

fn same_currency(expected: Currency, money: Money) -> Result<(), PromotionError> {
    if money.currency() == expected {
        Ok(())
    } else {
        Err(PromotionError::CurrencyMismatch {
            expected,
            found: money.currency(),
        })
    }
}

/// Prices `lines` with the promotions active `on` that date, following the module's rules.
///
/// `list_price_of` gives the list price of a product the cart may not hold: bundle components
/// and free goods of another product.
pub fn price_cart(
    lines: &[CartLine],
    promotions: &[Promotion],
    on: NaiveDate,
    list_price_of: &dyn Fn(i64) -> Option<Money>,
) -> Result<PricedCart, PromotionError> {
    let currency = lines
        .first()
        .ok_or(PromotionError::EmptyCart)?
        .unit_list_price
        .currency();
    for line in lines {
        same_currency(currency, line.unit_list_price)?;
        if line.quantity <= 0 {
            return Err(PromotionError::InvalidQuantity {
                product_id: line.product_id,
                quantity: line.quantity,
            });
        }
        if line.unit_list_price.is_negative() {
            return Err(PromotionError::NegativePrice {
                product_id: line.product_id,
            });
        }
    }
    let book = Book::new(promotions, on, currency)?;
    let mut caps: Vec<Remaining> = book.promotions.iter().map(|p| Remaining::of(p)).collect();
    let prices = Prices {
        list_price_of,
        currency,
    };

    // Rule 2: bundles become their components.
    let mut expanded = Vec::with_capacity(lines.len());
    for line in lines {
        expand_bundle(line, &book, &mut caps, &prices, &mut expanded)?;
    }

    // Rules 3 and 4: per-unit discounts and free goods, line by line.
    let mut priced = Vec::with_capacity(expanded.len());
    for mut line in expanded {
        let free_lines = apply_line_promotions(&mut line, &book, &mut caps, &prices)?;
        priced.push(line);
        priced.extend(free_lines);
    }

    // Rule 5: spend-saves on the order.
    let order_discounts = apply_spend_saves(&mut priced, &book, &mut caps)?;

    let mut total = Money::zero(currency);
    let mut out = Vec::with_capacity(priced.len());
    for line in priced {
        total = total.checked_add(line.line_total)?;
        out.push(line.finish()?);
    }
    let uses = promotion_uses(&book, &caps, &out, &order_discounts, currency)?;
    Ok(PricedCart {
        lines: out,
        order_discounts,
        total,
        uses,
    })
}

/// What the cart takes from each promotion it used: what orders must record against budgets and
/// caps. The money is what the budget lost (for a promotion without a budget, what it gave).
fn promotion_uses(
    book: &Book<'_>,
    caps: &[Remaining],
    lines: &[PricedLine],
    order_discounts: &[Applied],
    currency: Currency,
) -> Result<Vec<PromotionUse>, PromotionError> {
    let mut uses = Vec::new();
    for (promotion, left) in book.promotions.iter().zip(caps) {
        let given = lines
            .iter()
            .flat_map(|line| &line.applied)
            .chain(order_discounts)
            .filter(|applied| applied.promotion_id == promotion.id);
        let mut amount = Money::zero(currency);
        let mut used = false;
        for applied in given {
            amount = amount.checked_add(applied.amount)?;
            used = true;
        }
        if !used {
            continue;
        }
        if let (Some(before), Some(after)) = (promotion.budget_remaining, left.budget) {
            amount = before.checked_sub(after)?;
        }
        let units = match (promotion.quantity_remaining, left.quantity) {
            (Some(before), Some(after)) => before - after,
            _ => 0,
        };
        uses.push(PromotionUse {
            promotion_id: promotion.id,
            amount,
            units,
        });
    }
    Ok(uses)
}

/// The active promotions in order, indexed by the product they apply to.
struct Book<'a> {
    /// Higher priority first, then lower id.
    promotions: Vec<&'a Promotion>,
    /// Per-unit and buy-get promotions by product, in order.
    line_level: HashMap<i64, Vec<usize>>,
    /// Spend-saves by product, in order.
    spend_saves_by_product: HashMap<i64, Vec<usize>>,
    /// All spend-saves, in order.
    spend_saves: Vec<usize>,
    /// Bundles by bundle product, in order.
    bundles: HashMap<i64, Vec<usize>>,
}

impl<'a> Book<'a> {
    fn new(promotions: &'a [Promotion], on: NaiveDate, currency: Currency) -> Result<Book<'a>, PromotionError> {
        let mut active: Vec<&Promotion> = promotions.iter().filter(|p| p.is_active_on(on)).collect();
        active.sort_by_key(|p| (Reverse(p.priority), p.id));
        let mut book = Book {
            promotions: Vec::with_capacity(active.len()),
            line_level: HashMap::new(),
            spend_saves_by_product: HashMap::new(),
            spend_saves: Vec::new(),
            bundles: HashMap::new(),
        };
        for (index, promotion) in active.into_iter().enumerate() {
            promotion.check(currency)?;
            book.promotions.push(promotion);
            let by_product = match &promotion.kind {
                PromotionKind::Bundle { bundle_product_id, .. } => {
                    book.bundles.entry(*bundle_product_id).or_default().push(index);
                    continue;
                }
                PromotionKind::SpendSave { .. } => {
                    book.spend_saves.push(index);
                    &mut book.spend_saves_by_product
                }
                PromotionKind::PercentOff { .. } | PromotionKind::AmountOff { .. } | PromotionKind::BuyGet { .. } => {
                    &mut book.line_level
                }
            };
            for product_id in &promotion.product_ids {
                let entries = by_product.entry(*product_id).or_default();
                // A product listed twice must not count the promotion twice.
                if entries.last() != Some(&index) {
                    entries.push(index);
                }
            }
        }
        Ok(book)
    }
}

/// What a promotion may still give in this cart.
struct Remaining {
    budget: Option<Money>,
    quantity: Option<i64>,
}

impl Remaining {
    fn of(promotion: &Promotion) -> Remaining {
        Remaining {
            budget: promotion.budget_remaining,
            quantity: promotion.quantity_remaining,
        }
    }

    fn has_room(&self) -> bool {
        self.budget.is_none_or(|budget| budget.minor() > 0) && self.quantity.is_none_or(|quantity| quantity > 0)
    }

    fn take(&mut self, money: Money, units: i64) -> Result<(), PromotionError> {
        if let Some(budget) = self.budget.as_mut() {
            *budget = budget.checked_sub(money)?;
        }
        if let Some(quantity) = self.quantity.as_mut() {
            *quantity = quantity.checked_sub(units).ok_or(PromotionError::Overflow)?;
        }
        Ok(())
    }
}

/// Prices of products outside the cart, checked.
struct Prices<'a> {
    list_price_of: &'a dyn Fn(i64) -> Option<Money>,
    currency: Currency,
}

impl Prices<'_> {
    fn list_price(&self, product_id: i64, promotion: &Promotion) -> Result<Money, PromotionError> {
        let price = (self.list_price_of)(product_id).ok_or_else(|| PromotionError::MissingPrice {
            product_id,
            promotion_code: promotion.code.clone(),
        })?;
        same_currency(self.currency, price)?;
        if price.is_negative() {
            return Err(PromotionError::NegativePrice { product_id });
        }
        Ok(price)
    }
}

/// Units of one line sold at one unit price; a cap reached mid-line splits a line into several.
#[derive(Debug, Clone, Copy)]
struct Tranche {
    units: i64,
    unit_price: Money,
}

/// A line while it is being priced.
struct WorkLine {
    product_id: i64,
    quantity: i64,
    unit_list_price: Money,
    /// The units by unit price, for stacking per-unit discounts; empty once nothing more may
    /// change them (bundle components, free lines).
    tranches: Vec<Tranche>,
    line_total: Money,
    free: bool,
    bundle_of: Option<i64>,
    applied: Vec<Applied>,
    /// Whether the line may take promotions at all.
    open: bool,
    /// A non-stackable promotion applied, excluding all others (spend-saves included).
    exclusive: bool,
}

impl WorkLine {
    fn ordinary(product_id: i64, quantity: i64, unit_list_price: Money) -> Result<WorkLine, PromotionError> {
        Ok(WorkLine {
            product_id,
            quantity,
            unit_list_price,
            tranches: vec![Tranche {
                units: quantity,
                unit_price: unit_list_price,
            }],
            line_total: unit_list_price.checked_mul_quantity(quantity)?,
            free: false,
            bundle_of: None,
            applied: Vec::new(),
            open: true,
            exclusive: false,
        })
    }

    fn finish(self) -> Result<PricedLine, PromotionError> {
        Ok(PricedLine {
            product_id: self.product_id,
            quantity: self.quantity,
            unit_list_price: self.unit_list_price,
            unit_net_price: self.line_total.apply_rate(1, self.quantity, Rounding::HalfUp)?,
            line_total: self.line_total,
            free: self.free,
            bundle_of: self.bundle_of,
            applied: self.applied,
        })
    }
}

fn applied(promotion: &Promotion, amount: Money, note: Option<String>) -> Applied {
    Applied {
        promotion_id: promotion.id,
        promotion_code: promotion.code.clone(),
        kind: promotion.kind.code(),
        amount,
        note,
    }
}

/// Rule 2: the line as bundle components, or as it is when no bundle promotion sells it.
fn expand_bundle(
    line: &CartLine,
    book: &Book<'_>,
    caps: &mut [Remaining],
    prices: &Prices<'_>,
    out: &mut Vec<WorkLine>,
) -> Result<(), PromotionError> {
    let candidates = book
        .bundles
        .get(&line.product_id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for &index in candidates {
        let promotion = book.promotions[index];
        let PromotionKind::Bundle {
            bundle_product_id,
            components,
            bundle_price,
        } = &promotion.kind
        else {
            continue;
        };
        let Some(remaining) = caps.get_mut(index).filter(|r| r.has_room()) else {
            continue;
        };

        // List value of one bundle's components, each and together.
        let mut parts = Vec::with_capacity(components.len());
        let mut list_value = Money::zero(prices.currency);
        for &(product_id, quantity) in components {
            let unit_price = prices.list_price(product_id, promotion)?;
            let value = unit_price.checked_mul_quantity(quantity)?;
            list_value = list_value.checked_add(value)?;
            parts.push((product_id, quantity, unit_price, value));
        }
        let saving_per_bundle = list_value.checked_sub(*bundle_price)?;

        let mut bundles = line.quantity;
        if let Some(quantity) = remaining.quantity {
            bundles = bundles.min(quantity);
        }
        if let (Some(budget), true) = (remaining.budget, saving_per_bundle.minor() > 0) {
            bundles = bundles.min(budget.minor() / saving_per_bundle.minor());
        }
        if bundles <= 0 {
            continue;
        }

        let price_total = bundle_price.checked_mul_quantity(bundles)?;
        let mut weights: Vec<i64> = parts.iter().map(|part| part.3.minor()).collect();
        if weights.iter().all(|weight| *weight == 0) {
            weights = parts.iter().map(|part| part.1).collect();
        }
        let shares = price_total.allocate(&weights)?;
        let mut note =
            format!("{bundles} × bundle {bundle_product_id} at {bundle_price} (components' list value {list_value})");
        if bundles < line.quantity {
            note.push_str(&format!(
                "; cap reached: {bundles} of {} bundles at the bundle price, the rest at the bundle's list price",
                line.quantity
            ));
        }
        for ((product_id, quantity, unit_price, value), share) in parts.into_iter().zip(shares) {
            let quantity = quantity.checked_mul(bundles).ok_or(PromotionError::Overflow)?;
            let line_value = value.checked_mul_quantity(bundles)?;
            out.push(WorkLine {
                product_id,
                quantity,
                unit_list_price: unit_price,
                tranches: Vec::new(),
                line_total: share,
                free: false,
                bundle_of: Some(*bundle_product_id),
                applied: vec![applied(promotion, line_value.checked_sub(share)?, Some(note.clone()))],
                open: false,
                exclusive: true,
            });
        }
        let given = if saving_per_bundle.is_negative() {
            Money::zero(prices.currency)
        } else {
            saving_per_bundle.checked_mul_quantity(bundles)?
        };
        remaining.take(given, bundles)?;
        if bundles < line.quantity {
            out.push(WorkLine::ordinary(
                line.product_id,
                line.quantity - bundles,
                line.unit_list_price,
            )?);
        }
        return Ok(());
    }
    out.push(WorkLine::ordinary(
        line.product_id,
        line.quantity,
        line.unit_list_price,
    )?);
    Ok(())
}

/// Free goods a buy-get would give on a line now.
struct FreeGoods {
    product_id: i64,
    units: i64,
    unit_price: Money,
    /// Units the rule alone would give, before caps.
    earned: i64,
}

fn free_goods(
    promotion: &Promotion,
    line: &WorkLine,
    remaining: &Remaining,
    prices: &Prices<'_>,
) -> Result<Option<FreeGoods>, PromotionError> {
    let PromotionKind::BuyGet {
        buy,
        get,
        free_product_id,
    } = &promotion.kind
    else {
        return Ok(None);
    };
    let earned = (line.quantity / *buy)
        .checked_mul(*get)
        .ok_or(PromotionError::Overflow)?;
    if earned == 0 {
        return Ok(None);
    }
    let (product_id, unit_price) = match free_product_id {
        Some(product_id) => (*product_id, prices.list_price(*product_id, promotion)?),
        None => (line.product_id, line.unit_list_price),
    };
    let mut units = earned;
    if let Some(quantity) = remaining.quantity {
        units = units.min(quantity);
    }
    if let (Some(budget), true) = (remaining.budget, unit_price.minor() > 0) {
        units = units.min(budget.minor() / unit_price.minor());
    }
    if units <= 0 {
        return Ok(None);
    }
    Ok(Some(FreeGoods {
        product_id,
        units,
        unit_price,
        earned,
    }))
}

/// Rules 3 and 4 on one line; returns the free lines it earned.
fn apply_line_promotions(
    line: &mut WorkLine,
    book: &Book<'_>,
    caps: &mut [Remaining],
    prices: &Prices<'_>,
) -> Result<Vec<WorkLine>, PromotionError> {
    if !line.open {
        return Ok(Vec::new());
    }
    let candidates = book
        .line_level
        .get(&line.product_id)
        .map(Vec::as_slice)
        .unwrap_or_default();

    // Which promotions apply, decided before any of them changes the line.
    let mut chosen: Vec<(usize, Option<FreeGoods>)> = Vec::new();
    for &index in candidates {
        let promotion = book.promotions[index];
        if !promotion.stackable && !chosen.is_empty() {
            continue;
        }
        let Some(remaining) = caps.get(index).filter(|r| r.has_room()) else {
            continue;
        };
        let goods = match promotion.kind {
            PromotionKind::BuyGet { .. } => match free_goods(promotion, line, remaining, prices)? {
                Some(goods) => Some(goods),
                None => continue,
            },
            _ => None,
        };
        chosen.push((index, goods));
        if !promotion.stackable {
            line.exclusive = true;
            break;
        }
    }

    let mut free_lines = Vec::new();
    for (index, goods) in chosen {
        let promotion = book.promotions[index];
        let Some(remaining) = caps.get_mut(index) else {
            continue;
        };
        match goods {
            Some(goods) => free_lines.push(give_free_goods(promotion, line, goods, remaining)?),
            None => apply_unit_discount(promotion, line, remaining)?,
        }
    }
    Ok(free_lines)
}

/// Rule 4: the free line for goods already capped by [`free_goods`].
fn give_free_goods(
    promotion: &Promotion,
    line: &WorkLine,
    goods: FreeGoods,
    remaining: &mut Remaining,
) -> Result<WorkLine, PromotionError> {
    let value = goods.unit_price.checked_mul_quantity(goods.units)?;
    remaining.take(value, goods.units)?;
    let mut note = match &promotion.kind {
        PromotionKind::BuyGet { buy, get, .. } => format!(
            "buy {buy} get {get}: earned by {} × product {}",
            line.quantity, line.product_id
        ),
        _ => String::new(),
    };
    if goods.units < goods.earned {
        note.push_str(&format!(
            "; cap reached: {} of {} units given",
            goods.units, goods.earned
        ));
    }
    Ok(WorkLine {
        product_id: goods.product_id,
        quantity: goods.units,
        unit_list_price: goods.unit_price,
        tranches: Vec::new(),
        line_total: Money::zero(goods.unit_price.currency()),
        free: true,
        bundle_of: None,
        applied: vec![applied(promotion, value, Some(note))],
        open: false,
        exclusive: false,
    })
}

/// The discount one unit at `unit_price` gets; never more than the price itself.
fn unit_discount(kind: &PromotionKind, unit_price: Money) -> Result<Money, PromotionError> {
    Ok(match kind {
        PromotionKind::PercentOff { basis_points } => {
            unit_price.apply_rate(*basis_points, BASIS_POINTS_IN_WHOLE, Rounding::HalfUp)?
        }
        PromotionKind::AmountOff { amount } if amount.minor() > unit_price.minor() => unit_price,
        PromotionKind::AmountOff { amount } => *amount,
        _ => Money::zero(unit_price.currency()),
    })
}

/// Rule 3 (with the caps of rule 6): one per-unit discount on the units of a line.
fn apply_unit_discount(
    promotion: &Promotion,
    line: &mut WorkLine,
    remaining: &mut Remaining,
) -> Result<(), PromotionError> {
    let currency = line.unit_list_price.currency();
    let mut given = Money::zero(currency);
    let mut units_discounted = 0_i64;
    let mut quantity_reached = false;
    let mut budget_reached = false;
    let mut tranches = Vec::with_capacity(line.tranches.len() + 2);
    for tranche in &line.tranches {
        let per_unit = unit_discount(&promotion.kind, tranche.unit_price)?;
        if per_unit.is_zero() {
            tranches.push(*tranche);
            continue;
        }
        let mut covered = tranche.units;
        if let Some(quantity) = remaining.quantity.filter(|q| *q < covered) {
            covered = quantity.max(0);
            quantity_reached = true;
        }
        // The budget pays for whole units while it lasts, and its rest goes to one more unit.
        let mut rest = Money::zero(currency);
        if let Some(budget) = remaining.budget {
            let affordable = budget.minor() / per_unit.minor();
            if affordable < covered {
                covered = affordable.max(0);
                rest = Money::new(budget.minor() % per_unit.minor(), currency);
                budget_reached = true;
            }
        }
        let rest_units = i64::from(rest.minor() > 0);
        let full = per_unit.checked_mul_quantity(covered)?;
        let amount = full.checked_add(rest)?;
        let untouched = tranche.units - covered - rest_units;
        for (units, unit_price) in [
            (covered, tranche.unit_price.checked_sub(per_unit)?),
            (rest_units, tranche.unit_price.checked_sub(rest)?),
            (untouched, tranche.unit_price),
        ] {
            push_tranche(&mut tranches, units, unit_price);
        }
        remaining.take(amount, covered + rest_units)?;
        given = given.checked_add(amount)?;
        units_discounted += covered + rest_units;
    }
    line.tranches = tranches;
    line.line_total = line.line_total.checked_sub(given)?;

    let mut notes = Vec::new();
    if quantity_reached {
        notes.push(format!(
            "quantity cap reached: {units_discounted} of {} units discounted",
            line.quantity
        ));
    }
    if budget_reached {
        notes.push(format!("budget reached: {given} was what remained"));
    }
    if given.is_zero() && notes.is_empty() {
        return Ok(());
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    line.applied.push(applied(promotion, given, note));
    Ok(())
}

/// Appends units, merging with the last tranche when the price is the same.
fn push_tranche(tranches: &mut Vec<Tranche>, units: i64, unit_price: Money) {
    if units <= 0 {
        return;
    }
    match tranches.last_mut() {
        Some(last) if last.unit_price == unit_price => last.units += units,
        _ => tranches.push(Tranche { units, unit_price }),
    }
}

/// Rule 5: spend-saves on the order, spread back over their lines.
fn apply_spend_saves(
    lines: &mut [WorkLine],
    book: &Book<'_>,
    caps: &mut [Remaining],
) -> Result<Vec<Applied>, PromotionError> {
    if book.spend_saves.is_empty() {
        return Ok(Vec::new());
    }
    // Qualifying lines and their sum after rules 3–4, per spend-save.
    let mut qualifying: HashMap<usize, (Money, Vec<usize>)> = HashMap::new();
    for (position, line) in lines.iter().enumerate() {
        if !line.open || line.exclusive {
            continue;
        }
        let Some(spend_saves) = book.spend_saves_by_product.get(&line.product_id) else {
            continue;
        };
        for &index in spend_saves {
            let (sum, members) = qualifying
                .entry(index)
                .or_insert_with(|| (Money::zero(line.line_total.currency()), Vec::new()));
            *sum = sum.checked_add(line.line_total)?;
            members.push(position);
        }
    }

    let mut chosen = Vec::new();
    for &index in &book.spend_saves {
        let promotion = book.promotions[index];
        let PromotionKind::SpendSave { threshold, .. } = &promotion.kind else {
            continue;
        };
        let Some((sum, _)) = qualifying.get(&index) else {
            continue;
        };
        if sum.minor() < threshold.minor() || !caps.get(index).is_some_and(Remaining::has_room) {
            continue;
        }
        if !promotion.stackable && !chosen.is_empty() {
            continue;
        }
        chosen.push(index);
        if !promotion.stackable {
            break;
        }
    }

    let mut order_discounts = Vec::new();
    for index in chosen {
        let promotion = book.promotions[index];
        let (
            PromotionKind::SpendSave {
                threshold,
                saving,
                repeat,
            },
            Some((sum, members)),
            Some(remaining),
        ) = (&promotion.kind, qualifying.get(&index), caps.get_mut(index))
        else {
            continue;
        };
        let mut notes = Vec::new();
        let earned = if *repeat { sum.minor() / threshold.minor() } else { 1 };
        let mut times = earned;
        if let Some(quantity) = remaining.quantity.filter(|q| *q < times) {
            times = quantity;
            notes.push(format!("quantity cap reached: given {times} of {earned} times"));
        }
        let mut amount = saving.checked_mul_quantity(times)?;
        if let Some(budget) = remaining.budget.filter(|b| b.minor() < amount.minor()) {
            amount = budget;
            notes.push(format!("budget reached: {budget} was what remained"));
        }
        let weights: Vec<i64> = members
            .iter()
            .map(|&position| lines.get(position).map_or(0, |line| line.line_total.minor()))
            .collect();
        let left: i64 = weights
            .iter()
            .try_fold(0_i64, |sum, weight| sum.checked_add(*weight))
            .ok_or(PromotionError::Overflow)?;
        if left < amount.minor() {
            amount = Money::new(left, amount.currency());
            notes.push("limited to what is left of the qualifying lines".to_owned());
        }
        if amount.is_zero() {
            continue;
        }
        let shares = amount.allocate(&weights)?;
        for (&position, share) in members.iter().zip(shares) {
            let Some(line) = lines.get_mut(position).filter(|_| !share.is_zero()) else {
                continue;
            };
            line.line_total = line.line_total.checked_sub(share)?;
            line.applied.push(applied(
                promotion,
                share,
                Some(format!("share of the order discount {}", promotion.code)),
            ));
        }
        remaining.take(amount, times)?;
        let mut note = format!("spend {threshold} save {saving}");
        if *repeat {
            note.push_str(&format!(" per full {threshold}: {times} ×"));
        }
        note.push_str(&format!(" on qualifying lines worth {sum}"));
        for extra in notes {
            note.push_str("; ");
            note.push_str(&extra);
        }
        order_discounts.push(applied(promotion, amount, Some(note)));
    }
    Ok(order_discounts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Instant;

    use super::*;

    fn rub(minor: i64) -> Money {
        Money::new(minor, Currency::parse("RUB").unwrap())
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    const TODAY: &str = "2026-06-15";

    fn promotion(id: i64, kind: PromotionKind, product_ids: &[i64]) -> Promotion {
        Promotion {
            id,
            code: format!("P{id}"),
            name: format!("Promotion {id}"),
            kind,
            priority: 0,
            stackable: true,
            starts_on: day("2026-06-01"),
            ends_on: day("2026-06-30"),
            product_ids: product_ids.to_vec(),
            budget_remaining: None,
            quantity_remaining: None,
        }
    }

    fn percent(id: i64, basis_points: i64, product_ids: &[i64]) -> Promotion {
        promotion(id, PromotionKind::PercentOff { basis_points }, product_ids)
    }

    fn amount_off(id: i64, minor: i64, product_ids: &[i64]) -> Promotion {
        promotion(id, PromotionKind::AmountOff { amount: rub(minor) }, product_ids)
    }

    fn spend_save(id: i64, threshold: i64, saving: i64, repeat: bool, product_ids: &[i64]) -> Promotion {
        let kind = PromotionKind::SpendSave {
            threshold: rub(threshold),
            saving: rub(saving),
            repeat,
        };
        promotion(id, kind, product_ids)
    }

    fn buy_get(id: i64, buy: i64, get: i64, free_product_id: Option<i64>, product_ids: &[i64]) -> Promotion {
        let kind = PromotionKind::BuyGet {
            buy,
            get,
            free_product_id,
        };
        promotion(id, kind, product_ids)
    }

    fn bundle(id: i64, bundle_product_id: i64, components: &[(i64, i64)], price: i64) -> Promotion {
        let kind = PromotionKind::Bundle {
            bundle_product_id,
            components: components.to_vec(),
            bundle_price: rub(price),
        };
        promotion(id, kind, &[])
    }

    fn line(product_id: i64, quantity: i64, price: i64) -> CartLine {
        CartLine {
            product_id,
            quantity,
            unit_list_price: rub(price),
        }
    }

    /// Products 1–99 cost `product × 1.00` in the look-up; others have no price.
    fn catalog(product_id: i64) -> Option<Money> {
        (1..100).contains(&product_id).then(|| rub(product_id * 100))
    }

    fn price(lines: &[CartLine], promotions: &[Promotion]) -> PricedCart {
        price_cart(lines, promotions, day(TODAY), &catalog).unwrap()
    }

    fn codes(line: &PricedLine) -> Vec<&str> {
        line.applied.iter().map(|a| a.promotion_code.as_str()).collect()
    }

    fn totals(cart: &PricedCart) -> Vec<i64> {
        cart.lines.iter().map(|l| l.line_total.minor()).collect()
    }

    // Rule 1.

    #[test]
    fn only_promotions_in_their_period_count_both_ends_included() {
        let mut june = percent(1, 1000, &[7]);
        june.starts_on = day("2026-06-01");
        june.ends_on = day("2026-06-30");
        let cart = [line(7, 1, 10_000)];
        let at = |date: &str| {
            price_cart(&cart, std::slice::from_ref(&june), day(date), &catalog)
                .unwrap()
                .total
        };
        assert_eq!(at("2026-05-31"), rub(10_000));
        assert_eq!(at("2026-06-01"), rub(9_000));
        assert_eq!(at("2026-06-30"), rub(9_000));
        assert_eq!(at("2026-07-01"), rub(10_000));
    }

    #[test]
    fn an_inactive_promotion_is_not_even_validated() {
        let mut broken = percent(1, 20_000, &[7]);
        broken.ends_on = day("2026-01-31");
        assert_eq!(price(&[line(7, 1, 100)], &[broken]).total, rub(100));
    }

    // Rule 2.

    #[test]
    fn a_bundle_is_sold_as_its_components_at_the_bundle_price() {
        // Bundle 500 = 2 × product 10 (10.00) + 1 × product 30 (30.00): list value 50.00,
        // sold at 40.00. Shares 2:3 of 40.00 × 3 bundles = 48.00 and 72.00.
        let promotions = [bundle(1, 500, &[(10, 2), (30, 1)], 4_000)];
        let cart = price(&[line(500, 3, 99_999)], &promotions);
        assert_eq!(cart.lines.len(), 2);
        let (first, second) = (&cart.lines[0], &cart.lines[1]);
        assert_eq!((first.product_id, first.quantity, first.bundle_of), (10, 6, Some(500)));
        assert_eq!(
            (second.product_id, second.quantity, second.bundle_of),
            (30, 3, Some(500))
        );
        assert_eq!(first.unit_list_price, rub(1_000));
        assert_eq!(first.line_total, rub(4_800));
        assert_eq!(first.unit_net_price, rub(800));
        assert_eq!(second.line_total, rub(7_200));
        assert_eq!(cart.total, rub(12_000));
        // Each component line says how much the bundle saved on it: 60.00 − 48.00, 90.00 − 72.00.
        assert_eq!(first.applied[0].kind, "bundle");
        assert_eq!(first.applied[0].amount, rub(1_200));
        assert_eq!(second.applied[0].amount, rub(1_800));
    }

    #[test]
    fn bundle_shares_sum_exactly_to_the_bundle_price() {
        // 100.00 over three equal components: 33.34 + 33.33 + 33.33.
        let promotions = [bundle(1, 500, &[(10, 1), (11, 1), (12, 1)], 10_000)];
        let mut same_price = |_: i64| Some(rub(5_000));
        let lookup: &dyn Fn(i64) -> Option<Money> = &mut same_price;
        let cart = price_cart(&[line(500, 1, 0)], &promotions, day(TODAY), lookup).unwrap();
        assert_eq!(totals(&cart), vec![3_334, 3_333, 3_333]);
        assert_eq!(cart.total, rub(10_000));
    }

    #[test]
    fn a_bundle_component_without_a_price_is_an_error_naming_it() {
        let promotions = [bundle(1, 500, &[(10, 1), (404, 1)], 1_000)];
        assert_eq!(
            price_cart(&[line(500, 1, 0)], &promotions, day(TODAY), &catalog),
            Err(PromotionError::MissingPrice {
                product_id: 404,
                promotion_code: "P1".to_owned()
            })
        );
    }

    #[test]
    fn a_bundle_line_takes_no_other_promotion() {
        let promotions = [
            bundle(1, 500, &[(10, 1), (20, 1)], 2_400),
            percent(2, 5_000, &[10, 20, 500]),
            buy_get(3, 1, 1, None, &[10, 20, 500]),
            spend_save(4, 100, 1_000, false, &[10, 20, 500]),
        ];
        let cart = price(&[line(500, 1, 5_000)], &promotions);
        assert_eq!(totals(&cart), vec![800, 1_600]);
        assert!(cart.lines.iter().all(|l| codes(l) == vec!["P1"]));
        assert!(cart.order_discounts.is_empty());
        assert_eq!(cart.total, rub(2_400));
    }

    // Rule 3.

    #[test]
    fn stackable_discounts_apply_in_priority_order_each_on_the_price_left() {
        let mut first = amount_off(1, 1_000, &[7]);
        first.priority = 10;
        let second = percent(2, 1_000, &[7]);
        // 100.00 − 10.00 = 90.00, then 10 % of 90.00 = 9.00: 81.00 (not 80.00).
        let cart = price(&[line(7, 2, 10_000)], &[second, first]);
        let line = &cart.lines[0];
        assert_eq!(line.unit_net_price, rub(8_100));
        assert_eq!(line.line_total, rub(16_200));
        assert_eq!(codes(line), vec!["P1", "P2"]);
        assert_eq!(line.applied[0].amount, rub(2_000));
        assert_eq!(line.applied[1].amount, rub(1_800));
    }

    #[test]
    fn a_non_stackable_promotion_excludes_lower_ones() {
        let mut exclusive = percent(1, 2_000, &[7]);
        exclusive.stackable = false;
        exclusive.priority = 5;
        let cart = price(
            &[line(7, 1, 10_000)],
            &[exclusive, amount_off(2, 500, &[7]), buy_get(3, 1, 1, None, &[7])],
        );
        assert_eq!(cart.lines.len(), 1);
        assert_eq!(codes(&cart.lines[0]), vec!["P1"]);
        assert_eq!(cart.total, rub(8_000));
    }

    #[test]
    fn a_non_stackable_promotion_below_a_stackable_one_is_skipped() {
        let mut stackable = percent(1, 1_000, &[7]);
        stackable.priority = 5;
        let mut exclusive = amount_off(2, 5_000, &[7]);
        exclusive.stackable = false;
        let cart = price(&[line(7, 1, 10_000)], &[exclusive, stackable, percent(3, 1_000, &[7])]);
        assert_eq!(codes(&cart.lines[0]), vec!["P1", "P3"]);
        // 100.00 → 90.00 → 81.00.
        assert_eq!(cart.total, rub(8_100));
    }

    #[test]
    fn equal_priorities_go_by_id() {
        let mut second = amount_off(2, 5_000, &[7]);
        second.stackable = false;
        let mut first = amount_off(1, 1_000, &[7]);
        first.stackable = false;
        assert_eq!(
            codes(&price(&[line(7, 1, 10_000)], &[second, first]).lines[0]),
            vec!["P1"]
        );
    }

    #[test]
    fn a_percentage_rounds_half_up_per_unit() {
        // 15 % of 0.99 is 0.1485 → 0.15 per unit: 3 units save 0.45. 15 % of 0.10 is 0.015 →
        // 0.02 per unit: 3 units save 0.06, where rounding the line (0.045) would give 0.05.
        let cart = price(&[line(7, 3, 99), line(8, 3, 10)], &[percent(1, 1_500, &[7, 8])]);
        assert_eq!(cart.lines[0].unit_net_price, rub(84));
        assert_eq!(cart.lines[0].applied[0].amount, rub(45));
        assert_eq!(cart.lines[1].unit_net_price, rub(8));
        assert_eq!(cart.lines[1].applied[0].amount, rub(6));
    }

    #[test]
    fn a_unit_price_never_goes_below_zero() {
        let cart = price(
            &[line(7, 2, 1_000)],
            &[
                amount_off(1, 700, &[7]),
                amount_off(2, 700, &[7]),
                percent(3, 10_000, &[7]),
            ],
        );
        let line = &cart.lines[0];
        assert_eq!(line.unit_net_price, rub(0));
        assert_eq!(line.line_total, rub(0));
        // The second amount off gives only the 3.00 that was left; the percentage has nothing.
        assert_eq!(
            line.applied.iter().map(|a| a.amount.minor()).collect::<Vec<_>>(),
            vec![1_400, 600]
        );
    }

    // Rule 4.

    #[test]
    fn buy_ten_get_one_adds_a_free_line() {
        let cart = price(&[line(7, 25, 1_000)], &[buy_get(1, 10, 1, None, &[7])]);
        assert_eq!(cart.lines.len(), 2);
        let (paid, free) = (&cart.lines[0], &cart.lines[1]);
        assert_eq!((paid.quantity, paid.line_total, paid.free), (25, rub(25_000), false));
        assert!(paid.applied.is_empty());
        assert_eq!((free.product_id, free.quantity, free.free), (7, 2, true));
        assert_eq!((free.unit_net_price, free.line_total), (rub(0), rub(0)));
        assert_eq!(free.unit_list_price, rub(1_000));
        assert_eq!(free.applied[0].kind, "buy_get");
        assert_eq!(free.applied[0].amount, rub(2_000));
        assert_eq!(cart.total, rub(25_000));
    }

    #[test]
    fn buy_get_may_give_another_product_priced_by_the_look_up() {
        let cart = price(&[line(7, 6, 1_000)], &[buy_get(1, 3, 2, Some(42), &[7])]);
        let free = &cart.lines[1];
        assert_eq!((free.product_id, free.quantity), (42, 4));
        assert_eq!(free.applied[0].amount, rub(4 * 4_200));
        let missing = price_cart(
            &[line(7, 6, 1_000)],
            &[buy_get(1, 3, 2, Some(404), &[7])],
            day(TODAY),
            &catalog,
        );
        assert!(matches!(
            missing,
            Err(PromotionError::MissingPrice { product_id: 404, .. })
        ));
    }

    #[test]
    fn buy_get_below_the_buy_quantity_gives_nothing_and_excludes_nothing() {
        let mut exclusive = buy_get(1, 10, 1, None, &[7]);
        exclusive.stackable = false;
        exclusive.priority = 9;
        let cart = price(&[line(7, 9, 1_000)], &[exclusive, percent(2, 1_000, &[7])]);
        assert_eq!(cart.lines.len(), 1);
        assert_eq!(codes(&cart.lines[0]), vec!["P2"]);
    }

    // Rule 5.

    #[test]
    fn spend_x_save_y_is_spread_over_the_lines_exactly() {
        // Lines worth 100.00, 200.00 and 0.01 reach 300.00; 10.00 is spread 10000:20000:1, the
        // kopeck left over going to the largest lost fraction (the second line). Product 9 does
        // not qualify and keeps its price.
        let cart = price(
            &[line(1, 1, 10_000), line(2, 2, 10_000), line(3, 1, 1), line(9, 1, 5_000)],
            &[spend_save(1, 30_000, 1_000, false, &[1, 2, 3])],
        );
        assert_eq!(totals(&cart), vec![10_000 - 333, 20_000 - 667, 1, 5_000]);
        assert_eq!(cart.total, rub(30_001 + 5_000 - 1_000));
        assert_eq!(cart.order_discounts.len(), 1);
        assert_eq!(cart.order_discounts[0].amount, rub(1_000));
        assert_eq!(cart.order_discounts[0].kind, "spend_save");
        let shares: i64 = cart
            .lines
            .iter()
            .flat_map(|l| &l.applied)
            .map(|a| a.amount.minor())
            .sum();
        assert_eq!(shares, 1_000);
        assert_eq!(cart.lines[1].unit_net_price, rub(9_667));
    }

    #[test]
    fn spend_x_save_y_counts_the_lines_after_unit_discounts() {
        // 300.00 at 10 % off is 270.00: below a 300.00 threshold.
        let promotions = [spend_save(1, 30_000, 1_000, false, &[1]), percent(2, 1_000, &[1])];
        assert!(price(&[line(1, 3, 10_000)], &promotions).order_discounts.is_empty());
        assert_eq!(price(&[line(1, 4, 10_000)], &promotions).total, rub(36_000 - 1_000));
    }

    #[test]
    fn spend_x_save_y_repeats_once_per_full_threshold() {
        let cart = price(&[line(1, 7, 10_000)], &[spend_save(1, 30_000, 2_000, true, &[1])]);
        assert_eq!(cart.order_discounts[0].amount, rub(4_000));
        assert_eq!(cart.total, rub(66_000));
        let once = price(&[line(1, 7, 10_000)], &[spend_save(1, 30_000, 2_000, false, &[1])]);
        assert_eq!(once.total, rub(68_000));
    }

    #[test]
    fn a_non_stackable_spend_save_excludes_other_spend_saves() {
        let mut exclusive = spend_save(1, 10_000, 500, false, &[1]);
        exclusive.stackable = false;
        let mut better = spend_save(2, 10_000, 2_000, false, &[1]);
        better.priority = 1;
        let other = spend_save(3, 10_000, 100, false, &[1]);
        // Priority decides, not the size of the saving: P2 first, stackable; P1 skipped; P3 stacks.
        let cart = price(
            &[line(1, 1, 10_000)],
            &[exclusive.clone(), better.clone(), other.clone()],
        );
        let given: Vec<_> = cart.order_discounts.iter().map(|a| a.promotion_code.as_str()).collect();
        assert_eq!(given, vec!["P2", "P3"]);
        exclusive.priority = 2;
        let cart = price(&[line(1, 1, 10_000)], &[exclusive, better, other]);
        let given: Vec<_> = cart.order_discounts.iter().map(|a| a.promotion_code.as_str()).collect();
        assert_eq!(given, vec!["P1"]);
        assert_eq!(cart.total, rub(9_500));
    }

    #[test]
    fn lines_under_an_exclusive_promotion_do_not_count_towards_spend_save() {
        let mut exclusive = percent(1, 1_000, &[1]);
        exclusive.stackable = false;
        let promotions = [exclusive, spend_save(2, 10_000, 1_000, false, &[1, 2])];
        let cart = price(&[line(1, 5, 10_000), line(2, 1, 5_000)], &promotions);
        assert!(cart.order_discounts.is_empty());
        let cart = price(&[line(1, 5, 10_000), line(2, 2, 5_000)], &promotions);
        assert_eq!(totals(&cart), vec![45_000, 9_000]);
    }

    #[test]
    fn a_saving_never_exceeds_what_is_left_of_the_lines() {
        let cart = price(
            &[line(1, 1, 1_000)],
            &[
                spend_save(1, 500, 800, false, &[1]),
                spend_save(2, 500, 800, false, &[1]),
            ],
        );
        assert_eq!(cart.total, rub(0));
        assert_eq!(cart.order_discounts[1].amount, rub(200));
        assert!(cart.order_discounts[1].note.as_deref().unwrap().contains("limited"));
    }

    // Rule 6.

    #[test]
    fn a_budget_is_never_overrun() {
        // 10.00 off per unit with 35.00 of budget: three lines of 2 units would take 60.00.
        let mut capped = amount_off(1, 1_000, &[1, 2, 3]);
        capped.budget_remaining = Some(rub(3_500));
        let cart = price(&[line(1, 2, 5_000), line(2, 2, 5_000), line(3, 2, 5_000)], &[capped]);
        let given: Vec<_> = cart
            .lines
            .iter()
            .map(|l| l.applied.first().map(|a| a.amount.minor()))
            .collect();
        assert_eq!(given, vec![Some(2_000), Some(1_500), None]);
        // The last line's rest goes to one unit: 40.00 + 45.00.
        assert_eq!(totals(&cart), vec![8_000, 8_500, 10_000]);
        assert!(cart.lines[1].applied[0]
            .note
            .as_deref()
            .unwrap()
            .contains("budget reached"));
        assert_eq!(cart.lines[1].unit_net_price, rub(4_250));
    }

    #[test]
    fn a_budget_caps_free_goods_in_whole_units_and_spend_saves_in_money() {
        let mut free = buy_get(1, 1, 1, None, &[1]);
        free.budget_remaining = Some(rub(2_500));
        let mut saving = spend_save(2, 1_000, 5_000, false, &[2]);
        saving.budget_remaining = Some(rub(1_234));
        let cart = price(&[line(1, 5, 1_000), line(2, 1, 10_000)], &[free, saving]);
        assert_eq!(cart.lines[1].quantity, 2);
        assert!(cart.lines[1].applied[0]
            .note
            .as_deref()
            .unwrap()
            .contains("cap reached: 2 of 5"));
        assert_eq!(cart.order_discounts[0].amount, rub(1_234));
        assert!(cart.order_discounts[0]
            .note
            .as_deref()
            .unwrap()
            .contains("budget reached"));
    }

    #[test]
    fn a_quantity_cap_limits_the_units_discounted_and_given() {
        let mut discount = percent(1, 5_000, &[1]);
        discount.quantity_remaining = Some(3);
        let mut free = buy_get(2, 2, 1, None, &[2]);
        free.quantity_remaining = Some(4);
        let cart = price(
            &[line(1, 2, 1_000), line(1, 2, 1_000), line(2, 20, 100)],
            &[discount, free],
        );
        // Two units on the first line, one on the second.
        assert_eq!(totals(&cart), vec![1_000, 1_500, 2_000, 0]);
        assert!(cart.lines[1].applied[0]
            .note
            .as_deref()
            .unwrap()
            .contains("1 of 2 units"));
        assert_eq!(cart.lines[3].quantity, 4);
    }

    #[test]
    fn a_used_up_promotion_gives_way_to_the_next() {
        let mut exclusive = percent(1, 5_000, &[1]);
        exclusive.stackable = false;
        exclusive.priority = 1;
        exclusive.quantity_remaining = Some(0);
        let cart = price(&[line(1, 1, 1_000)], &[exclusive, percent(2, 1_000, &[1])]);
        assert_eq!(codes(&cart.lines[0]), vec!["P2"]);
    }

    #[test]
    fn bundles_past_a_cap_stay_at_the_bundle_list_price() {
        let mut capped = bundle(1, 500, &[(10, 1), (20, 1)], 2_400);
        capped.quantity_remaining = Some(2);
        let cart = price(&[line(500, 5, 2_900)], &[capped, percent(2, 1_000, &[500])]);
        assert_eq!(cart.lines.len(), 3);
        assert_eq!((cart.lines[0].quantity, cart.lines[1].quantity), (2, 2));
        assert!(cart.lines[0].applied[0]
            .note
            .as_deref()
            .unwrap()
            .contains("2 of 5 bundles"));
        let rest = &cart.lines[2];
        assert_eq!((rest.product_id, rest.quantity, rest.bundle_of), (500, 3, None));
        assert_eq!(rest.line_total, rub(3 * 2_610));
        assert_eq!(cart.total, rub(4_800 + 7_830));
    }

    // Rule 7.

    #[test]
    fn lines_in_different_currencies_are_refused() {
        let yuan = Currency::parse("CNY").unwrap();
        let mixed = [
            line(1, 1, 100),
            CartLine {
                product_id: 2,
                quantity: 1,
                unit_list_price: Money::new(100, yuan),
            },
        ];
        assert!(matches!(
            price_cart(&mixed, &[], day(TODAY), &catalog),
            Err(PromotionError::CurrencyMismatch { .. })
        ));
        let yuan_off = promotion(
            1,
            PromotionKind::AmountOff {
                amount: Money::new(1, yuan),
            },
            &[1],
        );
        assert!(matches!(
            price_cart(&[line(1, 1, 100)], &[yuan_off], day(TODAY), &catalog),
            Err(PromotionError::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn quantities_must_be_positive_and_carts_not_empty() {
        for quantity in [0, -1] {
            assert_eq!(
                price_cart(&[line(1, quantity, 100)], &[], day(TODAY), &catalog),
                Err(PromotionError::InvalidQuantity {
                    product_id: 1,
                    quantity
                })
            );
        }
        assert_eq!(
            price_cart(&[], &[], day(TODAY), &catalog),
            Err(PromotionError::EmptyCart)
        );
        assert_eq!(
            price_cart(&[line(1, 1, -1)], &[], day(TODAY), &catalog),
            Err(PromotionError::NegativePrice { product_id: 1 })
        );
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let huge = [line(1, 3, i64::MAX / 2)];
        assert_eq!(
            price_cart(&huge, &[], day(TODAY), &catalog),
            Err(PromotionError::Overflow)
        );
        let two = [line(1, 1, i64::MAX), line(2, 1, 1)];
        assert_eq!(
            price_cart(&two, &[], day(TODAY), &catalog),
            Err(PromotionError::Overflow)
        );
        let many_free = [buy_get(1, 1, i64::MAX, None, &[1])];
        assert_eq!(
            price_cart(&[line(1, 2, 1)], &many_free, day(TODAY), &catalog),
            Err(PromotionError::Overflow)
        );
    }

    #[test]
    fn nonsensical_active_promotions_are_refused() {
        let cases = [
            percent(1, 10_001, &[1]),
            percent(1, -1, &[1]),
            amount_off(1, -1, &[1]),
            spend_save(1, 0, 100, true, &[1]),
            buy_get(1, 0, 1, None, &[1]),
            buy_get(1, 1, 0, None, &[1]),
            bundle(1, 500, &[], 100),
            bundle(1, 500, &[(1, 0)], 100),
        ];
        for case in cases {
            let result = price_cart(&[line(1, 1, 100)], std::slice::from_ref(&case), day(TODAY), &catalog);
            assert!(
                matches!(result, Err(PromotionError::InvalidPromotion { .. })),
                "{case:?} accepted"
            );
        }
        let error = PromotionError::InvalidPromotion {
            promotion_code: "P1".to_owned(),
            reason: "buy and get must be positive",
        };
        assert_eq!(error.code(), "promotion.invalid");
        assert_eq!(error.to_string(), "promotion P1: buy and get must be positive");
    }

    // Properties, from a seeded generator (proptest is not a dependency of this crate).

    struct Seeded(u64);

    impl Seeded {
        fn below(&mut self, bound: i64) -> i64 {
            // SplitMix64: small, fast and good enough to vary carts.
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            i64::try_from(z % u64::try_from(bound).unwrap()).unwrap()
        }

        fn chance(&mut self, percent: i64) -> bool {
            self.below(100) < percent
        }
    }

    fn random_promotion(random: &mut Seeded, id: i64) -> Promotion {
        let products: Vec<i64> = (0..random.below(5) + 1).map(|_| random.below(12) + 1).collect();
        let kind = match random.below(5) {
            0 => PromotionKind::PercentOff {
                basis_points: random.below(10_001),
            },
            1 => PromotionKind::AmountOff {
                amount: rub(random.below(5_000)),
            },
            2 => PromotionKind::SpendSave {
                threshold: rub(random.below(50_000) + 1),
                saving: rub(random.below(20_000)),
                repeat: random.chance(50),
            },
            3 => PromotionKind::BuyGet {
                buy: random.below(5) + 1,
                get: random.below(3) + 1,
                free_product_id: random.chance(30).then(|| random.below(12) + 1),
            },
            _ => PromotionKind::Bundle {
                bundle_product_id: 100 + random.below(3),
                components: (0..random.below(3) + 1)
                    .map(|_| (random.below(12) + 1, random.below(3) + 1))
                    .collect(),
                bundle_price: rub(random.below(10_000)),
            },
        };
        let mut promotion = promotion(id, kind, &products);
        promotion.priority = random.below(4);
        promotion.stackable = random.chance(70);
        promotion.budget_remaining = random.chance(30).then(|| rub(random.below(20_000)));
        promotion.quantity_remaining = random.chance(30).then(|| random.below(10));
        if random.chance(10) {
            promotion.ends_on = day("2026-06-14");
        }
        promotion
    }

    #[test]
    fn every_amount_is_explained_and_the_total_is_the_sum_of_the_lines() {
        let mut random = Seeded(20_260_615);
        for case in 0..2_000 {
            let promotions: Vec<Promotion> = (0..random.below(9))
                .map(|id| random_promotion(&mut random, id))
                .collect();
            let cart: Vec<CartLine> = (0..random.below(12) + 1)
                .map(|_| {
                    let product_id = if random.chance(15) {
                        100 + random.below(3)
                    } else {
                        random.below(12) + 1
                    };
                    line(product_id, random.below(30) + 1, random.below(20_000))
                })
                .collect();
            let priced = price(&cart, &promotions);
            let context = format!("case {case}: {cart:?} {promotions:?}");

            let sum: i64 = priced.lines.iter().map(|l| l.line_total.minor()).sum();
            assert_eq!(priced.total.minor(), sum, "{context}");
            assert!(!priced.total.is_negative(), "{context}");
            for line in &priced.lines {
                assert!(
                    !line.line_total.is_negative() && !line.unit_net_price.is_negative(),
                    "{context}"
                );
                let explained: i64 = line.applied.iter().map(|a| a.amount.minor()).sum();
                if line.free {
                    assert_eq!(line.line_total, rub(0), "{context}");
                    assert_eq!(explained, line.unit_list_price.minor() * line.quantity, "{context}");
                } else {
                    let list = line.unit_list_price.minor() * line.quantity;
                    assert_eq!(line.line_total.minor(), list - explained, "{context}");
                }
            }
            for promotion in &promotions {
                let given = |kind_filter: fn(&Applied) -> bool| -> i64 {
                    priced
                        .lines
                        .iter()
                        .flat_map(|l| &l.applied)
                        .filter(|a| a.promotion_id == promotion.id && kind_filter(a))
                        .map(|a| a.amount.minor().max(0))
                        .sum()
                };
                let total_given = given(|_| true);
                if let Some(budget) = promotion.budget_remaining {
                    assert!(total_given <= budget.minor(), "budget overrun, {context}");
                }
                let on_order: i64 = priced
                    .order_discounts
                    .iter()
                    .filter(|a| a.promotion_id == promotion.id)
                    .map(|a| a.amount.minor())
                    .sum();
                if matches!(promotion.kind, PromotionKind::SpendSave { .. }) {
                    assert_eq!(total_given, on_order, "{context}");
                }
            }
        }
    }

    #[test]
    fn five_hundred_lines_against_two_hundred_promotions() {
        let mut random = Seeded(7);
        let promotions: Vec<Promotion> = (0..200)
            .map(|id| {
                let mut promotion = random_promotion(&mut random, id);
                promotion.product_ids = (0..20).map(|_| random.below(1_000) + 1).collect();
                promotion.ends_on = day("2026-06-30");
                promotion
            })
            .collect();
        let cart: Vec<CartLine> = (0..500)
            .map(|index| line(index % 1_000 + 1, random.below(50) + 1, random.below(100_000)))
            .collect();
        let wide_catalog = |product_id: i64| (1..=1_000).contains(&product_id).then(|| rub(product_id * 10));
        let started = Instant::now();
        let priced = price_cart(&cart, &promotions, day(TODAY), &wide_catalog).unwrap();
        let elapsed = started.elapsed();
        println!(
            "priced {} cart lines ({} priced lines) against {} promotions in {elapsed:?}",
            cart.len(),
            priced.lines.len(),
            promotions.len()
        );
        assert!(priced.lines.len() >= 500);
    }
}

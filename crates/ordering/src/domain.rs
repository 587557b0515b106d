//! Orders in the words of the order desk: their states and the rules of moving between them,
//! and the checks of what a dealer asks for. No I/O here.

use std::collections::HashSet;

use chrono::NaiveDate;
use platform::failure::Checks;
use platform::money::Rounding;
use platform::{Failure, FieldError, Money};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Draft,
    Submitted,
    OnCreditHold,
    Confirmed,
    PartiallyConfirmed,
    Rejected,
    Cancelled,
    PartiallyShipped,
    Shipped,
    Received,
    Invoiced,
    Paid,
    Closed,
}

/// What happens to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEvent {
    Submit,
    HoldForCredit,
    ReleaseCredit,
    Confirm,
    ConfirmPartially,
    Reject,
    UndoRejection,
    Cancel,
    ShipPartially,
    Ship,
    Receive,
    Invoice,
    Pay,
    Close,
}

impl OrderEvent {
    pub fn code(self) -> &'static str {
        match self {
            OrderEvent::Submit => "submit",
            OrderEvent::HoldForCredit => "hold_for_credit",
            OrderEvent::ReleaseCredit => "release_credit",
            OrderEvent::Confirm => "confirm",
            OrderEvent::ConfirmPartially => "confirm_partially",
            OrderEvent::Reject => "reject",
            OrderEvent::UndoRejection => "undo_rejection",
            OrderEvent::Cancel => "cancel",
            OrderEvent::ShipPartially => "ship_partially",
            OrderEvent::Ship => "ship",
            OrderEvent::Receive => "receive",
            OrderEvent::Invoice => "invoice",
            OrderEvent::Pay => "pay",
            OrderEvent::Close => "close",
        }
    }
}

impl OrderState {
    pub const ALL: [OrderState; 13] = [
        OrderState::Draft,
        OrderState::Submitted,
        OrderState::OnCreditHold,
        OrderState::Confirmed,
        OrderState::PartiallyConfirmed,
        OrderState::Rejected,
        OrderState::Cancelled,
        OrderState::PartiallyShipped,
        OrderState::Shipped,
        OrderState::Received,
        OrderState::Invoiced,
        OrderState::Paid,
        OrderState::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrderState::Draft => "draft",
            OrderState::Submitted => "submitted",
            OrderState::OnCreditHold => "on_credit_hold",
            OrderState::Confirmed => "confirmed",
            OrderState::PartiallyConfirmed => "partially_confirmed",
            OrderState::Rejected => "rejected",
            OrderState::Cancelled => "cancelled",
            OrderState::PartiallyShipped => "partially_shipped",
            OrderState::Shipped => "shipped",
            OrderState::Received => "received",
            OrderState::Invoiced => "invoiced",
            OrderState::Paid => "paid",
            OrderState::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<OrderState> {
        OrderState::ALL.into_iter().find(|state| state.code() == code)
    }

    /// The state `event` leads to, or `None` when it may not happen in this state. This table
    /// is the whole life of an order.
    pub fn after(self, event: OrderEvent) -> Option<OrderState> {
        use OrderEvent as E;
        use OrderState as S;
        let next = match (self, event) {
            (S::Draft, E::Submit) | (S::OnCreditHold, E::ReleaseCredit) | (S::Rejected, E::UndoRejection) => {
                S::Submitted
            }
            (S::Draft, E::HoldForCredit) => S::OnCreditHold,
            (S::Submitted, E::Confirm) => S::Confirmed,
            (S::Submitted, E::ConfirmPartially) => S::PartiallyConfirmed,
            (S::Submitted | S::OnCreditHold, E::Reject) => S::Rejected,
            (S::Draft | S::Submitted | S::OnCreditHold | S::Confirmed | S::PartiallyConfirmed, E::Cancel) => {
                S::Cancelled
            }
            (S::Confirmed | S::PartiallyConfirmed | S::PartiallyShipped, E::ShipPartially) => S::PartiallyShipped,
            (S::Confirmed | S::PartiallyConfirmed | S::PartiallyShipped, E::Ship) => S::Shipped,
            (S::Shipped, E::Receive) => S::Received,
            (S::Shipped | S::Received, E::Invoice) => S::Invoiced,
            (S::Invoiced, E::Pay) => S::Paid,
            (S::Paid | S::Rejected | S::Cancelled, E::Close) => S::Closed,
            _ => return None,
        };
        Some(next)
    }

    /// `after`, as a command's answer: an illegal transition is a conflict naming both.
    pub fn apply(self, event: OrderEvent) -> Result<OrderState, Failure> {
        self.after(event).ok_or(Failure::Conflict {
            code: "order.illegal_transition",
        })
    }

    /// Whether the order still holds stock reserved for it.
    pub fn holds_stock(self) -> bool {
        matches!(
            self,
            OrderState::Submitted
                | OrderState::OnCreditHold
                | OrderState::Confirmed
                | OrderState::PartiallyConfirmed
                | OrderState::PartiallyShipped
        )
    }

    /// Whether the manufacturer has not yet decided on the order.
    pub fn awaits_review(self) -> bool {
        matches!(self, OrderState::Submitted | OrderState::OnCreditHold)
    }
}

/// Where an order came from; the checks are the same for all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Portal,
    Api,
    Xlsx,
    Edi,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Portal => "portal",
            Channel::Api => "api",
            Channel::Xlsx => "xlsx",
            Channel::Edi => "edi",
        }
    }
}

/// An order as a dealer asks for it. There is no price anywhere: the server prices every line,
/// and a price sent along is refused as an unknown field.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The dealer's own number for the order, unique per dealer: sending it twice places one order.
    pub dealer_order_number: String,
    pub delivery_location_id: i64,
    pub requested_delivery_on: NaiveDate,
    /// Whether other users of the dealer may change or cancel it before it is confirmed.
    #[serde(default)]
    pub allow_adjust: bool,
    #[serde(default)]
    pub comment: Option<String>,
    pub lines: Vec<OrderLineInput>,
    /// Keep the order as a draft: priced and saved, but holding no stock, credit or promotion
    /// budget, and not seen by the order desk, until it is submitted.
    #[serde(default)]
    pub draft: bool,
}

/// A product by id, SKU or GTIN, and how many units.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineInput {
    #[serde(default)]
    pub product_id: Option<i64>,
    /// A SKU or a GTIN, when the product id is not known.
    #[serde(default)]
    pub product_code: Option<String>,
    pub quantity: i64,
}

pub const MAX_LINES: usize = 2_000;

/// The order's own fields after their checks; lines are checked against the catalog next.
#[derive(Debug, Clone)]
pub struct CheckedOrder {
    pub dealer_order_number: String,
    pub delivery_location_id: i64,
    pub requested_delivery_on: NaiveDate,
    pub allow_adjust: bool,
    pub comment: String,
}

impl OrderInput {
    /// Checks everything that needs no lookup; `today` is in the tenant's time zone.
    pub fn check(&self, today: NaiveDate) -> Result<CheckedOrder, Failure> {
        let mut checks = Checks::new();
        let number = checks.text("dealer_order_number", &self.dealer_order_number, 35);
        if number.chars().any(char::is_control) {
            checks.add(FieldError::new("dealer_order_number", "field.control_characters"));
        }
        if self.requested_delivery_on < today {
            checks.add(FieldError::new("requested_delivery_on", "order.date_in_past"));
        }
        let comment = checks
            .optional_text("comment", self.comment.as_deref(), 1_000)
            .unwrap_or_default();
        if self.lines.is_empty() {
            checks.add(FieldError::new("lines", "order.no_lines"));
        }
        if self.lines.len() > MAX_LINES {
            checks.add(FieldError::new("lines", "order.too_many_lines").with("max", MAX_LINES));
        }
        for (index, line) in self.lines.iter().enumerate() {
            line.check(&mut checks, index);
        }
        checks.finish()?;
        Ok(CheckedOrder {
            dealer_order_number: number,
            delivery_location_id: self.delivery_location_id,
            requested_delivery_on: self.requested_delivery_on,
            allow_adjust: self.allow_adjust,
            comment,
        })
    }
}

impl OrderLineInput {
    fn check(&self, checks: &mut Checks, index: usize) {
        let code = self.product_code.as_deref().map(str::trim).filter(|c| !c.is_empty());
        if self.product_id.is_none() && code.is_none() {
            checks.add(FieldError::new(format!("lines[{index}].product_id"), "field.required"));
        }
        if self.quantity <= 0 {
            checks.add(FieldError::new(format!("lines[{index}].quantity"), "field.positive"));
        }
    }
}

/// What ordering needs to know of a product the dealer may see.
#[derive(Debug, Clone)]
pub struct OrderableProduct {
    pub product_id: i64,
    pub sku: String,
    pub gtin: String,
    pub category_id: Option<i64>,
    pub active: bool,
    pub min_order_quantity: i64,
    pub order_multiple: i64,
}

/// Finds each line's product among those the dealer may order and checks its quantity against
/// the product's minimum and multiple. Unknown and unpublished products get the same answer, so
/// an order cannot probe what is published to others. Returns (product, category, quantity).
pub fn resolve_lines(
    lines: &[OrderLineInput],
    products: &[OrderableProduct],
) -> Result<Vec<(i64, Option<i64>, i64)>, Failure> {
    let mut checks = Checks::new();
    let mut seen = HashSet::new();
    let mut resolved = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let code = line.product_code.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let found = products.iter().find(|p| match (line.product_id, code) {
            (Some(id), _) => p.product_id == id,
            (None, Some(code)) => p.sku == code || p.gtin == code,
            (None, None) => false,
        });
        let field = |name: &str| format!("lines[{index}].{name}");
        let Some(product) = found else {
            checks.add(FieldError::new(field("product_id"), "order.product_not_orderable"));
            continue;
        };
        if !product.active {
            checks.add(FieldError::new(field("product_id"), "order.product_not_active"));
        }
        if !seen.insert(product.product_id) {
            checks.add(FieldError::new(field("product_id"), "order.product_repeated"));
        }
        if line.quantity < product.min_order_quantity {
            checks.add(
                FieldError::new(field("quantity"), "order.below_minimum_quantity")
                    .with("min", product.min_order_quantity),
            );
        } else if product.order_multiple > 1 && line.quantity % product.order_multiple != 0 {
            checks.add(
                FieldError::new(field("quantity"), "order.not_a_multiple").with("multiple", product.order_multiple),
            );
        }
        resolved.push((product.product_id, product.category_id, line.quantity));
    }
    checks.finish()?;
    Ok(resolved)
}

/// VAT of a line total at a rate in basis points, rounded half up per line as invoices do.
pub fn vat_of(line_total: Money, vat_rate_bp: i64) -> Result<Money, Failure> {
    line_total
        .apply_rate(vat_rate_bp, 10_000, Rounding::HalfUp)
        .map_err(|e| Failure::Internal(e.to_string()))
}

/// The least and most one order may be worth (net), from the dealer or else its groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AmountLimits {
    pub min_minor: Option<i64>,
    pub max_minor: Option<i64>,
}

impl AmountLimits {
    /// The dealer's own limits where set; otherwise the strictest of its groups'.
    pub fn effective(dealer: AmountLimits, groups: &[AmountLimits]) -> AmountLimits {
        AmountLimits {
            min_minor: dealer
                .min_minor
                .or_else(|| groups.iter().filter_map(|g| g.min_minor).max()),
            max_minor: dealer
                .max_minor
                .or_else(|| groups.iter().filter_map(|g| g.max_minor).min()),
        }
    }

    pub fn check(self, net_total: Money) -> Result<(), Failure> {
        let currency = net_total.currency();
        if let Some(min) = self.min_minor.filter(|min| net_total.minor() < *min) {
            return Err(Failure::Invalid(vec![FieldError::new(
                "lines",
                "order.below_minimum_amount",
            )
            .with("amount", Money::new(min, currency).to_decimal_string())]));
        }
        if let Some(max) = self.max_minor.filter(|max| net_total.minor() > *max) {
            return Err(Failure::Invalid(vec![FieldError::new(
                "lines",
                "order.above_maximum_amount",
            )
            .with("amount", Money::new(max, currency).to_decimal_string())]));
        }
        Ok(())
    }
}

/// The order desk's decision on one line when confirming; lines not named are confirmed as
/// ordered.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineDecision {
    pub line_number: i64,
    pub confirmed_quantity: i64,
    #[serde(default)]
    pub delivery_on: Option<NaiveDate>,
    /// Required whenever the quantity or the date differs from what was ordered.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What an order line is now, for deciding on it.
#[derive(Debug, Clone, Copy)]
pub struct LineAsOrdered {
    pub line_number: i64,
    pub quantity: i64,
    pub delivery_on: NaiveDate,
}

/// A line's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedLine {
    pub line_number: i64,
    pub confirmed_quantity: i64,
    pub delivery_on: NaiveDate,
    pub reason: Option<String>,
}

impl ConfirmedLine {
    pub fn changed(&self, ordered: &LineAsOrdered) -> bool {
        self.confirmed_quantity != ordered.quantity || self.delivery_on != ordered.delivery_on
    }
}

/// Checks the order desk's decisions against the lines: quantities between zero and what was
/// ordered, no date in the past, a reason on each changed line. Returns every line's outcome.
pub fn decide_lines(
    lines: &[LineAsOrdered],
    decisions: &[LineDecision],
    today: NaiveDate,
) -> Result<Vec<ConfirmedLine>, Failure> {
    let mut checks = Checks::new();
    let mut seen = HashSet::new();
    for (index, decision) in decisions.iter().enumerate() {
        let field = |name: &str| format!("lines[{index}].{name}");
        if !seen.insert(decision.line_number) {
            checks.add(FieldError::new(field("line_number"), "order.line_repeated"));
        }
        let Some(line) = lines.iter().find(|l| l.line_number == decision.line_number) else {
            checks.add(FieldError::new(field("line_number"), "field.not_found"));
            continue;
        };
        if decision.confirmed_quantity < 0 || decision.confirmed_quantity > line.quantity {
            checks.add(
                FieldError::new(field("confirmed_quantity"), "order.confirmed_beyond_ordered")
                    .with("max", line.quantity),
            );
        }
        if decision.delivery_on.is_some_and(|date| date < today) {
            checks.add(FieldError::new(field("delivery_on"), "order.date_in_past"));
        }
        let changed = decision.confirmed_quantity != line.quantity
            || decision.delivery_on.is_some_and(|date| date != line.delivery_on);
        let reason = decision.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        if changed && reason.is_none() {
            checks.add(FieldError::new(field("reason"), "order.reason_required"));
        }
    }
    checks.finish()?;
    Ok(lines
        .iter()
        .map(
            |line| match decisions.iter().find(|d| d.line_number == line.line_number) {
                Some(decision) => ConfirmedLine {
                    line_number: line.line_number,
                    confirmed_quantity: decision.confirmed_quantity,
                    delivery_on: decision.delivery_on.unwrap_or(line.delivery_on),
                    reason: decision
                        .reason
                        .as_deref()
                        .map(str::trim)
                        .filter(|r| !r.is_empty())
                        .map(str::to_owned),
                },
                None => ConfirmedLine {
                    line_number: line.line_number,
                    confirmed_quantity: line.quantity,
                    delivery_on: line.delivery_on,
                    reason: None,
                },
            },
        )
        .collect())
}

/// A reason the manufacturer must give (rejection, cancellation): trimmed and required.
pub fn required_reason(reason: Option<&str>) -> Result<String, Failure> {
    let mut checks = Checks::new();
    let reason = checks.text("reason", reason.unwrap_or_default(), 1_000);
    checks.finish()?;
    Ok(reason)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use platform::Currency;

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    #[test]
    fn an_order_lives_from_submission_to_closing() {
        let mut state = OrderState::Draft;
        for event in [
            OrderEvent::Submit,
            OrderEvent::Confirm,
            OrderEvent::ShipPartially,
            OrderEvent::Ship,
            OrderEvent::Receive,
            OrderEvent::Invoice,
            OrderEvent::Pay,
            OrderEvent::Close,
        ] {
            state = state.after(event).unwrap();
        }
        assert_eq!(state, OrderState::Closed);
    }

    #[test]
    fn a_shipped_order_can_no_longer_be_cancelled_or_rejected() {
        assert_eq!(OrderState::Shipped.after(OrderEvent::Cancel), None);
        assert_eq!(OrderState::Shipped.after(OrderEvent::Reject), None);
        assert!(OrderState::Confirmed.apply(OrderEvent::Confirm).is_err());
    }

    #[test]
    fn a_rejection_can_be_undone_but_a_cancellation_cannot() {
        assert_eq!(
            OrderState::Rejected.after(OrderEvent::UndoRejection),
            Some(OrderState::Submitted)
        );
        assert_eq!(OrderState::Cancelled.after(OrderEvent::UndoRejection), None);
    }

    #[test]
    fn every_state_has_a_unique_code_that_reads_back() {
        for state in OrderState::ALL {
            assert_eq!(OrderState::parse(state.code()), Some(state));
        }
    }

    fn input(lines: Vec<OrderLineInput>) -> OrderInput {
        OrderInput {
            dealer_order_number: "PO-1".into(),
            delivery_location_id: 1,
            requested_delivery_on: date(10),
            allow_adjust: false,
            comment: None,
            lines,
            draft: false,
        }
    }

    fn line(product_id: i64, quantity: i64) -> OrderLineInput {
        OrderLineInput {
            product_id: Some(product_id),
            product_code: None,
            quantity,
        }
    }

    fn fields(failure: Failure) -> Vec<String> {
        match failure {
            Failure::Invalid(errors) => errors.into_iter().map(|e| format!("{} {}", e.field, e.code)).collect(),
            other => vec![other.to_string()],
        }
    }

    #[test]
    fn an_order_for_yesterday_or_without_lines_is_refused() {
        let mut order = input(vec![]);
        order.requested_delivery_on = date(1);
        let errors = fields(order.check(date(2)).unwrap_err());
        assert_eq!(
            errors,
            vec!["requested_delivery_on order.date_in_past", "lines order.no_lines"]
        );
    }

    #[test]
    fn zero_and_negative_quantities_are_named_by_line() {
        let errors = fields(input(vec![line(1, 0), line(2, -3)]).check(date(1)).unwrap_err());
        assert_eq!(
            errors,
            vec!["lines[0].quantity field.positive", "lines[1].quantity field.positive"]
        );
    }

    fn product(product_id: i64, min: i64, multiple: i64) -> OrderableProduct {
        OrderableProduct {
            product_id,
            sku: format!("SKU-{product_id}"),
            gtin: format!("460000000000{product_id}"),
            category_id: None,
            active: true,
            min_order_quantity: min,
            order_multiple: multiple,
        }
    }

    #[test]
    fn quantities_respect_the_minimum_and_the_multiple() {
        let products = [product(1, 12, 6), product(2, 1, 1)];
        let errors = fields(resolve_lines(&[line(1, 6), line(2, 5)], &products).unwrap_err());
        assert_eq!(errors, vec!["lines[0].quantity order.below_minimum_quantity"]);
        let errors = fields(resolve_lines(&[line(1, 15)], &products).unwrap_err());
        assert_eq!(errors, vec!["lines[0].quantity order.not_a_multiple"]);
        assert!(resolve_lines(&[line(1, 18)], &products).is_ok());
    }

    #[test]
    fn a_product_may_be_named_by_sku_or_gtin() {
        let products = [product(1, 1, 1), product(2, 1, 1)];
        let lines = [
            OrderLineInput {
                product_code: Some("SKU-1".into()),
                quantity: 2,
                ..OrderLineInput::default()
            },
            OrderLineInput {
                product_code: Some("4600000000002".into()),
                quantity: 3,
                ..OrderLineInput::default()
            },
        ];
        assert_eq!(
            resolve_lines(&lines, &products).ok(),
            Some(vec![(1, None, 2), (2, None, 3)])
        );
    }

    #[test]
    fn unknown_and_unpublished_products_get_one_answer() {
        let errors = fields(resolve_lines(&[line(99, 1)], &[]).unwrap_err());
        assert_eq!(errors, vec!["lines[0].product_id order.product_not_orderable"]);
    }

    #[test]
    fn the_dealer_limits_win_over_its_groups_and_groups_take_the_strictest() {
        let dealer = AmountLimits {
            min_minor: None,
            max_minor: Some(500),
        };
        let groups = [
            AmountLimits {
                min_minor: Some(100),
                max_minor: Some(900),
            },
            AmountLimits {
                min_minor: Some(200),
                max_minor: None,
            },
        ];
        let limits = AmountLimits::effective(dealer, &groups);
        assert_eq!(
            limits,
            AmountLimits {
                min_minor: Some(200),
                max_minor: Some(500)
            }
        );
        let rub = Currency::parse("RUB").unwrap();
        assert!(limits.check(Money::new(199, rub)).is_err());
        assert!(limits.check(Money::new(501, rub)).is_err());
        assert!(limits.check(Money::new(300, rub)).is_ok());
    }

    #[test]
    fn vat_is_rounded_half_up_per_line() {
        let rub = Currency::parse("RUB").unwrap();
        // 20 % of 0.05 is 0.01; of 0.02 it is 0.004, which rounds to nothing.
        assert_eq!(vat_of(Money::new(5, rub), 2000).ok(), Some(Money::new(1, rub)));
        assert_eq!(vat_of(Money::new(2, rub), 2000).ok(), Some(Money::new(0, rub)));
    }

    #[test]
    fn a_changed_line_needs_a_reason_and_cannot_exceed_the_order() {
        let lines = [LineAsOrdered {
            line_number: 1,
            quantity: 10,
            delivery_on: date(10),
        }];
        let decide = |quantity, reason: Option<&str>| {
            decide_lines(
                &lines,
                &[LineDecision {
                    line_number: 1,
                    confirmed_quantity: quantity,
                    delivery_on: None,
                    reason: reason.map(str::to_owned),
                }],
                date(1),
            )
        };
        assert_eq!(
            fields(decide(6, None).unwrap_err()),
            vec!["lines[0].reason order.reason_required"]
        );
        assert_eq!(
            fields(decide(11, Some("more")).unwrap_err()),
            vec!["lines[0].confirmed_quantity order.confirmed_beyond_ordered"]
        );
        let confirmed = decide(6, Some("short stock")).unwrap();
        assert_eq!(confirmed[0].confirmed_quantity, 6);
        assert!(confirmed[0].changed(&lines[0]));
    }

    #[test]
    fn lines_left_out_of_the_decision_are_confirmed_as_ordered() {
        let lines = [LineAsOrdered {
            line_number: 1,
            quantity: 10,
            delivery_on: date(10),
        }];
        let confirmed = decide_lines(&lines, &[], date(1)).unwrap();
        assert!(!confirmed[0].changed(&lines[0]));
    }
}

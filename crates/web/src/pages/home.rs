//! The home page: what needs attention, with counts the user may see. A dealer's people see what
//! waits in their own business: orders the manufacturer has not confirmed, goods on the way,
//! unread messages, open change requests and returns, each with its newest few.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use identity::domain::{DealerFilter, DealerStatus};
use identity::queries;
use ordering::domain::OrderState;
use ordering::queries::OrderFilter;
use platform::{Page, PageRequest, Permission};

use super::catalog::day;
use super::messages::message_text;
use super::{render, Layout};
use crate::error::WebError;
use crate::session::PageUser;
use crate::AppState;

/// How many of the newest items each block of the dealer's home lists.
const NEWEST: u32 = 5;

pub struct Card {
    pub href: String,
    pub label: &'static str,
    pub figure: String,
}

/// One thing that needs attention, linking to where it is dealt with.
pub struct Item {
    href: String,
    title: String,
    detail: String,
    at: String,
}

/// A block of the dealer's home: how many there are, the newest, and where to see them all.
pub struct Block {
    heading: &'static str,
    count: i64,
    figure: String,
    items: Vec<Item>,
    /// Links to the full lists, each with the key of its label.
    more: Vec<(String, &'static str)>,
}

impl Block {
    fn new<T>(user: &PageUser, heading: &'static str, found: &Page<T>, item: impl Fn(&T) -> Item) -> Block {
        Block {
            heading,
            count: found.total,
            figure: user.t.number(found.total),
            items: found.items.iter().map(item).collect(),
            more: Vec::new(),
        }
    }

    fn more(mut self, links: &[(&str, &'static str)]) -> Block {
        self.more = links.iter().map(|(href, label)| ((*href).to_owned(), *label)).collect();
        self
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    cards: Vec<Card>,
    blocks: Vec<Block>,
    must_change_password: bool,
}

pub async fn home(State(state): State<AppState>, user: PageUser) -> Result<Response, WebError> {
    let actor = user.actor();
    let mut cards = Vec::new();
    if actor.can(Permission::ViewDealers) && !actor.is_dealer_user() {
        let one = PageRequest::new(Some(1), Some(1));
        for (label, status) in [
            ("home.active_dealers", DealerStatus::Active),
            ("home.applicants", DealerStatus::Applicant),
        ] {
            let filter = DealerFilter {
                status: Some(status),
                ..DealerFilter::default()
            };
            let total = queries::dealers(&state.db, actor, &filter, one).await?.total;
            cards.push(Card {
                href: format!("/dealers?status={}", status.code()),
                label,
                figure: user.t.number(total),
            });
        }
    }
    if actor.can(Permission::ViewStock) {
        let one = PageRequest::new(Some(1), Some(1));
        let alerts =
            fulfilment::queries::stock_levels(&state.db, actor, None, None, true, platform::Sort::default(), one)
                .await?;
        cards.push(Card {
            href: "/stock?alerts=true".to_owned(),
            label: "home.stock_alerts",
            figure: user.t.number(alerts.total),
        });
    }
    if actor.can(Permission::ReviewOrders) {
        let one = PageRequest::new(Some(1), Some(1));
        let open = fulfilment::queries::receipts(&state.db, actor, None, true, one).await?;
        cards.push(Card {
            href: "/discrepancies".to_owned(),
            label: "home.discrepancies",
            figure: user.t.number(open.total),
        });
    }
    let mut blocks = Vec::new();
    if let Some(dealer_id) = actor.scope.dealer_id() {
        let dealer = queries::dealer(&state.db, actor, dealer_id).await?;
        cards.push(Card {
            href: format!("/dealers/{}", dealer_id),
            label: "home.my_company",
            figure: dealer.dealer.code,
        });
        blocks = dealer_blocks(&state, &user).await?;
    }
    let page = HomePage {
        layout: Layout::new(&user, "/", "nav.home"),
        cards,
        blocks,
        must_change_password: user.signed_in.user.must_change_password,
    };
    render(&page)
}

/// What waits in a dealer's business: one query a block, each with its newest few.
async fn dealer_blocks(state: &AppState, user: &PageUser) -> Result<Vec<Block>, WebError> {
    let actor = user.actor();
    let t = &user.t;
    let awaiting = OrderFilter {
        states: vec![OrderState::Submitted, OrderState::OnCreditHold],
        ..OrderFilter::default()
    };
    let orders = ordering::queries::latest_orders(&state.db, actor, &awaiting, NEWEST).await?;
    let shipments = fulfilment::queries::shipments_on_the_way(&state.db, actor, NEWEST).await?;
    let messages = platform::messages::latest_unread(&state.db, actor, NEWEST).await?;
    let changes = ordering::changes::open_change_requests(&state.db, actor, NEWEST).await?;
    let returns = fulfilment::returns::open_returns(&state.db, actor, NEWEST).await?;
    Ok(vec![
        Block::new(user, "home.awaiting_confirmation", &orders, |order| Item {
            href: format!("/orders/{}", order.id),
            title: order.dealer_order_number.clone(),
            // The block says they await confirmation; those waiting for credit say so too.
            detail: if order.state == OrderState::OnCreditHold {
                t.t("order_state.on_credit_hold").to_owned()
            } else {
                String::new()
            },
            at: t.date_time(&order.placed_at),
        })
        .more(&[
            ("/orders?state=submitted", "order_state.submitted"),
            ("/orders?state=on_credit_hold", "order_state.on_credit_hold"),
        ]),
        Block::new(user, "home.on_the_way", &shipments, |shipment| Item {
            href: format!("/orders/{}", shipment.order_id),
            title: format!("{} · {}", shipment.number, shipment.dealer_order_number),
            detail: shipment
                .planned_arrival_on
                .map(|arrival| t.t_with("home.arrives", &[("date", day(t, arrival))]))
                .unwrap_or_default(),
            at: t.date_time(&shipment.shipped_at),
        })
        .more(&[("/shipments", "home.all_shipments")]),
        Block::new(user, "home.unread_messages", &messages, |message| Item {
            href: message
                .order_id
                .map_or_else(|| "/messages".to_owned(), |order| format!("/orders/{order}")),
            title: message_text(t, message),
            detail: String::new(),
            at: t.date_time(&message.created_at),
        })
        .more(&[("/messages", "home.all_messages")]),
        Block::new(user, "home.open_change_requests", &changes, |change| Item {
            href: format!("/orders/{}", change.order_id),
            title: change.dealer_order_number.clone(),
            detail: t.t_with(
                "home.change_raised_by",
                &[
                    (
                        "side",
                        t.t(&format!("change.side_{}", change.raised_by_side)).to_owned(),
                    ),
                    ("reason", change.reason.clone()),
                ],
            ),
            at: t.date_time(&change.created_at),
        }),
        Block::new(user, "home.open_returns", &returns, |found| Item {
            href: format!("/returns?state={}", found.state),
            title: format!("{} · {}", found.dealer_order_number, found.shipment_number),
            detail: t.t(&format!("return.state_{}", found.state)).to_owned(),
            at: t.date_time(&found.requested_at),
        })
        .more(&[
            ("/returns?state=requested", "return.state_requested"),
            ("/returns?state=approved", "return.state_approved"),
        ]),
    ])
}

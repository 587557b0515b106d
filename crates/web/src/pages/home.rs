//! The home page: what needs attention, with counts the user may see.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use identity::domain::{DealerFilter, DealerStatus};
use identity::queries;
use platform::{PageRequest, Permission};

use super::{render, Layout};
use crate::error::WebError;
use crate::session::PageUser;
use crate::AppState;

pub struct Card {
    pub href: String,
    pub label: &'static str,
    pub figure: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    cards: Vec<Card>,
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
        let alerts = fulfilment::queries::stock_levels(&state.db, actor, None, None, true, one).await?;
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
    if let Some(dealer_id) = actor.scope.dealer_id() {
        let dealer = queries::dealer(&state.db, actor, dealer_id).await?;
        cards.push(Card {
            href: format!("/dealers/{}", dealer_id),
            label: "home.my_company",
            figure: dealer.dealer.code,
        });
    }
    let page = HomePage {
        layout: Layout::new(&user, "/", "nav.home"),
        cards,
        must_change_password: user.signed_in.user.must_change_password,
    };
    render(&page)
}

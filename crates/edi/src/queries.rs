//! EDI queries: partners, the archive and the outbox, limited to the dealers in the reader's
//! scope.

use chrono::{DateTime, Utc};
use platform::db::Source;
use platform::{Actor, Db, Failure, Page, PageRequest, Permission};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::partner::{CrossReference, Partner};
use crate::store;

/// An interchange in the archive.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterchangeSummary {
    pub id: i64,
    pub partner_id: Option<i64>,
    pub dealer_code: Option<String>,
    /// `in` or `out`.
    pub direction: String,
    pub sender: String,
    pub recipient: String,
    pub control_reference: String,
    /// `api`, `directory` or `cli`.
    pub channel: String,
    pub message_types: Vec<String>,
    /// In: `accepted` or `rejected` (its syntax); out: `queued` until `delivered`.
    pub status: String,
    pub error: Option<String>,
    /// The syntax acknowledgement: in, `sent` when we answered with a CONTRL; out, the
    /// partner's CONTRL, `accepted` or `rejected`.
    pub contrl: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl InterchangeSummary {
    /// Each message type the interchange holds with how many of its messages are of it, in the
    /// order they first appear: a 10,000-message interchange is "ORDERS × 10,000", not the word
    /// ten thousand times.
    pub fn message_type_counts(&self) -> Vec<(&str, i64)> {
        let mut counts: Vec<(&str, i64)> = Vec::new();
        for kind in &self.message_types {
            match counts.iter_mut().find(|(seen, _)| seen == kind) {
                Some((_, count)) => *count += 1,
                None => counts.push((kind, 1)),
            }
        }
        counts
    }
}

/// A problem found in a received message, as kept and reported in its APERAK.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MessageProblem {
    /// What is wrong, such as `unknown_product`.
    pub code: String,
    /// The APERAK error code (ERC) it was reported with.
    pub aperak_code: String,
    /// The 1-based number of the segment in the interchange, where known.
    pub segment: Option<usize>,
    pub tag: Option<String>,
    pub detail: String,
}

/// A message of an interchange and what became of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageRecord {
    pub id: i64,
    pub interchange_id: i64,
    pub direction: String,
    pub message_type: String,
    pub message_reference: String,
    /// The business document's number: the buyer's order number, the delivery note…
    pub document_number: Option<String>,
    /// In: `applied`, `rejected` or `stored`; out: `sent`.
    pub status: String,
    pub order_id: Option<i64>,
    pub errors: Vec<MessageProblem>,
    /// Remarks that did not stop it, such as the buyer's prices that differ from ours.
    pub notes: Vec<String>,
    /// The APERAK or business reply sent for it.
    pub answer_interchange_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ArchiveFilter {
    pub partner_id: Option<i64>,
    pub direction: Option<String>,
    pub status: Option<String>,
    pub message_type: Option<String>,
    /// A control reference, message reference or document number.
    pub reference: Option<String>,
    pub order_id: Option<i64>,
    /// Parsed with [`ARCHIVE_SORT`].
    #[serde(skip)]
    pub sort: platform::Sort,
}

/// The archive's sortable columns; newest first by default.
pub const ARCHIVE_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("control_reference", "i.control_reference"),
        platform::SortColumn::new("direction", "i.direction"),
        platform::SortColumn::nullable("partner", "d.code"),
        platform::SortColumn::new("message_types", "i.message_types"),
        platform::SortColumn::new("status", "i.status"),
        platform::SortColumn::nullable("contrl", "i.contrl"),
        platform::SortColumn::new("created_at", "i.created_at"),
    ],
    default: "-created_at",
    tiebreaker: "i.id",
};

/// What the partner list shows.
#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    /// Part of the dealer's code or legal name, or of the partner's interchange id (its GLN),
    /// any letter case.
    pub search: Option<String>,
    /// `api` or `directory`.
    pub channel: Option<String>,
    /// Parsed with [`PARTNER_SORT`].
    pub sort: platform::Sort,
}

/// The partner list's sortable columns; by dealer code by default.
pub const PARTNER_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("dealer_code", "d.code"),
        platform::SortColumn::new("dealer_name", "d.legal_name"),
        platform::SortColumn::new("interchange_id", "p.interchange_id"),
        platform::SortColumn::new("directory", "p.directory"),
        platform::SortColumn::new("channel", "p.channel"),
        platform::SortColumn::new("active", "p.active"),
    ],
    default: "dealer_code",
    tiebreaker: "p.id",
};

/// What a partner's cross-reference list shows.
#[derive(Debug, Clone, Default)]
pub struct CrossReferenceFilter {
    /// Part of the partner's code, our SKU or our location code, any letter case.
    pub search: Option<String>,
    /// Parsed with [`CROSS_REFERENCE_SORT`].
    pub sort: platform::Sort,
}

/// How much of an interchange's raw text its page shows: enough for the envelope and the first
/// messages; the whole interchange is a download.
pub const SHOWN_CONTENT_BYTES: i64 = 64 * 1024;

/// An interchange as its page and the API show it: one page of its messages, and the segments
/// of its start, one per line, as read. The whole is a download: one of ten thousand messages
/// reads as fast as one of ten, and the server never holds a large interchange's segments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterchangeDetail {
    #[serde(flatten)]
    pub summary: InterchangeSummary,
    pub messages: Page<MessageRecord>,
    /// The complete segments within the first 64 KB (65,536 bytes).
    pub segments: Vec<String>,
    /// The whole interchange's size in bytes: above 65,536, it has more segments than listed.
    pub size: i64,
}

impl InterchangeDetail {
    /// How far the processing of an accepted inbound interchange has come: (messages recorded,
    /// messages in it). Each message is applied and recorded in a transaction of its own, so a
    /// large interchange shows its progress while it is processed. `None` for one sent or
    /// rejected whole, which has nothing to process.
    pub fn processed(&self) -> Option<(i64, i64)> {
        let total = i64::try_from(self.summary.message_types.len()).unwrap_or(i64::MAX);
        (self.summary.direction == "in" && self.summary.status == "accepted").then_some((self.messages.total, total))
    }

    /// Whether the segments shown are only the start of the interchange.
    pub fn cut_short(&self) -> bool {
        self.size > SHOWN_CONTENT_BYTES
    }
}

pub async fn partners(db: &Db, actor: &Actor) -> Result<Vec<Partner>, Failure> {
    actor.require(Permission::ViewEdi)?;
    Ok(store::list_partners(db, actor.tenant_id, &actor.scope).await?)
}

/// One page of the partners in the actor's scope, filtered and sorted.
pub async fn partner_list(
    db: &Db,
    actor: &Actor,
    filter: &PartnerFilter,
    page: PageRequest,
) -> Result<Page<Partner>, Failure> {
    actor.require(Permission::ViewEdi)?;
    Ok(store::partner_page(db, actor.tenant_id, &actor.scope, filter, page).await?)
}

pub async fn partner(db: &Db, actor: &Actor, id: i64) -> Result<Partner, Failure> {
    actor.require(Permission::ViewEdi)?;
    store::find_partner(&mut Source::Db(db), actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound { entity: "edi_partner" })
}

pub use crate::store::CROSS_REFERENCE_SORT;

pub async fn cross_references(
    db: &Db,
    actor: &Actor,
    partner_id: i64,
    filter: &CrossReferenceFilter,
) -> Result<Vec<CrossReference>, Failure> {
    let partner = partner(db, actor, partner_id).await?;
    Ok(store::cross_references(db, partner.id, filter).await?)
}

/// One page of a partner's cross-reference table, for the page that keeps it.
pub async fn cross_reference_page(
    db: &Db,
    actor: &Actor,
    partner_id: i64,
    filter: &CrossReferenceFilter,
    page: PageRequest,
) -> Result<Page<CrossReference>, Failure> {
    let partner = partner(db, actor, partner_id).await?;
    Ok(store::cross_reference_page(db, partner.id, filter, page).await?)
}

pub async fn archive(
    db: &Db,
    actor: &Actor,
    filter: &ArchiveFilter,
    page: PageRequest,
) -> Result<Page<InterchangeSummary>, Failure> {
    actor.require(Permission::ViewEdi)?;
    Ok(store::search(db, actor.tenant_id, &actor.scope, filter, page).await?)
}

/// An interchange with one page of its messages and the start of its text.
pub async fn interchange(db: &Db, actor: &Actor, id: i64, page: PageRequest) -> Result<InterchangeDetail, Failure> {
    actor.require(Permission::ViewEdi)?;
    let (summary, head, size) = store::interchange_head(db, actor.tenant_id, &actor.scope, id, SHOWN_CONTENT_BYTES)
        .await?
        .ok_or(Failure::NotFound {
            entity: "edi_interchange",
        })?;
    let cut_short = size > SHOWN_CONTENT_BYTES;
    let mut head = head;
    if let (true, Err(error)) = (cut_short, std::str::from_utf8(&head)) {
        // A UTF-8 interchange cut inside a character; a Latin-1 one fails earlier and stays.
        if error.error_len().is_none() {
            head.truncate(error.valid_up_to());
        }
    }
    let mut segments = segment_lines(&head);
    if cut_short {
        // The last line of a cut text may be part of a segment: it is not shown as if whole.
        segments.pop();
    }
    Ok(InterchangeDetail {
        messages: store::message_page(db, summary.id, page).await?,
        segments,
        size,
        summary,
    })
}

/// The messages about an order, for its timeline: whoever sees the order's dealer sees them.
pub async fn messages_of_order(db: &Db, actor: &Actor, order_id: i64) -> Result<Vec<MessageRecord>, Failure> {
    actor.require(Permission::ViewOrders)?;
    Ok(store::messages_of_order(db, actor.tenant_id, &actor.scope, order_id).await?)
}

/// Our interchanges waiting to be fetched: a dealer's system sees its own, an EDI operator all.
pub async fn outbox(db: &Db, actor: &Actor) -> Result<Vec<InterchangeSummary>, Failure> {
    actor.require(Permission::ExchangeEdi)?;
    Ok(store::outbox(db, actor.tenant_id, &actor.scope).await?)
}

/// The raw bytes of an interchange, for its partner's system or the EDI desk.
pub async fn content(db: &Db, actor: &Actor, id: i64) -> Result<(InterchangeSummary, Vec<u8>), Failure> {
    if !actor.can(Permission::ExchangeEdi) {
        actor.require(Permission::ViewEdi)?;
    }
    store::interchange(db, actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound {
            entity: "edi_interchange",
        })
}

/// Each segment on its own line, as the parsed view of the archive shows it. The bytes are
/// shown as Latin-1 where they are not UTF-8, so nothing is lost from view.
fn segment_lines(content: &[u8]) -> Vec<String> {
    let text = match std::str::from_utf8(content) {
        Ok(text) => text.to_owned(),
        Err(_) => content.iter().map(|b| char::from(*b)).collect(),
    };
    let terminator = una_terminator(&text).unwrap_or('\'');
    let release = una_release(&text).unwrap_or('?');
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in text.chars() {
        if !escaped && c == terminator {
            current.push(c);
            lines.push(current.trim().to_owned());
            current.clear();
            continue;
        }
        escaped = !escaped && c == release;
        current.push(c);
    }
    if !current.trim().is_empty() {
        lines.push(current.trim().to_owned());
    }
    lines
}

fn una_terminator(text: &str) -> Option<char> {
    text.trim_start().strip_prefix("UNA")?.chars().nth(5)
}

fn una_release(text: &str) -> Option<char> {
    text.trim_start().strip_prefix("UNA")?.chars().nth(3)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn message_types_are_counted_in_the_order_they_first_appear() {
        let summary = InterchangeSummary {
            id: 1,
            partner_id: None,
            dealer_code: None,
            direction: "in".into(),
            sender: String::new(),
            recipient: String::new(),
            control_reference: "1".into(),
            channel: "api".into(),
            message_types: ["ORDERS", "ORDERS", "INVRPT", "ORDERS"].map(String::from).to_vec(),
            status: "accepted".into(),
            error: None,
            contrl: None,
            created_at: chrono::Utc::now(),
            delivered_at: None,
        };
        assert_eq!(summary.message_type_counts(), [("ORDERS", 3), ("INVRPT", 1)]);
    }

    #[test]
    fn the_parsed_view_puts_each_segment_on_its_line_and_keeps_released_terminators() {
        let lines = segment_lines(b"UNA:+.? 'UNB+UNOC:3+1+2+261206:1000+7'\nFTX+AAI+++O?'Brien'UNZ+0+7'");
        assert_eq!(
            lines,
            vec![
                "UNA:+.? '",
                "UNB+UNOC:3+1+2+261206:1000+7'",
                "FTX+AAI+++O?'Brien'",
                "UNZ+0+7'"
            ]
        );
        assert_eq!(segment_lines(b"UNA|#,! ~UNB#UNOC|3~UNZ#0#1~").len(), 3);
    }
}

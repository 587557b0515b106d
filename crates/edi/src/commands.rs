//! EDI commands: partner profiles, receiving interchanges, and delivering ours.
//!
//! A received interchange is kept raw in the archive before anything else, then read. A syntax
//! error rejects it whole; otherwise each message is applied on its own through the same
//! command a page or the API uses (an ORDERS through `place_order`, an ORDCHG through
//! `cancel_order` or `raise_change_request`), and a message with problems changes nothing and is
//! answered with an APERAK. ORDERS that follow one another are placed at once, as many dealers'
//! orders are, so that they share commits. A CONTRL answers the interchange when its UNB asks for
//! one (0031), except an interchange of CONTRLs, which is never answered.

use std::collections::{HashSet, VecDeque};
use std::io::BufRead;

use chrono::{DateTime, Utc};
use edifact::{Event, InterchangeHeader, Message, Reader, SyntaxError};
use ordering::changes::{ChangeLineInput, ChangeRequestInput};
use ordering::domain::{Channel as OrderChannel, OrderInput, OrderLineInput, OrderState};
use platform::audit::{self, Change};
use platform::db::Source;
use platform::money::Money;
use platform::{Actor, Clock, Currency, DataScope, Db, DealerId, Failure, Locale, Permission, Role, TenantId};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::domain::aperak::{write_aperak, Aperak, ReferencedDocument};
use crate::domain::contrl::{read_contrl, write_contrl, ContrlAction, ReceivedInterchange};
use crate::domain::envelope::Outbound;
use crate::domain::errors::{ApplicationError, ApplicationErrorCode};
use crate::domain::ordchg::{read_ordchg, OrderChange};
use crate::domain::orders::{read_orders, ItemId, Orders, PartyId};
use crate::domain::partner::{
    check_cross_references, parse_directory, CrossReference, CrossReferenceInput, Partner, PartnerInput, ValidPartner,
};
use crate::domain::pricat::{write_pricat, CatalogueItem, ItemAction, PriceCatalogue};
use crate::domain::recadv::{read_recadv, ReceivingAdvice};
use crate::domain::reports::read_channel_report;
use crate::domain::retann::{read_retann, ReturnAnnouncement};
use crate::queries::{MessageProblem, MessageRecord};
use crate::store::{self, NewInterchange, NewMessage};

// ---- Partners ----

async fn check_dealer(db: &Db, actor: &Actor, dealer_id: i64) -> Result<(), Failure> {
    let mut query = platform::Query::new("SELECT d.id FROM dealers d WHERE d.tenant_id = $1 AND d.id = $2")
        .bind(actor.tenant_id)
        .bind(dealer_id);
    actor.scope.restrict_dealer(&mut query, "d.id");
    match db.fetch_optional(&query).await? {
        Some(_) => Ok(()),
        None => Err(Failure::field("dealer_id", "field.not_found")),
    }
}

fn taken(error: platform::DbError) -> Failure {
    if error.is_unique_violation() {
        Failure::field("interchange_id", "edi.partner_taken")
    } else {
        error.into()
    }
}

pub async fn create_partner(db: &Db, clock: &Clock, actor: &Actor, input: &PartnerInput) -> Result<Partner, Failure> {
    actor.require(Permission::ManageEdi)?;
    let partner = input.check()?;
    check_dealer(db, actor, partner.dealer_id).await?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = store::insert_partner(&mut tx, actor.tenant_id, &partner, now)
        .await
        .map_err(taken)?;
    store::start_dispatch(&mut tx, actor.tenant_id).await?;
    audit_partner(&mut tx, actor, now, id, "create", &partner).await?;
    let created = store::find_partner(&mut Source::Tx(&mut tx), actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound { entity: "edi_partner" })?;
    tx.commit().await?;
    Ok(created)
}

pub async fn update_partner(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    id: i64,
    input: &PartnerInput,
) -> Result<Partner, Failure> {
    actor.require(Permission::ManageEdi)?;
    let partner = input.check()?;
    check_dealer(db, actor, partner.dealer_id).await?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if store::find_partner(&mut Source::Tx(&mut tx), actor.tenant_id, &actor.scope, id)
        .await?
        .is_none()
        || !store::update_partner(&mut tx, actor.tenant_id, id, &partner, now)
            .await
            .map_err(taken)?
    {
        return Err(Failure::NotFound { entity: "edi_partner" });
    }
    audit_partner(&mut tx, actor, now, id, "update", &partner).await?;
    let updated = store::find_partner(&mut Source::Tx(&mut tx), actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound { entity: "edi_partner" })?;
    tx.commit().await?;
    Ok(updated)
}

async fn audit_partner(
    tx: &mut platform::Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    id: i64,
    action: &'static str,
    partner: &ValidPartner,
) -> Result<(), Failure> {
    audit::record(
        tx,
        actor,
        now,
        Change {
            entity: "edi_partner",
            entity_id: id,
            action,
            before: None,
            after: Some(json!({
                "dealer_id": partner.dealer_id, "interchange_id": partner.interchange_id,
                "directory": crate::domain::partner::directory_code(partner.directory),
                "syntax": partner.syntax.code(), "syntax_version": partner.syntax_version,
                "channel": partner.channel.code(), "messages_in": partner.messages_in,
                "messages_out": partner.messages_out, "active": partner.active,
            })),
        },
    )
    .await?;
    Ok(())
}

/// Replaces a partner's cross-reference table: its own article numbers for our SKUs, its own
/// location codes for its delivery locations. Every row is checked first; nothing is saved
/// unless all are right.
pub async fn set_cross_references(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    partner_id: i64,
    rows: &[CrossReferenceInput],
) -> Result<Vec<CrossReference>, Failure> {
    actor.require(Permission::ManageEdi)?;
    let partner = store::find_partner(&mut Source::Db(db), actor.tenant_id, &actor.scope, partner_id)
        .await?
        .ok_or(Failure::NotFound { entity: "edi_partner" })?;
    let resolved = resolve_cross_references(db, actor, &partner, rows).await?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    store::replace_cross_references(&mut tx, actor.tenant_id, partner.id, &resolved, now).await?;
    audit_cross_references(
        &mut tx,
        actor,
        now,
        partner.id,
        "cross_references",
        json!({ "rows": resolved.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(store::cross_references(db, partner.id, &crate::queries::CrossReferenceFilter::default()).await?)
}

/// Adds one row to a partner's cross-reference table, checked as the whole table is; editing a
/// row, `replacing` names its kind and partner code as they were. Errors name the row's fields.
pub async fn save_cross_reference(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    partner_id: i64,
    replacing: Option<(&str, &str)>,
    row: &CrossReferenceInput,
) -> Result<(), Failure> {
    actor.require(Permission::ManageEdi)?;
    let partner = store::find_partner(&mut Source::Db(db), actor.tenant_id, &actor.scope, partner_id)
        .await?
        .ok_or(Failure::NotFound { entity: "edi_partner" })?;
    let resolved = match resolve_cross_references(db, actor, &partner, std::slice::from_ref(row)).await {
        Ok(resolved) => resolved,
        Err(Failure::Invalid(errors)) => {
            return Err(Failure::Invalid(
                errors
                    .into_iter()
                    .map(|mut error| {
                        error.field = error.field.trim_start_matches("rows[0].").to_owned();
                        error
                    })
                    .collect(),
            ))
        }
        Err(other) => return Err(other),
    };
    let now = clock.now();
    let mut tx = db.begin().await?;
    if let Some((kind, code)) = replacing {
        if !store::delete_cross_reference(&mut tx, partner.id, kind, code).await? {
            return Err(Failure::NotFound {
                entity: "edi_cross_reference",
            });
        }
    }
    match store::insert_cross_references(&mut tx, actor.tenant_id, partner.id, &resolved, now).await {
        Err(error) if error.is_unique_violation() => {
            return Err(Failure::field("partner_code", "edi.cross_reference_taken"));
        }
        other => other?,
    }
    let after = json!({ "kind": row.kind.trim(), "partner_code": row.partner_code.trim(),
        "replacing": replacing.map(|(kind, code)| json!({ "kind": kind, "partner_code": code })) });
    audit_cross_references(&mut tx, actor, now, partner.id, "cross_reference_save", after).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes one row of a partner's cross-reference table, by its kind and partner code.
pub async fn remove_cross_reference(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    partner_id: i64,
    kind: &str,
    code: &str,
) -> Result<(), Failure> {
    actor.require(Permission::ManageEdi)?;
    let partner = store::find_partner(&mut Source::Db(db), actor.tenant_id, &actor.scope, partner_id)
        .await?
        .ok_or(Failure::NotFound { entity: "edi_partner" })?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !store::delete_cross_reference(&mut tx, partner.id, kind, code).await? {
        return Err(Failure::NotFound {
            entity: "edi_cross_reference",
        });
    }
    let after = json!({ "kind": kind, "partner_code": code });
    audit_cross_references(&mut tx, actor, now, partner.id, "cross_reference_remove", after).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks cross-reference rows and finds our product or the dealer's location each names:
/// (is an article, partner code, product or location id). Errors name the row.
async fn resolve_cross_references(
    db: &Db,
    actor: &Actor,
    partner: &Partner,
    rows: &[CrossReferenceInput],
) -> Result<Vec<(bool, String, i64)>, Failure> {
    let valid = check_cross_references(rows)?;
    let skus: Vec<String> = valid.iter().filter(|r| r.article).map(|r| r.our_code.clone()).collect();
    let products = store::products_by_sku(db, actor.tenant_id, &skus).await?;
    let locations = store::locations_by_code(db, partner.dealer_id).await?;
    let mut checks = platform::failure::Checks::new();
    let mut resolved = Vec::with_capacity(valid.len());
    for (row, reference) in valid.iter().enumerate() {
        let (known, field) = if reference.article {
            (&products, "sku")
        } else {
            (&locations, "location_code")
        };
        match known.iter().find(|(code, _)| *code == reference.our_code) {
            Some((_, id)) => resolved.push((reference.article, reference.partner_code.clone(), *id)),
            None => checks.add(platform::FieldError::new(
                format!("rows[{row}].{field}"),
                "field.not_found",
            )),
        }
    }
    checks.finish()?;
    Ok(resolved)
}

async fn audit_cross_references(
    tx: &mut platform::Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    partner_id: i64,
    action: &'static str,
    after: serde_json::Value,
) -> Result<(), Failure> {
    audit::record(
        tx,
        actor,
        now,
        Change {
            entity: "edi_partner",
            entity_id: partner_id,
            action,
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

// ---- Receiving ----

/// What became of a received interchange.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    pub interchange_id: i64,
    /// `accepted`, `rejected` (its syntax, or an unknown sender), or `duplicate` (received
    /// before: nothing applied again; `interchange_id` is the first one).
    pub status: String,
    pub error: Option<String>,
    /// The syntax error code (0085) of a rejection.
    pub error_code: Option<u16>,
    pub messages: Vec<MessageRecord>,
    /// Our CONTRL answering it, waiting in the outbox.
    pub contrl_interchange_id: Option<i64>,
}

/// An interchange as read: its UNB (when it could be read), the types of its messages, and the
/// syntax error that stopped the reading, if any. The messages themselves are read again one at
/// a time when they are applied, so that a large interchange is not held a second time, decoded.
struct Read {
    header: Option<InterchangeHeader>,
    message_types: Vec<String>,
    error: Option<SyntaxError>,
}

/// Reads with the streaming reader, so that the UNB is known even when something after it is
/// wrong: the CONTRL then goes to the right partner.
fn read(content: impl BufRead) -> Read {
    let mut reader = Reader::new(content);
    let mut read = Read {
        header: None,
        message_types: Vec::new(),
        error: None,
    };
    loop {
        match reader.next_event() {
            Ok(Some(Event::InterchangeStart(header))) => read.header = Some(*header),
            Ok(Some(Event::Message(message))) => read.message_types.push(message.header.message_type),
            Ok(Some(_)) => {}
            Ok(None) => return read,
            Err(error) => {
                read.error = Some(error);
                return read;
            }
        }
    }
}

/// The dealer a dealer's own system speaks for; `None` for an EDI operator of the tenant.
fn own_dealer(actor: &Actor) -> Option<DealerId> {
    actor.scope.dealer_id()
}

/// Receives an interchange from the inbox endpoint, a watched folder or the command line.
pub async fn receive(db: &Db, clock: &Clock, actor: &Actor, content: &[u8], channel: &str) -> Result<Receipt, Failure> {
    actor.require(Permission::ExchangeEdi)?;
    let now = clock.now();
    let read = read(content);
    let sender = read.header.as_ref().map(|h| h.sender.id.clone());
    let partner = match &sender {
        Some(sender) => store::partner_by_interchange_id(db, actor.tenant_id, sender).await?,
        None => match own_dealer(actor) {
            Some(dealer) => store::partner_of_dealer(db, actor.tenant_id, dealer.get()).await?,
            None => None,
        },
    };
    // A dealer's system speaks only for its own dealer: another's interchange is not its to send.
    if let Some(dealer) = own_dealer(actor) {
        if partner.as_ref().map(|p| p.dealer_id) != Some(dealer.get()) {
            return Err(Failure::Forbidden);
        }
    }
    let control_reference = read
        .header
        .as_ref()
        .map(|h| h.control_reference.clone())
        .unwrap_or_else(|| format!("unreadable-{}", now.format("%Y%m%d%H%M%S%f")));
    let sender = sender.unwrap_or_default();
    if let Some(first) = store::received_before(db, actor.tenant_id, &sender, &control_reference).await? {
        return duplicate(db, first).await;
    }
    let unknown_sender = read.header.is_some() && partner.is_none();
    let (status, error, error_code) = match (&read.error, unknown_sender) {
        (Some(error), _) => ("rejected", Some(error.to_string()), Some(error.code())),
        (None, true) => (
            "rejected",
            Some(format!("unknown interchange sender {sender}")),
            Some(23),
        ),
        (None, false) => ("accepted", None, None),
    };
    let message_types = read.message_types.join(",");
    let recipient = read.header.as_ref().map(|h| h.recipient.id.clone()).unwrap_or_default();
    let mut tx = db.begin().await?;
    let stored = store::insert_interchange(
        &mut tx,
        actor.tenant_id,
        &NewInterchange {
            partner_id: partner.as_ref().map(|p| p.id),
            direction: "in",
            sender: &sender,
            recipient: &recipient,
            control_reference: &control_reference,
            channel,
            message_types: &message_types,
            content,
            status,
            error: error.as_deref(),
            contrl: None,
        },
        now,
    )
    .await;
    let interchange_id = match stored {
        Ok(id) => id,
        // Sent twice at once: the other request keeps it.
        Err(error) if error.is_unique_violation() => {
            drop(tx);
            return match store::received_before(db, actor.tenant_id, &sender, &control_reference).await? {
                Some(first) => duplicate(db, first).await,
                None => Err(Failure::Conflict { code: "edi.busy" }),
            };
        }
        Err(error) => return Err(error.into()),
    };
    tx.commit().await?;

    let Some(partner) = partner else {
        // Nobody to answer: the EDI desk sees it in the archive.
        return Ok(Receipt {
            interchange_id,
            status: status.to_owned(),
            error,
            error_code,
            messages: Vec::new(),
            contrl_interchange_id: None,
        });
    };
    if read.error.is_none() {
        let parties = Parties::read(db, actor.tenant_id, &partner).await?;
        // The first reading found no error, so this one finds the same messages and no error.
        let mut applying = Applying::new(db, clock, actor.tenant_id, &partner, &parties, interchange_id);
        for event in Reader::new(content) {
            if let Ok(Event::Message(message)) = event {
                applying.apply(message).await?;
            }
        }
        applying.finish().await?;
    }
    let only_contrls = !read.message_types.is_empty() && read.message_types.iter().all(|t| t == "CONTRL");
    let asked = read.header.as_ref().and_then(|h| h.acknowledgement_request.as_deref()) == Some("1");
    let contrl_interchange_id = if asked && !only_contrls {
        Some(answer_with_contrl(db, clock, actor.tenant_id, &partner, interchange_id, &read).await?)
    } else {
        None
    };
    Ok(Receipt {
        interchange_id,
        status: status.to_owned(),
        error,
        error_code,
        messages: store::messages_of_interchange(db, interchange_id).await?,
        contrl_interchange_id,
    })
}

async fn duplicate(db: &Db, first: i64) -> Result<Receipt, Failure> {
    Ok(Receipt {
        interchange_id: first,
        status: "duplicate".to_owned(),
        error: Some("this interchange was received before; nothing was applied again".to_owned()),
        error_code: Some(26),
        messages: store::messages_of_interchange(db, first).await?,
        contrl_interchange_id: None,
    })
}

/// Our interchange parameters towards a partner, with a fresh control reference.
async fn outbound(
    tx: &mut platform::Tx,
    db: &Db,
    tenant_id: TenantId,
    partner: &Partner,
    now: DateTime<Utc>,
) -> Result<Outbound, Failure> {
    let sender_gln = store::tenant_gln(db, tenant_id).await?.ok_or(Failure::Conflict {
        code: "edi.tenant_gln_missing",
    })?;
    let reference = store::take_reference(tx, partner.id).await?;
    Ok(Outbound {
        sender_gln,
        recipient_gln: partner.interchange_id.clone(),
        control_reference: reference.to_string(),
        syntax: edifact::SyntaxIdentifier::from_code(&partner.syntax).unwrap_or(edifact::SyntaxIdentifier::Unoc),
        syntax_version: u8::try_from(partner.syntax_version).unwrap_or(3),
        directory: parse_directory(&partner.directory).unwrap_or(crate::domain::envelope::Directory::D96A),
        prepared_at: now,
        test: false,
    })
}

/// The document an outbound message is about, for the archive and the order's timeline.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct About<'a> {
    pub document_number: Option<&'a str>,
    pub order_id: Option<i64>,
}

/// Puts one of our interchanges in the outbox, with a record of the message it carries.
async fn queue(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    message_type: &str,
    build: impl FnOnce(&Outbound) -> Result<Vec<u8>, SyntaxError>,
) -> Result<i64, Failure> {
    let mut tx = db.begin().await?;
    let id = queue_in(
        &mut tx,
        db,
        clock.now(),
        tenant_id,
        partner,
        message_type,
        About::default(),
        build,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// [`queue`], inside the caller's transaction, so that it stands or falls with what the
/// caller records beside it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn queue_in(
    tx: &mut platform::Tx,
    db: &Db,
    now: DateTime<Utc>,
    tenant_id: TenantId,
    partner: &Partner,
    message_type: &str,
    about: About<'_>,
    build: impl FnOnce(&Outbound) -> Result<Vec<u8>, SyntaxError>,
) -> Result<i64, Failure> {
    let outbound = outbound(tx, db, tenant_id, partner, now).await?;
    let content = build(&outbound).map_err(|e| Failure::Internal(format!("writing {message_type}: {e}")))?;
    let id = store::insert_interchange(
        tx,
        tenant_id,
        &NewInterchange {
            partner_id: Some(partner.id),
            direction: "out",
            sender: &outbound.sender_gln,
            recipient: &outbound.recipient_gln,
            control_reference: &outbound.control_reference,
            channel: &partner.channel,
            message_types: message_type,
            content: &content,
            status: "queued",
            error: None,
            contrl: None,
        },
        now,
    )
    .await?;
    store::insert_message(
        tx,
        tenant_id,
        &NewMessage {
            interchange_id: id,
            partner_id: Some(partner.id),
            direction: "out",
            message_type,
            message_reference: "1",
            document_number: about.document_number,
            status: "sent",
            order_id: about.order_id,
            errors: "[]".to_owned(),
            notes: "[]".to_owned(),
            answer_interchange_id: None,
        },
        now,
    )
    .await?;
    Ok(id)
}

async fn answer_with_contrl(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    interchange_id: i64,
    read: &Read,
) -> Result<i64, Failure> {
    let received = read.header.as_ref().map(ReceivedInterchange::from).unwrap_or_default();
    let id = queue(db, clock, tenant_id, partner, "CONTRL", |outbound| {
        write_contrl(outbound, &received, read.error.as_ref(), None)
    })
    .await?;
    db.execute(&platform::Query::new("UPDATE edi_interchanges SET contrl = 'sent' WHERE id = $1").bind(interchange_id))
        .await?;
    Ok(id)
}

/// What applying one message came to.
struct Outcome {
    status: &'static str,
    document_number: Option<String>,
    order_id: Option<i64>,
    problems: Vec<ApplicationError>,
    notes: Vec<String>,
}

impl Outcome {
    /// Kept in the archive, until applying the message says more.
    fn stored() -> Outcome {
        Outcome {
            status: "stored",
            document_number: None,
            order_id: None,
            problems: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn rejected(&mut self, problems: Vec<ApplicationError>) {
        self.status = "rejected";
        self.problems = problems;
    }

    /// Applied to this order, or rejected with these problems.
    fn settle(&mut self, result: Result<i64, Vec<ApplicationError>>) {
        match result {
            Ok(order_id) => {
                self.status = "applied";
                self.order_id = Some(order_id);
            }
            Err(problems) => self.rejected(problems),
        }
    }
}

/// The most ORDERS of an interchange placed at once, and the most messages the archive records
/// in one transaction. ORDERS are placed as a stream: as the oldest is done the next starts, and
/// the archive is written while later ones are placed, so that the writer always has orders
/// waiting. Read in windows of 256 instead, each window ended with the writer idle while its last
/// orders were priced and its messages archived.
const IN_FLIGHT: usize = 256;

/// An ORDERS being placed, with its order number when it has one.
struct Placing {
    message: Message,
    number: Option<String>,
    task: tokio::task::JoinHandle<Result<Outcome, Failure>>,
}

/// Applies an interchange's messages in their order, except that ORDERS following one another are
/// placed at once, so that their orders share commits as orders from many dealers' pages do. Each
/// message applied is answered when it has problems and recorded in the archive, in its order.
struct Applying<'a> {
    db: &'a Db,
    clock: &'a Clock,
    tenant_id: TenantId,
    partner: &'a Partner,
    parties: &'a Parties,
    interchange_id: i64,
    /// ORDERS being placed, oldest first.
    placing: VecDeque<Placing>,
    /// The order numbers of the ORDERS being placed.
    numbers: HashSet<String>,
    /// Messages applied and not yet recorded, in their order.
    applied: Vec<(Message, Result<Outcome, Failure>)>,
}

impl<'a> Applying<'a> {
    fn new(
        db: &'a Db,
        clock: &'a Clock,
        tenant_id: TenantId,
        partner: &'a Partner,
        parties: &'a Parties,
        interchange_id: i64,
    ) -> Self {
        Applying {
            db,
            clock,
            tenant_id,
            partner,
            parties,
            interchange_id,
            placing: VecDeque::with_capacity(IN_FLIGHT),
            numbers: HashSet::new(),
            applied: Vec::with_capacity(IN_FLIGHT),
        }
    }

    /// Applies the next message of the interchange. A failure (not a rejection: the database,
    /// say) stops the interchange; the messages applied are recorded all the same.
    async fn apply(&mut self, message: Message) -> Result<(), Failure> {
        if message.header.message_type != "ORDERS" {
            self.finish_placing().await?;
            let (db, clock, partner, parties) = (self.db, self.clock, self.partner, self.parties);
            let outcome = outcome_of(db, clock, self.tenant_id, partner, parties, &message).await;
            return self.take(message, outcome).await;
        }
        let orders = read_orders(&message);
        let number = orders.as_ref().ok().map(|orders| orders.order_number.clone());
        if number.as_ref().is_some_and(|number| self.numbers.contains(number)) {
            // The first of the same number must be placed first, so that the repeat is the one
            // found placed before.
            self.finish_placing().await?;
        }
        if let Some(number) = &number {
            self.numbers.insert(number.clone());
        }
        let task = {
            let (db, clock, partner, parties) = (
                self.db.clone(),
                self.clock.clone(),
                self.partner.clone(),
                self.parties.clone(),
            );
            let tenant_id = self.tenant_id;
            tokio::spawn(async move { orders_outcome(&db, &clock, tenant_id, &partner, &parties, orders).await })
        };
        self.placing.push_back(Placing { message, number, task });
        if self.placing.len() < IN_FLIGHT {
            return Ok(());
        }
        match self.next_placed().await {
            Some((message, outcome)) => self.take(message, outcome).await,
            None => Ok(()),
        }
    }

    /// Waits for the ORDERS being placed, then records every message applied.
    async fn finish(mut self) -> Result<(), Failure> {
        self.finish_placing().await?;
        self.record().await
    }

    async fn finish_placing(&mut self) -> Result<(), Failure> {
        while let Some((message, outcome)) = self.next_placed().await {
            self.take(message, outcome).await?;
        }
        Ok(())
    }

    /// The oldest ORDERS being placed, once it is placed or refused.
    async fn next_placed(&mut self) -> Option<(Message, Result<Outcome, Failure>)> {
        let Placing { message, number, task } = self.placing.pop_front()?;
        if let Some(number) = number {
            self.numbers.remove(&number);
        }
        let outcome = task
            .await
            .unwrap_or_else(|error| Err(Failure::Internal(error.to_string())));
        Some((message, outcome))
    }

    /// Keeps a message's outcome, and records the messages applied once there are `IN_FLIGHT`
    /// of them, or when this one failed.
    async fn take(&mut self, message: Message, outcome: Result<Outcome, Failure>) -> Result<(), Failure> {
        let failed = outcome.is_err();
        self.applied.push((message, outcome));
        if failed {
            // The ORDERS already being placed are placed all the same, so they are recorded too.
            while let Some(placed) = self.next_placed().await {
                self.applied.push(placed);
            }
        }
        if failed || self.applied.len() >= IN_FLIGHT {
            return self.record().await;
        }
        Ok(())
    }

    /// Answers the messages applied that have problems and records them all in the archive in
    /// one transaction, then reports the first failure among them.
    async fn record(&mut self) -> Result<(), Failure> {
        let taken = std::mem::take(&mut self.applied);
        let recorded = self.write_archive(&taken).await;
        if recorded.is_err() {
            // Nothing of a stopped interchange runs on after it.
            while self.next_placed().await.is_some() {}
        }
        recorded?;
        match taken.into_iter().find_map(|(_, outcome)| outcome.err()) {
            Some(failure) => Err(failure),
            None => Ok(()),
        }
    }

    async fn write_archive(&self, taken: &[(Message, Result<Outcome, Failure>)]) -> Result<(), Failure> {
        let (db, clock, tenant_id, partner) = (self.db, self.clock, self.tenant_id, self.partner);
        let applied: Vec<(&Message, &Outcome)> = taken
            .iter()
            .filter_map(|(message, outcome)| outcome.as_ref().ok().map(|outcome| (message, outcome)))
            .collect();
        let mut answers = Vec::with_capacity(applied.len());
        for (message, outcome) in &applied {
            answers.push(answer(db, clock, tenant_id, partner, self.interchange_id, message, outcome).await?);
        }
        let now = clock.now();
        let mut tx = db.begin().await?;
        for ((message, outcome), answer) in applied.into_iter().zip(answers) {
            store::insert_message(
                &mut tx,
                tenant_id,
                &NewMessage {
                    interchange_id: self.interchange_id,
                    partner_id: Some(partner.id),
                    direction: "in",
                    message_type: &message.header.message_type,
                    message_reference: &message.header.reference,
                    document_number: outcome.document_number.as_deref(),
                    status: outcome.status,
                    order_id: outcome.order_id,
                    errors: problems_json(&outcome.problems),
                    notes: serde_json::to_string(&outcome.notes).unwrap_or_else(|_| "[]".to_owned()),
                    answer_interchange_id: answer,
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The APERAK that answers a message with problems, when the partner receives them.
async fn answer(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    interchange_id: i64,
    message: &Message,
    outcome: &Outcome,
) -> Result<Option<i64>, Failure> {
    if outcome.problems.is_empty() || !partner.receives("APERAK") {
        return Ok(None);
    }
    let aperak = Aperak {
        document_number: format!("{interchange_id}-{}", message.header.reference),
        referenced_message: message.header.reference.clone(),
        referenced_document: outcome.document_number.clone().map(ReferencedDocument::order),
        errors: outcome.problems.clone(),
    };
    Ok(Some(
        queue(db, clock, tenant_id, partner, "APERAK", |outbound| {
            write_aperak(outbound, &aperak)
        })
        .await?,
    ))
}

fn problems_json(problems: &[ApplicationError]) -> String {
    let problems: Vec<MessageProblem> = problems
        .iter()
        .map(|p| MessageProblem {
            code: problem_code(p.code).to_owned(),
            aperak_code: p.code.aperak_code().to_owned(),
            segment: p.segment,
            tag: p.tag.clone(),
            detail: p.detail.clone(),
        })
        .collect();
    serde_json::to_string(&problems).unwrap_or_else(|_| "[]".to_owned())
}

fn problem_code(code: ApplicationErrorCode) -> &'static str {
    match code {
        ApplicationErrorCode::MissingData => "missing_data",
        ApplicationErrorCode::InvalidValue => "invalid_value",
        ApplicationErrorCode::UnknownProduct => "unknown_product",
        ApplicationErrorCode::ProductNotPublished => "product_not_published",
        ApplicationErrorCode::UnknownParty => "unknown_party",
        ApplicationErrorCode::UnknownDeliveryLocation => "unknown_delivery_location",
        ApplicationErrorCode::DuplicateOrder => "duplicate_order",
        ApplicationErrorCode::NotAccepted => "not_accepted",
    }
}

/// The refusal of a message the partner did not agree to send; CONTRL and APERAK are always taken.
fn unagreed(partner: &Partner, message_type: &str) -> Option<Outcome> {
    if message_type == "CONTRL" || message_type == "APERAK" || partner.sends(message_type) {
        return None;
    }
    let mut outcome = Outcome::stored();
    outcome.rejected(vec![ApplicationError::new(
        ApplicationErrorCode::NotAccepted,
        format!("{message_type} is not in the messages agreed with this partner"),
    )]);
    Some(outcome)
}

/// What an ORDERS comes to, as its reading left it: the order placed, or the problems found in
/// the message or in placing it. Read by the caller, which needs its order number first.
async fn orders_outcome(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    parties: &Parties,
    orders: Result<Orders, Vec<ApplicationError>>,
) -> Result<Outcome, Failure> {
    if let Some(refused) = unagreed(partner, "ORDERS") {
        return Ok(refused);
    }
    let mut outcome = Outcome::stored();
    match orders {
        Ok(orders) => {
            outcome.document_number = Some(orders.order_number.clone());
            let placed = place(db, clock, tenant_id, partner, parties, &orders).await?;
            if let Ok((_, notes)) = &placed {
                outcome.notes.clone_from(notes);
            }
            outcome.settle(placed.map(|(order_id, _)| order_id));
        }
        Err(problems) => outcome.rejected(problems),
    }
    Ok(outcome)
}

async fn outcome_of(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    parties: &Parties,
    message: &Message,
) -> Result<Outcome, Failure> {
    let message_type = message.header.message_type.as_str();
    if message_type == "ORDERS" {
        return orders_outcome(db, clock, tenant_id, partner, parties, read_orders(message)).await;
    }
    if let Some(refused) = unagreed(partner, message_type) {
        return Ok(refused);
    }
    let mut outcome = Outcome::stored();
    match message_type {
        "CONTRL" => match read_contrl(message) {
            Ok(report) => {
                let verdict = match report.action {
                    ContrlAction::Rejected => "rejected",
                    ContrlAction::Accepted | ContrlAction::Received => "accepted",
                };
                store::set_contrl(
                    db,
                    tenant_id,
                    &partner.interchange_id,
                    &report.referenced_control_reference,
                    verdict,
                )
                .await?;
                outcome.status = "applied";
                outcome.document_number = Some(report.referenced_control_reference);
            }
            Err(problems) => outcome.rejected(problems),
        },
        "ORDCHG" => match read_ordchg(message) {
            Ok(change) => {
                outcome.document_number = Some(change.order_number.clone());
                let (order_id, result) = change_order(db, clock, tenant_id, partner, parties, &change).await?;
                match result {
                    Ok(note) => {
                        outcome.status = "applied";
                        outcome.notes.push(note);
                    }
                    Err(problems) => outcome.rejected(problems),
                }
                // A refused change of a known order belongs to that order's story too.
                outcome.order_id = order_id;
            }
            Err(problems) => outcome.rejected(problems),
        },
        "RECADV" => match read_recadv(message) {
            Ok(advice) => {
                outcome.document_number = advice.despatch_number.clone().or(Some(advice.document_number.clone()));
                outcome.settle(receive_goods(db, clock, tenant_id, partner, &advice).await?);
            }
            Err(problems) => outcome.rejected(problems),
        },
        "RETANN" => match read_retann(message) {
            Ok(announcement) => {
                outcome.document_number = Some(announcement.document_number.clone());
                outcome.settle(announce_return(db, clock, tenant_id, partner, &announcement).await?);
            }
            Err(problems) => outcome.rejected(problems),
        },
        "INVRPT" | "SLSRPT" => match read_channel_report(message) {
            Ok(report) => {
                outcome.document_number = Some(report.document_number.clone());
                let mut tx = db.begin().await?;
                store::replace_channel_report(&mut tx, tenant_id, partner.dealer_id, &report, clock.now()).await?;
                tx.commit().await?;
                outcome.status = "applied";
                outcome
                    .notes
                    .push(format!("{} lines kept for channel inventory", report.lines.len()));
            }
            Err(problems) => outcome.rejected(problems),
        },
        // Kept in the archive; nothing reads them yet.
        _ => outcome.notes.push(format!("{message_type} is kept in the archive")),
    }
    Ok(outcome)
}

/// The shipment a message names by its delivery note (RFF+AAK), if it went to this partner.
async fn named_shipment(
    db: &Db,
    tenant_id: TenantId,
    partner: &Partner,
    number: Option<&String>,
) -> Result<Result<(i64, i64, String), ApplicationError>, Failure> {
    let Some(number) = number else {
        return Ok(Err(ApplicationError::missing(
            "the despatch advice the goods came with (RFF+AAK)",
        )
        .at_tag("RFF")));
    };
    Ok(
        match store::shipment_of_dealer(db, tenant_id, partner.dealer_id, number).await? {
            Some((shipment_id, order_id)) => Ok((shipment_id, order_id, number.clone())),
            None => {
                Err(ApplicationError::invalid(format!("no shipment {number} was sent to this partner")).at_tag("RFF"))
            }
        },
    )
}

/// The line of a shipment or an order, given as (line number, GTIN, SKU), that a message's line
/// names by GTIN or our SKU, not yet taken by an earlier line of the same message (free goods
/// may come as a second line of a product).
fn named_line(lines: &[(i64, String, String)], taken: &[i64], items: &[ItemId]) -> Option<i64> {
    lines
        .iter()
        .find(|(number, gtin, sku)| {
            !taken.contains(number)
                && items
                    .iter()
                    .any(|item| *item == ItemId::Gtin(gtin.clone()) || *item == ItemId::Supplier(sku.clone()))
        })
        .map(|(number, _, _)| *number)
}

fn not_in_shipment(line_number: &str, segment: usize, shipment: &str) -> ApplicationError {
    let mut problem = ApplicationError::new(
        ApplicationErrorCode::UnknownProduct,
        format!("line {line_number}: the product was not in shipment {shipment}"),
    );
    problem.segment = Some(segment);
    problem.tag = Some("LIN".to_owned());
    problem
}

/// Asks to return goods, exactly as the dealer would on the order page. Returns the
/// shipment's order, or the problems that kept the request from being made.
async fn announce_return(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    announcement: &ReturnAnnouncement,
) -> Result<Result<i64, Vec<ApplicationError>>, Failure> {
    let (shipment_id, order_id, number) =
        match named_shipment(db, tenant_id, partner, announcement.despatch_number.as_ref()).await? {
            Ok(found) => found,
            Err(problem) => return Ok(Err(vec![problem])),
        };
    let shipped = store::shipment_gtins(db, shipment_id).await?;
    let mut taken = Vec::new();
    let mut problems = Vec::new();
    let mut lines = Vec::with_capacity(announcement.lines.len());
    for line in &announcement.lines {
        match named_line(&shipped, &taken, &line.items) {
            Some(line_number) => {
                taken.push(line_number);
                lines.push(fulfilment::returns::ReturnLineInput {
                    line_number,
                    quantity: line.quantity,
                    reason: line.reason.clone(),
                });
            }
            None => problems.push(not_in_shipment(&line.line_number, line.segment, &number)),
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let input = fulfilment::returns::ReturnInput {
        note: announcement.note.clone(),
        lines,
    };
    let actor = dealer_actor(tenant_id, partner);
    match fulfilment::returns::request_return(db, clock, &actor, shipment_id, &input).await {
        Ok(_) => Ok(Ok(order_id)),
        Err(failure) => Ok(Err(refusals(failure, |_| None))),
    }
}

/// Records what arrived of a shipment, exactly as the dealer's receiving clerk would on the
/// order page. Returns the shipment's order, or the problems that kept it from being recorded.
async fn receive_goods(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    advice: &ReceivingAdvice,
) -> Result<Result<i64, Vec<ApplicationError>>, Failure> {
    let (shipment_id, order_id, number) =
        match named_shipment(db, tenant_id, partner, advice.despatch_number.as_ref()).await? {
            Ok(found) => found,
            Err(problem) => return Ok(Err(vec![problem])),
        };
    let shipped = store::shipment_gtins(db, shipment_id).await?;
    let mut taken: Vec<i64> = Vec::new();
    let mut problems = Vec::new();
    let mut lines = Vec::with_capacity(advice.lines.len());
    for line in &advice.lines {
        let Some(line_number) = named_line(&shipped, &taken, &line.items) else {
            problems.push(not_in_shipment(&line.line_number, line.segment, &number));
            continue;
        };
        taken.push(line_number);
        let rejected = line
            .rejected
            .unwrap_or_else(|| line.accepted.map_or(0, |accepted| line.received - accepted));
        lines.push(fulfilment::receipts::ReceiptLineInput {
            line_number,
            received_quantity: line.received,
            accepted_quantity: line.accepted.unwrap_or(line.received - rejected),
            rejected_quantity: rejected,
            reason: line.reason.clone(),
        });
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let input = fulfilment::receipts::ReceiptInput {
        note: advice.note.clone(),
        lines,
    };
    let actor = dealer_actor(tenant_id, partner);
    match ordering::receiving::receive(db, clock, &actor, shipment_id, &input).await {
        Ok(_) => Ok(Ok(order_id)),
        Err(failure) => Ok(Err(refusals(failure, |_| None))),
    }
}

/// Cancels or changes an order as its dealer would on the order page: a cancellation through
/// `cancel_order`, line changes as a change request through `raise_change_request`, for the
/// order desk to decide. Returns the order when it is known, with a note on what was done or
/// the problems that kept anything from being done.
async fn change_order(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    parties: &Parties,
    change: &OrderChange,
) -> Result<(Option<i64>, Result<String, Vec<ApplicationError>>), Failure> {
    let number = &change.order_number;
    let mut problems = parties.problems(change.buyer.as_ref(), change.supplier.as_ref());
    let Some(order_id) = store::order_of_dealer(db, tenant_id, partner.dealer_id, number).await? else {
        problems.push(
            ApplicationError::invalid(format!("no order {number} was placed by this partner's dealer")).at_tag("RFF"),
        );
        return Ok((None, Err(problems)));
    };
    let actor = dealer_actor(tenant_id, partner);
    let order = ordering::queries::order(db, &actor, Locale::En, order_id).await?;
    let state = order.summary.state;
    if change.cancellation {
        if !problems.is_empty() {
            return Ok((Some(order_id), Err(problems)));
        }
        let cancelled = ordering::commands::cancel_order(db, clock, &actor, order_id, change.note.as_deref()).await;
        return Ok((
            Some(order_id),
            match cancelled {
                Ok(_) => Ok(format!("order {number} cancelled")),
                Err(failure) => Err(change_refusals(failure, number, state, |_| None)),
            },
        ));
    }
    let ordered: Vec<(i64, String, String)> = order
        .lines
        .iter()
        .filter(|line| line.kind == "regular")
        .map(|line| (line.line_number, line.gtin.clone(), line.sku.clone()))
        .collect();
    let mut lines = Vec::new();
    let mut segments = Vec::new();
    for line in &change.lines {
        let mut items = line.items.clone();
        if let Some(sku) = buyers_article(db, partner, &line.items).await? {
            items.push(ItemId::Supplier(sku));
        }
        let taken: Vec<i64> = lines.iter().map(|l: &ChangeLineInput| l.line_number).collect();
        match named_line(&ordered, &taken, &items) {
            Some(line_number) => {
                lines.push(ChangeLineInput {
                    line_number,
                    quantity: line.quantity,
                    unit_price: None,
                    delivery_on: line.delivery_on.or(change.requested_delivery_on),
                });
                segments.push(Some(line.segment));
            }
            None => {
                let mut problem = ApplicationError::new(
                    ApplicationErrorCode::UnknownProduct,
                    format!("line {}: the product is not in order {number}", line.line_number),
                );
                problem.segment = Some(line.segment);
                problem.tag = Some("LIN".to_owned());
                problems.push(problem);
            }
        }
    }
    // A new date in the heading moves every line the message does not name.
    if let Some(date) = change.requested_delivery_on {
        for line in &order.lines {
            if !lines.iter().any(|l| l.line_number == line.line_number) {
                lines.push(ChangeLineInput {
                    line_number: line.line_number,
                    quantity: None,
                    unit_price: None,
                    delivery_on: Some(date),
                });
                segments.push(None);
            }
        }
    }
    if !problems.is_empty() {
        return Ok((Some(order_id), Err(problems)));
    }
    let input = ChangeRequestInput {
        reason: change
            .note
            .clone()
            .unwrap_or_else(|| format!("ORDCHG {}", change.document_number)),
        lines,
    };
    Ok((
        Some(order_id),
        match ordering::changes::raise_change_request(db, clock, &actor, order_id, &input).await {
            Ok(id) => Ok(format!("change request {id} raised for the order desk")),
            Err(failure) => Err(change_refusals(failure, number, state, |index| {
                segments.get(index).copied().flatten()
            })),
        },
    ))
}

/// Why an order did not take a change or a cancellation, in words for the partner's staff.
fn change_refusals(
    failure: Failure,
    number: &str,
    state: OrderState,
    segment_of: impl Fn(usize) -> Option<usize>,
) -> Vec<ApplicationError> {
    let state = state.code().replace('_', " ");
    let reason = match failure {
        Failure::Conflict {
            code: "order.already_decided",
        } => format!(
            "order {number} is {state} and can no longer be cancelled; a confirmed order is changed by a change \
             request (its lines with quantity 0), which the order desk decides"
        ),
        Failure::Conflict {
            code: "change.order_not_confirmed",
        } => format!(
            "order {number} is {state}: changes are asked for once the order desk has confirmed it; until then \
             it can be cancelled (BGM function 1) and ordered anew"
        ),
        Failure::Conflict {
            code: "change.already_open",
        } => {
            format!("order {number} has a change request waiting for the order desk's decision; send this one after it")
        }
        Failure::Conflict {
            code: "order.adjust_not_allowed",
        } => format!("order {number} was placed by a user who allowed nobody else to change it"),
        other => return refusals(other, segment_of),
    };
    vec![ApplicationError::new(ApplicationErrorCode::NotAccepted, reason).at_tag("BGM")]
}

/// The partner's dealer, acting through EDI: it may place and change orders for itself and
/// nothing else.
fn dealer_actor(tenant_id: TenantId, partner: &Partner) -> Actor {
    Actor {
        tenant_id,
        user_id: None,
        display_name: format!("EDI {}", partner.interchange_id),
        roles: vec![Role::Purchaser],
        scope: DataScope::Dealer {
            dealer_id: DealerId(partner.dealer_id),
            with_tier2: false,
        },
        locale: Locale::En,
        audience: None,
    }
}

/// Places the order an ORDERS asks for, exactly as the portal would. Returns the order and the
/// notes on it, or the problems that kept it from being placed.
async fn place(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    parties: &Parties,
    orders: &Orders,
) -> Result<Result<(i64, Vec<String>), Vec<ApplicationError>>, Failure> {
    let mut problems = Vec::new();
    if !orders.function.is_empty() && orders.function != "9" {
        problems.push(
            ApplicationError::new(
                ApplicationErrorCode::NotAccepted,
                format!(
                    "message function {} is not accepted; send changes as ORDCHG",
                    orders.function
                ),
            )
            .at_tag("BGM"),
        );
    }
    problems.extend(parties.problems(orders.buyer.as_ref(), orders.supplier.as_ref()));
    let delivery_gln = orders.delivery_party.as_ref().map(|p| p.id.as_str());
    let location = match &orders.delivery_party {
        // A partner's own location code, or a GLN it has mapped to one of its locations.
        Some(party) => match store::cross_referenced_location(db, partner.id, &party.id).await? {
            Some(location) => Some(location),
            None if is_gln(&party.agency) => store::delivery_location(db, partner.dealer_id, Some(&party.id)).await?,
            None => None,
        },
        None => store::delivery_location(db, partner.dealer_id, None).await?,
    };
    if location.is_none() {
        problems.push(
            ApplicationError::new(
                ApplicationErrorCode::UnknownDeliveryLocation,
                format!(
                    "delivery party {} is not a delivery location of the buyer",
                    delivery_gln.unwrap_or("-")
                ),
            )
            .at_tag("NAD"),
        );
    }
    if orders.requested_delivery_on.is_none() {
        problems.push(ApplicationError::missing("the requested delivery date (DTM+2)").at_tag("DTM"));
    }
    let mut lines = Vec::with_capacity(orders.lines.len());
    for line in &orders.lines {
        let code = line.items.iter().find_map(|item| match item {
            ItemId::Gtin(gtin) => Some(gtin.clone()),
            _ => None,
        });
        let code = code.or_else(|| {
            line.items.iter().find_map(|item| match item {
                ItemId::Supplier(sku) => Some(sku.clone()),
                _ => None,
            })
        });
        let code = match code {
            Some(code) => Some(code),
            None => buyers_article(db, partner, &line.items).await?,
        };
        match code {
            Some(code) => lines.push(OrderLineInput {
                product_id: None,
                product_code: Some(code),
                quantity: line.quantity,
            }),
            None => {
                let mut problem = ApplicationError::new(
                    ApplicationErrorCode::UnknownProduct,
                    format!(
                        "line {}: only the buyer's article number is given, and no cross-reference maps it",
                        line.line_number
                    ),
                );
                problem.segment = Some(line.segment);
                problem.tag = Some("LIN".to_owned());
                problems.push(problem);
            }
        }
    }
    let (Some(location), Some(requested)) = (location, orders.requested_delivery_on) else {
        return Ok(Err(problems));
    };
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let actor = dealer_actor(tenant_id, partner);
    let audience = &parties.audience;
    let input = OrderInput {
        dealer_order_number: orders.order_number.clone(),
        delivery_location_id: location,
        requested_delivery_on: requested,
        allow_adjust: false,
        comment: orders.free_text.clone(),
        lines,
        draft: false,
    };
    let placed =
        match ordering::commands::place_order(db, clock, &actor, audience, &input, OrderChannel::Edi, None).await {
            Ok(placed) => placed,
            Err(failure) => {
                return Ok(Err(refusals(failure, |index| {
                    orders.lines.get(index).map(|line| line.segment)
                })))
            }
        };
    let mut notes = price_differences(db, &actor, placed.order_id, orders, &audience.currency).await?;
    if !placed.created {
        notes.push(format!(
            "order {} was placed before; this is the same order",
            orders.order_number
        ));
    }
    Ok(Ok((placed.order_id, notes)))
}

/// The two sides of an interchange, as its messages are checked against them: our GLN, the GLN
/// of the partner's dealer, and the audience whose catalogue and prices that dealer's orders
/// get. Read once for all the messages of an interchange rather than once for each.
#[derive(Clone)]
struct Parties {
    tenant_gln: Option<String>,
    dealer_gln: Option<String>,
    audience: platform::DealerAudience,
}

impl Parties {
    async fn read(db: &Db, tenant_id: TenantId, partner: &Partner) -> Result<Parties, Failure> {
        Ok(Parties {
            tenant_gln: store::tenant_gln(db, tenant_id).await?,
            dealer_gln: store::dealer_gln(db, partner.dealer_id).await?,
            audience: identity::queries::dealer_audience(db, &dealer_actor(tenant_id, partner), None).await?,
        })
    }

    /// A buyer or supplier named by GLN that is not the partner's dealer or not us.
    fn problems(&self, buyer: Option<&PartyId>, supplier: Option<&PartyId>) -> Vec<ApplicationError> {
        [
            stranger(buyer, self.dealer_gln.as_deref(), "buyer", "is not this partner"),
            stranger(supplier, self.tenant_gln.as_deref(), "supplier", "is not us"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// A party named by GLN that is not the one expected, as a problem at its NAD segment.
fn stranger(party: Option<&PartyId>, expected: Option<&str>, role: &str, not: &str) -> Option<ApplicationError> {
    let (party, expected) = (party?, expected?);
    (is_gln(&party.agency) && party.id != expected).then(|| {
        ApplicationError::new(ApplicationErrorCode::UnknownParty, format!("{role} {} {not}", party.id)).at_tag("NAD")
    })
}

/// Our SKU for the first of the buyer's article numbers its cross-reference table knows.
async fn buyers_article(db: &Db, partner: &Partner, items: &[ItemId]) -> Result<Option<String>, Failure> {
    for item in items {
        if let ItemId::Buyer(code) = item {
            if let Some(sku) = store::cross_referenced_sku(db, partner.id, code).await? {
                return Ok(Some(sku));
            }
        }
    }
    Ok(None)
}

fn is_gln(agency: &str) -> bool {
    agency.is_empty() || agency == "9"
}

/// A command's refusal, as problems placed at the lines they concern: `segment_of` gives the
/// LIN segment of the command's line of an index, where there is one.
fn refusals(failure: Failure, segment_of: impl Fn(usize) -> Option<usize>) -> Vec<ApplicationError> {
    match failure {
        Failure::Invalid(errors) => errors
            .into_iter()
            .map(|error| {
                let code = if error.code == "order.product_not_orderable" {
                    ApplicationErrorCode::ProductNotPublished
                } else {
                    ApplicationErrorCode::NotAccepted
                };
                let params: Vec<String> = error.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let mut problem = ApplicationError::new(
                    code,
                    format!(
                        "{} ({}{})",
                        error.code,
                        error.field,
                        if params.is_empty() {
                            String::new()
                        } else {
                            format!(", {}", params.join(", "))
                        }
                    ),
                );
                let segment = error
                    .field
                    .strip_prefix("lines[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|index| index.parse::<usize>().ok())
                    .and_then(&segment_of);
                if let Some(segment) = segment {
                    problem.segment = Some(segment);
                    problem.tag = Some("LIN".to_owned());
                }
                problem
            })
            .collect(),
        Failure::Conflict { code } => vec![ApplicationError::new(ApplicationErrorCode::NotAccepted, code)],
        other => vec![ApplicationError::new(
            ApplicationErrorCode::NotAccepted,
            other.to_string(),
        )],
    }
}

/// Where the buyer's price (PRI+AAA) differs from the price the server computed.
async fn price_differences(
    db: &Db,
    actor: &Actor,
    order_id: i64,
    orders: &Orders,
    currency: &str,
) -> Result<Vec<String>, Failure> {
    // Most buyers state no price; reading the order back for them cost four queries a message.
    if orders.lines.iter().all(|line| line.buyer_net_price.is_none()) {
        return Ok(Vec::new());
    }
    let currency = Currency::parse(currency).map_err(|e| Failure::Internal(e.to_string()))?;
    let order = ordering::queries::order(db, actor, Locale::En, order_id).await?;
    let mut notes = Vec::new();
    for line in &orders.lines {
        let Some(theirs) = &line.buyer_net_price else { continue };
        let gtin = line.items.iter().find_map(|item| match item {
            ItemId::Gtin(gtin) => Some(gtin.as_str()),
            _ => None,
        });
        let ours = order.lines.iter().find(|l| {
            l.kind == "regular"
                && (Some(l.gtin.as_str()) == gtin || line.items.contains(&ItemId::Supplier(l.sku.clone())))
        });
        let Some(ours) = ours else { continue };
        let same = match (
            Money::parse_decimal(theirs, currency),
            Money::parse_decimal(&ours.unit_net_price, currency),
        ) {
            (Ok(theirs), Ok(ours)) => theirs == ours,
            _ => false,
        };
        if !same {
            notes.push(format!(
                "line {}: the buyer's price {theirs} differs from ours {} {}",
                line.line_number,
                ours.unit_net_price,
                currency.code()
            ));
        }
    }
    Ok(notes)
}

// ---- Price catalogues ----

/// Sends a partner its whole catalog at its own prices today, as a PRICAT in the outbox.
/// Returns the interchange.
pub async fn send_price_catalogue(db: &Db, clock: &Clock, actor: &Actor, partner_id: i64) -> Result<i64, Failure> {
    actor.require(Permission::ManageEdi)?;
    let partner = store::find_partner(&mut Source::Db(db), actor.tenant_id, &actor.scope, partner_id)
        .await?
        .ok_or(Failure::NotFound { entity: "edi_partner" })?;
    if !partner.receives("PRICAT") {
        return Err(Failure::Conflict {
            code: "edi.partner_takes_no_pricat",
        });
    }
    let dealer = dealer_actor(actor.tenant_id, &partner);
    let audience = identity::queries::dealer_audience(db, &dealer, None).await?;
    let today = ordering::commands::tenant_today(db, clock, actor).await?;
    // Names in Russian where the character set holds Cyrillic, else in English.
    let locale = match partner.syntax.as_str() {
        "UNOE" | "UNOW" | "UNOY" => Locale::Ru,
        _ => Locale::En,
    };
    let filter = catalog::domain::CatalogFilter::default();
    let mut items = Vec::new();
    for page in 1.. {
        let request = platform::PageRequest::new(Some(page), Some(platform::page::MAX_PER_PAGE));
        let (entries, more) =
            catalog::queries::priced_catalog(db, &dealer, &audience, locale, &filter, request, today).await?;
        items.extend(entries.into_iter().filter_map(|entry| {
            let net_price = entry.unit_price?;
            Some(CatalogueItem {
                action: ItemAction::Added,
                gtin: entry.item.gtin,
                sku: entry.item.sku,
                name: entry.item.name,
                unit: entry.item.unit,
                pack_size: entry.item.pack_size,
                min_order_quantity: entry.item.min_order_quantity,
                order_multiple: entry.item.order_multiple,
                net_price,
                list_price: entry.list_price,
                vat_rate: platform::money::percent_text(entry.item.vat_rate_bp),
            })
        }));
        if !more {
            break;
        }
    }
    let now = clock.now();
    let supplier_gln = store::tenant_gln(db, actor.tenant_id).await?.ok_or(Failure::Conflict {
        code: "edi.tenant_gln_missing",
    })?;
    let buyer_gln = store::dealer_gln(db, partner.dealer_id)
        .await?
        .unwrap_or_else(|| partner.interchange_id.clone());
    let catalogue = PriceCatalogue {
        document_number: format!("PC-{}-{}", partner.id, now.format("%Y%m%d%H%M%S")),
        issued_on: today,
        valid_from: Some(today),
        buyer_gln,
        supplier_gln,
        currency: audience.currency.clone(),
        full: true,
        items,
    };
    let about = About {
        document_number: Some(&catalogue.document_number),
        order_id: None,
    };
    let mut tx = db.begin().await?;
    let id = queue_in(
        &mut tx,
        db,
        now,
        actor.tenant_id,
        &partner,
        "PRICAT",
        about,
        |outbound| write_pricat(outbound, &catalogue),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

// ---- Reprocessing and delivery ----

/// Applies a rejected inbound message again, after its master data was put right.
pub async fn reprocess(db: &Db, clock: &Clock, actor: &Actor, message_id: i64) -> Result<MessageRecord, Failure> {
    actor.require(Permission::ManageEdi)?;
    let (record, interchange_id) = store::inbound_message(db, actor.tenant_id, &actor.scope, message_id)
        .await?
        .ok_or(Failure::NotFound { entity: "edi_message" })?;
    if record.status != "rejected" {
        return Err(Failure::Conflict {
            code: "edi.not_rejected",
        });
    }
    let (summary, content) = store::interchange(db, actor.tenant_id, &actor.scope, interchange_id)
        .await?
        .ok_or(Failure::NotFound {
            entity: "edi_interchange",
        })?;
    let partner_id = summary.partner_id.ok_or(Failure::Conflict {
        code: "edi.unknown_partner",
    })?;
    let partner = store::find_partner(&mut Source::Db(db), actor.tenant_id, &actor.scope, partner_id)
        .await?
        .ok_or(Failure::NotFound { entity: "edi_partner" })?;
    // The message as read before any syntax error, as when it was received.
    let message = Reader::new(content.as_slice())
        .map_while(Result::ok)
        .find_map(|event| match event {
            Event::Message(message)
                if message.header.reference == record.message_reference
                    && message.header.message_type == record.message_type =>
            {
                Some(message)
            }
            _ => None,
        })
        .ok_or(Failure::Conflict {
            code: "edi.message_unreadable",
        })?;
    let parties = Parties::read(db, actor.tenant_id, &partner).await?;
    let outcome = outcome_of(db, clock, actor.tenant_id, &partner, &parties, &message).await?;
    store::update_message(
        db,
        message_id,
        outcome.status,
        outcome.order_id,
        &problems_json(&outcome.problems),
        &serde_json::to_string(&outcome.notes).unwrap_or_else(|_| "[]".to_owned()),
    )
    .await?;
    let mut tx = db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        clock.now(),
        Change {
            entity: "edi_message",
            entity_id: message_id,
            action: "reprocess",
            before: Some(json!({ "status": record.status })),
            after: Some(json!({ "status": outcome.status, "order_id": outcome.order_id })),
        },
    )
    .await?;
    tx.commit().await?;
    store::inbound_message(db, actor.tenant_id, &actor.scope, message_id)
        .await?
        .map(|(record, _)| record)
        .ok_or(Failure::NotFound { entity: "edi_message" })
}

/// Marks one of our interchanges delivered: its partner's system fetched it.
pub async fn mark_delivered(db: &Db, clock: &Clock, actor: &Actor, id: i64) -> Result<(), Failure> {
    actor.require(Permission::ExchangeEdi)?;
    let (summary, _) = store::interchange(db, actor.tenant_id, &actor.scope, id)
        .await?
        .ok_or(Failure::NotFound {
            entity: "edi_interchange",
        })?;
    if summary.direction != "out" {
        return Err(Failure::NotFound {
            entity: "edi_interchange",
        });
    }
    store::mark_delivered(db, actor.tenant_id, id, clock.now()).await?;
    Ok(())
}

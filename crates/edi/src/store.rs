//! EDI storage: partners, the archive of interchanges and their messages.

use chrono::{DateTime, Utc};
use platform::db::Source;
use platform::{DataScope, Db, DbError, Page, PageRequest, Query, Row, TenantId, Tx};

use crate::domain::partner::{directory_code, CrossReference, ExchangeProblem, ExchangeStage, Partner, ValidPartner};
use crate::queries::{ArchiveFilter, CrossReferenceFilter, InterchangeSummary, MessageRecord, PartnerFilter};

fn list(text: &str) -> Vec<String> {
    text.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

const PARTNER_SELECT: &str =
    "SELECT p.id, p.tenant_id, p.dealer_id, d.code AS dealer_code, d.legal_name AS dealer_name, \
     p.interchange_id, p.interchange_qualifier, p.directory, p.syntax, p.syntax_version, p.channel, \
     p.directory_path, p.messages_in, p.messages_out, p.active, p.problem_stage, p.problem, p.problem_since, \
     p.created_at, p.updated_at \
     FROM edi_partners p JOIN dealers d ON d.id = p.dealer_id";

fn read_partner(row: &Row) -> Result<Partner, DbError> {
    Ok(Partner {
        id: row.get("id")?,
        dealer_id: row.get("dealer_id")?,
        dealer_code: row.get("dealer_code")?,
        dealer_name: row.get("dealer_name")?,
        interchange_id: row.get("interchange_id")?,
        interchange_qualifier: row.get("interchange_qualifier")?,
        directory: row.get("directory")?,
        syntax: row.get("syntax")?,
        syntax_version: row.get("syntax_version")?,
        channel: row.get("channel")?,
        directory_path: row.get("directory_path")?,
        messages_in: list(&row.get::<String>("messages_in")?),
        messages_out: list(&row.get::<String>("messages_out")?),
        active: row.get("active")?,
        problem: match (
            row.get("problem_stage")?,
            row.get("problem")?,
            row.get("problem_since")?,
        ) {
            (Some(stage), Some(detail), Some(since)) => Some(ExchangeProblem { stage, detail, since }),
            _ => None,
        },
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

/// A profile's columns from `dealer_id` to `active`, in the order both statements below name them.
fn profile_values(partner: &ValidPartner) -> Vec<platform::db::Value> {
    vec![
        partner.dealer_id.into(),
        partner.interchange_id.as_str().into(),
        partner.interchange_qualifier.as_str().into(),
        directory_code(partner.directory).into(),
        partner.syntax.code().into(),
        i64::from(partner.syntax_version).into(),
        partner.channel.code().into(),
        partner.directory_path.clone().into(),
        partner.messages_in.join(",").into(),
        partner.messages_out.join(",").into(),
        partner.active.into(),
    ]
}

pub async fn insert_partner(
    tx: &mut Tx,
    tenant_id: TenantId,
    partner: &ValidPartner,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let mut query = Query::new(
        "INSERT INTO edi_partners (tenant_id, dealer_id, interchange_id, interchange_qualifier, directory, syntax,
             syntax_version, channel, directory_path, messages_in, messages_out, active, next_reference, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13) RETURNING id",
    )
    .bind(tenant_id);
    for value in profile_values(partner) {
        query = query.bind(value);
    }
    tx.fetch_one(&query.bind(now)).await?.get("id")
}

/// Changes a partner's profile; false when there is no such partner in the tenant.
pub async fn update_partner(
    tx: &mut Tx,
    tenant_id: TenantId,
    id: i64,
    partner: &ValidPartner,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let mut query = Query::new(
        "UPDATE edi_partners SET dealer_id = $3, interchange_id = $4, interchange_qualifier = $5, directory = $6,
             syntax = $7, syntax_version = $8, channel = $9, directory_path = $10, messages_in = $11,
             messages_out = $12, active = $13, updated_at = $14
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id);
    for value in profile_values(partner) {
        query = query.bind(value);
    }
    Ok(tx.execute(&query.bind(now)).await? == 1)
}

/// The partners whose dealers the scope sees.
pub async fn list_partners(db: &Db, tenant_id: TenantId, scope: &DataScope) -> Result<Vec<Partner>, DbError> {
    let mut query = Query::new(PARTNER_SELECT).bind(tenant_id);
    query.push(" WHERE p.tenant_id = $1");
    scope.restrict_dealer(&mut query, "p.dealer_id");
    query.push(" ORDER BY d.code");
    db.fetch_all(&query).await?.iter().map(read_partner).collect()
}

/// One page of the partners whose dealers the scope sees, under `filter`.
pub async fn partner_page(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    filter: &PartnerFilter,
    page: PageRequest,
) -> Result<Page<Partner>, DbError> {
    let mut condition = Query::new(" WHERE p.tenant_id = $1").bind(tenant_id);
    scope.restrict_dealer(&mut condition, "p.dealer_id");
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // The dealer's search text holds its code and legal name in lower case of any script.
        let pattern = platform::db::like_contains(search);
        condition
            .push(" AND (d.search_text LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(p.interchange_id) LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(channel) = &filter.channel {
        condition.push(" AND p.channel = ").push_bind(channel.clone());
    }
    platform::db::fetch_page(
        db,
        "edi_partners p JOIN dealers d ON d.id = p.dealer_id",
        PARTNER_SELECT,
        condition,
        &crate::queries::PARTNER_SORT.order_by(filter.sort),
        page,
        read_partner,
    )
    .await
}

pub async fn find_partner(
    source: &mut Source<'_>,
    tenant_id: TenantId,
    scope: &DataScope,
    id: i64,
) -> Result<Option<Partner>, DbError> {
    let mut query = Query::new(PARTNER_SELECT).bind(tenant_id).bind(id);
    query.push(" WHERE p.tenant_id = $1 AND p.id = $2");
    scope.restrict_dealer(&mut query, "p.dealer_id");
    source
        .fetch_optional(&query)
        .await?
        .as_ref()
        .map(read_partner)
        .transpose()
}

/// The partner that sends with this UNB identification.
pub async fn partner_by_interchange_id(
    db: &Db,
    tenant_id: TenantId,
    interchange_id: &str,
) -> Result<Option<Partner>, DbError> {
    let query = Query::new(format!(
        "{PARTNER_SELECT} WHERE p.tenant_id = $1 AND p.interchange_id = $2"
    ))
    .bind(tenant_id)
    .bind(interchange_id);
    db.fetch_optional(&query).await?.as_ref().map(read_partner).transpose()
}

pub async fn partner_of_dealer(db: &Db, tenant_id: TenantId, dealer_id: i64) -> Result<Option<Partner>, DbError> {
    let query = Query::new(format!("{PARTNER_SELECT} WHERE p.tenant_id = $1 AND p.dealer_id = $2"))
        .bind(tenant_id)
        .bind(dealer_id);
    db.fetch_optional(&query).await?.as_ref().map(read_partner).transpose()
}

/// Our next interchange control reference to the partner, taken so no other server takes it.
pub async fn take_reference(tx: &mut Tx, partner_id: i64) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "UPDATE edi_partners SET next_reference = next_reference + 1 WHERE id = $1
             RETURNING next_reference - 1 AS reference",
        )
        .bind(partner_id),
    )
    .await?
    .get("reference")
}

/// The tenant's own GLN, and those of a dealer and its delivery locations.
pub async fn tenant_gln(db: &Db, tenant_id: TenantId) -> Result<Option<String>, DbError> {
    db.fetch_one(&Query::new("SELECT gln FROM tenants WHERE id = $1").bind(tenant_id))
        .await?
        .get("gln")
}

pub async fn dealer_gln(db: &Db, dealer_id: i64) -> Result<Option<String>, DbError> {
    db.fetch_one(&Query::new("SELECT gln FROM dealers WHERE id = $1").bind(dealer_id))
        .await?
        .get("gln")
}

/// The dealer's delivery location with this GLN, or with none given its primary one.
pub async fn delivery_location(db: &Db, dealer_id: i64, gln: Option<&str>) -> Result<Option<i64>, DbError> {
    let query = match gln {
        Some(gln) => Query::new("SELECT id FROM delivery_locations WHERE dealer_id = $1 AND gln = $2")
            .bind(dealer_id)
            .bind(gln),
        None => {
            Query::new("SELECT id FROM delivery_locations WHERE dealer_id = $1 AND is_primary = TRUE").bind(dealer_id)
        }
    };
    db.fetch_optional(&query).await?.map(|row| row.get("id")).transpose()
}

/// An interchange to keep in the archive.
pub struct NewInterchange<'a> {
    pub partner_id: Option<i64>,
    pub direction: &'a str,
    pub sender: &'a str,
    pub recipient: &'a str,
    pub control_reference: &'a str,
    pub channel: &'a str,
    pub message_types: &'a str,
    pub content: &'a [u8],
    pub status: &'a str,
    pub error: Option<&'a str>,
    pub contrl: Option<&'a str>,
}

/// Keeps an interchange; a unique violation means the same one was received before.
pub async fn insert_interchange(
    tx: &mut Tx,
    tenant_id: TenantId,
    interchange: &NewInterchange<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO edi_interchanges (tenant_id, partner_id, direction, sender, recipient, control_reference, channel,
                 message_types, content, status, error, contrl, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(tenant_id)
        .bind(interchange.partner_id)
        .bind(interchange.direction)
        .bind(interchange.sender)
        .bind(interchange.recipient)
        .bind(interchange.control_reference)
        .bind(interchange.channel)
        .bind(interchange.message_types)
        .bind(interchange.content.to_vec())
        .bind(interchange.status)
        .bind(interchange.error)
        .bind(interchange.contrl)
        .bind(now),
    )
    .await?
    .get("id")
}

/// The interchange received before from this sender under this control reference.
pub async fn received_before(
    db: &Db,
    tenant_id: TenantId,
    sender: &str,
    control_reference: &str,
) -> Result<Option<i64>, DbError> {
    db.fetch_optional(
        &Query::new(
            "SELECT id FROM edi_interchanges WHERE tenant_id = $1 AND direction = 'in' AND sender = $2 AND control_reference = $3",
        )
        .bind(tenant_id)
        .bind(sender)
        .bind(control_reference),
    )
    .await?
    .map(|row| row.get("id"))
    .transpose()
}

/// Records the partner's CONTRL on the interchange of ours it answers.
pub async fn set_contrl(
    db: &Db,
    tenant_id: TenantId,
    recipient: &str,
    control_reference: &str,
    contrl: &str,
) -> Result<bool, DbError> {
    let changed = db
        .execute(
            &Query::new(
                "UPDATE edi_interchanges SET contrl = $4
                 WHERE tenant_id = $1 AND direction = 'out' AND recipient = $2 AND control_reference = $3",
            )
            .bind(tenant_id)
            .bind(recipient)
            .bind(control_reference)
            .bind(contrl),
        )
        .await?;
    Ok(changed > 0)
}

/// A message of an interchange to keep in the archive.
pub struct NewMessage<'a> {
    pub interchange_id: i64,
    pub partner_id: Option<i64>,
    pub direction: &'a str,
    pub message_type: &'a str,
    pub message_reference: &'a str,
    pub document_number: Option<&'a str>,
    pub status: &'a str,
    pub order_id: Option<i64>,
    pub errors: String,
    pub notes: String,
    pub answer_interchange_id: Option<i64>,
}

pub async fn insert_message(
    tx: &mut Tx,
    tenant_id: TenantId,
    message: &NewMessage<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    tx.fetch_one(
        &Query::new(
            "INSERT INTO edi_messages (tenant_id, interchange_id, partner_id, direction, message_type, message_reference,
                 document_number, status, order_id, errors, notes, answer_interchange_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(tenant_id)
        .bind(message.interchange_id)
        .bind(message.partner_id)
        .bind(message.direction)
        .bind(message.message_type)
        .bind(message.message_reference)
        .bind(message.document_number)
        .bind(message.status)
        .bind(message.order_id)
        .bind(message.errors.clone())
        .bind(message.notes.clone())
        .bind(message.answer_interchange_id)
        .bind(now),
    )
    .await?
    .get("id")
}

/// Records the outcome of a message applied again.
pub async fn update_message(
    db: &Db,
    id: i64,
    status: &str,
    order_id: Option<i64>,
    errors: &str,
    notes: &str,
) -> Result<(), DbError> {
    db.execute(
        &Query::new("UPDATE edi_messages SET status = $2, order_id = $3, errors = $4, notes = $5 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(order_id)
            .bind(errors)
            .bind(notes),
    )
    .await?;
    Ok(())
}

const SUMMARY_FROM: &str = "edi_interchanges i LEFT JOIN edi_partners p ON p.id = i.partner_id \
     LEFT JOIN dealers d ON d.id = p.dealer_id";
const SUMMARY_SELECT: &str = "SELECT i.id, i.partner_id, d.code AS dealer_code, i.direction, i.sender, i.recipient, \
     i.control_reference, i.channel, i.message_types, i.status, i.error, i.contrl, i.created_at, i.delivered_at FROM \
     edi_interchanges i LEFT JOIN edi_partners p ON p.id = i.partner_id LEFT JOIN dealers d ON d.id = p.dealer_id";

fn read_summary(row: &Row) -> Result<InterchangeSummary, DbError> {
    Ok(InterchangeSummary {
        id: row.get("id")?,
        partner_id: row.get("partner_id")?,
        dealer_code: row.get("dealer_code")?,
        direction: row.get("direction")?,
        sender: row.get("sender")?,
        recipient: row.get("recipient")?,
        control_reference: row.get("control_reference")?,
        channel: row.get("channel")?,
        message_types: list(&row.get::<String>("message_types")?),
        status: row.get("status")?,
        error: row.get("error")?,
        contrl: row.get("contrl")?,
        created_at: row.get("created_at")?,
        delivered_at: row.get("delivered_at")?,
    })
}

/// `WHERE` the interchange is the tenant's and its partner's dealer in scope; an interchange
/// from an unknown sender only the whole tenant's people see.
fn scoped(tenant_id: TenantId, scope: &DataScope) -> Query {
    let mut query = Query::new(" WHERE i.tenant_id = $1").bind(tenant_id);
    scope.restrict_dealer(&mut query, "p.dealer_id");
    query
}

/// The archive, newest first unless sorted otherwise, filtered.
pub async fn search(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    filter: &ArchiveFilter,
    page: PageRequest,
) -> Result<Page<InterchangeSummary>, DbError> {
    let mut condition = scoped(tenant_id, scope);
    if let Some(partner) = filter.partner_id {
        condition.push(" AND i.partner_id = ").push_bind(partner);
    }
    if let Some(direction) = &filter.direction {
        condition.push(" AND i.direction = ").push_bind(direction.clone());
    }
    if let Some(status) = &filter.status {
        condition.push(" AND i.status = ").push_bind(status.clone());
    }
    if let Some(message_type) = &filter.message_type {
        // Types are stored comma-separated; the commas around make a whole-word match.
        condition
            .push(" AND (',' || i.message_types || ',') LIKE ")
            .push_bind(format!("%,{},%", message_type.trim().to_ascii_uppercase()));
    }
    if let Some(reference) = &filter.reference {
        condition
            .push(" AND (i.control_reference = ")
            .push_bind(reference.trim().to_owned())
            .push(" OR i.id IN (SELECT m.interchange_id FROM edi_messages m WHERE m.tenant_id = i.tenant_id AND (m.document_number = ")
            .push_bind(reference.trim().to_owned())
            .push(" OR m.message_reference = ")
            .push_bind(reference.trim().to_owned())
            .push(")))");
    }
    if let Some(order_id) = filter.order_id {
        condition
            .push(" AND i.id IN (SELECT m.interchange_id FROM edi_messages m WHERE m.order_id = ")
            .push_bind(order_id)
            .push(")");
    }
    platform::db::fetch_page(
        db,
        SUMMARY_FROM,
        SUMMARY_SELECT,
        condition,
        &crate::queries::ARCHIVE_SORT.order_by(filter.sort),
        page,
        read_summary,
    )
    .await
}

/// Our interchanges waiting for the partners in scope to fetch them, oldest first.
pub async fn outbox(db: &Db, tenant_id: TenantId, scope: &DataScope) -> Result<Vec<InterchangeSummary>, DbError> {
    let mut query = scoped(tenant_id, scope);
    query.prepend(SUMMARY_SELECT);
    query.push(" AND i.direction = 'out' AND i.status = 'queued' ORDER BY i.id LIMIT 1000");
    db.fetch_all(&query).await?.iter().map(read_summary).collect()
}

/// One interchange in scope, with its raw content.
pub async fn interchange(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    id: i64,
) -> Result<Option<(InterchangeSummary, Vec<u8>)>, DbError> {
    let mut query = scoped(tenant_id, scope);
    query.prepend(&SUMMARY_SELECT.replace(" FROM edi_interchanges i", ", i.content FROM edi_interchanges i"));
    query.push(" AND i.id = ").push_bind(id);
    match db.fetch_optional(&query).await? {
        Some(row) => Ok(Some((read_summary(&row)?, row.get("content")?))),
        None => Ok(None),
    }
}

/// One interchange in scope with the first `head_bytes` of its content and its whole size in
/// bytes, for a page that shows its start without reading a large interchange whole.
pub async fn interchange_head(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    id: i64,
    head_bytes: i64,
) -> Result<Option<(InterchangeSummary, Vec<u8>, i64)>, DbError> {
    let mut query = scoped(tenant_id, scope);
    query.prepend(&SUMMARY_SELECT.replace(
        " FROM edi_interchanges i",
        &format!(
            ", SUBSTR(i.content, 1, {head_bytes}) AS head, CAST(LENGTH(i.content) AS BIGINT) AS size FROM edi_interchanges i"
        ),
    ));
    query.push(" AND i.id = ").push_bind(id);
    match db.fetch_optional(&query).await? {
        Some(row) => Ok(Some((read_summary(&row)?, row.get("head")?, row.get("size")?))),
        None => Ok(None),
    }
}

/// Marks one of our interchanges delivered; false when it was not waiting.
pub async fn mark_delivered(db: &Db, tenant_id: TenantId, id: i64, now: DateTime<Utc>) -> Result<bool, DbError> {
    let changed = db
        .execute(
            &Query::new(
                "UPDATE edi_interchanges SET status = 'delivered', delivered_at = $3
                 WHERE tenant_id = $1 AND id = $2 AND direction = 'out' AND status = 'queued'",
            )
            .bind(tenant_id)
            .bind(id)
            .bind(now),
        )
        .await?;
    Ok(changed == 1)
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.interchange_id, m.direction, m.message_type, m.message_reference, \
     m.document_number, m.status, m.order_id, m.errors, m.notes, m.answer_interchange_id, m.created_at FROM edi_messages m";

fn read_message(row: &Row) -> Result<MessageRecord, DbError> {
    Ok(MessageRecord {
        id: row.get("id")?,
        interchange_id: row.get("interchange_id")?,
        direction: row.get("direction")?,
        message_type: row.get("message_type")?,
        message_reference: row.get("message_reference")?,
        document_number: row.get("document_number")?,
        status: row.get("status")?,
        order_id: row.get("order_id")?,
        errors: serde_json::from_str(&row.get::<String>("errors")?).unwrap_or_default(),
        notes: serde_json::from_str(&row.get::<String>("notes")?).unwrap_or_default(),
        answer_interchange_id: row.get("answer_interchange_id")?,
        created_at: row.get("created_at")?,
    })
}

pub async fn messages_of_interchange(db: &Db, interchange_id: i64) -> Result<Vec<MessageRecord>, DbError> {
    db.fetch_all(
        &Query::new(format!("{MESSAGE_SELECT} WHERE m.interchange_id = $1 ORDER BY m.id")).bind(interchange_id),
    )
    .await?
    .iter()
    .map(read_message)
    .collect()
}

/// One page of an interchange's messages, in the order they were recorded.
pub async fn message_page(db: &Db, interchange_id: i64, page: PageRequest) -> Result<Page<MessageRecord>, DbError> {
    platform::db::fetch_page(
        db,
        "edi_messages m",
        MESSAGE_SELECT,
        Query::new(" WHERE m.interchange_id = $1").bind(interchange_id),
        "m.id",
        page,
        read_message,
    )
    .await
}

/// The messages about an order, for its timeline, where its dealer is in scope.
pub async fn messages_of_order(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    order_id: i64,
) -> Result<Vec<MessageRecord>, DbError> {
    let mut query = Query::new(format!(
        "{MESSAGE_SELECT} JOIN edi_interchanges i ON i.id = m.interchange_id LEFT JOIN edi_partners p ON p.id = i.partner_id
         WHERE m.tenant_id = $1 AND m.order_id = $2"
    ))
    .bind(tenant_id)
    .bind(order_id);
    scope.restrict_dealer(&mut query, "p.dealer_id");
    query.push(" ORDER BY m.id");
    db.fetch_all(&query).await?.iter().map(read_message).collect()
}

/// One inbound message in scope, with the interchange it came in.
pub async fn inbound_message(
    db: &Db,
    tenant_id: TenantId,
    scope: &DataScope,
    id: i64,
) -> Result<Option<(MessageRecord, i64)>, DbError> {
    let mut query = Query::new(format!(
        "{MESSAGE_SELECT} JOIN edi_interchanges i ON i.id = m.interchange_id LEFT JOIN edi_partners p ON p.id = i.partner_id
         WHERE i.tenant_id = $1 AND m.direction = 'in' AND m.id = $2"
    ))
    .bind(tenant_id)
    .bind(id);
    scope.restrict_dealer(&mut query, "p.dealer_id");
    match db.fetch_optional(&query).await? {
        Some(row) => {
            let record = read_message(&row)?;
            let interchange = record.interchange_id;
            Ok(Some((record, interchange)))
        }
        None => Ok(None),
    }
}

/// Starts the dispatch job at the tenant's latest order event, so that a new partner gets the
/// documents of what happens from now on, not of its history.
pub async fn start_dispatch(tx: &mut Tx, tenant_id: TenantId) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "INSERT INTO edi_dispatch (tenant_id, last_event_id)
             SELECT $1, COALESCE(MAX(id), 0) FROM order_events WHERE tenant_id = $1
             ON CONFLICT (tenant_id) DO NOTHING",
        )
        .bind(tenant_id),
    )
    .await?;
    Ok(())
}

/// Notes what stopped a stage of the exchange with a partner; a problem that recurs keeps the
/// time it began.
pub async fn note_problem(
    db: &Db,
    partner_id: i64,
    stage: ExchangeStage,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    db.execute(
        &Query::new(
            "UPDATE edi_partners SET problem_since = CASE WHEN problem IS NULL THEN $4 ELSE problem_since END,
             problem_stage = $2, problem = $3 WHERE id = $1",
        )
        .bind(partner_id)
        .bind(stage.code())
        .bind(detail)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Forgets the problems of a stage that went through: of one partner, or of every partner of
/// the tenant. Writes nothing when there were none, which is nearly always.
pub async fn clear_problems(
    db: &Db,
    tenant_id: TenantId,
    partner_id: Option<i64>,
    stage: ExchangeStage,
) -> Result<(), DbError> {
    let mut query = Query::new(
        "UPDATE edi_partners SET problem_stage = NULL, problem = NULL, problem_since = NULL
         WHERE tenant_id = $1 AND problem_stage = $2",
    )
    .bind(tenant_id)
    .bind(stage.code());
    if let Some(id) = partner_id {
        query.push(" AND id = ").push_bind(id);
    }
    db.execute(&query).await?;
    Ok(())
}

/// Every active partner on the folder channel, of every tenant.
pub async fn folder_partners(db: &Db) -> Result<Vec<(TenantId, Partner)>, DbError> {
    db.fetch_all(&Query::new(format!(
        "{PARTNER_SELECT} WHERE p.channel = 'directory' AND p.active = TRUE ORDER BY p.tenant_id, p.id"
    )))
    .await?
    .iter()
    .map(|row| Ok((TenantId(row.get("tenant_id")?), read_partner(row)?)))
    .collect()
}

/// Our interchanges waiting for one partner, oldest first, with their content.
pub async fn waiting_for(
    db: &Db,
    tenant_id: TenantId,
    partner_id: i64,
) -> Result<Vec<(InterchangeSummary, Vec<u8>)>, DbError> {
    let query = Query::new(format!(
        "{} WHERE i.tenant_id = $1 AND i.partner_id = $2 AND i.direction = 'out' AND i.status = 'queued' ORDER BY i.id LIMIT 1000",
        SUMMARY_SELECT.replace(" FROM edi_interchanges i", ", i.content FROM edi_interchanges i")
    ))
    .bind(tenant_id)
    .bind(partner_id);
    db.fetch_all(&query)
        .await?
        .iter()
        .map(|row| Ok((read_summary(row)?, row.get("content")?)))
        .collect()
}

/// Where the dispatch job stopped in the tenant's order events.
pub async fn dispatch_cursor(db: &Db, tenant_id: TenantId) -> Result<i64, DbError> {
    Ok(db
        .fetch_optional(&Query::new("SELECT last_event_id FROM edi_dispatch WHERE tenant_id = $1").bind(tenant_id))
        .await?
        .map(|row| row.get("last_event_id"))
        .transpose()?
        .unwrap_or(0))
}

/// Moves the cursor from `from` to `to`; false when another server moved it first.
pub async fn advance_dispatch_cursor(tx: &mut Tx, tenant_id: TenantId, from: i64, to: i64) -> Result<bool, DbError> {
    let changed = tx
        .execute(
            &Query::new("UPDATE edi_dispatch SET last_event_id = $3 WHERE tenant_id = $1 AND last_event_id = $2")
                .bind(tenant_id)
                .bind(from)
                .bind(to),
        )
        .await?;
    Ok(changed == 1)
}

/// The GLNs an order's documents name: ours, the dealer's and its delivery location's.
pub struct OrderGlns {
    pub tenant: Option<String>,
    pub dealer: Option<String>,
    pub delivery_location: Option<String>,
}

pub async fn order_glns(db: &Db, order_id: i64) -> Result<OrderGlns, DbError> {
    let row = db
        .fetch_one(
            &Query::new(
                "SELECT t.gln AS tenant_gln, d.gln AS dealer_gln, l.gln AS location_gln
                 FROM orders o JOIN tenants t ON t.id = o.tenant_id JOIN dealers d ON d.id = o.dealer_id
                 JOIN delivery_locations l ON l.id = o.delivery_location_id WHERE o.id = $1",
            )
            .bind(order_id),
        )
        .await?;
    Ok(OrderGlns {
        tenant: row.get("tenant_gln")?,
        dealer: row.get("dealer_gln")?,
        delivery_location: row.get("location_gln")?,
    })
}

/// The GLN of the warehouse a shipment left.
pub async fn shipment_warehouse_gln(db: &Db, shipment_id: i64) -> Result<Option<String>, DbError> {
    db.fetch_one(
        &Query::new("SELECT w.gln FROM shipments s JOIN warehouses w ON w.id = s.warehouse_id WHERE s.id = $1")
            .bind(shipment_id),
    )
    .await?
    .get("gln")
}

/// The dealer's order of this number (the dealer's own, as it ordered).
pub async fn order_of_dealer(
    db: &Db,
    tenant_id: TenantId,
    dealer_id: i64,
    number: &str,
) -> Result<Option<i64>, DbError> {
    db.fetch_optional(
        &Query::new("SELECT id FROM orders WHERE tenant_id = $1 AND dealer_id = $2 AND dealer_order_number = $3")
            .bind(tenant_id)
            .bind(dealer_id)
            .bind(number),
    )
    .await?
    .map(|row| row.get("id"))
    .transpose()
}

/// The shipment of this delivery note number sent to the dealer, and its order.
pub async fn shipment_of_dealer(
    db: &Db,
    tenant_id: TenantId,
    dealer_id: i64,
    number: &str,
) -> Result<Option<(i64, i64)>, DbError> {
    db.fetch_optional(
        &Query::new("SELECT id, order_id FROM shipments WHERE tenant_id = $1 AND dealer_id = $2 AND number = $3")
            .bind(tenant_id)
            .bind(dealer_id)
            .bind(number),
    )
    .await?
    .map(|row| Ok((row.get("id")?, row.get("order_id")?)))
    .transpose()
}

/// A shipment's lines: order line number, GTIN and SKU of each.
pub async fn shipment_gtins(db: &Db, shipment_id: i64) -> Result<Vec<(i64, String, String)>, DbError> {
    db.fetch_all(
        &Query::new(
            "SELECT DISTINCT sl.order_line_number, p.gtin, p.sku FROM shipment_lines sl JOIN products p ON p.id = sl.product_id
             WHERE sl.shipment_id = $1 ORDER BY sl.order_line_number",
        )
        .bind(shipment_id),
    )
    .await?
    .iter()
    .map(|row| Ok((row.get("order_line_number")?, row.get("gtin")?, row.get("sku")?)))
    .collect()
}

/// Replaces a partner's cross-references with rows already resolved to product or location ids.
pub async fn replace_cross_references(
    tx: &mut Tx,
    tenant_id: TenantId,
    partner_id: i64,
    rows: &[(bool, String, i64)],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    tx.execute(&Query::new("DELETE FROM edi_cross_references WHERE partner_id = $1").bind(partner_id))
        .await?;
    insert_cross_references(tx, tenant_id, partner_id, rows, now).await
}

/// Adds cross-references resolved to product or location ids: (is an article, partner code, id).
pub async fn insert_cross_references(
    tx: &mut Tx,
    tenant_id: TenantId,
    partner_id: i64,
    rows: &[(bool, String, i64)],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    if rows.is_empty() {
        return Ok(());
    }
    let values: Vec<Vec<platform::db::Value>> = rows
        .iter()
        .map(|(article, code, id)| {
            vec![
                tenant_id.into(),
                partner_id.into(),
                if *article { "article" } else { "location" }.into(),
                code.as_str().into(),
                article.then_some(*id).into(),
                (!article).then_some(*id).into(),
                now.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO edi_cross_references (tenant_id, partner_id, kind, partner_code, product_id, delivery_location_id, created_at)",
        &values,
    )
    .await?;
    Ok(())
}

/// Removes a partner's cross-reference; false when there was none of that kind and code.
pub async fn delete_cross_reference(tx: &mut Tx, partner_id: i64, kind: &str, code: &str) -> Result<bool, DbError> {
    let removed = tx
        .execute(
            &Query::new("DELETE FROM edi_cross_references WHERE partner_id = $1 AND kind = $2 AND partner_code = $3")
                .bind(partner_id)
                .bind(kind)
                .bind(code),
        )
        .await?;
    Ok(removed > 0)
}

const CROSS_REFERENCE_FROM: &str = "edi_cross_references x LEFT JOIN products p ON p.id = x.product_id \
     LEFT JOIN delivery_locations l ON l.id = x.delivery_location_id";
const CROSS_REFERENCE_SELECT: &str = "SELECT x.kind, x.partner_code, p.sku, l.code AS location_code FROM \
     edi_cross_references x LEFT JOIN products p ON p.id = x.product_id \
     LEFT JOIN delivery_locations l ON l.id = x.delivery_location_id";
const CROSS_REFERENCE_ORDER: &str = "x.kind, x.partner_code";

/// The cross-reference table's sortable columns; articles first, each by the partner's code,
/// when no column is asked for.
pub const CROSS_REFERENCE_SORT: platform::SortColumns = platform::SortColumns {
    columns: &[
        platform::SortColumn::new("kind", "x.kind"),
        platform::SortColumn::new("partner_code", "x.partner_code"),
        platform::SortColumn::nullable("sku", "p.sku"),
        platform::SortColumn::nullable("location_code", "l.code"),
    ],
    default: "kind",
    tiebreaker: "x.id",
};

/// The ORDER BY of a cross-reference list: the table's own order unless a column is asked for.
fn cross_reference_order(sort: platform::Sort) -> String {
    if sort.key.is_empty() {
        CROSS_REFERENCE_ORDER.to_owned()
    } else {
        CROSS_REFERENCE_SORT.order_by(sort)
    }
}

fn read_cross_reference(row: &Row) -> Result<CrossReference, DbError> {
    Ok(CrossReference {
        kind: row.get("kind")?,
        partner_code: row.get("partner_code")?,
        sku: row.get("sku")?,
        location_code: row.get("location_code")?,
    })
}

/// `WHERE` the cross-reference is the partner's and matches the filter's search.
fn cross_reference_condition(partner_id: i64, filter: &CrossReferenceFilter) -> Query {
    let mut condition = Query::new(" WHERE x.partner_id = $1").bind(partner_id);
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = platform::db::like_contains(search);
        condition.push(" AND (");
        for (index, column) in ["x.partner_code", "p.sku", "l.code"].into_iter().enumerate() {
            if index > 0 {
                condition.push(" OR ");
            }
            condition
                .push(&format!("LOWER({column}) LIKE "))
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\'");
        }
        condition.push(")");
    }
    condition
}

/// A partner's cross-reference table under `filter`, articles first, each by the partner's
/// code, unless sorted otherwise.
pub async fn cross_references(
    db: &Db,
    partner_id: i64,
    filter: &CrossReferenceFilter,
) -> Result<Vec<CrossReference>, DbError> {
    let mut query = cross_reference_condition(partner_id, filter);
    query.prepend(CROSS_REFERENCE_SELECT);
    query.push(&format!(" ORDER BY {}", cross_reference_order(filter.sort)));
    db.fetch_all(&query).await?.iter().map(read_cross_reference).collect()
}

/// One page of a partner's cross-reference table, in the same order.
pub async fn cross_reference_page(
    db: &Db,
    partner_id: i64,
    filter: &CrossReferenceFilter,
    page: PageRequest,
) -> Result<Page<CrossReference>, DbError> {
    platform::db::fetch_page(
        db,
        CROSS_REFERENCE_FROM,
        CROSS_REFERENCE_SELECT,
        cross_reference_condition(partner_id, filter),
        &cross_reference_order(filter.sort),
        page,
        read_cross_reference,
    )
    .await
}

/// Our SKU for a partner's article number.
pub async fn cross_referenced_sku(db: &Db, partner_id: i64, code: &str) -> Result<Option<String>, DbError> {
    db.fetch_optional(
        &Query::new(
            "SELECT p.sku FROM edi_cross_references x JOIN products p ON p.id = x.product_id
             WHERE x.partner_id = $1 AND x.kind = 'article' AND x.partner_code = $2",
        )
        .bind(partner_id)
        .bind(code),
    )
    .await?
    .map(|row| row.get("sku"))
    .transpose()
}

/// The delivery location a partner's own location code stands for.
pub async fn cross_referenced_location(db: &Db, partner_id: i64, code: &str) -> Result<Option<i64>, DbError> {
    db.fetch_optional(
        &Query::new(
            "SELECT delivery_location_id FROM edi_cross_references
             WHERE partner_id = $1 AND kind = 'location' AND partner_code = $2",
        )
        .bind(partner_id)
        .bind(code),
    )
    .await?
    .map(|row| row.get("delivery_location_id"))
    .transpose()
}

/// Product ids of the tenant by SKU, and the dealer's delivery locations by code, for the
/// codes given.
pub async fn products_by_sku(db: &Db, tenant_id: TenantId, skus: &[String]) -> Result<Vec<(String, i64)>, DbError> {
    if skus.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Query::new("SELECT sku, id FROM products WHERE tenant_id = $1 AND sku IN ").bind(tenant_id);
    query.push_bind_list(skus.iter().cloned());
    db.fetch_all(&query)
        .await?
        .iter()
        .map(|row| Ok((row.get("sku")?, row.get("id")?)))
        .collect()
}

pub async fn locations_by_code(db: &Db, dealer_id: i64) -> Result<Vec<(String, i64)>, DbError> {
    db.fetch_all(&Query::new("SELECT code, id FROM delivery_locations WHERE dealer_id = $1").bind(dealer_id))
        .await?
        .iter()
        .map(|row| Ok((row.get("code")?, row.get("id")?)))
        .collect()
}

/// Links the ORDERS an order came by to the reply that answered it, the first time.
pub async fn answer_orders(tx: &mut Tx, order_id: i64, answer_interchange_id: i64) -> Result<(), DbError> {
    tx.execute(
        &Query::new(
            "UPDATE edi_messages SET answer_interchange_id = $2
             WHERE order_id = $1 AND direction = 'in' AND message_type = 'ORDERS' AND answer_interchange_id IS NULL",
        )
        .bind(order_id)
        .bind(answer_interchange_id),
    )
    .await?;
    Ok(())
}

/// Keeps a dealer's stock or sales report, replacing one sent before under the same number.
/// Lines name our product where the GTIN is one of ours. (These tables belong to the channel
/// capability once it exists; EDI is so far the only way reports arrive.)
pub async fn replace_channel_report(
    tx: &mut Tx,
    tenant_id: TenantId,
    dealer_id: i64,
    report: &crate::domain::reports::ChannelReport,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let kind = report.kind.code();
    let earlier = tx
        .fetch_optional(
            &Query::new(
                "SELECT id FROM channel_reports WHERE tenant_id = $1 AND dealer_id = $2 AND kind = $3 AND document_number = $4",
            )
            .bind(tenant_id)
            .bind(dealer_id)
            .bind(kind)
            .bind(report.document_number.as_str()),
        )
        .await?;
    if let Some(row) = earlier {
        let id: i64 = row.get("id")?;
        tx.execute(&Query::new("DELETE FROM channel_report_lines WHERE report_id = $1").bind(id))
            .await?;
        tx.execute(&Query::new("DELETE FROM channel_reports WHERE id = $1").bind(id))
            .await?;
    }
    let id: i64 = tx
        .fetch_one(
            &Query::new(
                "INSERT INTO channel_reports (tenant_id, dealer_id, kind, document_number, reported_on, received_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(tenant_id)
            .bind(dealer_id)
            .bind(kind)
            .bind(report.document_number.as_str())
            .bind(report.reported_on)
            .bind(now),
        )
        .await?
        .get("id")?;
    if report.lines.is_empty() {
        return Ok(id);
    }
    let gtins: Vec<String> = report
        .lines
        .iter()
        .filter_map(|l| line_gtin(l).map(str::to_owned))
        .collect();
    let mut known = Vec::new();
    if !gtins.is_empty() {
        let mut query = Query::new("SELECT gtin, id FROM products WHERE tenant_id = $1 AND gtin IN ").bind(tenant_id);
        query.push_bind_list(gtins.iter().cloned());
        for row in tx.fetch_all(&query).await? {
            known.push((row.get::<String>("gtin")?, row.get::<i64>("id")?));
        }
    }
    let rows: Vec<Vec<platform::db::Value>> = report
        .lines
        .iter()
        .map(|line| {
            let gtin = line_gtin(line);
            let product = gtin.and_then(|g| known.iter().find(|(k, _)| k == g).map(|(_, id)| *id));
            vec![
                tenant_id.into(),
                id.into(),
                product.into(),
                gtin.map(str::to_owned).into(),
                line.location.clone().into(),
                line.quantity.into(),
            ]
        })
        .collect();
    tx.insert_many(
        "INSERT INTO channel_report_lines (tenant_id, report_id, product_id, gtin, location, quantity)",
        &rows,
    )
    .await?;
    Ok(id)
}

fn line_gtin(line: &crate::domain::reports::ReportLine) -> Option<&str> {
    line.items.iter().find_map(|item| match item {
        crate::domain::orders::ItemId::Gtin(gtin) => Some(gtin.as_str()),
        _ => None,
    })
}

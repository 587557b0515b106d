//! The folder channel: a partner (or its EDI operator's connector) drops interchanges into
//! `in/` of its folder and picks ours up from `out/`.
//!
//! The conventions partners' tools rely on: an inbound file is read only once it has stopped
//! changing, then moved to `processed/` or `error/` beside `in/`, never deleted; an outbound
//! file is written under a temporary name and renamed when complete, named so that files sort
//! in the order they were written (UTC time and a sequence number first, then partner, message
//! type and control reference).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use platform::{Actor, Clock, DataScope, Db, DealerId, Failure, Locale, Role, TenantId};

use crate::commands;
use crate::domain::partner::{ExchangeStage, Partner};
use crate::queries::InterchangeSummary;
use crate::store;

/// A file younger than this may still be being written.
const SETTLE: Duration = Duration::from_secs(5);

/// What one pass over the folders did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Exchanged {
    pub received: usize,
    pub sent: usize,
}

/// Reads every partner's `in/` and writes our waiting interchanges to its `out/`.
pub async fn exchange(db: &Db, clock: &Clock) -> Result<Exchanged, Failure> {
    let mut done = Exchanged::default();
    for (tenant_id, partner) in store::folder_partners(db).await? {
        let Some(root) = partner.directory_path.clone().map(PathBuf::from) else {
            continue;
        };
        // A partner's folder that cannot be read or written is that partner's problem alone,
        // shown with the partner until the stage goes through.
        let received = read_inbox(db, clock, tenant_id, &partner, &root).await;
        done.received += settle(db, clock, tenant_id, &partner, ExchangeStage::Inbox, received).await?;
        let sent = write_outbox(db, clock, tenant_id, &partner, &root).await;
        done.sent += settle(db, clock, tenant_id, &partner, ExchangeStage::Outbox, sent).await?;
    }
    Ok(done)
}

/// Notes how a stage of the exchange with a partner went; how many files it moved.
async fn settle(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    stage: ExchangeStage,
    outcome: Result<usize, Failure>,
) -> Result<usize, Failure> {
    match outcome {
        Ok(files) => {
            if partner.problem.as_ref().is_some_and(|p| p.stage == stage.code()) {
                store::clear_problems(db, tenant_id, Some(partner.id), stage).await?;
            }
            Ok(files)
        }
        Err(failure) => {
            tracing::warn!(partner = partner.id, stage = stage.code(), %failure, "EDI folder");
            store::note_problem(db, partner.id, stage, &failure.to_string(), clock.now()).await?;
            Ok(0)
        }
    }
}

fn io(path: &Path, error: std::io::Error) -> Failure {
    Failure::Internal(format!("{}: {error}", path.display()))
}

/// The partner's own system, speaking for its dealer only: a file in its folder that claims to
/// come from another partner is refused.
fn partner_actor(tenant_id: TenantId, partner: &Partner) -> Actor {
    Actor {
        tenant_id,
        user_id: None,
        display_name: format!("EDI folder {}", partner.interchange_id),
        roles: vec![Role::Purchaser],
        scope: DataScope::Dealer {
            dealer_id: DealerId(partner.dealer_id),
            with_tier2: false,
        },
        locale: Locale::En,
        audience: None,
    }
}

async fn read_inbox(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    root: &Path,
) -> Result<usize, Failure> {
    let inbox = root.join("in");
    let mut entries = match tokio::fs::read_dir(&inbox).await {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(io(&inbox, error)),
    };
    let mut files = Vec::new();
    while let Some(entry) = entries.next_entry().await.map_err(|e| io(&inbox, e))? {
        let metadata = entry.metadata().await.map_err(|e| io(&entry.path(), e))?;
        let settled = metadata
            .modified()
            .ok()
            .and_then(|modified| SystemTime::now().duration_since(modified).ok())
            .is_some_and(|age| age >= SETTLE);
        let name = entry.file_name().to_string_lossy().into_owned();
        // Hidden and temporary files are the partner's, still being written.
        if metadata.is_file() && settled && !name.starts_with('.') && !name.ends_with(".tmp") {
            files.push(entry.path());
        }
    }
    files.sort();
    let actor = partner_actor(tenant_id, partner);
    let mut received = 0;
    for path in files {
        let content = match tokio::fs::read(&path).await {
            Ok(content) => content,
            // Another server took it first.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
            Err(error) => return Err(io(&path, error)),
        };
        let verdict = match commands::receive(db, clock, &actor, &content, "directory").await {
            Ok(receipt) if receipt.status == "rejected" => "error",
            Ok(receipt) if receipt.messages.iter().any(|m| m.status == "rejected") => "error",
            Ok(_) => "processed",
            Err(Failure::Forbidden) => "error",
            Err(other) => return Err(other),
        };
        move_aside(root, &path, verdict).await?;
        received += 1;
    }
    Ok(received)
}

async fn move_aside(root: &Path, path: &Path, folder: &str) -> Result<(), Failure> {
    let target = root.join(folder);
    tokio::fs::create_dir_all(&target).await.map_err(|e| io(&target, e))?;
    let Some(name) = path.file_name() else {
        return Ok(());
    };
    match tokio::fs::rename(path, target.join(name)).await {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(io(path, error)),
    }
}

async fn write_outbox(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    partner: &Partner,
    root: &Path,
) -> Result<usize, Failure> {
    let waiting = store::waiting_for(db, tenant_id, partner.id).await?;
    deliver(db, clock, tenant_id, &root.join("out"), waiting).await
}

/// Our interchanges waiting for a partner, with their content: for the command line.
pub async fn waiting_for(
    db: &Db,
    tenant_id: TenantId,
    partner_id: i64,
) -> Result<Vec<(InterchangeSummary, Vec<u8>)>, Failure> {
    Ok(store::waiting_for(db, tenant_id, partner_id).await?)
}

/// Writes interchanges into a folder, each whole (a temporary name, then renamed), and marks
/// them delivered. Returns how many.
pub async fn deliver(
    db: &Db,
    clock: &Clock,
    tenant_id: TenantId,
    folder: &Path,
    waiting: Vec<(InterchangeSummary, Vec<u8>)>,
) -> Result<usize, Failure> {
    if waiting.is_empty() {
        return Ok(0);
    }
    tokio::fs::create_dir_all(folder).await.map_err(|e| io(folder, e))?;
    let mut sent = 0;
    for (summary, content) in waiting {
        let name = format!(
            "{}-{:09}-{}-{}-{}.edi",
            summary.created_at.format("%Y%m%dT%H%M%S%.6fZ"),
            summary.id,
            safe(&summary.recipient),
            safe(&summary.message_types.join("-")),
            safe(&summary.control_reference)
        );
        let temporary = folder.join(format!(".{name}.tmp"));
        tokio::fs::write(&temporary, &content)
            .await
            .map_err(|e| io(&temporary, e))?;
        tokio::fs::rename(&temporary, folder.join(&name))
            .await
            .map_err(|e| io(&temporary, e))?;
        store::mark_delivered(db, tenant_id, summary.id, clock.now()).await?;
        sent += 1;
    }
    Ok(sent)
}

/// Keeps only what is safe in a file name everywhere.
fn safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_letters_digits_and_dashes() {
        assert_eq!(safe("4601234500005"), "4601234500005");
        assert_eq!(safe("../ORDERS/x y"), "___ORDERS_x_y");
    }
}

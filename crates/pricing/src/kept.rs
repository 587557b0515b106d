//! Copies of rows that change seldom, kept in memory per tenant from one request to the next.
//!
//! Each copy remembers the revision it was read at: a column of `tenants` that triggers move in
//! the same transaction as any change to those rows. Every use reads the revisions first (one
//! primary-key lookup for all of them, [`Revisions`]) and reads the rows again on a difference,
//! so a change made through any server is seen by the next request on every server.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, PoisonError, RwLock};

use platform::{Db, DbError, Query, Row, TenantId};

/// Every tenant's copy of a `T`, as this process last read it.
pub struct Kept<T> {
    copies: RwLock<HashMap<TenantId, Arc<T>>>,
    reading: tokio::sync::Mutex<()>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept {
            copies: RwLock::default(),
            reading: tokio::sync::Mutex::default(),
        }
    }
}

impl<T> Kept<T> {
    /// The tenant's copy when `current` says it is, or else one read afresh by `read`. Those
    /// that find theirs stale at the same moment wait for one of them to read it.
    pub async fn current_or_read<Read, Reading>(
        &self,
        tenant_id: TenantId,
        current: impl Fn(&T) -> bool,
        read: Read,
    ) -> Result<Arc<T>, DbError>
    where
        Read: FnOnce() -> Reading,
        Reading: Future<Output = Result<T, DbError>>,
    {
        if let Some(copy) = self.find(tenant_id, &current) {
            return Ok(copy);
        }
        let _reading = self.reading.lock().await;
        if let Some(copy) = self.find(tenant_id, &current) {
            return Ok(copy);
        }
        let copy = Arc::new(read().await?);
        let mut copies = self.copies.write().unwrap_or_else(PoisonError::into_inner);
        copies.insert(tenant_id, copy.clone());
        Ok(copy)
    }

    fn find(&self, tenant_id: TenantId, current: &impl Fn(&T) -> bool) -> Option<Arc<T>> {
        let copies = self.copies.read().unwrap_or_else(PoisonError::into_inner);
        copies.get(&tenant_id).filter(|copy| current(copy)).cloned()
    }
}

/// The tenant's revisions of the rows pricing keeps, read together: pricing an order or a
/// catalog page checks both copies with one lookup.
#[derive(Debug, Clone, Copy)]
pub struct Revisions {
    pub promotions: i64,
    pub price_lists: i64,
}

impl Revisions {
    /// The columns [`Revisions::from_row`] reads, for a query that names the tenant `t`: a
    /// command that reads the tenant's row anyway takes the revisions along.
    pub const COLUMNS: &'static str = "t.promotions_revision, t.price_lists_revision";

    pub async fn read(db: &Db, tenant_id: TenantId) -> Result<Revisions, DbError> {
        let row = db
            .fetch_one(&Query::new(format!("SELECT {} FROM tenants t WHERE t.id = $1", Self::COLUMNS)).bind(tenant_id))
            .await?;
        Revisions::from_row(&row)
    }

    pub fn from_row(row: &Row) -> Result<Revisions, DbError> {
        Ok(Revisions {
            promotions: row.get("promotions_revision")?,
            price_lists: row.get("price_lists_revision")?,
        })
    }
}

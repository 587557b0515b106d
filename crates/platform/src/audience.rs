//! Who a dealer is, for the rows addressed to audiences: publications, price lists, promotions
//! and announcements are meant for everyone, a dealer, its groups, its tier or its regions.

use serde::Serialize;

use crate::db::{DbError, Query, Tx};
use crate::ids::TenantId;
use crate::ids::{DealerId, RegionId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealerAudience {
    pub dealer_id: DealerId,
    pub tier: i64,
    pub group_ids: Vec<i64>,
    /// The dealer's region and every region above it, with how many levels up each is (0 = its own).
    pub regions: Vec<(RegionId, i64)>,
    /// The currency the dealer buys in.
    pub currency: String,
}

impl DealerAudience {
    /// Appends `AND (…)`: the row's audience is everyone (spelled `everyone` in that table) or
    /// names this dealer, one of its groups, its tier or one of its regions.
    pub fn restrict(&self, query: &mut Query, audience_column: &str, audience_id_column: &str, everyone: &str) {
        query
            .push(" AND (")
            .push(audience_column)
            .push(" = ")
            .push_bind(everyone);
        query
            .push(" OR (")
            .push(audience_column)
            .push(" = 'dealer' AND ")
            .push(audience_id_column)
            .push(" = ");
        query.push_bind(self.dealer_id).push(")");
        query
            .push(" OR (")
            .push(audience_column)
            .push(" = 'tier' AND ")
            .push(audience_id_column)
            .push(" = ");
        query.push_bind(self.tier).push(")");
        if !self.group_ids.is_empty() {
            query
                .push(" OR (")
                .push(audience_column)
                .push(" = 'group' AND ")
                .push(audience_id_column)
                .push(" IN ");
            query.push_bind_list(self.group_ids.iter().copied()).push(")");
        }
        if !self.regions.is_empty() {
            query
                .push(" OR (")
                .push(audience_column)
                .push(" = 'region' AND ")
                .push(audience_id_column)
                .push(" IN ");
            query.push_bind_list(self.regions.iter().map(|(id, _)| *id)).push(")");
        }
        query.push(")");
    }

    /// Whether a row meant for `audience` (`everyone` meaning all dealers) and `audience_id`
    /// reaches this dealer: [`DealerAudience::restrict`] asked of a row in memory.
    pub fn includes(&self, audience: &str, audience_id: i64, everyone: &str) -> bool {
        match audience {
            "dealer" => self.dealer_id.get() == audience_id,
            "tier" => self.tier == audience_id,
            "group" => self.group_ids.contains(&audience_id),
            "region" => self.region_distance(audience_id).is_some(),
            other => other == everyone,
        }
    }

    /// How far up the tree a region lies from the dealer's own, if it lies above it at all.
    pub fn region_distance(&self, region_id: i64) -> Option<i64> {
        self.regions
            .iter()
            .find(|(id, _)| id.get() == region_id)
            .map(|(_, distance)| *distance)
    }
}

/// Whether the dealer, group or region an audience row names belongs to the tenant; everyone
/// and tiers always exist. Publications, price lists and promotions all ask before saving.
pub async fn audience_exists(
    tx: &mut Tx,
    tenant_id: TenantId,
    audience: &str,
    audience_id: i64,
) -> Result<bool, DbError> {
    let table = match audience {
        "dealer" => "dealers",
        "group" => "dealer_groups",
        "region" => "regions",
        _ => return Ok(true),
    };
    Ok(tx
        .fetch_optional(
            &Query::new(format!("SELECT id FROM {table} WHERE tenant_id = $1 AND id = $2"))
                .bind(tenant_id)
                .bind(audience_id),
        )
        .await?
        .is_some())
}

//! Who is acting, what they may do, and which data they may see.
//!
//! Permissions are deny-by-default and decided in [`Role::grants`], the one table of who may do
//! what. Data scopes are turned into SQL in [`DataScope::restrict_dealer`] and
//! [`DataScope::restrict_region`], the one place every scoped query goes through.

use serde::{Deserialize, Serialize};

use crate::audience::DealerAudience;
use crate::db::Query;
use crate::failure::Failure;
use crate::ids::{DealerId, RegionId, TenantId, UserId};
use crate::locale::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    // The manufacturer's people.
    Administrator,
    SalesManager,
    OrderDesk,
    Warehouse,
    Finance,
    Support,
    // The dealer's people.
    DealerAdministrator,
    Purchaser,
    ReceivingClerk,
    Accountant,
}

impl Role {
    pub const INTERNAL: [Role; 6] = [
        Role::Administrator,
        Role::SalesManager,
        Role::OrderDesk,
        Role::Warehouse,
        Role::Finance,
        Role::Support,
    ];
    pub const DEALER: [Role; 4] = [
        Role::DealerAdministrator,
        Role::Purchaser,
        Role::ReceivingClerk,
        Role::Accountant,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::SalesManager => "sales_manager",
            Role::OrderDesk => "order_desk",
            Role::Warehouse => "warehouse",
            Role::Finance => "finance",
            Role::Support => "support",
            Role::DealerAdministrator => "dealer_administrator",
            Role::Purchaser => "purchaser",
            Role::ReceivingClerk => "receiving_clerk",
            Role::Accountant => "accountant",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::INTERNAL
            .into_iter()
            .chain(Role::DEALER)
            .find(|role| role.code() == code)
    }

    pub fn is_internal(self) -> bool {
        Role::INTERNAL.contains(&self)
    }

    /// The permission table. Anything not listed is denied.
    pub fn grants(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Administrator => true,
            Role::SalesManager => matches!(
                permission,
                ViewDealers
                    | ManageDealers
                    | ViewRegions
                    | ViewCatalog
                    | ViewProducts
                    | ViewPrices
                    | ViewCatalogStatistics
                    | ViewDashboard
                    | ViewOrders
                    | ReviewOrders
                    | ViewStock
                    | ViewEdi
            ),
            Role::OrderDesk => matches!(
                permission,
                ViewDealers
                    | ViewRegions
                    | ViewCatalog
                    | ViewProducts
                    | ViewPrices
                    | ViewDashboard
                    | ViewOrders
                    | ReviewOrders
                    | ViewStock
                    | ViewEdi
            ),
            Role::Finance => matches!(
                permission,
                ViewDealers
                    | ViewRegions
                    | ViewCatalog
                    | ViewProducts
                    | ViewPrices
                    | ViewDashboard
                    | ViewOrders
                    | ReleaseCreditHolds
                    | ManageCredit
            ),
            Role::Warehouse => matches!(
                permission,
                ViewDealers
                    | ViewRegions
                    | ViewCatalog
                    | ViewProducts
                    | ViewPrices
                    | ViewOrders
                    | ViewStock
                    | ManageStock
                    | ShipOrders
            ),
            Role::Support => matches!(
                permission,
                ViewDealers | ViewRegions | ViewCatalog | ViewProducts | ViewPrices | ViewOrders
            ),
            Role::DealerAdministrator => matches!(
                permission,
                ViewDealers
                    | ManageUsers
                    | ViewUsers
                    | ViewCatalog
                    | ViewOrders
                    | PlaceOrders
                    | ReceiveGoods
                    | ExchangeEdi
            ),
            // A small dealer's buyer often takes the goods in too.
            Role::Purchaser => matches!(
                permission,
                ViewDealers | ViewCatalog | ViewOrders | PlaceOrders | ReceiveGoods | ExchangeEdi
            ),
            Role::ReceivingClerk => matches!(permission, ViewDealers | ViewCatalog | ViewOrders | ReceiveGoods),
            Role::Accountant => matches!(permission, ViewDealers | ViewCatalog | ViewOrders),
        }
    }
}

/// What an actor may do; data scope then limits which rows it may do it to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    ManageTenant,
    ViewRegions,
    ManageRegions,
    ViewDealers,
    ManageDealers,
    ViewUsers,
    ManageUsers,
    ManageApiTokens,
    ViewAuditLog,
    ViewJobs,
    ManageCatalog,
    ManagePrices,
    /// See a dealer's catalog: its own for dealer users, any dealer in scope for internal users.
    ViewCatalog,
    ViewProducts,
    ViewPrices,
    ViewCatalogStatistics,
    /// See the manufacturer's dashboard: orders and their value over time, by region, dealer and
    /// product, and how long orders have waited for the order desk, of the dealers in scope.
    ViewDashboard,
    /// See orders: a dealer's own for its users, those of dealers in scope for internal users.
    ViewOrders,
    /// Carts and orders of one's own dealer.
    PlaceOrders,
    /// Confirm, partially confirm, reject and cancel orders (the order desk).
    ReviewOrders,
    ReleaseCreditHolds,
    /// Set dealers' credit limits and order amount limits.
    ManageCredit,
    ViewStock,
    /// Warehouses, receipts and adjustments of stock.
    ManageStock,
    /// Ship confirmed sales orders from a warehouse.
    ShipOrders,
    /// Record what arrived of a shipment to one's own dealer.
    ReceiveGoods,
    /// See EDI partners and the archive of interchanges (of dealers in scope).
    ViewEdi,
    /// Set up EDI partners and reprocess messages.
    ManageEdi,
    /// Post interchanges to the inbox and fetch them from the outbox: an EDI operator for any
    /// partner, a dealer's own system for its dealer.
    ExchangeEdi,
}

/// The rows an actor may see, besides its tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DataScope {
    /// Every region of the tenant.
    Tenant,
    /// The subtrees under these regions. An empty list sees nothing.
    Regions { roots: Vec<RegionId> },
    /// One dealer and, for a distributor's users where allowed, its tier-2 dealers.
    Dealer { dealer_id: DealerId, with_tier2: bool },
}

impl DataScope {
    /// Appends `AND <dealer_column> is a dealer this scope may see`.
    pub fn restrict_dealer(&self, query: &mut Query, dealer_column: &str) {
        match self {
            DataScope::Tenant => {}
            DataScope::Regions { roots } if roots.is_empty() => {
                query.push(" AND 1 = 0");
            }
            DataScope::Regions { roots } => {
                query.push(" AND ").push(dealer_column).push(
                    " IN (SELECT scoped_dealer.id FROM dealers scoped_dealer \
                     JOIN region_closure scoped_region ON scoped_region.descendant_id = scoped_dealer.region_id \
                     WHERE scoped_region.ancestor_id IN ",
                );
                query.push_bind_list(roots.iter().copied()).push(")");
            }
            DataScope::Dealer { dealer_id, with_tier2 } => {
                query
                    .push(" AND (")
                    .push(dealer_column)
                    .push(" = ")
                    .push_bind(*dealer_id);
                if *with_tier2 {
                    query
                        .push(" OR ")
                        .push(dealer_column)
                        .push(" IN (SELECT tier2.id FROM dealers tier2 WHERE tier2.parent_dealer_id = ")
                        .push_bind(*dealer_id)
                        .push(")");
                }
                query.push(")");
            }
        }
    }

    /// Appends `AND <region_column> lies in this scope`; dealers' users see no regions.
    pub fn restrict_region(&self, query: &mut Query, region_column: &str) {
        match self {
            DataScope::Tenant => {}
            DataScope::Regions { roots } if !roots.is_empty() => {
                query.push(" AND ").push(region_column).push(
                    " IN (SELECT scoped_region.descendant_id FROM region_closure scoped_region \
                     WHERE scoped_region.ancestor_id IN ",
                );
                query.push_bind_list(roots.iter().copied()).push(")");
            }
            DataScope::Regions { .. } | DataScope::Dealer { .. } => {
                query.push(" AND 1 = 0");
            }
        }
    }

    pub fn dealer_id(&self) -> Option<DealerId> {
        match self {
            DataScope::Dealer { dealer_id, .. } => Some(*dealer_id),
            _ => None,
        }
    }
}

/// The person (or integration) on whose behalf a command or query runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub tenant_id: TenantId,
    /// `None` for the system itself (jobs, command line, demo seeding).
    pub user_id: Option<UserId>,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub scope: DataScope,
    pub locale: Locale,
    /// A dealer user's own dealer as publications and prices see it, when it was read with the
    /// user (a request's sign-in reads it), so that the request need not read it again.
    pub audience: Option<DealerAudience>,
}

impl Actor {
    /// The system acting on a tenant's behalf, with every permission (jobs, command line).
    pub fn system(tenant_id: TenantId) -> Actor {
        Actor {
            tenant_id,
            user_id: None,
            display_name: "system".to_owned(),
            roles: vec![Role::Administrator],
            scope: DataScope::Tenant,
            locale: Locale::En,
            audience: None,
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.roles.iter().any(|role| role.grants(permission))
    }

    pub fn require(&self, permission: Permission) -> Result<(), Failure> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(Failure::Forbidden)
        }
    }

    pub fn is_dealer_user(&self) -> bool {
        matches!(self.scope, DataScope::Dealer { .. })
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_denied_unless_granted() {
        assert!(Role::Administrator.grants(Permission::ManageUsers));
        assert!(!Role::SalesManager.grants(Permission::ManageUsers));
        assert!(!Role::Purchaser.grants(Permission::ManageDealers));
        assert!(!Role::DealerAdministrator.grants(Permission::ViewAuditLog));
    }

    #[test]
    fn region_scope_becomes_a_subtree_condition() {
        let mut query = Query::new("SELECT id FROM dealers d WHERE d.tenant_id = $1").bind(1_i64);
        DataScope::Regions {
            roots: vec![RegionId(7), RegionId(9)],
        }
        .restrict_dealer(&mut query, "d.id");
        assert!(query.sql().ends_with("ancestor_id IN ($2, $3))"), "{}", query.sql());
        assert_eq!(query.argument_count(), 3);
    }

    #[test]
    fn an_empty_region_scope_sees_nothing() {
        let mut query = Query::new("SELECT id FROM regions r WHERE r.tenant_id = $1").bind(1_i64);
        DataScope::Regions { roots: vec![] }.restrict_region(&mut query, "r.id");
        assert!(query.sql().ends_with("AND 1 = 0"));
    }
}

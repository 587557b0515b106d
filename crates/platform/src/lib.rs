//! The kernel every capability stands on.
//!
//! Nothing here knows about HTTP. Capabilities depend on this crate; it depends on none of them.

pub mod actor;
pub mod audience;
pub mod audit;
pub mod clock;
pub mod db;
pub mod exports;
pub mod failure;
pub mod identifiers;
pub mod ids;
pub mod imports;
pub mod jobs;
pub mod locale;
pub mod mail;
pub mod messages;
pub mod money;
pub mod page;
pub mod pictures;
pub mod secret;
pub mod tree;

pub use actor::{Actor, DataScope, Permission, Role};
pub use audience::DealerAudience;
pub use clock::Clock;
pub use db::{Db, DbError, Query, Row, Tx};
pub use failure::{Failure, FieldError};
pub use identifiers::{Gln, Gtin, IdentifierError, Sscc};
pub use ids::{DealerId, RegionId, TenantId, UserId};
pub use locale::Locale;
pub use money::{Currency, Money};
pub use page::{Page, PageRequest, Sort, SortColumn, SortColumns};

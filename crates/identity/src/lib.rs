//! Identity: tenants, the region tree, dealers with their locations and contacts, users with
//! roles and data scopes, sign-in sessions and API tokens.
//!
//! `domain` holds the types and rules, `store` the SQL, `commands` and `queries` the use cases,
//! each of which checks the actor's permission and scope before touching data.

pub mod bulk;
pub mod commands;
pub mod domain;
pub mod error;
pub mod password;
pub mod queries;
mod store;

pub use error::IdentityError;

//! Pricing: price lists for an audience (everyone, a group, a tier, a region or one dealer) with
//! rows per product, minimum quantity and period; promotions; and the engines that price a
//! product, a cart or an order for a dealer from them.

pub mod commands;
pub mod domain;
pub mod engine;
mod in_force;
mod kept;
mod list_book;
pub mod promotions;
pub mod queries;
mod store;

pub use kept::Revisions;

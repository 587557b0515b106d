//! Pricing: price lists for an audience (everyone, a group, a tier, a region or one dealer) with
//! rows per product, minimum quantity and period. The engine that picks a dealer's price grows
//! here; for now lists can be created and filled.

pub mod commands;
pub mod domain;
pub mod engine;
pub mod promotions;
pub mod queries;
mod store;

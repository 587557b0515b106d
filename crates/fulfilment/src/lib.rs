//! Fulfilment: the manufacturer's warehouses and their stock.
//!
//! Stock is kept per product and warehouse as on hand and reserved, and every change of either
//! is also a row of the movement ledger, so that both can be recomputed and checked. Ordering
//! reserves and releases stock through [`stock`] inside its own transactions.

pub mod commands;
pub mod domain;
pub mod queries;
pub mod receipts;
pub mod returns;
pub mod shipments;
pub mod stock;
mod store;

//! Ordering: carts, placing orders, the order desk's decisions, and where every order stands.
//!
//! Whatever the channel (page, API, XLSX, EDI), an order enters through
//! [`commands::place_order`], with the same checks; channels translate, they never decide.

pub mod carts;
pub mod changes;
pub mod commands;
pub mod domain;
pub mod queries;
pub mod receiving;
mod recording;
pub mod report;
pub mod shipping;
mod store;

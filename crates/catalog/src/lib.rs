//! The catalog: products with SKU and GTIN, names in every language, and their categories.
//!
//! For now it holds what the platform needs (products to seed and to price); publication,
//! search and the dealer catalog grow here.

pub mod commands;
pub mod domain;
pub mod queries;
mod store;

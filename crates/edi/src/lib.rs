//! The EDI capability: EANCOM messages as plain Rust values, and back.
//!
//! This crate holds the pure domain part (no database, no I/O beyond building byte vectors):
//!
//! - [`domain::orders`] reads an ORDERS message into [`domain::orders::Orders`], collecting every
//!   application error instead of stopping at the first.
//! - [`domain::contrl`] writes the CONTRL that answers a received interchange (acceptance or
//!   rejection with the syntax error code of data element 0085) and reads the CONTRLs partners
//!   send us.
//! - [`domain::aperak`] writes the APERAK that reports application errors in a business message.
//! - [`domain::envelope`] holds what every outbound interchange needs: parties, control
//!   reference, syntax, and the EANCOM directory (D.96A for EANCOM 97, D.01B for EANCOM 2002),
//!   which comes from the partner profile and is never assumed.
//! - [`domain::errors`] is the application error shared by all of them and by the commands
//!   that will use them, with its APERAK code.
//!
//! The syntax (UNA, UNB, escaping, envelopes and their counts) is the `edifact` crate's job.

pub mod commands;
pub mod dispatch;
pub mod domain;
pub mod folders;
pub mod queries;
mod store;

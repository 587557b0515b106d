//! Pure EANCOM mapping: plain structs in, plain structs or bytes out.

pub mod aperak;
pub mod contrl;
pub mod desadv;
pub mod envelope;
pub mod errors;
pub mod ordchg;
pub mod orders;
pub mod ordrsp;
pub mod partner;
pub mod pricat;
pub mod recadv;
pub mod reports;
pub mod retann;
mod values;

#[cfg(test)]
pub(crate) mod fixtures;

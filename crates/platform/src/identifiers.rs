// TEMPORARY STUB - replaced by helper
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError { #[error("empty")] Empty, #[error("check")] CheckDigit { expected: u8, found: u8 } }
impl IdentifierError { pub fn code(&self) -> &'static str { match self { Self::Empty => "identifier.empty", Self::CheckDigit{..} => "identifier.check_digit" } } }
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Gln(String);
impl Gln { pub fn parse(s: &str) -> Result<Self, IdentifierError> { let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect(); if d.len()!=13 {return Err(IdentifierError::Empty)} let mut sum=0; for (i,x) in d[..12].iter().rev().enumerate(){ sum+= if i%2==0 {x*3} else {*x}; } let c=(10-sum%10)%10; if c!=d[12] {return Err(IdentifierError::CheckDigit{expected:c as u8,found:d[12] as u8})} Ok(Gln(s.to_owned())) } pub fn as_str(&self)->&str{&self.0} pub fn with_check_digit(body:&str)->Result<Self,IdentifierError>{ let d: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect(); let mut sum=0; for (i,x) in d.iter().rev().enumerate(){ sum+= if i%2==0 {x*3} else {*x}; } Gln::parse(&format!("{body}{}", (10-sum%10)%10)) } }
impl std::fmt::Display for Gln { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(&self.0) } }
pub type Gtin = Gln; pub type Sscc = Gln;

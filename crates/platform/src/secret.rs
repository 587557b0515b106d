//! Random secrets (session and API tokens) and their one-way digests; secrets the server must
//! read back (an SMTP password), sealed with the server's key.
//!
//! Tokens are 256 random bits, so a fast SHA-256 digest is enough to store them: unlike
//! passwords they cannot be guessed from a dictionary.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use sha2::{Digest, Sha256};

/// A fresh random token as 64 hex characters.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)?;
    Ok(hex(&bytes))
}

/// The digest under which a token is stored and looked up.
pub fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}

/// What a sealed value starts with; a stored value without it was saved before a key was set.
const SEALED: &str = "sealed:";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("the secret key must be 64 hexadecimal characters (32 random bytes)")]
    MalformedKey,
    #[error("a secret in the database is sealed: start the server with the key that sealed it")]
    NoKey,
    #[error("a secret in the database cannot be opened: it was sealed with another key, or altered")]
    CannotOpen,
    #[error("the system has no randomness to seal with")]
    NoRandomness,
    /// The cipher seals at most some 256 GB at once.
    #[error("the secret is too long to seal")]
    TooLong,
}

/// The server's key for secrets it keeps in the database and must read back, so that a copy of
/// the database (a backup, a dump) does not give them away. Every server of one database has the
/// same key. Each value is sealed with a fresh random nonce and authenticated.
pub struct SecretKey(LessSafeKey);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// The key from its 64 hexadecimal characters.
    pub fn parse(text: &str) -> Result<SecretKey, SealError> {
        let bytes = unhex(text.trim())
            .filter(|b| b.len() == 32)
            .ok_or(SealError::MalformedKey)?;
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes).map_err(|_| SealError::MalformedKey)?;
        Ok(SecretKey(LessSafeKey::new(key)))
    }

    /// `plain` sealed, as stored: `sealed:` and the hex of nonce, ciphertext and tag.
    pub fn seal(&self, plain: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::getrandom(&mut nonce).map_err(|_| SealError::NoRandomness)?;
        let mut sealed = plain.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut sealed)
            .map_err(|_| SealError::TooLong)?;
        Ok(format!("{SEALED}{}{}", hex(&nonce), hex(&sealed)))
    }

    /// The plain text of a value [`SecretKey::seal`] made.
    fn open(&self, sealed: &str) -> Result<String, SealError> {
        let bytes = unhex(sealed)
            .filter(|b| b.len() >= NONCE_LEN)
            .ok_or(SealError::CannotOpen)?;
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::CannotOpen)?;
        let mut rest = rest.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::empty(), &mut rest)
            .map_err(|_| SealError::CannotOpen)?;
        String::from_utf8(plain.to_vec()).map_err(|_| SealError::CannotOpen)
    }
}

/// What to store for a secret: sealed when the server has a key, as it is otherwise.
pub fn to_store(key: Option<&SecretKey>, plain: &str) -> Result<String, SealError> {
    match key {
        Some(key) if !plain.is_empty() => key.seal(plain),
        _ => Ok(plain.to_owned()),
    }
}

/// Whether a stored secret is sealed, rather than kept as typed.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED)
}

/// A stored secret, opened: one saved before the server had a key is read as it is.
pub fn from_store(key: Option<&SecretKey>, stored: &str) -> Result<String, SealError> {
    match (stored.strip_prefix(SEALED), key) {
        (None, _) => Ok(stored.to_owned()),
        (Some(_), None) => Err(SealError::NoKey),
        (Some(sealed), Some(key)) => key.open(sealed),
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| text.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect()
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_digests_stable() {
        let (Ok(a), Ok(b)) = (new_token(), new_token()) else {
            unreachable!("the system has randomness")
        };
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_digest("abc"), token_digest("abc"));
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(constant_time_eq("same", "same"));
        assert!(!constant_time_eq("same", "sama"));
    }

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn key(text: &str) -> SecretKey {
        SecretKey::parse(text).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn a_sealed_secret_opens_with_its_key_only_and_never_shows_its_text() {
        let ours = key(KEY);
        let sealed = to_store(Some(&ours), "s3cret пароль").unwrap_or_default();
        assert!(sealed.starts_with("sealed:") && !sealed.contains("s3cret"), "{sealed}");
        assert_ne!(
            sealed,
            to_store(Some(&ours), "s3cret пароль").unwrap_or_default(),
            "a fresh nonce each time"
        );
        assert_eq!(from_store(Some(&ours), &sealed), Ok("s3cret пароль".to_owned()));
        let other = key(&KEY.replace("1f", "ff"));
        assert_eq!(from_store(Some(&other), &sealed), Err(SealError::CannotOpen));
        assert_eq!(from_store(None, &sealed), Err(SealError::NoKey));
        // The last hex digit of the tag, changed whatever it was.
        let mut altered = sealed.clone();
        let last = if sealed.ends_with('0') { "1" } else { "0" };
        altered.replace_range(sealed.len() - 1.., last);
        assert_eq!(from_store(Some(&ours), &altered), Err(SealError::CannotOpen));
    }

    #[test]
    fn without_a_key_or_before_one_secrets_are_kept_as_they_are() {
        assert_eq!(to_store(None, "s3cret"), Ok("s3cret".to_owned()));
        assert_eq!(to_store(Some(&key(KEY)), ""), Ok(String::new()), "empty stays empty");
        assert_eq!(
            from_store(Some(&key(KEY)), "saved before"),
            Ok("saved before".to_owned())
        );
    }

    #[test]
    fn a_key_is_64_hexadecimal_characters() {
        assert!(SecretKey::parse(KEY).is_ok());
        for wrong in ["", "00", &KEY[2..], &KEY.replace('0', "g"), &format!("{KEY}00")] {
            assert_eq!(SecretKey::parse(wrong).err(), Some(SealError::MalformedKey), "{wrong}");
        }
    }
}

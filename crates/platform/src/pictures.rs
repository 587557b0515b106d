//! Pictures people upload (product pictures, photos of returned goods): recognised by their
//! signature, never by the media type the client claims.

/// The largest picture accepted.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// The media type of a PNG, JPEG or WebP picture, read from its signature.
pub fn media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() > 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::media_type;

    #[test]
    fn pictures_are_known_by_their_signature() {
        assert_eq!(media_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(media_type(b"\xFF\xD8\xFF\xE0...."), Some("image/jpeg"));
        assert_eq!(media_type(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(media_type(b"<svg xmlns=..."), None);
    }
}

//! Finding the few service characters in an interchange eight bytes at a time.
//!
//! Values are short (a GTIN, a quantity, a qualifier), so what a search costs per call matters
//! as much as what it costs per byte: one 64-bit word answers for eight bytes at once and holds
//! every match among them, so the separators of a segment like `QTY+21:5:PCE` come out of one
//! or two words without looking at any byte twice. Safe Rust has no portable vector
//! instructions; words of a `u64` are enough here.

/// The low seven bits of every byte.
const LOW_BITS: u64 = 0x7F7F_7F7F_7F7F_7F7F;
/// One in every byte, to repeat a byte across a word.
const ONES: u64 = 0x0101_0101_0101_0101;

/// A few bytes to look for. Absent ones (no release character, no repetition separator) are
/// given as a repeat of one that is there, which costs nothing in the result.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ByteSet<const N: usize> {
    repeated: [u64; N],
}

impl<const N: usize> ByteSet<N> {
    pub(crate) fn new(bytes: [u8; N]) -> Self {
        ByteSet {
            repeated: bytes.map(|byte| ONES * u64::from(byte)),
        }
    }

    /// The high bit of every byte of `word` that is one of the set, and no other bit.
    #[inline]
    fn matches(&self, word: u64) -> u64 {
        // A byte of `word ^ repeated` is zero exactly where it matches; adding LOW_BITS to its
        // low seven bits sets its high bit unless they are all zero, and cannot carry into the
        // next byte. A byte that is zero for any member of the set ends up with a clear high bit.
        let mut differs_from_all = u64::MAX;
        for repeated in self.repeated {
            let difference = word ^ repeated;
            differs_from_all &= ((difference & LOW_BITS) + LOW_BITS) | difference;
        }
        !(differs_from_all | LOW_BITS)
    }

    /// The matches among the eight bytes of `haystack` from `at` on (fewer at the end), as in
    /// [`ByteSet::matches`]: the byte at `at + i` matched if bit `8 * i + 7` is set.
    #[inline]
    pub(crate) fn matches_at(&self, haystack: &[u8], at: usize) -> u64 {
        if let Some(chunk) = haystack.get(at..at + 8) {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            return self.matches(u64::from_le_bytes(word));
        }
        let rest = haystack.len().saturating_sub(at);
        if rest == 0 {
            return 0;
        }
        // Fewer than eight bytes are left: the last eight of the haystack, shifted so that the
        // byte at `at` comes first, or when there are not eight, the few there are one by one.
        let last = haystack.len().saturating_sub(8);
        let word = match haystack.get(last..).filter(|chunk| chunk.len() == 8) {
            Some(chunk) => {
                let mut word = [0; 8];
                word.copy_from_slice(chunk);
                u64::from_le_bytes(word) >> (8 * (at - last))
            }
            None => haystack
                .iter()
                .skip(at)
                .rev()
                .fold(0, |word, &byte| word << 8 | u64::from(byte)),
        };
        // The zero bytes that fill the word up are not input, whatever the set holds.
        self.matches(word) & (u64::MAX >> (64 - 8 * rest))
    }

    /// The position of the first byte of the set in `haystack` at or after `from`.
    #[inline]
    pub(crate) fn find(&self, haystack: &[u8], from: usize) -> Option<usize> {
        let mut at = from;
        while at < haystack.len() {
            let found = self.matches_at(haystack, at);
            if found != 0 {
                return Some(at + lane(found));
            }
            at += 8;
        }
        None
    }
}

/// The byte position within its word of the lowest match in `matches`, which is not zero.
#[inline]
pub(crate) fn lane(matches: u64) -> usize {
    (matches.trailing_zeros() / 8) as usize
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn naive(haystack: &[u8], from: usize, set: &[u8]) -> Option<usize> {
        (from..haystack.len()).find(|&index| set.contains(&haystack[index]))
    }

    #[test]
    fn finds_what_a_byte_by_byte_search_finds() {
        let sets: [[u8; 3]; 4] = [*b"+:'", [0x1C, 0x1D, 0x1F], [0x00, 0x80, 0xFF], *b"??'"];
        let haystacks: [&[u8]; 5] = [
            b"",
            b"QTY+21:5:PCE",
            b"a long run of data with nothing in it at all, then: this",
            &[0x7F, 0x80, 0x81, 0xFE, 0xFF, 0x00, 0x01, 0x1C, 0x1D],
            &[0xA0; 23],
        ];
        for set in sets {
            let search = ByteSet::new(set);
            for haystack in haystacks {
                for from in 0..=haystack.len() + 1 {
                    assert_eq!(
                        search.find(haystack, from),
                        naive(haystack, from, &set),
                        "{set:?} in {haystack:?} from {from}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_byte_value_matches_only_itself() {
        for wanted in 0..=255_u8 {
            let search = ByteSet::new([wanted]);
            let haystack: Vec<u8> = (0..=255).collect();
            assert_eq!(search.find(&haystack, 0), Some(usize::from(wanted)));
            let others: Vec<u8> = (0..=255).filter(|&byte| byte != wanted).collect();
            assert_eq!(search.find(&others, 0), None);
        }
    }

    #[test]
    fn a_word_reports_all_its_matches_and_nothing_past_the_end() {
        let search = ByteSet::new([b'+', b':']);
        let found = search.matches_at(b"QTY+21:5:PCE", 0);
        let lanes: Vec<usize> = (0..8).filter(|lane| found >> (8 * lane + 7) & 1 == 1).collect();
        assert_eq!(lanes, [3, 6]);
        let zero = ByteSet::new([0]);
        assert_eq!(zero.matches_at(b"ab", 0), 0, "the filling is not matched");
        assert_eq!(zero.matches_at(b"ab", 2), 0);
    }
}

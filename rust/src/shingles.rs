//! Text to word shingles as 64-bit hashes, the same hashes as cleaner's numpy implementation gave (the index
//! keeps signatures made from them).
//!
//! The caller folds case (NFKC and lower case where needed) and encodes with surrogates passed; it also says what
//! each non-ASCII code point is (`Describe`), from Python's own Unicode tables. Words are the runs of word
//! characters; a character of an unspaced script (CJK, kana, Thai...) is a word of its own. A word's hash is a
//! polynomial of its bytes, mixed; a shingle's hash combines `k` consecutive word hashes, mixed.

use crate::mix::mix;
use crate::text::code_points;

/// What the caller's table says of a code point: its class in the low two bits, and whether case folding or NFKC
/// may change a word it is part of.
pub const KIND_BITS: u8 = 3;
pub const CASED: u8 = 4;
pub const UNSTABLE: u8 = 8;
pub const NON_WORD: u8 = 0;
pub const WORD: u8 = 1;
pub const OWN_WORD: u8 = 2;

const BYTE_BASE: u64 = 0x0100_0000_01B3;
const WORD_BASE: u64 = 0x9E37_79B9_7F4A_7C15;
const LENGTH: u64 = 0xC2B2_AE3D_27D4_EB4F;
const DIGEST_BASES: [u64; 2] = [0xA076_1D64_78BD_642F, 0xE703_7ED1_A0B4_28DB];

/// The flags of a non-ASCII code point (see the constants above).
pub trait Describe {
    type Error;
    fn flags(&mut self, point: u32) -> Result<u8, Self::Error>;
}

fn ascii_word(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit()
}

/// The byte spans (start, end exclusive) of the words of a folded text.
pub fn word_spans<D: Describe>(data: &[u8], describe: &mut D) -> Result<Vec<(usize, usize)>, D::Error> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    for point in code_points(data) {
        let kind = if point.value < 0x80 {
            if ascii_word(point.value as u8) {
                WORD
            } else {
                NON_WORD
            }
        } else {
            describe.flags(point.value)? & KIND_BITS
        };
        match kind {
            WORD => {
                start.get_or_insert(point.at);
            }
            OWN_WORD => {
                if let Some(begun) = start.take() {
                    spans.push((begun, point.at));
                }
                spans.push((point.at, point.at + point.len));
            }
            _ => {
                if let Some(begun) = start.take() {
                    spans.push((begun, point.at));
                }
            }
        }
    }
    if let Some(begun) = start {
        spans.push((begun, data.len()));
    }
    Ok(spans)
}

/// Whether the text has a non-ASCII character that case folding or NFKC may change: only ASCII letters were
/// lowered, so the caller must fold it in full.
pub fn needs_folding<D: Describe>(data: &[u8], describe: &mut D) -> Result<bool, D::Error> {
    for point in code_points(data) {
        if point.value >= 0x80 && describe.flags(point.value)? & (CASED | UNSTABLE) != 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One hash per word: the polynomial of its bytes in BYTE_BASE (modulo 2**64) plus its length, mixed.
pub fn word_hashes(data: &[u8], spans: &[(usize, usize)]) -> Vec<u64> {
    spans
        .iter()
        .map(|&(start, end)| {
            let (mut sum, mut power) = (0u64, 1u64);
            for &byte in &data[start..end] {
                sum = sum.wrapping_add(u64::from(byte).wrapping_mul(power));
                power = power.wrapping_mul(BYTE_BASE);
            }
            mix(sum.wrapping_add(((end - start) as u64).wrapping_mul(LENGTH)))
        })
        .collect()
}

/// The hash of each run of `k` consecutive words (a text shorter than `k` words is one shingle of them all).
pub fn shingle_hashes(words: &[u64], k: usize) -> Vec<u64> {
    if words.is_empty() {
        return Vec::new();
    }
    let k = k.clamp(1, words.len());
    words
        .windows(k)
        .map(|window| mix(window.iter().fold(0u64, |sum, &word| sum.wrapping_mul(WORD_BASE).wrapping_add(word))))
        .collect()
}

/// A 16-byte digest of a text's sequence of words (equal digests, equal normalised texts): two polynomial hashes
/// of the word hashes, each mixed with the count, little-endian one after the other.
pub fn digest(words: &[u64]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (lane, base) in DIGEST_BASES.iter().enumerate() {
        let (mut sum, mut power) = (0u64, 1u64);
        for &word in words {
            sum = sum.wrapping_add(word.wrapping_mul(power));
            power = power.wrapping_mul(*base);
        }
        let value = mix(sum.wrapping_add((words.len() as u64).wrapping_mul(LENGTH)).wrapping_add(*base));
        out[8 * lane..8 * lane + 8].copy_from_slice(&value.to_le_bytes());
    }
    out
}

/// One text's shingles and counts.
pub struct Shingled {
    pub hashes: Vec<u64>,
    pub words: usize,
    pub exact: [u8; 16],
}

pub fn shingle<D: Describe>(data: &[u8], k: usize, describe: &mut D) -> Result<Shingled, D::Error> {
    let spans = word_spans(data, describe)?;
    let words = word_hashes(data, &spans);
    Ok(Shingled { hashes: shingle_hashes(&words, k), words: words.len(), exact: digest(&words) })
}

/// The count of distinct shingles of a text as dedup has always estimated it: distinct top `bits` bits of the
/// hashes, `bits` set by the number of texts shingled together (see `distinct_bits`).
pub fn distinct(hashes: &[u64], bits: u32) -> usize {
    let mut tops: Vec<u64> = hashes.iter().map(|hash| hash >> (64 - bits)).collect();
    tops.sort_unstable();
    tops.dedup();
    tops.len()
}

/// The hash bits `distinct` compares in a batch of `texts` texts: the numpy implementation sorted (text, top
/// bits) keys of 64 bits, or of 32 bits for batches of up to 256 texts.
pub fn distinct_bits(texts: usize) -> u32 {
    let bit_length = if texts > 1 { (texts - 1).ilog2() + 1 } else { 0 };
    let bits = 64 - bit_length.max(1);
    if bits >= 56 {
        bits - 32
    } else {
        bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of a few non-ASCII characters, as Python describes them.
    struct Table;
    impl Describe for Table {
        type Error = ();
        fn flags(&mut self, point: u32) -> Result<u8, ()> {
            Ok(match point {
                0xE9 => WORD,                // é
                0xC9 => WORD | CASED,        // É
                0x4E2D | 0x6587 => OWN_WORD, // 中 文
                0x2014 => NON_WORD,          // —
                _ => NON_WORD | UNSTABLE,
            })
        }
    }

    fn words(text: &str) -> Vec<&str> {
        word_spans(text.as_bytes(), &mut Table).unwrap().iter().map(|&(a, b)| &text[a..b]).collect()
    }

    #[test]
    fn words_are_runs_of_word_characters_and_unspaced_characters_alone() {
        assert_eq!(words("caf\u{e9}, 42 \u{2014} x"), ["caf\u{e9}", "42", "x"]);
        assert_eq!(words("ab\u{4e2d}\u{6587}cd"), ["ab", "\u{4e2d}", "\u{6587}", "cd"]);
        assert_eq!(words("A-b"), ["b"]); // upper-case ASCII is folded by the caller first
        assert!(words("").is_empty());
    }

    #[test]
    fn folding_is_needed_for_cased_or_unstable_characters_only() {
        assert!(!needs_folding("caf\u{e9}".as_bytes(), &mut Table).unwrap());
        assert!(needs_folding("\u{c9}t\u{e9}".as_bytes(), &mut Table).unwrap());
        assert!(!needs_folding(b"ABC", &mut Table).unwrap()); // ASCII: lowered by the caller
    }

    #[test]
    fn short_texts_are_one_shingle_and_windows_slide_by_one() {
        let words = [1, 2, 3];
        assert_eq!(shingle_hashes(&words, 5).len(), 1);
        assert_eq!(shingle_hashes(&words, 5), shingle_hashes(&words, 3));
        assert_eq!(shingle_hashes(&words, 2).len(), 2);
        assert_eq!(shingle_hashes(&words, 2)[1], shingle_hashes(&words[1..], 2)[0]);
        assert!(shingle_hashes(&[], 3).is_empty());
    }

    #[test]
    fn the_digest_follows_the_words_and_their_order() {
        assert_ne!(digest(&[1, 2]), digest(&[2, 1]));
        assert_ne!(digest(&[]), digest(&[0]));
        assert_eq!(digest(&[7, 8]), digest(&[7, 8]));
    }

    #[test]
    fn distinct_bits_as_the_batch_keys_had_them() {
        // 64 - max(1, (texts - 1).bit_length()), less 32 when that leaves 56 or more
        assert_eq!(distinct_bits(1), 31);
        assert_eq!(distinct_bits(2), 31);
        assert_eq!(distinct_bits(3), 30);
        assert_eq!(distinct_bits(256), 24);
        assert_eq!(distinct_bits(257), 55);
        assert_eq!(distinct(&[1 << 40, (1 << 40) + 1, 3 << 40], 31), 2);
    }
}

//! Code points of the UTF-8 that Python hands over with `encode("utf-8", "surrogatepass")`: well-formed UTF-8 in
//! which a lone surrogate (a JSON input may carry one) is the three bytes it would be if it were a character.
//! Rust's `str` refuses such bytes, so the core reads code points from the bytes itself.

/// One code point and the byte it starts at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodePoint {
    pub at: usize,
    pub len: usize,
    pub value: u32,
}

/// The code points of `bytes`, decoded from each lead byte and the continuation bytes after it (a byte that is
/// neither ASCII nor a lead counts as a one-byte code point of its own value: Python never sends one).
pub fn code_points(bytes: &[u8]) -> impl Iterator<Item = CodePoint> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let lead = *bytes.get(at)?;
        let (len, initial) = match lead {
            0x00..=0x7F => (1, u32::from(lead)),
            0xC0..=0xDF => (2, u32::from(lead & 0x1F)),
            0xE0..=0xEF => (3, u32::from(lead & 0x0F)),
            0xF0..=0xFF => (4, u32::from(lead & 0x07)),
            _ => (1, u32::from(lead)),
        };
        let len = len.min(bytes.len() - at);
        let value = bytes[at + 1..at + len].iter().fold(initial, |code, byte| (code << 6) | u32::from(byte & 0x3F));
        let point = CodePoint { at, len, value: value.min(0x10FFFF) };
        at += len;
        Some(point)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_characters_of_every_length_and_lone_surrogates() {
        let text = "a\u{e9}\u{20ac}\u{1F600}";
        let values: Vec<u32> = code_points(text.as_bytes()).map(|point| point.value).collect();
        assert_eq!(values, vec![0x61, 0xE9, 0x20AC, 0x1F600]);
        let starts: Vec<usize> = code_points(text.as_bytes()).map(|point| point.at).collect();
        assert_eq!(starts, vec![0, 1, 3, 6]);
        // U+D800 as Python's surrogatepass writes it
        let lone: Vec<u32> = code_points(&[0xED, 0xA0, 0x80, b'x']).map(|point| point.value).collect();
        assert_eq!(lone, vec![0xD800, 0x78]);
    }
}

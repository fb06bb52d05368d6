//! One-permutation MinHash with optimal densification, the same signatures as cleaner's numpy implementation.
//!
//! Each shingle hash, salted and mixed, goes to one of `width` bins by its top 32 bits (range reduction) and
//! offers its low 32 bits to that bin's minimum. A bin that no shingle reached takes the value of the first
//! filled bin along its own probe sequence (fixed by the seed, drawn by the caller), or, when none of those is
//! filled, of the next filled bin to its right.
//!
//! Each bin also keeps where its minimum stands: the index in the text's order of the first shingle that gives it
//! (the word that shingle starts at), capped at FAR; a bin that borrows a value borrows its position too.

use crate::mix::mix;

pub const EMPTY_VALUE: u32 = u32::MAX;
/// The position of a bin no shingle reached, and the cap of every position.
pub const FAR: u16 = u16::MAX;

pub struct MinHasher {
    pub width: usize,
    salt: u64,
    /// `probes[bin * depth..(bin + 1) * depth]`: the bins that bin borrows from, in order.
    probes: Vec<u32>,
    depth: usize,
}

impl MinHasher {
    pub fn new(width: usize, salt: u64, probes: Vec<u32>) -> Result<Self, String> {
        if width == 0 || !probes.len().is_multiple_of(width) || probes.iter().any(|&probe| probe as usize >= width) {
            return Err(format!("{} probes do not fit {width} bins", probes.len()));
        }
        let depth = probes.len() / width;
        Ok(MinHasher { width, salt, probes, depth })
    }

    /// The signature of one text's shingle hashes (in the text's order), written to `out` (`width` values: all
    /// EMPTY_VALUE for a text without shingles), and where each bin's minimum stands, written to `positions`.
    pub fn signature(&self, hashes: &[u64], out: &mut [u32], positions: &mut [u16]) {
        let width = self.width;
        out.fill(EMPTY_VALUE);
        positions.fill(FAR);
        let mut filled = vec![false; width];
        let placed: Vec<(usize, u32)> = hashes
            .iter()
            .map(|&hash| {
                let mixed = mix(hash ^ self.salt);
                ((((mixed >> 32) * width as u64) >> 32) as usize, mixed as u32)
            })
            .collect();
        for &(bin, value) in &placed {
            out[bin] = out[bin].min(value);
            filled[bin] = true;
        }
        for (place, &(bin, value)) in placed.iter().enumerate() {
            if value == out[bin] && positions[bin] == FAR {
                positions[bin] = place.min(usize::from(FAR)) as u16;
            }
        }
        if !filled.iter().any(|&full| full) {
            return;
        }
        for bin in (0..width).filter(|&bin| !filled[bin]) {
            let probes = &self.probes[bin * self.depth..(bin + 1) * self.depth];
            let donor = match probes.iter().find(|&&probe| filled[probe as usize]) {
                Some(&probe) => probe as usize,
                None => (1..=width).map(|step| (bin + step) % width).find(|&other| filled[other]).unwrap_or(bin),
            };
            // a donor is a filled bin, never a hole filled before it: its value and position are its own
            out[bin] = out[donor];
            positions[bin] = positions[donor];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher(width: usize) -> MinHasher {
        let probes = (0..width * 4).map(|i| ((i * 7 + 3) % width) as u32).collect();
        MinHasher::new(width, 0x1234, probes).unwrap()
    }

    #[test]
    fn empty_text_has_the_empty_signature_and_others_are_densified() {
        let minhash = hasher(16);
        let (mut out, mut positions) = (vec![0; 16], vec![0; 16]);
        minhash.signature(&[], &mut out, &mut positions);
        assert!(out.iter().all(|&value| value == EMPTY_VALUE));
        assert!(positions.iter().all(|&position| position == FAR));
        // one shingle fills every bin, at the text's first word
        minhash.signature(&[42], &mut out, &mut positions);
        assert!(out.iter().all(|&value| value == out[0] && value != EMPTY_VALUE));
        assert!(positions.iter().all(|&position| position == 0));
    }

    #[test]
    fn each_bin_keeps_its_minimum_whatever_the_order() {
        let minhash = hasher(8);
        let hashes: Vec<u64> = (0..100).map(mix).collect();
        let (mut forward, mut backward, mut positions) = (vec![0; 8], vec![0; 8], vec![0; 8]);
        minhash.signature(&hashes, &mut forward, &mut positions);
        let reversed: Vec<u64> = hashes.iter().rev().copied().collect();
        let mut reversed_positions = vec![0; 8];
        minhash.signature(&reversed, &mut backward, &mut reversed_positions);
        assert_eq!(forward, backward);
        // the same shingle, at the mirrored place
        for (position, reversed) in positions.iter().zip(&reversed_positions) {
            assert_eq!(usize::from(*position), 99 - usize::from(*reversed));
        }
    }

    #[test]
    fn a_minimum_stands_where_it_first_occurs_and_positions_saturate() {
        let minhash = hasher(1);
        let (mut out, mut positions) = (vec![0; 1], vec![0; 1]);
        let hashes: Vec<u64> = (0..70_000).map(|i| if i % 3 == 0 { 7 } else { 1_000_000 + i }).collect();
        minhash.signature(&hashes, &mut out, &mut positions);
        let smallest = hashes.iter().map(|&hash| mix(hash ^ 0x1234) as u32).min().unwrap();
        let first = hashes.iter().position(|&hash| mix(hash ^ 0x1234) as u32 == smallest).unwrap();
        assert_eq!(positions[0] as usize, first.min(usize::from(FAR)));
        let late: Vec<u64> = (0..70_000).map(|i| if i == 69_999 { 7 } else { 8 }).collect();
        let value = |hash: u64| mix(hash ^ 0x1234) as u32;
        minhash.signature(&late, &mut out, &mut positions);
        let expected = if value(7) < value(8) { FAR } else { 0 };
        assert_eq!(positions[0], expected);
    }

    #[test]
    fn probes_outside_the_bins_are_refused() {
        assert!(MinHasher::new(4, 0, vec![0, 1, 2, 4]).is_err());
        assert!(MinHasher::new(4, 0, vec![0, 1, 2]).is_err());
    }
}

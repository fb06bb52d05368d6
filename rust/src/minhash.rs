//! One-permutation MinHash with optimal densification, the same signatures as cleaner's numpy implementation.
//!
//! Each shingle hash, salted and mixed, goes to one of `width` bins by its top 32 bits (range reduction) and
//! offers its low 32 bits to that bin's minimum. A bin that no shingle reached takes the value of the first
//! filled bin along its own probe sequence (fixed by the seed, drawn by the caller), or, when none of those is
//! filled, of the next filled bin to its right.

use crate::mix::mix;

pub const EMPTY_VALUE: u32 = u32::MAX;

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

    /// The signature of one text's shingle hashes, written to `out` (`width` values): all EMPTY_VALUE for a
    /// text without shingles.
    pub fn signature(&self, hashes: &[u64], out: &mut [u32]) {
        let width = self.width;
        out.fill(EMPTY_VALUE);
        let mut filled = vec![false; width];
        for &hash in hashes {
            let mixed = mix(hash ^ self.salt);
            let bin = (((mixed >> 32) * width as u64) >> 32) as usize;
            out[bin] = out[bin].min(mixed as u32);
            filled[bin] = true;
        }
        if !filled.iter().any(|&full| full) {
            return;
        }
        let original = out.to_vec();
        for bin in (0..width).filter(|&bin| !filled[bin]) {
            let probes = &self.probes[bin * self.depth..(bin + 1) * self.depth];
            let source = match probes.iter().find(|&&probe| filled[probe as usize]) {
                Some(&probe) => probe as usize,
                None => (1..=width).map(|step| (bin + step) % width).find(|&other| filled[other]).unwrap_or(bin),
            };
            out[bin] = original[source];
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
        let mut out = vec![0; 16];
        minhash.signature(&[], &mut out);
        assert!(out.iter().all(|&value| value == EMPTY_VALUE));
        minhash.signature(&[42], &mut out);
        assert!(out.iter().all(|&value| value == out[0] && value != EMPTY_VALUE));
        // one shingle fills every bin
    }

    #[test]
    fn each_bin_keeps_its_minimum_whatever_the_order() {
        let minhash = hasher(8);
        let hashes: Vec<u64> = (0..100).map(mix).collect();
        let (mut forward, mut backward) = (vec![0; 8], vec![0; 8]);
        minhash.signature(&hashes, &mut forward);
        let reversed: Vec<u64> = hashes.iter().rev().copied().collect();
        minhash.signature(&reversed, &mut backward);
        assert_eq!(forward, backward);
    }

    #[test]
    fn probes_outside_the_bins_are_refused() {
        assert!(MinHasher::new(4, 0, vec![0, 1, 2, 4]).is_err());
        assert!(MinHasher::new(4, 0, vec![0, 1, 2]).is_err());
    }
}

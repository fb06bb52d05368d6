//! splitmix64's finaliser: spreads every input bit over the whole word (arithmetic wraps modulo 2**64).

pub fn mix(value: u64) -> u64 {
    let mut x = value ^ (value >> 30);
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::mix;

    #[test]
    fn is_splitmix64s_finaliser() {
        // splitmix64's first output for seed 0 is mix(0x9E3779B97F4A7C15)
        assert_eq!(mix(0x9E37_79B9_7F4A_7C15), 0xE220_A839_7B1D_CDAF);
        assert_eq!(mix(0), 0);
    }
}

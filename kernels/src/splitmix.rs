//! SplitMix64, the small seeded random generator used for reproducible weight initialisation.

/// A tiny, well-mixed PRNG (Steele et al.'s SplitMix64): reproducible weights with no `rand`
/// dependency in a crate compiled into the browser client.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[-limit, limit)`.
    pub fn uniform(&mut self, limit: f64) -> f32 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ((unit * 2.0 - 1.0) * limit) as f32
    }
}

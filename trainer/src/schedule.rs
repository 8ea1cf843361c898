//! The learning-rate schedule: a short linear warm-up, then cosine decay to a small floor.

/// Learning rate over the whole run, indexed by optimiser step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// Rate reached at the end of warm-up.
    pub peak: f32,
    /// Rate at the last step, as a fraction of `peak`.
    pub final_fraction: f32,
    /// Steps of linear warm-up from `peak / warmup` to `peak`.
    pub warmup: usize,
    /// Total steps of the run.
    pub total: usize,
}

impl Schedule {
    /// The learning rate for optimiser step `step` (0-based).
    pub fn rate(&self, step: usize) -> f32 {
        if step < self.warmup {
            return self.peak * (step + 1) as f32 / self.warmup as f32;
        }
        let span = self.total.saturating_sub(self.warmup).max(1);
        let progress = ((step - self.warmup) as f32 / span as f32).min(1.0);
        let floor = self.peak * self.final_fraction;
        floor + (self.peak - floor) * 0.5 * (1.0 + (std::f32::consts::PI * progress).cos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warms_up_then_decays_to_the_floor() {
        let s = Schedule {
            peak: 1e-2,
            final_fraction: 0.05,
            warmup: 10,
            total: 110,
        };
        assert!((s.rate(0) - 1e-3).abs() < 1e-7);
        assert!((s.rate(9) - 1e-2).abs() < 1e-7);
        assert!((s.rate(10) - 1e-2).abs() < 1e-7);
        assert!(s.rate(60) < s.rate(30));
        assert!((s.rate(110) - 5e-4).abs() < 1e-6);
        assert!((s.rate(1000) - 5e-4).abs() < 1e-6);
    }
}

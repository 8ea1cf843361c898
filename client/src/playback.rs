//! Playback arithmetic shared by every animation: stepping, scrubbing, speeds, and the mapping
//! between a step and the output pixel it stands for.

/// Speeds offered in the speed control, in milliseconds per step (slow to fast).
pub const SPEEDS_MS: [u16; 7] = [1000, 500, 250, 100, 50, 20, 8];

/// The step after `step`, staying on the last of `steps`.
pub fn forward(step: u32, steps: u32) -> u32 {
    clamp(step.saturating_add(1), steps)
}

/// The step before `step`, staying on the first.
pub fn back(step: u32, steps: u32) -> u32 {
    clamp(step.saturating_sub(1), steps)
}

/// `step` limited to the animation's `steps` (0 when there are none).
pub fn clamp(step: u32, steps: u32) -> u32 {
    step.min(steps.saturating_sub(1))
}

/// The step to start from when play is pressed: from the start again if it had finished.
pub fn play_from(step: u32, steps: u32) -> u32 {
    if steps > 0 && step + 1 >= steps { 0 } else { step }
}

/// The output pixel `(y, x)` a step stands for, in a map `width` pixels wide (row-major sweep).
pub fn pixel(step: u32, width: usize) -> (usize, usize) {
    let width = width.max(1);
    (step as usize / width, step as usize % width)
}

/// The step that stands for output pixel `(y, x)` in a map `width` pixels wide.
pub fn step_of(y: usize, x: usize, width: usize) -> u32 {
    (y * width + x) as u32
}

/// Index into [`SPEEDS_MS`] closest to `step_ms` (for the speed control's position).
pub fn speed_index(step_ms: u16) -> usize {
    SPEEDS_MS
        .iter()
        .enumerate()
        .min_by_key(|(_, ms)| ms.abs_diff(step_ms))
        .map(|(i, _)| i)
        .unwrap_or(0)
}

/// The speed control's text for `step_ms` per step, e.g. `1 step/s` or `4 steps/s`.
pub fn speed_label(step_ms: u16) -> String {
    let rate = 1000 / u32::from(step_ms.max(1));
    if rate == 1 {
        "1 step/s".to_owned()
    } else {
        format!("{rate} steps/s")
    }
}

/// How long a full sweep of `steps` takes at `step_ms`, as e.g. `"16 min 1 s"` or `"38 s"`.
pub fn sweep_duration(steps: u32, step_ms: u16) -> String {
    let total_s = (u64::from(steps) * u64::from(step_ms)).div_ceil(1000);
    if total_s >= 60 {
        format!("{} min {} s", total_s / 60, total_s % 60)
    } else {
        format!("{total_s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_stays_in_range() {
        assert_eq!(forward(0, 10), 1);
        assert_eq!(forward(9, 10), 9);
        assert_eq!(back(0, 10), 0);
        assert_eq!(back(5, 10), 4);
        assert_eq!(forward(0, 0), 0);
        assert_eq!(clamp(400, 10), 9);
    }

    #[test]
    fn play_restarts_a_finished_animation() {
        assert_eq!(play_from(9, 10), 0);
        assert_eq!(play_from(4, 10), 4);
        assert_eq!(play_from(0, 0), 0);
    }

    #[test]
    fn pixel_and_step_are_inverse() {
        for step in [0, 1, 61, 62, 3843] {
            let (y, x) = pixel(step, 62);
            assert!(x < 62);
            assert_eq!(step_of(y, x, 62), step);
        }
        assert_eq!(pixel(63, 62), (1, 1));
    }

    #[test]
    fn speed_index_picks_the_nearest_preset() {
        assert_eq!(SPEEDS_MS[speed_index(250)], 250);
        assert_eq!(SPEEDS_MS[speed_index(240)], 250);
        assert_eq!(SPEEDS_MS[speed_index(1)], 8);
        assert_eq!(SPEEDS_MS[speed_index(60000)], 1000);
    }

    #[test]
    fn one_step_per_second_is_singular() {
        assert_eq!(speed_label(1000), "1 step/s");
        assert_eq!(speed_label(250), "4 steps/s");
        assert_eq!(speed_label(8), "125 steps/s");
    }

    #[test]
    fn sweep_duration_reads_naturally() {
        // The reference tool's full conv_1_1 sweep: 62×62 steps at 250 ms.
        assert_eq!(sweep_duration(62 * 62, 250), "16 min 1 s");
        assert_eq!(sweep_duration(62 * 62, 8), "31 s");
    }
}

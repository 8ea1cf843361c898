//! Performance probes injected into the page: when the app became ready (relative to the start
//! of navigation), and how long animation frames take while something plays.

use anyhow::{Context, Result};
use serde_json::Value;

use crate::browser::Browser;

/// Records `window.__readyAt` (ms since navigation start) the moment the app root gets
/// `data-ready="true"`. Install with [`Browser::add_init_script`] before navigating.
pub const READY_PROBE: &str = r#"
(() => {
  const mark = () => {
    if (window.__readyAt === undefined &&
        document.querySelector('[data-testid="app"][data-ready="true"]')) {
      window.__readyAt = performance.now();
    }
    return window.__readyAt !== undefined;
  };
  const observer = new MutationObserver(() => { if (mark()) observer.disconnect(); });
  observer.observe(document, { subtree: true, childList: true, attributes: true,
                               attributeFilter: ["data-ready"] });
})();
"#;

/// Milliseconds from navigation start to `data-ready="true"` (waits for readiness first).
pub async fn ready_ms(browser: &Browser) -> Result<f64> {
    browser
        .wait_until("the ready probe to fire", "window.__readyAt !== undefined")
        .await?;
    let value = browser.eval("return window.__readyAt;", vec![]).await?;
    value.as_f64().context("window.__readyAt is not a number")
}

/// Starts recording every animation frame: the interval between frames, and the frame's main
/// thread work (from the frame's start to a message posted in its rAF callback, which runs once
/// style, layout and paint of that frame are done).
pub async fn start_frames(browser: &Browser) -> Result<()> {
    browser
        .eval(
            r#"const f = window.__frames = { intervals: [], work: [], running: true };
               const channel = new MessageChannel();
               let last = null, frameStart = 0;
               channel.port1.onmessage = () => f.work.push(performance.now() - frameStart);
               const tick = (t) => {
                 if (!f.running) return;
                 if (last !== null) f.intervals.push(t - last);
                 last = t; frameStart = t;
                 channel.port2.postMessage(0);
                 requestAnimationFrame(tick);
               };
               requestAnimationFrame(tick);
               return true;"#,
            vec![],
        )
        .await?;
    Ok(())
}

/// Frame statistics in milliseconds.
#[derive(Debug, Clone)]
pub struct FrameStats {
    /// Frames recorded.
    pub frames: usize,
    /// Median, 95th percentile and maximum interval between frames.
    pub interval_p50: f64,
    pub interval_p95: f64,
    pub interval_max: f64,
    /// Median and 95th percentile main-thread work per frame.
    pub work_p50: f64,
    pub work_p95: f64,
    /// Intervals longer than 1.5 × the median (a missed vsync).
    pub dropped: usize,
}

/// Stops recording and summarises.
pub async fn stop_frames(browser: &Browser) -> Result<FrameStats> {
    let data = browser
        .eval("window.__frames.running = false; return window.__frames;", vec![])
        .await?;
    let numbers = |key: &str| -> Vec<f64> {
        data[key]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    let intervals = numbers("intervals");
    let work = numbers("work");
    let interval_p50 = percentile(&intervals, 50.0);
    Ok(FrameStats {
        frames: intervals.len(),
        interval_p50,
        interval_p95: percentile(&intervals, 95.0),
        interval_max: percentile(&intervals, 100.0),
        work_p50: percentile(&work, 50.0),
        work_p95: percentile(&work, 95.0),
        dropped: intervals.iter().filter(|&&i| i > 1.5 * interval_p50).count(),
    })
}

impl std::fmt::Display for FrameStats {
    /// One report line: frames, their intervals and the main thread's work per frame.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} frames; interval p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms, {} dropped; \
             main-thread work per frame p50 {:.1} ms, p95 {:.1} ms",
            self.frames,
            self.interval_p50,
            self.interval_p95,
            self.interval_max,
            self.dropped,
            self.work_p50,
            self.work_p95
        )
    }
}

/// The `p`th percentile (nearest rank) of `values`; NaN when empty.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 95.0), 95.0);
        assert_eq!(percentile(&values, 100.0), 100.0);
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 0.0), 1.0);
        assert!(percentile(&[], 50.0).is_nan());
    }
}

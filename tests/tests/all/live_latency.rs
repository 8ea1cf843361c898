//! Latency probe (run with `--ignored`): the time from the instructor's click on "step forward"
//! to each student's page showing the new step, over real sockets on loopback with one instructor
//! and three students in headless Chromium. Prints p50/p95/max and writes them to
//! `target/e2e-artifacts/live-latency.txt`. Target: p95 ≤ 100 ms.
//!
//! Both ends read the same wall clock (`performance.timeOrigin + performance.now()`, sub-ms, one
//! machine): the instructor's page stamps the click right before dispatching it, each student's
//! page stamps the DOM change (a MutationObserver on the conv view's `data-step`) and the next
//! animation frame after it (when the change is on screen).

use crate::live_support;

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use e2e::perf_probe::percentile;
use live_support::{CONV_LAYER, CONV_NEURON, Classroom, ONE_CLASSROOM_AT_A_TIME, wait_conv_step};
use serde_json::Value;

/// Clicks measured.
const CLICKS: u32 = 60;
/// Pause between clicks, so each click is measured on its own (no coalescing).
const PAUSE: Duration = Duration::from_millis(150);

/// Installed in each student's page: stamps every new `data-step` of the conv view.
const STUDENT_PROBE: &str = r#"
window.__stepSeen = {}; window.__stepPainted = {};
const now = () => performance.timeOrigin + performance.now();
const record = () => {
  const view = document.querySelector('[data-testid="view-conv"]');
  const step = view && view.getAttribute("data-step");
  if (step !== null && step !== undefined && window.__stepSeen[step] === undefined) {
    window.__stepSeen[step] = now();
    requestAnimationFrame(() => { window.__stepPainted[step] = now(); });
  }
};
new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-step"] });
return true;
"#;

/// Run in the instructor's page: stamps the time, then clicks synchronously.
const CLICK: &str = r#"
const button = document.querySelector('[data-testid="step-forward"]');
const at = performance.timeOrigin + performance.now();
button.click();
return at;
"#;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement, not a check: run with --ignored and read the printed figures"]
async fn instructor_click_to_student_screen_latency() -> Result<()> {
    let _turn = ONE_CLASSROOM_AT_A_TIME.lock().await;
    let classroom = Classroom::open(3).await?;
    let instructor = &classroom.instructor;
    e2e::page::open_conv_arithmetic(instructor, &format!("neuron-{CONV_LAYER}-{CONV_NEURON}")).await?;
    wait_conv_step(instructor, 0).await?;
    for student in &classroom.students {
        wait_conv_step(student, 0).await?;
        student.eval(STUDENT_PROBE, vec![]).await?;
    }

    let mut clicked_at = Vec::new();
    for step in 1..=CLICKS {
        clicked_at.push(
            instructor
                .eval(CLICK, vec![])
                .await?
                .as_f64()
                .context("click time")?,
        );
        for student in &classroom.students {
            wait_conv_step(student, step).await?;
        }
        tokio::time::sleep(PAUSE).await;
    }

    let (mut dom, mut painted) = (Vec::new(), Vec::new());
    for student in &classroom.students {
        let seen = student
            .eval("return [window.__stepSeen, window.__stepPainted];", vec![])
            .await?;
        for (i, clicked) in clicked_at.iter().enumerate() {
            let step = (i + 1).to_string();
            let at = |table: &Value| table.get(&step).and_then(Value::as_f64);
            dom.push(at(&seen[0]).context("a step the student never showed")? - clicked);
            painted.push(at(&seen[1]).context("a step never painted")? - clicked);
        }
    }
    ensure!(
        dom.iter().all(|ms| *ms >= 0.0),
        "a student showed a step before it was clicked: {dom:?}"
    );

    let mut report = String::new();
    writeln!(
        report,
        "live latency, instructor click → student page, {CLICKS} clicks × {} students (loopback, headless Chromium)",
        classroom.students.len()
    )?;
    for (what, values) in [("DOM updated", &dom), ("next frame painted", &painted)] {
        writeln!(
            report,
            "  {what:<20} p50 {:6.1} ms   p95 {:6.1} ms   max {:6.1} ms",
            percentile(values, 50.0),
            percentile(values, 95.0),
            percentile(values, 100.0)
        )?;
    }
    print!("{report}");
    std::fs::write(e2e::paths::artifacts_dir().join("live-latency.txt"), &report)?;
    classroom.close().await
}

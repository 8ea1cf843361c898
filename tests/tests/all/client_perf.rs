//! Performance probe in headless Chromium (run on purpose, not in the normal suite):
//! `cargo test -p e2e --test all client_perf:: -- --ignored --nocapture`.
//! Prints and writes to target/e2e-artifacts/perf.txt: time from navigation to
//! `data-ready="true"` (cold first visit and warm reload), time from picking a sample to the
//! new prediction on screen, animation frame times while the network opens around a neuron and
//! closes again (the transitions in context), and while the convolution animation plays.

use std::fmt::Write as _;

use anyhow::Result;
use e2e::perf_probe::{self, percentile};
use e2e::{Browser, BrowserOptions, TestServer, expected, page, paths};

const COLD_RUNS: usize = 5;
const WARM_RUNS: usize = 5;
const SAMPLE_SWITCHES: usize = 10;
const PLAY_SECONDS: u64 = 4;
const TRANSITIONS: usize = 5;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "performance probe: run with --ignored --nocapture on a quiet machine"]
async fn probe_load_time_and_animation_frames() -> Result<()> {
    let server = TestServer::start().await?;
    let url = server.url();
    let mut report = String::new();

    // Cold: a fresh profile every time (nothing cached, no service worker).
    let mut cold = Vec::new();
    for run in 0..COLD_RUNS {
        let browser = Browser::launch_with(BrowserOptions {
            name: format!("perf-cold-{run}"),
            ..Default::default()
        })
        .await?;
        browser.add_init_script(perf_probe::READY_PROBE).await?;
        browser.goto(&url).await?;
        cold.push(perf_probe::ready_ms(&browser).await?);
        browser.close().await?;
    }
    writeln!(
        report,
        "navigation → data-ready, cold first visit ({COLD_RUNS} fresh profiles): {}",
        summary(&cold)
    )?;

    // The frame figures are asked for at 1280×720 (a projector's common size).
    let browser = Browser::launch_with(BrowserOptions {
        name: "perf".into(),
        window: (1280, 720),
        ..Default::default()
    })
    .await?;
    browser.add_init_script(perf_probe::READY_PROBE).await?;
    browser.goto(&url).await?;
    perf_probe::ready_ms(&browser).await?;
    let mut warm = Vec::new();
    for _ in 0..WARM_RUNS {
        browser.reload().await?;
        warm.push(perf_probe::ready_ms(&browser).await?);
    }
    writeln!(
        report,
        "navigation → data-ready, warm reload (cached): {}",
        summary(&warm)
    )?;

    // Picking a sample: decode + forward pass + repaint of every tile, until the page shows it.
    let first = expected::for_sample(0)?;
    let other = (1..models::samples::SAMPLES.len())
        .find(|&i| expected::for_sample(i).is_ok_and(|e| e.predicted != first.predicted))
        .expect("samples of more than one predicted class");
    let mut switches = Vec::new();
    for round in 0..SAMPLE_SWITCHES {
        let index = if round % 2 == 0 { other } else { 0 };
        let took = browser
            .eval(
                r#"const before = [...document.querySelectorAll('[data-testid^="class-"]')].map(e => e.innerText).join("|");
                   const t0 = performance.now();
                   document.querySelector(`[data-testid="sample-${arguments[0]}"]`).click();
                   return await new Promise((resolve) => {
                     const check = () => {
                       const now = [...document.querySelectorAll('[data-testid^="class-"]')].map(e => e.innerText).join("|");
                       if (now !== before) resolve(performance.now() - t0); else requestAnimationFrame(check);
                     };
                     check();
                   });"#,
                vec![index.into()],
            )
            .await?;
        switches.push(took.as_f64().unwrap_or(f64::NAN));
        page::wait_for_prediction(&browser, &expected::for_sample(index)?).await?;
    }
    writeln!(
        report,
        "pick a sample → new prediction painted ({SAMPLE_SWITCHES} switches): {}",
        summary(&switches)
    )?;

    // Transitions in context: the network opening around conv_1_2's neuron 0 and closing again
    // (Back), then around a class; every frame of the whole series is recorded.
    perf_probe::start_frames(&browser).await?;
    for _ in 0..TRANSITIONS {
        for (open, opened) in [("neuron-2-0", "elastic-conv"), ("class-0", "elastic-class")] {
            browser.click(open).await?;
            browser.wait_for(opened).await?;
            tokio::time::sleep(std::time::Duration::from_millis(700)).await;
            browser.click("back").await?;
            tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        }
    }
    let stats = perf_probe::stop_frames(&browser).await?;
    writeln!(
        report,
        "transitions in context ({TRANSITIONS} × opening and closing around a conv neuron and a class): {stats}"
    )?;

    // The convolution animation (conv_1_2, neuron 0) at the default speed and at the fastest.
    page::open_conv_arithmetic(&browser, "neuron-2-0").await?;
    for (label, option) in [("default speed", None), ("fastest speed", Some("last"))] {
        if option.is_some() {
            browser
                .eval(
                    r#"const s = document.querySelector('[data-testid="speed"]');
                       s.selectedIndex = s.options.length - 1;
                       s.dispatchEvent(new Event("change", { bubbles: true }));
                       return s.value;"#,
                    vec![],
                )
                .await?;
        }
        perf_probe::start_frames(&browser).await?;
        browser.click("play").await?;
        tokio::time::sleep(std::time::Duration::from_secs(PLAY_SECONDS)).await;
        browser.click("play").await?;
        let stats = perf_probe::stop_frames(&browser).await?;
        writeln!(report, "conv animation, {label}: {stats}")?;
    }
    browser.close().await?;

    print!("{report}");
    std::fs::write(paths::artifacts_dir().join("perf.txt"), &report)?;
    Ok(())
}

fn summary(values: &[f64]) -> String {
    format!(
        "median {:.0} ms, p95 {:.0} ms, min {:.0} ms, max {:.0} ms",
        percentile(values, 50.0),
        percentile(values, 95.0),
        percentile(values, 0.0),
        percentile(values, 100.0)
    )
}

//! Browser tests of the screen where lectures happen: at 1920×1080 (a projector), 1280×720 (a
//! laptop) and a 390×844 phone, every view fits: no element's content spills out of its box, no
//! text runs into other text, nothing sticks out of the window sideways, and the playback bar is
//! wholly on screen without scrolling anything. On the two large screens the page itself never
//! scrolls (nor does the overview, which shows the whole network); a phone scrolls the page up and
//! down under a playback bar pinned to the bottom. Projector mode (larger type, thicker
//! outlines) fits the two large screens too. A screenshot of each view at each size goes to
//! `target/e2e-artifacts/screens-<view>-<w>x<h>.png`; the set in `docs/img/` is made from them.

use anyhow::{Result, bail};
use e2e::{Browser, TestServer, expected, fit};

/// Projector, laptop, phone.
const SIZES: [(u32, u32); 3] = [(1920, 1080), (1280, 720), (390, 844)];

/// Every view: a name, the address-bar focus that opens it, and its test id.
fn views(predicted: usize) -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("overview", "view=overview".into(), "class-0"),
        // The network opened around a conv neuron (intermediate maps, kernels, "+" and bias).
        (
            "conv",
            "view=neuron&layer=2&neuron=3&step=1830".into(),
            "elastic-conv",
        ),
        (
            "conv-channel",
            "view=operation&layer=2&neuron=3&channel=2&step=1830".into(),
            "view-conv",
        ),
        (
            "relu",
            "view=operation&layer=1&neuron=2&step=1000".into(),
            "view-relu",
        ),
        (
            "pool",
            "view=operation&layer=4&neuron=0&step=200".into(),
            "view-pool",
        ),
        // The network opened around a class (flatten bar, weight edges, logit, softmax).
        (
            "class",
            format!("view=neuron&layer=11&neuron={predicted}"),
            "elastic-class",
        ),
        (
            "flatten",
            format!("view=operation&layer=11&neuron={predicted}&step=200"),
            "view-flatten",
        ),
        (
            "softmax",
            format!("view=operation&layer=12&neuron={predicted}&step=3"),
            "view-softmax",
        ),
    ]
}

/// Opens `fragment` freshly (the app reads the address bar when it starts) and waits for the view.
async fn open(browser: &Browser, server: &TestServer, fragment: &str, test_id: &str) -> Result<()> {
    browser.goto("about:blank").await?;
    browser.goto(&format!("{}/#{fragment}", server.url())).await?;
    browser.wait_ready().await?;
    browser.wait_for(test_id).await?;
    if test_id.starts_with("elastic") {
        // What the opened network adds fades in over its first half second.
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    }
    Ok(())
}

/// What does not fit in the view now, as sentences (empty when it fits).
async fn problems(
    browser: &Browser,
    what: &str,
    large_screen: bool,
    has_playback: bool,
) -> Result<Vec<String>> {
    let report = fit::measure(browser, !large_screen).await?;
    let mut out = Vec::new();
    for item in report.overflowing.iter().chain(&report.overlapping) {
        out.push(format!("{what}: {item}"));
    }
    if report.page_scrolls_sideways() || (large_screen && report.page_scrolls()) {
        out.push(format!(
            "{what}: the page scrolls ({:?} in a {:?} window)",
            report.page, report.viewport
        ));
    }
    if has_playback && !report.playback_visible {
        out.push(format!(
            "{what}: the playback bar is not wholly on screen (at {:?} in a {:?} window)",
            report.playback, report.viewport
        ));
    }
    // Column labels stay above the tiles (a label wrapped onto a third line used to cover them).
    let covered = browser
        .eval(
            r#"const boxes = [...document.querySelectorAll('.tile, .class-row')].map(e => e.getBoundingClientRect());
               const out = [];
               for (const label of document.querySelectorAll('.column-label')) {
                 // A squeezed column's label is transparent, a band's hidden: they cover nothing.
                 const style = getComputedStyle(label);
                 if (style.visibility === 'hidden' || style.opacity === '0') continue;
                 const r = label.getBoundingClientRect();
                 if (boxes.some(b => Math.min(r.right, b.right) - Math.max(r.left, b.left) > 1
                                  && Math.min(r.bottom, b.bottom) - Math.max(r.top, b.top) > 1)) out.push(label.textContent);
               }
               return out;"#,
            vec![],
        )
        .await?;
    for label in covered.as_array().into_iter().flatten() {
        out.push(format!("{what}: the column label {label} covers tiles"));
    }
    if large_screen {
        let sideways = browser
            .eval(
                "const o = document.querySelector('.overview'); return o ? o.scrollWidth > o.clientWidth + 1 : false;",
                vec![],
            )
            .await?;
        if sideways == serde_json::Value::Bool(true) {
            out.push(format!("{what}: the overview does not show the whole network"));
        }
    }
    Ok(out)
}

/// Visits every view at `size`, with `extra` fields in the address (e.g. projector mode).
async fn check_size(
    server: &TestServer,
    (width, height): (u32, u32),
    extra: &str,
    shot_prefix: &str,
) -> Result<Vec<String>> {
    let predicted = expected::for_sample(0)?.predicted;
    let browser = Browser::launch_at(&format!("{shot_prefix}-{width}x{height}"), width, height).await?;
    let large = width >= 1280;
    let mut found = Vec::new();
    for (name, fragment, test_id) in views(predicted) {
        open(&browser, server, &format!("{fragment}{extra}"), test_id).await?;
        browser
            .screenshot(&format!("{shot_prefix}-{name}-{width}x{height}"))
            .await?;
        let what = format!("{name} at {width}×{height}{extra}");
        // The network opened around a neuron has no playback bar (its arithmetic has).
        let has_playback = !matches!(name, "overview" | "conv" | "class");
        found.extend(problems(&browser, &what, large, has_playback).await?);
    }
    browser.assert_no_console_errors().await?;
    browser.close().await?;
    Ok(found)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_view_fits_a_projector_a_laptop_and_a_phone() -> Result<()> {
    let server = TestServer::start().await?;
    let mut found = Vec::new();
    for size in SIZES {
        found.extend(check_size(&server, size, "", "screens").await?);
    }
    if !found.is_empty() {
        bail!("{} problem(s):\n  {}", found.len(), found.join("\n  "));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn projector_mode_fits_the_large_screens_with_larger_type() -> Result<()> {
    let server = TestServer::start().await?;
    let mut found = Vec::new();
    for size in [(1920, 1080), (1280, 720)] {
        found.extend(check_size(&server, size, "&projector=1", "screens-projector").await?);
    }
    // Projector mode really is larger: the root type grows.
    let browser = Browser::launch_at("projector-type", 1920, 1080).await?;
    open(&browser, &server, "view=overview&projector=1", "overview").await?;
    let size = browser
        .eval(
            "return parseFloat(getComputedStyle(document.documentElement).fontSize);",
            vec![],
        )
        .await?;
    if size.as_f64().unwrap_or(0.0) < 20.0 {
        found.push(format!(
            "projector mode's root type at 1920 wide is {size} px, not larger than 20"
        ));
    }
    browser.close().await?;
    if !found.is_empty() {
        bail!("{} problem(s):\n  {}", found.len(), found.join("\n  "));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn space_plays_and_never_scrolls_a_phones_page() -> Result<()> {
    // On a phone the page scrolls, so a Space the page did not keep for itself would scroll it.
    let server = TestServer::start().await?;
    let browser = Browser::launch_at("space-phone", 390, 844).await?;
    open(&browser, &server, "view=operation&layer=2&neuron=3", "view-conv").await?;
    browser
        .eval(
            "document.activeElement?.blur(); window.scrollTo(0, 0); return true;",
            vec![],
        )
        .await?;
    browser
        .find_css("body")
        .await?
        .send_keys(&fantoccini::key::Key::Space.to_string())
        .await?;
    browser
        .wait_until(
            "Space to start playing",
            r#"document.querySelector('[data-testid="play"]').getAttribute("aria-pressed") === "true""#,
        )
        .await?;
    let scrolled = browser.eval("return window.scrollY;", vec![]).await?;
    if scrolled.as_f64() != Some(0.0) {
        bail!("Space scrolled the phone's page to {scrolled}");
    }
    browser.assert_no_console_errors().await?;
    browser.close().await
}

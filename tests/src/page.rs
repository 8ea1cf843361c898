//! Opening the client, and reading its UI contract (the `data-testid`s it promises) from a page:
//! the shown class probabilities and prediction, and numeric `data-value`s.

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

use crate::browser::{Browser, BrowserOptions, test_id_selector};
use crate::expected::{Expected, parse_percent, parse_value};
use crate::server::TestServer;

/// Starts the real server and opens the client in a fresh browser named `name` (its profile,
/// logs and screenshots), waiting until the page is ready.
pub async fn open_client(name: &str) -> Result<(TestServer, Browser)> {
    let server = TestServer::start().await?;
    let browser = Browser::launch_with(BrowserOptions {
        name: name.into(),
        ..Default::default()
    })
    .await?;
    browser.goto(&server.url()).await?;
    browser.wait_ready().await?;
    Ok((server, browser))
}

/// How far a shown percentage (one decimal) may be from the exact one: half the last digit,
/// plus a little for wasm-versus-native floating point.
pub const PERCENT_TOLERANCE: f32 = 0.06;

/// The prediction as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownPrediction {
    /// The percentage text of every `class-{i}`, parsed.
    pub percents: Vec<f32>,
    /// The classes marked `data-predicted="true"`.
    pub predicted: Vec<usize>,
}

/// Reads every `class-{i}` row in one round trip.
pub async fn shown_prediction(browser: &Browser) -> Result<ShownPrediction> {
    let rows = browser
        .eval(
            r#"const rows = [];
               for (let i = 0; ; i++) {
                 const row = document.querySelector(`[data-testid="class-${i}"]`);
                 if (!row) break;
                 rows.push({ text: row.innerText, predicted: row.getAttribute("data-predicted") });
               }
               return rows;"#,
            vec![],
        )
        .await?;
    let rows = rows.as_array().context("the class rows are not a list")?;
    let mut shown = ShownPrediction {
        percents: Vec::new(),
        predicted: Vec::new(),
    };
    for (i, row) in rows.iter().enumerate() {
        shown
            .percents
            .push(parse_percent(row["text"].as_str().unwrap_or_default())?);
        if row["predicted"] == "true" {
            shown.predicted.push(i);
        }
    }
    Ok(shown)
}

/// Whether the page shows `expected`'s probabilities (within [`PERCENT_TOLERANCE`]) and marks
/// exactly its predicted class.
pub fn matches(shown: &ShownPrediction, expected: &Expected) -> bool {
    shown.percents.len() == expected.probabilities.len()
        && shown
            .percents
            .iter()
            .zip(&expected.probabilities)
            .all(|(shown, p)| (shown - p * 100.0).abs() <= PERCENT_TOLERANCE)
        && shown.predicted == [expected.predicted]
}

/// Waits until the page shows `expected`'s prediction; on timeout fails with both side by side.
pub async fn wait_for_prediction(browser: &Browser, expected: &Expected) -> Result<()> {
    let deadline = std::time::Instant::now() + crate::browser::default_wait();
    loop {
        let shown = shown_prediction(browser).await?;
        if matches(&shown, expected) {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            let wanted: Vec<String> = expected
                .probabilities
                .iter()
                .map(|p| format!("{:.2}", p * 100.0))
                .collect();
            bail!(
                "the page shows percentages {:?} with predicted {:?}; the models crate computes {:?} with \
                 predicted [{}]",
                shown.percents,
                shown.predicted,
                wanted,
                expected.predicted
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The `data-value` of the element with this `data-testid`, parsed as the exact `f32`.
pub async fn value_of(browser: &Browser, test_id: &str) -> Result<f32> {
    let text = browser
        .attr(test_id, "data-value")
        .await?
        .with_context(|| format!("{test_id} has no data-value attribute"))?;
    parse_value(&text)
}

/// The `data-value`s of many elements in one round trip (missing ones fail).
pub async fn values_of(browser: &Browser, test_ids: &[String]) -> Result<Vec<f32>> {
    let selectors: Vec<String> = test_ids.iter().map(|id| test_id_selector(id)).collect();
    let values = browser
        .eval(
            "return arguments[0].map(s => { const e = document.querySelector(s); \
             return e ? e.getAttribute('data-value') : null; });",
            vec![Value::from(selectors)],
        )
        .await?;
    let values = values.as_array().context("values_of: not a list")?;
    ensure!(values.len() == test_ids.len(), "values_of: wrong count");
    test_ids
        .iter()
        .zip(values)
        .map(|(id, value)| {
            let text = value
                .as_str()
                .with_context(|| format!("no element {id} with a data-value"))?;
            parse_value(text)
        })
        .collect()
}

/// Asserts two floats agree to a relative tolerance (wasm and native may differ in the last bits).
pub fn assert_close(what: &str, shown: f32, expected: f32) -> Result<()> {
    let tolerance = 1e-4 * expected.abs().max(1.0);
    ensure!(
        (shown - expected).abs() <= tolerance,
        "{what}: the page shows {shown}, the models crate computes {expected}"
    );
    Ok(())
}

/// Opens a conv neuron's arithmetic the way a user does: a click on the neuron opens the network
/// around it (`elastic-conv`), then "Show the arithmetic" opens the conv view below it.
pub async fn open_conv_arithmetic(browser: &Browser, neuron_test_id: &str) -> Result<()> {
    browser.click(neuron_test_id).await?;
    browser.wait_for("elastic-conv").await?;
    browser.click("open-arithmetic").await?;
    browser.wait_for("view-conv").await?;
    Ok(())
}

/// Opens a class's dense-layer terms: a click on the class opens the network around it
/// (`elastic-class`), then "Show the terms" opens the flatten view below it.
pub async fn open_class_terms(browser: &Browser, class: usize) -> Result<()> {
    browser.click(&format!("class-{class}")).await?;
    browser.wait_for("elastic-class").await?;
    browser.click("open-arithmetic").await?;
    browser.wait_for("view-flatten").await?;
    Ok(())
}

/// Presses `key` on the page as a user would (a real key event, not a dispatched one), with the
/// focus on the page itself rather than in a field or on a button.
pub async fn press(browser: &Browser, key: fantoccini::key::Key) -> Result<()> {
    browser
        .eval("document.activeElement?.blur(); return true;", vec![])
        .await?;
    browser
        .find_css("body")
        .await?
        .send_keys(&key.to_string())
        .await?;
    Ok(())
}

/// A script that returns how many files the app's offline cache (`cnn-classroom-…`) holds.
pub const OFFLINE_CACHE_COUNT: &str = "const names = await caches.keys(); \
     const name = names.find(n => n.startsWith('cnn-classroom-')); \
     return name ? (await (await caches.open(name)).keys()).length : 0;";

/// Waits until the service worker controls the page and its offline cache holds every file of
/// the bundle (the first screen's, then, in the background, those loaded later); returns how
/// many files that is.
pub async fn wait_until_cached_for_offline(browser: &Browser) -> Result<usize> {
    browser
        .wait_until(
            "the service worker to control the page",
            "navigator.serviceWorker.controller !== null",
        )
        .await?;
    let manifest: Value = serde_json::from_slice(&std::fs::read(
        crate::paths::client_dist().join("asset-manifest.json"),
    )?)?;
    let bundle_files =
        manifest["files"].as_array().map_or(0, Vec::len) + manifest["later"].as_array().map_or(0, Vec::len);
    browser
        .wait_until(
            "the offline cache to hold the whole bundle",
            &format!("await (async () => {{ {OFFLINE_CACHE_COUNT} }})() === {bundle_files}"),
        )
        .await?;
    Ok(bundle_files)
}

//! Browser tests of the transitions in context: clicking a conv neuron re-lays the overview out
//! in place (the same tiles move, animated, the previous layer staying where it was), an
//! intermediate column appears whose maps are `models::explain::conv_intermediate_maps`, with a
//! kernel glyph per input channel and the "+" and bias; Back plays it in reverse; under reduced
//! motion the change is instant. A class opens the flattened vector (the dense layer's inputs)
//! and its logit; softmax reveals the logits class by class with the formula's steps, pointing
//! linked both ways. The arithmetic opens below the network, which stays on screen as a band.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use e2e::{Browser, BrowserOptions, expected, page};
use fantoccini::key::Key;
use models::builtin::tiny_vgg;
use models::{Layer, explain};
use serde_json::Value;

/// conv_1_2 (layer 2, overview column 3) reads relu_1_1 (column 2): ten input channels.
const CONV_LAYER: usize = 2;
const CONV_NEURON: usize = 3;

/// The page's box of an element, `[x, y, width, height]`.
async fn rect(browser: &Browser, test_id: &str) -> Result<[f64; 4]> {
    let value = browser
        .eval(
            "const e = document.querySelector(`[data-testid=\"${arguments[0]}\"]`); if (!e) return null; \
             const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height];",
            vec![Value::from(test_id)],
        )
        .await?;
    let numbers: Vec<f64> = value
        .as_array()
        .with_context(|| format!("no element {test_id}"))?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    numbers
        .try_into()
        .map_err(|_| anyhow::anyhow!("{test_id}: not a box"))
}

async fn stage(browser: &Browser) -> Result<String> {
    Ok(browser.attr("overview", "data-stage").await?.unwrap_or_default())
}

async fn count(browser: &Browser, selector: &str) -> Result<usize> {
    let n = browser
        .eval(
            "return document.querySelectorAll(arguments[0]).length;",
            vec![Value::from(selector)],
        )
        .await?;
    Ok(n.as_u64().unwrap_or(0) as usize)
}

/// How much slower than real time the page's animations play while a trail is recorded: a
/// loaded machine draws few frames, and at full speed a 500 ms movement can fall between two of
/// them (the test would see a jump where the page moved).
const SLOW_MOTION: f64 = 0.2;

/// Clicks `click` from a script, then records `test_id`'s left edge on every animation frame
/// for `ms` milliseconds with the page's animations in slow motion ([`SLOW_MOTION`]); then
/// lets them run at full speed again and waits until `test_id` has none running.
async fn click_and_trail(browser: &Browser, click: &str, test_id: &str, ms: u32) -> Result<Vec<f64>> {
    let rate = |rate: f64| serde_json::json!({ "playbackRate": rate });
    browser
        .devtools("Animation.enable", serde_json::json!({}))
        .await?;
    browser
        .devtools("Animation.setPlaybackRate", rate(SLOW_MOTION))
        .await?;
    let value = browser
        .eval(
            "const [click, id, ms] = arguments; const out = []; \
             const x = () => document.querySelector(`[data-testid=\"${id}\"]`).getBoundingClientRect().x; \
             const t0 = performance.now(); \
             document.querySelector(`[data-testid=\"${click}\"]`).click(); \
             while (performance.now() - t0 < ms) { await new Promise(r => requestAnimationFrame(r)); out.push(x()); } \
             return out;",
            vec![click.into(), test_id.into(), ms.into()],
        )
        .await?;
    browser.devtools("Animation.setPlaybackRate", rate(1.0)).await?;
    browser
        .wait_until(
            &format!("{test_id} to reach its place"),
            &format!("document.querySelector(`[data-testid=\"{test_id}\"]`).getAnimations().length === 0"),
        )
        .await?;
    Ok(value
        .as_array()
        .context("no trail")?
        .iter()
        .filter_map(Value::as_f64)
        .collect())
}

/// Whether a trail passed through places strictly between `from` and `to` (it moved, it did
/// not jump).
fn moved_between(trail: &[f64], from: f64, to: f64) -> bool {
    let (low, high) = (from.min(to) + 2.0, from.max(to) - 2.0);
    trail.iter().any(|x| (low..=high).contains(x))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conv_neuron_opens_the_network_in_place_and_back_reverses_it() -> Result<()> {
    let (_server, browser) = page::open_client("transition-conv").await?;
    let expected = expected::for_sample(0)?;
    page::wait_for_prediction(&browser, &expected).await?;
    let network = tiny_vgg();
    let target = format!("neuron-{CONV_LAYER}-{CONV_NEURON}");
    let source = "neuron-1-0";
    let later = "neuron-7-0";
    let (target_before, source_before, later_before) = (
        rect(&browser, &target).await?,
        rect(&browser, source).await?,
        rect(&browser, later).await?,
    );

    // Midway the neuron is on its way right: the tiles move, they are not redrawn elsewhere.
    let trail = click_and_trail(&browser, &target, &target, 900).await?;
    browser.wait_for("elastic-conv").await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let target_after = rect(&browser, &target).await?;
    ensure!(
        target_after[0] > target_before[0] + 20.0,
        "the neuron slides right ({target_before:?} → {target_after:?})"
    );
    ensure!(
        moved_between(&trail, target_before[0], target_after[0]),
        "the neuron moves from {} to {} through the places between (frames: {trail:?})",
        target_before[0],
        target_after[0]
    );
    ensure!(stage(&browser).await? == "opened");
    let source_after = rect(&browser, source).await?;
    ensure!(
        (source_after[0] - source_before[0]).abs() < 1.0,
        "the layer it reads stays put ({source_before:?} → {source_after:?})"
    );
    let later_after = rect(&browser, later).await?;
    ensure!(
        later_after[0] > target_after[0] && later_after[2] <= later_before[2] + 0.5,
        "later layers are squeezed to the side of the neuron"
    );
    ensure!(
        browser
            .attr(later, "class")
            .await?
            .unwrap_or_default()
            .contains("squeezed")
    );

    // One intermediate map and one kernel per input channel, level with it, and the numbers
    // are models' own.
    let maps = explain::conv_intermediate_maps(network, &expected.trace, CONV_LAYER, CONV_NEURON)?;
    let channels = maps.shape()[0];
    ensure!(count(&browser, "[data-testid^='elastic-intermediate-']").await? == channels);
    ensure!(count(&browser, "[data-testid^='elastic-kernel-']").await? == channels);
    for c in 0..channels {
        let shown = browser
            .attr(&format!("elastic-intermediate-{c}"), "data-sum")
            .await?
            .context("data-sum")?;
        let sum: f32 = maps.index_axis(ndarray::Axis(0), c).iter().sum();
        let shown = expected::parse_value(&shown)?;
        ensure!(
            (shown - sum).abs() <= 1e-3 * sum.abs().max(1.0),
            "intermediate map {c}: the page sums to {shown}, models::explain to {sum}"
        );
        let map = rect(&browser, &format!("elastic-intermediate-{c}")).await?;
        let input = rect(&browser, &format!("neuron-1-{c}")).await?;
        ensure!(
            (map[1] - input[1]).abs() < 1.0,
            "map {c} is level with its input channel"
        );
        ensure!(
            map[0] > input[0] + input[2],
            "map {c} is right of its input channel"
        );
    }
    // At the step (the arrow keys step, as everywhere): the value under the window, and the bias.
    page::press(&browser, Key::Right).await?;
    page::press(&browser, Key::Right).await?;
    browser
        .wait_until(
            "step 2",
            r#"document.querySelector('[data-testid="elastic-intermediate-2"]').getAttribute('aria-label').includes('row 0 column 2')"#,
        )
        .await?;
    for c in 0..channels {
        let shown = page::value_of(&browser, &format!("elastic-intermediate-{c}")).await?;
        page::assert_close(&format!("intermediate {c} at (0, 2)"), shown, maps[[c, 0, 2]])?;
    }
    let Layer::Conv2d(conv) = &network.layers()[CONV_LAYER].layer else {
        anyhow::bail!("layer {CONV_LAYER} is not a conv");
    };
    page::assert_close(
        "bias",
        page::value_of(&browser, "elastic-bias").await?,
        conv.bias[CONV_NEURON],
    )?;
    browser.screenshot("transition-conv-opened").await?;

    // Back: the same movement in reverse, the added parts fade out, then are gone.
    let trail_back = click_and_trail(&browser, "back", &target, 900).await?;
    ensure!(
        moved_between(&trail_back, target_after[0], target_before[0]),
        "going back, the neuron slides back ({} → {}; frames: {trail_back:?})",
        target_after[0],
        target_before[0]
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    ensure!(
        !browser.exists("elastic-conv").await?,
        "the intermediate column is gone"
    );
    ensure!(stage(&browser).await? == "overview");
    let target_home = rect(&browser, &target).await?;
    ensure!(
        (target_home[0] - target_before[0]).abs() < 1.0 && (target_home[1] - target_before[1]).abs() < 1.0,
        "the neuron is back where it was ({target_before:?} vs {target_home:?})"
    );
    browser.assert_no_console_errors().await?;
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn under_reduced_motion_the_network_opens_at_once() -> Result<()> {
    let server = e2e::TestServer::start().await?;
    let browser = Browser::launch_with(BrowserOptions {
        name: "transition-reduced".into(),
        ..Default::default()
    })
    .await?;
    browser
        .devtools(
            "Emulation.setEmulatedMedia",
            serde_json::json!({ "features": [{ "name": "prefers-reduced-motion", "value": "reduce" }] }),
        )
        .await?;
    browser.goto(&server.url()).await?;
    browser.wait_ready().await?;
    let target = format!("neuron-{CONV_LAYER}-{CONV_NEURON}");
    let before = rect(&browser, &target).await?;
    let trail = click_and_trail(&browser, &target, &target, 600).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = rect(&browser, &target).await?;
    ensure!(after[0] > before[0] + 20.0, "it opened");
    ensure!(
        !moved_between(&trail, before[0], after[0])
            && trail.last().is_some_and(|x| (x - after[0]).abs() < 1.0),
        "the neuron jumps to its place, never between ({} → {}; frames: {trail:?})",
        before[0],
        after[0]
    );
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_class_opens_its_flattened_vector_and_softmax_reveals_the_logits_linked_to_the_formula()
-> Result<()> {
    let (_server, browser) = page::open_client("transition-class").await?;
    let expected = expected::for_sample(0)?;
    page::wait_for_prediction(&browser, &expected).await?;
    let network = tiny_vgg();
    let class = expected.predicted;
    let linear = network
        .layers()
        .iter()
        .rposition(|l| matches!(l.layer, Layer::Linear(_)))
        .context("a dense layer")?;
    let terms = explain::linear(network, &expected.trace, linear, class)?;

    browser.click(&format!("class-{class}")).await?;
    browser.wait_for("elastic-class").await?;
    ensure!(
        browser.attr("elastic-flatten", "data-length").await?.as_deref()
            == Some(terms.inputs.len().to_string().as_str()),
        "the flattened vector has the dense layer's {} inputs",
        terms.inputs.len()
    );
    page::assert_close(
        "logit",
        page::value_of(&browser, &format!("elastic-logit-{class}")).await?,
        terms.total,
    )?;
    page::assert_close(
        "bias",
        page::value_of(&browser, "elastic-class-bias").await?,
        terms.bias,
    )?;
    tokio::time::sleep(Duration::from_millis(600)).await;
    browser.screenshot("transition-class-opened").await?;

    // The terms open below the network, which stays as a band; Back returns to it.
    browser.click("open-arithmetic").await?;
    browser.wait_for("view-flatten").await?;
    ensure!(
        stage(&browser).await? == "band",
        "the network stays above the terms"
    );
    browser.click("back").await?;
    browser.wait_for("elastic-class").await?;
    ensure!(stage(&browser).await? == "opened");

    // Softmax: the logits appear one class at a time, in step with the formula.
    browser.click("elastic-softmax").await?;
    browser.wait_for("view-softmax").await?;
    ensure!(browser.attr("elastic-class", "data-softmax").await?.as_deref() == Some("true"));
    ensure!(
        shown(&browser).await? == [vec![true], vec![false; 9]].concat(),
        "step 0: one logit"
    );
    for _ in 0..3 {
        browser.click("step-forward").await?;
    }
    browser
        .wait_until(
            "step 3",
            r#"document.querySelector('[data-testid="view-softmax"]').getAttribute('data-step') === '3'"#,
        )
        .await?;
    ensure!(
        shown(&browser).await? == [vec![true; 4], vec![false; 6]].concat(),
        "step 3: four logits"
    );
    let softmax = explain::softmax(network, &expected.trace, network.layers().len() - 1)?;
    for (i, logit) in softmax.logits.iter().enumerate() {
        page::assert_close(
            &format!("logit {i}"),
            page::value_of(&browser, &format!("elastic-logit-{i}")).await?,
            *logit,
        )?;
    }

    // Pointing links both ways: a formula row lights its logit, a logit its row.
    hover(&browser, "softmax-row-2").await?;
    browser
        .wait_until(
            "logit 2 linked",
            r#"document.querySelector('[data-testid="elastic-logit-2"]').classList.contains('linked')"#,
        )
        .await?;
    hover(&browser, "elastic-logit-1").await?;
    browser
        .wait_until("row 1 linked", r#"document.querySelector('[data-testid="softmax-row-1"]').getAttribute('data-linked') === 'true'"#)
        .await?;
    browser.screenshot("transition-softmax").await?;
    browser.assert_no_console_errors().await?;
    browser.close().await?;
    Ok(())
}

/// Which logits softmax shows so far, by class.
async fn shown(browser: &Browser) -> Result<Vec<bool>> {
    let value = browser
        .eval(
            "return [...document.querySelectorAll('[data-testid^=\"elastic-logit-\"]')]\
             .map(e => e.getAttribute('data-shown') === 'true');",
            vec![],
        )
        .await?;
    Ok(value
        .as_array()
        .map(|a| a.iter().map(|v| v.as_bool() == Some(true)).collect())
        .unwrap_or_default())
}

/// Moves the pointer over an element's middle (real pointer events, as a mouse would).
async fn hover(browser: &Browser, test_id: &str) -> Result<()> {
    let [x, y, w, h] = rect(browser, test_id).await?;
    browser
        .devtools(
            "Input.dispatchMouseEvent",
            serde_json::json!({ "type": "mouseMoved", "x": x + w / 2.0, "y": y + h / 2.0 }),
        )
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_arithmetic_opens_below_the_network_band_and_back_returns_to_the_opened_network() -> Result<()> {
    let (_server, browser) = page::open_client("transition-arithmetic").await?;
    page::wait_for_prediction(&browser, &expected::for_sample(0)?).await?;
    browser
        .click(&format!("neuron-{CONV_LAYER}-{CONV_NEURON}"))
        .await?;
    browser.wait_for("elastic-conv").await?;
    tokio::time::sleep(Duration::from_millis(600)).await;
    // A channel's intermediate map opens that channel's arithmetic, at the same step.
    page::press(&browser, Key::Right).await?;
    browser.click("elastic-intermediate-4").await?;
    browser.wait_for("view-conv").await?;
    ensure!(
        stage(&browser).await? == "band",
        "the network stays above the arithmetic"
    );
    ensure!(
        browser.exists("elastic-conv").await?,
        "with its intermediate column"
    );
    let started = Instant::now();
    browser
        .wait_until(
            "step 1 in the arithmetic",
            r#"document.querySelector('[data-testid="view-conv"]').getAttribute('data-step') === '1'"#,
        )
        .await?;
    ensure!(started.elapsed() < Duration::from_secs(5));
    let selected = browser
        .eval(
            "return document.querySelector('.channel-card.selected .channel-title').textContent;",
            vec![],
        )
        .await?;
    ensure!(
        selected.as_str().is_some_and(|t| t.contains("#4")),
        "channel 4 is the one shown in detail ({selected})"
    );
    browser.click("back").await?;
    browser.wait_for("elastic-conv").await?;
    ensure!(stage(&browser).await? == "opened");
    ensure!(!browser.exists("view-conv").await?);
    browser.assert_no_console_errors().await?;
    browser.close().await?;
    Ok(())
}

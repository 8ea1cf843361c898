//! Browser tests of the explanation views: a conv neuron's products, channel sums, bias and
//! total at an animation step equal `models::explain::conv` for that output pixel, and its
//! intermediate tiles (one per input channel) show `models::explain::conv_intermediate_maps`
//! there; play moves the step; the ReLU, pooling, flatten and softmax views show the traced
//! values; the keys step, play, pause and go back. Screenshots of every view go to
//! target/e2e-artifacts/.

use anyhow::{Context, Result, ensure};
use e2e::{Browser, TestServer, expected, page};
use fantoccini::key::Key;
use models::builtin::tiny_vgg;
use models::explain;

/// conv_1_2: ten input channels, so the per-channel sums matter.
const CONV_LAYER: usize = 2;
const CONV_NEURON: usize = 3;
/// Steps taken with the step-forward button before comparing.
const STEPS: u32 = 5;

async fn open_app(name: &str) -> Result<(TestServer, Browser, expected::Expected)> {
    let (server, browser) = page::open_client(name).await?;
    let expected = expected::for_sample(0)?;
    page::wait_for_prediction(&browser, &expected).await?;
    Ok((server, browser, expected))
}

async fn step_of(browser: &Browser, view: &str) -> Result<u32> {
    let step = browser
        .attr(view, "data-step")
        .await?
        .with_context(|| format!("{view} has no data-step"))?;
    step.parse()
        .with_context(|| format!("{view}'s data-step {step:?} is not a number"))
}

#[tokio::test(flavor = "multi_thread")]
async fn conv_step_shows_the_products_and_sum_models_computes() -> Result<()> {
    let (_server, browser, expected) = open_app("conv").await?;
    let network = tiny_vgg();

    page::open_conv_arithmetic(&browser, &format!("neuron-{CONV_LAYER}-{CONV_NEURON}")).await?;
    ensure!(
        step_of(&browser, "view-conv").await? == 0,
        "a freshly opened conv view starts at step 0"
    );
    for _ in 0..STEPS {
        browser.click("step-forward").await?;
    }
    browser
        .wait_until(
            &format!("view-conv at step {STEPS}"),
            &format!(r#"document.querySelector('[data-testid="view-conv"]').getAttribute("data-step") === "{STEPS}""#),
        )
        .await?;
    browser.screenshot("view-conv").await?;

    // Step s stands for output pixel (s / width, s % width): the sweep goes row by row.
    let width = network.output_shapes()[CONV_LAYER][2];
    let (y, x) = (STEPS as usize / width, STEPS as usize % width);
    let explanation = explain::conv(network, &expected.trace, CONV_LAYER, CONV_NEURON, y, x)?;

    let mut ids = Vec::new();
    let mut wanted = Vec::new();
    for (c, term) in explanation.channels.iter().enumerate() {
        for ((ky, kx), product) in term.products.indexed_iter() {
            ids.push(format!("conv-product-{c}-{ky}-{kx}"));
            wanted.push(*product);
        }
        ids.push(format!("conv-channel-sum-{c}"));
        wanted.push(term.sum);
    }
    // One intermediate tile per input channel; each shows its map's value at this output pixel.
    let maps = explain::conv_intermediate_maps(network, &expected.trace, CONV_LAYER, CONV_NEURON)?;
    let tiles = browser
        .eval(
            r#"return document.querySelectorAll('[data-testid^="conv-intermediate-"]').length;"#,
            vec![],
        )
        .await?;
    ensure!(
        tiles.as_u64() == Some(maps.dim().0 as u64),
        "the conv view shows {tiles} intermediate tiles, the layer has {} input channels",
        maps.dim().0
    );
    for c in 0..maps.dim().0 {
        ids.push(format!("conv-intermediate-{c}"));
        wanted.push(maps[[c, y, x]]);
    }
    ids.extend(["conv-bias".to_owned(), "conv-total".to_owned()]);
    wanted.extend([explanation.bias, explanation.total]);
    let shown = page::values_of(&browser, &ids).await?;
    for ((id, shown), wanted) in ids.iter().zip(shown).zip(wanted) {
        page::assert_close(id, shown, wanted)?;
    }
    // The total is the very activation the overview shows for that neuron and pixel.
    page::assert_close(
        "conv-total vs trace",
        explanation.total,
        expected.trace.outputs[CONV_LAYER][[CONV_NEURON, y, x]],
    )?;

    // Play advances the step by itself; pressing it again stops it.
    browser.click("play").await?;
    browser
        .wait_until(
            "the animation to advance past the stepped position",
            &format!(r#"Number(document.querySelector('[data-testid="view-conv"]').getAttribute("data-step")) > {STEPS}"#),
        )
        .await?;
    // The window the paused view is watched for must be one in which a playing view visibly
    // moves, or an unmoving paused view would prove nothing.
    let watch = std::time::Duration::from_millis(1500);
    let playing_from = step_of(&browser, "view-conv").await?;
    tokio::time::sleep(watch).await;
    let playing_to = step_of(&browser, "view-conv").await?;
    ensure!(
        playing_to > playing_from,
        "while playing the step did not move in {watch:?} ({playing_from} → {playing_to})"
    );
    browser.click("play").await?;
    browser
        .wait_until(
            "the play button to show paused",
            r#"document.querySelector('[data-testid="play"]').getAttribute("aria-pressed") === "false""#,
        )
        .await?;
    let paused_at = step_of(&browser, "view-conv").await?;
    let last_step = (network.output_shapes()[CONV_LAYER][1] * width - 1) as u32;
    ensure!(
        paused_at < last_step,
        "paused at {paused_at}, the last step: the animation may have ended by itself"
    );
    tokio::time::sleep(watch).await;
    ensure!(
        step_of(&browser, "view-conv").await? == paused_at,
        "the animation kept running after pause"
    );
    browser.screenshot("view-conv-played").await?;
    // Playing again carries on from where the pause held it.
    browser.click("play").await?;
    browser
        .wait_until(
            "the animation to resume after the pause",
            &format!(r#"Number(document.querySelector('[data-testid="view-conv"]').getAttribute("data-step")) > {paused_at}"#),
        )
        .await?;
    browser.click("play").await?;

    browser.assert_no_console_errors().await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn relu_pool_flatten_and_softmax_views_show_the_traced_values() -> Result<()> {
    let (_server, browser, expected) = open_app("views").await?;
    let outputs = &expected.trace.outputs;

    // ReLU (relu_1_1, channel 0) at step 0 = pixel (0, 0).
    browser.click("neuron-1-0").await?;
    browser.wait_for("view-relu").await?;
    page::assert_close(
        "relu-output",
        page::value_of(&browser, "relu-output").await?,
        outputs[1][[0, 0, 0]],
    )?;
    page::assert_close(
        "relu-input",
        page::value_of(&browser, "relu-input").await?,
        outputs[0][[0, 0, 0]],
    )?;
    browser.screenshot("view-relu").await?;
    browser.click("back").await?;
    browser.wait_ready().await?;
    browser.wait_for("neuron-4-0").await?;

    // Max pooling (max_pool_1, channel 0) at step 0 = pixel (0, 0).
    browser.click("neuron-4-0").await?;
    browser.wait_for("view-pool").await?;
    page::assert_close(
        "pool-output",
        page::value_of(&browser, "pool-output").await?,
        outputs[4][[0, 0, 0]],
    )?;
    browser.screenshot("view-pool").await?;
    browser.click("back").await?;
    browser.wait_for("class-0").await?;

    // The predicted class opens the flatten view with its logit.
    let class = expected.predicted;
    page::open_class_terms(&browser, class).await?;
    page::assert_close(
        "flatten-logit",
        page::value_of(&browser, "flatten-logit").await?,
        outputs[11][[class]],
    )?;
    browser.screenshot("view-flatten").await?;

    // On to softmax: the probability of that class.
    browser
        .find_css(r#"[data-testid="view-flatten"] button.next"#)
        .await?
        .click()
        .await?;
    browser.wait_for("view-softmax").await?;
    page::assert_close(
        "softmax-probability",
        page::value_of(&browser, "softmax-probability").await?,
        expected.probabilities[class],
    )?;
    browser.screenshot("view-softmax").await?;

    browser.assert_no_console_errors().await?;
    browser.close().await
}

async fn wait_step(browser: &Browser, step: u32) -> Result<()> {
    browser
        .wait_until(
            &format!("view-conv at step {step}"),
            &format!(r#"document.querySelector('[data-testid="view-conv"]')?.getAttribute("data-step") === "{step}""#),
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_step_play_pause_and_go_back_but_not_while_typing() -> Result<()> {
    let (_server, browser, _expected) = open_app("keys").await?;
    let neuron = format!("neuron-{CONV_LAYER}-{CONV_NEURON}");
    page::open_conv_arithmetic(&browser, &neuron).await?;
    wait_step(&browser, 0).await?;

    // Arrows step the animation.
    for _ in 0..3 {
        page::press(&browser, Key::Right).await?;
    }
    wait_step(&browser, 3).await?;
    page::press(&browser, Key::Left).await?;
    wait_step(&browser, 2).await?;

    // An arrow typed into a text field moves the caret, not the animation: the next arrow on the
    // page lands on 3, not 4.
    browser
        .wait_for("join-name-input")
        .await?
        .send_keys(&Key::Right.to_string())
        .await?;
    page::press(&browser, Key::Right).await?;
    wait_step(&browser, 3).await?;
    ensure!(
        step_of(&browser, "view-conv").await? == 3,
        "the arrow typed into the name field stepped the animation"
    );

    // Space plays, and pauses again.
    let play_state = r#"document.querySelector('[data-testid="play"]').getAttribute("aria-pressed")"#;
    page::press(&browser, Key::Space).await?;
    browser
        .wait_until("Space to start playing", &format!(r#"{play_state} === "true""#))
        .await?;
    browser
        .wait_until(
            "the animation to run past step 3",
            r#"Number(document.querySelector('[data-testid="view-conv"]').getAttribute("data-step")) > 3"#,
        )
        .await?;
    page::press(&browser, Key::Space).await?;
    browser
        .wait_until("Space to pause", &format!(r#"{play_state} === "false""#))
        .await?;

    // Escape goes back up to the overview.
    page::press(&browser, Key::Escape).await?;
    browser
        .wait_until(
            "Escape to close the conv view",
            r#"!document.querySelector('[data-testid="view-conv"]')"#,
        )
        .await?;
    browser.wait_for(&neuron).await?;
    // Each handled key is also kept from scrolling the page: a passive listener could not, and
    // says so on the console.
    browser.assert_no_console_errors().await?;
    browser.close().await
}

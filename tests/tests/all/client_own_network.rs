//! Browser tests of own networks in the self-paced app: a model file exported from PyTorch (the
//! greyscale and the colour fixture, written by `models::bundle::write`) opened with "Network →
//! Open a model file…" switches the whole app: the overview shows the manifest's class names,
//! one tile per channel in every column (one grey input channel), the prediction `models`
//! computes; a conv step (padding, stride 2), an average-pool step, a hidden dense unit and the
//! ReLU on its vector show exactly `models::explain`'s numbers; a broken file is refused with a sentence and changes nothing;
//! "Back to Tiny VGG" returns. Screenshots of every view of both networks (and of a 64-channel
//! one, `models::builtin::wide_untrained`) at 1920×1080,
//! 1280×720 and 390×844 go to `target/e2e-artifacts/own-<network>-<view>-<w>x<h>.png` (the set
//! in `docs/img/` is made from them).

use anyhow::{Context, Result, ensure};
use e2e::{Browser, TestServer, expected, own_model, page};
use models::{Layer, Network, Trace, explain};

/// Opens the model file of fixture `name` in the page, as a user picks it, and waits until the
/// overview shows its first class.
async fn open_model(browser: &Browser, name: &str) -> Result<(Network, Trace)> {
    let (file, network) = own_model::bundle_file(name)?;
    browser.click("network-open").await?;
    browser.upload("model-file", &file).await?;
    let first = network.class_names()[0].clone();
    browser
        .wait_until(
            &format!("the overview of {name} ({first})"),
            &format!(
                r#"(document.querySelector('[data-testid="class-0"]')?.innerText ?? '').includes({first:?})"#
            ),
        )
        .await?;
    let image = expected::for_sample(0)?.image;
    let trace = own_model::trace(&network, &image)?;
    Ok((network, trace))
}

/// Shows `fragment` by changing the address as a link does, and waits for `test_id`.
async fn show(browser: &Browser, fragment: &str, test_id: &str) -> Result<()> {
    browser
        .eval(
            "location.hash = arguments[0]; return true;",
            vec![serde_json::Value::from(fragment)],
        )
        .await?;
    browser.wait_for(test_id).await?;
    Ok(())
}

/// How many elements' test ids start with `prefix`.
async fn count(browser: &Browser, prefix: &str) -> Result<usize> {
    let n = browser
        .eval(
            "return document.querySelectorAll(`[data-testid^=\"${arguments[0]}\"]`).length;",
            vec![serde_json::Value::from(prefix)],
        )
        .await?;
    n.as_u64().map(|n| n as usize).context("not a count")
}

/// The overview of `network` on the page: the manifest's class names in order with `models`'
/// probabilities, and one tile per channel of every map column.
async fn check_overview(browser: &Browser, network: &Network, trace: &Trace) -> Result<()> {
    let shown = page::shown_prediction(browser).await?;
    let probabilities = trace.final_output().to_vec();
    ensure!(shown.percents.len() == network.class_names().len(), "{shown:?}");
    for (i, (name, p)) in network.class_names().iter().zip(&probabilities).enumerate() {
        let text = browser.text(&format!("class-{i}")).await?;
        ensure!(
            text.contains(name.as_str()),
            "class {i} shows {text:?}, the manifest names {name:?}"
        );
        ensure!(
            (shown.percents[i] - p * 100.0).abs() <= page::PERCENT_TOLERANCE,
            "class {i}: the page shows {}%, models computes {}%",
            shown.percents[i],
            p * 100.0
        );
    }
    ensure!(shown.predicted == [trace.predicted_class()], "{shown:?}");
    let channels = network.input_shape()[0];
    ensure!(
        count(browser, "input-").await? == channels,
        "{channels} input channel(s)"
    );
    for (layer, shape) in network.output_shapes().iter().enumerate() {
        if let [maps, _, _] = shape.as_slice() {
            let shown = count(browser, &format!("neuron-{layer}-")).await?;
            ensure!(shown == *maps, "layer {layer} shows {shown} maps, it has {maps}");
        }
    }
    Ok(())
}

/// A conv step's numbers on the page equal `models::explain::conv` there.
async fn check_conv(browser: &Browser, network: &Network, trace: &Trace, layer: usize) -> Result<()> {
    let (neuron, step) = (1, 5);
    show(
        browser,
        &format!("view=operation&layer={layer}&neuron={neuron}&step={step}"),
        "view-conv",
    )
    .await?;
    let width = network.output_shapes()[layer][2];
    let (y, x) = (step / width, step % width);
    let explanation = explain::conv(network, trace, layer, neuron, y, x)?;
    page::assert_close(
        "conv total",
        page::value_of(browser, "conv-total").await?,
        explanation.total,
    )?;
    page::assert_close(
        "conv bias",
        page::value_of(browser, "conv-bias").await?,
        explanation.bias,
    )?;
    for term in &explanation.channels {
        let c = term.in_channel;
        let sum = page::value_of(browser, &format!("conv-channel-sum-{c}")).await?;
        page::assert_close(&format!("channel {c}'s sum"), sum, term.sum)?;
        let (kh, kw) = term.products.dim();
        let ids: Vec<String> = (0..kh * kw)
            .map(|i| format!("conv-product-{c}-{}-{}", i / kw, i % kw))
            .collect();
        for (i, shown) in page::values_of(browser, &ids).await?.into_iter().enumerate() {
            page::assert_close(&ids[i], shown, term.products[[i / kw, i % kw]])?;
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_greyscale_model_file_switches_the_app_and_its_conv_step_equals_models() -> Result<()> {
    let (_server, browser) = page::open_client("own-grey").await?;
    let (network, trace) = open_model(&browser, "grey").await?;
    ensure!(network.input_shape()[0] == 1, "the fixture is greyscale");
    check_overview(&browser, &network, &trace).await?;
    let status = browser.text("model-status").await?;
    ensure!(
        status.contains("grey") && status.contains("4 classes"),
        "{status:?}"
    );
    // Layer 3: a 3×3 kernel with stride 2 and padding 1.
    ensure!(matches!(&network.layers()[3].layer, Layer::Conv2d(c) if c.stride == 2 && c.padding == 1));
    check_conv(&browser, &network, &trace, 3).await?;

    // The hidden dense layer (6) and the ReLU on its 32 units (7): the real numbers too.
    show(
        &browser,
        "view=operation&layer=6&neuron=5&step=100",
        "view-flatten",
    )
    .await?;
    let dense = explain::linear(&network, &trace, 6, 5)?;
    page::assert_close(
        "unit 5's value",
        page::value_of(&browser, "flatten-logit").await?,
        dense.total,
    )?;
    page::assert_close(
        "x[100]",
        page::value_of(&browser, "flatten-input").await?,
        dense.inputs[100],
    )?;
    page::assert_close(
        "w[100]",
        page::value_of(&browser, "flatten-weight").await?,
        dense.weights[100],
    )?;
    show(&browser, "view=operation&layer=7&neuron=0&step=9", "view-relu").await?;
    let relu = explain::relu(&network, &trace, 7, &[9])?;
    page::assert_close(
        "ReLU in",
        page::value_of(&browser, "relu-input").await?,
        relu.input,
    )?;
    page::assert_close(
        "ReLU out",
        page::value_of(&browser, "relu-output").await?,
        relu.output,
    )?;

    // Back to Tiny VGG: its classes again.
    browser.click("network-open").await?;
    browser.click("model-builtin").await?;
    page::wait_for_prediction(&browser, &expected::for_sample(0)?).await?;
    browser.assert_no_console_errors().await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_colour_model_file_shows_average_pooling_with_the_numbers_of_models() -> Result<()> {
    let (_server, browser) = page::open_client("own-colour").await?;
    let (network, trace) = open_model(&browser, "colour").await?;
    check_overview(&browser, &network, &trace).await?;
    // Layer 2: a 5×5 kernel with stride 2.
    check_conv(&browser, &network, &trace, 2).await?;

    let layer = 4;
    let Layer::AvgPool2d(pool) = network.layers()[layer].layer else {
        anyhow::bail!("layer {layer} of the colour fixture is not average pooling");
    };
    let (channel, step) = (3, 9);
    show(
        &browser,
        &format!("view=operation&layer={layer}&neuron={channel}&step={step}"),
        "view-pool",
    )
    .await?;
    let width = network.output_shapes()[layer][2];
    let e = explain::avg_pool(&network, &trace, layer, channel, step / width, step % width)?;
    page::assert_close(
        "the mean",
        page::value_of(&browser, "pool-output").await?,
        e.value,
    )?;
    page::assert_close("the sum", page::value_of(&browser, "pool-sum").await?, e.sum)?;
    let ids: Vec<String> = (0..pool.kernel * pool.kernel)
        .map(|i| format!("pool-window-{}-{}", i / pool.kernel, i % pool.kernel))
        .collect();
    for (i, shown) in page::values_of(&browser, &ids).await?.into_iter().enumerate() {
        page::assert_close(&ids[i], shown, e.window[[i / pool.kernel, i % pool.kernel]])?;
    }
    browser.assert_no_console_errors().await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_model_file_is_refused_with_a_sentence_and_changes_nothing() -> Result<()> {
    let (_server, browser) = page::open_client("own-broken").await?;
    let (file, _) = own_model::bundle_file("colour")?;
    let bytes = std::fs::read(&file)?;
    let broken = e2e::paths::scratch_dir().join("broken-colour.safetensors");
    std::fs::write(&broken, &bytes[..bytes.len() - 100])?;
    browser.click("network-open").await?;
    browser.upload("model-file", &broken).await?;
    browser
        .wait_until(
            "the refusal",
            r#"(document.querySelector('[data-testid="model-status"]')?.innerText ?? '').startsWith('This model cannot be opened')"#,
        )
        .await?;
    page::wait_for_prediction(&browser, &expected::for_sample(0)?).await?;
    ensure!(!browser.exists("model-builtin").await?, "still Tiny VGG");
    browser.assert_no_console_errors().await?;
    browser.close().await
}

/// Every view of the fixture networks, for the screenshots: a name, the address, its test id.
fn views(network: &Network) -> Vec<(String, String, &'static str)> {
    let mut out = vec![("overview".to_owned(), "view=overview".to_owned(), "overview")];
    let last_linear = network
        .layers()
        .iter()
        .rposition(|l| matches!(l.layer, Layer::Linear(_)))
        .unwrap_or(0);
    let mut seen = Vec::new();
    for (layer, named) in network.layers().iter().enumerate() {
        let vector = network.output_shapes()[layer].len() == 1;
        let (kind, view, test_id) = match &named.layer {
            Layer::Conv2d(_) if !seen.contains(&"conv") => ("conv", "operation", "view-conv"),
            Layer::ReLU if vector && !seen.contains(&"relu-units") => {
                ("relu-units", "operation", "view-relu")
            }
            Layer::AvgPool2d(_) => ("avg-pool", "operation", "view-pool"),
            Layer::MaxPool2d(_) => ("max-pool", "operation", "view-pool"),
            Layer::Linear(_) if layer < last_linear => ("dense-hidden", "operation", "view-flatten"),
            Layer::Linear(_) => ("class", "neuron", "elastic-class"),
            Layer::Softmax => ("softmax", "operation", "view-softmax"),
            _ => continue,
        };
        seen.push(kind);
        out.push((
            kind.to_owned(),
            format!("view={view}&layer={layer}&neuron=0&step=3"),
            test_id,
        ));
    }
    // The playground starts from one that fits the network (its input, its first kernel).
    out.push((
        "playground".to_owned(),
        "view=playground".to_owned(),
        "view-playground",
    ));
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn screenshots_of_both_networks_at_three_sizes() -> Result<()> {
    let server = TestServer::start().await?;
    for name in ["grey", "colour", "wide"] {
        for (width, height) in [(1920, 1080), (1280, 720), (390, 844)] {
            let browser = Browser::launch_at(&format!("own-{name}-{width}x{height}"), width, height).await?;
            browser.goto(&server.url()).await?;
            browser.wait_ready().await?;
            let (network, _) = open_model(&browser, name).await?;
            for (view, fragment, test_id) in views(&network) {
                show(&browser, &fragment, test_id).await?;
                let error = browser
                    .eval(
                        "return document.querySelector('.view-error')?.innerText ?? null;",
                        vec![],
                    )
                    .await?;
                ensure!(error.is_null(), "{name} {view}: {error}");
                tokio::time::sleep(std::time::Duration::from_millis(700)).await;
                browser
                    .screenshot(&format!("own-{name}-{view}-{width}x{height}"))
                    .await?;
            }
            browser.assert_no_console_errors().await?;
            browser.close().await?;
        }
    }
    Ok(())
}

//! Browser tests of the numeric colour legends: in every colour-range mode the overview's
//! per-column extremes and each range group's legend (its ends ±range, zero, the group's extremes)
//! are the trace's own minima and maxima as the `models` crate computes them; the explanation
//! views' legends (inputs, kernel weights, intermediate maps, output) likewise. The printed
//! numbers are checked as well as the exact `data-*` values.

use anyhow::{Context, Result, ensure};
use e2e::expected::{self, parse_value};
use e2e::{Browser, page};
use models::builtin::tiny_vgg;
use models::{Layer, explain};
use ndarray::ArrayViewD;

fn extremes(values: impl IntoIterator<Item = f32>) -> (f32, f32) {
    values
        .into_iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

fn of(array: &ArrayViewD<'_, f32>) -> (f32, f32) {
    extremes(array.iter().copied())
}

/// The legend's or range's exact `data-{attribute}`.
async fn data(browser: &Browser, test_id: &str, attribute: &str) -> Result<f32> {
    let text = browser
        .attr(test_id, &format!("data-{attribute}"))
        .await?
        .with_context(|| format!("{test_id} has no data-{attribute}"))?;
    parse_value(&text)
}

/// Checks the exact value and the printed one (which rounds to at most four significant digits).
async fn check(
    browser: &Browser,
    test_id: &str,
    attribute: &str,
    printed: Option<&str>,
    wanted: f32,
) -> Result<()> {
    let shown = data(browser, test_id, attribute).await?;
    page::assert_close(&format!("{test_id} data-{attribute}"), shown, wanted)?;
    if let Some(printed_id) = printed {
        let text = browser.text(printed_id).await?;
        let number: String = text
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-' || *c == '\u{2212}')
            .collect();
        let value = parse_value(&number).with_context(|| format!("{printed_id} prints {text:?}"))?;
        let tolerance = 0.0051_f32.max(wanted.abs() * 0.0051);
        ensure!(
            (value - wanted).abs() <= tolerance,
            "{printed_id} prints {text:?}, the models crate computes {wanted}"
        );
    }
    Ok(())
}

/// Groups of hidden layers sharing one colour range in each mode, as the overview draws them.
fn groups(mode: &str) -> Vec<Vec<usize>> {
    match mode {
        "layer" => vec![vec![0, 1], vec![2, 3, 4], vec![5, 6], vec![7, 8, 9]],
        "block" => vec![vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9]],
        _ => vec![(0..10).collect()],
    }
}

async fn choose_mode(browser: &Browser, mode: &str) -> Result<()> {
    browser
        .eval(
            "const s = document.querySelector('[data-testid=\"color-range\"]'); s.value = arguments[0]; \
             s.dispatchEvent(new Event('change', { bubbles: true })); return true;",
            vec![serde_json::Value::from(mode)],
        )
        .await?;
    browser
        .wait_until(
            &format!("the colour range to become {mode}"),
            &format!("location.hash.includes('range={mode}')"),
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn overview_legends_are_the_traces_extremes_in_every_mode() -> Result<()> {
    let (_server, browser) = page::open_client("legends-overview").await?;
    let expected = expected::for_sample(0)?;
    page::wait_for_prediction(&browser, &expected).await?;
    let outputs = &expected.trace.outputs;
    let layer_extremes: Vec<(f32, f32)> = outputs.iter().map(|o| of(&o.view())).collect();
    let input = of(&expected.trace.input.view().into_dyn());

    for mode in ["layer", "block", "network"] {
        choose_mode(&browser, mode).await?;
        browser.wait_for("legend-input").await?;
        // Each column: its largest and smallest value.
        check(&browser, "range-input", "min", None, input.0).await?;
        check(&browser, "range-input", "max", None, input.1).await?;
        for (layer, (lo, hi)) in layer_extremes.iter().enumerate().take(10) {
            let id = format!("range-{layer}");
            check(&browser, &id, "min", None, *lo).await?;
            check(&browser, &id, "max", None, *hi).await?;
            let text = browser.text(&id).await?;
            for (wanted, mark) in [(hi, '▲'), (lo, '▼')] {
                let printed: String = text
                    .split(mark)
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .with_context(|| format!("{id} does not print {mark}: {text:?}"))?
                    .to_owned();
                let value = parse_value(&printed)?;
                ensure!(
                    (value - wanted).abs() <= 0.0051_f32.max(wanted.abs() * 0.0051),
                    "{mode}: {id} prints {printed} after {mark}, the trace has {wanted}"
                );
            }
        }
        // The input legend: the fixed [0, 1] scale, the picture's extremes marked.
        check(&browser, "legend-input", "low", Some("legend-input-low"), 0.0).await?;
        check(&browser, "legend-input", "high", Some("legend-input-high"), 1.0).await?;
        check(&browser, "legend-input", "min", None, input.0).await?;
        check(&browser, "legend-input", "max", None, input.1).await?;
        // Each range group: ±(largest magnitude in the group), zero, the group's extremes.
        for group in groups(mode) {
            let id = format!("legend-group-{}", group[0]);
            let lo = group
                .iter()
                .map(|&l| layer_extremes[l].0)
                .fold(f32::INFINITY, f32::min);
            let hi = group
                .iter()
                .map(|&l| layer_extremes[l].1)
                .fold(f32::NEG_INFINITY, f32::max);
            let range = lo.abs().max(hi.abs());
            check(&browser, &id, "low", Some(&format!("{id}-low")), -range).await?;
            check(&browser, &id, "high", Some(&format!("{id}-high")), range).await?;
            check(&browser, &id, "min", None, lo).await?;
            check(&browser, &id, "max", None, hi).await?;
            let zero = browser.text(&format!("{id}-zero")).await?;
            ensure!(zero.trim() == "0", "{mode}: {id} marks zero as {zero:?}");
        }
        let legends = browser
            .eval(
                "return document.querySelectorAll('.legend[data-testid^=\"legend-group-\"]').length;",
                vec![],
            )
            .await?;
        ensure!(
            legends.as_u64() == Some(groups(mode).len() as u64),
            "{mode}: {legends} group legends, expected {}",
            groups(mode).len()
        );
        browser.screenshot(&format!("legends-overview-{mode}")).await?;
    }
    browser.assert_no_console_errors().await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn explanation_legends_are_the_traces_extremes() -> Result<()> {
    let (server, browser) = page::open_client("legends-views").await?;
    let expected = expected::for_sample(0)?;
    let network = tiny_vgg();
    let outputs = &expected.trace.outputs;
    let (layer, neuron) = (2usize, 3usize);

    for mode in ["layer", "network"] {
        browser.goto("about:blank").await?;
        browser
            .goto(&format!(
                "{}/#view=operation&layer={layer}&neuron={neuron}&range={mode}",
                server.url()
            ))
            .await?;
        browser.wait_ready().await?;
        browser.wait_for("legend-kernel").await?;
        // Kernel weights: all of this neuron's kernels.
        let Layer::Conv2d(conv) = &network.layers()[layer].layer else {
            anyhow::bail!("layer {layer} is not a convolution")
        };
        let weights = conv.weight.index_axis(ndarray::Axis(0), neuron);
        let (wlo, whi) = extremes(weights.iter().copied());
        check(&browser, "legend-kernel", "min", Some("legend-kernel-min"), wlo).await?;
        check(&browser, "legend-kernel", "max", Some("legend-kernel-max"), whi).await?;
        check(
            &browser,
            "legend-kernel",
            "high",
            Some("legend-kernel-high"),
            wlo.abs().max(whi),
        )
        .await?;
        // The inputs: the previous layer's maps, on that layer's colour range.
        let (slo, shi) = of(&outputs[layer - 1].view());
        check(&browser, "legend-source", "min", Some("legend-source-min"), slo).await?;
        check(&browser, "legend-source", "max", Some("legend-source-max"), shi).await?;
        let source_range = if mode == "layer" {
            // relu_1_1 shares conv_1_1's range.
            let (lo0, hi0) = of(&outputs[0].view());
            lo0.abs().max(hi0).max(shi)
        } else {
            outputs[..10]
                .iter()
                .map(|o| o.iter().fold(0.0f32, |m, v| m.max(v.abs())))
                .fold(0.0, f32::max)
        };
        check(&browser, "legend-source", "high", None, source_range).await?;
        // The intermediate maps (each channel convolved with its own kernel).
        let maps = explain::conv_intermediate_maps(network, &expected.trace, layer, neuron)?;
        let (ilo, ihi) = extremes(maps.iter().copied());
        check(
            &browser,
            "legend-intermediate",
            "min",
            Some("legend-intermediate-min"),
            ilo,
        )
        .await?;
        check(
            &browser,
            "legend-intermediate",
            "max",
            Some("legend-intermediate-max"),
            ihi,
        )
        .await?;
        // The output map of this neuron.
        let map = outputs[layer].index_axis(ndarray::Axis(0), neuron);
        let (olo, ohi) = extremes(map.iter().copied());
        check(&browser, "legend-output", "min", Some("legend-output-min"), olo).await?;
        check(&browser, "legend-output", "max", Some("legend-output-max"), ohi).await?;
        browser.screenshot(&format!("legends-conv-{mode}")).await?;
    }

    // ReLU: input map (conv_1_1 #0) and output map (relu_1_1 #0).
    browser.goto("about:blank").await?;
    browser
        .goto(&format!("{}/#view=operation&layer=1&neuron=0", server.url()))
        .await?;
    browser.wait_ready().await?;
    browser.wait_for("legend-output").await?;
    for (id, layer) in [("legend-input", 0usize), ("legend-output", 1)] {
        let map = outputs[layer].index_axis(ndarray::Axis(0), 0);
        let (lo, hi) = extremes(map.iter().copied());
        check(&browser, id, "min", Some(&format!("{id}-min")), lo).await?;
        check(&browser, id, "max", Some(&format!("{id}-max")), hi).await?;
    }
    browser.assert_no_console_errors().await?;
    browser.close().await
}

//! Browser tests of the hyperparameter playground: for several inputs, paddings, kernel sizes
//! and strides, the padded input, kernel and output grids the page shows (read from the DOM)
//! are the crop of the picture's or a layer's map, the network's kernel (or the typed one) and a
//! plain convolution of the two computed here; the window moves in step with the playback; a
//! combination without output says why in a sentence. Screenshots at 1920×1080, 1280×720 and a
//! 390×844 phone go to target/e2e-artifacts/.

use anyhow::{Context, Result, ensure};
use e2e::{Browser, BrowserOptions, TestServer, expected, page};
use models::builtin::tiny_vgg;
use models::playground::{crop, model_kernel};
use ndarray::Array2;
use serde_json::json;

/// The convolution by its definition, written out here: zero padding, stride, one channel, no
/// bias.
fn plain_convolution(
    input: &Array2<f32>,
    kernel: &Array2<f32>,
    padding: usize,
    stride: usize,
) -> Array2<f32> {
    let n = input.nrows() as isize;
    let k = kernel.nrows();
    let side = (input.nrows() + 2 * padding - k) / stride + 1;
    Array2::from_shape_fn((side, side), |(y, x)| {
        let mut sum = 0.0f32;
        for u in 0..k {
            for v in 0..k {
                let row = (y * stride + u) as isize - padding as isize;
                let column = (x * stride + v) as isize - padding as isize;
                if (0..n).contains(&row) && (0..n).contains(&column) {
                    sum += input[[row as usize, column as usize]] * kernel[[u, v]];
                }
            }
        }
        sum
    })
}

/// Sets a range slider (by test id) as a user dragging it would, and waits until the view shows
/// `settings` (`n.p.k.s`): one change at a time, as a user makes them.
async fn set_slider(browser: &Browser, id: &str, value: usize, settings: &str) -> Result<()> {
    browser
        .eval(
            r#"const e = document.querySelector(`[data-testid="${arguments[0]}"]`);
               e.value = String(arguments[1]);
               e.dispatchEvent(new Event("input", { bubbles: true }));
               return true;"#,
            vec![json!(id), json!(value)],
        )
        .await?;
    browser
        .wait_until(
            &format!("the playground at {settings} after moving {id}"),
            &format!(
                r#"document.querySelector('[data-testid="view-playground"]')?.getAttribute("data-settings") === "{settings}""#
            ),
        )
        .await
}

/// Chooses an option of a select (by test id) and waits until the address bar (which the page
/// keeps on its state) contains `state`.
async fn choose(browser: &Browser, id: &str, value: &str, state: &str) -> Result<()> {
    browser
        .eval(
            r#"const e = document.querySelector(`[data-testid="${arguments[0]}"]`);
               e.value = arguments[1];
               e.dispatchEvent(new Event("change", { bubbles: true }));
               return true;"#,
            vec![json!(id), json!(value)],
        )
        .await?;
    browser
        .wait_until(
            &format!("the address to contain {state} after choosing {value} in {id}"),
            &format!("location.hash.includes({})", json!(state)),
        )
        .await
}

/// The value of a range slider (by test id).
async fn slider_value(browser: &Browser, id: &str) -> Result<usize> {
    let value = browser
        .eval(
            r#"return Number(document.querySelector(`[data-testid="${arguments[0]}"]`).value);"#,
            vec![json!(id)],
        )
        .await?;
    value
        .as_u64()
        .map(|v| v as usize)
        .with_context(|| format!("{id} has no numeric value: {value}"))
}

/// The values of a `rows × columns` grid whose cells are `{prefix}-{r}-{c}`.
async fn grid(browser: &Browser, prefix: &str, side: usize) -> Result<Array2<f32>> {
    let ids: Vec<String> = (0..side * side)
        .map(|i| format!("{prefix}-{}-{}", i / side, i % side))
        .collect();
    let values = page::values_of(browser, &ids).await?;
    Ok(Array2::from_shape_vec((side, side), values)?)
}

fn assert_grid_close(what: &str, shown: &Array2<f32>, expected: &Array2<f32>) -> Result<()> {
    ensure!(
        shown.dim() == expected.dim(),
        "{what}: {:?} vs {:?}",
        shown.dim(),
        expected.dim()
    );
    for ((position, &a), &b) in shown.indexed_iter().zip(expected) {
        page::assert_close(&format!("{what} {position:?}"), a, b)?;
    }
    Ok(())
}

/// What the page shows for one setting, checked against the models crate and a plain loop.
struct Case {
    settings: &'static str,
    map: usize,
    channel: usize,
    kernel: Kernel,
}

enum Kernel {
    Model {
        layer: usize,
        neuron: usize,
        channel: usize,
    },
    Hand(Array2<f32>),
}

async fn check_case(browser: &Browser, trace: &models::Trace, case: &Case) -> Result<Array2<f32>> {
    let network = tiny_vgg();
    let numbers: Vec<usize> = case.settings.split('.').map(|v| v.parse().unwrap_or(0)).collect();
    let [n, p, k, s] = numbers[..] else {
        anyhow::bail!("settings {} are not n.p.k.s", case.settings)
    };
    let (top, left) = (
        slider_value(browser, "pg-size-top").await?,
        slider_value(browser, "pg-size-left").await?,
    );
    let input = crop(network, trace, case.map, case.channel, top, left, n)?;
    let kernel = match &case.kernel {
        Kernel::Model {
            layer,
            neuron,
            channel,
        } => model_kernel(network, *layer, *neuron, *channel)?,
        Kernel::Hand(kernel) => kernel.clone(),
    };
    ensure!(
        kernel.nrows() == k,
        "{}: the kernel is not {k}×{k}",
        case.settings
    );
    let padded_side = n + 2 * p;
    let mut padded = Array2::zeros((padded_side, padded_side));
    padded.slice_mut(ndarray::s![p..p + n, p..p + n]).assign(&input);
    assert_grid_close(
        &format!("{}: padded input", case.settings),
        &grid(browser, "pg-padded", padded_side).await?,
        &padded,
    )?;
    assert_grid_close(
        &format!("{}: kernel", case.settings),
        &grid(browser, "pg-weights", k).await?,
        &kernel,
    )?;
    let expected = plain_convolution(&input, &kernel, p, s);
    let shown = grid(browser, "pg-output", expected.nrows()).await?;
    assert_grid_close(&format!("{}: output", case.settings), &shown, &expected)?;
    ensure!(
        !browser.exists("playground-invalid").await?,
        "{}: a valid combination shows an error",
        case.settings
    );
    Ok(expected)
}

async fn open_playground(browser: &Browser) -> Result<()> {
    browser.click("open-playground").await?;
    browser.wait_for("view-playground").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn playground_outputs_are_a_plain_convolution_of_the_crop_and_kernel() -> Result<()> {
    let (_server, browser) = page::open_client("playground").await?;
    let expected = expected::for_sample(0)?;
    page::wait_for_prediction(&browser, &expected).await?;
    open_playground(&browser).await?;
    let trace = &expected.trace;
    let conv_1_1 = |neuron, channel| Kernel::Model {
        layer: 0,
        neuron,
        channel,
    };

    // The default: a 6 × 6 crop of the red channel with conv_1_1's first kernel.
    let first = Case {
        settings: "6.0.3.1",
        map: 0,
        channel: 0,
        kernel: conv_1_1(0, 0),
    };
    check_case(&browser, trace, &first).await?;
    ensure!(
        browser.exists("playground-repeat").await?,
        "the default repeats conv_1_1's own convolution and should say so"
    );

    // Padding 1, stride 2 on a 7 × 7 crop: (7 + 2 − 3) / 2 + 1 = 4.
    set_slider(&browser, "pg-size-input", 7, "7.0.3.1").await?;
    set_slider(&browser, "pg-size-padding", 1, "7.1.3.1").await?;
    set_slider(&browser, "pg-size-stride", 2, "7.1.3.2").await?;
    let strided = Case {
        settings: "7.1.3.2",
        ..first
    };
    let output = check_case(&browser, trace, &strided).await?;
    ensure!(output.dim() == (4, 4), "o = (7 + 2·1 − 3) / 2 + 1 = 4");
    let formula = browser.text("playground-formula").await?;
    ensure!(
        formula.contains("(7 + 2 × 1 − 3) / 2 + 1 = 4"),
        "the formula does not show the numbers: {formula:?}"
    );

    // The window moves with the playback: step 5 is output (1, 1), whose window starts at
    // padded (2, 2).
    for _ in 0..5 {
        browser.click("step-forward").await?;
    }
    browser
        .wait_until(
            "the playground at step 5",
            r#"document.querySelector('[data-testid="view-playground"]').getAttribute("data-step") === "5""#,
        )
        .await?;
    let window = browser
        .eval(
            r#"return document.querySelector('[data-testid="view-playground"] .pg-outline.window').getAttribute("style");"#,
            vec![],
        )
        .await?;
    ensure!(
        window.as_str() == Some("--top:2;--left:2;--side:3"),
        "the window is not at padded (2, 2) for output (1, 1): {window}"
    );
    page::assert_close(
        "playground-sum at (1, 1)",
        page::value_of(&browser, "playground-sum").await?,
        output[[1, 1]],
    )?;
    browser.screenshot("playground-stride-2").await?;
    // Pointing at an output value moves the window there: (2, 3) is step 11, window at (4, 6).
    browser
        .eval(
            r#"document.querySelector('[data-testid="pg-output-2-3"]')
                 .dispatchEvent(new PointerEvent("pointerenter", { pointerType: "mouse" }));
               return true;"#,
            vec![],
        )
        .await?;
    browser
        .wait_until(
            "the window at the pointed output",
            r#"document.querySelector('[data-testid="view-playground"]').getAttribute("data-step") === "11"
               && document.querySelector('.pg-outline.window').getAttribute("style") === "--top:4;--left:6;--side:3""#,
        )
        .await?;
    page::assert_close(
        "playground-sum at (2, 3)",
        page::value_of(&browser, "playground-sum").await?,
        output[[2, 3]],
    )?;

    // Padding 2, stride 3 on a 5 × 5 crop of another channel of another layer's map
    // (relu_1_2, map 4, channel 3), with conv_1_2's kernel for that channel: (5 + 4 − 3) / 3 + 1 = 3.
    choose(&browser, "pg-kernel-source", "2", "kernel=m.2.0.0").await?;
    choose(&browser, "pg-kernel-neuron", "5", "kernel=m.2.5.0").await?;
    choose(&browser, "pg-kernel-channel", "3", "kernel=m.2.5.3").await?;
    choose(&browser, "pg-map", "4", "crop=4.3.").await?;
    set_slider(&browser, "pg-size-input", 5, "5.1.3.2").await?;
    set_slider(&browser, "pg-size-padding", 2, "5.2.3.2").await?;
    set_slider(&browser, "pg-size-stride", 3, "5.2.3.3").await?;
    let other_map = Case {
        settings: "5.2.3.3",
        map: 4,
        channel: 3,
        kernel: Kernel::Model {
            layer: 2,
            neuron: 5,
            channel: 3,
        },
    };
    let output = check_case(&browser, trace, &other_map).await?;
    ensure!(output.dim() == (3, 3));

    // A 5 × 5 kernel cannot be the network's: it becomes typed by hand from the network's 3 × 3
    // (rounded to tenths, zeros around); then one weight is typed. (5 + 4 − 5) / 1 + 1 = 5.
    set_slider(&browser, "pg-size-stride", 1, "5.2.3.1").await?;
    set_slider(&browser, "pg-size-kernel", 5, "5.2.5.1").await?;
    let model = model_kernel(tiny_vgg(), 2, 5, 3)?;
    let mut hand = Array2::<f32>::zeros((5, 5));
    for ((r, c), &w) in model.indexed_iter() {
        hand[[r + 1, c + 1]] = (w * 10.0).round() / 10.0;
    }
    let typed = Case {
        settings: "5.2.5.1",
        map: 4,
        channel: 3,
        kernel: Kernel::Hand(hand.clone()),
    };
    check_case(&browser, trace, &typed).await?;
    browser
        .eval(
            r#"const e = document.querySelector('[data-testid="pg-weights-0-0"] input');
               e.value = "1.5";
               e.dispatchEvent(new Event("change", { bubbles: true }));
               return true;"#,
            vec![],
        )
        .await?;
    browser
        .wait_until(
            "the typed weight to show",
            r#"document.querySelector('[data-testid="pg-weights-0-0"]').getAttribute("data-value") === "1.5""#,
        )
        .await?;
    hand[[0, 0]] = 1.5;
    check_case(
        &browser,
        trace,
        &Case {
            kernel: Kernel::Hand(hand),
            ..typed
        },
    )
    .await?;
    browser.screenshot("playground-hand-kernel").await?;
    browser.assert_no_console_errors().await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_combination_without_output_says_why() -> Result<()> {
    let (_server, browser) = page::open_client("playground-invalid").await?;
    open_playground(&browser).await?;
    // (6 + 2·0 − 3) = 3 is not divisible by 2.
    set_slider(&browser, "pg-size-stride", 2, "6.0.3.2").await?;
    let why = browser.text("playground-invalid").await?;
    ensure!(
        why.starts_with("(n + 2p − k) = (6 + 2 × 0 − 3) = 3 is not divisible by the stride s = 2"),
        "the message does not explain the stride: {why:?}"
    );
    ensure!(why.contains("stops 1 pixel short"), "{why:?}");
    // The windows that fit cover rows and columns 0 to 4: the last row and column (11 cells) are
    // marked as never read.
    let unread = browser
        .eval(
            r#"return [...document.querySelectorAll('.pg-cell.unread')].map(e => e.dataset.testid);"#,
            vec![],
        )
        .await?;
    let unread: Vec<String> = serde_json::from_value(unread)?;
    ensure!(
        unread.len() == 11
            && unread.contains(&"pg-padded-5-0".to_owned())
            && unread.contains(&"pg-padded-0-5".to_owned()),
        "the cells no window reads are not the last row and column: {unread:?}"
    );
    let formula = browser.text("playground-formula").await?;
    ensure!(formula.contains("not a whole number"), "{formula:?}");
    ensure!(
        !browser.exists("pg-output-0-0").await?,
        "an invalid combination shows output values"
    );
    ensure!(
        !browser.exists("play").await?,
        "there is nothing to play without an output"
    );
    browser.screenshot("playground-invalid").await?;

    // A kernel larger than the padded input: 2 + 2·0 < 5.
    set_slider(&browser, "pg-size-stride", 1, "6.0.3.1").await?;
    set_slider(&browser, "pg-size-kernel", 5, "6.0.5.1").await?;
    set_slider(&browser, "pg-size-input", 2, "2.0.5.1").await?;
    let why = browser.text("playground-invalid").await?;
    ensure!(
        why.contains("The 5×5 kernel does not fit") && why.contains("n + 2p = 2 + 2 × 0 = 2"),
        "{why:?}"
    );
    // And back to a valid one: the message goes.
    set_slider(&browser, "pg-size-padding", 2, "2.2.5.1").await?;
    browser
        .wait_until(
            "the message to go",
            r#"!document.querySelector('[data-testid="playground-invalid"]')"#,
        )
        .await?;
    browser.assert_no_console_errors().await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_conv_view_opens_the_playground_on_its_own_numbers() -> Result<()> {
    let (_server, browser) = page::open_client("playground-from-conv").await?;
    let expected = expected::for_sample(0)?;
    page::wait_for_prediction(&browser, &expected).await?;
    page::open_conv_arithmetic(&browser, "neuron-2-3").await?;
    for _ in 0..3 {
        browser.click("step-forward").await?;
    }
    browser
        .wait_until(
            "view-conv at step 3",
            r#"document.querySelector('[data-testid="view-conv"]').getAttribute("data-step") === "3""#,
        )
        .await?;
    let channel_sum = page::value_of(&browser, "conv-channel-sum-0").await?;
    browser.click("conv-to-playground").await?;
    browser.wait_for("view-playground").await?;
    let shown = page::value_of(&browser, "playground-sum").await?;
    page::assert_close(
        "the playground's value at the conv view's window",
        shown,
        channel_sum,
    )?;
    ensure!(
        browser.exists("playground-repeat").await?,
        "the playground should say it repeats conv_1_2"
    );
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_playground_fits_a_projector_a_laptop_and_a_phone() -> Result<()> {
    let server = TestServer::start().await?;
    for (width, height) in [(1920, 1080), (1280, 720), (390, 844)] {
        let name = format!("playground-{width}x{height}");
        let browser = Browser::launch_with(BrowserOptions {
            window: (width, height),
            name: name.clone(),
        })
        .await?;
        // The viewport exactly this size (a headless window keeps some of its height for
        // itself, and is at least 500 pixels wide: a phone is emulated).
        browser
            .devtools(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500 }),
            )
            .await?;
        browser
            .devtools(
                "Emulation.setEmulatedMedia",
                json!({ "features": [{ "name": "prefers-color-scheme", "value": "light" }] }),
            )
            .await?;
        browser
            .goto(&format!(
                "{}/#view=playground&pg=7.1.3.2&crop=0.0.44.12&step=5",
                server.url()
            ))
            .await?;
        browser.wait_ready().await?;
        browser.wait_for("pg-output-1-1").await?;
        let fit = browser
            .eval(
                r#"const play = document.querySelector('[data-testid="play"]').getBoundingClientRect();
                   return { page: document.documentElement.scrollWidth, view: window.innerWidth,
                            play: play.bottom, height: window.innerHeight };"#,
                vec![],
            )
            .await?;
        browser.screenshot(&name).await.context("screenshot")?;
        if width < 500 {
            // On a phone the grids come below the controls.
            browser
                .eval(
                    "document.querySelector('.pg-work').scrollIntoView(); return true;",
                    vec![],
                )
                .await?;
            browser.screenshot(&format!("{name}-grids")).await?;
        }
        let number = |key: &str| fit[key].as_f64().unwrap_or(f64::NAN);
        ensure!(
            number("page") <= number("view"),
            "{width}×{height}: the page is wider than the window: {fit}"
        );
        if width >= 1280 {
            ensure!(
                number("play") <= number("height"),
                "{width}×{height}: the playback bar is below the fold: {fit}"
            );
        }
        browser.close().await?;
    }
    Ok(())
}

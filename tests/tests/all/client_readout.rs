//! Browser test of the read-out pill: it shows the value under the pointer, follows a change of
//! picture while the pointer stays (it used to keep the old picture's value), and goes away with
//! the overview (it used to stay on in the explanation the click opened).

use anyhow::{Context, Result, ensure};
use e2e::{Browser, expected, page};
use fantoccini::actions::{InputSource, MouseActions, PointerAction};

/// The read-out's text ("" when hidden or empty).
async fn readout(browser: &Browser) -> Result<String> {
    let text = browser
        .eval(
            "const r = document.querySelector('.readout'); return r ? r.textContent : '';",
            vec![],
        )
        .await?;
    Ok(text.as_str().unwrap_or_default().to_owned())
}

/// `(y, x)` and the printed value of a read-out like `conv_1_1 neuron 3, pixel (4, 7): −0.2092`.
fn parse(text: &str) -> Result<((usize, usize), String)> {
    let inner = text
        .split("pixel (")
        .nth(1)
        .with_context(|| format!("no pixel in the read-out {text:?}"))?;
    let (coords, value) = inner
        .split_once("): ")
        .with_context(|| format!("no value in the read-out {text:?}"))?;
    let (y, x) = coords.split_once(", ").context("no (y, x)")?;
    Ok(((y.trim().parse()?, x.trim().parse()?), value.trim().to_owned()))
}

/// The client's four-decimal form with the typographic minus.
fn printed(value: f32) -> String {
    let text = format!("{:.4}", value.abs());
    if value < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        format!("\u{2212}{text}")
    } else {
        text
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readout_follows_the_picture_and_leaves_with_the_overview() -> Result<()> {
    let (_server, browser) = page::open_client("readout").await?;
    let first = expected::for_sample(0)?;
    page::wait_for_prediction(&browser, &first).await?;
    let (layer, neuron) = (0usize, 3usize);
    let tile = browser.wait_for(&format!("neuron-{layer}-{neuron}")).await?;
    let pointer = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
        element: tile,
        duration: None,
        x: 5.0,
        y: -4.0,
    });
    browser.client().perform_actions(pointer).await?;
    browser
        .wait_until(
            "the read-out to show a pixel",
            "document.querySelector('.readout')?.textContent.includes('pixel (')",
        )
        .await?;
    let ((y, x), shown) = parse(&readout(&browser).await?)?;
    let wanted = printed(first.trace.outputs[layer][[neuron, y, x]]);
    ensure!(
        shown == wanted,
        "the read-out shows {shown} at ({y}, {x}), the trace has {wanted}"
    );

    // Another picture while the pointer stays where it is: the value there changes.
    let (other, second) = (1..models::samples::SAMPLES.len())
        .map(|i| (i, expected::for_sample(i)))
        .find_map(|(i, e)| {
            e.ok()
                .filter(|e| printed(e.trace.outputs[layer][[neuron, y, x]]) != wanted)
                .map(|e| (i, e))
        })
        .context("every sample has the same value there")?;
    browser
        .eval(
            &format!("document.querySelector('[data-testid=\"sample-{other}\"]').click(); return true;"),
            vec![],
        )
        .await?;
    page::wait_for_prediction(&browser, &second).await?;
    let after = readout(&browser).await?;
    let now = printed(second.trace.outputs[layer][[neuron, y, x]]);
    ensure!(
        after.is_empty() || parse(&after)?.1 == now,
        "after the picture changed the read-out says {after:?}; the new picture has {now} at ({y}, {x})"
    );

    // Opening the neuron leaves the overview: nothing is read out any more.
    browser
        .eval(
            &format!(
                "document.querySelector('[data-testid=\"neuron-{layer}-{neuron}\"]').click(); return true;"
            ),
            vec![],
        )
        .await?;
    browser.wait_for("elastic-conv").await?;
    let left = readout(&browser).await?;
    ensure!(left.is_empty(), "the opened network still reads out {left:?}");
    browser.assert_no_console_errors().await?;
    browser.close().await
}

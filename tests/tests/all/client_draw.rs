//! Browser test of the drawing canvas: strokes drawn with pointer events become the network's
//! input — the same canonical bytes and prediction as `models` computes natively from the
//! canvas's pixels — in both inks, and Clear puts the blank paper in the network instead of
//! leaving the old drawing there.

use anyhow::{Context, Result, ensure};
use e2e::{Browser, expected, page};

/// Draws one stroke through `points` (fractions of the canvas's width and height) with the
/// pointer events a mouse sends.
async fn stroke(browser: &Browser, points: &[(f64, f64)]) -> Result<()> {
    let points = serde_json::to_value(points)?;
    browser
        .eval(
            r#"const canvas = document.querySelector('[data-testid="draw-canvas"]');
               const box = canvas.getBoundingClientRect();
               const at = ([x, y]) => ({ clientX: box.left + x * box.width, clientY: box.top + y * box.height,
                                         pointerId: 1, pointerType: 'mouse', isPrimary: true, buttons: 1, bubbles: true });
               const points = arguments[0];
               canvas.dispatchEvent(new PointerEvent('pointerdown', at(points[0])));
               for (const p of points.slice(1)) canvas.dispatchEvent(new PointerEvent('pointermove', at(p)));
               canvas.dispatchEvent(new PointerEvent('pointerup', at(points[points.length - 1])));
               return null;"#,
            vec![points],
        )
        .await?;
    Ok(())
}

/// What `models` makes of the canvas's pixels as they are now.
async fn expected_from_canvas(browser: &Browser) -> Result<expected::Expected> {
    let pixels = browser
        .eval(
            r#"const canvas = document.querySelector('[data-testid="draw-canvas"]');
               const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
               return [canvas.width, canvas.height, Array.from(data.data)];"#,
            vec![],
        )
        .await?;
    let (width, height, rgba): (u32, u32, Vec<u8>) =
        serde_json::from_value(pixels).context("the canvas's pixels")?;
    expected::for_rgba(width, height, &rgba)
}

/// Waits until the network's input is `expected`'s image, and the page shows its prediction.
async fn wait_for_input(browser: &Browser, expected: &expected::Expected, what: &str) -> Result<()> {
    let hash: String = expected.image.hash().iter().map(|b| format!("{b:02x}")).collect();
    browser
        .wait_until(
            &format!("the network's input to be {what} (hash {hash})"),
            &format!(r#"document.querySelector('[data-testid="network-input"][data-input-hash="{hash}"]')"#),
        )
        .await?;
    page::wait_for_prediction(browser, expected).await
}

#[tokio::test(flavor = "multi_thread")]
async fn strokes_become_the_input_and_clear_empties_it_in_both_inks() -> Result<()> {
    let (_server, browser) = page::open_client("draw").await?;
    page::wait_for_prediction(&browser, &expected::for_sample(0)?).await?;
    browser.click("draw-toggle").await?;
    browser.wait_for("draw-canvas").await?;

    // Opening the canvas does not replace the picture the network shows.
    ensure!(
        !browser.exists("network-input").await?,
        "opening the drawing canvas already replaced the sample"
    );

    // Dark ink on white: two legs and a waistband, a pair of trousers.
    for (name, ink_label) in [("dark", "Light on black"), ("light", "Dark on white")] {
        stroke(&browser, &[(0.3, 0.15), (0.7, 0.15)]).await?;
        stroke(&browser, &[(0.32, 0.15), (0.3, 0.9)]).await?;
        let before_last = expected_from_canvas(&browser).await?;
        stroke(&browser, &[(0.68, 0.15), (0.7, 0.9)]).await?;
        let drawn = expected_from_canvas(&browser).await?;
        ensure!(
            drawn.image.hash() != before_last.image.hash(),
            "{name} ink: the last stroke changed nothing on the canvas"
        );
        wait_for_input(&browser, &drawn, &format!("the {name}-ink drawing")).await?;
        browser.screenshot(&format!("draw-{name}")).await?;

        browser.click("draw-clear").await?;
        let blank = expected_from_canvas(&browser).await?;
        ensure!(
            blank.image.rgb.iter().all(|&v| v == blank.image.rgb[0]),
            "{name} ink: Clear left marks on the canvas"
        );
        wait_for_input(&browser, &blank, &format!("the blank {name}-ink paper")).await?;

        // Then the other ink, on fresh paper.
        ensure!(
            browser.text("draw-ink").await?.trim() == ink_label,
            "the ink button reads {:?}, expected {ink_label:?}",
            browser.text("draw-ink").await?
        );
        if name == "dark" {
            browser.click("draw-ink").await?;
        }
    }
    browser.assert_no_console_errors().await?;
    browser.close().await
}

//! Browser tests of the join boxes in the header: the text typed into them (and the code a join
//! link fills in) is readable — a contrast ratio of at least 4.5:1 (WCAG AA) between the text
//! colour and the box's background, both from computed styles, in the light colour scheme — and
//! a join that fails keeps what was typed instead of emptying both boxes.

use anyhow::{Context, Result, ensure};
use e2e::{Browser, page};
use serde_json::Value;

/// The contrast ratio of the typed text in the element with `test_id`: its computed colour over
/// the first non-transparent background behind it (blending translucent layers on the way).
async fn contrast(browser: &Browser, test_id: &str) -> Result<f64> {
    let ratio = browser
        .eval(
            r#"const parse = (c) => { const m = c.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
               const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])).concat([1]);
               const e = document.querySelector(`[data-testid="${arguments[0]}"]`);
               // The background: every layer from the page down to the box, blended.
               const chain = [];
               for (let a = e; a; a = a.parentElement) chain.unshift(parse(getComputedStyle(a).backgroundColor));
               let bg = [255, 255, 255, 1];
               for (const layer of chain) bg = over(layer, bg);
               const fg = over(parse(getComputedStyle(e).color), bg);
               const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
               const [a, b] = [lum(fg), lum(bg)];
               return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);"#,
            vec![Value::from(test_id)],
        )
        .await?;
    ratio.as_f64().context("no contrast ratio")
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_join_code_and_name_are_readable() -> Result<()> {
    let (server, browser) = page::open_client("join-contrast").await?;
    let scheme = browser
        .eval(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await?;
    ensure!(
        scheme == Value::Bool(false),
        "the test browser is not in the light colour scheme"
    );
    browser
        .wait_for("join-code-input")
        .await?
        .send_keys("KXMRTW")
        .await?;
    browser
        .wait_for("join-name-input")
        .await?
        .send_keys("Ada")
        .await?;
    for id in ["join-code-input", "join-name-input"] {
        let ratio = contrast(&browser, id).await?;
        ensure!(
            ratio >= 4.5,
            "the text typed into {id} has a contrast ratio of {ratio:.2}:1, below 4.5:1"
        );
    }
    browser.screenshot("join-boxes-typed").await?;
    // The code a join link fills in, too.
    browser.goto(&format!("{}/join/KXMRTW", server.url())).await?;
    browser.wait_ready().await?;
    let ratio = contrast(&browser, "join-code-input").await?;
    ensure!(
        ratio >= 4.5,
        "the join link's code has a contrast ratio of {ratio:.2}:1, below 4.5:1"
    );
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_join_keeps_what_was_typed() -> Result<()> {
    let (_server, browser) = page::open_client("join-failed").await?;
    // A well-formed code of no lecture: the server refuses it.
    let (code, name) = ("QWERTY", "Ada Lovelace");
    browser.wait_for("join-code-input").await?.send_keys(code).await?;
    browser.wait_for("join-name-input").await?.send_keys(name).await?;
    browser.click("join-submit").await?;
    browser.wait_for("live-notice").await?;
    let values = browser
        .eval(
            "return ['join-code-input', 'join-name-input'].map(id => document.querySelector(`[data-testid=\"${id}\"]`).value);",
            vec![],
        )
        .await?;
    ensure!(
        values == serde_json::json!([code, name]),
        "after the refused join the boxes hold {values}, not what was typed ({code}, {name})"
    );
    browser.screenshot("join-failed").await?;
    browser.close().await
}

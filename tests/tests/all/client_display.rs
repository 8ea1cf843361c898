//! Browser test of this screen's display settings: the teaching hints can be hidden and projector
//! mode switched on from the toolbar; both survive a reload (address bar) and a fresh visit
//! (this browser remembers them), and neither is part of the lecture's focus.

use anyhow::{Result, ensure};
use e2e::{Browser, page};
use serde_json::Value;

async fn count(browser: &Browser, selector: &str) -> Result<u64> {
    let n = browser
        .eval(
            "return document.querySelectorAll(arguments[0]).length;",
            vec![Value::from(selector)],
        )
        .await?;
    Ok(n.as_u64().unwrap_or(0))
}

async fn projector_on(browser: &Browser) -> Result<bool> {
    Ok(browser
        .eval(
            "return document.documentElement.classList.contains('projector');",
            vec![],
        )
        .await?
        == Value::Bool(true))
}

#[tokio::test(flavor = "multi_thread")]
async fn hints_hide_and_projector_mode_persist() -> Result<()> {
    let (server, browser) = page::open_client("display").await?;
    // The conv view has hints ("each input channel has its own kernel", ...).
    browser.goto("about:blank").await?;
    browser
        .goto(&format!("{}/#view=operation&layer=2&neuron=3", server.url()))
        .await?;
    browser.wait_ready().await?;
    browser.wait_for("view-conv").await?;
    ensure!(
        count(&browser, "[data-testid=\"hint\"]").await? >= 2,
        "the conv view shows no hints"
    );
    let kernel_hint = browser
        .eval(
            "return document.querySelector('[data-testid=\"hint\"]').textContent;",
            vec![],
        )
        .await?;
    ensure!(
        kernel_hint.as_str().unwrap_or_default().contains("own"),
        "the first conv hint is {kernel_hint}"
    );

    browser.click("toggle-hints").await?;
    browser
        .wait_until(
            "the hints to go",
            "!document.querySelector('[data-testid=\"hint\"]')",
        )
        .await?;
    browser.click("toggle-projector").await?;
    browser
        .wait_until(
            "projector mode",
            "document.documentElement.classList.contains('projector')",
        )
        .await?;
    browser.screenshot("display-projector-no-hints").await?;

    // A reload keeps both (the address bar), ...
    browser.reload().await?;
    browser.wait_ready().await?;
    browser.wait_for("view-conv").await?;
    ensure!(
        count(&browser, "[data-testid=\"hint\"]").await? == 0,
        "hints came back after a reload"
    );
    ensure!(
        projector_on(&browser).await?,
        "projector mode was lost in a reload"
    );
    // ... and so does a fresh visit without them in the address (this browser remembers).
    browser.goto("about:blank").await?;
    browser.goto(&server.url()).await?;
    browser.wait_ready().await?;
    ensure!(
        projector_on(&browser).await?,
        "projector mode was forgotten on a new visit"
    );
    ensure!(
        count(&browser, "[data-testid=\"hint\"]").await? == 0,
        "hints came back on a new visit"
    );

    // Back on: hints return.
    browser.click("toggle-hints").await?;
    browser.wait_for("hint").await?;
    browser.click("toggle-projector").await?;
    ensure!(
        !projector_on(&browser).await?,
        "projector mode did not switch off"
    );
    browser.assert_no_console_errors().await?;
    browser.close().await
}

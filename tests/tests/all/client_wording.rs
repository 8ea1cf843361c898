//! Browser test of small wording on the views: "1 step/s" (not "1 steps/s"), "the first term"
//! (not "the first 1 terms"), no space inside "max(0, x)" before its closing parenthesis, and
//! e^logit values in a readable number format (never computer notation such as `3.7776e5`).

use anyhow::{Context, Result, bail};
use e2e::{Browser, TestServer, expected, page};

async fn open(browser: &Browser, server: &TestServer, fragment: &str, test_id: &str) -> Result<()> {
    browser.goto("about:blank").await?;
    browser.goto(&format!("{}/#{fragment}", server.url())).await?;
    browser.wait_ready().await?;
    browser.wait_for(test_id).await?;
    Ok(())
}

async fn text_of(browser: &Browser, selector: &str) -> Result<String> {
    let text = browser
        .eval(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
            vec![serde_json::Value::from(selector)],
        )
        .await?;
    text.as_str()
        .map(str::to_owned)
        .with_context(|| format!("nothing matches {selector}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn counts_formulas_and_large_numbers_read_naturally() -> Result<()> {
    let (server, browser) = page::open_client("wording").await?;
    // Every wording problem found, so one run shows them all.
    let mut found = Vec::new();

    // The speed control of any animation.
    open(
        &browser,
        &server,
        "view=operation&layer=1&neuron=0&step=0",
        "view-relu",
    )
    .await?;
    let speeds = text_of(&browser, "[data-testid=\"speed\"]").await?;
    if speeds.contains("1 steps/s") || !speeds.contains("1 step/s") {
        found.push(format!("the speed control offers {speeds:?}"));
    }

    // ReLU's formula: the number sits right against the closing parenthesis, as typed.
    let gap = browser
        .eval(
            r#"const n = document.querySelector('[data-testid="relu-input"]');
               const r = n.getBoundingClientRect();
               // The first character after the number: the closing parenthesis, wherever it is.
               let node = n.nextSibling, parent = n.parentElement;
               while (!node) { node = parent.nextSibling; parent = parent.parentElement; }
               while (node.nodeType !== Node.TEXT_NODE || !node.data.trim()) {
                 node = node.firstChild || node.nextSibling || node.parentElement.nextSibling;
               }
               const i = node.data.indexOf(')');
               const range = document.createRange();
               range.setStart(node, i);
               range.setEnd(node, i + 1);
               return range.getBoundingClientRect().left - r.right;"#,
            vec![],
        )
        .await?;
    let gap = gap.as_f64().context("no gap measured")?;
    if gap >= 3.0 {
        found.push(format!(
            "ReLU's formula leaves {gap:.1} px between the number and its closing parenthesis"
        ));
    }

    // Softmax at its first step, for a picture whose largest logit is big enough that its
    // exponential needs more than five digits.
    let (sample, expected) = (0..models::samples::SAMPLES.len())
        .map(|i| (i, expected::for_sample(i)))
        .find_map(|(i, e)| {
            e.ok()
                .filter(|e| e.trace.outputs[11].iter().any(|&logit| logit > 11.6))
                .map(|e| (i, e))
        })
        .context("no shipped sample has a logit above 11.6")?;
    browser.goto("about:blank").await?;
    browser.goto(&server.url()).await?;
    browser.wait_ready().await?;
    browser.click(&format!("sample-{sample}")).await?;
    page::wait_for_prediction(&browser, &expected).await?;
    page::open_class_terms(&browser, expected.predicted).await?;
    browser
        .find_css(r#"[data-testid="view-flatten"] button.next"#)
        .await?
        .click()
        .await?;
    browser.wait_for("view-softmax").await?;
    let running = text_of(&browser, "[data-testid=\"view-softmax\"] .running").await?;
    if running.contains("first 1 terms") {
        found.push(format!("softmax says {running:?}"));
    }
    // e^logit in readable numbers: no computer notation anywhere in the table or formula.
    let body = text_of(&browser, "[data-testid=\"view-softmax\"]").await?;
    let computer = body.split_whitespace().find(|word| {
        let w = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '.');
        w.split_once('e').is_some_and(|(m, e)| {
            !m.is_empty()
                && m.chars().all(|c| c.is_ascii_digit() || c == '.')
                && !e.is_empty()
                && e.chars().all(|c| c.is_ascii_digit())
        })
    });
    if let Some(word) = computer {
        found.push(format!("the softmax view prints {word:?}"));
    }
    browser.screenshot("wording-softmax").await?;
    browser.assert_no_console_errors().await?;
    browser.close().await?;
    if !found.is_empty() {
        bail!("{}", found.join("\n"));
    }
    Ok(())
}

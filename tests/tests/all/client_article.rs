//! Browser tests of the lesson (`article.html`): a layer label, an (i) button and an address
//! fragment open it at their section, scrolled into view; its formulas render as MathML (a
//! fraction stands taller than a line, with no script); the page fetches it only when it is
//! opened; after a first visit that never opened it, it opens with the server gone. Screenshots
//! at 1920×1080, 1280×720 and a 390×844 phone go to target/e2e-artifacts/.

use anyhow::{Result, ensure};
use e2e::{Browser, BrowserOptions, TestServer, page};
use serde_json::{Value, json};

/// Waits until the lesson is open at `section` with its text loaded.
async fn wait_lesson(browser: &Browser, section: &str) -> Result<()> {
    browser
        .wait_until(
            &format!("the lesson open at {section}"),
            &format!(
                r#"document.querySelector('[data-testid="article"][data-section="{section}"][data-loaded="true"]')
                   && document.getElementById("article-{section}")"#
            ),
        )
        .await
}

/// Where the section's heading is: its top relative to the lesson's scrolling area.
async fn section_offset(browser: &Browser, section: &str) -> Result<f64> {
    let offset = browser
        .eval(
            r#"const body = document.querySelector(".article-body").getBoundingClientRect();
               const heading = document.querySelector(`#article-${arguments[0]} h2`).getBoundingClientRect();
               return heading.top - body.top;"#,
            vec![json!(section)],
        )
        .await?;
    Ok(offset.as_f64().unwrap_or(f64::NAN))
}

/// How many times the page fetched a lesson file.
async fn lesson_fetches(browser: &Browser) -> Result<u64> {
    let count = browser
        .eval(
            r#"return performance.getEntriesByType("resource")
                 .filter(e => new URL(e.name).pathname.startsWith("/article.")).length;"#,
            vec![],
        )
        .await?;
    Ok(count.as_u64().unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_layer_label_opens_the_lesson_with_rendered_formulas() -> Result<()> {
    let (_server, browser) = page::open_client("lesson-label").await?;
    ensure!(
        lesson_fetches(&browser).await? == 0,
        "the page fetched the lesson before it was opened"
    );
    // Column 1 is conv_1_1: its label opens the section on convolution.
    browser.click("label-1").await?;
    wait_lesson(&browser, "convolution").await?;
    ensure!(
        lesson_fetches(&browser).await? == 1,
        "the lesson was not fetched once on opening"
    );
    let offset = section_offset(&browser, "convolution").await?;
    ensure!(
        (-2.0..80.0).contains(&offset),
        "the convolution section is not scrolled into view: its heading is {offset} px from the top"
    );
    ensure!(
        browser
            .eval("return location.hash.includes('article=convolution');", vec![])
            .await?
            == Value::Bool(true),
        "the address does not name the open section"
    );

    // The formulas are MathML, laid out by the browser: the output-size fraction is stacked.
    let math = browser
        .eval(
            r##"const m = document.querySelector("#article-hyperparameters math[display=block]");
               const frac = m.querySelector("mfrac").getBoundingClientRect();
               const line = parseFloat(getComputedStyle(m).fontSize);
               return { ns: m.namespaceURI, height: frac.height, width: frac.width, line,
                        scripts: document.querySelectorAll(".article-body script").length };"##,
            vec![],
        )
        .await?;
    ensure!(
        math["ns"] == "http://www.w3.org/1998/Math/MathML",
        "the formula is not a MathML element: {math}"
    );
    let number = |key: &str| math[key].as_f64().unwrap_or(f64::NAN);
    ensure!(
        number("height") > 1.6 * number("line") && number("width") > 0.0,
        "the fraction is not laid out as a fraction (numerator over denominator): {math}"
    );
    ensure!(number("scripts") == 0.0, "the lesson carries scripts: {math}");
    browser.screenshot("lesson-convolution").await?;

    // Escape closes it and leaves the overview as it was.
    browser
        .eval(
            "document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })); return true;",
            vec![],
        )
        .await?;
    browser
        .wait_until(
            "the lesson to close",
            r#"!document.querySelector('[data-testid="article"]')"#,
        )
        .await?;
    ensure!(
        browser.exists("label-1").await?,
        "closing the lesson left the overview"
    );

    // The (i) button beside the breadcrumb opens the section on the current view; the text is
    // not fetched again.
    browser.click("info-cnn").await?;
    wait_lesson(&browser, "cnn").await?;
    ensure!(
        lesson_fetches(&browser).await? == 1,
        "the lesson was fetched a second time"
    );
    browser.click("article-close").await?;
    browser.assert_no_console_errors().await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_fragment_opens_its_section() -> Result<()> {
    let server = TestServer::start().await?;
    let browser = Browser::launch_with(BrowserOptions {
        name: "lesson-fragment".into(),
        ..Default::default()
    })
    .await?;
    // The reference tool's form of the address…
    browser
        .goto(&format!("{}/#article-pooling", server.url()))
        .await?;
    browser.wait_ready().await?;
    wait_lesson(&browser, "pooling").await?;
    let offset = section_offset(&browser, "pooling").await?;
    ensure!(
        (-2.0..80.0).contains(&offset),
        "pooling is not in view: {offset} px"
    );
    // …and ours, beside a view; following a link to another section in the same tab works too.
    browser
        .goto(&format!(
            "{}/#view=playground&article=hyperparameters",
            server.url()
        ))
        .await?;
    browser.wait_ready().await?;
    wait_lesson(&browser, "hyperparameters").await?;
    ensure!(
        browser.exists("view-playground").await?,
        "the view in the address did not open"
    );
    browser
        .eval("location.hash = 'article=softmax'; return true;", vec![])
        .await?;
    wait_lesson(&browser, "softmax").await?;
    ensure!(
        browser.exists("view-playground").await?,
        "opening a section must not move away from the view"
    );
    // The lesson's own link to the playground shows the playground.
    browser.click("article-close").await?;
    browser
        .goto(&format!(
            "{}/#view=overview&article=hyperparameters",
            server.url()
        ))
        .await?;
    browser.wait_ready().await?;
    wait_lesson(&browser, "hyperparameters").await?;
    browser
        .wait_until(
            "the overview",
            r#"!document.querySelector('[data-testid="view-playground"]')"#,
        )
        .await?;
    browser
        .find_css(r##"#article-hyperparameters a[href="#view=playground"]"##)
        .await?
        .click()
        .await?;
    browser.wait_for("view-playground").await?;
    browser
        .wait_until(
            "the lesson to make way",
            r#"!document.querySelector('[data-testid="article"]')"#,
        )
        .await?;
    browser.assert_no_console_errors().await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lesson_opens_offline_after_a_first_visit_that_never_opened_it() -> Result<()> {
    let (mut server, browser) = page::open_client("lesson-offline").await?;
    let manifest: Value = serde_json::from_slice(&std::fs::read(
        e2e::paths::client_dist().join("asset-manifest.json"),
    )?)?;
    let lesson = manifest["later"][0]["path"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ensure!(
        lesson.starts_with("/article."),
        "the manifest lists no lesson to load later: {manifest}"
    );
    // The worker saves it in the background once it has taken over.
    browser
        .wait_until(
            "the service worker to save the lesson",
            &format!(
                "navigator.serviceWorker.controller !== null && await (async () => {{ \
                   const names = await caches.keys(); \
                   const name = names.find(n => n.startsWith('cnn-classroom-')); \
                   return name ? !!(await (await caches.open(name)).match({})) : false; }})()",
                json!(lesson)
            ),
        )
        .await?;
    ensure!(
        lesson_fetches(&browser).await? == 0,
        "the page itself fetched the lesson"
    );

    server.kill().await?;
    browser.reload().await?;
    browser.wait_ready().await?;
    // Column 2 is relu_1_1.
    browser.click("label-2").await?;
    wait_lesson(&browser, "relu").await?;
    browser.screenshot("lesson-offline").await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lesson_fits_a_projector_a_laptop_and_a_phone() -> Result<()> {
    let server = TestServer::start().await?;
    for (width, height) in [(1920, 1080), (1280, 720), (390, 844)] {
        let name = format!("lesson-{width}x{height}");
        let browser = Browser::launch_with(BrowserOptions {
            window: (width, height),
            name: name.clone(),
        })
        .await?;
        // The viewport exactly this size (see client_playground).
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
                "{}/#view=overview&article=hyperparameters",
                server.url()
            ))
            .await?;
        browser.wait_ready().await?;
        wait_lesson(&browser, "hyperparameters").await?;
        let fit = browser
            .eval(
                r#"const panel = document.querySelector('[data-testid="article"]').getBoundingClientRect();
                   const body = document.querySelector('.article-body');
                   return { page: document.documentElement.scrollWidth, view: window.innerWidth,
                            visual: window.visualViewport.width, client: document.documentElement.clientWidth,
                            left: panel.left, right: panel.right, inner: body.scrollWidth, outer: body.clientWidth };"#,
                vec![],
            )
            .await?;
        let number = |key: &str| fit[key].as_f64().unwrap_or(f64::NAN);
        // Wherever the page is scrolled, the lesson lies inside what the screen shows.
        ensure!(
            number("left") >= -0.5 && number("right") <= number("visual").min(width as f64) + 0.5,
            "{width}×{height}: the lesson is not inside the screen: {fit}"
        );
        ensure!(
            number("inner") <= number("outer") + 1.0,
            "{width}×{height}: the lesson's text is wider than its panel: {fit}"
        );
        browser.screenshot(&name).await?;
        browser.close().await?;
    }
    Ok(())
}

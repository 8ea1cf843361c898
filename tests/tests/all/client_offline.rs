//! Browser test of offline use: after one visit the service worker has cached the bundle, so
//! with the server gone a reload still renders the overview with the right prediction.

use anyhow::{Result, ensure};
use e2e::{expected, page};

#[tokio::test(flavor = "multi_thread")]
async fn overview_renders_after_reload_with_the_server_gone() -> Result<()> {
    let (mut server, browser) = page::open_client("offline").await?;
    let url = server.url();
    // The worker controls the page once it has installed (pre-cached everything) and activated;
    // the files loaded later follow in the background.
    let bundle_files = page::wait_until_cached_for_offline(&browser).await?;
    let cached = browser.eval(page::OFFLINE_CACHE_COUNT, vec![]).await?;
    ensure!(
        cached.as_u64() == Some(bundle_files as u64),
        "the offline cache holds {cached} files; the bundle has {bundle_files}"
    );

    // The server disappears (killed: no goodbye), then the student reloads.
    server.kill().await?;
    browser.reload().await?;
    browser.wait_ready().await?;
    page::wait_for_prediction(&browser, &expected::for_sample(0)?).await?;
    browser.screenshot("offline-overview").await?;

    // A deep link works offline too (the app shell answers every navigation).
    browser.goto(&format!("{url}/some/app/path")).await?;
    browser.wait_ready().await?;
    browser.close().await
}

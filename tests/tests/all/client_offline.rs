//! Browser test of offline use: after one visit the service worker has cached the bundle, so
//! with the server gone a reload still renders the overview with the right prediction.

use anyhow::{Result, ensure};
use e2e::{expected, page, paths};

#[tokio::test(flavor = "multi_thread")]
async fn overview_renders_after_reload_with_the_server_gone() -> Result<()> {
    let (mut server, browser) = page::open_client("offline").await?;
    let url = server.url();
    // The worker controls the page once it has installed (pre-cached everything) and activated.
    browser
        .wait_until(
            "the service worker to control the page with its cache filled",
            "navigator.serviceWorker.controller !== null",
        )
        .await?;
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(paths::client_dist().join("asset-manifest.json"))?)?;
    // The first screen's files, then (in the background) the files loaded later.
    let bundle_files =
        manifest["files"].as_array().map_or(0, Vec::len) + manifest["later"].as_array().map_or(0, Vec::len);
    let count = "const names = await caches.keys(); \
                 const name = names.find(n => n.startsWith('cnn-classroom-')); \
                 return name ? (await (await caches.open(name)).keys()).length : 0;";
    browser
        .wait_until(
            "the offline cache to hold the whole bundle",
            &format!("await (async () => {{ {count} }})() === {bundle_files}"),
        )
        .await?;
    let cached = browser.eval(count, vec![]).await?;
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

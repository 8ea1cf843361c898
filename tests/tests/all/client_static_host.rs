//! Browser test of "runs in the browser without installation": the built bundle, served by a
//! generic static file server that is not ours (Python's `http.server`), works self-paced — the
//! app starts, picked samples get the `models` crate's prediction — and once the host is gone a
//! reload still works from the service worker's cache.

use anyhow::{Context, Result, ensure};
use e2e::{Browser, BrowserOptions, StaticHost, expected, page, paths, static_host};

/// The first sample after `after` whose predicted class is none of `classes`.
fn sample_predicted_as_none_of(classes: &[usize], after: usize) -> Result<usize> {
    (after + 1..models::samples::SAMPLES.len())
        .find(|&i| expected::for_sample(i).is_ok_and(|e| !classes.contains(&e.predicted)))
        .with_context(|| format!("no shipped sample is predicted as none of {classes:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn bundle_works_self_paced_from_a_plain_static_host_and_after_it_is_gone() -> Result<()> {
    let dist = paths::require_bundle()?;
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join("asset-manifest.json"))?)?;
    let files = manifest["files"]
        .as_array()
        .context("asset-manifest.json has no files list")?;
    let wasm_path = files
        .iter()
        .filter_map(|file| file["path"].as_str())
        .find(|path| path.ends_with(".wasm"))
        .context("asset-manifest.json lists no .wasm file")?
        .to_owned();

    let host = StaticHost::serve(&dist)?;
    let url = host.url();

    // It is the generic server, not ours, and it labels the module as browsers need to
    // stream-compile it (with another type wasm-bindgen falls back to a slower path, or fails).
    let index = host.get("/").await?;
    ensure!(
        index.status == 200 && index.header("server").is_some_and(|s| s.contains("SimpleHTTP")),
        "expected Python's SimpleHTTP server to answer / with 200; got {} from {:?}",
        index.status,
        index.header("server")
    );
    let wasm = host.get(&wasm_path).await?;
    ensure!(
        wasm.status == 200 && wasm.header("content-type") == Some("application/wasm"),
        "{wasm_path}: status {}, Content-Type {:?}; a static host must send application/wasm",
        wasm.status,
        wasm.header("content-type")
    );

    let browser = Browser::launch_with(BrowserOptions {
        name: "static-host".into(),
        ..Default::default()
    })
    .await?;
    browser.goto(&url).await?;
    browser.wait_ready().await?;

    // Self-paced: the first sample's prediction, then another sample picked by the user.
    let first = expected::for_sample(0)?;
    page::wait_for_prediction(&browser, &first).await?;
    let picked = sample_predicted_as_none_of(&[first.predicted], 0)?;
    let picked_expected = expected::for_sample(picked)?;
    browser.click(&format!("sample-{picked}")).await?;
    page::wait_for_prediction(&browser, &picked_expected).await?;
    browser.screenshot("static-host-sample").await?;
    browser.assert_no_console_errors().await?;

    // The service worker installed from the plain host and cached the whole bundle: the first
    // screen's files, then (in the background) the files loaded later.
    let bundle_files = files.len() + manifest["later"].as_array().map_or(0, Vec::len);
    let count = "const names = await caches.keys(); \
                 const name = names.find(n => n.startsWith('cnn-classroom-')); \
                 return name ? (await (await caches.open(name)).keys()).length : 0;";
    browser
        .wait_until(
            "the service worker to control the page with its cache filled",
            &format!(
                "navigator.serviceWorker.controller !== null \
                 && await (async () => {{ {count} }})() === {bundle_files}"
            ),
        )
        .await?;
    let cached = browser.eval(count, vec![]).await?;
    ensure!(
        cached.as_u64() == Some(bundle_files as u64),
        "the offline cache holds {cached} files; the bundle has {bundle_files}"
    );

    // The host goes away (nothing listens on its port any more), then the student reloads.
    let port = host.port();
    host.stop()?;
    ensure!(
        static_host::get(port, "/").await.is_err(),
        "the static host still answers after it was stopped"
    );
    browser.reload().await?;
    browser.wait_ready().await?;
    page::wait_for_prediction(&browser, &first).await?;
    let offline_pick = sample_predicted_as_none_of(&[first.predicted, picked_expected.predicted], 0)?;
    browser.click(&format!("sample-{offline_pick}")).await?;
    page::wait_for_prediction(&browser, &expected::for_sample(offline_pick)?).await?;
    browser.screenshot("static-host-offline").await?;

    // No page of the bundle asked for a wasm fallback (a wrong MIME type logs a warning).
    let fallbacks: Vec<String> = browser
        .console()
        .await?
        .into_iter()
        .map(|entry| entry.message)
        .filter(|message| message.contains("instantiateStreaming"))
        .collect();
    ensure!(
        fallbacks.is_empty(),
        "the page fell back from streaming wasm compilation: {fallbacks:?}"
    );
    browser.close().await
}

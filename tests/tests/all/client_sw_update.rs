//! Browser test of a new release reaching a student who has the old one cached: the bundle is
//! served by a plain static host; after the first visit the service worker controls the page
//! with the bundle's cache. Then a new version is published (its `sw.js` names another version,
//! as `scripts/build-client.sh` writes it for every changed bundle) and the student reloads:
//! the new worker installs and takes over, its cache holds the whole bundle, the old cache is
//! gone, and the new version works offline.

use anyhow::{Context, Result, ensure};
use e2e::{Browser, BrowserOptions, StaticHost, expected, page, paths};

/// The names of the page origin's caches.
async fn cache_names(browser: &Browser) -> Result<Vec<String>> {
    let names = browser.eval("return await caches.keys();", vec![]).await?;
    serde_json::from_value(names).context("caches.keys()")
}

/// How many requests the cache `name` holds.
async fn cached_files(browser: &Browser, name: &str) -> Result<u64> {
    browser
        .eval(
            "return (await (await caches.open(arguments[0])).keys()).length;",
            vec![name.into()],
        )
        .await?
        .as_u64()
        .context("a count of cached requests")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_version_replaces_the_old_cache() -> Result<()> {
    let dist = paths::require_bundle()?;
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join("asset-manifest.json"))?)?;
    let old_version = manifest["version"]
        .as_str()
        .context("asset-manifest.json has no version")?
        .to_owned();
    // The first screen's files, and the files loaded later that the worker saves after it.
    let files = (manifest["files"].as_array().map_or(0, Vec::len)
        + manifest["later"].as_array().map_or(0, Vec::len)) as u64;

    // A copy of the bundle, so the test can publish a "new version" without touching dist.
    let site = tempfile::tempdir_in(paths::scratch_dir())?;
    for entry in std::fs::read_dir(&dist)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), site.path().join(entry.file_name()))?;
        }
    }
    let host = StaticHost::serve(site.path())?;
    let browser = Browser::launch_with(BrowserOptions {
        name: "sw-update".into(),
        ..Default::default()
    })
    .await?;
    browser.goto(&host.url()).await?;
    browser.wait_ready().await?;
    let first = expected::for_sample(0)?;
    page::wait_for_prediction(&browser, &first).await?;
    let old_cache = format!("cnn-classroom-{old_version}");
    browser
        .wait_until(
            "the first version's worker to control the page",
            "navigator.serviceWorker.controller !== null",
        )
        .await?;
    ensure!(
        cache_names(&browser).await? == [old_cache.clone()],
        "after the first visit the caches are {:?}, expected [{old_cache}]",
        cache_names(&browser).await?
    );

    // Publish the next version: the same files, another version in sw.js.
    let new_version = format!("{old_version}next");
    let sw = std::fs::read_to_string(site.path().join("sw.js"))?;
    ensure!(
        sw.contains(&old_version),
        "sw.js does not carry the bundle's version"
    );
    std::fs::write(site.path().join("sw.js"), sw.replace(&old_version, &new_version))?;
    std::fs::remove_file(site.path().join("sw.js.gz")).ok();

    // The student reloads: the browser checks sw.js on navigation and finds it changed.
    browser.reload().await?;
    browser.wait_ready().await?;
    let new_cache = format!("cnn-classroom-{new_version}");
    browser
        .wait_until(
            "the new version's worker to take over and the old cache to go",
            &format!(
                "await (async () => {{ const names = await caches.keys(); \
                 return navigator.serviceWorker.controller !== null \
                     && names.length === 1 && names[0] === '{new_cache}'; }})()"
            ),
        )
        .await?;
    browser
        .wait_until(
            "the new cache to hold the whole bundle",
            &format!("(await (await caches.open('{new_cache}')).keys()).length === {files}"),
        )
        .await?;
    let cached = cached_files(&browser, &new_cache).await?;
    ensure!(
        cached == files,
        "the new cache holds {cached} files; the bundle has {files}"
    );

    // And the new version works with the host gone.
    host.stop()?;
    browser.reload().await?;
    browser.wait_ready().await?;
    page::wait_for_prediction(&browser, &first).await?;
    browser.close().await
}

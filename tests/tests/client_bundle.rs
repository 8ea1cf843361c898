//! Browser test of the bundle's weight: everything a first visit loads comes from the page's
//! own origin (no CDN, no web fonts) and, gzip-compressed, stays within the budget. Writes the
//! per-file table to target/e2e-artifacts/first-visit.txt.

use anyhow::{Result, ensure};
use e2e::first_visit::{self, FIRST_VISIT_BUDGET_BYTES};
use e2e::{Browser, BrowserOptions, TestServer, paths};

#[tokio::test(flavor = "multi_thread")]
async fn first_visit_is_self_hosted_and_within_the_gzip_budget() -> Result<()> {
    let server = TestServer::start().await?;
    let browser = Browser::launch_with(BrowserOptions {
        name: "bundle".into(),
        ..Default::default()
    })
    .await?;
    browser.goto(&server.url()).await?;
    browser.wait_ready().await?;
    let visit = first_visit::measure(&browser).await?;
    let table = visit.table();
    println!("{table}");
    std::fs::write(
        paths::artifacts_dir().join("first-visit.txt"),
        format!("{table}\n"),
    )?;
    ensure!(
        visit.foreign.is_empty(),
        "the page loaded files from other hosts: {:?}",
        visit.foreign
    );
    ensure!(
        visit.files.iter().any(|file| file.url.ends_with(".wasm")),
        "the measured files do not include the wasm module:\n{table}"
    );
    ensure!(
        visit.total_gzip_bytes() <= FIRST_VISIT_BUDGET_BYTES,
        "a first visit transfers {} B gzip, over the {} B budget:\n{table}",
        visit.total_gzip_bytes(),
        FIRST_VISIT_BUDGET_BYTES
    );
    browser.close().await
}

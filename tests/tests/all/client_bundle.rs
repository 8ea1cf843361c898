//! Browser tests of the bundle's weight: everything a first visit loads comes from the page's
//! own origin (no CDN, no web fonts), the server sends it gzip-compressed, and what it sends
//! stays within the budget. Writes the per-file table to target/e2e-artifacts/first-visit.txt.

use anyhow::{Result, ensure};
use e2e::first_visit::{self, FIRST_VISIT_BUDGET_BYTES, FirstVisit};
use e2e::{page, paths};

/// Loads the page once in a fresh browser and measures every file it fetched.
async fn first_visit(name: &str) -> Result<FirstVisit> {
    let (server, browser) = page::open_client(name).await?;
    let visit = first_visit::measure(&browser, server.addr()).await?;
    let table = visit.table();
    println!("{table}");
    std::fs::write(
        paths::artifacts_dir().join(format!("{name}.txt")),
        format!("{table}\n"),
    )?;
    browser.close().await?;
    Ok(visit)
}

#[tokio::test(flavor = "multi_thread")]
async fn first_visit_loads_only_from_its_own_origin() -> Result<()> {
    let visit = first_visit("first-visit").await?;
    ensure!(
        visit.foreign.is_empty(),
        "the page loaded files from other hosts: {:?}",
        visit.foreign
    );
    ensure!(
        visit.files.iter().any(|file| file.url.ends_with(".wasm")),
        "the measured files do not include the wasm module:\n{}",
        visit.table()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn first_visit_is_gzip_compressed_and_within_the_budget() -> Result<()> {
    let visit = first_visit("first-visit-budget").await?;
    let table = visit.table();
    for file in &visit.files {
        ensure!(
            file.encoding == "gzip",
            "{} was sent {}, not gzip-compressed:\n{table}",
            file.url,
            file.encoding
        );
    }
    ensure!(
        visit.total_transferred_bytes() <= FIRST_VISIT_BUDGET_BYTES,
        "a first visit transfers {} B, over the {} B budget:\n{table}",
        visit.total_transferred_bytes(),
        FIRST_VISIT_BUDGET_BYTES,
    );
    Ok(())
}

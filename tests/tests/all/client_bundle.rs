//! Browser tests of the bundle's weight: everything a first visit loads comes from the page's
//! own origin (no CDN, no web fonts), the server sends it gzip-compressed, and what it sends
//! stays within the budget; the lesson text and the built-in recorded lessons are not part of it (the page does not fetch it until it is
//! opened; it is listed apart as loaded later). Writes the per-file table to
//! target/e2e-artifacts/first-visit.txt.

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
    for file in &visit.later {
        ensure!(
            file.encoding == "gzip",
            "{} (loaded later) was sent {}, not gzip-compressed:\n{table}",
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

#[tokio::test(flavor = "multi_thread")]
async fn the_first_visit_does_not_fetch_the_lesson() -> Result<()> {
    let visit = first_visit("first-visit-lesson").await?;
    let table = visit.table();
    ensure!(
        visit.later.iter().any(|file| file.url.starts_with("/article.")),
        "the manifest lists no lesson file to load later:\n{table}"
    );
    ensure!(
        visit.later.iter().any(|file| file.url.starts_with("/lessons.")),
        "the manifest lists no built-in lessons' file to load later:\n{table}"
    );
    for file in &visit.later {
        ensure!(
            !visit.page_paths.contains(&file.url),
            "the first visit's page fetched {} although the first screen does not need it; the page \
             loaded {:?}",
            file.url,
            visit.page_paths
        );
        ensure!(
            !visit.files.iter().any(|first| first.url == file.url),
            "{} is counted in the first visit's budget:\n{table}",
            file.url
        );
    }
    Ok(())
}

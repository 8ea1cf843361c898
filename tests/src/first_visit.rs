//! What a first visit transfers: every file the page loaded (the document, everything in the
//! Resource Timing list, the service worker and the files it pre-caches), each re-fetched and
//! gzip-compressed inside the browser, summed.

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::browser::Browser;

/// The transfer budget of a first visit, gzip, weights included.
pub const FIRST_VISIT_BUDGET_BYTES: u64 = 500 * 1024;

/// One file of the first visit.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// Its URL.
    pub url: String,
    /// Its size as served.
    pub bytes: u64,
    /// Its size gzip-compressed (the browser's CompressionStream, zlib's default level).
    pub gzip_bytes: u64,
}

/// Every file of a first visit and the hosts the page contacted.
#[derive(Debug, Clone)]
pub struct FirstVisit {
    /// Files from the page's own origin.
    pub files: Vec<LoadedFile>,
    /// URLs the page loaded from any other origin (must be none: no CDN, no web fonts).
    pub foreign: Vec<String>,
}

impl FirstVisit {
    /// Sum of the raw sizes.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|file| file.bytes).sum()
    }

    /// Sum of the gzip sizes: what a first visit transfers with compression.
    pub fn total_gzip_bytes(&self) -> u64 {
        self.files.iter().map(|file| file.gzip_bytes).sum()
    }

    /// A table for reports: one line per file, then the totals.
    pub fn table(&self) -> String {
        let mut lines: Vec<String> = self
            .files
            .iter()
            .map(|file| format!("{:>9} B  gzip {:>9} B  {}", file.bytes, file.gzip_bytes, file.url))
            .collect();
        lines.push(format!(
            "{:>9} B  gzip {:>9} B  total of {} files (budget {} B gzip)",
            self.total_bytes(),
            self.total_gzip_bytes(),
            self.files.len(),
            FIRST_VISIT_BUDGET_BYTES
        ));
        lines.join("\n")
    }
}

/// Lists and measures what the page in `browser` has loaded (call after it is ready).
pub async fn measure(browser: &Browser) -> Result<FirstVisit> {
    let result = browser.eval(MEASURE_SCRIPT, vec![]).await?;
    let files = result["files"]
        .as_array()
        .context("the first-visit probe returned no file list")?
        .iter()
        .map(|file| LoadedFile {
            url: file["url"].as_str().unwrap_or_default().to_owned(),
            bytes: file["bytes"].as_u64().unwrap_or_default(),
            gzip_bytes: file["gzip"].as_u64().unwrap_or_default(),
        })
        .collect::<Vec<_>>();
    if files.is_empty() {
        bail!("the first-visit probe found no files: {result}");
    }
    let foreign = result["foreign"]
        .as_array()
        .map(|urls| urls.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    Ok(FirstVisit { files, foreign })
}

/// Runs in the page: gathers URLs, re-fetches each (bypassing caches) and gzips it.
const MEASURE_SCRIPT: &str = r#"
const origin = location.origin;
const urls = new Set([location.origin + location.pathname, origin + "/sw.js"]);
const foreign = [];
for (const entry of performance.getEntriesByType("resource")) {
  const url = new URL(entry.name);
  if (url.protocol === "data:" || url.protocol === "blob:") continue;
  if (url.origin !== origin) { foreign.push(entry.name); continue; }
  urls.add(url.origin + url.pathname);
}
const manifest = await (await fetch("/asset-manifest.json", { cache: "no-store" })).json();
for (const file of manifest.files) urls.add(origin + file.path);
const files = [];
for (const url of [...urls].sort()) {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(url + " answered " + response.status);
  const body = await response.arrayBuffer();
  const gzip = await new Response(
    new Blob([body]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
  files.push({ url: url.slice(origin.length), bytes: body.byteLength, gzip: gzip.byteLength });
}
return { files, foreign };
"#;

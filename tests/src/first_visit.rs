//! What a first visit transfers: every file the page loaded (the document, everything in the
//! Resource Timing list, the service worker and the files it pre-caches), each fetched again
//! from the server with the `Accept-Encoding` Chromium sends, counting the body bytes the
//! server answers with (gzip-compressed where it compresses), summed. Listed apart, and not
//! counted against the budget: the files the first screen does not need (the manifest's
//! `later`, i.e. the lesson), which the page fetches when they are first opened and the service
//! worker saves in the background after it has taken over.

use std::net::SocketAddr;

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::browser::Browser;

/// The transfer budget of a first visit, gzip, weights included: 500 KB, read strictly
/// (500,000 bytes, not 500 KiB).
pub const FIRST_VISIT_BUDGET_BYTES: u64 = 500_000;

/// The `Accept-Encoding` of Chromium's requests.
pub const BROWSER_ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

/// One file of the first visit.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// Its path on the page's origin.
    pub url: String,
    /// Its size uncompressed.
    pub bytes: u64,
    /// The body bytes the server sends a browser for it (compressed, if it compresses).
    pub transferred_bytes: u64,
    /// The response's `Content-Encoding` (`identity` if none).
    pub encoding: String,
}

/// Every file of a first visit and the hosts the page contacted.
#[derive(Debug, Clone)]
pub struct FirstVisit {
    /// Files from the page's own origin that the first screen needs.
    pub files: Vec<LoadedFile>,
    /// Files loaded later: not needed for the first screen, fetched when first opened or saved
    /// by the service worker in the background (the manifest's `later` list).
    pub later: Vec<LoadedFile>,
    /// Paths the page itself fetched (its Resource Timing list), to check what it did not load.
    pub page_paths: Vec<String>,
    /// URLs the page loaded from any other origin (must be none: no CDN, no web fonts).
    pub foreign: Vec<String>,
}

impl FirstVisit {
    /// Sum of the raw sizes.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|file| file.bytes).sum()
    }

    /// Sum of the transferred sizes: what a first visit transfers.
    pub fn total_transferred_bytes(&self) -> u64 {
        self.files.iter().map(|file| file.transferred_bytes).sum()
    }

    /// Sum of the transferred sizes of the files loaded later.
    pub fn later_transferred_bytes(&self) -> u64 {
        self.later.iter().map(|file| file.transferred_bytes).sum()
    }

    /// A table for reports: one line per file, then the totals; then the files loaded later.
    pub fn table(&self) -> String {
        let line = |file: &LoadedFile| {
            format!(
                "{:>9} B  sent {:>9} B {:<8}  {}",
                file.bytes, file.transferred_bytes, file.encoding, file.url
            )
        };
        let mut lines: Vec<String> = self.files.iter().map(line).collect();
        lines.push(format!(
            "{:>9} B  sent {:>9} B           total of {} files (budget {} B)",
            self.total_bytes(),
            self.total_transferred_bytes(),
            self.files.len(),
            FIRST_VISIT_BUDGET_BYTES
        ));
        if !self.later.is_empty() {
            lines.push(
                "loaded later (not needed for the first screen, not in the budget: the page fetches them when \
                 first opened; with a service worker they are also downloaded in the background once it \
                 has taken over, for offline use):"
                    .to_owned(),
            );
            lines.extend(self.later.iter().map(line));
            lines.push(format!(
                "{:>9} B  sent {:>9} B           total loaded later; first visit and later together: sent {} B",
                self.later.iter().map(|file| file.bytes).sum::<u64>(),
                self.later_transferred_bytes(),
                self.total_transferred_bytes() + self.later_transferred_bytes()
            ));
        }
        lines.join("\n")
    }
}

/// Lists what the page in `browser` has loaded (call after it is ready) and measures each file
/// as the server at `server` sends it.
pub async fn measure(browser: &Browser, server: SocketAddr) -> Result<FirstVisit> {
    let result = browser.eval(MEASURE_SCRIPT, vec![]).await?;
    let strings = |key: &str| -> Vec<String> {
        result[key]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let paths = strings("paths");
    if paths.is_empty() {
        bail!("the first-visit probe found no files: {result}");
    }
    let later_paths = strings("later");
    let mut files = Vec::new();
    for path in paths.iter().filter(|path| !later_paths.contains(path)) {
        files.push(measure_file(server, path).await?);
    }
    let mut later = Vec::new();
    for path in &later_paths {
        later.push(measure_file(server, path).await?);
    }
    Ok(FirstVisit {
        files,
        later,
        page_paths: strings("page"),
        foreign: strings("foreign"),
    })
}

/// One file as the server sends it to Chromium, and its size uncompressed.
async fn measure_file(server: SocketAddr, path: &str) -> Result<LoadedFile> {
    let compressed = get(server, path, BROWSER_ACCEPT_ENCODING).await?;
    let plain = get(server, path, "identity").await?;
    ensure!(
        plain.encoding == "identity",
        "{path} came {} without being asked",
        plain.encoding
    );
    Ok(LoadedFile {
        url: path.to_owned(),
        bytes: plain.body_bytes,
        transferred_bytes: compressed.body_bytes,
        encoding: compressed.encoding,
    })
}

/// One response: its `Content-Encoding` and the length of its body as sent.
struct Sent {
    encoding: String,
    body_bytes: u64,
}

/// `GET path` over plain HTTP/1.1 with the given `Accept-Encoding`, counting the body bytes.
async fn get(server: SocketAddr, path: &str, accept_encoding: &str) -> Result<Sent> {
    let mut stream = TcpStream::connect(server).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {server}\r\nAccept-Encoding: {accept_encoding}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .with_context(|| format!("{path}: the server's answer has no header end"))?;
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    let status = head.lines().next().unwrap_or_default();
    ensure!(status.contains(" 200 "), "{path} answered {status}");
    ensure!(
        !head.contains("transfer-encoding"),
        "{path} came chunked:\n{head}"
    );
    let header = |name: &str| {
        head.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(':').map(str::trim))
            .map(str::to_owned)
    };
    let body_bytes = (response.len() - split - 4) as u64;
    if let Some(length) = header("content-length") {
        ensure!(
            length == body_bytes.to_string(),
            "{path}: content-length {length}, but {body_bytes} bytes came"
        );
    }
    Ok(Sent {
        encoding: header("content-encoding").unwrap_or_else(|| "identity".into()),
        body_bytes,
    })
}

/// Runs in the page: the paths of every file it loaded or its service worker pre-caches, the
/// files loaded later, the paths the page itself fetched, and the URLs loaded from any other
/// origin.
const MEASURE_SCRIPT: &str = r#"
const origin = location.origin;
const paths = new Set([location.pathname, "/sw.js"]);
const page = new Set();
const foreign = [];
for (const entry of performance.getEntriesByType("resource")) {
  const url = new URL(entry.name);
  if (url.protocol === "data:" || url.protocol === "blob:") continue;
  if (url.origin !== origin) { foreign.push(entry.name); continue; }
  paths.add(url.pathname);
  page.add(url.pathname);
}
const manifest = await (await fetch("/asset-manifest.json", { cache: "no-store" })).json();
for (const file of manifest.files) paths.add(file.path);
const later = (manifest.later || []).map(file => file.path);
return { paths: [...paths].sort(), later, page: [...page].sort(), foreign };
"#;

//! The one-file binary: `cnn-classroom` copied alone into an empty directory serves the whole
//! client bundle from inside itself — the same bytes as `client/dist`, the gzip copies when the
//! browser accepts gzip, ETags, the service worker, the CSP hash of the boot script.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP answer.
struct Answer {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// A GET with extra request headers over a fresh connection.
async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut response))
        .await
        .expect("response in time")
        .unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: response[split + 4..].to_vec(),
    }
}

/// The workspace's built bundle, which the binary embedded when it was compiled.
fn dist() -> PathBuf {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../client/dist");
    assert!(
        dist.join("index.html").is_file(),
        "the client bundle is not built: run `bash scripts/build-client.sh` first"
    );
    dist
}

/// The bundle file whose name starts with `prefix` and ends with `suffix`.
fn bundle_file(dist: &Path, prefix: &str, suffix: &str) -> String {
    std::fs::read_dir(dist)
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .find(|name| name.starts_with(prefix) && name.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {prefix}*{suffix} in {}", dist.display()))
}

/// The binary, copied alone into an empty directory and started there; killed on drop.
struct Alone {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Alone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the copied binary; returns it and the time until it answered `/healthz`.
async fn start_alone() -> (Alone, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("cnn-classroom");
    std::fs::copy(env!("CARGO_BIN_EXE_cnn-classroom"), &binary).unwrap();
    let began = Instant::now();
    let mut child = Command::new(&binary)
        .current_dir(dir.path())
        .args(["--bind", "127.0.0.1:0", "--log-level", "warn"])
        .env_remove("CNN_CLASSROOM_CLIENT_DIR")
        .env_remove("CNN_CLASSROOM_BIND")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Read every line, so the server never writes into a closed pipe.
    let (first_tx, first_rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = first_tx.send(line);
        }
    });
    let first = first_rx.recv_timeout(Duration::from_secs(15)).unwrap();
    // "cnn-classroom: open http://127.0.0.1:PORT (data in classroom-data)"
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    let alone = Alone {
        child,
        addr,
        _dir: dir,
    };
    while get(addr, "/healthz", &[]).await.status != 200 {
        assert!(began.elapsed() < Duration::from_secs(15), "not healthy in 15 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let startup = began.elapsed();
    let mut beside: Vec<_> = std::fs::read_dir(alone._dir.path())
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    beside.sort();
    assert_eq!(
        beside,
        ["classroom-data", "cnn-classroom"],
        "only the binary and its data"
    );
    (alone, startup)
}

/// Whether `haystack` contains `needle`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[test]
fn the_binary_file_holds_the_bundle() {
    let dist = dist();
    let binary = std::fs::read(env!("CARGO_BIN_EXE_cnn-classroom")).unwrap();
    let index = std::fs::read(dist.join("index.html")).unwrap();
    assert!(contains(&binary, &index), "index.html is not inside the binary");
    let wasm = bundle_file(&dist, "client_bg.", ".wasm");
    let gzip = std::fs::read(dist.join(format!("{wasm}.gz"))).unwrap();
    let chunk = &gzip[gzip.len() / 2..][..64 * 1024];
    assert!(contains(&binary, chunk), "{wasm}.gz is not inside the binary");
}

#[tokio::test]
async fn the_binary_alone_serves_the_whole_client() {
    let dist = dist();
    let (server, startup) = start_alone().await;
    println!("answered /healthz {startup:?} after it was started");
    let addr = server.addr;

    let index = get(addr, "/", &[("Accept-Encoding", "br")]).await;
    assert_eq!(index.status, 200);
    let index_html = std::fs::read(dist.join("index.html")).unwrap();
    assert_eq!(index.body, index_html);
    assert_eq!(index.header("cache-control"), Some("no-cache"));
    let csp = server::security_headers::content_security_policy(&String::from_utf8_lossy(&index_html));
    assert!(csp.contains("'sha256-"), "{csp}");
    assert_eq!(index.header("content-security-policy"), Some(csp.as_str()));
    let route = get(addr, "/join/KQXWTB", &[]).await;
    assert_eq!((route.status, &route.body), (200, &index_html));

    for (prefix, suffix, content_type) in [
        ("client.", ".js", "text/javascript"),
        ("client_bg.", ".wasm", "application/wasm"),
    ] {
        let name = bundle_file(&dist, prefix, suffix);
        let raw = std::fs::read(dist.join(&name)).unwrap();
        let gzip = std::fs::read(dist.join(format!("{name}.gz"))).unwrap();
        let path = format!("/{name}");

        let plain = get(addr, &path, &[("Accept-Encoding", "br")]).await;
        assert_eq!(plain.status, 200, "{name}");
        assert!(
            plain.body == raw,
            "{name}: the identity bytes differ from the file"
        );
        assert_eq!(plain.header("content-encoding"), None, "{name}");
        assert_eq!(plain.header("content-type"), Some(content_type), "{name}");

        let zipped = get(addr, &path, &[("Accept-Encoding", "gzip, deflate, br")]).await;
        assert_eq!(zipped.status, 200, "{name}");
        assert!(
            zipped.body == gzip,
            "{name}: the gzip bytes differ from {name}.gz"
        );
        assert_eq!(zipped.header("content-encoding"), Some("gzip"), "{name}");
        assert_eq!(zipped.header("vary"), Some("accept-encoding"), "{name}");

        let etag = zipped.header("etag").expect("an ETag").to_owned();
        assert_ne!(plain.header("etag"), Some(etag.as_str()), "one ETag per encoding");
        let again = get(
            addr,
            &path,
            &[("Accept-Encoding", "gzip"), ("If-None-Match", &etag)],
        )
        .await;
        assert_eq!(again.status, 304, "{name}");
        assert!(again.body.is_empty());
    }

    let sw = get(addr, "/sw.js", &[]).await;
    assert_eq!(sw.status, 200);
    assert_eq!(sw.body, std::fs::read(dist.join("sw.js")).unwrap());
    assert_eq!(sw.header("cache-control"), Some("no-cache"));
    let missing = get(addr, "/client.0000000000000000.js", &[]).await;
    assert_eq!(missing.status, 404);
}

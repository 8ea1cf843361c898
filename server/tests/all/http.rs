//! The client bundle over HTTP: content types, app routes, and a clear page when it is missing.

use crate::common;

use std::net::SocketAddr;

use common::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A plain HTTP/1.1 GET; returns the status line, headers and body as one string.
async fn get(addr: SocketAddr, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(common::RECV_TIMEOUT, stream.read_to_end(&mut response))
        .await
        .expect("response in time")
        .unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn a_missing_bundle_says_how_to_build_it() {
    let server = TestServer::start().await;
    let response = get(server.addr, "/").await;
    assert!(response.starts_with("HTTP/1.1 503"), "{response}");
    assert!(response.contains("scripts/build-client.sh"), "{response}");
    assert!(get(server.addr, "/healthz").await.ends_with("ok\n"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_bundle_is_served_with_content_types_and_app_routes() {
    let server = TestServer::start().await;
    let dir = server.client_dir();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>cnn</title>").unwrap();
    std::fs::write(dir.join("client-1a2b.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("client-1a2b.js"), "export {}").unwrap();

    let index = get(server.addr, "/").await;
    assert!(index.starts_with("HTTP/1.1 200"), "{index}");
    assert!(index.contains("<title>cnn</title>"));
    let wasm = get(server.addr, "/client-1a2b.wasm").await;
    assert!(
        wasm.to_lowercase().contains("content-type: application/wasm"),
        "{wasm}"
    );
    let js = get(server.addr, "/client-1a2b.js").await.to_lowercase();
    assert!(
        js.contains("content-type: text/javascript") || js.contains("application/javascript"),
        "{js}"
    );
    let join = get(server.addr, "/join/KQXWTB").await;
    assert!(
        join.starts_with("HTTP/1.1 200") && join.contains("<title>cnn</title>"),
        "{join}"
    );
    let missing = get(server.addr, "/client-old.wasm").await;
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    server.stop().await.unwrap();
}

/// The `Content-Security-Policy` header of a raw response, if any.
fn csp(response: &str) -> Option<&str> {
    response
        .lines()
        .find_map(|line| line.strip_prefix("content-security-policy: "))
}

/// A reload revalidates the cached page and gets `304 Not Modified`; the browser then replaces
/// the stored page's headers with the 304's. So the 304 must carry the page's policy, with the
/// boot script's hash, or the reloaded page may not run its script and stays on "Loading".
#[tokio::test]
async fn a_revalidated_page_keeps_the_boot_scripts_hash() {
    let server = TestServer::start().await;
    std::fs::write(
        server.client_dir().join("index.html"),
        "<html><script type=\"module\">boot()</script></html>",
    )
    .unwrap();
    let first = get(server.addr, "/").await;
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    let page_csp = csp(&first).expect("a CSP").to_owned();
    assert!(page_csp.contains("'sha256-"), "{page_csp}");
    let modified = first
        .lines()
        .find_map(|line| line.strip_prefix("last-modified: "))
        .expect("a Last-Modified header");

    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nIf-Modified-Since: {modified}\r\nConnection: close\r\n\r\n",
        server.addr
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut again = String::new();
    stream.read_to_string(&mut again).await.unwrap();
    assert!(again.starts_with("HTTP/1.1 304"), "{again}");
    assert_eq!(csp(&again), Some(page_csp.as_str()), "{again}");
    server.stop().await.unwrap();
}

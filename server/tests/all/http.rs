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

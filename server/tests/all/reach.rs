//! `/api/join-origins` over a real socket: the instructor of an open room learns where students
//! can reach the server (the LAN addresses when it listens on every interface, a flag when it
//! listens on loopback only); anyone else gets `403` and no address.

use crate::common;

use std::net::{IpAddr, SocketAddr};

use common::{Client, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A GET with an optional `Authorization` header; the status code and the body.
async fn get(addr: SocketAddr, authorization: Option<&str>) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let authorization = authorization
        .map(|value| format!("Authorization: {value}\r\n"))
        .unwrap_or_default();
    let request =
        format!("GET /api/join-origins HTTP/1.1\r\nHost: {addr}\r\n{authorization}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(common::RECV_TIMEOUT, stream.read_to_end(&mut response))
        .await
        .expect("response in time")
        .unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response[9..12].parse().expect("a status code");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The IPv4 addresses of this machine that other machines could use, as `hostname -I` lists
/// them (independently of the crate the server uses).
fn lan_ipv4() -> Vec<IpAddr> {
    let output = std::process::Command::new("hostname")
        .arg("-I")
        .output()
        .expect("`hostname -I` runs");
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .filter_map(|ip| ip.parse::<IpAddr>().ok())
        .filter(|ip| ip.is_ipv4() && !ip.is_loopback() && !ip.to_string().starts_with("169.254."))
        .collect()
}

#[tokio::test]
async fn a_loopback_server_says_so_to_its_instructor_only() {
    let server = TestServer::start().await;
    let (_instructor, code, token) = Client::create_room(server.addr).await;
    let bearer = format!("Bearer {code}:{}", token.to_hex());

    let (status, body) = get(server.addr, Some(&bearer)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, r#"{"loopback_only":true,"origins":[]}"#);

    let (status, body) = get(server.addr, None).await;
    assert_eq!(status, 403, "{body}");
    let wrong = format!("Bearer {code}:{}", "0".repeat(32));
    let (status, body) = get(server.addr, Some(&wrong)).await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("loopback_only"), "{body}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_server_on_every_interface_lists_the_lan_addresses() {
    let server = TestServer::start_on("0.0.0.0:0", |_| {}).await;
    let (_instructor, code, token) = Client::create_room(server.addr).await;
    let port = server.addr.port();

    let (status, body) = get(server.addr, Some(&format!("Bearer {code}:{}", token.to_hex()))).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.starts_with(r#"{"loopback_only":false,"origins":["#),
        "{body}"
    );
    let expected = lan_ipv4();
    assert!(
        !expected.is_empty(),
        "this machine has no LAN address, so the test proves nothing"
    );
    for ip in expected {
        assert!(
            body.contains(&format!("\"http://{ip}:{port}\"")),
            "{ip} missing: {body}"
        );
    }
    assert!(!body.contains("127.0.0.1") && !body.contains("[::1]"), "{body}");

    // Someone else who can reach it learns nothing.
    let (status, body) = get(server.addr, None).await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("http://"), "{body}");
    server.stop().await.unwrap();
}

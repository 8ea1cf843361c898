//! HTTPS/WSS with a self-signed certificate made at test time: the health check over HTTPS and
//! a whole handshake over WSS, through real sockets.

use crate::common;

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use shared::codec::{decode_server, encode_client};
use shared::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_and_wss_work_with_the_given_certificate() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let files = tempfile::tempdir().unwrap();
    let (cert_path, key_path) = (files.path().join("cert.pem"), files.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let server = common::TestServer::start_with(|config| {
        config.tls = Some(server::config::TlsFiles {
            cert: cert_path.clone(),
            key: key_path.clone(),
        });
    })
    .await;

    let mut roots = RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = TlsConnector::from(Arc::new(config));
    let name = ServerName::try_from("localhost").unwrap();

    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut tls = connector.connect(name.clone(), tcp).await.expect("TLS handshake");
    tls.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok\n"),
        "{answer}"
    );

    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let tls = connector.connect(name, tcp).await.expect("TLS handshake");
    let (mut ws, _) = tokio_tungstenite::client_async("wss://localhost/ws", tls)
        .await
        .expect("WebSocket over TLS");
    let hello = ClientMsg::Hello(Hello {
        version: PROTOCOL_VERSION,
        join: Join::CreateRoom,
    });
    ws.send(Message::binary(encode_client(&hello))).await.unwrap();
    let first = ws.next().await.unwrap().unwrap();
    let msg = decode_server(&first.into_data()).unwrap();
    assert!(
        matches!(msg, ServerMsg::Session(SessionEvent::Welcome(_))),
        "{msg:?}"
    );
    drop(ws);
    server.stop().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_missing_certificate_is_a_sentence_at_start() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut config = server::Config::new(None, Some(".".into()));
    config.tls = Some(server::config::TlsFiles {
        cert: "/nonexistent/cert.pem".into(),
        key: "/nonexistent/key.pem".into(),
    });
    let error = server::run(listener, config, std::future::pending())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("--tls-cert"), "{error}");
}

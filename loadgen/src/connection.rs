//! Opening one loopback WebSocket to the server, configured to be as light as possible on the
//! client side (the load generator shares the machine's cores and memory with the server).

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// A client WebSocket over plain TCP.
pub type Socket = WebSocketStream<TcpStream>;

/// Path of the server's WebSocket endpoint.
const WS_PATH: &str = "/ws";

/// Read buffer per connection. tungstenite's default is 128 KiB, which for 10,000 students would
/// cost the load generator 1.3 GB; focus updates are a few dozen bytes and the snapshot grows the
/// buffer as needed.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// Connects like [`connect`] and hands back the bare TCP stream for the students' lean framing
/// ([`crate::frames`]). Nothing is lost by unwrapping: the server sends nothing before the
/// client's `Hello`, so no frame bytes can be buffered inside the handshake's reader yet.
pub async fn connect_raw(addr: SocketAddr) -> anyhow::Result<TcpStream> {
    Ok(connect(addr).await?.into_inner())
}

/// Connects to `ws://{addr}/ws` and completes the WebSocket handshake.
pub async fn connect(addr: SocketAddr) -> anyhow::Result<Socket> {
    let tcp = TcpStream::connect(addr)
        .await
        .with_context(|| format!("could not connect to {addr}"))?;
    tcp.set_nodelay(true).context("could not set TCP_NODELAY")?;
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0);
    let url = format!("ws://{addr}{WS_PATH}");
    let (socket, _response) = tokio_tungstenite::client_async_with_config(url, tcp, Some(config))
        .await
        .with_context(|| format!("the WebSocket handshake with {addr} failed"))?;
    Ok(socket)
}

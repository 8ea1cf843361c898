//! Test helpers: a real server on 127.0.0.1:0 and a WebSocket client that speaks the protocol.
#![allow(dead_code)] // each test file uses a different subset

pub mod networks;
mod process;
#[allow(unused_imports)] // the binaries outside tests/all do not start the server binary
pub use process::ServerProcess;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use server::Config;
use shared::codec::{decode_server, encode_client};
use shared::*;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single expected message may take before the test fails.
pub const RECV_TIMEOUT: Duration = Duration::from_secs(15);

/// A server running inside the test process.
pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), server::ServerError>>,
    _client_dir: tempfile::TempDir,
}

/// Settings for tests: in-memory store, an empty client directory.
pub fn test_config(client_dir: PathBuf) -> Config {
    Config::new(None, Some(client_dir))
}

impl TestServer {
    /// Starts with the default test settings.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts with settings adjusted by `adjust`.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start_on("127.0.0.1:0", adjust).await
    }

    /// Starts listening on `bind` (e.g. `0.0.0.0:0`) with settings adjusted by `adjust`.
    pub async fn start_on(bind: &str, adjust: impl FnOnce(&mut Config)) -> Self {
        let client_dir = tempfile::tempdir().expect("temp dir");
        let mut config = test_config(client_dir.path().to_path_buf());
        adjust(&mut config);
        let listener = tokio::net::TcpListener::bind(bind).await.expect("bind");
        let mut addr = listener.local_addr().expect("addr");
        if addr.ip().is_unspecified() {
            // Every interface includes loopback, which the tests connect to.
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::run(listener, config, async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            task,
            _client_dir: client_dir,
        }
    }

    /// The directory the server serves the client bundle from.
    pub fn client_dir(&self) -> &std::path::Path {
        self._client_dir.path()
    }

    /// Graceful shutdown; returns the server's result.
    pub async fn stop(mut self) -> Result<(), server::ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(20), &mut self.task)
            .await
            .expect("server stops in time")
            .expect("server task does not panic")
    }
}

/// One protocol client over a real WebSocket.
pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What a successful handshake returned.
pub struct Joined {
    pub client: Client,
    pub welcome: Welcome,
    pub snapshot: RoomSnapshot,
}

impl Client {
    /// Opens a WebSocket to the server's `/ws`.
    pub async fn connect(addr: SocketAddr) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
            .await
            .expect("websocket connects");
        Self { ws }
    }

    /// Opens a WebSocket with extra request headers (e.g. `Origin`, `Cookie`); the HTTP answer
    /// on refusal.
    pub async fn connect_with(addr: SocketAddr, headers: &[(&str, &str)]) -> Result<Self, u16> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("ws://{addr}/ws").into_client_request().expect("request");
        for (name, value) in headers {
            request.headers_mut().insert(
                http::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                http::HeaderValue::from_str(value).expect("header value"),
            );
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((ws, _)) => Ok(Self { ws }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
            Err(other) => panic!("unexpected WebSocket error: {other}"),
        }
    }

    /// Sends a `Hello` and returns the first answer.
    pub async fn hello_on(mut self, join: Join) -> Result<Joined, ErrorMsg> {
        self.send(&ClientMsg::Hello(Hello {
            version: PROTOCOL_VERSION,
            join,
        }))
        .await;
        let welcome = match self.recv().await {
            ServerMsg::Session(SessionEvent::Welcome(w)) => w,
            ServerMsg::Error(e) => return Err(e),
            other => panic!("expected Welcome, got {other:?}"),
        };
        let snapshot = match self.recv().await {
            ServerMsg::Room(RoomEvent::Snapshot(s)) => *s,
            other => panic!("expected Snapshot, got {other:?}"),
        };
        Ok(Joined {
            client: self,
            welcome,
            snapshot,
        })
    }

    /// Sends a protocol message.
    pub async fn send(&mut self, msg: &ClientMsg) {
        self.ws
            .send(Message::binary(encode_client(msg)))
            .await
            .expect("send");
    }

    /// Sends raw bytes as one binary frame.
    pub async fn send_bytes(&mut self, bytes: Vec<u8>) {
        self.ws.send(Message::binary(bytes)).await.expect("send");
    }

    /// The next protocol message, or `None` once the server closed the connection.
    pub async fn next(&mut self) -> Option<ServerMsg> {
        self.next_within(RECV_TIMEOUT).await
    }

    /// The next protocol message, allowing `limit` for it; `None` once the server closed.
    pub async fn next_within(&mut self, limit: Duration) -> Option<ServerMsg> {
        loop {
            let frame = tokio::time::timeout(limit, self.ws.next())
                .await
                .expect("a message arrives in time");
            match frame {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return None,
                Some(Ok(Message::Binary(bytes))) => {
                    return Some(decode_server(&bytes).expect("server frames decode"));
                }
                Some(Ok(_)) => {}
            }
        }
    }

    /// The next protocol message; fails the test if the connection closed.
    pub async fn recv(&mut self) -> ServerMsg {
        self.next().await.expect("connection still open")
    }

    /// Receives until `pick` returns `Some`, skipping other messages.
    pub async fn recv_until<T>(&mut self, mut pick: impl FnMut(&ServerMsg) -> Option<T>) -> T {
        loop {
            let msg = self.recv().await;
            if let Some(found) = pick(&msg) {
                return found;
            }
        }
    }

    /// Receives the next error message, skipping others.
    pub async fn recv_error(&mut self) -> ErrorMsg {
        self.recv_until(|m| match m {
            ServerMsg::Error(e) => Some(e.clone()),
            _ => None,
        })
        .await
    }

    /// Completes a handshake and reads `Welcome` and the snapshot.
    pub async fn hello(addr: SocketAddr, join: Join) -> Result<Joined, ErrorMsg> {
        let mut client = Self::connect(addr).await;
        client
            .send(&ClientMsg::Hello(Hello {
                version: PROTOCOL_VERSION,
                join,
            }))
            .await;
        let welcome = match client.recv().await {
            ServerMsg::Session(SessionEvent::Welcome(w)) => w,
            ServerMsg::Error(e) => return Err(e),
            other => panic!("expected Welcome, got {other:?}"),
        };
        let snapshot = match client.recv().await {
            ServerMsg::Room(RoomEvent::Snapshot(s)) => *s,
            other => panic!("expected Snapshot, got {other:?}"),
        };
        Ok(Joined {
            client,
            welcome,
            snapshot,
        })
    }

    /// Creates a room; returns the instructor's client, code and token.
    pub async fn create_room(addr: SocketAddr) -> (Client, RoomCode, InstructorToken) {
        let joined = Self::hello(addr, Join::CreateRoom).await.expect("room created");
        let Credentials::Instructor(token) = joined.welcome.credentials else {
            panic!("creator is the instructor")
        };
        (joined.client, joined.welcome.code, token)
    }

    /// Joins as a student; returns the client, resume token and snapshot.
    pub async fn join(addr: SocketAddr, code: &RoomCode, name: &str) -> (Client, ResumeToken, RoomSnapshot) {
        let joined = Self::hello(
            addr,
            Join::Student {
                code: code.clone(),
                name: name.into(),
            },
        )
        .await
        .expect("student joins");
        let Credentials::Student { resume, .. } = joined.welcome.credentials else {
            panic!("a joining student gets student credentials")
        };
        (joined.client, resume, joined.snapshot)
    }

    /// Sends a focus change.
    pub async fn set_focus(&mut self, focus: Focus) {
        self.send(&ClientMsg::Control(Control::SetFocus(focus))).await;
    }

    /// Waits for a focus update with this animation step; returns its version.
    pub async fn recv_focus_step(&mut self, step: u32) -> StateVersion {
        self.recv_until(|m| match m {
            ServerMsg::Room(RoomEvent::Focus { version, focus }) if focus.step == step => Some(*version),
            _ => None,
        })
        .await
    }
}

/// A focus that differs from the default by its animation step.
pub fn step_focus(step: u32) -> Focus {
    Focus {
        view: View::Operation,
        layer: 2,
        step,
        ..Focus::default()
    }
}

/// The decompression bomb of issue 10: an all-black 8192 × 8192 greyscale PNG (about 65 KB that
/// decode to 64 MiB).
pub fn png_bomb() -> Vec<u8> {
    let side = 8192u32;
    let pixels = vec![0u8; (side * side) as usize];
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new_with_quality(
            &mut out,
            image::codecs::png::CompressionType::Best,
            image::codecs::png::FilterType::NoFilter,
        ),
        &pixels,
        side,
        side,
        image::ExtendedColorType::L8,
    )
    .expect("encodes");
    out
}

/// Peak resident memory of a process in bytes (`VmHWM`), where Linux reports it.
pub fn peak_rss_bytes(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A `side × side` 24-bit BMP file of one colour (a real image file the server decodes).
pub fn bmp(side: u32, rgb: [u8; 3]) -> Vec<u8> {
    let row = (side * 3).div_ceil(4) * 4;
    let pixels = row * side;
    let mut file = Vec::new();
    file.extend_from_slice(b"BM");
    file.extend_from_slice(&(54 + pixels).to_le_bytes());
    file.extend_from_slice(&[0, 0, 0, 0]);
    file.extend_from_slice(&54u32.to_le_bytes());
    file.extend_from_slice(&40u32.to_le_bytes());
    file.extend_from_slice(&(side as i32).to_le_bytes());
    file.extend_from_slice(&(side as i32).to_le_bytes());
    file.extend_from_slice(&1u16.to_le_bytes());
    file.extend_from_slice(&24u16.to_le_bytes());
    file.extend_from_slice(&[0; 4]);
    file.extend_from_slice(&pixels.to_le_bytes());
    file.extend_from_slice(&[0; 16]);
    for _ in 0..side {
        let mut written = 0;
        for _ in 0..side {
            file.extend_from_slice(&[rgb[2], rgb[1], rgb[0]]);
            written += 3;
        }
        file.resize(file.len() + (row - written) as usize, 0);
    }
    file
}

/// An HTTP answer read whole: status code, header block (lower-cased) and body.
pub struct HttpAnswer {
    pub status: u16,
    pub headers: String,
    pub body: Vec<u8>,
}

impl HttpAnswer {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request over a fresh connection (`Connection: close`), with `headers` and
/// `body` (its `Content-Length` is added unless `headers` has one); the answer read whole.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpAnswer {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-length"))
    {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("writes the head");
    // The server may answer (and close) before reading a refused body.
    let _ = stream.write_all(body).await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(RECV_TIMEOUT, stream.read_to_end(&mut response))
        .await
        .expect("an answer in time");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let mut body = response[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    HttpAnswer {
        status,
        headers: head,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 4 + size..];
    }
    out
}

/// Uploads a model file for the room `code` with its instructor `token`, as the console does.
pub async fn upload_model(
    addr: SocketAddr,
    code: &RoomCode,
    token: &InstructorToken,
    name: &str,
    bytes: &[u8],
) -> HttpAnswer {
    let (code, token) = (code.as_str().to_owned(), token.to_hex());
    http(
        addr,
        "POST",
        "/api/models",
        &[
            ("x-room", &code),
            ("x-instructor-token", &token),
            ("x-model-name", name),
        ],
        bytes,
    )
    .await
}

//! The real classroom server (`server::run`) on 127.0.0.1:0 (or every interface) serving
//! `client/dist`, on its own thread and runtime, so a test can stop it gracefully, kill it abruptly, and start it again
//! on the same port with the same data dir.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use server::Config;
use tokio::sync::oneshot;

use crate::paths;

/// How long a restart keeps retrying to bind the old port (the OS may hold it briefly).
const REBIND_TIMEOUT: Duration = Duration::from_secs(10);

/// Adjusts the server's [`Config`] before each start (data dir and client dir are preset).
pub type Configure = Box<dyn Fn(&mut Config) + Send + Sync>;

/// A running (or stopped, restartable) server. Dropping it kills the server.
pub struct TestServer {
    addr: SocketAddr,
    data_dir: PathBuf,
    configure: Configure,
    running: Option<Running>,
    // Deleted when the server is dropped; kept across restarts.
    _data_dir_guard: tempfile::TempDir,
}

struct Running {
    graceful: oneshot::Sender<()>,
    kill: oneshot::Sender<()>,
    thread: JoinHandle<Result<()>>,
}

impl TestServer {
    /// Starts the server with a fresh data dir under `target/e2e-tmp`, serving `client/dist`.
    /// Fails with a "run scripts/build-client.sh" message when the bundle is missing.
    pub async fn start() -> Result<Self> {
        Self::start_with(Box::new(|_| {})).await
    }

    /// Like [`TestServer::start`], with `configure` applied to the config on every (re)start.
    pub async fn start_with(configure: Configure) -> Result<Self> {
        Self::start_on(Ipv4Addr::LOCALHOST.into(), configure).await
    }

    /// Like [`TestServer::start_with`], listening on `ip` (e.g. `0.0.0.0`, every interface, as a
    /// lecture server students can reach does) on a free port.
    pub async fn start_on(ip: IpAddr, configure: Configure) -> Result<Self> {
        paths::require_bundle()?;
        let data_dir_guard = tempfile::Builder::new()
            .prefix("server-data-")
            .tempdir_in(paths::scratch_dir())
            .context("could not create a server data dir under target/e2e-tmp")?;
        let listener = bind((ip, 0).into()).await?;
        let addr = listener.local_addr()?;
        let mut server = Self {
            addr,
            data_dir: data_dir_guard.path().to_path_buf(),
            configure,
            running: None,
            _data_dir_guard: data_dir_guard,
        };
        server.spawn(listener)?;
        Ok(server)
    }

    /// `http://127.0.0.1:<port>`: open this in a browser.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// `ws://127.0.0.1:<port>/ws`: the WebSocket endpoint.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr())
    }

    /// The address to connect to (loopback, also when the server listens on every interface).
    pub fn addr(&self) -> SocketAddr {
        match self.addr.ip() {
            ip if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, self.addr.port()).into(),
            _ => self.addr,
        }
    }

    /// Whether the server listens on every interface (`0.0.0.0`), not loopback only.
    pub fn listens_everywhere(&self) -> bool {
        self.addr.ip().is_unspecified()
    }

    /// The server's data dir (its database lives here; it survives restarts).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Whether the server is currently running.
    pub fn is_running(&self) -> bool {
        self.running
            .as_ref()
            .is_some_and(|running| !running.thread.is_finished())
    }

    /// Graceful shutdown (like Ctrl-C): clients are told why, pending state is written.
    pub async fn stop(&mut self) -> Result<()> {
        let Some(Running {
            graceful,
            kill,
            thread,
        }) = self.running.take()
        else {
            return Ok(());
        };
        let _ = graceful.send(());
        let outcome = join(thread).await;
        // Dropping the kill switch earlier would cut the graceful shutdown short.
        drop(kill);
        outcome
    }

    /// Abrupt end (like `kill -9` of the process): every task is dropped mid-flight, nothing is
    /// flushed and no client gets a goodbye.
    pub async fn kill(&mut self) -> Result<()> {
        let Some(running) = self.running.take() else {
            return Ok(());
        };
        let _ = running.kill.send(());
        join(running.thread).await
    }

    /// Starts the server again on the same port with the same data dir (after stop or kill).
    pub async fn restart(&mut self) -> Result<()> {
        if self.running.is_some() {
            bail!(
                "restart: the server at {} is still running; stop or kill it first",
                self.addr
            );
        }
        let deadline = Instant::now() + REBIND_TIMEOUT;
        let listener = loop {
            match bind(self.addr).await {
                Ok(listener) => break listener,
                Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(error) => return Err(error.context("restart: the old port stayed busy")),
            }
        };
        self.spawn(listener)
    }

    fn spawn(&mut self, listener: tokio::net::TcpListener) -> Result<()> {
        let mut config = Config::new(Some(self.data_dir.clone()), Some(paths::client_dist()));
        (self.configure)(&mut config);
        let listener = listener
            .into_std()
            .context("could not hand the listener to the server thread")?;
        let (graceful_tx, graceful_rx) = oneshot::channel::<()>();
        let (kill_tx, kill_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("test-server-{}", self.addr.port()))
            .spawn(move || -> Result<()> {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .build()
                    .context("could not build the server's runtime")?;
                let outcome = runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    let graceful = async move {
                        let _ = graceful_rx.await;
                    };
                    tokio::select! {
                        result = server::run(listener, config, graceful) => {
                            result.map_err(|error| anyhow!("the server failed: {error}"))
                        }
                        _ = kill_rx => Ok(()),
                    }
                });
                // Drops every remaining task at once, as a killed process would.
                runtime.shutdown_background();
                outcome
            })
            .context("could not start the server thread")?;
        self.running = Some(Running {
            graceful: graceful_tx,
            kill: kill_tx,
            thread,
        });
        Ok(())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = running.kill.send(());
            let _ = running.thread.join();
        }
    }
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("could not listen on {addr}"))
}

async fn join(thread: JoinHandle<Result<()>>) -> Result<()> {
    tokio::task::spawn_blocking(move || thread.join())
        .await?
        .map_err(|_| anyhow!("the server thread panicked"))?
}

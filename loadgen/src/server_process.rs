//! The server under test: the real `cnn-classroom` binary as a child process on a free loopback
//! port with a fresh temporary data directory, stopped when dropped.

use std::fs::File;
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tempfile::TempDir;

/// Name of the server binary built by `cargo build --release -p server`.
const SERVER_BIN_NAME: &str = "cnn-classroom";

/// How long a freshly started server may take to accept connections.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// A running server; killed (and its data directory removed) on drop.
pub struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    data_dir: TempDir,
    binary: PathBuf,
    extra_args: Vec<String>,
}

impl ServerProcess {
    /// Starts `binary` on a free loopback port with a fresh data directory and waits until it
    /// accepts TCP connections. `extra_args` are appended to the command line.
    pub fn start(binary: &Path, extra_args: &[String]) -> anyhow::Result<Self> {
        let data_dir = tempfile::Builder::new()
            .prefix("loadgen-server-")
            .tempdir()
            .context("could not create a temporary data directory for the server")?;
        let addr = free_loopback_addr()?;
        let child = spawn(binary, addr, data_dir.path(), extra_args)?;
        let mut server = Self {
            child,
            addr,
            data_dir,
            binary: binary.to_path_buf(),
            extra_args: extra_args.to_vec(),
        };
        server.wait_until_accepting()?;
        Ok(server)
    }

    /// Kills the server (SIGKILL, as a crash) and starts it again on the same port and data
    /// directory; returns once the new process has been spawned (not yet accepting).
    pub fn kill_and_restart(&mut self) -> anyhow::Result<()> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = spawn(&self.binary, self.addr, self.data_dir.path(), &self.extra_args)?;
        Ok(())
    }

    /// Process id, for reading its CPU time and memory from `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

fn spawn(binary: &Path, addr: SocketAddr, data_dir: &Path, extra_args: &[String]) -> anyhow::Result<Child> {
    {
        let log_path = data_dir.join("server.log");
        let log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("could not create {}", log_path.display()))?;
        let log_for_stderr = log
            .try_clone()
            .context("could not duplicate the server log handle")?;
        let child = Command::new(binary)
            .arg("--bind")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(data_dir.join("data"))
            // Every simulated student comes from 127.0.0.1 into one room: lift the per-address
            // and per-room caps meant for a real classroom (later `extra_args` can lower them).
            .args([
                "--max-connections-per-address",
                "1000000",
                "--max-students-per-room",
                "1000000",
            ])
            .args(extra_args)
            .env(
                "RUST_LOG",
                std::env::var("LOADGEN_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_for_stderr)
            .spawn()
            .with_context(|| format!("could not start the server {}", binary.display()))?;
        Ok(child)
    }
}

impl ServerProcess {
    /// Loopback address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the process has exited (e.g. crashed) and with which status.
    pub fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The last `max_bytes` of the server's combined stdout/stderr, for error reports.
    pub fn log_tail(&self, max_bytes: usize) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(self.data_dir.path().join("server.log")) {
            let _ = file.read_to_string(&mut text);
        }
        let start = text.len().saturating_sub(max_bytes);
        let start = (start..text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len());
        text[start..].to_string()
    }

    /// Waits until the process accepts TCP connections (or says why it cannot).
    pub fn wait_until_accepting(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = self.exit_status() {
                bail!(
                    "the server exited at start ({status}); its output:\n{}",
                    self.log_tail(4000)
                );
            }
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "the server did not accept connections on {} within {STARTUP_TIMEOUT:?}; its output:\n{}",
                    self.addr,
                    self.log_tail(4000)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asks the kernel for a free loopback port. The port is released again before the server
/// binds it; another process could take it in between, which start-up then reports.
fn free_loopback_addr() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("could not find a free loopback port")?;
    listener.local_addr().context("could not read the free port")
}

/// Finds the server binary: `explicit` if given, else next to this executable (so
/// `target/release/loadgen` finds `target/release/cnn-classroom`), else under
/// `target/release/` of the current directory.
pub fn locate_server_binary(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = explicit {
        if path.is_file() {
            return Ok(path.to_path_buf());
        }
        bail!(
            "the server binary {} does not exist; build it with `cargo build --release -p server`",
            path.display()
        );
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(2) {
            candidates.push(dir.join(SERVER_BIN_NAME));
        }
    }
    candidates.push(PathBuf::from("target/release").join(SERVER_BIN_NAME));
    candidates.into_iter().find(|path| path.is_file()).with_context(|| {
        format!(
            "could not find the `{SERVER_BIN_NAME}` binary; build it with `cargo build --release -p server` \
             (into the same target directory as loadgen) or pass --server-bin PATH"
        )
    })
}

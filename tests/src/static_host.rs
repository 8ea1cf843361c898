//! A generic static file server that is not ours — Python's `http.server` (Debian's `python3`,
//! installed by `scripts/setup.sh --for test`) — serving a directory on a free loopback port,
//! as any plain web host would. Killed when stopped or dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::paths;

/// How long the server may take to start listening.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one [`StaticHost::get`] may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A running `python3 -m http.server` bound to 127.0.0.1. Dropping it kills the process, so a
/// panicking test leaves no server behind.
pub struct StaticHost {
    child: Child,
    port: u16,
    log: PathBuf,
}

/// One HTTP response, as the host sent it.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code, e.g. 200.
    pub status: u16,
    /// The header lines, names lower-cased, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body's length in bytes.
    pub body_bytes: usize,
}

impl Response {
    /// The first header with this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }
}

impl StaticHost {
    /// Serves `dir` with `python3 -m http.server` (`$PYTHON3` overrides the interpreter) on a
    /// port the OS picks, which the server itself reports, so there is no race for the port.
    pub fn serve(dir: &Path) -> Result<Self> {
        let python = std::env::var_os("PYTHON3").unwrap_or_else(|| "python3".into());
        let log = tempfile::Builder::new()
            .prefix("static-host-")
            .suffix(".log")
            .tempfile_in(paths::scratch_dir())
            .context("could not create the static host's log file under target/e2e-tmp")?;
        let (log_file, log) = log.keep().context("could not keep the static host's log file")?;
        let mut child = Command::new(&python)
            // -u: the "Serving HTTP on ... port N" line is written at once, not when a buffer fills.
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .with_context(|| {
                format!(
                    "could not start {} -m http.server: run `bash scripts/setup.sh --for test` \
                     (it installs Debian's python3) or set PYTHON3",
                    python.to_string_lossy()
                )
            })?;
        let Some(stdout) = child.stdout.take() else {
            unreachable!("stdout was set to piped above")
        };
        let (first_line, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = first_line.send(reader.read_line(&mut line).map(|_| line));
            // Keep draining, so the server never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut host = Self { child, port: 0, log };
        let line = match receive.recv_timeout(STARTUP_TIMEOUT) {
            Ok(Ok(line)) => line,
            Ok(Err(error)) => bail!("could not read the static host's output: {error}"),
            Err(_) => bail!(
                "python3 -m http.server did not report its port within {STARTUP_TIMEOUT:?}; see {}",
                host.log.display()
            ),
        };
        host.port = parse_port(&line).with_context(|| {
            format!(
                "python3 -m http.server did not start (it said {line:?}); see {}",
                host.log.display()
            )
        })?;
        Ok(host)
    }

    /// The site's root URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's log (one line per request it answered).
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// A plain `GET` of `path`, read to the end.
    pub async fn get(&self, path: &str) -> Result<Response> {
        get(self.port, path).await
    }

    /// Kills the server, like a host that went away, and waits until it has exited.
    pub fn stop(mut self) -> Result<()> {
        self.child.kill().context("could not kill the static host")?;
        self.child.wait().context("could not wait for the static host")?;
        Ok(())
    }
}

impl Drop for StaticHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.0 `GET` on 127.0.0.1:`port` (no client library between the test and the bytes).
pub async fn get(port: u16, path: &str) -> Result<Response> {
    tokio::time::timeout(REQUEST_TIMEOUT, async {
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .with_context(|| format!("could not connect to 127.0.0.1:{port}"))?;
        let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await?;
        parse_response(&bytes)
    })
    .await
    .with_context(|| format!("GET {path} took longer than {REQUEST_TIMEOUT:?}"))?
}

fn parse_response(bytes: &[u8]) -> Result<Response> {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("the response has no end of headers")?;
    let head = std::str::from_utf8(&bytes[..end]).context("the response head is not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("not an HTTP status line: {status_line:?}"))?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Ok(Response {
        status,
        headers,
        body_bytes: bytes.len() - end - 4,
    })
}

/// The port in `Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ...`.
fn parse_port(line: &str) -> Option<u16> {
    let (_, rest) = line.split_once(" port ")?;
    let port = rest.split_whitespace().next()?.parse().ok()?;
    (port != 0).then_some(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_is_read_from_the_servers_first_line() {
        assert_eq!(
            parse_port("Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ...\n"),
            Some(41234)
        );
        assert_eq!(parse_port("Traceback (most recent call last):\n"), None);
        assert_eq!(parse_port("Serving HTTP on 127.0.0.1 port 0 ...\n"), None);
    }

    #[test]
    fn a_response_head_is_split_into_status_and_headers() {
        let response =
            parse_response(b"HTTP/1.0 200 OK\r\nContent-type: application/wasm\r\n\r\nabc").unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-type"), Some("application/wasm"));
        assert_eq!(response.body_bytes, 3);
        assert!(parse_response(b"HTTP/1.0 200 OK\r\n").is_err());
    }
}

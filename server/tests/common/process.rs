//! The real `cnn-classroom` binary as a child process, for tests about the process itself (a
//! SIGKILL, its peak memory). It is started on port 0 and the test reads the port it got from
//! its first line, so no test releases a port and hopes it is still free.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout, Command, Stdio};

/// A running server binary; killed (and reaped) when dropped, even if the test fails half-way.
pub struct ServerProcess {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Starts the binary on `bind` (use `127.0.0.1:0` for any free port) with `args`, and
    /// returns once it has bound its socket.
    pub fn start<I, S>(bind: &str, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cnn-classroom"))
            .args(["--bind", bind, "--log-level", "warn"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let addr = bound_address(&mut stdout)
            .unwrap_or_else(|| panic!("server exited at start: {:?}", child.wait()));
        // Keep reading what it prints, so a full pipe never blocks it.
        std::thread::spawn(move || std::io::copy(&mut stdout.into_inner(), &mut std::io::sink()));
        Self { child, addr }
    }

    /// The child's process id, e.g. to read its memory from `/proc`.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, as a crash or a pulled plug would end it.
    pub fn kill(mut self) {
        self.child.kill().expect("kill the server");
        self.child.wait().expect("reap the server");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in the binary's first line, `cnn-classroom: open http://<addr> (…`; `None` if
/// it exits first.
fn bound_address(stdout: &mut BufReader<ChildStdout>) -> Option<SocketAddr> {
    let mut line = String::new();
    loop {
        line.clear();
        if stdout.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(rest) = line.strip_prefix("cnn-classroom: open ") {
            let url = rest.split_whitespace().next()?;
            let addr = url.split("://").nth(1)?;
            return Some(addr.parse().expect("the banner names a socket address"));
        }
    }
}

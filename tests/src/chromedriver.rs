//! A chromedriver process on a loopback port it picks itself (`--port=0`; it says which in its
//! log), killed with every browser it started.

use std::net::{Ipv4Addr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::paths;

/// How long chromedriver may take to start listening.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// A running chromedriver. Dropping it kills its whole process group, so a panicking test
/// leaves no Chromium behind.
pub struct Chromedriver {
    child: Child,
    port: u16,
}

/// Numbers the log files of the chromedrivers one test process starts.
static STARTED: AtomicUsize = AtomicUsize::new(0);

impl Chromedriver {
    /// Starts chromedriver (`$CHROMEDRIVER` or `/usr/bin/chromedriver`) on a free port.
    pub fn start() -> Result<Self> {
        let binary = driver_binary();
        if !binary.is_file() {
            bail!(
                "chromedriver not found at {}: run `bash scripts/setup.sh` (it installs Debian's \
                 chromium and chromium-driver) or set CHROMEDRIVER",
                binary.display()
            );
        }
        let log_path = paths::scratch_dir().join(format!(
            "chromedriver-{}-{}.log",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let log = std::fs::File::create(&log_path)
            .context("could not create the chromedriver log file under target/e2e-tmp")?;
        let child = Command::new(&binary)
            .arg("--port=0")
            .arg("--allowed-ips=127.0.0.1")
            // Chromium leaves org.chromium.* folders in TMPDIR: keep them inside target/.
            .env("TMPDIR", paths::scratch_dir())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            // Its own process group, so Drop can kill chromedriver and every Chromium it spawned.
            .process_group(0)
            .spawn()
            .with_context(|| format!("could not start {}", binary.display()))?;
        let mut driver = Self { child, port: 0 };
        driver.port = driver.wait_until_listening(&log_path)?;
        Ok(driver)
    }

    /// The WebDriver endpoint, e.g. `http://127.0.0.1:9515`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits for the port chromedriver announces in its log, then for it to accept.
    fn wait_until_listening(&mut self, log_path: &Path) -> Result<u16> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            let log = std::fs::read_to_string(log_path).unwrap_or_default();
            if let Some(port) = announced_port(&log)
                && TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
            {
                return Ok(port);
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "chromedriver exited at startup ({status}); see {}",
                    log_path.display()
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "chromedriver did not listen within {STARTUP_TIMEOUT:?}; see {}",
                    log_path.display()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The port in chromedriver's "ChromeDriver was started successfully on port 33567." line.
fn announced_port(log: &str) -> Option<u16> {
    let rest = log.split("started successfully on port ").nth(1)?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // Negative pid = the whole process group (chromedriver and its Chromium processes).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `$CHROMEDRIVER`, else Debian's `/usr/bin/chromedriver`.
fn driver_binary() -> PathBuf {
    std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new("/usr/bin/chromedriver").to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::announced_port;

    #[test]
    fn reads_the_port_chromedriver_announces() {
        let log = "Starting ChromeDriver 156.0 on port 0\nOnly local connections are allowed.\n\
                   ChromeDriver was started successfully on port 33567.\n";
        assert_eq!(announced_port(log), Some(33567));
        assert_eq!(announced_port("Starting ChromeDriver 156.0 on port 0\n"), None);
    }
}

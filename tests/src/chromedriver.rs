//! A chromedriver process on a free loopback port, killed with every browser it started.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
        let port = free_port()?;
        let log = std::fs::File::create(paths::scratch_dir().join(format!("chromedriver-{port}.log")))
            .context("could not create the chromedriver log file under target/e2e-tmp")?;
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
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
        let mut driver = Self { child, port };
        driver.wait_until_listening()?;
        Ok(driver)
    }

    /// The WebDriver endpoint, e.g. `http://127.0.0.1:9515`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_until_listening(&mut self) -> Result<()> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_ok() {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "chromedriver exited at startup ({status}); see target/e2e-tmp/chromedriver-{}.log",
                    self.port
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "chromedriver did not listen on port {} within {STARTUP_TIMEOUT:?}",
                    self.port
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
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

/// A port nobody listens on right now (the OS picks it; a tiny race with other processes is
/// harmless because chromedriver then fails loudly at startup).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("no free loopback port")?;
    Ok(listener.local_addr()?.port())
}

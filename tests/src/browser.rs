//! A fresh headless Chromium session (own chromedriver, own profile under `target/`) with the
//! helpers the browser tests share: find by `data-testid`, wait, read, click, screenshot,
//! console errors, offline switch.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::chrome_commands::{BrowserLog, DevToolsCommand};
use crate::chromedriver::Chromedriver;
use crate::paths;

/// How long the `wait_*` helpers wait before failing (override: `E2E_WAIT_SECS`).
pub fn default_wait() -> Duration {
    let seconds = std::env::var("E2E_WAIT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    Duration::from_secs(seconds)
}

/// How often the `wait_*` helpers look again.
const POLL_INTERVAL: Duration = Duration::from_millis(25);
/// The longest a screenshot waits for the view fade-in (260 ms in style.css) to finish.
const FADE_IN_WAIT: Duration = Duration::from_secs(3);

/// The flags every Chromium in this project runs with (team rule), plus a profile dir.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

/// Options for [`Browser::launch_with`].
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// Window size in CSS pixels (default 1280×800, the smallest laptop screen we support).
    pub window: (u32, u32),
    /// A name for the log and failure screenshots (default `browser`).
    pub name: String,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            window: (1280, 800),
            name: "browser".into(),
        }
    }
}

/// One console message or failed load, as Chromium reported it.
#[derive(Debug, Clone)]
pub struct ConsoleEntry {
    /// `SEVERE` (console.error, uncaught exception, failed load), `WARNING`, `INFO`, `DEBUG`.
    pub level: String,
    /// The message text, with its source location.
    pub message: String,
}

/// A headless Chromium driven over WebDriver. Close it with [`Browser::close`]; if a test
/// panics first, dropping it still kills chromedriver and Chromium.
pub struct Browser {
    client: Client,
    name: String,
    console: Mutex<Vec<ConsoleEntry>>,
    // Field order matters: the session is used through `client` while these live; the profile
    // is deleted after the driver (and with it Chromium) is gone.
    _driver: Chromedriver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A fresh Chromium with default options.
    pub async fn launch() -> Result<Self> {
        Self::launch_with(BrowserOptions::default()).await
    }

    /// A fresh Chromium: its own chromedriver, its own empty profile under `target/e2e-tmp`.
    pub async fn launch_with(options: BrowserOptions) -> Result<Self> {
        let driver = Chromedriver::start()?;
        let profile = tempfile::Builder::new()
            .prefix("chromium-profile-")
            .tempdir_in(paths::scratch_dir())
            .context("could not create a Chromium profile dir under target/e2e-tmp")?;
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|flag| flag.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push(format!("--window-size={},{}", options.window.0, options.window.1));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium_binary(), "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("built as an object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .context("chromedriver could not start a headless Chromium session")?;
        Ok(Self {
            client,
            name: options.name,
            console: Mutex::new(Vec::new()),
            _driver: driver,
            _profile: profile,
        })
    }

    /// A fresh Chromium showing pages at `width` × `height` CSS pixels. Headless windows are at
    /// least 500 pixels wide, so a narrower screen (a phone) is emulated as a mobile device.
    pub async fn launch_at(name: &str, width: u32, height: u32) -> Result<Self> {
        let browser = Self::launch_with(BrowserOptions {
            window: (width.max(500), height),
            name: name.into(),
        })
        .await?;
        if width < 500 {
            browser
                .devtools(
                    "Emulation.setDeviceMetricsOverride",
                    json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true }),
                )
                .await?;
        } else {
            // The window's size includes its frame: make the page's viewport exactly this size.
            browser
                .devtools(
                    "Emulation.setDeviceMetricsOverride",
                    json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
                )
                .await?;
        }
        Ok(browser)
    }

    /// The underlying WebDriver client, for anything the helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Navigates and waits for the page's load event.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("{}: could not open {url}", self.name))
    }

    /// Reloads the page.
    pub async fn reload(&self) -> Result<()> {
        self.client
            .refresh()
            .await
            .with_context(|| format!("{}: reload failed", self.name))
    }

    /// Runs `script` as a function body (use `return`; a returned promise is awaited) with
    /// `arguments[i]` = `args[i]`.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.client
            .execute(script, args)
            .await
            .with_context(|| format!("{}: script failed: {script}", self.name))
    }

    /// Waits until the JS expression `condition` is truthy; on timeout saves a screenshot
    /// `<name>-timeout.png` and fails naming `what`.
    pub async fn wait_until(&self, what: &str, condition: &str) -> Result<()> {
        let script = format!("return Boolean({condition});");
        let deadline = Instant::now() + default_wait();
        loop {
            if self.eval(&script, vec![]).await? == Value::Bool(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let shot = self.screenshot(&format!("{}-timeout", self.name)).await.ok();
                bail!(
                    "{}: timed out after {:?} waiting for {what}{}",
                    self.name,
                    default_wait(),
                    shot.map(|p| format!(" (screenshot: {})", p.display()))
                        .unwrap_or_default()
                );
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Waits until the app says it is interactive: `[data-testid=app][data-ready=true]`.
    pub async fn wait_ready(&self) -> Result<()> {
        self.wait_until(
            "the app to be ready ([data-testid=app][data-ready=true])",
            r#"document.querySelector('[data-testid="app"][data-ready="true"]')"#,
        )
        .await
    }

    /// Waits until an element with this `data-testid` exists, and returns it.
    pub async fn wait_for(&self, test_id: &str) -> Result<Element> {
        self.wait_for_css(&test_id_selector(test_id)).await
    }

    /// Waits until an element matching the CSS selector exists, and returns it.
    pub async fn wait_for_css(&self, selector: &str) -> Result<Element> {
        let condition = format!("document.querySelector({})", json!(selector));
        self.wait_until(&format!("an element matching {selector}"), &condition)
            .await?;
        self.find_css(selector).await
    }

    /// The element with this `data-testid` (no waiting).
    pub async fn find(&self, test_id: &str) -> Result<Element> {
        self.find_css(&test_id_selector(test_id)).await
    }

    /// The element matching the CSS selector (no waiting).
    pub async fn find_css(&self, selector: &str) -> Result<Element> {
        self.client
            .find(Locator::Css(selector))
            .await
            .with_context(|| format!("{}: no element matches {selector}", self.name))
    }

    /// Whether an element with this `data-testid` exists now.
    pub async fn exists(&self, test_id: &str) -> Result<bool> {
        let script = format!(
            "return document.querySelector({}) !== null;",
            json!(test_id_selector(test_id))
        );
        Ok(self.eval(&script, vec![]).await? == Value::Bool(true))
    }

    /// The rendered text of the element with this `data-testid`.
    pub async fn text(&self, test_id: &str) -> Result<String> {
        let element = self.find(test_id).await?;
        element
            .text()
            .await
            .with_context(|| format!("{}: could not read the text of {test_id}", self.name))
    }

    /// An attribute of the element with this `data-testid` (`None` if absent).
    pub async fn attr(&self, test_id: &str, attribute: &str) -> Result<Option<String>> {
        let element = self.find(test_id).await?;
        element
            .attr(attribute)
            .await
            .with_context(|| format!("{}: could not read {attribute} of {test_id}", self.name))
    }

    /// Waits for the element with this `data-testid`, then clicks it.
    pub async fn click(&self, test_id: &str) -> Result<()> {
        let element = self.wait_for(test_id).await?;
        element
            .click()
            .await
            .with_context(|| format!("{}: could not click {test_id}", self.name))
    }

    /// Sets a file on the `<input type=file>` with this `data-testid`, as a user picking it.
    pub async fn upload(&self, test_id: &str, file: &std::path::Path) -> Result<()> {
        let file = file
            .canonicalize()
            .with_context(|| format!("no file {}", file.display()))?;
        let input = self.wait_for(test_id).await?;
        input
            .send_keys(&file.display().to_string())
            .await
            .with_context(|| {
                format!(
                    "{}: could not upload {} into {test_id}",
                    self.name,
                    file.display()
                )
            })
    }

    /// Saves a PNG screenshot of the viewport as `target/e2e-artifacts/<name>.png`, once the
    /// explanation view's fade-in has finished (every `.view-host` at computed opacity 1), so
    /// the picture shows the view as students see it rather than half-transparent.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // Bounded and without `wait_until` (whose timeout takes a screenshot): a view that never
        // becomes opaque is still captured, as it is, with a note in the log.
        let opaque = r#"return [...document.querySelectorAll(".view-host")]
            .every(e => getComputedStyle(e).opacity === "1");"#;
        let deadline = Instant::now() + FADE_IN_WAIT;
        while self.eval(opaque, vec![]).await? != Value::Bool(true) {
            if Instant::now() > deadline {
                eprintln!(
                    "{}: screenshot {name}: the view is still not opaque after {FADE_IN_WAIT:?}",
                    self.name
                );
                break;
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
        let png = self
            .client
            .screenshot()
            .await
            .with_context(|| format!("{}: screenshot failed", self.name))?;
        let path = paths::artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).with_context(|| format!("could not write {}", path.display()))?;
        Ok(path)
    }

    /// Every console message and failed load since the session started.
    pub async fn console(&self) -> Result<Vec<ConsoleEntry>> {
        let fresh = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .context("could not read the browser log")?;
        let fresh = fresh
            .as_array()
            .ok_or_else(|| anyhow!("the browser log is not a list: {fresh}"))?;
        let mut console = self
            .console
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        console.extend(fresh.iter().map(|entry| ConsoleEntry {
            level: entry["level"].as_str().unwrap_or("UNKNOWN").to_owned(),
            message: entry["message"].as_str().unwrap_or_default().to_owned(),
        }));
        Ok(console.clone())
    }

    /// The console errors (level SEVERE: console.error, uncaught exceptions, failed loads).
    pub async fn console_errors(&self) -> Result<Vec<String>> {
        Ok(self
            .console()
            .await?
            .into_iter()
            .filter(|entry| entry.level == "SEVERE")
            .map(|entry| entry.message)
            .collect())
    }

    /// Fails listing them if there were console errors.
    pub async fn assert_no_console_errors(&self) -> Result<()> {
        let errors = self.console_errors().await?;
        if !errors.is_empty() {
            bail!(
                "{}: the page logged {} console error(s):\n  {}",
                self.name,
                errors.len(),
                errors.join("\n  ")
            );
        }
        Ok(())
    }

    /// Sends one Chrome DevTools Protocol command and returns its result.
    pub async fn devtools(&self, method: &str, params: Value) -> Result<Value> {
        self.client
            .issue_cmd(DevToolsCommand {
                method: method.to_owned(),
                params,
            })
            .await
            .with_context(|| format!("{}: DevTools command {method} failed", self.name))
    }

    /// Cuts this page off the network (`true`) or reconnects it, like a laptop's Wi-Fi switch.
    /// Applies to the page and its service worker.
    pub async fn set_offline(&self, offline: bool) -> Result<()> {
        self.devtools("Network.enable", json!({})).await?;
        self.devtools(
            "Network.emulateNetworkConditions",
            json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .await?;
        Ok(())
    }

    /// Runs `source` in every new document before the page's own scripts (e.g. a probe).
    pub async fn add_init_script(&self, source: &str) -> Result<()> {
        self.devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await?;
        Ok(())
    }

    /// Ends the session and shuts Chromium down.
    pub async fn close(self) -> Result<()> {
        self.client
            .clone()
            .close()
            .await
            .with_context(|| format!("{}: closing the session failed", self.name))
    }
}

/// The CSS selector for a `data-testid`.
pub fn test_id_selector(test_id: &str) -> String {
    format!("[data-testid={}]", json!(test_id))
}

/// `$CHROME_BIN`, else Debian's `/usr/bin/chromium`.
fn chromium_binary() -> String {
    std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

//! Chromedriver's vendor WebDriver commands that fantoccini does not wrap: raw DevTools
//! protocol calls (offline emulation, scripts injected before the page's own) and the browser
//! console log.

use fantoccini::wd::WebDriverCompatibleCommand;
use http::Method;
use serde_json::{Value, json};
use url::{ParseError, Url};

/// `POST /session/{id}/goog/cdp/execute`: one Chrome DevTools Protocol command.
#[derive(Debug)]
pub struct DevToolsCommand {
    /// E.g. `Network.emulateNetworkConditions`.
    pub method: String,
    /// The command's parameters object.
    pub params: Value,
}

impl WebDriverCompatibleCommand for DevToolsCommand {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, ParseError> {
        session_url(base_url, session_id, "goog/cdp/execute")
    }

    fn method_and_body(&self, _request_url: &Url) -> (Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (Method::POST, Some(body.to_string()))
    }
}

/// `POST /session/{id}/se/log` with type `browser`: console messages and failed loads since the
/// last call (needs the `goog:loggingPrefs` capability the harness sets).
#[derive(Debug)]
pub struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, ParseError> {
        session_url(base_url, session_id, "se/log")
    }

    fn method_and_body(&self, _request_url: &Url) -> (Method, Option<String>) {
        (Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}

fn session_url(base_url: &Url, session_id: Option<&str>, path: &str) -> Result<Url, ParseError> {
    // Without a session there is nothing to address; an empty id makes chromedriver answer with
    // a clear "invalid session id" error.
    base_url.join(&format!("session/{}/{path}", session_id.unwrap_or_default()))
}

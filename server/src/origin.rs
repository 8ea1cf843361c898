//! Where a WebSocket may come from. A browser sends `Origin` with every WebSocket handshake: the
//! upgrade is accepted only from a page of this server (the Origin's host and port equal the
//! Host header) or from a configured origin, so another web page a student or the instructor
//! visits cannot drive the server. And the Host must be one this server answers to (an IP
//! address, `localhost`, a `.local` name, or a configured name), so a DNS-rebinding page, whose
//! own name then points at this server, is refused too.

use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};

use crate::config::Config;

/// Why an upgrade was refused (sent as a `403` text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    /// No Host header (HTTP/1.1 requires one).
    #[error("The request has no Host header.")]
    NoHost,
    /// A Host name this server does not answer to.
    #[error(
        "This server does not answer to the name {0:?}. Open it by its IP address, or start it with \
         --allowed-host {0}."
    )]
    ForeignHost(String),
    /// A page of another origin.
    #[error(
        "WebSocket connections are accepted only from this server's own page, not from {0:?}. Open \
         the lecture from the server's address, or start it with --allowed-origin {0}."
    )]
    ForeignOrigin(String),
}

/// Checks the Host and Origin headers of a WebSocket upgrade.
pub fn check(headers: &HeaderMap, config: &Config) -> Result<(), OriginError> {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .ok_or(OriginError::NoHost)?
        .to_ascii_lowercase();
    if !host_allowed(&host, &config.allowed_hosts) {
        return Err(OriginError::ForeignHost(shorten(&host)));
    }
    // Programs that are not browsers (loadgen, tests, command-line tools) send no Origin; a
    // browser always does, and no web page can remove or forge it.
    let Some(origin) = headers.get(ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("").to_ascii_lowercase();
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    if authority == Some(host.as_str())
        || config
            .allowed_origins
            .iter()
            .any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(&origin))
    {
        Ok(())
    } else {
        Err(OriginError::ForeignOrigin(shorten(&origin)))
    }
}

/// Whether `host` (`name[:port]`) is an IP address, `localhost`, a `.local` name or configured.
fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = match host.strip_prefix('[') {
        // [v6]:port
        Some(rest) => {
            return rest
                .split(']')
                .next()
                .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok());
        }
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    name.parse::<std::net::IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || name.ends_with(".local")
        || allowed
            .iter()
            .any(|a| a.eq_ignore_ascii_case(name) || a.eq_ignore_ascii_case(host))
}

/// A header value cut to a readable length for a message.
fn shorten(text: &str) -> String {
    text.chars().take(100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: &str, origin: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_str(host).unwrap());
        if let Some(origin) = origin {
            headers.insert(ORIGIN, HeaderValue::from_str(origin).unwrap());
        }
        headers
    }

    #[test]
    fn same_origin_and_configured_origins_pass_others_do_not() {
        let mut config = Config::new(None, None);
        let ok = |h, o, c: &Config| check(&headers(h, o), c);
        assert_eq!(
            ok("192.168.1.5:8080", Some("http://192.168.1.5:8080"), &config),
            Ok(())
        );
        assert_eq!(
            ok("localhost:8080", Some("http://localhost:8080"), &config),
            Ok(())
        );
        assert_eq!(ok("[::1]:8080", Some("http://[::1]:8080"), &config), Ok(()));
        assert_eq!(
            ok("laptop.local:8080", Some("https://laptop.local:8080"), &config),
            Ok(())
        );
        assert_eq!(ok("127.0.0.1:8080", None, &config), Ok(()), "non-browser clients");
        assert!(matches!(
            ok("127.0.0.1:8080", Some("http://evil.example"), &config),
            Err(OriginError::ForeignOrigin(_))
        ));
        assert!(matches!(
            ok("127.0.0.1:8080", Some("http://127.0.0.1:9999"), &config),
            Err(OriginError::ForeignOrigin(_))
        ));
        // DNS rebinding: the page's own name now points here; Origin equals Host, but the name
        // is not one of ours.
        assert!(matches!(
            ok("evil.example:8080", Some("http://evil.example:8080"), &config),
            Err(OriginError::ForeignHost(_))
        ));
        config.allowed_hosts.push("lecture.example.org".into());
        config.allowed_origins.push("https://slides.example.org".into());
        assert_eq!(
            ok(
                "lecture.example.org",
                Some("https://lecture.example.org"),
                &config
            ),
            Ok(())
        );
        assert_eq!(
            ok("lecture.example.org", Some("https://slides.example.org"), &config),
            Ok(())
        );
    }
}

//! Where students can reach this server, for the instructor's join link and QR code: an
//! instructor who opened the page at `127.0.0.1` would otherwise project a link no student can
//! open. `GET /api/join-origins` answers only the instructor of an open room (the room's code
//! and instructor token as a bearer credential), so no one else learns the server's addresses.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use serde::Serialize;
use shared::RoomCode;
use shared::ids::InstructorToken;

use crate::accept::ConnInfo;
use crate::hub::Hub;

/// The address the server listens on (the listener's, e.g. `0.0.0.0:8080`).
#[derive(Debug, Clone, Copy)]
pub struct Listening(pub SocketAddr);

/// The answer of `/api/join-origins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reach {
    /// The server listens on a loopback address only: no other machine can reach it.
    pub loopback_only: bool,
    /// Origins students can open (`http://192.168.1.20:8080`), IPv4 first.
    pub origins: Vec<String>,
}

/// Where a server listening on `listening` can be reached from other machines, given this
/// machine's interface addresses.
pub fn reach(listening: SocketAddr, tls: bool, interfaces: &[IpAddr]) -> Reach {
    let ip = listening.ip();
    if ip.is_loopback() {
        return Reach {
            loopback_only: true,
            origins: Vec::new(),
        };
    }
    let mut ips: Vec<IpAddr> = if ip.is_unspecified() {
        interfaces
            .iter()
            .copied()
            // A `0.0.0.0` socket takes IPv4 only; `::` takes both (Linux's default dual stack).
            .filter(|candidate| ip.is_ipv6() || candidate.is_ipv4())
            .filter(|candidate| reachable_from_elsewhere(*candidate))
            .collect()
    } else {
        vec![ip]
    };
    ips.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    ips.dedup();
    let scheme = if tls { "https" } else { "http" };
    let port = listening.port();
    Reach {
        loopback_only: false,
        origins: ips
            .into_iter()
            .map(|ip| format!("{scheme}://{}", SocketAddr::new(ip, port)))
            .collect(),
    }
}

/// Neither loopback nor link-local (`169.254.*`, `fe80::`), which other laptops cannot use.
fn reachable_from_elsewhere(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_link_local() && !v4.is_unspecified(),
        IpAddr::V6(v6) => {
            !v6.is_loopback() && !v6.is_unicast_link_local() && !v6.is_unspecified() && !v6.is_multicast()
        }
    }
}

/// This machine's interface addresses now (a laptop may join the Wi-Fi after starting us).
pub fn interface_addresses() -> Vec<IpAddr> {
    match if_addrs::get_if_addrs() {
        Ok(interfaces) => interfaces.iter().map(|interface| interface.ip()).collect(),
        Err(error) => {
            tracing::warn!(%error, "could not list the network interfaces");
            Vec::new()
        }
    }
}

/// `GET /api/join-origins` with `Authorization: Bearer CODE:TOKEN` (the instructor's saved
/// session): the origins students can open; `403` for anyone else.
pub async fn join_origins(
    State(hub): State<Hub>,
    Extension(info): Extension<ConnInfo>,
    Extension(Listening(listening)): Extension<Listening>,
    headers: HeaderMap,
) -> Response {
    if !is_instructor(&hub, &headers) {
        if let Err(wait) = hub.failed_join_limiter().try_take(&info.peer.ip()) {
            let text = format!(
                "Too many wrong instructor tokens from your address; try again in {}.\n",
                crate::rate_limit::wait_text(wait)
            );
            return (StatusCode::TOO_MANY_REQUESTS, text).into_response();
        }
        return (
            StatusCode::FORBIDDEN,
            "Only the instructor of an open lecture may ask where students can reach this server.\n",
        )
            .into_response();
    }
    let interfaces = tokio::task::spawn_blocking(interface_addresses)
        .await
        .unwrap_or_default();
    let answer = reach(listening, info.tls, &interfaces);
    ([(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response()
}

/// Whether the request carries the code and instructor token of an open room.
fn is_instructor(hub: &Hub, headers: &HeaderMap) -> bool {
    let credential = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .and_then(|value| value.split_once(':'));
    let Some((code, token)) = credential else {
        return false;
    };
    let (Ok(code), Ok(token)) = (RoomCode::parse(code), InstructorToken::from_hex(token)) else {
        return false;
    };
    hub.room(&code)
        .is_some_and(|room| room.is_instructor_token(&token))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|ip| ip.parse().unwrap()).collect()
    }

    const HERE: &[&str] = &[
        "127.0.0.1",
        "192.168.1.20",
        "169.254.3.4",
        "10.8.0.2",
        "::1",
        "fe80::1",
        "fd00::2",
    ];

    #[test]
    fn loopback_is_reachable_from_nowhere_else() {
        for bind in ["127.0.0.1:8080", "[::1]:8080", "127.0.0.2:80"] {
            let reach = reach(bind.parse().unwrap(), false, &ips(HERE));
            assert!(reach.loopback_only, "{bind}");
            assert!(reach.origins.is_empty(), "{bind}");
        }
    }

    #[test]
    fn all_interfaces_list_the_lan_addresses_without_loopback_or_link_local() {
        let v4 = reach("0.0.0.0:8080".parse().unwrap(), false, &ips(HERE));
        assert!(!v4.loopback_only);
        assert_eq!(v4.origins, ["http://10.8.0.2:8080", "http://192.168.1.20:8080"]);
        let both = reach("[::]:8443".parse().unwrap(), true, &ips(HERE));
        assert_eq!(
            both.origins,
            [
                "https://10.8.0.2:8443",
                "https://192.168.1.20:8443",
                "https://[fd00::2]:8443"
            ]
        );
        let none = reach("0.0.0.0:8080".parse().unwrap(), false, &ips(&["127.0.0.1"]));
        assert_eq!((none.loopback_only, none.origins.len()), (false, 0));
    }

    #[test]
    fn one_bound_address_is_the_one_to_use() {
        let reach = reach("192.168.1.20:9000".parse().unwrap(), false, &ips(HERE));
        assert_eq!(reach.origins, ["http://192.168.1.20:9000"]);
    }
}

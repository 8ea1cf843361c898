//! Addresses of a lecture: the join link students open (`/join/CODE`), which host it names, and
//! the WebSocket endpoint on the same host as the page.

use shared::ids::RoomCode;

/// The join code in a page path like `/join/KXMRTW`, if the page was opened from a join link.
pub fn code_from_path(path: &str) -> Option<RoomCode> {
    let typed = path.strip_prefix("/join/")?.trim_end_matches('/');
    RoomCode::parse(typed).ok()
}

/// The link students open, e.g. `http://192.168.1.20:8080/join/KXMRTW`.
pub fn join_link(origin: &str, code: &RoomCode) -> String {
    format!("{}{}", origin.trim_end_matches('/'), code.join_path())
}

/// Where students can reach the server, as it told the instructor (`/api/join-origins`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The server listens on loopback only: no other machine can reach it.
    pub loopback_only: bool,
    /// The best origin students can open, if any.
    pub origin: Option<String>,
}

/// The origin for the join link: the page's own, unless the page was opened on this computer
/// only (`localhost`, `127.0.0.1`, `[::1]`), which no student can open; then the server's first
/// reachable address. `None`: students cannot reach the server at all.
pub fn student_origin(page_origin: &str, page_host: &str, reach: Option<&Reach>) -> Option<String> {
    let this_computer_only =
        page_host == "localhost" || page_host.starts_with("127.") || page_host == "[::1]";
    match reach {
        Some(reach) if this_computer_only => reach.origin.clone(),
        _ => Some(page_origin.to_owned()),
    }
}

/// The classroom WebSocket on the page's own host: `ws://host/ws`, or `wss://` under https.
pub fn socket_url(page_protocol: &str, host: &str) -> String {
    let scheme = if page_protocol == "https:" { "wss" } else { "ws" };
    format!("{scheme}://{host}/ws")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_paths_yield_their_code() {
        assert_eq!(code_from_path("/join/KXMRTW").unwrap().as_str(), "KXMRTW");
        assert_eq!(code_from_path("/join/kxmrtw/").unwrap().as_str(), "KXMRTW");
        assert_eq!(code_from_path("/join/"), None);
        assert_eq!(code_from_path("/join/<script>"), None);
        assert_eq!(code_from_path("/"), None);
        assert_eq!(code_from_path("/other/KXMRTW"), None);
    }

    #[test]
    fn links_round_trip() {
        let code = RoomCode::parse("KXMRTW").unwrap();
        let link = join_link("http://192.168.1.20:8080/", &code);
        assert_eq!(link, "http://192.168.1.20:8080/join/KXMRTW");
        let path = link.strip_prefix("http://192.168.1.20:8080").unwrap();
        assert_eq!(code_from_path(path), Some(code));
    }

    #[test]
    fn a_page_on_this_computer_links_to_an_address_students_can_reach() {
        let lan = Reach {
            loopback_only: false,
            origin: Some("http://192.168.1.20:8080".into()),
        };
        let here = "http://127.0.0.1:8080";
        for host in ["127.0.0.1", "localhost", "[::1]"] {
            assert_eq!(
                student_origin(here, host, Some(&lan)).as_deref(),
                Some("http://192.168.1.20:8080"),
                "{host}"
            );
        }
        let nowhere = Reach {
            loopback_only: true,
            origin: None,
        };
        assert_eq!(student_origin(here, "127.0.0.1", Some(&nowhere)), None);
        // Not yet known (or an older server): the page's own origin, as before.
        assert_eq!(student_origin(here, "127.0.0.1", None).as_deref(), Some(here));
        // Opened at a LAN address or a name: that is what students open too.
        let page = "http://192.168.1.20:8080";
        assert_eq!(
            student_origin(page, "192.168.1.20", Some(&lan)).as_deref(),
            Some(page)
        );
        let named = "https://lecture.example.org";
        assert_eq!(
            student_origin(named, "lecture.example.org", Some(&nowhere)).as_deref(),
            Some(named)
        );
    }

    #[test]
    fn socket_follows_the_page_scheme() {
        assert_eq!(socket_url("http:", "127.0.0.1:8080"), "ws://127.0.0.1:8080/ws");
        assert_eq!(socket_url("https:", "class.example"), "wss://class.example/ws");
    }
}

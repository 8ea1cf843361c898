//! Addresses of a lecture: the join link students open (`/join/CODE`) and the WebSocket endpoint
//! on the same host as the page.

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
    fn socket_follows_the_page_scheme() {
        assert_eq!(socket_url("http:", "127.0.0.1:8080"), "ws://127.0.0.1:8080/ws");
        assert_eq!(socket_url("https:", "class.example"), "wss://class.example/ws");
    }
}

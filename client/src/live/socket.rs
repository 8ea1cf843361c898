//! One WebSocket to the classroom server: binary frames in and out, its browser event handlers
//! kept alive exactly as long as the socket, and detached on drop so a replaced socket is silent.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};
use yew::Callback;

/// What the socket reports.
#[derive(Debug, Clone, PartialEq)]
pub enum SocketEvent {
    /// Connected; frames can be sent now.
    Open,
    /// One binary frame from the server.
    Frame(Vec<u8>),
    /// The connection is gone (refused, dropped, or closed by either side).
    Closed {
        /// The WebSocket close code (1006 when the network dropped).
        code: u16,
        /// The server's reason, if it gave one.
        reason: String,
    },
}

/// An open (or opening) WebSocket.
pub struct Socket {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Starts connecting to `url`; events arrive on `on_event`.
    pub fn open(url: &str, on_event: Callback<SocketEvent>) -> Result<Self, String> {
        let socket = WebSocket::new(url).map_err(|error| format!("{error:?}"))?;
        socket.set_binary_type(BinaryType::Arraybuffer);

        let opened = on_event.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| opened.emit(SocketEvent::Open));
        let received = on_event.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            // Text frames are not part of the protocol; ignoring them keeps the session intact.
            if let Ok(buffer) = event.data().dyn_into::<js_sys::ArrayBuffer>() {
                received.emit(SocketEvent::Frame(js_sys::Uint8Array::new(&buffer).to_vec()));
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            on_event.emit(SocketEvent::Closed {
                code: event.code(),
                reason: event.reason(),
            })
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            socket,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends one binary frame; `false` if the socket is not open (the caller resyncs on reconnect).
    pub fn send(&self, frame: &[u8]) -> bool {
        self.socket.ready_state() == WebSocket::OPEN && self.socket.send_with_u8_array(frame).is_ok()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}

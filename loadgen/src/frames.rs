//! The few WebSocket framing rules (RFC 6455 §5) a simulated student needs after the handshake:
//! reading the server's unmasked, unfragmented frames straight out of one receive buffer, and
//! writing masked client frames. A student reads with one `recv` per wake-up, parses every frame
//! in place and allocates nothing per frame, so 10,000 students cost the shared cores as little
//! as possible (a general WebSocket library zeroes its read buffer before every read and copies
//! each payload out).

use std::ops::Range;

/// Largest server frame a student accepts (the snapshot with an input image is about 12 KB).
pub const MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;

const OPCODE_CONTINUATION: u8 = 0x0;
const OPCODE_TEXT: u8 = 0x1;
const OPCODE_BINARY: u8 = 0x2;
const OPCODE_CLOSE: u8 = 0x8;
const OPCODE_PING: u8 = 0x9;
const OPCODE_PONG: u8 = 0xA;

/// What one complete server frame is; payloads are ranges into the [`FrameBuffer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A binary message (every protocol message).
    Binary(Range<usize>),
    /// A text message (the classroom protocol never sends one).
    Text,
    /// A ping the client must answer with a pong carrying the same payload.
    Ping(Range<usize>),
    /// A pong.
    Pong,
    /// The server's close frame, with its payload (status code and reason).
    Close(Range<usize>),
}

/// Why the byte stream is not a WebSocket stream this client can follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// Reserved bits set, an unknown opcode, or a masked frame from the server.
    Protocol(&'static str),
    /// A fragmented message (the server under test never fragments).
    Fragmented,
    /// A frame larger than [`MAX_FRAME_BYTES`].
    TooLarge(u64),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Protocol(what) => write!(f, "WebSocket protocol error: {what}"),
            Self::Fragmented => write!(f, "the server sent a fragmented message"),
            Self::TooLarge(len) => write!(f, "the server sent a {len}-byte frame"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Received bytes not yet parsed into frames.
#[derive(Debug)]
pub struct FrameBuffer {
    bytes: Vec<u8>,
    /// Start of the first unparsed byte.
    start: usize,
}

impl FrameBuffer {
    /// An empty buffer with room for `capacity` bytes before it has to grow.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            bytes: Vec::with_capacity(capacity),
            start: 0,
        }
    }

    /// The buffer to receive into: consumed bytes are dropped and at least `min_free` bytes of
    /// spare capacity ensured (more if a frame whose header was seen needs it). The caller
    /// appends, e.g. with `AsyncReadExt::read_buf`, which does not zero the spare capacity.
    pub fn receive_into(&mut self, min_free: usize) -> &mut Vec<u8> {
        if self.start > 0 {
            self.bytes.drain(..self.start);
            self.start = 0;
        }
        let wanted = self
            .pending_frame_len()
            .unwrap_or(0)
            .max(self.bytes.len() + min_free);
        self.bytes.reserve(wanted.saturating_sub(self.bytes.len()));
        &mut self.bytes
    }

    /// The bytes of a payload range returned by [`FrameBuffer::next_frame`] (valid until the
    /// next [`FrameBuffer::receive_into`]).
    pub fn payload(&self, range: Range<usize>) -> &[u8] {
        &self.bytes[range]
    }

    /// Total length (header and payload) of the first unparsed frame, once its header is in.
    fn pending_frame_len(&self) -> Option<usize> {
        parse_header(&self.bytes[self.start..])
            .ok()
            .flatten()
            .map(|h| h.header_len + h.payload_len)
    }

    /// The next complete frame, or `None` until more bytes arrive.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        let Some(header) = parse_header(&self.bytes[self.start..])? else {
            return Ok(None);
        };
        let total = header.header_len + header.payload_len;
        if self.bytes.len() - self.start < total {
            return Ok(None);
        }
        let payload = self.start + header.header_len..self.start + total;
        self.start += total;
        Ok(Some(match header.opcode {
            OPCODE_BINARY => Frame::Binary(payload),
            OPCODE_TEXT => Frame::Text,
            OPCODE_PING => Frame::Ping(payload),
            OPCODE_PONG => Frame::Pong,
            OPCODE_CLOSE => Frame::Close(payload),
            _ => unreachable!("parse_header accepts only the opcodes above"),
        }))
    }
}

struct Header {
    opcode: u8,
    header_len: usize,
    payload_len: usize,
}

/// Parses a frame header at the start of `bytes`; `None` if it is not all there yet.
fn parse_header(bytes: &[u8]) -> Result<Option<Header>, FrameError> {
    let [first, second, ..] = *bytes else {
        return Ok(None);
    };
    if first & 0x70 != 0 {
        return Err(FrameError::Protocol("reserved bits set"));
    }
    if second & 0x80 != 0 {
        return Err(FrameError::Protocol("the server masked a frame"));
    }
    let opcode = first & 0x0F;
    let fin = first & 0x80 != 0;
    match opcode {
        OPCODE_CONTINUATION => return Err(FrameError::Fragmented),
        OPCODE_TEXT | OPCODE_BINARY if !fin => return Err(FrameError::Fragmented),
        OPCODE_TEXT | OPCODE_BINARY | OPCODE_CLOSE | OPCODE_PING | OPCODE_PONG => {}
        _ => return Err(FrameError::Protocol("unknown opcode")),
    }
    let (header_len, payload_len) = match second & 0x7F {
        126 => match bytes.get(2..4) {
            Some(ext) => (4, u64::from(u16::from_be_bytes([ext[0], ext[1]]))),
            None => return Ok(None),
        },
        127 => match bytes.get(2..10) {
            Some(ext) => {
                let mut be = [0u8; 8];
                be.copy_from_slice(ext);
                (10, u64::from_be_bytes(be))
            }
            None => return Ok(None),
        },
        short => (2, u64::from(short)),
    };
    match usize::try_from(payload_len) {
        Ok(len) if len <= MAX_FRAME_BYTES => Ok(Some(Header {
            opcode,
            header_len,
            payload_len: len,
        })),
        _ => Err(FrameError::TooLarge(payload_len)),
    }
}

/// A client's binary frame (masked with `mask`, as RFC 6455 requires of clients).
pub fn binary(payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
    client_frame(OPCODE_BINARY, payload, mask)
}

/// A client's pong answering a ping with `payload`.
pub fn pong(payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
    client_frame(OPCODE_PONG, payload, mask)
}

fn client_frame(opcode: u8, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(payload.len() + 14);
    frame.push(0x80 | opcode);
    match payload.len() {
        len @ 0..=125 => frame.push(0x80 | len as u8),
        len @ 126..=0xFFFF => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        }
        len => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(
        payload
            .iter()
            .zip(mask.iter().cycle())
            .map(|(byte, key)| byte ^ key),
    );
    frame
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_tungstenite::tungstenite::protocol::{Role, WebSocket};
    use tokio_tungstenite::tungstenite::{Bytes, Message};

    /// What tungstenite, as a server, puts on the wire for `messages`.
    fn server_bytes(messages: Vec<Message>) -> Vec<u8> {
        let mut socket = WebSocket::from_raw_socket(std::io::Cursor::new(Vec::new()), Role::Server, None);
        for message in messages {
            socket.send(message).unwrap();
        }
        socket.get_ref().get_ref().clone()
    }

    #[test]
    fn reads_what_a_websocket_server_writes_in_any_split() {
        let big = vec![7u8; 70_000];
        let wire = server_bytes(vec![
            Message::binary(vec![1, 2, 3]),
            Message::Ping(Bytes::from_static(b"hi")),
            Message::binary(vec![9u8; 300]),
            Message::binary(big.clone()),
        ]);
        for split in [1, 2, 3, 5, 100, wire.len()] {
            let mut buffer = FrameBuffer::with_capacity(8);
            let mut seen = Vec::new();
            for chunk in wire.chunks(split) {
                buffer.receive_into(split).extend_from_slice(chunk);
                while let Some(frame) = buffer.next_frame().unwrap() {
                    seen.push(match frame {
                        Frame::Binary(range) => buffer.payload(range).to_vec(),
                        Frame::Ping(range) => [b"ping:".as_slice(), buffer.payload(range)].concat(),
                        other => panic!("unexpected {other:?}"),
                    });
                }
            }
            assert_eq!(
                seen,
                vec![vec![1, 2, 3], b"ping:hi".to_vec(), vec![9u8; 300], big.clone()]
            );
        }
    }

    #[test]
    fn client_frames_are_what_a_websocket_server_reads() {
        let payload = vec![42u8; 200];
        let mut wire = binary(&payload, [1, 2, 3, 4]);
        wire.extend(pong(b"hi", [9, 8, 7, 6]));
        let mut socket = WebSocket::from_raw_socket(std::io::Cursor::new(wire), Role::Server, None);
        assert_eq!(socket.read().unwrap(), Message::binary(payload));
        assert_eq!(socket.read().unwrap(), Message::Pong(Bytes::from_static(b"hi")));
    }

    #[test]
    fn refuses_masked_fragmented_and_oversized_frames() {
        let mut masked = FrameBuffer::with_capacity(8);
        masked
            .receive_into(8)
            .extend_from_slice(&[0x82, 0x81, 0, 0, 0, 0, 1]);
        assert!(matches!(masked.next_frame(), Err(FrameError::Protocol(_))));
        let mut fragment = FrameBuffer::with_capacity(8);
        fragment.receive_into(8).extend_from_slice(&[0x02, 0x01, 1]);
        assert_eq!(fragment.next_frame(), Err(FrameError::Fragmented));
        let mut huge = FrameBuffer::with_capacity(16);
        huge.receive_into(16)
            .extend_from_slice(&[0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert!(matches!(huge.next_frame(), Err(FrameError::TooLarge(_))));
    }
}

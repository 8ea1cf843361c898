//! The one place that turns messages into bytes and back (serde + bincode 2, pinned: the bincode
//! crate is no longer developed, so nothing else in the project touches it and it can be swapped
//! here alone). Every decode is bounded by a maximum frame size.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client_msg::{ClientMsg, MAX_UPLOAD_BYTES};
use crate::server_msg::{MAX_SERVER_FRAME_BYTES, ServerMsg};

/// Largest frame a client may send, in bytes: an upload of [`MAX_UPLOAD_BYTES`] plus framing.
pub const MAX_CLIENT_FRAME_BYTES: u32 = MAX_UPLOAD_BYTES + 1024;

/// Why bytes could not be turned into a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The frame is over its limit.
    #[error("The message is {len} bytes, more than the limit of {max} bytes; send something smaller.")]
    TooLarge {
        /// Size of the frame.
        len: usize,
        /// The limit.
        max: u32,
    },
    /// The bytes are not a valid message.
    #[error("The message could not be read ({0}); reload the page if this keeps happening.")]
    Malformed(String),
}

fn config<const LIMIT: usize>() -> bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<LIMIT>,
> {
    bincode::config::standard().with_limit::<LIMIT>()
}

const CLIENT_LIMIT: usize = MAX_CLIENT_FRAME_BYTES as usize;
const SERVER_LIMIT: usize = MAX_SERVER_FRAME_BYTES as usize;

/// Encodes any protocol value (also used to store values on disk in the same format).
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Encoding into a Vec cannot fail for the protocol's types: the writer is infallible and
    // derived serde impls only produce sequences with known lengths, which is all bincode needs.
    bincode::serde::encode_to_vec(value, config::<SERVER_LIMIT>()).expect("protocol values always encode")
}

/// Decodes a value of at most `MAX_SERVER_FRAME_BYTES`, rejecting trailing bytes.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    decode_limited::<T, SERVER_LIMIT>(bytes)
}

fn decode_limited<T: DeserializeOwned, const LIMIT: usize>(bytes: &[u8]) -> Result<T, CodecError> {
    if bytes.len() > LIMIT {
        return Err(CodecError::TooLarge {
            len: bytes.len(),
            max: LIMIT as u32,
        });
    }
    let (value, read) = bincode::serde::decode_from_slice(bytes, config::<LIMIT>())
        .map_err(|e| CodecError::Malformed(e.to_string()))?;
    if read != bytes.len() {
        return Err(CodecError::Malformed(format!(
            "{} unexpected bytes after the message",
            bytes.len() - read
        )));
    }
    Ok(value)
}

/// Encodes a client message into one binary WebSocket frame.
pub fn encode_client(msg: &ClientMsg) -> Vec<u8> {
    encode(msg)
}

/// Decodes one binary frame from a client (at most [`MAX_CLIENT_FRAME_BYTES`]).
pub fn decode_client(bytes: &[u8]) -> Result<ClientMsg, CodecError> {
    decode_limited::<ClientMsg, CLIENT_LIMIT>(bytes)
}

/// Encodes a server message into one binary WebSocket frame.
pub fn encode_server(msg: &ServerMsg) -> Vec<u8> {
    encode(msg)
}

/// Decodes one binary frame from the server (at most [`MAX_SERVER_FRAME_BYTES`]).
pub fn decode_server(bytes: &[u8]) -> Result<ServerMsg, CodecError> {
    decode_limited::<ServerMsg, SERVER_LIMIT>(bytes)
}

/// Reads the protocol version from a frame that starts like a `ClientMsg::Hello` of any protocol
/// version, even when the rest no longer decodes; `None` if it is not a hello at all.
pub fn peek_hello_version(bytes: &[u8]) -> Option<u16> {
    let (variant, version): (u32, u16) = bincode::serde::decode_from_slice(bytes, config::<CLIENT_LIMIT>())
        .ok()?
        .0;
    (variant == 0).then_some(version)
}

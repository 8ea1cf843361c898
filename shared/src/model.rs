//! Which network a room uses: the built-in Tiny VGG, or a model the instructor uploaded.
//!
//! The WebSocket carries only the model's content hash and a little metadata; students fetch the
//! file itself once over HTTP at `/models/<hash>` (immutable, cacheable) and check the hash
//! before using it, so a room of 200 students costs the server one upload, not 200 copies in
//! every broadcast.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Longest model name shown to students, in characters (longer names are cut by the server).
pub const MAX_MODEL_NAME_CHARS: usize = 60;

/// The BLAKE3 hash of a model file's bytes: its name on the server and its integrity check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ModelHash(pub [u8; 32]);

impl fmt::Display for ModelHash {
    /// 64 lower-case hex digits, as in the model's address.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::hex::encode(&self.0))
    }
}

/// Why text is not a model hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a model hash is 64 hexadecimal digits")]
pub struct BadModelHash;

impl FromStr for ModelHash {
    type Err = BadModelHash;

    fn from_str(text: &str) -> Result<Self, BadModelHash> {
        crate::hex::decode(text).map(Self).ok_or(BadModelHash)
    }
}

/// A room's uploaded model as members see it before fetching it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Content hash: the file is at `/models/<hash>`.
    pub hash: ModelHash,
    /// Size of the file in bytes (shown while it downloads).
    pub bytes: u32,
    /// A name for people (the uploaded file's name, at most [`MAX_MODEL_NAME_CHARS`]).
    pub name: String,
}

impl ModelInfo {
    /// The address students fetch the model file from.
    pub fn path(&self) -> String {
        format!("/models/{}", self.hash)
    }
}

/// `name` made fit to show: control characters dropped, whitespace trimmed, at most
/// [`MAX_MODEL_NAME_CHARS`] characters, `"model"` if nothing is left.
pub fn clean_model_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_MODEL_NAME_CHARS)
        .collect();
    if cleaned.is_empty() {
        "model".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_reads_back_from_its_hex() {
        let hash = ModelHash(std::array::from_fn(|i| (i * 37) as u8));
        let text = hash.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<ModelHash>(), Ok(hash));
        assert_eq!(text.to_uppercase().parse::<ModelHash>(), Ok(hash));
        for bad in [
            "",
            "00",
            &text[1..],
            &format!("{}g", &text[1..]),
            &format!("{text}0"),
        ] {
            assert_eq!(bad.parse::<ModelHash>(), Err(BadModelHash), "{bad:?}");
        }
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(
            clean_model_name("  my\u{7}net.safetensors \n"),
            "mynet.safetensors"
        );
        assert_eq!(clean_model_name("\n\t"), "model");
        assert_eq!(
            clean_model_name(&"é".repeat(100)).chars().count(),
            MAX_MODEL_NAME_CHARS
        );
    }
}

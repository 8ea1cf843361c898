//! Identifiers on the wire: room join codes, member ids, and the two secret tokens.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Letters a join code is made of: upper case without the ones easily confused when read aloud
/// or off a projector (I/L look like 1, O like 0).
pub const CODE_ALPHABET: &[u8; 23] = b"ABCDEFGHJKMNPQRSTUVWXYZ";

/// Number of letters in a join code (23^6 ≈ 148 million codes).
pub const CODE_LEN: usize = 6;

/// A room's short join code, e.g. `KQXWTB`, shown to students and used in the link `/join/KQXWTB`.
///
/// On the wire it is a plain string, checked while it is decoded: a message carrying anything
/// but a valid code (say 4 MB of letters) fails to decode, and the text is never echoed back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RoomCode(String);

impl<'de> Deserialize<'de> for RoomCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CodeVisitor;
        impl serde::de::Visitor<'_> for CodeVisitor {
            type Value = RoomCode;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a join code of {CODE_LEN} letters")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<RoomCode, E> {
                if text.len() != CODE_LEN {
                    return Err(E::custom(CodeError::Length));
                }
                RoomCode::parse(text).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(CodeVisitor)
    }
}

/// Why a typed join code was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Wrong number of letters.
    #[error("A join code has {CODE_LEN} letters; check the code on the projector and type it again.")]
    Length,
    /// A character that never appears in a code.
    #[error("A join code only contains letters (no I, L or O); check the code and type it again.")]
    Character,
}

impl RoomCode {
    /// Parses a code as a person typed it: case, spaces and dashes are ignored.
    pub fn parse(typed: &str) -> Result<Self, CodeError> {
        let code: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if code.chars().count() != CODE_LEN {
            return Err(CodeError::Length);
        }
        if !code.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
            return Err(CodeError::Character);
        }
        Ok(Self(code))
    }

    /// Builds a code from `CODE_LEN` indices into [`CODE_ALPHABET`] (taken modulo its length), e.g.
    /// from random numbers.
    pub fn from_indices(indices: [u8; CODE_LEN]) -> Self {
        let len = CODE_ALPHABET.len();
        Self(
            indices
                .iter()
                .map(|&i| CODE_ALPHABET[usize::from(i) % len] as char)
                .collect(),
        )
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path of the join link, e.g. `/join/KQXWTB`; prefix it with the server's origin.
    pub fn join_path(&self) -> String {
        format!("/join/{}", self.0)
    }
}

impl fmt::Display for RoomCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A member's number within its room (instructor and students), stable across reconnects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct MemberId(pub u32);

/// Why a stored token could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("A saved session token is damaged; join the room again with its code.")]
pub struct TokenError;

macro_rules! secret_token {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub struct $name(pub [u8; 16]);

        impl $name {
            /// Lower-case hex, for local storage or a URL fragment.
            pub fn to_hex(&self) -> String {
                crate::hex::encode(&self.0)
            }

            /// Reads back [`Self::to_hex`] (surrounding whitespace ignored).
            pub fn from_hex(text: &str) -> Result<Self, TokenError> {
                crate::hex::decode(text.trim()).map(Self).ok_or(TokenError)
            }

            /// Compares in time independent of where the tokens differ, so guessing byte by byte
            /// over the network learns nothing.
            pub fn matches(&self, other: &Self) -> bool {
                self.0.iter().zip(other.0.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
            }
        }

        /// Never prints the secret, so it cannot leak into logs.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "(…)"))
            }
        }
    };
}

secret_token!(
    /// The secret that gives control of a room; only ever sent to the instructor who created it.
    InstructorToken
);
secret_token!(
    /// The secret a student uses to rejoin as the same member (same name, same id) after a drop.
    ResumeToken
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_normalises_what_people_type() {
        assert_eq!(RoomCode::parse(" kqx-wtb ").unwrap().as_str(), "KQXWTB");
        assert_eq!(RoomCode::parse("KQXWT"), Err(CodeError::Length));
        assert_eq!(RoomCode::parse("KQXWTI"), Err(CodeError::Character));
        assert_eq!(RoomCode::parse("KQXWT0"), Err(CodeError::Character));
    }

    #[test]
    fn codes_are_checked_while_decoding_and_never_echoed() {
        let code = RoomCode::parse("KQXWTB").unwrap();
        let bytes = crate::codec::encode(&code);
        assert_eq!(crate::codec::decode::<RoomCode>(&bytes), Ok(code));
        for bad in ["KQXWTI", "KQX", "KQX-WTB"] {
            let bytes = crate::codec::encode(&bad.to_owned());
            assert!(crate::codec::decode::<RoomCode>(&bytes).is_err(), "{bad}");
        }
        let huge = "A".repeat(4 * 1024 * 1024);
        let bytes = crate::codec::encode(&huge);
        let error = crate::codec::decode::<RoomCode>(&bytes).unwrap_err().to_string();
        assert!(error.len() < 300 && !error.contains("AAAA"), "{error}");
    }

    #[test]
    fn codes_from_indices_parse_back() {
        let code = RoomCode::from_indices([0, 22, 23, 200, 7, 255]);
        assert_eq!(RoomCode::parse(code.as_str()).unwrap(), code);
        assert_eq!(code.join_path(), format!("/join/{code}"));
    }

    #[test]
    fn tokens_round_trip_through_hex_and_hide_in_debug() {
        let token = InstructorToken([0xab; 16]);
        assert_eq!(InstructorToken::from_hex(&token.to_hex()).unwrap(), token);
        assert!(InstructorToken::from_hex("zz").is_err());
        assert!(!format!("{token:?}").contains("ab"));
        assert!(token.matches(&InstructorToken([0xab; 16])));
        assert!(!token.matches(&InstructorToken([0xac; 16])));
    }
}

//! Lower-case hex for the fixed-size byte strings the protocol names in text: instructor and
//! resume tokens (local storage, a header) and model hashes (an address).

/// `bytes` as lower-case hex, two digits a byte.
pub fn encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Exactly `2 · N` hex digits (either case) back into `N` bytes; `None` for anything else.
pub fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != 2 * N {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16);
    let mut bytes = [0; N];
    for (byte, pair) in bytes.iter_mut().zip(text.chunks_exact(2)) {
        *byte = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_encoded_decodes_and_nothing_else_does() {
        let bytes = [0x00, 0x7f, 0xab, 0xff];
        assert_eq!(encode(&bytes), "007fabff");
        assert_eq!(decode::<4>("007fabff"), Some(bytes));
        assert_eq!(decode::<4>("007FABFF"), Some(bytes));
        for bad in [
            "007fab",
            "007fabff00",
            "007fabfg",
            "+07fabff",
            " 07fabff",
            "é7fabf",
        ] {
            assert_eq!(decode::<4>(bad), None, "{bad:?}");
        }
    }
}

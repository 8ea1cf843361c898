//! Reader for the IDX format the MNIST family ships in: a magic number naming the element type
//! and the number of dimensions, the dimensions as big-endian `u32`, then the raw values.

use thiserror::Error;

/// Why bytes are not a usable IDX file of unsigned bytes.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum IdxError {
    /// Shorter than the 4-byte magic number plus the dimensions it announces.
    #[error("the IDX header is truncated ({0} bytes); the file is damaged, download or reinstall it")]
    TruncatedHeader(usize),
    /// The magic number does not start with two zero bytes, or names another element type.
    #[error(
        "this is not an IDX file of unsigned bytes (magic {0:02x?}); pass the *-ubyte file of the dataset"
    )]
    BadMagic([u8; 4]),
    /// The data is shorter or longer than the dimensions say.
    #[error(
        "the IDX data holds {actual} bytes but its header announces {expected}; the file is truncated or damaged, reinstall it"
    )]
    WrongLength {
        /// Product of the dimensions.
        expected: usize,
        /// Bytes after the header.
        actual: usize,
    },
}

/// A decoded IDX array of `u8`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// Dimensions, outermost first (e.g. `[60000, 28, 28]`).
    pub dims: Vec<usize>,
    /// Values in row-major order.
    pub data: Vec<u8>,
}

/// Element-type code for unsigned bytes in the third byte of the magic number.
const UNSIGNED_BYTE: u8 = 0x08;

/// Parses an (already decompressed) IDX file whose elements are unsigned bytes.
pub fn parse(bytes: &[u8]) -> Result<IdxArray, IdxError> {
    let magic: [u8; 4] = bytes
        .get(..4)
        .and_then(|m| m.try_into().ok())
        .ok_or(IdxError::TruncatedHeader(bytes.len()))?;
    if magic[0] != 0 || magic[1] != 0 || magic[2] != UNSIGNED_BYTE || magic[3] == 0 {
        return Err(IdxError::BadMagic(magic));
    }
    let header_len = 4 + 4 * usize::from(magic[3]);
    let header = bytes
        .get(4..header_len)
        .ok_or(IdxError::TruncatedHeader(bytes.len()))?;
    let dims: Vec<usize> = header
        .chunks_exact(4)
        .map(|d| u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as usize)
        .collect();
    let data = &bytes[header_len..];
    let expected = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .unwrap_or(usize::MAX);
    if data.len() != expected {
        return Err(IdxError::WrongLength {
            expected,
            actual: data.len(),
        });
    }
    Ok(IdxArray {
        dims,
        data: data.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0, 0, UNSIGNED_BYTE, dims.len() as u8];
        for d in dims {
            bytes.extend_from_slice(&d.to_be_bytes());
        }
        bytes.extend_from_slice(data);
        bytes
    }

    #[test]
    fn reads_dimensions_and_values() {
        let parsed = parse(&file(&[2, 3], &[1, 2, 3, 4, 5, 6])).unwrap();
        assert_eq!(parsed.dims, vec![2, 3]);
        assert_eq!(parsed.data, vec![1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn rejects_truncated_data_with_a_clear_error() {
        let bytes = file(&[2, 3], &[1, 2, 3, 4, 5, 6]);
        let err = parse(&bytes[..bytes.len() - 1]).unwrap_err();
        assert_eq!(
            err,
            IdxError::WrongLength {
                expected: 6,
                actual: 5
            }
        );
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    #[test]
    fn rejects_truncated_header_and_wrong_magic() {
        let bytes = file(&[2, 3], &[0; 6]);
        assert_eq!(parse(&bytes[..6]), Err(IdxError::TruncatedHeader(6)));
        assert_eq!(parse(&[]), Err(IdxError::TruncatedHeader(0)));
        assert!(matches!(
            parse(&[0x1f, 0x8b, 8, 0, 0, 0]),
            Err(IdxError::BadMagic(_))
        ));
    }
}

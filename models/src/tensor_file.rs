//! The safetensors file format, read and written without serde: an 8-byte little-endian header
//! length, a JSON header naming each tensor's dtype, shape and byte range (plus an optional
//! `__metadata__` map of strings), then the tensors' bytes.
//!
//! Why our own: the browser reads model files too, and the safetensors crate brings a general
//! JSON library into the client's download. This reader uses [`crate::json`] and checks what the
//! crate checks: the header's size, every range inside the data and matching its shape, no
//! overlaps and no gaps.

use crate::budget::thousands;
use crate::error::ModelError;
use crate::json::{self, Json, JsonError};

/// Largest header accepted, in bytes (a model of 256 layers has a header of a few tens of KB).
pub const MAX_HEADER_BYTES: usize = 1024 * 1024;

/// Key of the header's string map.
const METADATA_KEY: &str = "__metadata__";

/// One tensor of a [`TensorFile`].
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor<'a> {
    /// Its name, e.g. `conv_1_1.weight` or `0.bias`.
    pub name: String,
    /// Its dtype as spelled in the file, e.g. `F32`.
    pub dtype: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its bytes, little-endian.
    pub data: &'a [u8],
}

impl Tensor<'_> {
    /// The values of an `F32` tensor.
    pub fn f32_values(&self) -> Vec<f32> {
        self.data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }
}

/// A read safetensors file, borrowing the bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorFile<'a> {
    /// The `__metadata__` map, in file order.
    pub metadata: Vec<(String, String)>,
    /// The tensors, in header order.
    pub tensors: Vec<Tensor<'a>>,
}

impl<'a> TensorFile<'a> {
    /// The tensor called `name`.
    pub fn tensor(&self, name: &str) -> Option<&Tensor<'a>> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// The metadata value under `key`.
    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn unreadable(reason: impl std::fmt::Display) -> ModelError {
    ModelError::Load(format!(
        "the weights file is not a readable safetensors file ({reason}); it may be truncated, so copy it again"
    ))
}

/// Bytes per value of a dtype, or `None` for a dtype this reader does not know.
fn dtype_size(dtype: &str) -> Option<usize> {
    Some(match dtype {
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" => 1,
        "I16" | "U16" | "F16" | "BF16" => 2,
        "I32" | "U32" | "F32" => 4,
        "I64" | "U64" | "F64" => 8,
        _ => return None,
    })
}

/// A whole number ≥ 0 of the header, or why not.
fn whole(value: &Json, what: &str) -> Result<usize, ModelError> {
    match value {
        Json::Number(n) => usize::try_from(*n).map_err(|_| unreadable(format!("{what} is negative"))),
        _ => Err(unreadable(format!("{what} is not a number"))),
    }
}

/// Reads a safetensors file, checking its header and every tensor's range.
pub fn read(bytes: &[u8]) -> Result<TensorFile<'_>, ModelError> {
    let Some((length, rest)) = bytes.split_first_chunk::<8>() else {
        return Err(unreadable(format!("it has only {} bytes", bytes.len())));
    };
    let header_len = u64::from_le_bytes(*length);
    if header_len > MAX_HEADER_BYTES as u64 {
        return Err(unreadable(format!(
            "its header claims {} bytes, more than {}",
            thousands(header_len),
            thousands(MAX_HEADER_BYTES as u64)
        )));
    }
    let header_len = header_len as usize;
    if rest.len() < header_len {
        return Err(unreadable(format!(
            "its header needs {} bytes but the file has {} after the length",
            thousands(header_len as u64),
            thousands(rest.len() as u64)
        )));
    }
    let (header, data) = rest.split_at(header_len);
    let header = std::str::from_utf8(header).map_err(|_| unreadable("its header is not UTF-8 text"))?;
    let header = json::parse(header).map_err(|e| match e {
        JsonError::Truncated => unreadable("its header is cut short"),
        JsonError::Invalid(at) => unreadable(format!("its header is not valid JSON at byte {at}")),
    })?;
    let Json::Object(entries) = header else {
        return Err(unreadable("its header is not a JSON object"));
    };

    let mut metadata = Vec::new();
    let mut tensors = Vec::with_capacity(entries.len());
    let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(entries.len());
    for (name, entry) in entries {
        if name == METADATA_KEY {
            let Json::Object(pairs) = entry else {
                return Err(unreadable("its __metadata__ is not an object"));
            };
            for (key, value) in pairs {
                let Json::String(value) = value else {
                    return Err(unreadable(format!("metadata {key:?} is not a string")));
                };
                metadata.push((key, value));
            }
            continue;
        }
        let field = |key: &str| {
            entry
                .get(key)
                .ok_or_else(|| unreadable(format!("tensor {name} has no {key}")))
        };
        let dtype = field("dtype")?
            .as_str()
            .ok_or_else(|| unreadable(format!("the dtype of tensor {name} is not a string")))?
            .to_owned();
        let Json::Array(dims) = field("shape")? else {
            return Err(unreadable(format!("the shape of tensor {name} is not a list")));
        };
        let shape = dims
            .iter()
            .map(|d| whole(d, &format!("a dimension of tensor {name}")))
            .collect::<Result<Vec<_>, _>>()?;
        let offsets = match field("data_offsets")? {
            Json::Array(pair) if pair.len() == 2 => [
                whole(&pair[0], &format!("the start of tensor {name}"))?,
                whole(&pair[1], &format!("the end of tensor {name}"))?,
            ],
            _ => return Err(unreadable(format!("tensor {name} has no [start, end] offsets"))),
        };
        let [start, end] = offsets;
        if start > end || end > data.len() {
            return Err(unreadable(format!(
                "tensor {name} claims bytes {start}..{end} of {} data bytes",
                data.len()
            )));
        }
        let size = dtype_size(&dtype)
            .ok_or_else(|| unreadable(format!("tensor {name} has an unknown dtype {dtype:?}")))?;
        let expected = shape
            .iter()
            .try_fold(size, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| unreadable(format!("tensor {name} has an impossibly large shape {shape:?}")))?;
        if expected != end - start {
            return Err(unreadable(format!(
                "tensor {name} of shape {shape:?} needs {expected} bytes but has {}",
                end - start
            )));
        }
        if tensors.iter().any(|t: &Tensor<'_>| t.name == name) {
            return Err(unreadable(format!("tensor {name} appears twice")));
        }
        ranges.push((start, end));
        tensors.push(Tensor {
            name,
            dtype,
            shape,
            data: &data[start..end],
        });
    }
    // The tensors must tile the data exactly: no overlaps (one byte read as two values) and no
    // gaps (hidden bytes nobody checks). Pairwise, without sorting: a sort would add a few
    // kilobytes to the browser's download, and a model has at most a few hundred tensors.
    for (i, &(start, end)) in ranges.iter().enumerate() {
        if let Some(&(other, _)) = ranges[..i].iter().find(|&&(s, e)| start < e && s < end) {
            return Err(unreadable(format!(
                "its tensors leave a gap or overlap at data byte {}",
                start.max(other)
            )));
        }
    }
    let covered: usize = ranges.iter().map(|(start, end)| end - start).sum();
    if covered != data.len() {
        return Err(unreadable(format!(
            "{} data bytes belong to no tensor",
            data.len() - covered
        )));
    }
    Ok(TensorFile { metadata, tensors })
}

/// Writes `F32` tensors `(name, shape, values)` and `metadata` as a safetensors file, tensors in
/// the given order, the header padded with spaces to a multiple of 8 bytes (as the crate does).
pub fn write(metadata: &[(String, String)], tensors: &[(String, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
    let mut members = Vec::with_capacity(tensors.len() + 1);
    if !metadata.is_empty() {
        let pairs = metadata
            .iter()
            .map(|(k, v)| (k.clone(), Json::String(v.clone())))
            .collect();
        members.push((METADATA_KEY.to_owned(), Json::Object(pairs)));
    }
    let mut offset = 0;
    for (name, shape, values) in tensors {
        let end = offset + values.len() * 4;
        let number = |n: usize| Json::Number(n as i64);
        members.push((
            name.clone(),
            Json::Object(vec![
                ("dtype".into(), Json::String("F32".into())),
                (
                    "shape".into(),
                    Json::Array(shape.iter().copied().map(number).collect()),
                ),
                (
                    "data_offsets".into(),
                    Json::Array(vec![number(offset), number(end)]),
                ),
            ]),
        ));
        offset = end;
    }
    let mut header = json::write(&Json::Object(members)).into_bytes();
    while !header.len().is_multiple_of(8) {
        header.push(b' ');
    }
    let mut bytes = Vec::with_capacity(8 + header.len() + offset);
    bytes.extend_from_slice(&(header.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&header);
    for (_, _, values) in tensors {
        bytes.extend(values.iter().flat_map(|v| v.to_le_bytes()));
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        write(
            &[("k".into(), "v \"quoted\"".into())],
            &[
                ("a.weight".into(), vec![2, 3], (0..6).map(|i| i as f32).collect()),
                ("a.bias".into(), vec![2], vec![-1.5, 2.5]),
            ],
        )
    }

    #[test]
    fn what_is_written_reads_back() {
        let bytes = sample();
        let file = read(&bytes).unwrap();
        assert_eq!(file.metadata("k"), Some("v \"quoted\""));
        let bias = file.tensor("a.bias").unwrap();
        assert_eq!((bias.dtype.as_str(), bias.shape.as_slice()), ("F32", &[2][..]));
        assert_eq!(bias.f32_values(), [-1.5, 2.5]);
        assert_eq!(file.tensor("a.weight").unwrap().f32_values()[5], 5.0);
    }

    #[test]
    fn the_safetensors_crate_reads_what_we_write_and_we_read_what_it_writes() {
        let bytes = sample();
        let theirs = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(theirs.tensor("a.bias").unwrap().shape(), [2]);
        let (_, metadata) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        assert_eq!(metadata.metadata().as_ref().unwrap()["k"], "v \"quoted\"");

        let data = [1.0f32, 2.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>();
        let view = safetensors::tensor::TensorView::new(safetensors::Dtype::F32, vec![2], &data).unwrap();
        let written = safetensors::serialize([("x", view)], None).unwrap();
        assert_eq!(
            read(&written).unwrap().tensor("x").unwrap().f32_values(),
            [1.0, 2.0]
        );
    }

    #[test]
    fn damaged_files_are_refused_with_a_reason() {
        let bytes = sample();
        let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let refused = |b: &[u8]| read(b).unwrap_err().to_string();
        assert!(refused(&bytes[..5]).contains("only 5 bytes"));
        assert!(refused(&bytes[..20]).contains("header needs"));
        for cut in [8 + header_len, bytes.len() - 1] {
            assert!(refused(&bytes[..cut]).contains("claims bytes"), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(refused(&longer).contains("belong to no tensor"));
        let mut huge = bytes.clone();
        huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(refused(&huge).contains("header claims"));

        let with_header = |header: &str| {
            let mut b = (header.len() as u64).to_le_bytes().to_vec();
            b.extend_from_slice(header.as_bytes());
            b.extend_from_slice(&[0; 8]);
            read(&b).unwrap_err().to_string()
        };
        let t = |dtype: &str, shape: &str, offsets: &str| {
            format!(r#"{{"t":{{"dtype":"{dtype}","shape":{shape},"data_offsets":{offsets}}}}}"#)
        };
        assert!(with_header(&t("F32", "[3]", "[0,8]")).contains("needs 12 bytes"));
        assert!(with_header(&t("F33", "[2]", "[0,8]")).contains("unknown dtype"));
        assert!(with_header(&t("F32", "[-2]", "[0,8]")).contains("negative"));
        assert!(with_header(&t("F32", "[2]", "[8,0]")).contains("claims bytes"));
        assert!(with_header(&t("F32", "[1]", "[4,8]")).contains("belong to no tensor"));
        let overlapping = r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
        assert!(with_header(overlapping).contains("gap or overlap"));
        assert!(with_header(&t("F32", "[4611686018427387904,4]", "[0,8]")).contains("impossibly large"));
        assert!(with_header(r#"{"t":{"dtype":"F32"}}"#).contains("no shape"));
        assert!(with_header("[1]").contains("not a JSON object"));
        assert!(with_header("{\"t\":").contains("cut short"));
        let twice = r#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#;
        assert!(with_header(twice).contains("twice"));
    }
}

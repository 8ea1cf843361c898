//! Saving and loading a network: a small JSON architecture manifest plus a safetensors file.
//!
//! # Format
//! The **manifest** (JSON) names the input shape, the class names and the layers in order:
//!
//! ```json
//! {
//!   "format": "cnn-classroom-model",
//!   "version": 1,
//!   "input_shape": [3, 64, 64],
//!   "class_names": ["T-shirt/top", "Trouser"],
//!   "layers": [
//!     { "name": "conv_1_1", "kind": "conv2d", "kernel": 3, "stride": 1, "padding": 0 },
//!     { "name": "relu_1_1", "kind": "relu" },
//!     { "name": "max_pool_1", "kind": "max_pool2d", "kernel": 2, "stride": 2 },
//!     { "name": "avg_pool", "kind": "avg_pool2d", "kernel": 2 },
//!     { "name": "flatten", "kind": "flatten" },
//!     { "name": "output", "kind": "linear" },
//!     { "name": "softmax", "kind": "softmax" }
//!   ]
//! }
//! ```
//!
//! The **safetensors** file holds one `F32` tensor `<layer name>.weight` and one
//! `<layer name>.bias` for every `conv2d` and `linear` layer, in PyTorch's layout
//! (`[out, in, kh, kw]` and `[out, in]`) and nothing else. A PyTorch `nn.Sequential` exports
//! the same thing with numeric layer names (`0.weight`, `0.bias`, `3.weight`, ...): name the
//! layers `"0"`, `"1"`, ... in the manifest to load its `state_dict` saved with
//! `safetensors.torch.save_file` unchanged. Everything is checked once, here, so a loaded
//! network's forward pass cannot fail.

use std::collections::BTreeSet;
use std::path::Path;

use ndarray::{Array1, Array2, Array4};
use serde::Serialize;

use crate::budget::{Budget, thousands};
use crate::error::ModelError;
use crate::json::{self, Json, JsonError};
use crate::layers::{AvgPool2d, Conv2d, Layer, Linear, MaxPool2d, NamedLayer};
use crate::network::Network;
use crate::tensor_file::{self, TensorFile};

/// The `format` value every manifest carries.
pub const MANIFEST_FORMAT: &str = "cnn-classroom-model";
/// The manifest version this crate writes and reads.
pub const MANIFEST_VERSION: u32 = 1;
/// Largest input side length accepted, so a hostile manifest cannot ask for huge activations.
pub const MAX_INPUT_SIDE: usize = 1024;
/// Largest number of input channels accepted.
pub const MAX_INPUT_CHANNELS: usize = 64;
/// Largest stride, padding or pooling window accepted.
pub const MAX_WINDOW_PARAMETER: usize = 32;
/// Largest number of layers accepted.
pub const MAX_LAYERS: usize = 256;

/// The architecture half of a saved model, as stored in the JSON manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// Always [`MANIFEST_VERSION`].
    pub version: u32,
    /// `[C, H, W]`.
    pub input_shape: [usize; 3],
    /// One name per output.
    pub class_names: Vec<String>,
    /// The layers in order.
    pub layers: Vec<ManifestLayer>,
}

/// One layer of a [`Manifest`]; parameters live in the safetensors file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManifestLayer {
    /// Unique name; also the prefix of the layer's tensors.
    pub name: String,
    /// What the layer does.
    pub kind: ManifestKind,
    /// Window side length: required for `conv2d` (must match the weights), `max_pool2d` and
    /// `avg_pool2d`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<usize>,
    /// Step between windows: `conv2d` defaults to 1, the pools to their kernel (as PyTorch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stride: Option<usize>,
    /// Zero padding on each side, `conv2d` only; defaults to 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub padding: Option<usize>,
}

/// The kind of a [`ManifestLayer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ManifestKind {
    /// Convolution.
    Conv2d,
    /// `max(0, x)`.
    Relu,
    /// Max pooling.
    MaxPool2d,
    /// Average pooling.
    AvgPool2d,
    /// `[C, H, W]` → `[C·H·W]`.
    Flatten,
    /// Fully connected; sizes come from the weight tensor.
    Linear,
    /// Softmax over a vector.
    Softmax,
}

impl ManifestKind {
    /// Every kind with its spelling in the manifest.
    const ALL: [(&'static str, ManifestKind); 7] = [
        ("conv2d", ManifestKind::Conv2d),
        ("relu", ManifestKind::Relu),
        ("max_pool2d", ManifestKind::MaxPool2d),
        ("avg_pool2d", ManifestKind::AvgPool2d),
        ("flatten", ManifestKind::Flatten),
        ("linear", ManifestKind::Linear),
        ("softmax", ManifestKind::Softmax),
    ];
}

impl Manifest {
    /// Reads a manifest from its JSON text, refusing unknown fields and kinds with a sentence
    /// (read with [`crate::json`], so the browser can read manifests too).
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, ModelError> {
        fn invalid(reason: String) -> ModelError {
            load_error(format!(
                "the model manifest is not valid JSON of the expected form ({reason}); re-export it"
            ))
        }
        fn required<'a>(value: Option<&'a Json>, what: &str) -> Result<&'a Json, ModelError> {
            value.ok_or_else(|| invalid(format!("it has no {what}")))
        }
        let text = std::str::from_utf8(bytes).map_err(|_| invalid("it is not UTF-8 text".into()))?;
        let value = json::parse(text).map_err(|e| match e {
            JsonError::Truncated => invalid("it is cut short".into()),
            JsonError::Invalid(at) => {
                let from = text.floor_char_boundary(at.saturating_sub(30));
                let to = text.ceil_char_boundary((at + 10).min(text.len()));
                invalid(format!(
                    "unexpected text at byte {at}, near `{}`",
                    &text[from..to]
                ))
            }
        })?;
        let object = |value: &Json, what: &str, fields: &[&str]| -> Result<(), ModelError> {
            let Json::Object(members) = value else {
                return Err(invalid(format!("{what} is not an object")));
            };
            match members.iter().find(|(k, _)| !fields.contains(&k.as_str())) {
                Some((unknown, _)) => Err(invalid(format!("{what} has an unknown field {unknown:?}"))),
                None => Ok(()),
            }
        };
        let whole = |value: Option<&Json>, what: &str| -> Result<Option<usize>, ModelError> {
            match value {
                None => Ok(None),
                Some(Json::Number(n)) => usize::try_from(*n)
                    .map(Some)
                    .map_err(|_| invalid(format!("{what} is negative"))),
                Some(_) => Err(invalid(format!("{what} is not a whole number"))),
            }
        };
        let text_of = |value: &Json, what: &str| {
            value
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| invalid(format!("{what} is not a string")))
        };
        let list = |value: &Json, what: &str| match value {
            Json::Array(items) => Ok(items.clone()),
            _ => Err(invalid(format!("{what} is not a list"))),
        };

        object(
            &value,
            "the manifest",
            &["format", "version", "input_shape", "class_names", "layers"],
        )?;
        let format = text_of(required(value.get("format"), "\"format\"")?, "\"format\"")?;
        let version = whole(
            Some(required(value.get("version"), "\"version\"")?),
            "\"version\"",
        )?
        .unwrap_or_default();
        let shape = list(
            required(value.get("input_shape"), "\"input_shape\"")?,
            "\"input_shape\"",
        )?;
        let input_shape: [usize; 3] = match shape.as_slice() {
            [c, h, w] => [
                whole(Some(c), "an input size")?.unwrap_or_default(),
                whole(Some(h), "an input size")?.unwrap_or_default(),
                whole(Some(w), "an input size")?.unwrap_or_default(),
            ],
            _ => {
                return Err(invalid(
                    "\"input_shape\" must be [channels, height, width]".into(),
                ));
            }
        };
        let class_names = list(
            required(value.get("class_names"), "\"class_names\"")?,
            "\"class_names\"",
        )?
        .iter()
        .map(|name| text_of(name, "a class name"))
        .collect::<Result<Vec<_>, _>>()?;
        let mut layers = Vec::new();
        for (index, layer) in list(required(value.get("layers"), "\"layers\"")?, "\"layers\"")?
            .iter()
            .enumerate()
        {
            let what = format!("layer {index}");
            object(layer, &what, &["name", "kind", "kernel", "stride", "padding"])?;
            let name = text_of(
                required(layer.get("name"), &format!("name for {what}"))?,
                &format!("the name of {what}"),
            )?;
            let kind_text = text_of(
                required(layer.get("kind"), &format!("kind for {what}"))?,
                &format!("the kind of {what}"),
            )?;
            let kind = ManifestKind::ALL
                .iter()
                .find(|(spelling, _)| *spelling == kind_text)
                .map(|(_, kind)| *kind)
                .ok_or_else(|| {
                    invalid(format!(
                        "layer {name} has the unknown kind {kind_text:?}; known kinds: {}",
                        ManifestKind::ALL.map(|(s, _)| s).join(", ")
                    ))
                })?;
            layers.push(ManifestLayer {
                kernel: whole(layer.get("kernel"), &format!("the kernel of layer {name}"))?,
                stride: whole(layer.get("stride"), &format!("the stride of layer {name}"))?,
                padding: whole(layer.get("padding"), &format!("the padding of layer {name}"))?,
                name,
                kind,
            });
        }
        Ok(Manifest {
            format,
            version: u32::try_from(version).unwrap_or(u32::MAX),
            input_shape,
            class_names,
            layers,
        })
    }
}

fn load_error(reason: impl Into<String>) -> ModelError {
    ModelError::Load(reason.into())
}

/// Largest manifest accepted, in bytes (a 256-layer manifest is a few tens of kilobytes).
pub const MAX_MANIFEST_BYTES: usize = 1024 * 1024;

/// Builds a network from a manifest and safetensors bytes, checking every name, dtype and shape,
/// within [`Budget::TEACHING`].
///
/// # Shapes
/// Conv weights `[out, in, k, k]`, linear weights `[out, in]`, biases `[out]`, all `F32`.
pub fn load(manifest_json: &[u8], safetensors: &[u8]) -> Result<Network, ModelError> {
    load_within(manifest_json, safetensors, &Budget::TEACHING)
}

/// [`load`] within `budget`: the file sizes are checked before anything is parsed, and the
/// network's cost (parameters, activations, multiply-adds) before it is returned.
pub fn load_within(manifest_json: &[u8], safetensors: &[u8], budget: &Budget) -> Result<Network, ModelError> {
    if manifest_json.len() > MAX_MANIFEST_BYTES {
        return Err(load_error(format!(
            "the manifest has {} bytes; a model manifest is at most {} (is this the right file?)",
            thousands(manifest_json.len() as u64),
            thousands(MAX_MANIFEST_BYTES as u64)
        )));
    }
    budget.check_file(safetensors.len() as u64)?;
    let network = parse(manifest_json, safetensors)?;
    budget.check(&network)?;
    Ok(network)
}

/// The checks of [`load`] apart from the budget.
fn parse(manifest_json: &[u8], safetensors: &[u8]) -> Result<Network, ModelError> {
    let manifest = Manifest::from_json(manifest_json)?;
    assemble(manifest, &tensor_file::read(safetensors)?)
}

/// Builds the network `manifest` describes from the tensors of `tensors`, checking every name,
/// dtype and shape (the one place both the two-file form and the one-file bundle go through).
pub(crate) fn assemble(manifest: Manifest, tensors: &TensorFile<'_>) -> Result<Network, ModelError> {
    check_manifest(&manifest)?;
    let mut expected_names = BTreeSet::new();
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for entry in &manifest.layers {
        let layer = match entry.kind {
            ManifestKind::Conv2d => {
                let window = window_of(entry)?;
                let weight = read_tensor(tensors, &entry.name, "weight", 4, &mut expected_names)?;
                let bias = read_tensor(tensors, &entry.name, "bias", 1, &mut expected_names)?;
                let weight = Array4::from_shape_vec(
                    (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3]),
                    weight.values,
                )
                .map_err(|e| load_error(format!("tensor {}.weight: {e}", entry.name)))?;
                let (_, _, kh, kw) = weight.dim();
                if kh != window.kernel || kw != window.kernel {
                    return Err(load_error(format!(
                        "layer {} declares a {k}×{k} kernel but its weight tensor holds {kh}×{kw} kernels; make the manifest match the weights",
                        entry.name,
                        k = window.kernel
                    )));
                }
                Layer::Conv2d(Conv2d {
                    weight,
                    bias: Array1::from_vec(bias.values),
                    stride: window.stride,
                    padding: window.padding,
                })
            }
            ManifestKind::Linear => {
                let weight = read_tensor(tensors, &entry.name, "weight", 2, &mut expected_names)?;
                let bias = read_tensor(tensors, &entry.name, "bias", 1, &mut expected_names)?;
                let weight = Array2::from_shape_vec((weight.shape[0], weight.shape[1]), weight.values)
                    .map_err(|e| load_error(format!("tensor {}.weight: {e}", entry.name)))?;
                Layer::Linear(Linear {
                    weight,
                    bias: Array1::from_vec(bias.values),
                })
            }
            ManifestKind::Relu => Layer::ReLU,
            ManifestKind::MaxPool2d => {
                let window = window_of(entry)?;
                Layer::MaxPool2d(MaxPool2d {
                    kernel: window.kernel,
                    stride: window.stride,
                })
            }
            ManifestKind::AvgPool2d => {
                let window = window_of(entry)?;
                Layer::AvgPool2d(AvgPool2d {
                    kernel: window.kernel,
                    stride: window.stride,
                })
            }
            ManifestKind::Flatten => Layer::Flatten,
            ManifestKind::Softmax => Layer::Softmax,
        };
        layers.push(NamedLayer {
            name: entry.name.clone(),
            layer,
        });
    }

    let extra: Vec<&str> = tensors
        .tensors
        .iter()
        .map(|t| t.name.as_str())
        .filter(|name| !expected_names.contains(*name))
        .collect();
    if !extra.is_empty() {
        return Err(load_error(format!(
            "the weights file holds tensors no layer in the manifest uses: {}; remove them or add their layers to the manifest",
            extra.join(", ")
        )));
    }
    Network::new(manifest.input_shape, layers, manifest.class_names)
}

/// Checks the manifest's header and bounds every size, before any tensor is read.
fn check_manifest(manifest: &Manifest) -> Result<(), ModelError> {
    if manifest.format != MANIFEST_FORMAT {
        return Err(load_error(format!(
            "the manifest's format is {:?}, expected {MANIFEST_FORMAT:?}; is this a cnn-classroom model manifest?",
            manifest.format
        )));
    }
    if manifest.version != MANIFEST_VERSION {
        return Err(load_error(format!(
            "the manifest has version {}, but this program reads version {MANIFEST_VERSION}; export the model again",
            manifest.version
        )));
    }
    let [c, h, w] = manifest.input_shape;
    if c == 0 || c > MAX_INPUT_CHANNELS || h == 0 || h > MAX_INPUT_SIDE || w == 0 || w > MAX_INPUT_SIDE {
        return Err(load_error(format!(
            "the input shape {:?} is not supported; use 1 to {MAX_INPUT_CHANNELS} channels and sides of 1 to {MAX_INPUT_SIDE} pixels",
            manifest.input_shape
        )));
    }
    if manifest.layers.is_empty() || manifest.layers.len() > MAX_LAYERS {
        return Err(load_error(format!(
            "the manifest lists {} layers; a model needs 1 to {MAX_LAYERS}",
            manifest.layers.len()
        )));
    }
    let mut seen = BTreeSet::new();
    for layer in &manifest.layers {
        if layer.name.is_empty() || !seen.insert(layer.name.as_str()) {
            return Err(load_error(format!(
                "layer name {:?} is empty or used twice; give every layer its own name",
                layer.name
            )));
        }
        window_of(layer)?;
    }
    Ok(())
}

/// Kernel, stride and padding of a windowed layer, defaults applied and bounds checked.
struct Window {
    kernel: usize,
    stride: usize,
    padding: usize,
}

/// Resolves a layer's window fields; a layer without a window must not carry any.
fn window_of(layer: &ManifestLayer) -> Result<Window, ModelError> {
    let name = &layer.name;
    let windowed = matches!(
        layer.kind,
        ManifestKind::Conv2d | ManifestKind::MaxPool2d | ManifestKind::AvgPool2d
    );
    if !windowed {
        if layer.kernel.is_some() || layer.stride.is_some() || layer.padding.is_some() {
            return Err(load_error(format!(
                "layer {name} cannot have a kernel, stride or padding; remove those fields"
            )));
        }
        return Ok(Window {
            kernel: 1,
            stride: 1,
            padding: 0,
        });
    }
    let kernel = layer.kernel.ok_or_else(|| {
        load_error(format!(
            "layer {name} needs a \"kernel\" size; add it to the manifest"
        ))
    })?;
    let (stride, padding) = match layer.kind {
        ManifestKind::Conv2d => (layer.stride.unwrap_or(1), layer.padding.unwrap_or(0)),
        _ if layer.padding.is_some() => {
            return Err(load_error(format!(
                "layer {name} is a pooling layer, which takes no padding here; remove the \"padding\" field"
            )));
        }
        _ => (layer.stride.unwrap_or(kernel), 0),
    };
    let in_range = |v: usize| (1..=MAX_WINDOW_PARAMETER).contains(&v);
    if !in_range(kernel) || !in_range(stride) || padding >= MAX_WINDOW_PARAMETER {
        return Err(load_error(format!(
            "layer {name} has kernel {kernel}, stride {stride}, padding {padding}; kernel and stride must be 1 to {MAX_WINDOW_PARAMETER} and padding below {MAX_WINDOW_PARAMETER}"
        )));
    }
    Ok(Window {
        kernel,
        stride,
        padding,
    })
}

/// A tensor's shape and little-endian `f32` values.
struct RawTensor {
    shape: Vec<usize>,
    values: Vec<f32>,
}

/// Reads `<layer>.<part>`, requiring `F32` and `rank` axes; records the name as used.
fn read_tensor(
    tensors: &TensorFile<'_>,
    layer: &str,
    part: &str,
    rank: usize,
    used: &mut BTreeSet<String>,
) -> Result<RawTensor, ModelError> {
    let name = format!("{layer}.{part}");
    let view = tensors.tensor(&name).ok_or_else(|| {
        load_error(format!(
            "the weights file has no tensor {name}, which layer {layer} needs; export the matching weights"
        ))
    })?;
    if view.dtype != "F32" {
        return Err(load_error(format!(
            "tensor {name} is stored as {}, but only F32 is supported; convert it to float32 when exporting",
            view.dtype
        )));
    }
    if view.shape.len() != rank {
        return Err(load_error(format!(
            "tensor {name} has shape {:?}, but a {part} here needs {rank} axes",
            view.shape
        )));
    }
    let values = view.f32_values();
    if values.iter().any(|v| !v.is_finite()) {
        return Err(load_error(format!(
            "tensor {name} contains NaN or infinite values; the model was not trained correctly"
        )));
    }
    used.insert(name);
    Ok(RawTensor {
        shape: view.shape.clone(),
        values,
    })
}

/// The manifest describing `network`'s architecture.
pub fn manifest_of(network: &Network) -> Manifest {
    let layers = network
        .layers()
        .iter()
        .map(|named| {
            let (kind, kernel, stride, padding) = match &named.layer {
                Layer::Conv2d(c) => (
                    ManifestKind::Conv2d,
                    Some(c.weight.dim().2),
                    Some(c.stride),
                    Some(c.padding),
                ),
                Layer::ReLU => (ManifestKind::Relu, None, None, None),
                Layer::MaxPool2d(p) => (ManifestKind::MaxPool2d, Some(p.kernel), Some(p.stride), None),
                Layer::AvgPool2d(p) => (ManifestKind::AvgPool2d, Some(p.kernel), Some(p.stride), None),
                Layer::Flatten => (ManifestKind::Flatten, None, None, None),
                Layer::Linear(_) => (ManifestKind::Linear, None, None, None),
                Layer::Softmax => (ManifestKind::Softmax, None, None, None),
            };
            ManifestLayer {
                name: named.name.clone(),
                kind,
                kernel,
                stride,
                padding,
            }
        })
        .collect();
    Manifest {
        format: MANIFEST_FORMAT.into(),
        version: MANIFEST_VERSION,
        input_shape: network.input_shape(),
        class_names: network.class_names().to_vec(),
        layers,
    }
}

/// Serialises a network as `(manifest JSON, safetensors bytes)`, the pair [`load`] reads.
///
/// # Shapes
/// Tensors are written in PyTorch layout, see the module docs.
pub fn save(network: &Network) -> (String, Vec<u8>) {
    let manifest = serde_json::to_string_pretty(&manifest_of(network))
        .expect("a manifest of strings and numbers always serialises");
    (manifest, tensor_file::write(&[], &tensors_of(network)))
}

/// Every parameter tensor of `network` as `(name, shape, values)`, sorted by name (the order
/// the safetensors crate writes, so files stay byte-identical to earlier versions).
pub(crate) fn tensors_of(network: &Network) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    let mut tensors = Vec::new();
    for named in network.layers() {
        let (weight_shape, weight, bias) = match &named.layer {
            Layer::Conv2d(c) => (c.weight.shape(), c.weight.iter().copied().collect(), &c.bias),
            Layer::Linear(l) => (l.weight.shape(), l.weight.iter().copied().collect(), &l.bias),
            _ => continue,
        };
        tensors.push((format!("{}.weight", named.name), weight_shape.to_vec(), weight));
        tensors.push((
            format!("{}.bias", named.name),
            bias.shape().to_vec(),
            bias.to_vec(),
        ));
    }
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    tensors
}

/// Loads the one model in `dir`: a `<stem>.json` manifest with a `<stem>.safetensors` beside it.
pub fn load_dir(dir: impl AsRef<Path>) -> Result<Network, ModelError> {
    let dir = dir.as_ref();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| load_error(format!("cannot read the model folder {}: {e}", dir.display())))?;
    let mut pairs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "json") && path.with_extension("safetensors").is_file() {
            pairs.push(path);
        }
    }
    match pairs.as_slice() {
        [manifest] => load_files(manifest, manifest.with_extension("safetensors")),
        [] => Err(load_error(format!(
            "the folder {} holds no model: put a <name>.json manifest and a <name>.safetensors file in it",
            dir.display()
        ))),
        _ => Err(load_error(format!(
            "the folder {} holds {} models; keep exactly one <name>.json + <name>.safetensors pair",
            dir.display(),
            pairs.len()
        ))),
    }
}

/// Loads a model from a manifest file and a safetensors file, within [`Budget::TEACHING`]; the
/// files' sizes are checked before they are read.
pub fn load_files(manifest: impl AsRef<Path>, safetensors: impl AsRef<Path>) -> Result<Network, ModelError> {
    let cannot_read =
        |path: &Path, e: std::io::Error| load_error(format!("cannot read {}: {e}", path.display()));
    let (manifest, safetensors) = (manifest.as_ref(), safetensors.as_ref());
    let manifest_bytes = std::fs::metadata(manifest)
        .map_err(|e| cannot_read(manifest, e))?
        .len();
    if manifest_bytes > MAX_MANIFEST_BYTES as u64 {
        return Err(load_error(format!(
            "{} has {} bytes; a model manifest is at most {} (is this the right file?)",
            manifest.display(),
            thousands(manifest_bytes),
            thousands(MAX_MANIFEST_BYTES as u64)
        )));
    }
    let weights_bytes = std::fs::metadata(safetensors)
        .map_err(|e| cannot_read(safetensors, e))?
        .len();
    Budget::TEACHING.check_file(weights_bytes)?;
    let read = |path: &Path| std::fs::read(path).map_err(|e| cannot_read(path, e));
    load(&read(manifest)?, &read(safetensors)?)
}

//! One file is one model: a safetensors file whose `__metadata__` holds the JSON manifest under
//! [`MANIFEST_KEY`]. `scripts/export_pytorch.py` writes it that way (PyTorch names and layout,
//! tensors unchanged), the server stores and serves it under its content hash, and the browser
//! reads it with no serde (see [`crate::tensor_file`]) — so everyone checks a model with the
//! same code.

use crate::budget::{Budget, check_teachable};
use crate::error::ModelError;
use crate::network::Network;
use crate::tensor_file;
use crate::weights::{MAX_MANIFEST_BYTES, Manifest, assemble, manifest_of, tensors_of};

/// The metadata key of the manifest inside the safetensors file.
pub const MANIFEST_KEY: &str = "cnn-classroom-manifest";

/// Largest model file accepted, in bytes: the teaching budget's weights plus a manifest.
pub const MAX_BYTES: usize = Budget::TEACHING.max_file_bytes as usize + MAX_MANIFEST_BYTES;

/// The canonical bytes of `network`: tensors sorted by name, a compact manifest. Equal networks
/// give equal bytes, so equal content hashes.
pub fn write(network: &Network) -> Vec<u8> {
    let manifest = serde_json::to_string(&manifest_of(network))
        .expect("a manifest of strings and numbers always serialises");
    tensor_file::write(&[(MANIFEST_KEY.to_owned(), manifest)], &tensors_of(network))
}

/// Reads and checks a model file within `budget`: its size first, then the safetensors
/// structure, the manifest, every tensor against its layer, the cost of one pass, and whether
/// the classroom can show it ([`check_teachable`]). Every refusal is a sentence.
pub fn read(bytes: &[u8], budget: &Budget) -> Result<Network, ModelError> {
    if bytes.len() > MAX_BYTES {
        return Err(ModelError::OverBudget(format!(
            "the model file has {} bytes, more than the {} this program accepts; a teaching network is far smaller",
            crate::budget::thousands(bytes.len() as u64),
            crate::budget::thousands(MAX_BYTES as u64)
        )));
    }
    let file = tensor_file::read(bytes)?;
    let manifest = file.metadata(MANIFEST_KEY).ok_or_else(|| {
        ModelError::Load(
            "this safetensors file carries no cnn-classroom manifest; export the model with \
             scripts/export_pytorch.py, which puts the manifest inside"
                .into(),
        )
    })?;
    if manifest.len() > MAX_MANIFEST_BYTES {
        return Err(ModelError::Load(
            "the manifest inside the model file is too long".into(),
        ));
    }
    let data_bytes: usize = file.tensors.iter().map(|t| t.data.len()).sum();
    budget.check_file(data_bytes as u64)?;
    let network = assemble(Manifest::from_json(manifest.as_bytes())?, &file)?;
    budget.check(&network)?;
    check_teachable(&network)?;
    Ok(network)
}

/// The content hash of a model file (BLAKE3): its name on the server, checked by the browser.
pub fn hash(bytes: &[u8]) -> [u8; 32] {
    *blake3::hash(bytes).as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::{tiny_vgg, tiny_vgg_untrained};

    #[test]
    fn a_network_reads_back_from_its_bundle_and_the_bytes_are_canonical() {
        let network = tiny_vgg();
        let bytes = write(network);
        assert_eq!(&read(&bytes, &Budget::TEACHING).unwrap(), network);
        assert_eq!(write(&read(&bytes, &Budget::TEACHING).unwrap()), bytes);
        assert_eq!(hash(&bytes), hash(&write(tiny_vgg())));
        assert_ne!(hash(&bytes), hash(&write(&tiny_vgg_untrained(1))));
    }

    #[test]
    fn a_plain_safetensors_file_is_refused_with_the_way_to_fix_it() {
        let (_, plain) = crate::weights::save(tiny_vgg());
        let message = read(&plain, &Budget::TEACHING).unwrap_err().to_string();
        assert!(message.contains("export_pytorch.py"), "{message}");
    }

    #[test]
    fn the_budget_and_the_size_limit_apply() {
        let bytes = write(tiny_vgg());
        let tight = Budget {
            max_parameters: 100,
            ..Budget::TEACHING
        };
        let message = read(&bytes, &tight).unwrap_err().to_string();
        assert!(message.contains("parameters"), "{message}");
        let huge = vec![0u8; MAX_BYTES + 1];
        assert!(
            read(&huge, &Budget::TEACHING)
                .unwrap_err()
                .to_string()
                .contains("more than")
        );
    }
}

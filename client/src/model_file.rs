//! "Open a model file…": a network the user exported from PyTorch (one bundle file, see
//! `models::bundle`), read from disk and checked exactly as the classroom server checks an
//! upload, with its refusal as a sentence.

use models::Network;
use models::budget::Budget;
use models::bundle;
use wasm_bindgen_futures::JsFuture;

/// Reads and checks the model file the user picked (refused unread if it is too big).
pub async fn open(file: web_sys::File) -> Result<Network, String> {
    let size = file.size();
    if size > bundle::MAX_BYTES as f64 {
        return Err(format!(
            "This model file has {} bytes, more than the {} a classroom network may have. \
             Export a smaller network.",
            models::budget::thousands(size as u64),
            models::budget::thousands(bundle::MAX_BYTES as u64)
        ));
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "The file could not be read; pick it again.".to_owned())?;
    check(&js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The network in `bytes`, or why it cannot be shown (a sentence naming the layer).
pub fn check(bytes: &[u8]) -> Result<Network, String> {
    bundle::read(bytes, &Budget::TEACHING).map_err(|error| {
        let mut sentence = format!("This model cannot be opened: {error}");
        if !sentence.ends_with('.') {
            sentence.push('.');
        }
        sentence
    })
}

/// What the header says about the open network, e.g. `my_model (4 classes, 1×28×28)`.
pub fn describe(name: &str, network: &Network) -> String {
    let [c, h, w] = network.input_shape();
    format!(
        "{name} ({} classes, input {c}×{h}×{w})",
        network.class_names().len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_networks::{fixture, wide};

    #[test]
    fn a_bundle_of_each_fixture_opens_as_the_same_network() {
        for name in ["grey", "colour"] {
            let network = fixture(name);
            assert!(
                check(&bundle::write(&network)).expect("opens") == network,
                "{name}"
            );
        }
        assert!(check(&bundle::write(&wide())).is_ok());
    }

    #[test]
    fn a_broken_file_is_refused_with_a_sentence() {
        let bytes = bundle::write(&fixture("grey"));
        let refusal = check(&bytes[..bytes.len() / 2]).expect_err("cut short");
        assert!(
            refusal.starts_with("This model cannot be opened: ") && refusal.ends_with('.'),
            "{refusal}"
        );
        assert!(check(b"not a model").is_err());
    }
}

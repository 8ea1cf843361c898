//! Networks other than Tiny VGG for the native tests: a wide one (64 channels, padding, stride 2,
//! max and average pooling, two dense layers) and PyTorch's greyscale and colour fixtures.

use models::Network;

/// 64 channels, padding, stride 2, max and average pooling, two dense layers
/// (`models::builtin::wide_untrained`).
pub fn wide() -> Network {
    models::builtin::wide_untrained(5)
}

/// One of the PyTorch fixtures (`grey` or `colour`) of `models/tests/fixtures/pytorch/`.
pub fn fixture(name: &str) -> Network {
    let dir = format!(
        "{}/../models/tests/fixtures/pytorch/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    models::weights::load_dir(dir).expect("the PyTorch fixture loads")
}

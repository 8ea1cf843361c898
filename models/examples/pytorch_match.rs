//! Checks networks exported from PyTorch against PyTorch's outputs, as the test
//! `tests/all/pytorch.rs` does natively; built for `wasm32-wasip1` and run under Node's WASI by
//! `models/bench-wasm/pytorch-match.sh`, it shows the WebAssembly build computes the same numbers.
//!
//! Usage: `pytorch_match <fixture dir>...`; prints one line per network, exits 1 on a difference.

#[path = "../tests/common/pytorch_match.rs"]
mod pytorch_match;

fn main() {
    let mut failed = false;
    for dir in std::env::args().skip(1) {
        match pytorch_match::compare(std::path::Path::new(&dir)) {
            Ok((network, compared)) => println!(
                "{dir}: {compared} values of {} layers match PyTorch to {}",
                network.layers().len(),
                pytorch_match::TOLERANCE
            ),
            Err(e) => {
                println!("{dir}: {e}");
                failed = true;
            }
        }
    }
    std::process::exit(i32::from(failed));
}

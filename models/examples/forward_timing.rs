//! Times Tiny VGG's forward pass (batch 1, one thread, every activation kept), natively or as
//! WebAssembly under WASI, so the browser-side cost can be measured without a browser.
//!
//! Prints one line: `forward_us min=… median=… runs=…`. See `models/bench-wasm/README.md`.

use std::time::Instant;

use ndarray::Array3;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let network = models::builtin::tiny_vgg_untrained(1);
    let input = Array3::from_shape_fn((3, 64, 64), |(c, y, x)| {
        ((c * 31 + y * 7 + x * 3) % 256) as f32 / 255.0
    });
    // Warm up caches and (under a JIT) tier-up compilation.
    let mut checksum = 0.0;
    for _ in 0..runs.min(50) {
        checksum += network.forward(&input).expect("input fits").layer_sums()[0];
    }
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let trace = network.forward(std::hint::black_box(&input)).expect("input fits");
            let elapsed = start.elapsed().as_secs_f64() * 1e6;
            checksum += trace.outputs[12][[0]];
            elapsed
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "forward_us min={:.1} median={:.1} runs={runs} (checksum {checksum:.3})",
        times[0],
        times[runs / 2]
    );
}

//! Times Tiny VGG's forward pass (batch 1, one thread, every activation kept), natively or as
//! WebAssembly under WASI, so the browser-side cost can be measured without a browser.
//!
//! Prints one line: `forward_us min=… median=… fresh_trace_min=… runs=…`, where `min`/`median`
//! reuse one trace's memory (`Network::forward_into`) and `fresh_trace_min` allocates a new
//! trace per pass (`Network::forward`). See `models/bench-wasm/README.md`.

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
    let mut trace = network.forward(&input).expect("input fits");
    // Warm up caches and (under a JIT) tier-up compilation.
    let mut checksum = 0.0;
    for _ in 0..runs.min(50) {
        network.forward_into(&input, &mut trace).expect("input fits");
        checksum += trace.layer_sums()[0];
    }
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            network
                .forward_into(std::hint::black_box(&input), &mut trace)
                .expect("input fits");
            let elapsed = start.elapsed().as_secs_f64() * 1e6;
            checksum += trace.outputs[12][[0]];
            elapsed
        })
        .collect();
    let fresh_min = (0..runs.min(100))
        .map(|_| {
            let start = Instant::now();
            let fresh = network.forward(std::hint::black_box(&input)).expect("input fits");
            let elapsed = start.elapsed().as_secs_f64() * 1e6;
            checksum += fresh.outputs[12][[0]];
            elapsed
        })
        .fold(f64::INFINITY, f64::min);
    times.sort_by(f64::total_cmp);
    println!(
        "forward_us min={:.1} median={:.1} fresh_trace_min={fresh_min:.1} runs={runs} (checksum {checksum:.3})",
        times[0],
        times[runs / 2]
    );
}

//! Times Tiny VGG's forward pass (batch 1, one thread, every activation kept), natively or as
//! WebAssembly under WASI, so the browser-side cost can be measured without a browser.
//!
//! Prints one line: `forward_us min=… median=… fresh_trace_min=… runs=…`, where `min`/`median`
//! reuse one trace's memory (`Network::forward_into`) and `fresh_trace_min` allocates a new
//! trace per pass (`Network::forward`). See `models/bench-wasm/README.md`.
//!
//! With a second argument `per-mac`, it instead times Tiny VGG and the general network of
//! `builtin::strided_example` (5×5 kernels, padding, stride 2, average pooling) in alternation
//! and prints each one's best time per multiply-add and their ratio (issue 14: within 2×).

use std::time::Instant;

use ndarray::Array3;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    if std::env::args().nth(2).as_deref() == Some("per-mac") {
        return per_multiply_add(runs);
    }
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

/// Best nanoseconds per multiply-add of Tiny VGG and of the general example, measured in
/// alternating rounds so both see the same machine load.
fn per_multiply_add(runs: usize) {
    let networks = [
        models::builtin::tiny_vgg_untrained(1),
        models::builtin::strided_example(1),
    ];
    let mut best = [f64::INFINITY; 2];
    let mut macs = [0u64; 2];
    let mut checksum = 0.0;
    let mut prepared: Vec<_> = networks
        .iter()
        .enumerate()
        .map(|(i, network)| {
            macs[i] = models::budget::Budget::TEACHING
                .check(network)
                .expect("within the budget")
                .multiply_adds;
            let [c, h, w] = network.input_shape();
            let input = Array3::from_shape_fn((c, h, w), |(c, y, x)| {
                ((c * 31 + y * 7 + x * 3) % 256) as f32 / 255.0
            });
            let trace = network.forward(&input).expect("input fits");
            (input, trace)
        })
        .collect();
    for round in 0..runs + 20 {
        for (i, network) in networks.iter().enumerate() {
            let (input, trace) = &mut prepared[i];
            let start = Instant::now();
            network
                .forward_into(std::hint::black_box(input), trace)
                .expect("input fits");
            let elapsed = start.elapsed().as_secs_f64() * 1e9;
            checksum += trace.layer_sums()[0];
            // The first rounds warm caches and (under a JIT) tier-up compilation.
            if round >= 20 {
                best[i] = best[i].min(elapsed / macs[i] as f64);
            }
        }
    }
    println!(
        "ns_per_multiply_add tiny_vgg={:.4} ({} MACs) strided_example={:.4} ({} MACs) ratio={:.2} runs={runs} (checksum {checksum:.3})",
        best[0],
        macs[0],
        best[1],
        macs[1],
        best[1] / best[0]
    );
}

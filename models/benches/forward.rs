//! Tiny VGG forward pass, batch 1, one thread, every activation kept: the optimised pass and the
//! plain reference loops, measured in the same run so their ratio is meaningful on a noisy machine.
//!
//! `cargo bench -p models --bench forward -- --warm-up-time 1 --measurement-time 3`

#[path = "../tests/common/reference.rs"]
mod reference;

use criterion::{Criterion, criterion_group, criterion_main};
use models::builtin::tiny_vgg_untrained;
use ndarray::Array3;
use std::hint::black_box;

fn forward(c: &mut Criterion) {
    let network = tiny_vgg_untrained(1);
    let input = Array3::from_shape_fn((3, 64, 64), |(c, y, x)| {
        ((c * 31 + y * 7 + x * 3) % 256) as f32 / 255.0
    });
    let mut group = c.benchmark_group("tiny_vgg_forward");
    let mut trace = network.forward(&input).unwrap();
    group.bench_function("optimised_reused_trace", |b| {
        b.iter(|| network.forward_into(black_box(&input), &mut trace).unwrap())
    });
    group.bench_function("optimised_fresh_trace", |b| {
        b.iter(|| network.forward(black_box(&input)).unwrap())
    });
    group.sample_size(10);
    group.bench_function("reference", |b| {
        b.iter(|| reference::forward(&network, black_box(&input)))
    });
    group.finish();
}

criterion_group!(benches, forward);
criterion_main!(benches);

//! Forward passes, batch 1, one thread, every activation kept, measured in one run so their
//! ratios are meaningful on a noisy machine:
//! - Tiny VGG: the optimised pass and the plain reference loops;
//! - per multiply-add (throughput in elements = multiply-adds): Tiny VGG vs a general network
//!   with 5×5 kernels, padding, a stride-2 convolution and average pooling
//!   (`builtin::strided_example`), the figure of issue 14 ("within 2× per multiply-add").
//!
//! `cargo bench -p models --bench forward -- --warm-up-time 1 --measurement-time 3`

#[path = "../tests/common/reference.rs"]
mod reference;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use models::Network;
use models::budget::Budget;
use models::builtin::{strided_example, tiny_vgg_untrained};
use ndarray::Array3;
use std::hint::black_box;

fn input(network: &Network) -> Array3<f32> {
    let [c, h, w] = network.input_shape();
    Array3::from_shape_fn((c, h, w), |(c, y, x)| {
        ((c * 31 + y * 7 + x * 3) % 256) as f32 / 255.0
    })
}

fn forward(c: &mut Criterion) {
    let network = tiny_vgg_untrained(1);
    let input = input(&network);
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

fn per_multiply_add(c: &mut Criterion) {
    let mut group = c.benchmark_group("per_multiply_add");
    for (name, network) in [
        ("tiny_vgg", tiny_vgg_untrained(1)),
        ("strided_5x5_avgpool", strided_example(1)),
    ] {
        let cost = Budget::TEACHING.check(&network).expect("within the budget");
        group.throughput(Throughput::Elements(cost.multiply_adds));
        let input = input(&network);
        let mut trace = network.forward(&input).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| network.forward_into(black_box(&input), &mut trace).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, forward, per_multiply_add);
criterion_main!(benches);

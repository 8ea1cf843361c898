//! The plain, obviously correct forward pass: the reference the fast kernels are tested against.
//!
//! Loops straight from the definitions, one output value at a time, no tricks. Kept out of the
//! library so nothing ships two implementations.
#![allow(dead_code)]

use models::{AvgPool2d, Conv2d, Linear, MaxPool2d};
use models::{Layer, Network};
use ndarray::{Array1, Array3, ArrayD, Ix1, Ix3};

/// Every layer's output, computed with the reference loops.
pub fn forward(network: &Network, input: &Array3<f32>) -> Vec<ArrayD<f32>> {
    let mut outputs: Vec<ArrayD<f32>> = Vec::new();
    for named in network.layers() {
        let x = outputs
            .last()
            .cloned()
            .unwrap_or_else(|| input.clone().into_dyn());
        let y = match &named.layer {
            Layer::Conv2d(c) => conv2d(c, &x.into_dimensionality::<Ix3>().unwrap()).into_dyn(),
            Layer::ReLU => x.mapv(|v| v.max(0.0)),
            Layer::MaxPool2d(p) => max_pool2d(p, &x.into_dimensionality::<Ix3>().unwrap()).into_dyn(),
            Layer::AvgPool2d(p) => avg_pool2d(p, &x.into_dimensionality::<Ix3>().unwrap()).into_dyn(),
            Layer::Flatten => Array1::from_iter(x.iter().copied()).into_dyn(),
            Layer::Linear(l) => linear(l, &x.into_dimensionality::<Ix1>().unwrap()).into_dyn(),
            Layer::Softmax => softmax(&x.into_dimensionality::<Ix1>().unwrap()).into_dyn(),
        };
        outputs.push(y);
    }
    outputs
}

/// Convolution, `[C_in, H, W]` → `[C_out, H', W']`.
pub fn conv2d(c: &Conv2d, x: &Array3<f32>) -> Array3<f32> {
    let (out_c, in_c, kh, kw) = c.weight.dim();
    let (_, h, w) = x.dim();
    let p = c.padding as isize;
    let oh = (h + 2 * c.padding - kh) / c.stride + 1;
    let ow = (w + 2 * c.padding - kw) / c.stride + 1;
    let mut out = Array3::<f32>::zeros((out_c, oh, ow));
    for o in 0..out_c {
        for y in 0..oh {
            for xx in 0..ow {
                let mut acc = c.bias[o];
                for i in 0..in_c {
                    for ky in 0..kh {
                        let iy = (y * c.stride + ky) as isize - p;
                        if iy < 0 || iy >= h as isize {
                            continue;
                        }
                        for kx in 0..kw {
                            let ix = (xx * c.stride + kx) as isize - p;
                            if ix < 0 || ix >= w as isize {
                                continue;
                            }
                            acc += c.weight[[o, i, ky, kx]] * x[[i, iy as usize, ix as usize]];
                        }
                    }
                }
                out[[o, y, xx]] = acc;
            }
        }
    }
    out
}

/// Max pooling, `[C, H, W]` → `[C, H', W']`.
pub fn max_pool2d(p: &MaxPool2d, x: &Array3<f32>) -> Array3<f32> {
    let (c, h, w) = x.dim();
    let oh = (h - p.kernel) / p.stride + 1;
    let ow = (w - p.kernel) / p.stride + 1;
    Array3::from_shape_fn((c, oh, ow), |(ch, y, xx)| {
        let mut m = f32::NEG_INFINITY;
        for ky in 0..p.kernel {
            for kx in 0..p.kernel {
                m = m.max(x[[ch, y * p.stride + ky, xx * p.stride + kx]]);
            }
        }
        m
    })
}

/// Average pooling, `[C, H, W]` → `[C, H', W']`: the mean of each window.
pub fn avg_pool2d(p: &AvgPool2d, x: &Array3<f32>) -> Array3<f32> {
    let (c, h, w) = x.dim();
    let oh = (h - p.kernel) / p.stride + 1;
    let ow = (w - p.kernel) / p.stride + 1;
    Array3::from_shape_fn((c, oh, ow), |(ch, y, xx)| {
        let mut sum = 0.0;
        for ky in 0..p.kernel {
            for kx in 0..p.kernel {
                sum += x[[ch, y * p.stride + ky, xx * p.stride + kx]];
            }
        }
        sum / (p.kernel * p.kernel) as f32
    })
}

/// Fully connected, `[in]` → `[out]`.
pub fn linear(l: &Linear, x: &Array1<f32>) -> Array1<f32> {
    Array1::from_shape_fn(l.bias.len(), |o| {
        let mut acc = l.bias[o];
        for i in 0..x.len() {
            acc += l.weight[[o, i]] * x[i];
        }
        acc
    })
}

/// Numerically stable softmax, `[n]` → `[n]`.
pub fn softmax(x: &Array1<f32>) -> Array1<f32> {
    let max = x.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    let e = x.mapv(|v| (v - max).exp());
    let sum = e.sum();
    e / sum
}

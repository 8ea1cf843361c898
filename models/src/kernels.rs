//! The fast forward kernels behind [`crate::Network::forward`].
//!
//! Convolution is computed one output row at a time: the input values every output pixel of
//! the row needs are copied into a small patch matrix (`in_c·kh·kw` rows × `out_w` columns, an
//! "im2row"), then a register-blocked multiply accumulates several output channels × a run of
//! output columns in registers. The loops are plain safe Rust written so that LLVM vectorises
//! them; `multiversion` compiles them for AVX-512, AVX2+FMA and WebAssembly SIMD and picks the
//! best one the CPU has at run time, so no `unsafe` and no target flags are needed.
//!
//! Why this shape (measured, see `models/benches/forward.rs`): sliding the kernel directly over
//! the input made LLVM merge the overlapping loads into shuffles, and a general GEMM
//! (matrixmultiply) wastes most of its 8×8 tiles on Tiny VGG's 10 output channels; the patch
//! rows are separate memory, so each step is one vector load and `CO` broadcast multiply-adds.

use multiversion::multiversion;
use multiversion::target::target_cfg_f;

use crate::layers::Conv2d;

/// Sizes of one convolution, all in elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvShape {
    /// Input channels.
    pub in_c: usize,
    /// Input height.
    pub in_h: usize,
    /// Input width.
    pub in_w: usize,
    /// Output channels.
    pub out_c: usize,
    /// Kernel height.
    pub kh: usize,
    /// Kernel width.
    pub kw: usize,
    /// Stride.
    pub stride: usize,
    /// Zero padding on each side.
    pub padding: usize,
    /// Output height.
    pub out_h: usize,
    /// Output width.
    pub out_w: usize,
}

impl ConvShape {
    /// The shape of `conv` applied to a `[in_c, in_h, in_w]` input (already checked to fit).
    pub fn new(conv: &Conv2d, in_h: usize, in_w: usize) -> Self {
        let (out_c, in_c, kh, kw) = conv.weight.dim();
        Self {
            in_c,
            in_h,
            in_w,
            out_c,
            kh,
            kw,
            stride: conv.stride,
            padding: conv.padding,
            out_h: (in_h + 2 * conv.padding - kh) / conv.stride + 1,
            out_w: (in_w + 2 * conv.padding - kw) / conv.stride + 1,
        }
    }

    /// Rows of a patch matrix: one per (input channel, kernel row, kernel column).
    fn patch_rows(&self) -> usize {
        self.in_c * self.kh * self.kw
    }
}

/// Memory reused between layers (and between calls, if the caller keeps it).
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    patches: Vec<f32>,
    packed_weights: Vec<f32>,
}

/// Convolution of a `[in_c, in_h, in_w]` input into a `[out_c, out_h, out_w]` output.
///
/// # Shapes
/// `input.len() == in_c·in_h·in_w`, `out.len() == out_c·out_h·out_w`, both row-major.
pub fn conv2d_into(conv: &Conv2d, shape: &ConvShape, input: &[f32], out: &mut [f32], scratch: &mut Scratch) {
    assert_eq!(
        input.len(),
        shape.in_c * shape.in_h * shape.in_w,
        "conv input length"
    );
    assert_eq!(
        out.len(),
        shape.out_c * shape.out_h * shape.out_w,
        "conv output length"
    );
    // `[out_c, k]` → `[k, out_c]`: the weights of one patch row for consecutive output
    // channels become one contiguous load.
    let rows = shape.patch_rows();
    scratch.packed_weights.clear();
    scratch.packed_weights.resize(rows * shape.out_c, 0.0);
    for ((o, i, ky, kx), &w) in conv.weight.indexed_iter() {
        scratch.packed_weights[((i * shape.kh + ky) * shape.kw + kx) * shape.out_c + o] = w;
    }
    scratch.patches.clear();
    scratch.patches.resize(rows * shape.out_w, 0.0);
    let bias = conv.bias.as_slice().expect("a bias vector is contiguous");
    conv_rows(
        shape,
        input,
        &scratch.packed_weights,
        bias,
        &mut scratch.patches,
        out,
    );
}

/// The per-target body of [`conv2d_into`]; see the module docs.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma", "wasm32+simd128"))]
fn conv_rows(
    shape: &ConvShape,
    input: &[f32],
    packed: &[f32],
    bias: &[f32],
    patches: &mut [f32],
    out: &mut [f32],
) {
    const FMA: bool = target_cfg_f!(target_feature = "fma");
    // Columns per block: enough accumulators to hide latency without spilling registers.
    // 32 with AVX-512, 16 with AVX, else 8 (wasm SIMD, SSE2).
    const WIDE: usize = 8
        * (1 + target_cfg_f!(target_feature = "avx") as usize
            + 2 * target_cfg_f!(target_feature = "avx512f") as usize);
    let blocks = shape.out_c.div_ceil(MAX_CHANNELS_PER_BLOCK);
    for y in 0..shape.out_h {
        fill_patches(shape, input, y, patches);
        let mut o0 = 0;
        for block in 0..blocks {
            // Spread the channels evenly over the blocks: 10 → 5 + 5, not 6 + 4.
            let co = (shape.out_c - o0).div_ceil(blocks - block);
            let args = BlockArgs {
                shape,
                patches,
                packed,
                bias,
                o0,
                y,
            };
            macro_rules! run {
                ($w:expr) => {
                    match co {
                        1 => channel_block::<1, { $w }, FMA>(&args, out),
                        2 => channel_block::<2, { $w }, FMA>(&args, out),
                        3 => channel_block::<3, { $w }, FMA>(&args, out),
                        4 => channel_block::<4, { $w }, FMA>(&args, out),
                        5 => channel_block::<5, { $w }, FMA>(&args, out),
                        _ => channel_block::<6, { $w }, FMA>(&args, out),
                    }
                };
            }
            if shape.out_w >= WIDE {
                run!(WIDE)
            } else if shape.out_w >= 8 {
                run!(8)
            } else {
                run!(1)
            }
            o0 += co;
        }
    }
}

/// Most output channels accumulated at once (6 × 2 vectors fit AVX2's 16 registers).
const MAX_CHANNELS_PER_BLOCK: usize = 6;

/// What [`channel_block`] reads.
struct BlockArgs<'a> {
    shape: &'a ConvShape,
    patches: &'a [f32],
    packed: &'a [f32],
    bias: &'a [f32],
    o0: usize,
    y: usize,
}

/// Writes output row `y` of channels `o0..o0 + CO`, `W` columns at a time.
///
/// The last block is shifted left to end at the row's end (recomputing a few columns) rather
/// than running a scalar tail.
#[inline(always)]
fn channel_block<const CO: usize, const W: usize, const FMA: bool>(args: &BlockArgs<'_>, out: &mut [f32]) {
    let shape = args.shape;
    let (out_w, out_c) = (shape.out_w, shape.out_c);
    let mut x0 = 0;
    while x0 < out_w {
        let start = x0.min(out_w - W);
        let mut acc = [[0.0f32; W]; CO];
        for (c, lane) in acc.iter_mut().enumerate() {
            *lane = [args.bias[args.o0 + c]; W];
        }
        for (patch_row, weights) in args
            .patches
            .chunks_exact(out_w)
            .zip(args.packed.chunks_exact(out_c))
        {
            let xs: &[f32; W] = patch_row[start..start + W].try_into().expect("W columns");
            let ws: &[f32; CO] = weights[args.o0..args.o0 + CO].try_into().expect("CO channels");
            for c in 0..CO {
                for l in 0..W {
                    acc[c][l] = if FMA {
                        ws[c].mul_add(xs[l], acc[c][l])
                    } else {
                        acc[c][l] + ws[c] * xs[l]
                    };
                }
            }
        }
        for (c, lane) in acc.iter().enumerate() {
            let row = ((args.o0 + c) * shape.out_h + args.y) * out_w;
            out[row + start..row + start + W].copy_from_slice(lane);
        }
        x0 += W;
    }
}

/// Copies what output row `y` needs into `patches[(i, ky, kx)][x]`, zero where the kernel lies
/// on padding.
#[inline(always)]
fn fill_patches(shape: &ConvShape, input: &[f32], y: usize, patches: &mut [f32]) {
    let (in_h, in_w, out_w, p, s) = (shape.in_h, shape.in_w, shape.out_w, shape.padding, shape.stride);
    let mut rows = patches.chunks_exact_mut(out_w);
    for i in 0..shape.in_c {
        for ky in 0..shape.kh {
            let iy = (y * s + ky).checked_sub(p).filter(|&iy| iy < in_h);
            for kx in 0..shape.kw {
                let row = rows.next().expect("patch_rows() rows");
                let Some(iy) = iy else {
                    row.fill(0.0);
                    continue;
                };
                let source = &input[(i * in_h + iy) * in_w..][..in_w];
                // Output columns whose input column `x·s + kx − p` lies inside the input.
                let first = p.saturating_sub(kx).div_ceil(s).min(out_w);
                let end = ((in_w + p).saturating_sub(kx)).div_ceil(s).min(out_w).max(first);
                row[..first].fill(0.0);
                row[end..].fill(0.0);
                if first == end {
                    continue;
                }
                if s == 1 {
                    let from = first + kx - p;
                    row[first..end].copy_from_slice(&source[from..from + end - first]);
                } else {
                    for (x, value) in row[first..end].iter_mut().enumerate() {
                        *value = source[(first + x) * s + kx - p];
                    }
                }
            }
        }
    }
}

/// Max pooling of `[c, in_h, in_w]` into `[c, out_h, out_w]` with square windows.
///
/// # Shapes
/// `out_h = (in_h − kernel) / stride + 1`, likewise `out_w`; slices are row-major.
pub fn max_pool2d_into(
    (c, in_h, in_w): (usize, usize, usize),
    kernel: usize,
    stride: usize,
    input: &[f32],
    out: &mut [f32],
) {
    let out_h = (in_h - kernel) / stride + 1;
    let out_w = (in_w - kernel) / stride + 1;
    assert_eq!(input.len(), c * in_h * in_w, "pool input length");
    assert_eq!(out.len(), c * out_h * out_w, "pool output length");
    let mut outputs = out.iter_mut();
    for plane in input.chunks_exact(in_h * in_w) {
        for y in 0..out_h {
            for x in 0..out_w {
                let mut best = f32::NEG_INFINITY;
                for ky in 0..kernel {
                    let row = &plane[(y * stride + ky) * in_w + x * stride..][..kernel];
                    best = row.iter().fold(best, |a, &b| a.max(b));
                }
                *outputs.next().expect("out_h·out_w outputs per channel") = best;
            }
        }
    }
}

/// `out = weight · x + bias` for a row-major `[out, in]` weight.
///
/// # Shapes
/// `weight.len() == out.len() · x.len()`, `bias.len() == out.len()`.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma", "wasm32+simd128"))]
pub fn linear_into(weight: &[f32], bias: &[f32], x: &[f32], out: &mut [f32]) {
    const LANES: usize = 16;
    assert_eq!(weight.len(), out.len() * x.len(), "linear weight size");
    for ((o, row), b) in out.iter_mut().zip(weight.chunks_exact(x.len())).zip(bias) {
        // Sixteen partial sums: independent chains the compiler turns into vector lanes.
        let mut partial = [0.0f32; LANES];
        let (rows, row_tail) = (row.chunks_exact(LANES), row.len() / LANES * LANES);
        for (w, v) in rows.zip(x.chunks_exact(LANES)) {
            for l in 0..LANES {
                partial[l] += w[l] * v[l];
            }
        }
        let tail: f32 = row[row_tail..]
            .iter()
            .zip(&x[row_tail..])
            .map(|(w, v)| w * v)
            .sum();
        *o = partial.iter().sum::<f32>() + tail + b;
    }
}

//! The fast forward kernels behind `models::Network::forward`: a crate of their own so that
//! they are compiled for speed (`opt-level = 3`) while the rest of the browser client, the
//! `models` crate included, is compiled for size (measured: 5.9 KB of the first visit's gzip).
//! The entry points are never inlined into their (size-tuned) callers, which would compile them
//! for size too.
//!
//! On x86-64, stride-1 convolutions at least one vector wide take the register-tiled path in
//! [`conv_tiles`] (measured 1.7× faster for the whole Tiny VGG pass). Everything else —
//! WebAssembly, other strides, narrow outputs — uses the bands below.
//!
//! Convolution works on bands of a few output rows. With stride 1 every kernel tap `(ky, kx)`
//! reads the (padded) input shifted by `ky` rows and `kx` columns, so a band of output rows laid
//! out with the *input's* width is, per tap, one long multiply-add of a contiguous run of the
//! input into the band (the few columns past the output's width are computed and dropped).
//! Two output channels and a whole 3×3 kernel are done per pass over the band, so each vector
//! of input loaded feeds two multiply-adds and each band vector is loaded and stored once per
//! nine. Other strides copy what each output row needs into a patch matrix first ("im2row")
//! and use the same passes.
//!
//! The loops are plain safe Rust over long runs of memory, the shape LLVM's loop vectoriser
//! handles reliably (an earlier version kept whole output blocks in registers and depended on
//! the SLP vectoriser, which vectorised it or not depending on unrelated code nearby);
//! `multiversion` compiles them for AVX-512, AVX2+FMA and WebAssembly SIMD and picks the best
//! one the CPU has at run time, so no `unsafe` and no target flags are needed. The sums run in
//! the same order as the plain definition: bias, then input channel, kernel row, kernel column.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use multiversion::multiversion;
use multiversion::target::target_cfg_f;

pub mod splitmix;

#[cfg(target_arch = "x86_64")]
mod conv_tiles;

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
    /// The shape of a convolution with weights `[out_c, in_c, kh, kw]`, `stride` and `padding`
    /// applied to a `[in_c, in_h, in_w]` input (already checked to fit).
    pub fn new(
        [out_c, in_c, kh, kw]: [usize; 4],
        stride: usize,
        padding: usize,
        in_h: usize,
        in_w: usize,
    ) -> Self {
        Self {
            in_c,
            in_h,
            in_w,
            out_c,
            kh,
            kw,
            stride,
            padding,
            out_h: (in_h + 2 * padding - kh) / stride + 1,
            out_w: (in_w + 2 * padding - kw) / stride + 1,
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
    /// Stride 1 with padding: the zero-padded input.
    padded: Vec<f32>,
    /// Other strides: one output row's patch matrix, `[in_c·kh·kw, out_w]`.
    patches: Vec<f32>,
    /// One accumulator band per output channel.
    bands: Vec<f32>,
    /// The tiled path's weights, `[in_c, kh, kw, out_c]`.
    #[cfg(target_arch = "x86_64")]
    packed: Vec<f32>,
    /// Strides above 1: the input as phase planes (see `as_stride_one`).
    phases: Vec<f32>,
    /// Strides above 1: the kernels of the phase planes.
    phase_weight: Vec<f32>,
}

/// Floats per accumulator band: long vector loops (few passes), while ten channels' bands stay
/// in the L2 cache (2,048 measured ≈ 4 % faster than 1,024 and 20 % faster than 512).
const BAND_LEN: usize = 2048;

/// Floats in the widest vector (AVX-512); band lengths are rounded up to a multiple of it.
const VECTOR: usize = 16;

/// Convolution of a `[in_c, in_h, in_w]` input into a `[out_c, out_h, out_w]` output.
///
/// # Shapes
/// `input.len() == in_c·in_h·in_w`, `out.len() == out_c·out_h·out_w`, both row-major.
#[inline(never)]
pub fn conv2d_into(
    weight: &[f32],
    bias: &[f32],
    shape: &ConvShape,
    input: &[f32],
    out: &mut [f32],
    scratch: &mut Scratch,
) {
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
    assert_eq!(
        weight.len(),
        shape.out_c * shape.in_c * shape.kh * shape.kw,
        "conv weight length"
    );
    assert_eq!(bias.len(), shape.out_c, "conv bias length");
    if shape.stride > 1 {
        // Strided: as a stride-1 convolution over phase planes, which the fast paths take.
        let (mut phases, mut phase_weight) = (
            std::mem::take(&mut scratch.phases),
            std::mem::take(&mut scratch.phase_weight),
        );
        let one = as_stride_one(shape, input, weight, &mut phases, &mut phase_weight);
        conv_stride_one(&one, &phases, &phase_weight, bias, out, scratch);
        (scratch.phases, scratch.phase_weight) = (phases, phase_weight);
        return;
    }
    conv_stride_one(shape, input, weight, bias, out, scratch);
}

/// A stride-1 convolution on the fastest path for this target.
fn conv_stride_one(
    shape: &ConvShape,
    input: &[f32],
    weight: &[f32],
    bias: &[f32],
    out: &mut [f32],
    scratch: &mut Scratch,
) {
    #[cfg(target_arch = "x86_64")]
    if conv_tiles::applies(shape) {
        let source = padded_source(shape, input, &mut scratch.padded);
        conv_tiles::pack_weights(shape, weight, &mut scratch.packed);
        conv_tiles::conv(shape, source, &scratch.packed, bias, out);
        return;
    }
    conv_bands(shape, input, weight, bias, scratch, out);
}

/// Rewrites a stride-`s` convolution as a stride-1 one ("space to depth"): input channel `i`
/// becomes `s·s` phase planes, plane `(p, q)` holding the padded input's rows `s·u + p` and
/// columns `s·v + q`; kernel tap `(ky, kx)` = `(s·a + p, s·b + q)` becomes tap `(a, b)` of
/// that plane's `⌈k/s⌉`-sided kernel (zero where `s·a + p ≥ k`). Then
/// `out[y, x] = Σ_(i, ky, kx) w · in[s·y + ky, s·x + kx] = Σ_(i, p, q, a, b) w' · plane[y + a, x + b]`.
/// Measured 13× slower per multiply-add on the patch-matrix path than stride 1 (issue 14); this
/// way a 3×3 stride-2 convolution computes 16 taps instead of 9 at stride-1 speed.
///
/// # Shapes
/// `[in_c, in_h, in_w]` → `phases` `[in_c·s², out_h + ⌈kh/s⌉ − 1, out_w + ⌈kw/s⌉ − 1]`,
/// `[out_c, in_c, kh, kw]` → `phase_weight` `[out_c, in_c·s², ⌈kh/s⌉, ⌈kw/s⌉]`.
fn as_stride_one(
    shape: &ConvShape,
    input: &[f32],
    weight: &[f32],
    phases: &mut Vec<f32>,
    phase_weight: &mut Vec<f32>,
) -> ConvShape {
    let s = shape.stride;
    let (kh, kw) = (shape.kh.div_ceil(s), shape.kw.div_ceil(s));
    let (height, width) = (shape.out_h + kh - 1, shape.out_w + kw - 1);
    let one = ConvShape {
        in_c: shape.in_c * s * s,
        in_h: height,
        in_w: width,
        kh,
        kw,
        stride: 1,
        padding: 0,
        ..*shape
    };
    phases.clear();
    phases.resize(one.in_c * height * width, 0.0);
    for i in 0..shape.in_c {
        let plane_in = &input[i * shape.in_h * shape.in_w..][..shape.in_h * shape.in_w];
        for p in 0..s {
            for q in 0..s {
                let plane = &mut phases[((i * s + p) * s + q) * height * width..][..height * width];
                for u in 0..height {
                    // Input row of phase row `u`, if it is not padding.
                    let Some(iy) = (s * u + p)
                        .checked_sub(shape.padding)
                        .filter(|&iy| iy < shape.in_h)
                    else {
                        continue;
                    };
                    let row_in = &plane_in[iy * shape.in_w..][..shape.in_w];
                    for (v, value) in plane[u * width..][..width].iter_mut().enumerate() {
                        if let Some(ix) = (s * v + q)
                            .checked_sub(shape.padding)
                            .filter(|&ix| ix < shape.in_w)
                        {
                            *value = row_in[ix];
                        }
                    }
                }
            }
        }
    }
    phase_weight.clear();
    phase_weight.resize(shape.out_c * one.in_c * kh * kw, 0.0);
    for c in 0..shape.out_c {
        for i in 0..shape.in_c {
            for ky in 0..shape.kh {
                for kx in 0..shape.kw {
                    let (p, a, q, b) = (ky % s, ky / s, kx % s, kx / s);
                    let plane = (i * s + p) * s + q;
                    phase_weight[((c * one.in_c + plane) * kh + a) * kw + b] =
                        weight[((c * shape.in_c + i) * shape.kh + ky) * shape.kw + kx];
                }
            }
        }
    }
    one
}

/// The per-target body of [`conv2d_into`]; see the module docs.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma", "wasm32+simd128"))]
fn conv_bands(
    shape: &ConvShape,
    input: &[f32],
    weight: &[f32],
    bias: &[f32],
    scratch: &mut Scratch,
    out: &mut [f32],
) {
    const FMA: bool = target_cfg_f!(target_feature = "fma");
    // Output channels per pass: their 3×3 weights must stay in registers beside the band
    // accumulators. AVX-512's 32 registers hold three channels' 27 (measured 5 % faster than
    // pairs and than four); AVX2's 16 hold at most a pair's. WebAssembly SIMD (V8 on x86-64,
    // no fused multiply-add): one channel measured 5 % faster than pairs.
    const GROUP: usize = if target_cfg_f!(target_feature = "avx512f") {
        3
    } else if cfg!(target_arch = "wasm32") {
        1
    } else {
        2
    };
    let Scratch {
        padded,
        patches,
        bands,
        ..
    } = scratch;
    let (out_c, out_h, out_w) = (shape.out_c, shape.out_h, shape.out_w);
    // Weights per (output channel, input channel) pair.
    let k = shape.kh * shape.kw;
    if shape.stride == 1 {
        let (source, width, height) = padded_source(shape, input, padded);
        // Band element `j` is output row `y0 + j / width`, column `j % width`.
        let band_rows = (BAND_LEN / width).clamp(1, out_h);
        let capacity = ((band_rows - 1) * width + out_w).next_multiple_of(VECTOR);
        bands.clear();
        bands.resize(out_c * capacity, 0.0);
        let mut y0 = 0;
        while y0 < out_h {
            let rows = band_rows.min(out_h - y0);
            // Rounded up to whole vectors (no scalar tail loop) where the input has the
            // elements: the extra columns are computed and dropped like the others.
            let last_row_start = ((shape.in_c - 1) * height + y0 + shape.kh - 1) * width;
            let available = source.len() - last_row_start - (shape.kw - 1);
            let len = ((rows - 1) * width + out_w)
                .next_multiple_of(VECTOR)
                .min(available);
            for (band, &b) in bands.chunks_exact_mut(capacity).zip(bias) {
                band[..len].fill(b);
            }
            for i in 0..shape.in_c {
                let rows = &source[(i * height + y0) * width..];
                let kernel = |c: usize| &weight[(c * shape.in_c + i) * k..][..k];
                accumulate::<FMA, GROUP>(
                    bands,
                    (capacity, len),
                    (rows, width),
                    (shape.kh, shape.kw),
                    kernel,
                );
            }
            for (c, band) in bands.chunks_exact(capacity).enumerate() {
                for r in 0..rows {
                    let to = (c * out_h + y0 + r) * out_w;
                    out[to..to + out_w].copy_from_slice(&band[r * width..][..out_w]);
                }
            }
            y0 += rows;
        }
    } else {
        patches.clear();
        patches.resize(shape.patch_rows() * out_w, 0.0);
        bands.clear();
        bands.resize(out_c * out_w, 0.0);
        for y in 0..out_h {
            fill_patches(shape, input, y, patches);
            for (band, &b) in bands.chunks_exact_mut(out_w).zip(bias) {
                band.fill(b);
            }
            for (r, patch_row) in patches.chunks_exact(out_w).enumerate() {
                let (i, ky, kx) = (r / k, r % k / shape.kw, r % shape.kw);
                let tap = |c: usize| &weight[(c * shape.in_c + i) * k + ky * shape.kw + kx..][..1];
                accumulate::<FMA, GROUP>(bands, (out_w, out_w), (patch_row, 0), (1, 1), tap);
            }
            for (c, band) in bands.chunks_exact(out_w).enumerate() {
                out[(c * out_h + y) * out_w..][..out_w].copy_from_slice(band);
            }
        }
    }
}

/// For every output channel `c`, adds one input channel's kernel to the first `len` elements
/// of its band: `band_c[j] += Σ_(ky, kx) kernel(c)[ky·kw + kx] · source[ky·step + kx + j]`,
/// terms in that order.
///
/// `bands` holds one band per channel, `capacity` apart. Channels go in groups of up to
/// `GROUP` sharing every loaded input vector (ten channels with `GROUP` 3: 3 + 3 + 2 + 2); a
/// 3×3 kernel is one pass (per vector of output and channel: nine multiply-adds, one band load
/// and store; nine input loads shared by the group), other sizes one pass per run of up to
/// three taps of a kernel row.
#[inline(always)]
fn accumulate<'w, const FMA: bool, const GROUP: usize>(
    bands: &mut [f32],
    (capacity, len): (usize, usize),
    (source, step): (&[f32], usize),
    (kh, kw): (usize, usize),
    kernel: impl Fn(usize) -> &'w [f32],
) {
    let channels = bands.len() / capacity;
    let mut rest = bands;
    let mut c = 0;
    while c < channels {
        let group = match (channels - c, GROUP) {
            (left, 3) if left != 4 => left.min(3),
            (left, _) => left.min(GROUP).min(2),
        };
        let (these, tail) = rest.split_at_mut(capacity * group);
        rest = tail;
        // `CH` channels' bands, and kernel rows `ky0..ky0 + KH`, columns `kx0..kx0 + KW`.
        macro_rules! pass {
            ($ch:literal, $kh:literal, $kw:literal, $ky0:expr, $kx0:expr) => {{
                let mut bands = these
                    .chunks_exact_mut(capacity)
                    .map(|band| &mut band[..len]);
                let acc: [&mut [f32]; $ch] = std::array::from_fn(|_| bands.next().expect("group"));
                let rows: [&[f32]; $kh] =
                    std::array::from_fn(|r| &source[($ky0 + r) * step + $kx0..][..len + $kw - 1]);
                let w: [[[f32; $kw]; $kh]; $ch] = std::array::from_fn(|g| {
                    std::array::from_fn(|r| {
                        kernel(c + g)[($ky0 + r) * kw + $kx0..][..$kw]
                            .try_into()
                            .expect("taps")
                    })
                });
                multiply_add::<$ch, $kh, $kw, FMA>(acc, rows, w)
            }};
        }
        macro_rules! by_group {
            ($kh:literal, $kw:literal, $ky0:expr, $kx0:expr) => {
                match group {
                    3 => pass!(3, $kh, $kw, $ky0, $kx0),
                    2 => pass!(2, $kh, $kw, $ky0, $kx0),
                    _ => pass!(1, $kh, $kw, $ky0, $kx0),
                }
            };
        }
        if (kh, kw) == (3, 3) {
            by_group!(3, 3, 0, 0);
        } else {
            for ky in 0..kh {
                let mut kx = 0;
                while kx < kw {
                    let run = (kw - kx).min(3);
                    match run {
                        3 => by_group!(1, 3, ky, kx),
                        2 => by_group!(1, 2, ky, kx),
                        _ => by_group!(1, 1, ky, kx),
                    }
                    kx += run;
                }
            }
        }
        c += group;
    }
}

/// `acc[c][j] += Σ_(r, t) w[c][r][t] · rows[r][j + t]` for `CH` channels over a `KH × KW`
/// block of taps, in row-major tap order: the loop the vectoriser turns into wide loads and
/// fused multiply-adds.
#[inline(always)]
fn multiply_add<const CH: usize, const KH: usize, const KW: usize, const FMA: bool>(
    acc: [&mut [f32]; CH],
    rows: [&[f32]; KH],
    w: [[[f32; KW]; KH]; CH],
) {
    let len = acc[0].len();
    let rows = rows.map(|row| &row[..len + KW - 1]);
    if CH == 1 {
        // The plain form; the one the wasm build vectorises (the form below it does not).
        for j in 0..len {
            let mut v = acc[0][j];
            for r in 0..KH {
                for t in 0..KW {
                    v = if FMA {
                        w[0][r][t].mul_add(rows[r][j + t], v)
                    } else {
                        v + w[0][r][t] * rows[r][j + t]
                    };
                }
            }
            acc[0][j] = v;
        }
        return;
    }
    for j in 0..len {
        // Every load before any store: the compiler cannot tell the bands from the input
        // rows, so a store in between would force it to load the inputs again per channel
        // (measured: 20 % of the native pass).
        let x: [[f32; KW]; KH] = std::array::from_fn(|r| std::array::from_fn(|t| rows[r][j + t]));
        let mut v: [f32; CH] = std::array::from_fn(|c| acc[c][j]);
        for c in 0..CH {
            for r in 0..KH {
                for t in 0..KW {
                    v[c] = if FMA {
                        w[c][r][t].mul_add(x[r][t], v[c])
                    } else {
                        v[c] + w[c][r][t] * x[r][t]
                    };
                }
            }
        }
        for c in 0..CH {
            acc[c][j] = v[c];
        }
    }
}

/// What the stride-1 kernels read: `input` itself without padding, else its zero-padded copy
/// in `padded`; with that source's row width and height.
fn padded_source<'a>(
    shape: &ConvShape,
    input: &'a [f32],
    padded: &'a mut Vec<f32>,
) -> (&'a [f32], usize, usize) {
    let p = shape.padding;
    let source = if p == 0 {
        input
    } else {
        pad(shape, input, padded);
        &padded[..]
    };
    (source, shape.in_w + 2 * p, shape.in_h + 2 * p)
}

/// Copies `input` into `padded` with `padding` zeros on every side of every channel.
fn pad(shape: &ConvShape, input: &[f32], padded: &mut Vec<f32>) {
    let (p, in_w) = (shape.padding, shape.in_w);
    let (width, height) = (in_w + 2 * p, shape.in_h + 2 * p);
    padded.clear();
    padded.resize(shape.in_c * height * width, 0.0);
    for (plane, padded_plane) in input
        .chunks_exact(shape.in_h * in_w)
        .zip(padded.chunks_exact_mut(height * width))
    {
        for (row, padded_row) in plane
            .chunks_exact(in_w)
            .zip(padded_plane.chunks_exact_mut(width).skip(p))
        {
            padded_row[p..p + in_w].copy_from_slice(row);
        }
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
#[inline(never)]
pub fn max_pool2d_into(
    dims: (usize, usize, usize),
    kernel: usize,
    stride: usize,
    input: &[f32],
    out: &mut [f32],
) {
    let in_w = dims.2;
    for_each_pool_row(dims, kernel, stride, input, out, |rows, out_row| {
        if kernel == 2 && stride == 2 {
            pool_row_2x2(&rows[..in_w], &rows[in_w..], out_row);
            return;
        }
        for (x, best) in out_row.iter_mut().enumerate() {
            *best = f32::NEG_INFINITY;
            for row in rows.chunks(in_w) {
                let window = &row[x * stride..][..kernel];
                *best = window.iter().fold(*best, |a, &b| larger(a, b));
            }
        }
    });
}

/// Average pooling of `[c, in_h, in_w]` into `out` (`[c, out_h, out_w]`): the mean of each
/// `kernel × kernel` window, as PyTorch's `AvgPool2d` without padding.
#[inline(never)]
pub fn avg_pool2d_into(
    dims: (usize, usize, usize),
    kernel: usize,
    stride: usize,
    input: &[f32],
    out: &mut [f32],
) {
    let in_w = dims.2;
    let scale = 1.0 / (kernel * kernel) as f32;
    for_each_pool_row(dims, kernel, stride, input, out, |rows, out_row| {
        for (x, mean) in out_row.iter_mut().enumerate() {
            let sum: f32 = rows
                .chunks(in_w)
                .map(|row| row[x * stride..][..kernel].iter().sum::<f32>())
                .sum();
            *mean = sum * scale;
        }
    });
}

/// The walk both poolings share: for every channel and output row, `reduce_row` gets the
/// `kernel` input rows that row's windows read (contiguous, `kernel × in_w` values) and the
/// output row to fill.
fn for_each_pool_row(
    (c, in_h, in_w): (usize, usize, usize),
    kernel: usize,
    stride: usize,
    input: &[f32],
    out: &mut [f32],
    mut reduce_row: impl FnMut(&[f32], &mut [f32]),
) {
    let out_h = (in_h - kernel) / stride + 1;
    let out_w = (in_w - kernel) / stride + 1;
    assert_eq!(input.len(), c * in_h * in_w, "pool input length");
    assert_eq!(out.len(), c * out_h * out_w, "pool output length");
    let planes = input
        .chunks_exact(in_h * in_w)
        .zip(out.chunks_exact_mut(out_h * out_w));
    for (plane, out_plane) in planes {
        for (y, out_row) in out_plane.chunks_exact_mut(out_w).enumerate() {
            reduce_row(&plane[y * stride * in_w..][..kernel * in_w], out_row);
        }
    }
}

/// One output row of the common 2×2, stride-2 pool, written so that it vectorises.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma", "wasm32+simd128"))]
fn pool_row_2x2(top: &[f32], bottom: &[f32], out: &mut [f32]) {
    let pairs = top.chunks_exact(2).zip(bottom.chunks_exact(2));
    for (best, (t, b)) in out.iter_mut().zip(pairs) {
        *best = larger(larger(t[0], t[1]), larger(b[0], b[1]));
    }
}

/// `out = max(0, input)` element-wise.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma", "wasm32+simd128"))]
#[inline(never)]
pub fn relu_into(input: &[f32], out: &mut [f32]) {
    assert_eq!(input.len(), out.len(), "relu lengths");
    for (o, &v) in out.iter_mut().zip(input) {
        *o = larger(v, 0.0);
    }
}

/// The larger of two finite numbers.
///
/// Why not `f32::max`: its NaN rule has no single WebAssembly instruction, so in wasm it is a
/// call to `fmaxf` per element (measured: a quarter of the whole forward pass); this is one
/// `maxps` natively and one `f32x4.pmax` in wasm. Activations are finite, so both agree.
#[inline(always)]
fn larger(a: f32, b: f32) -> f32 {
    if b > a { b } else { a }
}

/// `out = weight · x + bias` for a row-major `[out, in]` weight.
///
/// # Shapes
/// `weight.len() == out.len() · x.len()`, `bias.len() == out.len()`.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma", "wasm32+simd128"))]
#[inline(never)]
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

#[cfg(test)]
pub(crate) mod tests {
    use super::{ConvShape, Scratch, conv_bands};
    use crate::splitmix::SplitMix64;

    /// The definition, as plain loops: bias, then input channel, kernel row, kernel column, with
    /// stride and zero padding.
    pub(crate) fn plain(s: &ConvShape, input: &[f32], weight: &[f32], bias: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0; s.out_c * s.out_h * s.out_w];
        for c in 0..s.out_c {
            for y in 0..s.out_h {
                for x in 0..s.out_w {
                    let mut v = bias[c];
                    for i in 0..s.in_c {
                        for ky in 0..s.kh {
                            for kx in 0..s.kw {
                                let iy = (y * s.stride + ky).wrapping_sub(s.padding);
                                let ix = (x * s.stride + kx).wrapping_sub(s.padding);
                                if iy < s.in_h && ix < s.in_w {
                                    let w = weight[((c * s.in_c + i) * s.kh + ky) * s.kw + kx];
                                    v += w * input[(i * s.in_h + iy) * s.in_w + ix];
                                }
                            }
                        }
                    }
                    out[(c * s.out_h + y) * s.out_w + x] = v;
                }
            }
        }
        out
    }

    /// Runs `conv` (weights, bias, input, output) on random numbers of `shape` and checks every
    /// output against [`plain`].
    fn assert_agrees_with_plain(
        shape: &ConvShape,
        rng: &mut SplitMix64,
        conv: impl FnOnce(&[f32], &[f32], &[f32], &mut [f32]),
    ) {
        let mut random = |n: usize| -> Vec<f32> { (0..n).map(|_| rng.uniform(1.0)).collect() };
        let input = random(shape.in_c * shape.in_h * shape.in_w);
        let weight = random(shape.out_c * shape.in_c * shape.kh * shape.kw);
        let bias = random(shape.out_c);
        let expected = plain(shape, &input, &weight, &bias);
        let mut out = vec![f32::NAN; expected.len()];
        conv(&weight, &bias, &input, &mut out);
        for (a, b) in out.iter().zip(&expected) {
            assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{shape:?}: {a} vs {b}");
        }
    }

    /// The band kernels are what WebAssembly runs for every convolution, but natively the tiles
    /// take every wide stride-1 shape, so through `conv2d_into` the bands would only meet narrow
    /// or strided ones. Called directly here, on every shape: wide and narrow, stride 1 and 2,
    /// padded or not, 1–13 output channels (groups of one to three and a lone last channel),
    /// inputs longer than one band.
    #[test]
    fn bands_agree_with_plain_loops_on_every_shape() {
        let mut rng = SplitMix64(29);
        let mut scratch = Scratch::default();
        let mut checked = 0;
        for (case, in_w) in [1, 3, 8, 9, 16, 17, 33, 62, 64, 66, 70].into_iter().enumerate() {
            for out_c in [1, 2, 3, 4, 5, 7, 10, 13] {
                for stride in [1, 2] {
                    let (kernel, padding) =
                        [(3, 0), (3, 1), (1, 0), (5, 2), (5, 0)][(case + out_c + stride) % 5];
                    let in_h = [1, 4, 9, 40, 64][(case + out_c) % 5];
                    let in_c = 1 + (case + out_c) % 4;
                    if in_h + 2 * padding < kernel || in_w + 2 * padding < kernel {
                        continue;
                    }
                    let shape = ConvShape::new([out_c, in_c, kernel, kernel], stride, padding, in_h, in_w);
                    assert_agrees_with_plain(&shape, &mut rng, |weight, bias, input, out| {
                        conv_bands(&shape, input, weight, bias, &mut scratch, out)
                    });
                    checked += 1;
                }
            }
        }
        assert!(checked > 150, "{checked} shapes");
    }

    /// Strided convolutions run as stride-1 ones over phase planes: the same numbers as the
    /// definition for strides 2 and 3, odd and even kernels and input sizes, with and without
    /// padding.
    #[test]
    fn strided_convolutions_through_phase_planes_agree_with_plain_loops() {
        let mut rng = SplitMix64(31);
        let mut scratch = Scratch::default();
        let mut checked = 0;
        for stride in [2, 3] {
            for (kernel, padding) in [(1, 0), (2, 0), (3, 0), (3, 1), (4, 1), (5, 2), (7, 3)] {
                for (in_h, in_w) in [(7, 7), (28, 28), (33, 64), (64, 31)] {
                    let (in_c, out_c) = (1 + (in_h + kernel) % 3, 1 + (in_w + stride) % 5);
                    if in_h + 2 * padding < kernel || in_w + 2 * padding < kernel {
                        continue;
                    }
                    let shape = ConvShape::new([out_c, in_c, kernel, kernel], stride, padding, in_h, in_w);
                    assert_agrees_with_plain(&shape, &mut rng, |weight, bias, input, out| {
                        super::conv2d_into(weight, bias, &shape, input, out, &mut scratch)
                    });
                    checked += 1;
                }
            }
        }
        assert!(checked >= 50, "{checked} shapes");
    }
}

//! Register-tiled direct convolution: the stride-1 fast path on x86-64 (AVX-512 or AVX2+FMA).
//!
//! Not used in WebAssembly: the same tiles with SIMD128 measured 40 % slower there than the
//! band path (V8 keeps fewer vectors in registers), at every tile shape tried.
//!
//! A tile is a few output channels × a few output vectors (each `LANES` consecutive columns of
//! one output row). Its accumulators stay in registers for the whole sum over input channels
//! and kernel taps, so each output is stored once, already final, straight into the output:
//! no band to reload per input channel and no copy-out. Per tap, each input vector loaded
//! feeds every channel of the tile and each broadcast weight every vector of it.
//!
//! Output rows are covered by `ceil(out_w / LANES)` vectors; the last one is moved left to end
//! at the row's end (it recomputes a few columns and stores the same values again), and the
//! last tile of a plane likewise overlaps the one before. So there are no scalar tails, and the
//! only condition is `out_w ≥ LANES`.
//!
//! `pulp` picks AVX-512 or AVX2+FMA at run time and gives safe vector types; every sum runs
//! in the reference order (bias, then input channel, kernel row, kernel column).

use pulp::{Simd, WithSimd};

use super::ConvShape;

/// Output channels per tile, at most: ten channels go as 5 + 5.
const MAX_CHANNELS: usize = 5;

/// Whether the tiled path handles `shape` on this CPU: stride 1, at least one vector wide, and
/// AVX2 or better (without it `pulp` would run the tiles one float at a time, slower than the
/// bands, which the compiler vectorises with SSE).
pub fn applies(shape: &ConvShape) -> bool {
    let lanes = pulp::Arch::new().dispatch(Lanes);
    shape.stride == 1 && lanes >= 8 && shape.out_w >= lanes
}

/// Convolution of a stride-1 `source` (already zero-padded: `[in_c, height, width]`) into
/// `out` (`[out_c, out_h, out_w]`), with `packed` the weights as `[in_c, kh, kw, out_c]`.
pub fn conv(
    shape: &ConvShape,
    (source, width, height): (&[f32], usize, usize),
    packed: &[f32],
    bias: &[f32],
    out: &mut [f32],
) {
    pulp::Arch::new().dispatch(Conv {
        shape,
        source,
        width,
        height,
        packed,
        bias,
        out,
    });
}

/// Rearranges `[out_c, in_c, kh, kw]` weights into `[in_c, kh, kw, out_c]`, so that the
/// channels of one tap are side by side.
pub fn pack_weights(shape: &ConvShape, weight: &[f32], packed: &mut Vec<f32>) {
    let k = shape.kh * shape.kw;
    packed.clear();
    packed.resize(weight.len(), 0.0);
    for (c, per_out) in weight.chunks_exact(shape.in_c * k).enumerate() {
        for (i_tap, &w) in per_out.iter().enumerate() {
            packed[i_tap * shape.out_c + c] = w;
        }
    }
}

/// Floats per vector register.
struct Lanes;

impl WithSimd for Lanes {
    type Output = usize;

    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) -> usize {
        S::F32_LANES
    }
}

/// The arguments of [`conv`].
struct Conv<'a> {
    shape: &'a ConvShape,
    source: &'a [f32],
    width: usize,
    height: usize,
    packed: &'a [f32],
    bias: &'a [f32],
    out: &'a mut [f32],
}

impl WithSimd for Conv<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        // Vectors per tile: with AVX-512's 32 registers, 5 channels × 4 vectors of
        // accumulators, 4 inputs and a weight; with AVX2's 16, 5 × 2, 2 and 1.
        if S::F32_LANES >= 16 {
            self.run::<S, 4>(simd);
        } else {
            self.run::<S, 2>(simd);
        }
    }
}

impl Conv<'_> {
    /// Every tile of every channel block, `VECTORS` output vectors per tile.
    #[inline(always)]
    fn run<S: Simd, const VECTORS: usize>(self, simd: S) {
        let shape = self.shape;
        let out = self.out;
        let lanes = S::F32_LANES;
        let per_row = shape.out_w.div_ceil(lanes);
        let count = shape.out_h * per_row;
        // Output vector `v`: (input offset, output offset) of its first column.
        let vector = |v: usize| {
            let (y, x) = (v / per_row, (v % per_row * lanes).min(shape.out_w - lanes));
            (y * self.width + x, y * shape.out_w + x)
        };
        // Tap offsets in a padded input channel, row-major over the kernel.
        let taps: Vec<usize> = (0..shape.kh)
            .flat_map(|ky| (0..shape.kw).map(move |kx| ky * self.width + kx))
            .collect();
        let blocks = shape.out_c.div_ceil(MAX_CHANNELS);
        let mut c0 = 0;
        for block in 0..blocks {
            // Balanced blocks: 10 → 5 + 5, 7 → 4 + 3.
            let channels = shape.out_c / blocks + usize::from(block < shape.out_c % blocks);
            let tiles = Tiles {
                simd,
                shape,
                source: self.source,
                plane: self.width * self.height,
                packed: self.packed,
                bias: self.bias,
                taps: &taps,
                count,
                c0,
            };
            let out = &mut *out;
            match channels {
                5 => tiles.all::<5, VECTORS>(vector, out),
                4 => tiles.all::<4, VECTORS>(vector, out),
                3 => tiles.all::<3, VECTORS>(vector, out),
                2 => tiles.all::<2, VECTORS>(vector, out),
                _ => tiles.all::<1, VECTORS>(vector, out),
            }
            c0 += channels;
        }
    }
}

/// One channel block's tiles.
struct Tiles<'a, S> {
    simd: S,
    shape: &'a ConvShape,
    source: &'a [f32],
    /// Floats per padded input channel.
    plane: usize,
    packed: &'a [f32],
    bias: &'a [f32],
    taps: &'a [usize],
    /// Output vectors per output channel.
    count: usize,
    /// First output channel of the block.
    c0: usize,
}

impl<S: Simd> Tiles<'_, S> {
    /// Every tile of `VECTORS` output vectors (one-vector tiles when a plane has fewer).
    #[inline(always)]
    fn all<const CH: usize, const VECTORS: usize>(
        &self,
        vector: impl Fn(usize) -> (usize, usize),
        out: &mut [f32],
    ) {
        if self.count < VECTORS {
            for v in 0..self.count {
                self.tile::<CH, 1>([vector(v)], out);
            }
            return;
        }
        let mut v = 0;
        while v < self.count {
            // The last tile ends at the last vector, overlapping the one before.
            let first = v.min(self.count - VECTORS);
            self.tile::<CH, VECTORS>(std::array::from_fn(|t| vector(first + t)), out);
            v += VECTORS;
        }
    }

    /// `CH` channels × `V` output vectors: accumulate in registers, store once.
    #[inline(always)]
    fn tile<const CH: usize, const V: usize>(&self, at: [(usize, usize); V], out: &mut [f32]) {
        let simd = self.simd;
        let lanes = S::F32_LANES;
        let out_c = self.shape.out_c;
        let k = self.taps.len();
        let mut acc: [[S::f32s; V]; CH] =
            std::array::from_fn(|c| [simd.splat_f32s(self.bias[self.c0 + c]); V]);
        for (i, plane) in self.source.chunks_exact(self.plane).enumerate() {
            let weights = &self.packed[i * k * out_c..][..k * out_c];
            for (t, &tap) in self.taps.iter().enumerate() {
                let x: [S::f32s; V] = std::array::from_fn(|v| load::<S>(&plane[at[v].0 + tap..][..lanes]));
                let w = &weights[t * out_c + self.c0..][..CH];
                for c in 0..CH {
                    let w = simd.splat_f32s(w[c]);
                    for v in 0..V {
                        acc[c][v] = simd.mul_add_e_f32s(w, x[v], acc[c][v]);
                    }
                }
            }
        }
        let plane_out = self.shape.out_h * self.shape.out_w;
        for (c, acc) in acc.iter().enumerate() {
            let channel = &mut out[(self.c0 + c) * plane_out..][..plane_out];
            for (v, &value) in acc.iter().enumerate() {
                S::as_mut_simd_f32s(&mut channel[at[v].1..][..lanes]).0[0] = value;
            }
        }
    }
}

/// One vector from exactly `LANES` floats at any alignment.
#[inline(always)]
fn load<S: Simd>(from: &[f32]) -> S::f32s {
    S::as_simd_f32s(from).0[0]
}

#[cfg(test)]
mod tests {
    //! Every instruction set this CPU has (not just the one `pulp` would pick) against plain
    //! loops, so the AVX2 tiles are checked on an AVX-512 machine too.

    use pulp::{Scalar, Simd};

    use super::{Conv, Lanes, pack_weights};
    use crate::splitmix::SplitMix64;
    use crate::tests::plain;
    use crate::{ConvShape, padded_source};

    /// The tiles with the instruction set `simd`, or `None` if `shape` is too narrow for it.
    fn tiled<S: Simd>(
        simd: S,
        shape: &ConvShape,
        input: &[f32],
        weight: &[f32],
        bias: &[f32],
    ) -> Option<Vec<f32>> {
        if shape.out_w < S::F32_LANES {
            return None;
        }
        let mut padded = Vec::new();
        let (source, width, height) = padded_source(shape, input, &mut padded);
        let mut packed = Vec::new();
        pack_weights(shape, weight, &mut packed);
        let mut out = vec![f32::NAN; shape.out_c * shape.out_h * shape.out_w];
        simd.vectorize(Conv {
            shape,
            source,
            width,
            height,
            packed: &packed,
            bias,
            out: &mut out,
        });
        Some(out)
    }

    #[test]
    fn every_instruction_set_agrees_with_plain_loops() {
        let mut rng = SplitMix64(7);
        let mut random = |n: usize| -> Vec<f32> { (0..n).map(|_| rng.uniform(1.0)).collect() };
        let mut checked = [0usize; 3];
        // Widths around 8 and 16 lanes and Tiny VGG's; one row (fewer vectors than a tile) and
        // more; 1–11 output channels (blocks of 1–5).
        for (case, out_w) in [1, 7, 8, 9, 15, 16, 17, 24, 26, 31, 33, 60, 62]
            .into_iter()
            .enumerate()
        {
            for out_c in [1, 2, 3, 4, 5, 6, 7, 10, 11] {
                let (kernel, padding) = [(3, 0), (1, 0), (3, 1), (5, 2), (5, 0)][(case + out_c) % 5];
                let out_h = [1, 2, 3, 5][(case + out_c) % 4];
                let in_c = 1 + (case + out_c) % 4;
                let (in_h, in_w) = (out_h + kernel - 1 - 2 * padding, out_w + kernel - 1 - 2 * padding);
                if in_h == 0 || in_w == 0 {
                    continue;
                }
                let shape = ConvShape {
                    in_c,
                    in_h,
                    in_w,
                    out_c,
                    kh: kernel,
                    kw: kernel,
                    stride: 1,
                    padding,
                    out_h,
                    out_w,
                };
                let input = random(in_c * in_h * in_w);
                let weight = random(out_c * in_c * kernel * kernel);
                let bias = random(out_c);
                let expected = plain(&shape, &input, &weight, &bias);
                let results = [
                    tiled(Scalar, &shape, &input, &weight, &bias),
                    pulp::x86::V3::try_new().and_then(|simd| tiled(simd, &shape, &input, &weight, &bias)),
                    pulp::x86::V4::try_new().and_then(|simd| tiled(simd, &shape, &input, &weight, &bias)),
                ];
                for (set, result) in results.iter().enumerate() {
                    let Some(result) = result else { continue };
                    checked[set] += 1;
                    for (a, b) in result.iter().zip(&expected) {
                        assert!(
                            (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
                            "set {set} {shape:?}: {a} vs {b}"
                        );
                    }
                }
            }
        }
        assert!(checked[0] > 50, "the scalar tiles ran: {checked:?}");
        assert!(
            pulp::x86::V3::try_new().is_none() || checked[1] > 30,
            "AVX2 ran: {checked:?}"
        );
        assert!(
            pulp::x86::V4::try_new().is_none() || checked[2] > 30,
            "AVX-512 ran: {checked:?}"
        );
        // Said out loud, not skipped silently: a CPU without an instruction set cannot test it.
        for (set, name) in [(1, "AVX2"), (2, "AVX-512")] {
            if checked[set] == 0 {
                eprintln!("note: the {name} tiles were not tested: this CPU does not have {name}");
            }
        }
    }

    #[test]
    fn the_widest_instruction_set_the_cpu_has_is_picked() {
        // Both AVX2 and AVX-512 must be compiled in (pulp's `x86-v4` feature does not imply
        // `x86-v3`): an AVX2-only CPU would otherwise fall back to the bands.
        let lanes = pulp::Arch::new().dispatch(Lanes);
        let expected = if pulp::x86::V4::try_new().is_some() {
            16
        } else if pulp::x86::V3::try_new().is_some() {
            8
        } else {
            1
        };
        assert_eq!(lanes, expected);
    }
}

//! Convolution as im2col + one matrix multiply, so forward and backward run at BLAS-like speed.
//!
//! The input `[C, H, W]` is unrolled into a `cols` matrix `[C·kh·kw, H'·W']` whose column `p`
//! holds the receptive field of output pixel `p`. Then `out = W · cols` with the weight viewed as
//! `[C_out, C·kh·kw]`, `dW = dY · colsᵀ` and `dcols = Wᵀ · dY`, folded back by col2im.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, Array3, Array4, ArrayView2, Axis};

use models::layers::Conv2d;

/// Geometry of one convolution applied to one input shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Geometry {
    channels: usize,
    height: usize,
    width: usize,
    kernel_h: usize,
    kernel_w: usize,
    stride: usize,
    padding: usize,
    out_h: usize,
    out_w: usize,
}

impl Geometry {
    fn new(conv: &Conv2d, input_shape: (usize, usize, usize)) -> Self {
        let (_, channels, kernel_h, kernel_w) = conv.weight.dim();
        let (c, height, width) = input_shape;
        debug_assert_eq!(c, channels, "shapes are checked when the network is built");
        Self {
            channels,
            height,
            width,
            kernel_h,
            kernel_w,
            stride: conv.stride,
            padding: conv.padding,
            out_h: (height + 2 * conv.padding - kernel_h) / conv.stride + 1,
            out_w: (width + 2 * conv.padding - kernel_w) / conv.stride + 1,
        }
    }

    /// Input column read by output column `ox` at kernel column `kx`, if inside the image.
    fn source_x(&self, ox: usize, kx: usize) -> Option<usize> {
        (ox * self.stride + kx)
            .checked_sub(self.padding)
            .filter(|&ix| ix < self.width)
    }

    /// Input row read by output row `oy` at kernel row `ky`, if inside the image.
    fn source_y(&self, oy: usize, ky: usize) -> Option<usize> {
        (oy * self.stride + ky)
            .checked_sub(self.padding)
            .filter(|&iy| iy < self.height)
    }
}

/// Unrolls `x` into the `[C·kh·kw, H'·W']` matrix of receptive fields (zeros for padding).
///
/// # Shapes
/// `x`: `[C, H, W]` matching the convolution's input channels.
pub fn im2col(conv: &Conv2d, x: &Array3<f32>) -> Array2<f32> {
    let g = Geometry::new(conv, x.dim());
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout is contiguous");
    let pixels = g.out_h * g.out_w;
    let mut cols = vec![0.0f32; g.channels * g.kernel_h * g.kernel_w * pixels];
    let mut row = 0;
    for c in 0..g.channels {
        for ky in 0..g.kernel_h {
            for kx in 0..g.kernel_w {
                let dst = &mut cols[row * pixels..(row + 1) * pixels];
                for oy in 0..g.out_h {
                    let Some(iy) = g.source_y(oy, ky) else { continue };
                    let src = &x[(c * g.height + iy) * g.width..(c * g.height + iy + 1) * g.width];
                    let dst_row = &mut dst[oy * g.out_w..(oy + 1) * g.out_w];
                    if g.stride == 1 && g.padding == 0 {
                        dst_row.copy_from_slice(&src[kx..kx + g.out_w]);
                    } else {
                        for (ox, d) in dst_row.iter_mut().enumerate() {
                            if let Some(ix) = g.source_x(ox, kx) {
                                *d = src[ix];
                            }
                        }
                    }
                }
                row += 1;
            }
        }
    }
    Array2::from_shape_vec((g.channels * g.kernel_h * g.kernel_w, pixels), cols)
        .expect("length matches the shape")
}

/// Adds every entry of `cols` back onto the input pixel it was copied from: the adjoint of
/// [`im2col`].
fn col2im(conv: &Conv2d, input_shape: (usize, usize, usize), cols: &Array2<f32>) -> Array3<f32> {
    let g = Geometry::new(conv, input_shape);
    let pixels = g.out_h * g.out_w;
    let cols = cols.as_standard_layout();
    let cols = cols.as_slice().expect("standard layout is contiguous");
    let mut dx = vec![0.0f32; g.channels * g.height * g.width];
    let mut row = 0;
    for c in 0..g.channels {
        for ky in 0..g.kernel_h {
            for kx in 0..g.kernel_w {
                let src = &cols[row * pixels..(row + 1) * pixels];
                for oy in 0..g.out_h {
                    let Some(iy) = g.source_y(oy, ky) else { continue };
                    let base = (c * g.height + iy) * g.width;
                    let src_row = &src[oy * g.out_w..(oy + 1) * g.out_w];
                    if g.stride == 1 && g.padding == 0 {
                        for (d, s) in dx[base + kx..base + kx + g.out_w].iter_mut().zip(src_row) {
                            *d += s;
                        }
                    } else {
                        for (ox, s) in src_row.iter().enumerate() {
                            if let Some(ix) = g.source_x(ox, kx) {
                                dx[base + ix] += s;
                            }
                        }
                    }
                }
                row += 1;
            }
        }
    }
    Array3::from_shape_vec(input_shape, dx).expect("length matches the shape")
}

/// The weight as a `[C_out, C_in·kh·kw]` matrix.
fn weight_matrix(conv: &Conv2d) -> ArrayView2<'_, f32> {
    let (out_c, in_c, kh, kw) = conv.weight.dim();
    conv.weight
        .view()
        .into_shape_with_order((out_c, in_c * kh * kw))
        .expect("weights are stored in standard layout")
}

/// Convolution forward from precomputed `cols`.
///
/// # Shapes
/// `cols` from [`im2col`] on an input `[C, H, W]`; returns `[C_out, H', W']`.
pub fn forward(conv: &Conv2d, cols: &Array2<f32>, out_h: usize, out_w: usize) -> Array3<f32> {
    let out_c = conv.weight.dim().0;
    let mut out = Array2::<f32>::zeros((out_c, cols.ncols()));
    for (mut row, &b) in out.axis_iter_mut(Axis(0)).zip(conv.bias.iter()) {
        row.fill(b);
    }
    let weight = owned_standard(conv);
    general_mat_mul(1.0, &weight_matrix(&weight), cols, 1.0, &mut out);
    out.into_shape_with_order((out_c, out_h, out_w))
        .expect("length matches the shape")
}

/// Output height and width of `conv` on an input `[C, H, W]`.
pub fn output_size(conv: &Conv2d, input_shape: (usize, usize, usize)) -> (usize, usize) {
    let g = Geometry::new(conv, input_shape);
    (g.out_h, g.out_w)
}

/// A copy of `conv` whose weight is in standard layout (a no-op clone-free path is not worth
/// the complexity: weights are tiny next to activations).
fn owned_standard(conv: &Conv2d) -> Conv2d {
    if conv.weight.is_standard_layout() {
        conv.clone()
    } else {
        Conv2d {
            weight: conv.weight.as_standard_layout().into_owned(),
            ..conv.clone()
        }
    }
}

/// Gradients of one convolution.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvGradients {
    /// `∂L/∂weight`, `[C_out, C_in, kh, kw]`.
    pub weight: Array4<f32>,
    /// `∂L/∂bias`, `[C_out]`.
    pub bias: Array1<f32>,
    /// `∂L/∂input`, `[C_in, H, W]`, when asked for (the first layer does not need it).
    pub input: Option<Array3<f32>>,
}

/// Convolution backward.
///
/// # Shapes
/// `cols` as given to [`forward`], `dy`: `[C_out, H', W']`, `input_shape`: `(C_in, H, W)`.
pub fn backward(
    conv: &Conv2d,
    input_shape: (usize, usize, usize),
    cols: &Array2<f32>,
    dy: &Array3<f32>,
    want_input_gradient: bool,
) -> ConvGradients {
    let conv = owned_standard(conv);
    let (out_c, in_c, kh, kw) = conv.weight.dim();
    let dy = dy.as_standard_layout();
    let dy = dy
        .view()
        .into_shape_with_order((out_c, cols.ncols()))
        .expect("standard layout");
    let mut dw = Array2::<f32>::zeros((out_c, in_c * kh * kw));
    general_mat_mul(1.0, &dy, &cols.t(), 0.0, &mut dw);
    let bias = dy.sum_axis(Axis(1));
    let input = want_input_gradient.then(|| {
        let mut dcols = Array2::<f32>::zeros(cols.dim());
        general_mat_mul(1.0, &weight_matrix(&conv).t(), &dy, 0.0, &mut dcols);
        col2im(&conv, input_shape, &dcols)
    });
    ConvGradients {
        weight: dw
            .into_shape_with_order((out_c, in_c, kh, kw))
            .expect("length matches the shape"),
        bias,
        input,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use models::network::conv2d;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random_conv(
        rng: &mut ChaCha8Rng,
        shape: (usize, usize, usize, usize),
        stride: usize,
        padding: usize,
    ) -> Conv2d {
        Conv2d {
            weight: Array4::from_shape_fn(shape, |_| rng.random_range(-1.0..1.0)),
            bias: Array1::from_shape_fn(shape.0, |_| rng.random_range(-1.0..1.0)),
            stride,
            padding,
        }
    }

    #[test]
    fn im2col_forward_matches_the_reference_convolution() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for (stride, padding, k) in [(1, 0, 3), (2, 1, 3), (1, 2, 5), (3, 0, 2)] {
            let conv = random_conv(&mut rng, (4, 3, k, k), stride, padding);
            let x = Array3::from_shape_fn((3, 11, 9), |_| rng.random_range(-1.0..1.0));
            let (oh, ow) = output_size(&conv, x.dim());
            let ours = forward(&conv, &im2col(&conv, &x), oh, ow);
            let reference = conv2d(&conv, &x);
            assert_eq!(ours.dim(), reference.dim());
            for (a, b) in ours.iter().zip(reference.iter()) {
                assert!(
                    (a - b).abs() < 1e-4,
                    "stride {stride} padding {padding}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        // <im2col(x), c> == <x, col2im(c)> for every x, c: the defining property of the backward.
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let conv = random_conv(&mut rng, (2, 2, 3, 3), 2, 1);
        let x = Array3::from_shape_fn((2, 7, 8), |_| rng.random_range(-1.0..1.0));
        let cols = im2col(&conv, &x);
        let c = Array2::from_shape_fn(cols.dim(), |_| rng.random_range(-1.0..1.0));
        let left: f64 = cols.iter().zip(c.iter()).map(|(a, b)| f64::from(a * b)).sum();
        let back = col2im(&conv, x.dim(), &c);
        let right: f64 = x.iter().zip(back.iter()).map(|(a, b)| f64::from(a * b)).sum();
        assert!((left - right).abs() < 1e-3, "{left} vs {right}");
    }
}

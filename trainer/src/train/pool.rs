//! Max pooling that remembers where each window's maximum came from, so the backward pass can
//! route the gradient to exactly that input pixel.

use ndarray::Array3;

use models::layers::MaxPool2d;

/// The pooled output and, per output value, the flat index of the input pixel that won.
#[derive(Debug, Clone, PartialEq)]
pub struct Pooled {
    /// `[C, H', W']`.
    pub output: Array3<f32>,
    /// Flat (standard-layout) index into the input for every output value, same order.
    pub winners: Vec<usize>,
}

/// Max pooling forward. Ties go to the first maximum in row-major window order, like the
/// product's forward pass, which returns the same value.
///
/// # Shapes
/// `[C, H, W]` → `[C, (H−k)/s+1, (W−k)/s+1]`.
pub fn forward(pool: &MaxPool2d, x: &Array3<f32>) -> Pooled {
    let (c, h, w) = x.dim();
    let oh = (h - pool.kernel) / pool.stride + 1;
    let ow = (w - pool.kernel) / pool.stride + 1;
    let x = x.as_standard_layout();
    let xs = x.as_slice().expect("standard layout is contiguous");
    let mut output = Vec::with_capacity(c * oh * ow);
    let mut winners = Vec::with_capacity(c * oh * ow);
    for ch in 0..c {
        for oy in 0..oh {
            for ox in 0..ow {
                let mut best = (ch * h + oy * pool.stride) * w + ox * pool.stride;
                for ky in 0..pool.kernel {
                    let row = (ch * h + oy * pool.stride + ky) * w + ox * pool.stride;
                    for i in row..row + pool.kernel {
                        if xs[i] > xs[best] {
                            best = i;
                        }
                    }
                }
                output.push(xs[best]);
                winners.push(best);
            }
        }
    }
    Pooled {
        output: Array3::from_shape_vec((c, oh, ow), output).expect("length matches the shape"),
        winners,
    }
}

/// Max pooling backward: each output gradient goes to its window's winner (overlapping
/// windows that share a winner add up).
///
/// # Shapes
/// `dy`: `[C, H', W']` as the output; returns `[C, H, W]` as `input_shape`.
pub fn backward(input_shape: (usize, usize, usize), winners: &[usize], dy: &Array3<f32>) -> Array3<f32> {
    let mut dx = Array3::<f32>::zeros(input_shape);
    let dxs = dx.as_slice_mut().expect("fresh arrays are contiguous");
    for (&winner, &g) in winners.iter().zip(dy.iter()) {
        dxs[winner] += g;
    }
    dx
}

#[cfg(test)]
mod tests {
    use super::*;
    use models::network::max_pool2d;

    #[test]
    fn forward_matches_the_reference_and_backward_routes_to_the_winner() {
        let x = Array3::from_shape_fn((2, 5, 5), |(c, y, x)| ((c * 31 + y * 7 + x * 13) % 17) as f32);
        let pool = MaxPool2d { kernel: 2, stride: 2 };
        let pooled = forward(&pool, &x);
        assert_eq!(pooled.output, max_pool2d(&pool, &x));
        let dy = Array3::from_elem(pooled.output.dim(), 1.0);
        let dx = backward(x.dim(), &pooled.winners, &dy);
        assert_eq!(dx.sum(), pooled.output.len() as f32);
        for (&w, &v) in pooled.winners.iter().zip(pooled.output.iter()) {
            assert_eq!(x.as_slice().unwrap()[w], v);
            assert_eq!(dx.as_slice().unwrap()[w], 1.0);
        }
    }
}

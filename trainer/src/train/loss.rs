//! Softmax followed by cross-entropy, fused: stable for large logits and with the simple
//! gradient `softmax(z) − onehot(label)`.

use ndarray::Array1;

/// Cross-entropy of `softmax(logits)` against `label`, and its gradient with respect to the
/// logits.
///
/// # Shapes
/// `logits`: `[classes]`; `label < classes`.
pub fn softmax_cross_entropy(logits: &Array1<f32>, label: usize) -> (f32, Array1<f32>) {
    let max = logits.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    let exps = logits.mapv(|z| (z - max).exp());
    let sum = exps.sum();
    let loss = sum.ln() - (logits[label] - max);
    let mut gradient = exps / sum;
    gradient[label] -= 1.0;
    (loss, gradient)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn uniform_logits_give_log_of_class_count() {
        let (loss, gradient) = softmax_cross_entropy(&Array1::zeros(10), 3);
        assert!((loss - 10f32.ln()).abs() < 1e-6);
        assert!((gradient[3] + 0.9).abs() < 1e-6);
        assert!((gradient[0] - 0.1).abs() < 1e-6);
    }

    #[test]
    fn huge_logits_stay_finite() {
        let (loss, gradient) = softmax_cross_entropy(&array![1000.0, -1000.0, 0.0], 1);
        assert!((loss - 2000.0).abs() < 1e-2);
        assert!(gradient.iter().all(|g| g.is_finite()));
    }
}

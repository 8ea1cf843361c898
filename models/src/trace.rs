//! Every layer's output from one forward pass: what the overview and explanation views read.

use ndarray::{Array1, Array3, ArrayD, ArrayViewD};

/// The input and each layer's output, in network order.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The input tensor, `[C, H, W]`, values in `[0, 1]`.
    pub input: Array3<f32>,
    /// `outputs[i]` is the output of layer `i`; shapes as [`crate::Network::output_shapes`].
    pub outputs: Vec<ArrayD<f32>>,
}

impl Trace {
    /// The last layer's output as a vector (class probabilities for a classifier ending in softmax).
    pub fn final_output(&self) -> Array1<f32> {
        let last = self.outputs.last().expect("a network has at least one layer");
        Array1::from_iter(last.iter().copied())
    }

    /// Index of the largest final output: the predicted class.
    pub fn predicted_class(&self) -> usize {
        let out = self.final_output();
        let mut best = 0;
        for (i, &v) in out.iter().enumerate() {
            if v > out[best] {
                best = i;
            }
        }
        best
    }

    /// The tensor layer `index` reads: the input for layer 0, else the previous layer's output.
    ///
    /// # Shapes
    /// As [`crate::Network::input_shape_of`]`(index)`. Panics if `index` is not a layer.
    pub fn layer_input(&self, index: usize) -> ArrayViewD<'_, f32> {
        if index == 0 {
            self.input.view().into_dyn()
        } else {
            self.outputs[index - 1].view()
        }
    }

    /// The sum of each layer's output, in layer order: a cheap digest of the whole trace.
    ///
    /// Accumulated in `f64`, so the result depends little on summation order; native and wasm
    /// builds still differ in the last bits, so compare digests with a relative tolerance.
    pub fn layer_sums(&self) -> Vec<f32> {
        self.outputs
            .iter()
            .map(|output| output.iter().map(|&v| f64::from(v)).sum::<f64>() as f32)
            .collect()
    }
}

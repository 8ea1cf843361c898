//! What one forward pass of a network costs, and the most a model from outside may cost.
//!
//! Why: an instructor's laptop loads models it did not make (issue 14: "bring your own network"),
//! and every student's browser then runs them. A file that passes every shape check can still
//! ask for gigabytes of activations or minutes of arithmetic; the budget refuses it up front, with
//! a sentence naming the layer that crosses the line, before anything is allocated.

use crate::error::ModelError;
use crate::layers::Layer;
use crate::network::Network;

/// What one forward pass of a network needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    /// Trainable parameters (weights and biases).
    pub parameters: usize,
    /// Values of every layer's output, all kept (the trace the views show).
    pub activation_values: usize,
    /// Multiply-adds of the convolutions and dense layers.
    pub multiply_adds: u64,
}

/// The most a loaded model may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Largest weights file, in bytes.
    pub max_file_bytes: u64,
    /// Largest number of trainable parameters.
    pub max_parameters: usize,
    /// Largest number of activation values kept by one pass (4 bytes each).
    pub max_activation_values: usize,
    /// Largest number of multiply-adds in one pass.
    pub max_multiply_adds: u64,
}

impl Budget {
    /// For teaching networks on ordinary laptops and phones: a VGG-like network of 64 channels on
    /// 128×128 colour pictures fits (≈ 0.6 G multiply-adds, ≈ 50 ms in WebAssembly; 6 M values);
    /// a pass never needs more than 64 MB of activations or about a tenth of a second.
    pub const TEACHING: Budget = Budget {
        max_file_bytes: 64 * 1024 * 1024,
        max_parameters: 8_000_000,
        max_activation_values: 16 * 1024 * 1024,
        max_multiply_adds: 1_000_000_000,
    };

    /// Refuses a weights file larger than the budget, before it is parsed.
    pub fn check_file(&self, bytes: u64) -> Result<(), ModelError> {
        if bytes > self.max_file_bytes {
            return Err(ModelError::OverBudget(format!(
                "the weights file has {} bytes, more than the {} this program accepts; a teaching \
                 network is far smaller, so check that this is the right file",
                thousands(bytes),
                thousands(self.max_file_bytes)
            )));
        }
        Ok(())
    }

    /// Refuses `network` if one pass costs more than the budget, naming the first layer at which
    /// a running total crosses its limit.
    pub fn check(&self, network: &Network) -> Result<Cost, ModelError> {
        let mut total = Cost::default();
        for (index, named) in network.layers().iter().enumerate() {
            let layer = layer_cost(&named.layer, network.output_shapes()[index].iter().product());
            total.parameters += layer.parameters;
            total.activation_values += layer.activation_values;
            total.multiply_adds += layer.multiply_adds;
            let at = || format!("at layer {index} ({} {})", named.layer.pytorch_name(), named.name);
            if total.parameters > self.max_parameters {
                return Err(ModelError::OverBudget(format!(
                    "the network has more than {} parameters ({} {}); make it smaller",
                    thousands(self.max_parameters as u64),
                    thousands(total.parameters as u64),
                    at()
                )));
            }
            if total.activation_values > self.max_activation_values {
                return Err(ModelError::OverBudget(format!(
                    "one pass would keep {} activation values {}, more than the {} a student's \
                     browser is asked to hold; use smaller pictures, fewer channels or an earlier pooling",
                    thousands(total.activation_values as u64),
                    at(),
                    thousands(self.max_activation_values as u64)
                )));
            }
            if total.multiply_adds > self.max_multiply_adds {
                return Err(ModelError::OverBudget(format!(
                    "one pass would take {} multiply-adds {}, more than the {} a student's laptop \
                     is asked to compute; use smaller pictures, fewer channels or a larger stride",
                    thousands(total.multiply_adds),
                    at(),
                    thousands(self.max_multiply_adds)
                )));
            }
        }
        Ok(total)
    }
}

/// Smallest and largest input side the classroom shows (square pictures).
pub const TEACHABLE_SIDES: std::ops::RangeInclusive<usize> = 28..=128;
/// Most feature maps one layer may have (the overview shows every map).
pub const MAX_TEACHABLE_CHANNELS: usize = 64;
/// Most units of a dense layer.
pub const MAX_TEACHABLE_UNITS: usize = 1024;
/// Fewest and most classes.
pub const TEACHABLE_CLASSES: std::ops::RangeInclusive<usize> = 2..=100;
/// Longest class name, in characters.
pub const MAX_CLASS_NAME_CHARS: usize = 40;

/// Refuses a network the classroom cannot show well, with a sentence saying what to change:
/// pictures of 1 or 3 channels and a square side in [`TEACHABLE_SIDES`], at most
/// [`MAX_TEACHABLE_CHANNELS`] maps per layer and [`MAX_TEACHABLE_UNITS`] per dense layer, and
/// [`TEACHABLE_CLASSES`] named classes.
pub fn check_teachable(network: &Network) -> Result<(), ModelError> {
    let refuse = |reason: String| Err(ModelError::Load(reason));
    let [channels, height, width] = network.input_shape();
    if channels != 1 && channels != 3 {
        return refuse(format!(
            "the network reads pictures of {channels} channels; the classroom shows greyscale (1) or colour (3) pictures"
        ));
    }
    if height != width || !TEACHABLE_SIDES.contains(&height) {
        return refuse(format!(
            "the network reads {height}×{width} pictures; the classroom shows square pictures of {} to {} pixels",
            TEACHABLE_SIDES.start(),
            TEACHABLE_SIDES.end()
        ));
    }
    for (index, (named, shape)) in network.layers().iter().zip(network.output_shapes()).enumerate() {
        let kind = named.layer.pytorch_name();
        match (&named.layer, shape.as_slice()) {
            (_, [maps, _, _]) if *maps > MAX_TEACHABLE_CHANNELS => {
                return refuse(format!(
                    "layer {index} ({kind} {}) has {maps} feature maps; the overview shows at most {MAX_TEACHABLE_CHANNELS} per layer",
                    named.name
                ));
            }
            (Layer::Linear(_), [units]) if *units > MAX_TEACHABLE_UNITS => {
                return refuse(format!(
                    "layer {index} ({kind} {}) has {units} units; the classroom shows dense layers of at most {MAX_TEACHABLE_UNITS}",
                    named.name
                ));
            }
            _ => {}
        }
    }
    let classes = network.class_names();
    if !TEACHABLE_CLASSES.contains(&classes.len()) {
        return refuse(format!(
            "the network names {} classes; the classroom shows {} to {}",
            classes.len(),
            TEACHABLE_CLASSES.start(),
            TEACHABLE_CLASSES.end()
        ));
    }
    if let Some(name) = classes.iter().find(|n| {
        n.trim().is_empty() || n.chars().count() > MAX_CLASS_NAME_CHARS || n.chars().any(char::is_control)
    }) {
        return refuse(format!(
            "the class name {name:?} is empty, has control characters or is longer than {MAX_CLASS_NAME_CHARS} characters; rename it in the manifest"
        ));
    }
    Ok(())
}

/// The cost of one layer producing `outputs` values.
fn layer_cost(layer: &Layer, outputs: usize) -> Cost {
    let multiply_adds = match layer {
        // Each output value: in_channels × k × k products.
        Layer::Conv2d(c) => {
            let [_, in_c, kh, kw] = *c.weight.shape() else {
                unreachable!("Array4 has 4 axes")
            };
            (outputs * in_c * kh * kw) as u64
        }
        Layer::Linear(l) => l.weight.len() as u64,
        _ => 0,
    };
    Cost {
        parameters: layer.parameter_count(),
        activation_values: outputs,
        multiply_adds,
    }
}

/// `1234567` as `1,234,567`: limits read in sentences.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::tiny_vgg;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_690), "1,690");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn tiny_vgg_costs_what_its_layers_say() {
        let cost = Budget::TEACHING
            .check(tiny_vgg())
            .expect("the built-in model fits");
        assert_eq!(cost.parameters, 19_920);
        // conv_1_1: 62·62·10 outputs × 3·3·3; conv_1_2: 60·60·10 × 10·9;
        // conv_2_1: 28·28·10 × 90; conv_2_2: 26·26·10 × 90; output: 10 × 1,690.
        let expected = 62 * 62 * 10 * 27 + 60 * 60 * 10 * 90 + 28 * 28 * 10 * 90 + 26 * 26 * 10 * 90 + 16_900;
        assert_eq!(cost.multiply_adds, expected as u64);
        let values: usize = tiny_vgg()
            .output_shapes()
            .iter()
            .map(|s| s.iter().product::<usize>())
            .sum();
        assert_eq!(cost.activation_values, values);
    }

    #[test]
    fn each_limit_names_the_layer_that_crosses_it() {
        let network = tiny_vgg();
        let parameters = Budget {
            max_parameters: 1_000,
            ..Budget::TEACHING
        };
        let message = parameters.check(network).unwrap_err().to_string();
        assert!(message.contains("more than 1,000 parameters"), "{message}");
        assert!(message.contains("layer 2 (Conv2d conv_1_2)"), "{message}");

        let activations = Budget {
            max_activation_values: 50_000,
            ..Budget::TEACHING
        };
        let message = activations.check(network).unwrap_err().to_string();
        assert!(message.contains("layer 1 (ReLU relu_1_1)"), "{message}");

        let arithmetic = Budget {
            max_multiply_adds: 1_000_000,
            ..Budget::TEACHING
        };
        let message = arithmetic.check(network).unwrap_err().to_string();
        // conv_1_1 alone: 62·62·10 × 27 = 1,037,880.
        assert!(
            message.contains("1,037,880 multiply-adds at layer 0 (Conv2d conv_1_1)"),
            "{message}"
        );
        assert!(message.contains("1,000,000"), "{message}");

        assert!(Budget::TEACHING.check_file(64 * 1024 * 1024).is_ok());
        let message = Budget::TEACHING
            .check_file(64 * 1024 * 1024 + 1)
            .unwrap_err()
            .to_string();
        assert!(message.contains("67,108,865 bytes"), "{message}");
    }
}

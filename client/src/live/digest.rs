//! Checks that the trace this browser computed from the instructor's image agrees with the
//! server's (its prediction and per-layer sums), so a student never silently sees other numbers.

use std::fmt;

/// How far a layer sum may drift, relative to the layer's magnitude: native and wasm floating
/// point sum in different orders, which moves the last few bits.
pub const RELATIVE_TOLERANCE: f32 = 1e-3;

/// Why the local trace was not accepted.
#[derive(Debug, Clone, PartialEq)]
pub enum Disagreement {
    /// The network predicts a different class here than on the server.
    Prediction {
        /// The server's predicted class.
        server: u16,
        /// This browser's predicted class.
        local: u16,
    },
    /// The two traces have a different number of layers (a different model).
    LayerCount {
        /// Layers in the server's digest.
        server: usize,
        /// Layers in this browser's trace.
        local: usize,
    },
    /// A layer's sum is off by more than the tolerance.
    LayerSum {
        /// Index of the first layer that differs.
        layer: usize,
        /// The server's sum.
        server: f32,
        /// This browser's sum.
        local: f32,
    },
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const CONSEQUENCE: &str =
            "the numbers you see may differ from the instructor's. Reload the page to update.";
        match self {
            Self::Prediction { server, local } => write!(
                f,
                "This screen predicts class {local} but the lecture server predicts class {server}; {CONSEQUENCE}"
            ),
            Self::LayerCount { server, local } => write!(
                f,
                "This screen runs a different network ({local} layers) than the lecture server ({server} layers); {CONSEQUENCE}"
            ),
            Self::LayerSum { layer, server, local } => write!(
                f,
                "Layer {layer} sums to {local} here but to {server} on the lecture server; {CONSEQUENCE}"
            ),
        }
    }
}

impl std::error::Error for Disagreement {}

/// Compares the server's prediction and layer sums with this browser's.
pub fn check_digest(
    server_prediction: u16,
    server_sums: &[f32],
    local_prediction: u16,
    local_sums: &[f32],
) -> Result<(), Disagreement> {
    if server_sums.len() != local_sums.len() {
        return Err(Disagreement::LayerCount {
            server: server_sums.len(),
            local: local_sums.len(),
        });
    }
    for (layer, (&server, &local)) in server_sums.iter().zip(local_sums).enumerate() {
        let scale = server.abs().max(local.abs()).max(1.0);
        // Written so that a NaN on either side counts as a disagreement.
        let close = (server - local).abs() <= RELATIVE_TOLERANCE * scale;
        if !close {
            return Err(Disagreement::LayerSum { layer, server, local });
        }
    }
    if server_prediction != local_prediction {
        return Err(Disagreement::Prediction {
            server: server_prediction,
            local: local_prediction,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_digests_agree() {
        assert_eq!(
            check_digest(3, &[1.0, -250.5, 0.0], 3, &[1.0, -250.5, 0.0]),
            Ok(())
        );
    }

    #[test]
    fn rounding_noise_is_tolerated() {
        assert_eq!(check_digest(1, &[10_000.0, 0.3], 1, &[10_000.5, 0.3002]), Ok(()));
    }

    #[test]
    fn a_different_layer_sum_is_reported() {
        let result = check_digest(1, &[10.0, 20.0], 1, &[10.0, 21.0]);
        assert_eq!(
            result,
            Err(Disagreement::LayerSum {
                layer: 1,
                server: 20.0,
                local: 21.0
            })
        );
        assert!(result.unwrap_err().to_string().contains("Reload the page"));
    }

    #[test]
    fn nan_never_agrees() {
        assert!(check_digest(0, &[1.0], 0, &[f32::NAN]).is_err());
    }

    #[test]
    fn a_different_prediction_is_reported() {
        assert_eq!(
            check_digest(2, &[1.0], 5, &[1.0]),
            Err(Disagreement::Prediction { server: 2, local: 5 })
        );
    }

    #[test]
    fn a_different_model_is_reported() {
        assert!(matches!(
            check_digest(0, &[1.0, 2.0], 0, &[1.0]),
            Err(Disagreement::LayerCount { server: 2, local: 1 })
        ));
    }
}

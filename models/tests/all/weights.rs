//! Saving and loading: round trips, and every kind of broken file gives a clear error, never a panic.

use crate::common;

use models::ModelError;
use models::builtin::{tiny_vgg, tiny_vgg_untrained};
use models::weights::{load, load_dir, save};
use safetensors::{Dtype, tensor::TensorView};

/// The message of a `ModelError::Load`; any other outcome fails the test.
fn is_load_error(result: Result<models::Network, ModelError>) -> String {
    match result {
        Err(ModelError::Load(message)) => message,
        Err(other) => panic!("expected a load error, got {other:?}"),
        Ok(_) => panic!("a broken model loaded"),
    }
}

#[test]
fn save_then_load_gives_the_same_network() {
    let network = tiny_vgg_untrained(7);
    let (manifest, tensors) = save(&network);
    assert_eq!(load(manifest.as_bytes(), &tensors).unwrap(), network);
    let mut rng = common::rng(1);
    for (k, s, p) in [(1, 1, 0), (5, 2, 2), (3, 2, 1)] {
        let random = common::random_network(&mut rng, k, s, p);
        let (manifest, tensors) = save(&random);
        assert_eq!(load(manifest.as_bytes(), &tensors).unwrap(), random);
    }
}

#[test]
fn untrained_init_is_reproducible_and_seed_dependent() {
    assert_eq!(tiny_vgg_untrained(3), tiny_vgg_untrained(3));
    assert_ne!(tiny_vgg_untrained(3), tiny_vgg_untrained(4));
    assert_eq!(tiny_vgg_untrained(0).parameter_count(), 19_920);
}

#[test]
fn builtin_model_loads_with_the_promised_layout() {
    let network = tiny_vgg();
    let names: Vec<&str> = network.layers().iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "conv_1_1",
            "relu_1_1",
            "conv_1_2",
            "relu_1_2",
            "max_pool_1",
            "conv_2_1",
            "relu_2_1",
            "conv_2_2",
            "relu_2_2",
            "max_pool_2",
            "flatten",
            "output",
            "softmax"
        ]
    );
    assert_eq!(network.input_shape(), [3, 64, 64]);
    assert_eq!(network.output_shapes()[10], vec![1690]);
    assert_eq!(network.class_names()[9], "Ankle boot");
    assert_eq!(network.parameter_count(), 19_920);
}

#[test]
fn every_truncation_of_the_weights_is_an_error() {
    let mut rng = common::rng(2);
    let network = common::random_network(&mut rng, 1, 1, 0);
    let (manifest, tensors) = save(&network);
    for len in 0..tensors.len() {
        let message = is_load_error(load(manifest.as_bytes(), &tensors[..len]));
        assert!(!message.is_empty(), "truncated to {len}");
    }
}

#[test]
fn every_truncation_of_the_manifest_is_an_error() {
    let (manifest, tensors) = save(&tiny_vgg_untrained(0));
    for len in 0..manifest.len() {
        let message = is_load_error(load(&manifest.as_bytes()[..len], &tensors));
        assert!(message.contains("manifest"), "truncated to {len}: {message}");
    }
}

/// Re-serialises the weights of `network` after `edit` changes the tensor list.
fn edited_tensors(edit: impl FnOnce(&mut Vec<(String, Dtype, Vec<usize>, Vec<u8>)>)) -> (String, Vec<u8>) {
    let network = tiny_vgg_untrained(0);
    let (manifest, bytes) = save(&network);
    let parsed = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut list: Vec<_> = parsed
        .tensors()
        .into_iter()
        .map(|(name, view)| (name, view.dtype(), view.shape().to_vec(), view.data().to_vec()))
        .collect();
    edit(&mut list);
    let views = list.iter().map(|(name, dtype, shape, data)| {
        (
            name.clone(),
            TensorView::new(*dtype, shape.clone(), data).unwrap(),
        )
    });
    (manifest, safetensors::serialize(views, None).unwrap())
}

#[test]
fn missing_tensor_is_named() {
    let (manifest, bytes) = edited_tensors(|list| list.retain(|t| t.0 != "conv_2_1.bias"));
    let message = is_load_error(load(manifest.as_bytes(), &bytes));
    assert!(message.contains("conv_2_1.bias"), "{message}");
}

#[test]
fn extra_tensor_is_named() {
    let (manifest, bytes) = edited_tensors(|list| {
        list.push(("stray.weight".into(), Dtype::F32, vec![2], vec![0; 8]));
    });
    let message = is_load_error(load(manifest.as_bytes(), &bytes));
    assert!(message.contains("stray.weight"), "{message}");
}

#[test]
fn wrong_dtype_is_named() {
    let (manifest, bytes) = edited_tensors(|list| {
        let bias = list.iter_mut().find(|t| t.0 == "output.bias").unwrap();
        bias.1 = Dtype::F16;
        bias.3.truncate(20);
    });
    let message = is_load_error(load(manifest.as_bytes(), &bytes));
    assert!(
        message.contains("output.bias") && message.contains("F32"),
        "{message}"
    );
}

#[test]
fn wrong_shapes_are_errors() {
    // Linear weight with the wrong input size.
    let (manifest, bytes) = edited_tensors(|list| {
        let w = list.iter_mut().find(|t| t.0 == "output.weight").unwrap();
        w.2 = vec![10, 1024];
        w.3.truncate(10 * 1024 * 4);
    });
    let result = load(manifest.as_bytes(), &bytes);
    assert!(
        matches!(result, Err(ModelError::ShapeMismatch { .. })),
        "{result:?}"
    );
    // The sentence names the layer, its kind and both sizes, as the issue asks.
    assert_eq!(
        result.unwrap_err().to_string(),
        "layer 11 (Linear output) expects 1,024 inputs but the previous layer gives 1,690"
    );
    // Conv weight with the wrong rank.
    let (manifest, bytes) = edited_tensors(|list| {
        let w = list.iter_mut().find(|t| t.0 == "conv_1_1.weight").unwrap();
        w.2 = vec![10, 27];
    });
    let message = is_load_error(load(manifest.as_bytes(), &bytes));
    assert!(message.contains("conv_1_1.weight"), "{message}");
    // Conv kernel that disagrees with the manifest.
    let (manifest, bytes) = edited_tensors(|list| {
        let w = list.iter_mut().find(|t| t.0 == "conv_1_1.weight").unwrap();
        w.2 = vec![10, 3, 1, 9];
    });
    let message = is_load_error(load(manifest.as_bytes(), &bytes));
    assert!(message.contains("kernel"), "{message}");
    // Bias of the wrong length.
    let (manifest, bytes) = edited_tensors(|list| {
        let b = list.iter_mut().find(|t| t.0 == "conv_1_2.bias").unwrap();
        b.2 = vec![9];
        b.3.truncate(36);
    });
    assert!(matches!(
        load(manifest.as_bytes(), &bytes),
        Err(ModelError::InvalidLayer { .. })
    ));
}

#[test]
fn non_finite_weights_are_rejected() {
    let (manifest, bytes) = edited_tensors(|list| {
        let b = list.iter_mut().find(|t| t.0 == "output.bias").unwrap();
        b.3[..4].copy_from_slice(&f32::NAN.to_le_bytes());
    });
    let message = is_load_error(load(manifest.as_bytes(), &bytes));
    assert!(message.contains("NaN"), "{message}");
}

#[test]
fn bad_manifests_are_errors() {
    let (manifest, bytes) = save(&tiny_vgg_untrained(0));
    let edit = |from: &str, to: &str| {
        assert!(manifest.contains(from), "{from}");
        is_load_error(load(manifest.replacen(from, to, 1).as_bytes(), &bytes))
    };
    assert!(edit("\"version\": 1", "\"version\": 2").contains("version"));
    assert!(edit("cnn-classroom-model", "keras").contains("format"));
    assert!(edit("\"kind\": \"relu\"", "\"kind\": \"gelu\"").contains("manifest"));
    assert!(edit("\"kind\": \"relu\"", "\"kind\": \"relu\", \"kernel\": 2").contains("relu_1_1"));
    assert!(edit("\"stride\": 1", "\"stride\": 0").contains("stride"));
    assert!(edit("\"padding\": 0", "\"padding\": 18446744073709551615").contains("padding"));
    assert!(edit("\"name\": \"relu_1_2\"", "\"name\": \"relu_1_1\"").contains("twice"));
    assert!(edit("    64,\n    64", "    100000,\n    64").contains("input shape"));
    assert!(edit("\"name\": \"relu_1_1\"", "\"name\": \"relu_1_1\", \"colour\": 1").contains("manifest"));
    assert!(is_load_error(load(b"[]", &bytes)).contains("manifest"));
    assert!(is_load_error(load(&[0xff, 0xfe], &bytes)).contains("manifest"));
}

#[test]
fn load_dir_finds_the_pair_and_explains_what_is_missing() {
    let dir = std::env::temp_dir().join(format!("models-load-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = load_dir(&dir);
    assert!(is_load_error(empty).contains("no model"));
    let network = tiny_vgg_untrained(5);
    let (manifest, bytes) = save(&network);
    std::fs::write(dir.join("m.json"), manifest).unwrap();
    std::fs::write(dir.join("m.safetensors"), bytes).unwrap();
    assert_eq!(load_dir(&dir).unwrap(), network);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(is_load_error(load_dir(&dir)).contains("cannot read"));
}

#[test]
fn shape_errors_are_sentences_about_the_layer_and_the_picture() {
    let network = tiny_vgg();
    let (manifest, tensors) = save(network);
    let with_input = |shape: [usize; 3]| {
        let mut json: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        json["input_shape"] = serde_json::json!(shape);
        json.to_string()
    };
    // The manifest says greyscale 64×64 pictures; conv_1_1's kernels read 3 channels.
    let grey = with_input([1, 64, 64]);
    let message = load(grey.as_bytes(), &tensors).unwrap_err().to_string();
    assert_eq!(
        message,
        "layer 0 (Conv2d conv_1_1) expects 3 input channels but the network's input is a 1×64×64 map (4,096 values)"
    );
    // 16×16 pictures: the maps shrink to 1×1, so the dense layer gets too few inputs.
    let message = load(with_input([3, 16, 16]).as_bytes(), &tensors)
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "layer 11 (Linear output) expects 1,690 inputs but the previous layer gives 10"
    );
    // 8×8 pictures: conv_2_1's kernel no longer fits its input.
    let message = load(with_input([3, 8, 8]).as_bytes(), &tensors)
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "layer 5 (Conv2d conv_2_1) has a 3×3 kernel, larger than its 2×2 input with padding 0"
    );
}

#[test]
fn a_model_over_the_budget_is_refused_before_it_is_used() {
    use models::budget::Budget;
    use models::weights::load_within;
    let (manifest, tensors) = save(tiny_vgg());
    let small = Budget {
        max_file_bytes: 1_000,
        ..Budget::TEACHING
    };
    let message = load_within(manifest.as_bytes(), &tensors, &small)
        .unwrap_err()
        .to_string();
    assert!(message.contains("80,448 bytes, more than the 1,000"), "{message}");
    let few = Budget {
        max_multiply_adds: 2_000_000,
        ..Budget::TEACHING
    };
    let message = load_within(manifest.as_bytes(), &tensors, &few)
        .unwrap_err()
        .to_string();
    assert!(message.contains("at layer 2 (Conv2d conv_1_2)"), "{message}");
    // The shipped model is well inside the teaching budget.
    assert!(load_within(manifest.as_bytes(), &tensors, &Budget::TEACHING).is_ok());
    // A manifest of many megabytes is refused before it is parsed.
    let huge = format!("{manifest}{}", " ".repeat(2 * 1024 * 1024));
    let message = is_load_error(load(huge.as_bytes(), &tensors));
    assert!(message.contains("manifest has 2,"), "{message}");
}

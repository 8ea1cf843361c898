//! The sample pictures the product ships (64×64 PNG, Fashion-MNIST test images, coloured), so
//! an instructor or a self-learner can start without uploading anything.

/// One shipped picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// File stem, e.g. `sneaker_2`; `shirt_misclassified` is a shirt the model gets wrong.
    pub name: &'static str,
    /// The true class (index into the model's class names).
    pub class_index: u16,
    /// PNG bytes of a 64×64 RGB picture.
    pub png: &'static [u8],
}

/// The dataset licence that must accompany the pictures (Fashion-MNIST, MIT, Zalando Research).
pub const NOTICE: &str = include_str!("../assets/samples/NOTICE");

macro_rules! sample {
    ($name:literal, $class:literal) => {
        Sample {
            name: $name,
            class_index: $class,
            png: include_bytes!(concat!("../assets/samples/", $name, ".png")),
        }
    };
}

/// Three correctly classified pictures per class, then one instructive mistake.
pub static SAMPLES: &[Sample] = &[
    sample!("t_shirt_top_1", 0),
    sample!("t_shirt_top_2", 0),
    sample!("t_shirt_top_3", 0),
    sample!("trouser_1", 1),
    sample!("trouser_2", 1),
    sample!("trouser_3", 1),
    sample!("pullover_1", 2),
    sample!("pullover_2", 2),
    sample!("pullover_3", 2),
    sample!("dress_1", 3),
    sample!("dress_2", 3),
    sample!("dress_3", 3),
    sample!("coat_1", 4),
    sample!("coat_2", 4),
    sample!("coat_3", 4),
    sample!("sandal_1", 5),
    sample!("sandal_2", 5),
    sample!("sandal_3", 5),
    sample!("shirt_1", 6),
    sample!("shirt_2", 6),
    sample!("shirt_3", 6),
    sample!("sneaker_1", 7),
    sample!("sneaker_2", 7),
    sample!("sneaker_3", 7),
    sample!("bag_1", 8),
    sample!("bag_2", 8),
    sample!("bag_3", 8),
    sample!("ankle_boot_1", 9),
    sample!("ankle_boot_2", 9),
    sample!("ankle_boot_3", 9),
    sample!("shirt_misclassified", 6),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::{FASHION_MNIST_CLASSES, TINY_VGG_INPUT_SIDE, tiny_vgg};
    use crate::preprocess;

    #[test]
    fn every_sample_is_a_64_pixel_png_and_every_class_has_three() {
        for sample in SAMPLES {
            let picture = image::load_from_memory_with_format(sample.png, image::ImageFormat::Png)
                .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", sample.name));
            assert_eq!((picture.width(), picture.height()), (64, 64), "{}", sample.name);
        }
        for class in 0..FASHION_MNIST_CLASSES.len() as u16 {
            assert!(
                SAMPLES.iter().filter(|s| s.class_index == class).count() >= 3,
                "class {class}"
            );
        }
        assert!(NOTICE.contains("Zalando") && NOTICE.contains("MIT"));
    }

    #[test]
    fn the_shipped_model_classifies_the_samples_as_labelled() {
        let network = tiny_vgg();
        for sample in SAMPLES {
            let input = preprocess::decode(sample.png, TINY_VGG_INPUT_SIDE)
                .unwrap()
                .to_tensor();
            let predicted = network.forward(&input).unwrap().predicted_class();
            let correct = predicted == usize::from(sample.class_index);
            assert_eq!(
                correct,
                !sample.name.ends_with("misclassified"),
                "{}",
                sample.name
            );
        }
    }
}

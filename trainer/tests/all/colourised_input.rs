//! The network input made from a dataset picture: deterministic per condition, in `[0, 1]`, and
//! identical to what the product's preprocessing makes of the exported PNG.

use std::path::Path;

use models::preprocess;
use trainer::conditions::Condition;
use trainer::dataset::{DEFAULT_DIR, FashionMnist, Split};
use trainer::evaluation::test_input;
use trainer::input;

#[test]
fn test_inputs_are_deterministic_coloured_and_in_range() {
    let test = FashionMnist::load(Path::new(DEFAULT_DIR), Split::Test).unwrap();
    for condition in [Condition::DarkOnLight, Condition::LightOnDark, Condition::Mixed] {
        for index in [0, 1, 4321, 9999] {
            let a = test_input(&test, index, condition);
            let b = test_input(&test, index, condition);
            assert_eq!(a, b, "image {index} is shown differently on a second call");
            assert_eq!(a.shape(), &[3, 64, 64]);
            assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
        }
        assert_ne!(test_input(&test, 0, condition), test_input(&test, 1, condition));
    }
    // Dark on light: the corners (background) are brighter than the centre (garment).
    let x = test_input(&test, 0, Condition::DarkOnLight);
    let brightness = |y: usize, x_: usize| (0..3).map(|c| x[[c, y, x_]]).sum::<f32>();
    assert!(
        brightness(0, 0) > brightness(40, 32),
        "image 0 is not dark on light"
    );
    let grey = test_input(&test, 0, Condition::Grey);
    assert!((0..3).all(|c| grey[[c, 0, 0]] == 0.0), "grey is white on black");
}

#[test]
fn a_png_of_the_canonical_picture_decodes_to_the_same_tensor() {
    let test = FashionMnist::load(Path::new(DEFAULT_DIR), Split::Test).unwrap();
    for condition in Condition::ALL {
        let canonical = input::canonical(test.image(3), &condition.appearance(3));
        let mut png = Vec::new();
        image::RgbImage::from_raw(64, 64, canonical.rgb.clone())
            .unwrap()
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let decoded = preprocess::decode(&png, 64).unwrap();
        assert_eq!(decoded, canonical, "{condition:?}");
    }
}

//! The network input made from a dataset picture: deterministic, coloured, in `[0, 1]`, and
//! identical to what the product's preprocessing makes of the exported PNG.

use std::path::Path;

use models::preprocess;
use trainer::colourise::Palette;
use trainer::dataset::{DEFAULT_DIR, FashionMnist, Split};
use trainer::evaluation::test_input;
use trainer::input;

#[test]
fn test_inputs_are_deterministic_coloured_and_in_range() {
    let test = FashionMnist::load(Path::new(DEFAULT_DIR), Split::Test).unwrap();
    for index in [0, 1, 4321, 9999] {
        let a = test_input(&test, index);
        let b = test_input(&test, index);
        assert_eq!(a, b, "image {index} is coloured differently on a second call");
        assert_eq!(a.shape(), &[3, 64, 64]);
        assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
        let channel_sums: Vec<f32> = (0..3).map(|c| a.index_axis(ndarray::Axis(0), c).sum()).collect();
        assert!(
            channel_sums[0] != channel_sums[1] || channel_sums[1] != channel_sums[2],
            "image {index} is grey: {channel_sums:?}"
        );
    }
    assert_ne!(test_input(&test, 0), test_input(&test, 1));
}

#[test]
fn a_png_of_the_canonical_picture_decodes_to_the_same_tensor() {
    let test = FashionMnist::load(Path::new(DEFAULT_DIR), Split::Test).unwrap();
    let canonical = input::canonical(test.image(3), &Palette::for_test_image(3), (1, -2));
    let mut png = Vec::new();
    image::RgbImage::from_raw(64, 64, canonical.rgb.clone())
        .unwrap()
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let decoded = preprocess::decode(&png, 64).unwrap();
    assert_eq!(decoded, canonical);
    assert_eq!(decoded.to_tensor(), canonical.to_tensor());
}

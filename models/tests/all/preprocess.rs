//! Preprocessing: real encoded files in, canonical square RGB out; bad bytes give clear errors.

use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use models::ModelError;
use models::preprocess::{CanonicalImage, decode, from_rgba};

fn encode(image: &RgbaImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    match format {
        // JPEG and BMP-as-RGB have no alpha channel.
        ImageFormat::Jpeg => image::DynamicImage::ImageRgba8(image.clone())
            .into_rgb8()
            .write_to(&mut bytes, format),
        _ => image.write_to(&mut bytes, format),
    }
    .unwrap();
    bytes.into_inner()
}

/// Left half red, right half blue.
fn halves(width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgba([255, 0, 0, 255])
        } else {
            Rgba([0, 0, 255, 255])
        }
    })
}

#[test]
fn every_supported_format_decodes_to_the_canonical_size() {
    let source = halves(80, 80);
    for format in [
        ImageFormat::Png,
        ImageFormat::Jpeg,
        ImageFormat::Gif,
        ImageFormat::WebP,
        ImageFormat::Bmp,
    ] {
        let image = decode(&encode(&source, format), 64).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!((image.side, image.rgb.len()), (64, 64 * 64 * 3), "{format:?}");
        // Far left is red and far right is blue in every format (JPEG is lossy: loose bounds).
        let left = &image.rgb[(32 * 64) * 3..(32 * 64) * 3 + 3];
        let right = &image.rgb[(32 * 64 + 63) * 3..(32 * 64 + 63) * 3 + 3];
        assert!(left[0] > 200 && left[2] < 60, "{format:?} left {left:?}");
        assert!(right[2] > 200 && right[0] < 60, "{format:?} right {right:?}");
    }
}

#[test]
fn a_tall_picture_keeps_its_full_height_and_is_padded_with_its_border_colour() {
    // 100×300: a dark "trouser" column from top to bottom on a pale blue background.
    let background = Rgba([200, 220, 255, 255]);
    let tall = RgbaImage::from_fn(100, 300, |x, _| {
        if (35..65).contains(&x) {
            Rgba([20, 20, 30, 255])
        } else {
            background
        }
    });
    let image = decode(&encode(&tall, ImageFormat::Png), 64).unwrap();
    let at = |x: usize, y: usize| &image.rgb[(y * 64 + x) * 3..(y * 64 + x) * 3 + 3];
    for y in [0, 1, 32, 62, 63] {
        assert_eq!(
            at(32, y),
            [20, 20, 30],
            "row {y}: the legs reach the top and the bottom"
        );
    }
    for x in [0, 5, 58, 63] {
        assert_eq!(
            at(x, 32),
            [200, 220, 255],
            "column {x}: padding takes the border colour"
        );
    }
}

#[test]
fn a_wide_picture_is_fitted_not_cropped() {
    // 300×100: red on the left third, green in the middle, blue on the right, black border line.
    let wide = RgbaImage::from_fn(300, 100, |x, y| match (x, y) {
        (_, 0) | (_, 99) => Rgba([0, 0, 0, 255]),
        (0..100, _) => Rgba([255, 0, 0, 255]),
        (100..200, _) => Rgba([0, 255, 0, 255]),
        _ => Rgba([0, 0, 255, 255]),
    });
    let image = decode(&encode(&wide, ImageFormat::Png), 64).unwrap();
    let at = |x: usize, y: usize| image.rgb[(y * 64 + x) * 3..(y * 64 + x) * 3 + 3].to_vec();
    assert_eq!(at(2, 32), [255, 0, 0], "the left third is kept");
    assert_eq!(at(32, 32), [0, 255, 0]);
    assert_eq!(at(61, 32), [0, 0, 255], "the right third is kept");
    assert_eq!(
        at(32, 2),
        [0, 0, 0],
        "above the picture: its dominant border colour"
    );
    assert_eq!(at(32, 61), [0, 0, 0]);
}

#[test]
fn a_huge_picture_is_shrunk_in_two_steps_to_the_same_colours() {
    let big = halves(4000, 3000);
    let image = from_rgba(4000, 3000, &big, 64).unwrap();
    let at = |x: usize, y: usize| image.rgb[(y * 64 + x) * 3..(y * 64 + x) * 3 + 3].to_vec();
    assert_eq!(at(3, 32), [255, 0, 0]);
    assert_eq!(at(60, 32), [0, 0, 255]);
}

#[test]
fn tiny_pictures_are_scaled_up() {
    for side in [1, 2, 7, 28, 63] {
        let image = decode(&encode(&halves(side, side), ImageFormat::Png), 64).unwrap();
        assert_eq!(image.rgb.len(), 64 * 64 * 3, "source side {side}");
    }
    let one = decode(
        &encode(
            &RgbaImage::from_pixel(1, 1, Rgba([10, 20, 30, 255])),
            ImageFormat::Png,
        ),
        64,
    )
    .unwrap();
    assert!(one.rgb.chunks(3).all(|p| p == [10, 20, 30]));
}

/// A 60×60 cut-out: a transparent border around an opaque disc of `colour`.
fn cut_out(colour: [u8; 3]) -> RgbaImage {
    RgbaImage::from_fn(60, 60, |x, y| {
        let (dx, dy) = (x as i32 - 30, y as i32 - 30);
        if dx * dx + dy * dy < 20 * 20 {
            Rgba([colour[0], colour[1], colour[2], 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    })
}

#[test]
fn a_transparent_cut_out_keeps_its_contrast_in_either_polarity() {
    for (garment, expected_fill) in [
        ([30, 20, 60], [255; 3]),
        ([250, 240, 200], [0; 3]),
        ([0, 0, 0], [255; 3]),
    ] {
        let png = encode(&cut_out(garment), ImageFormat::Png);
        let image = decode(&png, 64).unwrap();
        let corner = &image.rgb[..3];
        let centre = &image.rgb[(32 * 64 + 32) * 3..(32 * 64 + 32) * 3 + 3];
        assert_eq!(corner, expected_fill, "garment {garment:?}");
        assert_eq!(centre, garment, "garment {garment:?}");
    }
}

#[test]
fn transparency_inside_an_opaque_border_takes_the_border_colour() {
    let framed = RgbaImage::from_fn(20, 20, |x, y| {
        if (5..15).contains(&x) && (5..15).contains(&y) {
            Rgba([255, 255, 255, 0])
        } else {
            Rgba([10, 120, 40, 255])
        }
    });
    let image = from_rgba(20, 20, &framed, 20).unwrap();
    assert!(
        image.rgb.chunks(3).all(|p| p == [10, 120, 40]),
        "{:?}",
        &image.rgb[..6]
    );
    let clear = RgbaImage::from_pixel(10, 10, Rgba([0, 0, 0, 0]));
    let image = from_rgba(10, 10, &clear, 64).unwrap();
    assert!(image.rgb.iter().all(|&v| v == 255), "nothing opaque: white");
}

#[test]
fn tensor_is_channels_first_in_unit_range() {
    let mut source = RgbImage::from_pixel(4, 4, Rgb([0, 0, 0]));
    source.put_pixel(3, 1, Rgb([255, 51, 0]));
    let image = CanonicalImage::new(source.into_raw(), 4).unwrap();
    let tensor = image.to_tensor();
    assert_eq!(tensor.shape(), [3, 4, 4]);
    assert_eq!(tensor[[0, 1, 3]], 1.0);
    assert_eq!(tensor[[1, 1, 3]], 0.2);
    assert_eq!(tensor[[2, 1, 3]], 0.0);
    assert_eq!(tensor.sum(), 1.2);
}

#[test]
fn hash_names_the_exact_bytes() {
    let a = CanonicalImage::new(vec![1; 12], 2).unwrap();
    let mut b = a.clone();
    assert_eq!(a.hash(), b.hash());
    b.rgb[11] = 2;
    assert_ne!(a.hash(), b.hash());
    assert_eq!(a.hash(), *blake3::hash(&[1; 12]).as_bytes());
}

#[test]
fn bad_bytes_are_clear_errors() {
    let png = encode(&halves(40, 40), ImageFormat::Png);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("text", b"hello, this is not a picture".to_vec()),
        ("truncated png", png[..png.len() / 2].to_vec()),
        ("png header only", png[..8].to_vec()),
    ];
    for (what, bytes) in cases {
        match decode(&bytes, 64) {
            Err(ModelError::Image(message)) => assert!(message.len() > 20, "{what}: {message}"),
            other => panic!("{what}: {other:?}"),
        }
    }
    // Every truncation either fails cleanly or (when only the trailing end marker is cut) still
    // yields exactly the full picture; none panics.
    let full = decode(&png, 64).unwrap();
    for len in 0..png.len() {
        if let Ok(image) = decode(&png[..len], 64) {
            assert_eq!(image, full, "png truncated to {len} decoded to something else");
            assert!(len >= png.len() - 12, "png truncated to {len} decoded");
        }
    }
    assert!(matches!(
        CanonicalImage::new(vec![0; 11], 2),
        Err(ModelError::Image(_))
    ));
    assert!(matches!(from_rgba(3, 3, &[0; 35], 64), Err(ModelError::Image(_))));
    assert!(matches!(from_rgba(0, 3, &[], 64), Err(ModelError::Image(_))));
    assert!(matches!(decode(&png, 0), Err(ModelError::Image(_))));
}

/// A PNG whose header claims 60000×60000 pixels (a decompression bomb): refused before allocating.
#[test]
fn huge_declared_dimensions_are_refused() {
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = crc32_table_free(kind, data);
        crc = !crc;
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }
    fn crc32_table_free(kind: &[u8], data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in kind.iter().chain(data) {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        crc
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    png.extend(chunk(b"IEND", &[]));
    match decode(&png, 64) {
        Err(ModelError::Image(message)) => assert!(message.contains("too large"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_input_for_other_networks_is_an_area_resample() {
    let rgb: Vec<u8> = (0..64 * 64 * 3).map(|i| (i * 7 % 256) as u8).collect();
    let image = CanonicalImage::new(rgb, 64).unwrap();
    assert_eq!(image.input_for([3, 64, 64]), image.to_tensor());
    // Halving: each value is the mean of a 2×2 block.
    let half = image.input_for([3, 32, 32]);
    let full = image.to_tensor();
    let mean = (full[[1, 2, 4]] + full[[1, 2, 5]] + full[[1, 3, 4]] + full[[1, 3, 5]]) / 4.0;
    assert!((half[[1, 1, 2]] - mean).abs() < 1e-6);
    // Doubling repeats pixels; greyscale is the luma.
    let double = image.input_for([1, 128, 128]);
    let luma = 0.299 * full[[0, 5, 6]] + 0.587 * full[[1, 5, 6]] + 0.114 * full[[2, 5, 6]];
    assert!((double[[0, 10, 12]] - luma).abs() < 1e-6 && (double[[0, 11, 13]] - luma).abs() < 1e-6);
    // 64 → 28: the weights of every output pixel sum to 1, so a flat picture stays flat.
    let flat = CanonicalImage::new(vec![200; 64 * 64 * 3], 64).unwrap();
    let small = flat.input_for([1, 28, 28]);
    assert!(
        small.iter().all(|v| (v - 200.0 / 255.0).abs() < 1e-5),
        "{small:?}"
    );
}

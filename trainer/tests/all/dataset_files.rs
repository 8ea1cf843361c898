//! The dataset loader on real files: Debian's Fashion-MNIST loads, and truncated files are
//! rejected with an error that says what is wrong and what to do.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use trainer::dataset::{DEFAULT_DIR, FashionMnist, Split};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn decompressed(name: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    GzDecoder::new(std::fs::File::open(Path::new(DEFAULT_DIR).join(name)).unwrap())
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}

fn write_gz(path: &Path, bytes: &[u8]) {
    let mut encoder = GzEncoder::new(std::fs::File::create(path).unwrap(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap();
}

#[test]
fn the_installed_test_split_loads() {
    let test = FashionMnist::load(Path::new(DEFAULT_DIR), Split::Test).unwrap();
    assert_eq!(test.len(), 10_000);
    assert_eq!(test.images.len(), 10_000 * 784);
    // Every class appears 1,000 times in the test split.
    for class in 0..10 {
        assert_eq!(
            test.labels.iter().filter(|&&l| usize::from(l) == class).count(),
            1000
        );
    }
}

#[test]
fn a_truncated_image_file_is_rejected_with_a_clear_error() {
    let dir = scratch("truncated_idx");
    let images = decompressed("t10k-images-idx3-ubyte.gz");
    write_gz(
        &dir.join("t10k-images-idx3-ubyte.gz"),
        &images[..images.len() - 100],
    );
    write_gz(
        &dir.join("t10k-labels-idx1-ubyte.gz"),
        &decompressed("t10k-labels-idx1-ubyte.gz"),
    );
    let message = FashionMnist::load(&dir, Split::Test).unwrap_err().to_string();
    assert!(message.contains("t10k-images-idx3-ubyte.gz"), "{message}");
    assert!(message.contains("truncated"), "{message}");
    assert!(message.contains("reinstall"), "{message}");
}

#[test]
fn a_cut_gzip_stream_is_rejected_with_a_clear_error() {
    let dir = scratch("cut_gzip");
    let gz = std::fs::read(Path::new(DEFAULT_DIR).join("t10k-labels-idx1-ubyte.gz")).unwrap();
    std::fs::write(dir.join("t10k-labels-idx1-ubyte.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::copy(
        Path::new(DEFAULT_DIR).join("t10k-images-idx3-ubyte.gz"),
        dir.join("t10k-images-idx3-ubyte.gz"),
    )
    .unwrap();
    let message = FashionMnist::load(&dir, Split::Test).unwrap_err().to_string();
    assert!(message.contains("t10k-labels-idx1-ubyte.gz"), "{message}");
    assert!(message.contains("dataset-fashion-mnist"), "{message}");
}

#[test]
fn a_missing_folder_says_how_to_get_the_dataset() {
    let message = FashionMnist::load(Path::new("/nonexistent/fashion"), Split::Train)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("install the Debian package dataset-fashion-mnist"),
        "{message}"
    );
}

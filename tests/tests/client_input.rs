//! Browser tests of the input picker: an uploaded PNG is decoded in the page exactly as the
//! `models` crate decodes it (same prediction); a file that is not an image shows a clear error
//! and keeps the current picture.

use anyhow::{Result, ensure};
use e2e::{expected, page, paths};
use image::{ImageFormat, Rgb, RgbImage};

/// A 96×80 picture unlike the samples (a diagonal gradient with a dark square), so the page
/// must crop and resize it, not merely reuse a sample.
fn test_png() -> Result<std::path::PathBuf> {
    let picture = RgbImage::from_fn(96, 80, |x, y| {
        let inside = (30..60).contains(&x) && (20..50).contains(&y);
        if inside {
            Rgb([20, 30, 40])
        } else {
            Rgb([(x * 2) as u8, (y * 3) as u8, 200])
        }
    });
    let path = paths::scratch_dir().join("upload-test.png");
    picture.save_with_format(&path, ImageFormat::Png)?;
    Ok(path)
}

#[tokio::test(flavor = "multi_thread")]
async fn uploaded_png_gets_the_models_prediction() -> Result<()> {
    let (_server, browser) = page::open_client("upload").await?;
    let png = test_png()?;
    let expected = expected::for_picture(&std::fs::read(&png)?)?;
    browser.upload("upload-input", &png).await?;
    page::wait_for_prediction(&browser, &expected).await?;
    ensure!(
        !browser.exists("input-error").await?,
        "a valid PNG must not show an input error"
    );
    browser.screenshot("upload-png").await?;
    browser.assert_no_console_errors().await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn non_image_upload_shows_an_error_and_keeps_the_picture() -> Result<()> {
    let (_server, browser) = page::open_client("upload-error").await?;
    let before = expected::for_sample(0)?;
    page::wait_for_prediction(&browser, &before).await?;

    let not_an_image = paths::scratch_dir().join("not-an-image.txt");
    std::fs::write(&not_an_image, "These are lecture notes, not a picture.\n")?;
    browser.upload("upload-input", &not_an_image).await?;
    let error = browser.wait_for("input-error").await?;
    ensure!(
        error.is_displayed().await?,
        "the input error is in the DOM but not visible"
    );
    let text = error.text().await?;
    ensure!(
        text.to_lowercase().contains("image"),
        "the error should say the file is not an image we can read: {text:?}"
    );
    browser.screenshot("upload-error").await?;

    // Nothing was lost: the previous picture and its prediction are still shown.
    page::wait_for_prediction(&browser, &before).await?;
    browser.close().await
}

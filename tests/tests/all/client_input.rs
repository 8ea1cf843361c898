//! Browser tests of the input picker: an uploaded PNG is decoded in the page exactly as the
//! `models` crate decodes it (same canonical bytes, same prediction) — tall pictures, cut-outs and
//! dark garments on white among them; a file that is not an image shows a clear error and keeps
//! the current picture; a large JPEG photo is decoded and shrunk by the browser.

use anyhow::{Context, Result, ensure};
use e2e::browser::Browser;
use e2e::{expected, page, paths};
use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use models::samples::SAMPLES;

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

/// Saves `picture` as a PNG in the scratch folder.
fn save_png(picture: &RgbaImage, name: &str) -> Result<std::path::PathBuf> {
    let path = paths::scratch_dir().join(name);
    picture.save_with_format(&path, ImageFormat::Png)?;
    Ok(path)
}

/// A product photo made from a shipped sample shown light on dark: its colours inverted (a dark
/// garment on a light background), enlarged 2× onto a white 200×150 picture.
fn dark_garment_on_white(sample_name: &str) -> Result<(RgbaImage, usize)> {
    let sample = SAMPLES
        .iter()
        .find(|s| s.name == sample_name)
        .with_context(|| format!("no shipped sample {sample_name}"))?;
    let small = image::load_from_memory(sample.png)?.into_rgb8();
    let photo = RgbaImage::from_fn(200, 150, |x, y| {
        let (sx, sy) = ((x as i64 - 36) / 2, (y as i64 - 11) / 2);
        if (0..64).contains(&sx) && (0..64).contains(&sy) {
            let p = small.get_pixel(sx as u32, sy as u32);
            Rgba([255 - p[0], 255 - p[1], 255 - p[2], 255])
        } else {
            Rgba([255, 255, 255, 255])
        }
    });
    Ok((photo, usize::from(sample.class_index)))
}

/// Uploads `path` and waits until the page shows what the network sees of it, with the canonical
/// bytes `models` makes natively (the server's code), and the same prediction.
async fn upload_and_compare(browser: &Browser, path: &std::path::Path) -> Result<expected::Expected> {
    let expected = expected::for_picture(&std::fs::read(path)?)?;
    let hash: String = expected.image.hash().iter().map(|b| format!("{b:02x}")).collect();
    browser.upload("upload-input", path).await?;
    browser
        .wait_until(
            &format!(
                "the page's canonical input of {} to hash to {hash}",
                path.display()
            ),
            &format!(r#"document.querySelector('[data-testid="network-input"][data-input-hash="{hash}"]')"#),
        )
        .await?;
    page::wait_for_prediction(browser, &expected).await?;
    Ok(expected)
}

#[tokio::test(flavor = "multi_thread")]
async fn own_pictures_are_fitted_the_same_in_the_page_as_natively() -> Result<()> {
    let (_server, browser) = page::open_client("upload-fit").await?;
    // A tall picture: a dark column from top to bottom on pale blue.
    let tall = RgbaImage::from_fn(100, 300, |x, _| {
        if (35..65).contains(&x) {
            Rgba([20, 20, 30, 255])
        } else {
            Rgba([200, 220, 255, 255])
        }
    });
    // A cut-out: a light disc on a transparent background.
    let cut_out = RgbaImage::from_fn(90, 60, |x, y| {
        let (dx, dy) = (x as i32 - 45, y as i32 - 30);
        if dx * dx + dy * dy < 25 * 25 {
            Rgba([240, 230, 120, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    for (picture, name) in [(tall, "upload-tall.png"), (cut_out, "upload-cut-out.png")] {
        let expected = upload_and_compare(&browser, &save_png(&picture, name)?).await?;
        let corner = &expected.image.rgb[..3];
        let centre = &expected.image.rgb[(32 * 64 + 32) * 3..(32 * 64 + 32) * 3 + 3];
        ensure!(
            corner != centre,
            "{name}: the picture lost its contrast ({corner:?} vs {centre:?})"
        );
    }
    // The original stays on screen beside what the network sees.
    ensure!(
        browser
            .eval(
                "return document.querySelector('.network-input-original') !== null;",
                vec![]
            )
            .await?
            == serde_json::Value::Bool(true),
        "the uploaded original is not shown beside the network's input"
    );
    browser.screenshot("upload-network-input").await?;
    browser.assert_no_console_errors().await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dark_garment_on_white_is_recognised() -> Result<()> {
    let (_server, browser) = page::open_client("upload-dark-on-white").await?;
    let (photo, class_index) = dark_garment_on_white("trouser_2")?;
    let path = save_png(&photo, "upload-dark-on-white.png")?;
    let expected = upload_and_compare(&browser, &path).await?;
    ensure!(
        expected.predicted == class_index,
        "the network calls the dark trousers on white class {} instead of {class_index}",
        expected.predicted
    );
    browser.screenshot("upload-dark-on-white").await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_network_input_strip_fits_a_projector_a_laptop_and_a_phone() -> Result<()> {
    let server = e2e::TestServer::start().await?;
    let (photo, _) = dark_garment_on_white("trouser_2")?;
    let path = save_png(&photo, "upload-screen-sizes.png")?;
    for (width, height) in [(1920, 1080), (1280, 720), (390, 844)] {
        let browser = e2e::Browser::launch_with(e2e::BrowserOptions {
            window: (width, height),
            name: format!("network-input-{width}x{height}"),
        })
        .await?;
        if width < 500 {
            // Headless Chromium's windows are at least 500 pixels wide: a phone is emulated.
            browser
                .devtools(
                    "Emulation.setDeviceMetricsOverride",
                    serde_json::json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true }),
                )
                .await?;
        }
        browser.goto(&server.url()).await?;
        browser.wait_ready().await?;
        upload_and_compare(&browser, &path).await?;
        let fit = browser
            .eval(
                r#"const strip = document.querySelector('[data-testid="network-input"]').getBoundingClientRect();
                   return { page: document.documentElement.scrollWidth, strip: strip.right, view: window.innerWidth };"#,
                vec![],
            )
            .await?;
        let number = |key: &str| fit[key].as_f64().unwrap_or(f64::NAN);
        ensure!(
            number("page") <= number("view") && number("strip") <= number("view") + 0.5,
            "{width}×{height}: the page or the network-input strip is wider than the window: {fit}"
        );
        browser
            .screenshot(&format!("network-input-{width}x{height}"))
            .await?;
        browser.close().await?;
    }
    Ok(())
}

/// A phone photo: a shipped sample enlarged 32× (nearest neighbour) onto a 3200×2400 picture of
/// its own background colour, saved as a JPEG.
fn large_jpeg_photo(sample_name: &str) -> Result<(std::path::PathBuf, usize)> {
    let sample = SAMPLES
        .iter()
        .find(|s| s.name == sample_name)
        .with_context(|| format!("no shipped sample {sample_name}"))?;
    let small = image::load_from_memory(sample.png)?.into_rgb8();
    let background = *small.get_pixel(0, 0);
    let photo = RgbImage::from_fn(3200, 2400, |x, y| {
        let (sx, sy) = ((x as i64 - 576) / 32, (y as i64 - 176) / 32);
        if (0..64).contains(&sx) && (0..64).contains(&sy) {
            *small.get_pixel(sx as u32, sy as u32)
        } else {
            background
        }
    });
    let path = paths::scratch_dir().join(format!("upload-large-{sample_name}.jpg"));
    photo.save_with_format(&path, ImageFormat::Jpeg)?;
    Ok((path, usize::from(sample.class_index)))
}

/// The browser decodes uploads (the wasm carries no decoders): a 7.7-megapixel JPEG is shrunk
/// by the browser before WebAssembly sees it, and the page predicts what `models` predicts from
/// the same file natively (another JPEG decoder and no pre-shrinking, so the percentages may
/// differ a little, the class may not).
#[tokio::test(flavor = "multi_thread")]
async fn a_large_jpeg_photo_is_decoded_by_the_browser() -> Result<()> {
    let (_server, browser) = page::open_client("upload-large-jpeg").await?;
    let (path, class_index) = large_jpeg_photo("sneaker_1")?;
    let expected = expected::for_picture(&std::fs::read(&path)?)?;
    ensure!(
        expected.predicted == class_index,
        "natively the photo is class {} instead of {class_index}",
        expected.predicted
    );
    browser.upload("upload-input", &path).await?;
    browser
        .wait_until(
            "the page's input to be the uploaded photo",
            r#"document.querySelector('[data-testid="network-input"]') !== null"#,
        )
        .await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let shown = page::shown_prediction(&browser).await?;
        let close = shown.percents.len() == expected.probabilities.len()
            && shown
                .percents
                .iter()
                .zip(&expected.probabilities)
                .all(|(shown, p)| (shown - p * 100.0).abs() <= 3.0);
        if close && shown.predicted == [expected.predicted] {
            break;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "the page shows {shown:?}; natively the photo gives {:?} (class {})",
            expected.probabilities,
            expected.predicted
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    ensure!(
        !browser.exists("input-error").await?,
        "a valid JPEG must not show an input error"
    );
    browser.assert_no_console_errors().await?;
    browser.close().await
}

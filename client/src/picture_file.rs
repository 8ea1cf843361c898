//! Reading a student's own picture file with the browser's decoders, then making it canonical with
//! `models::preprocess` (the server's code).
//!
//! Why the browser and not the `image` crate: its decoders were a fifth of the first download
//! (about 100 KB gzip), the browser already has them, and it reads more (AVIF, a photo's colour
//! profile and EXIF rotation). The canonical bytes that leave this module are what the server and
//! every student receive, so the lecture stays consistent whatever decoded the file.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageBitmap, ImageBitmapOptions, ResizeQuality};

use crate::samples;
use crate::state::CanonicalImage;

/// Longest side kept from a decoded picture. Larger ones are scaled down to it first (by the
/// browser, with its high-quality filter), so a 48-megapixel photo costs 16 MB of WebAssembly memory,
/// not 190 MB; the network's input is 64 pixels wide, so nothing it sees is lost.
pub const MAX_KEPT_SIDE: u32 = 2048;

/// Decodes `file` and makes it canonical, or says why not in words for the student.
pub async fn read(file: &web_sys::File) -> Result<CanonicalImage, String> {
    let window = web_sys::window().ok_or("no browser window")?;
    let promise = window
        .create_image_bitmap_with_blob(file)
        .map_err(|_| "the browser cannot open it".to_owned())?;
    let decoded: ImageBitmap = JsFuture::from(promise)
        .await
        .map_err(|_| "it is not a picture the browser can decode, or the file is damaged".to_owned())?
        .unchecked_into();
    let kept = shrunk(&window, &decoded).await;
    decoded.close();
    let kept = kept?;
    let result = pixels(&kept);
    kept.close();
    let (width, height, rgba) = result?;
    samples::from_rgba(width, height, &rgba)
}

/// `bitmap` at [`kept_size`]: a copy, scaled by the browser when it is larger.
async fn shrunk(window: &web_sys::Window, bitmap: &ImageBitmap) -> Result<ImageBitmap, String> {
    if bitmap.width() == 0 || bitmap.height() == 0 {
        return Err("the picture is empty (0 pixels wide or high)".to_owned());
    }
    let (width, height) = kept_size(bitmap.width(), bitmap.height());
    let options = ImageBitmapOptions::new();
    if (width, height) != (bitmap.width(), bitmap.height()) {
        options.set_resize_width(width);
        options.set_resize_height(height);
        options.set_resize_quality(ResizeQuality::High);
    }
    let too_large = |_| "the picture is too large for this browser to open; try a smaller one".to_owned();
    let promise = window
        .create_image_bitmap_with_image_bitmap_and_image_bitmap_options(bitmap, &options)
        .map_err(too_large)?;
    Ok(JsFuture::from(promise).await.map_err(too_large)?.unchecked_into())
}

/// The size a `width × height` picture is drawn at: unchanged up to [`MAX_KEPT_SIDE`], else scaled
/// so its longest side is that (never below one pixel).
pub fn kept_size(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= MAX_KEPT_SIDE {
        return (width, height);
    }
    let scale = |length: u32| {
        ((u64::from(length) * u64::from(MAX_KEPT_SIDE) + u64::from(longest) / 2) / u64::from(longest)).max(1)
            as u32
    };
    (scale(width), scale(height))
}

/// The bitmap's RGBA pixels (not premultiplied).
fn pixels(bitmap: &ImageBitmap) -> Result<(u32, u32, Vec<u8>), String> {
    let unreadable = |_| "the browser decoded it but would not hand over its pixels".to_owned();
    let (width, height) = (bitmap.width(), bitmap.height());
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(unreadable)?
        .unchecked_into();
    canvas.set_width(width);
    canvas.set_height(height);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(unreadable)?
        .ok_or("no 2D canvas")?
        .unchecked_into();
    context
        .draw_image_with_image_bitmap(bitmap, 0.0, 0.0)
        .map_err(unreadable)?;
    let data = context
        .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
        .map_err(unreadable)?;
    Ok((width, height, data.data().0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_up_to_the_limit_keep_their_size() {
        assert_eq!(kept_size(1, 1), (1, 1));
        assert_eq!(kept_size(2048, 10), (2048, 10));
        assert_eq!(kept_size(640, 480), (640, 480));
    }

    #[test]
    fn larger_pictures_shrink_to_the_limit_keeping_their_shape() {
        assert_eq!(kept_size(8000, 6000), (2048, 1536));
        assert_eq!(kept_size(3000, 4000), (1536, 2048));
        // A thin strip keeps at least one pixel.
        assert_eq!(kept_size(100_000, 1), (2048, 1));
    }
}

//! The join link as a QR code for phones, drawn as SVG in the browser (no external service).

use qrcode::{EcLevel, QrCode};

/// An SVG QR code for `text` (one path, black on white, with the standard 4-module quiet zone),
/// or `None` if the text is too long for a QR code.
pub fn qr_svg(text: &str, label: &str) -> Option<String> {
    const QUIET_ZONE: usize = 4;
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let side = width + 2 * QUIET_ZONE;
    let mut path = String::new();
    for (index, color) in code.to_colors().into_iter().enumerate() {
        if color == qrcode::Color::Dark {
            let (x, y) = (index % width + QUIET_ZONE, index / width + QUIET_ZONE);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some(format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" "#,
            r#"shape-rendering="crispEdges" role="img" aria-label="{label}">"#,
            r##"<rect width="{side}" height="{side}" fill="#fff"/>"##,
            r##"<path fill="#000" d="{path}"/></svg>"##
        ),
        side = side,
        label = escape_attribute(label),
        path = path,
    ))
}

fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws the SVG's dark modules (the `M{x} {y}h1v1h-1z` squares) onto a white greyscale
    /// bitmap, `scale` pixels per module; returns the bitmap's side and pixels.
    fn rasterise(svg: &str, scale: usize) -> (usize, Vec<u8>) {
        let side: usize = svg
            .split(r#"viewBox="0 0 "#)
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|side| side.parse().ok())
            .expect("a square viewBox");
        let path = svg
            .split(r#" d=""#)
            .nth(1)
            .expect("a path")
            .split('"')
            .next()
            .unwrap();
        let pixels = side * scale;
        let mut bitmap = vec![255u8; pixels * pixels];
        for square in path.split('M').filter(|square| !square.is_empty()) {
            let corner = square.strip_suffix("h1v1h-1z").expect("one module per square");
            let (x, y) = corner.split_once(' ').expect("x y");
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            for row in y * scale..(y + 1) * scale {
                bitmap[row * pixels + x * scale..row * pixels + (x + 1) * scale].fill(0);
            }
        }
        (pixels, bitmap)
    }

    #[test]
    fn a_phone_camera_reads_the_join_link_back() {
        let link = "http://192.168.1.20:8080/join/KXMRTW";
        let svg = qr_svg(link, "QR code").expect("fits");
        assert!(svg.starts_with("<svg"));
        let (side, bitmap) = rasterise(&svg, 4);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| bitmap[y * side + x]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the picture");
        let (meta, content) = grids[0].decode().expect("a readable QR code");
        assert_eq!(content, link);
        assert_eq!(meta.ecc_level, 0, "error correction M (rqrr numbers M as 0)");
    }

    #[test]
    fn escapes_the_label() {
        let svg = qr_svg("x", r#"a "b" <c>"#).expect("fits");
        assert!(svg.contains("a &quot;b&quot; &lt;c&gt;"));
    }

    #[test]
    fn too_long_text_is_none() {
        assert!(qr_svg(&"x".repeat(5000), "too long").is_none());
    }
}

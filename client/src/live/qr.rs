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

    #[test]
    fn renders_a_square_svg_with_dark_modules() {
        let svg = qr_svg("http://192.168.1.20:8080/join/KXMRTW", "QR code").expect("fits");
        assert!(svg.starts_with("<svg"));
        assert!(
            svg.contains(r#"viewBox="0 0 37 37""#),
            "version 3 (29 modules) + 2 × 4 quiet zone: {svg}"
        );
        assert!(svg.matches('M').count() > 100, "has dark modules");
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

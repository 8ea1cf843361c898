//! Packs the instructor's own input image (an upload or a drawing, already decoded and resized in
//! the browser) as a 24-bit BMP file for `Control::UploadImage`: lossless and trivial to write,
//! so the server's decode yields exactly the pixels the instructor sees.

/// A `side × side` BMP of `rgb` (row-major RGB, 3 bytes per pixel).
pub fn encode_bmp(rgb: &[u8], side: u32) -> Vec<u8> {
    const HEADERS: u32 = 14 + 40;
    let row_bytes = side * 3;
    let padded_row = row_bytes.div_ceil(4) * 4;
    let pixel_bytes = padded_row * side;
    let mut file = Vec::with_capacity((HEADERS + pixel_bytes) as usize);
    // BITMAPFILEHEADER
    file.extend_from_slice(b"BM");
    file.extend_from_slice(&(HEADERS + pixel_bytes).to_le_bytes());
    file.extend_from_slice(&[0; 4]);
    file.extend_from_slice(&HEADERS.to_le_bytes());
    // BITMAPINFOHEADER: width, height (positive: rows stored bottom-up), 1 plane, 24 bpp, no compression.
    file.extend_from_slice(&40u32.to_le_bytes());
    file.extend_from_slice(&(side as i32).to_le_bytes());
    file.extend_from_slice(&(side as i32).to_le_bytes());
    file.extend_from_slice(&1u16.to_le_bytes());
    file.extend_from_slice(&24u16.to_le_bytes());
    file.extend_from_slice(&0u32.to_le_bytes());
    file.extend_from_slice(&pixel_bytes.to_le_bytes());
    file.extend_from_slice(&2835i32.to_le_bytes()); // 72 dpi
    file.extend_from_slice(&2835i32.to_le_bytes());
    file.extend_from_slice(&[0; 8]);
    for row in rgb.chunks_exact(row_bytes as usize).rev() {
        for pixel in row.chunks_exact(3) {
            file.extend_from_slice(&[pixel[2], pixel[1], pixel[0]]);
        }
        file.resize(file.len() + (padded_row - row_bytes) as usize, 0);
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(side: u32) -> Vec<u8> {
        (0..side * side * 3).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn the_server_decoder_reads_back_the_exact_pixels() {
        let rgb = gradient(64);
        let decoded = models::preprocess::decode(&encode_bmp(&rgb, 64), 64).expect("a valid BMP");
        assert_eq!(decoded.side, 64);
        assert!(decoded.rgb == rgb, "pixels changed in the round trip");
    }

    #[test]
    fn rows_are_padded_to_four_bytes() {
        let bmp = encode_bmp(&gradient(5), 5);
        assert_eq!(bmp.len(), 54 + 16 * 5);
        assert_eq!(&bmp[..2], b"BM");
    }
}

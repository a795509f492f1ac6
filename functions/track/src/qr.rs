//! QR codes of the short absolute URL (`/q/{token}`), as SVG and PNG, from the module
//! matrix of the `qrcode` crate (medium error correction, 4-module quiet zone).

use qrcode::{Color, EcLevel, QrCode};

/// Quiet zone, in modules (ISO/IEC 18004 asks for 4).
const QUIET: usize = 4;

/// Pixels per module in the PNG.
const PNG_SCALE: usize = 8;

/// The module matrix of `data` with its quiet zone: `size × size`, row-major,
/// `true` for dark.
pub struct Matrix {
    size: usize,
    dark: Vec<bool>,
}

impl Matrix {
    /// Encodes `data` at error correction level M.
    pub fn encode(data: &str) -> Option<Self> {
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
        let width = code.width();
        let size = width + 2 * QUIET;
        let mut dark = vec![false; size * size];
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == Color::Dark {
                dark[(i / width + QUIET) * size + i % width + QUIET] = true;
            }
        }
        Some(Self { size, dark })
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.size + x]
    }

    /// An SVG in module units: a white square and one path whose sub-paths
    /// are horizontal runs of dark modules, `M{x} {y}h{n}v1h-{n}z`.
    pub fn svg(&self) -> String {
        use std::fmt::Write as _;
        let n = self.size;
        let mut path = String::new();
        for y in 0..n {
            let mut x = 0;
            while x < n {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < n && self.is_dark(x, y) {
                        x += 1;
                    }
                    let run = x - start;
                    let _ = write!(path, "M{start} {y}h{run}v1h-{run}z");
                } else {
                    x += 1;
                }
            }
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {n} {n}\" width=\"{px}\" \
             height=\"{px}\" shape-rendering=\"crispEdges\"><rect width=\"{n}\" height=\"{n}\" \
             fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>",
            px = n * PNG_SCALE
        )
    }

    /// An 8-bit greyscale PNG, [`PNG_SCALE`] pixels per module.
    pub fn png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let px = self.size * PNG_SCALE;
        let mut pixels = Vec::with_capacity(px * px);
        for y in 0..px {
            for x in 0..px {
                let dark = self.is_dark(x / PNG_SCALE, y / PNG_SCALE);
                pixels.push(if dark { 0 } else { 255 });
            }
        }
        let side = u32::try_from(px).unwrap_or(u32::MAX);
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, side, side);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header()?;
            writer.write_image_data(&pixels)?;
            writer.finish()?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_has_finder_patterns_and_quiet_zone() {
        let m =
            Matrix::encode("https://ghiseu.cjcluj.ro/track/0ABCDEFGHJKMNPQRSTVWXYZ012").unwrap();
        assert_eq!((m.size - 2 * QUIET - 17) % 4, 0);
        // Quiet zone is light, the finder's corner is dark.
        assert!((0..m.size).all(|i| !m.is_dark(i, 0) && !m.is_dark(0, i)));
        assert!(m.is_dark(QUIET, QUIET));
        let svg = m.svg();
        assert!(svg.starts_with("<svg") && svg.contains(&format!("M{QUIET} {QUIET}h7v1h-7z")));
        let png = m.png().unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}

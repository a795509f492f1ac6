//! The one embedded font, from `ghiseu-font` (shared with the signature stamp):
//! metrics for layout, and the per-document encoding and subset.

pub(crate) use ghiseu_font::{Encoding, Font, subset_tag};

use crate::RenderError;

/// The font program with only the glyphs `encoding` uses, and the CID-to-GID map
/// (two bytes per CID from 0) into it.
pub(crate) fn subset(font: &Font, encoding: &Encoding) -> Result<(Vec<u8>, Vec<u8>), RenderError> {
    ghiseu_font::subset(font, encoding).map_err(|e| RenderError::Font(e.0))
}

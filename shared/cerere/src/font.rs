//! The one embedded font: metrics for layout, and the per-document encoding and subset.

use std::collections::BTreeMap;

use ttf_parser::{Face, GlyphId};

use crate::RenderError;

/// DejaVu Sans reduced to Latin, Greek and Cyrillic (see `fonts/README.md`).
const DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans-subset.ttf");

/// Shown (and extracted) in place of a character the font lacks or a control
/// character.
pub(crate) const REPLACEMENT: char = '\u{FFFD}';

pub(crate) struct Font {
    face: Face<'static>,
}

impl Font {
    pub(crate) fn embedded() -> Self {
        let face = Face::parse(DEJAVU_SANS, 0).expect("the embedded font parses (tested)");
        Self { face }
    }

    pub(crate) fn data(&self) -> &'static [u8] {
        DEJAVU_SANS
    }

    /// The character actually drawn for `c`: tabs become spaces, control characters
    /// and characters without a glyph become U+FFFD. Line breaks are the layout's.
    pub(crate) fn shown(&self, c: char) -> char {
        if c == '\t' {
            ' '
        } else if c.is_control() || self.face.glyph_index(c).is_none() {
            REPLACEMENT
        } else {
            c
        }
    }

    fn glyph(&self, c: char) -> GlyphId {
        self.face.glyph_index(self.shown(c)).unwrap_or(GlyphId(0))
    }

    /// Advance width of `c` in thousandths of the font size.
    pub(crate) fn advance(&self, c: char) -> f32 {
        let units = self.face.glyph_hor_advance(self.glyph(c)).unwrap_or(0);
        self.to_thousandths(units.into())
    }

    /// Width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size / 1000.0
    }

    pub(crate) fn to_thousandths(&self, units: f32) -> f32 {
        units * 1000.0 / f32::from(self.face.units_per_em())
    }

    pub(crate) fn face(&self) -> &Face<'static> {
        &self.face
    }
}

/// The characters one document uses, each with its own CID (1, 2, ... in order of
/// first use). One CID per character, not per glyph, so that the ToUnicode map gives
/// every character back even where the font draws two characters with one glyph.
#[derive(Default)]
pub(crate) struct Encoding {
    cids: BTreeMap<char, u16>,
    chars: Vec<char>,
}

impl Encoding {
    /// `text` as the content stream's two-byte codes (Identity-H).
    pub(crate) fn encode(&mut self, font: &Font, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars().map(|c| font.shown(c)) {
            let next = u16::try_from(self.chars.len() + 1).expect("fewer than 65535 characters");
            let cid = *self.cids.entry(c).or_insert_with(|| {
                self.chars.push(c);
                next
            });
            out.extend(cid.to_be_bytes());
        }
        out
    }

    /// The characters by CID: `chars()[i]` has CID `i + 1`.
    pub(crate) fn chars(&self) -> &[char] {
        &self.chars
    }
}

/// The font program with only the glyphs `encoding` uses, and the CID-to-GID map
/// (two bytes per CID from 0) into it.
pub(crate) fn subset(font: &Font, encoding: &Encoding) -> Result<(Vec<u8>, Vec<u8>), RenderError> {
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut cid_to_gid = vec![0, 0];
    for &c in encoding.chars() {
        let gid = remapper.remap(font.glyph(c).0);
        cid_to_gid.extend(gid.to_be_bytes());
    }
    let program = subsetter::subset(font.data(), 0, &remapper)
        .map_err(|e| RenderError::Font(e.to_string()))?;
    Ok((program, cid_to_gid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_romanian_and_hungarian_letter_has_a_glyph() {
        let font = Font::embedded();
        for c in "ăâîșțĂÂÎȘȚşţŞŢőűŐŰáéíóöúüÁÉÍÓÖÚÜ„”«»–—€".chars()
        {
            assert_eq!(font.shown(c), c, "{c:?} has no glyph");
        }
    }

    #[test]
    fn control_and_unknown_characters_become_the_replacement_character() {
        let font = Font::embedded();
        assert_eq!(font.shown('\u{7}'), REPLACEMENT);
        assert_eq!(font.shown('漢'), REPLACEMENT);
        assert_eq!(font.shown('\t'), ' ');
    }

    #[test]
    fn cids_follow_first_use() {
        let font = Font::embedded();
        let mut enc = Encoding::default();
        assert_eq!(enc.encode(&font, "aba"), vec![0, 1, 0, 2, 0, 1]);
        assert_eq!(enc.chars(), ['a', 'b']);
    }
}

//! The one embedded font of the platform's PDFs: DejaVu Sans reduced to Latin,
//! Greek and Cyrillic (`fonts/README.md`), so Romanian (ș ț ă â î) and Hungarian
//! (ő ű) text is drawn with its diacritics. [`Font`] gives the metrics for layout;
//! [`Encoding`] numbers the characters one document uses (Identity-H CIDs) and
//! [`subset`] cuts the font program down to their glyphs.
//!
//! Why a crate of its own: the cerere (`ghiseu-cerere`) and the signature stamp
//! (`ghiseu-pades`) both draw text, and one copy of the font and of its subsetting
//! code keeps them from drifting (and the components from carrying the font
//! twice). pades is used by components and by `shared/app`, cerere depends on
//! `shared/core`; neither may depend on the other without dragging the domain into
//! the signature crate, so the font sits below both and depends on nothing of
//! ours.
//!
//! Architecture invariant: no I/O; the font is compiled in.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use ttf_parser::{Face, GlyphId};

/// DejaVu Sans reduced to Latin, Greek and Cyrillic (see `fonts/README.md`).
const DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans-subset.ttf");

/// The font's family name, as PDFs name its subsets (`ABCDEF+DejaVuSans`).
pub const FAMILY: &str = "DejaVuSans";

/// Shown (and extracted) in place of a character the font lacks or a control
/// character.
pub const REPLACEMENT: char = '\u{FFFD}';

/// The embedded font, parsed.
pub struct Font {
    face: Face<'static>,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Font(DejaVu Sans)")
    }
}

impl Font {
    /// The embedded DejaVu Sans.
    ///
    /// # Panics
    /// Never: the embedded font parses (tested).
    #[must_use]
    pub fn embedded() -> Self {
        let face = Face::parse(DEJAVU_SANS, 0).expect("the embedded font parses (tested)");
        Self { face }
    }

    /// The whole font program.
    #[must_use]
    pub fn data(&self) -> &'static [u8] {
        DEJAVU_SANS
    }

    /// The character actually drawn for `c`: tabs become spaces, control characters
    /// and characters without a glyph become U+FFFD. Line breaks are the layout's.
    #[must_use]
    pub fn shown(&self, c: char) -> char {
        if c == '\t' {
            ' '
        } else if c.is_control() || self.face.glyph_index(c).is_none() {
            REPLACEMENT
        } else {
            c
        }
    }

    /// The glyph drawn for `c` (see [`Font::shown`]).
    #[must_use]
    pub fn glyph(&self, c: char) -> GlyphId {
        self.face.glyph_index(self.shown(c)).unwrap_or(GlyphId(0))
    }

    /// Advance width of `c` in thousandths of the font size.
    #[must_use]
    pub fn advance(&self, c: char) -> f32 {
        let units = self.face.glyph_hor_advance(self.glyph(c)).unwrap_or(0);
        self.to_thousandths(units.into())
    }

    /// Width of `text` at `size` points.
    #[must_use]
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size / 1000.0
    }

    /// Font units in thousandths of an em, as PDF metrics take them.
    #[must_use]
    pub fn to_thousandths(&self, units: f32) -> f32 {
        units * 1000.0 / f32::from(self.face.units_per_em())
    }

    /// The parsed face, for a font descriptor's metrics.
    #[must_use]
    pub fn face(&self) -> &Face<'static> {
        &self.face
    }
}

/// The characters one document uses, each with its own CID (1, 2, ... in order of
/// first use). One CID per character, not per glyph, so that the ToUnicode map gives
/// every character back even where the font draws two characters with one glyph.
#[derive(Debug, Default)]
pub struct Encoding {
    cids: BTreeMap<char, u16>,
    chars: Vec<char>,
}

impl Encoding {
    /// `text` as the content stream's two-byte codes (Identity-H).
    ///
    /// # Panics
    /// If one document uses 65,535 different characters.
    pub fn encode(&mut self, font: &Font, text: &str) -> Vec<u8> {
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
    #[must_use]
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// The widths of CIDs 1, 2, ... in thousandths of the font size, for the
    /// CID font's `/W`.
    #[must_use]
    pub fn widths(&self, font: &Font) -> Vec<f32> {
        self.chars.iter().map(|&c| font.advance(c)).collect()
    }

    /// The ToUnicode CMap of this encoding, so text extraction (and search,
    /// copy, screen readers) gets the characters back.
    #[must_use]
    pub fn to_unicode_cmap(&self) -> Vec<u8> {
        let mut out = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        for chunk in self.chars.chunks(100).enumerate() {
            let (i, chars) = chunk;
            out.push_str(&format!("{} beginbfchar\n", chars.len()));
            for (j, &c) in chars.iter().enumerate() {
                let cid = i * 100 + j + 1;
                let mut units = [0u16; 2];
                let hex: String = c
                    .encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                out.push_str(&format!("<{cid:04X}> <{hex}>\n"));
            }
            out.push_str("endbfchar\n");
        }
        out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        out.into_bytes()
    }
}

/// Why the font could not be subset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsetError(pub String);

impl std::fmt::Display for SubsetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "font subset: {}", self.0)
    }
}

impl std::error::Error for SubsetError {}

/// The font program with only the glyphs `encoding` uses, and the CID-to-GID map
/// (two bytes per CID from 0) into it.
///
/// # Errors
/// If the subsetter fails on the embedded font (not seen; tested).
pub fn subset(font: &Font, encoding: &Encoding) -> Result<(Vec<u8>, Vec<u8>), SubsetError> {
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut cid_to_gid = vec![0, 0];
    for &c in encoding.chars() {
        let gid = remapper.remap(font.glyph(c).0);
        cid_to_gid.extend(gid.to_be_bytes());
    }
    let program =
        subsetter::subset(font.data(), 0, &remapper).map_err(|e| SubsetError(e.to_string()))?;
    Ok((program, cid_to_gid))
}

/// A subset's tag: six capital letters derived from what it holds, as PDF
/// names subsets (`ABCDEF+DejaVuSans`), so different subsets get different
/// names and the same one the same.
#[must_use]
pub fn subset_tag(cid_to_gid: &[u8]) -> String {
    let digest = Sha256::digest(cid_to_gid);
    digest[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect()
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

    #[test]
    fn the_to_unicode_map_gives_each_cid_its_character() {
        let font = Font::embedded();
        let mut enc = Encoding::default();
        enc.encode(&font, "șő");
        let cmap = String::from_utf8(enc.to_unicode_cmap()).unwrap();
        assert!(cmap.contains("<0001> <0219>"), "{cmap}");
        assert!(cmap.contains("<0002> <0151>"), "{cmap}");
    }

    #[test]
    fn a_subset_keeps_only_the_glyphs_used_and_differs_by_tag() {
        let font = Font::embedded();
        let mut enc = Encoding::default();
        enc.encode(&font, "Președintele");
        let (program, map) = subset(&font, &enc).unwrap();
        assert!(program.len() < font.data().len() / 4, "{}", program.len());
        assert_eq!(map.len(), 2 * (enc.chars().len() + 1));
        let tag = subset_tag(&map);
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|c| c.is_ascii_uppercase()));
        assert_ne!(tag, subset_tag(&[0, 0, 0, 1]));
    }
}

//! The visible stamp: still a valid signature for `pdfsig` and `verify`, its text
//! extracted by `pdftotext`, its QR code read back from the rendered page.

use ghiseu_pades::Stamp;

use super::*;

const VERIFY_URL: &str = "https://ghiseu.ro/verificare/FLR-2026-000042?h=4ac2f27e142a890f";

/// A cerere long enough to run over several pages.
fn long_cerere_pdf() -> Vec<u8> {
    let value: String = (1..=120)
        .map(|i| format!("Rândul {i} al descrierii\n"))
        .collect();
    let fields = [Field {
        label: "Descrierea lucrărilor",
        value: &value,
    }];
    render(&Cerere {
        lang: Lang::Ro,
        institution: "Primăria Florești",
        document_type: "Autorizație de construire",
        applicant: Applicant {
            name: "Ion Popescu",
            ..Applicant::default()
        },
        fields: &fields,
        attachments: &[],
        submitted_at: signing_time(),
        reference: Some(Reference::RegistrationNumber("FLR-2026-000043")),
    })
    .unwrap()
    .bytes
}

fn stamped(pdf: &[u8], pki: &Pki, lines: &[&str]) -> Vec<u8> {
    let opts = PrepareOptions {
        stamp: Some(Stamp {
            verify_url: VERIFY_URL,
            lines,
        }),
        ..options("Alin Tise")
    };
    sign_with(pdf, pki, &opts, &pki.signer_key)
}

/// Runs a poppler tool on `pdf` (written to `dir`) with `args` before the file
/// name and `after` behind it; its standard output.
fn poppler(dir: &Path, name: &str, args: &[&str], pdf: &[u8], after: &[&str]) -> Vec<u8> {
    let path = dir.join("stamped.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool(name, "poppler-utils")
        .args(args)
        .arg(&path)
        .args(after)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The QR codes found on page `page` rendered at 150 dpi.
fn qr_codes_on(dir: &Path, pdf: &[u8], page: usize) -> Vec<String> {
    let page = page.to_string();
    let args = [
        "-png",
        "-gray",
        "-r",
        "150",
        "-f",
        &page,
        "-l",
        &page,
        "-singlefile",
    ];
    poppler(
        dir,
        "pdftoppm",
        &args,
        pdf,
        &[dir.join("page").to_str().unwrap()],
    );
    let png_bytes = std::fs::read(dir.join("page.png")).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    // Some poppler versions write RGB even when asked for grey: the green channel.
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgb => 3,
        other => panic!("pdftoppm wrote {other:?}"),
    };
    let (w, h) = (info.width as usize, info.height as usize);
    let grey = |x: usize, y: usize| buf[(y * w + x) * channels + channels / 2];
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, grey);
    img.detect_grids()
        .iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, content)| content))
        .collect()
}

#[test]
fn a_stamp_on_the_last_page_shows_the_text_and_a_qr_code_of_the_verification_url() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki("Alin Tise");
    let original = long_cerere_pdf();
    let pages = lopdf::Document::load_mem(&original)
        .unwrap()
        .get_pages()
        .len();
    assert!(pages >= 2, "the cerere runs over several pages: {pages}");
    let verify_line = format!("Verificare: {VERIFY_URL}");
    let lines = ["Semnat electronic de Alin Tise", verify_line.as_str()];

    let signed = stamped(&original, &pki, &lines);

    assert!(signed.starts_with(&original));
    assert_valid(&pdfsig(dir.path(), &signed), "Alin Tise");
    let report = verify(&signed, std::slice::from_ref(&pki.ca_der)).unwrap();
    assert!(report.valid(), "{report:?}");

    let last = pages.to_string();
    let text = poppler(
        dir.path(),
        "pdftotext",
        &["-f", &last, "-l", &last, "-layout"],
        &signed,
        &["-"],
    );
    let text = String::from_utf8(text).unwrap();
    // A line wider than the stamp wraps: compare without the breaks.
    let unwrapped: String = text.split_whitespace().collect();
    for line in lines {
        let line: String = line.split_whitespace().collect();
        assert!(unwrapped.contains(&line), "{line:?} in {text}");
    }
    assert!(text.contains("Semnat electronic de Alin Tise"), "{text}");
    assert_eq!(qr_codes_on(dir.path(), &signed, pages), [VERIFY_URL]);
    assert!(qr_codes_on(dir.path(), &signed, 1).is_empty());
}

#[test]
fn the_stamp_is_a_printable_widget_inside_the_last_pages_box() {
    let pki = pki("Alin Tise");
    let original = long_cerere_pdf();

    let signed = stamped(&original, &pki, &["Semnat electronic de Alin Tise"]);

    let doc = lopdf::Document::load_mem(&signed).unwrap();
    let last = *doc.get_pages().values().next_back().unwrap();
    let page = doc.get_dictionary(last).unwrap();
    let annots = page.get(b"Annots").unwrap().as_array().unwrap();
    let widget_id = annots.last().unwrap().as_reference().unwrap();
    let widget = doc.get_dictionary(widget_id).unwrap();
    assert_eq!(
        widget.get(b"F").unwrap().as_i64().unwrap() & 4,
        4,
        "printable"
    );
    let numbers = |o: &lopdf::Object| -> Vec<f32> {
        let array = o.as_array().unwrap();
        array.iter().map(|n| n.as_float().unwrap()).collect()
    };
    let rect = numbers(widget.get(b"Rect").unwrap());
    let media = numbers(
        page.get(b"MediaBox")
            .or_else(|_| {
                let parent = page.get(b"Parent")?.as_reference()?;
                doc.get_dictionary(parent)?.get(b"MediaBox")
            })
            .unwrap(),
    );
    let mm = 72.0 / 25.4;
    assert!((rect[2] - rect[0] - 90.0 * mm).abs() < 0.5, "{rect:?}");
    assert!((rect[3] - rect[1] - 30.0 * mm).abs() < 0.5, "{rect:?}");
    assert!(
        rect[0] >= media[0] && rect[1] >= media[1],
        "{rect:?} in {media:?}"
    );
    assert!(
        rect[2] <= media[2] && rect[3] <= media[3],
        "{rect:?} in {media:?}"
    );
    // Bottom left: in the lower left quarter of the page.
    assert!(
        rect[2] < media[2] / 2.0 && rect[3] < media[3] / 4.0,
        "{rect:?}"
    );
    assert!(widget.get(b"AP").unwrap().as_dict().unwrap().has(b"N"));
    // The first page keeps no widget of this signature.
    let first = *doc.get_pages().values().next().unwrap();
    let first_annots = doc.get_dictionary(first).unwrap().get(b"Annots");
    assert!(first_annots.is_err() || first_annots.unwrap().as_array().unwrap().is_empty());
}

/// The words `pdftotext -bbox` finds in `pdf`, with their heights in points.
fn words_with_heights(dir: &Path, pdf: &[u8]) -> Vec<(String, f32)> {
    let html = poppler(dir, "pdftotext", &["-bbox"], pdf, &["-"]);
    let html = String::from_utf8(html).unwrap();
    let attr = |tag: &str, name: &str| -> f32 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    html.split("<word ")
        .skip(1)
        .map(|w| {
            let (tag, rest) = w.split_once('>').unwrap();
            let word = rest.split("</word>").next().unwrap().replace("&amp;", "&");
            (word, attr(tag, "yMax") - attr(tag, "yMin"))
        })
        .collect()
}

#[test]
fn romanian_and_hungarian_text_keeps_its_diacritics_at_seven_points_or_more() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki("Ștefan Țăranu");
    let original = cerere_pdf("Ștefan Țăranu");
    let lines = [
        "Semnat electronic de Președintele Consiliului Județean Hargita (Hargita Megyei Tanács elnöke, Kőrösi Ferenc Győző)",
        "Înregistrat \\ (primar) 漢 ăâî ŐŰ",
        "https://ghiseu.exemplu.ro/verify/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    ];

    let signed = stamped(&original, &pki, &lines);

    assert_valid(&pdfsig(dir.path(), &signed), "Ștefan Țăranu");
    let text = poppler(dir.path(), "pdftotext", &["-raw"], &signed, &["-"]);
    let text = String::from_utf8(text).unwrap();
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Președintele Consiliului Județean",
        "Kőrösi Ferenc Győző",
        "Înregistrat \\ (primar) \u{FFFD} ăâî ŐŰ",
    ] {
        assert!(joined.contains(expected), "{expected:?} in {joined}");
    }
    // The link is wrapped at a character, never lost.
    assert!(
        joined
            .replace(' ', "")
            .contains("https://ghiseu.exemplu.ro/verify/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        "{joined}"
    );
    // Every word of the stamp is drawn at 7 pt or more: a DejaVu Sans line box
    // is about 1.16 em tall, so 7 pt text has words at least 8 pt high.
    let words = words_with_heights(dir.path(), &signed);
    let stamp_words: Vec<_> = words
        .iter()
        .filter(|(w, _)| {
            ["Președintele", "Județean", "Kőrösi", "Înregistrat"].contains(&w.as_str())
        })
        .collect();
    assert_eq!(stamp_words.len(), 4, "{words:?}");
    for (word, height) in stamp_words {
        assert!(*height >= 7.0 * 1.1, "{word} is {height} pt high");
    }
    // The font is embedded (a subset of DejaVu Sans), not a standard font.
    let fonts = poppler(dir.path(), "pdffonts", &[], &signed, &[]);
    let fonts = String::from_utf8(fonts).unwrap();
    let stamp_font = fonts.lines().filter(|l| l.contains("+DejaVuSans")).count();
    assert!(stamp_font >= 2, "the cerere's and the stamp's: {fonts}");
    assert!(!fonts.contains("Helvetica"), "{fonts}");
    assert_eq!(qr_codes_on(dir.path(), &signed, 1), [VERIFY_URL]);
}

#[test]
fn text_that_does_not_fit_at_seven_points_is_refused() {
    let many = ["Un rând"; 40];
    let opts = PrepareOptions {
        stamp: Some(Stamp {
            verify_url: VERIFY_URL,
            lines: &many,
        }),
        ..options("Alin Tise")
    };
    assert!(matches!(
        prepare(&cerere_pdf("Alin Tise"), &opts),
        Err(Error::Options(_))
    ));
}

#[test]
fn a_url_too_long_for_a_qr_code_is_refused() {
    let url = "https://ghiseu.ro/".to_owned() + &"x".repeat(5000);
    let opts = PrepareOptions {
        stamp: Some(Stamp {
            verify_url: &url,
            lines: &[],
        }),
        ..options("Alin Tise")
    };
    assert!(matches!(
        prepare(&cerere_pdf("Alin Tise"), &opts),
        Err(Error::Options(_))
    ));
}

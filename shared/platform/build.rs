//! The asset manifest: every file of the repository's top-level `static/`
//! folder, with a content-hashed public path (`/static/ghiseu.3f2a1b9c0d.css`)
//! that pages link to and the static component serves with immutable caching.
//! Written to `$OUT_DIR/assets.rs` and included by `src/assets.rs`.

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        other => panic!("static/{name}: no content type known for .{other}"),
    }
}

fn const_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn main() {
    // Read at run time: a build script's binary may be reused by another
    // checkout of the same sources (a shared target directory).
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("../../static");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("reading static/")
        .map(|e| e.expect("a static/ entry"))
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|e| e.file_name().into_string().expect("a UTF-8 file name"))
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    let mut out = String::from(
        "/// Every file of `static/`, sorted by name.\npub const FILES: &[Asset] = &[\n",
    );
    let mut consts = String::new();
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = std::fs::read(&path).expect("reading a static file");
        let digest = Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let (stem, ext) = name
            .rsplit_once('.')
            .expect("a static file has an extension");
        let public = format!("/static/{stem}.{}.{ext}", &hex[..10]);
        writeln!(
            out,
            "    Asset {{ name: {name:?}, path: {public:?}, content_type: {:?}, sha256: {hex:?} }},",
            content_type(name)
        )
        .unwrap();
        writeln!(
            consts,
            "/// `static/{name}` at its content-hashed path.\npub const {}: &str = {public:?};",
            const_name(name)
        )
        .unwrap();
    }
    out.push_str("];\n");
    out.push_str(&consts);
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("assets.rs");
    std::fs::write(target, out).expect("writing assets.rs");
}

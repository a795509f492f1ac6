//! `GET /static/{name}.{hash}.{ext}`: the files of the repository's `static/`
//! folder (the one stylesheet, the favicon, the scripts), mounted read-only
//! at `/static` by `files` in `spin.toml`.
//!
//! Pages link the content-hashed path ([`ghiseu_platform::assets`], computed
//! at build time), served with `Cache-Control: immutable`: a changed file gets
//! a new name, so a browser or a CDN never needs to ask again. The file read
//! is checked against the build's hash: if the mounted folder and the build
//! disagree, a hashed path answers 404 rather than serve other bytes under
//! an immutable name. The unhashed `/static/{name}` answers too, cached for
//! five minutes, for hand-typed addresses. Nothing outside the build's list
//! of files is ever read.

use ghiseu_platform::assets::{self, Asset};
use ghiseu_platform::http::{self as web, Request, Response};
use ghiseu_platform::session;
use http::{HeaderValue, Method, StatusCode, header};
use sha2::{Digest, Sha256};

/// Where `spin.toml` mounts `static/`.
const MOUNT: &str = "/static";

ghiseu_platform::http_component!(handle);

async fn handle(request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return web::method_not_allowed("GET, HEAD");
    }
    let Some((asset, hashed)) = assets::find(request.uri().path()) else {
        return web::problem(StatusCode::NOT_FOUND, "no such file");
    };
    let bytes = match std::fs::read(format!("{MOUNT}/{}", asset.name)) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("static: reading {}: {e}", asset.name);
            return web::problem(StatusCode::NOT_FOUND, "no such file");
        }
    };
    let digest = session::hex(&Sha256::digest(&bytes));
    if hashed && digest != asset.sha256 {
        eprintln!("static: {} differs from the build's; rebuild", asset.name);
        return web::problem(StatusCode::NOT_FOUND, "no such file");
    }
    let etag = format!("\"{}\"", &digest[..20]);
    let not_modified = web::header_str(request.headers(), "if-none-match")
        .is_some_and(|v| web::matches_etag(v, &etag));
    let mut response = if not_modified {
        web::empty(StatusCode::NOT_MODIFIED)
    } else if request.method() == Method::HEAD {
        web::bytes(StatusCode::OK, asset.content_type, Vec::new())
    } else {
        web::bytes(StatusCode::OK, asset.content_type, bytes)
    };
    headers(&mut response, asset, hashed, &etag);
    response
}

fn headers(response: &mut Response, asset: &Asset, hashed: bool, etag: &str) {
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=300"
        }),
    );
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // An SVG opened on its own runs no script and loads nothing.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
}

//! The desk (functions/desk) beside public tracking, seeded through the platform
//! API, and an official signed in.

use super::*;

/// The platform admin token the desk tests configure.
pub const TEST_ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef";

/// The HMAC key the desk test manifest gives the desk and the sandbox gateway.
pub const TEST_NOTIFY_SECRET: &str = "test-gateway-secret";

/// The HMAC key of the payment provider (the sandbox) and the portal, set in
/// the runtime config of [`App::desk`].
pub const TEST_PAYMENT_SECRET: &str = "test-payment-secret";

/// The platform's public base URL in the desk test manifest (variable
/// `public_base_url`): every absolute URL the platform writes that is not
/// one institution's starts with it, whatever `Host` a request carries.
pub const TEST_PUBLIC_BASE_URL: &str = "https://ghiseu.test";

/// The sandbox component (`functions/sandbox`).
pub fn sandbox_wasm() -> PathBuf {
    artifact("wasm32-wasip2/release/ghiseu_sandbox.wasm")
}

/// The desk component (`functions/desk`).
pub fn desk_wasm() -> PathBuf {
    artifact("wasm32-wasip2/release/ghiseu_desk.wasm")
}

/// The administration component (`functions/admin`).
pub fn admin_wasm() -> PathBuf {
    artifact("wasm32-wasip2/release/ghiseu_admin.wasm")
}

/// A copy of the workspace's `static/` beside the test manifest, as its path
/// relative to it: real Spin mounts only files inside the application's
/// directory (the one holding the manifest).
fn static_copy(dir: &Path) -> String {
    let name = format!("static-{}", std::process::id());
    let copy = dir.join(&name);
    std::fs::create_dir_all(&copy).expect("creating the static copy");
    for entry in std::fs::read_dir(workspace_root().join("static")).expect("reading static/") {
        let entry = entry.expect("a static/ entry");
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::copy(entry.path(), copy.join(entry.file_name()))
                .expect("copying a static file");
        }
    }
    name
}

/// A manifest with the desk, the administration and the track component on one "default" store, written
/// once per test process (it is the same for every test). The probe is mounted at `/probe/...`
/// on the same store, so a test can write a stored state directly (what a request that died
/// midway leaves behind, for example).
fn desk_manifest() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let dir = target_dir().join("desk-test");
        std::fs::create_dir_all(&dir).expect("creating target/desk-test");
        let path = dir.join(format!("spin-{}.toml", std::process::id()));
        let s3 = [
            "s3_endpoint",
            "s3_bucket",
            "s3_region",
            "s3_access_key",
            "s3_secret_key",
        ];
        let mut s3vars = String::new();
        for v in s3 {
            writeln!(s3vars, "{v} = \"{{{{ {v} }}}}\"").unwrap();
        }
        let vars = format!(
            "{s3vars}platform_admin_token = \"{{{{ platform_admin_token }}}}\"\n\
             trusted_proxies = \"{{{{ trusted_proxies }}}}\"\n"
        );
        let manifest = format!(
            "spin_manifest_version = 2\n[application]\nname = \"ghiseu-desk-test\"\n\
             version = \"0.0.0\"\n[variables]\ns3_endpoint = {{ required = true }}\n\
             s3_bucket = {{ default = \"ghiseu\" }}\ns3_region = {{ default = \"us-east-1\" }}\n\
             s3_access_key = {{ required = true }}\n\
             s3_secret_key = {{ required = true, secret = true }}\n\
             platform_admin_token = {{ default = \"\", secret = true }}\n\
             trusted_proxies = {{ default = \"\" }}\n\
             public_base_url = {{ default = \"{TEST_PUBLIC_BASE_URL}\" }}\n\
             csc_multisign = {{ default = \"500\" }}\n\
             csc_callback_url = {{ default = \"\" }}\n\
             tsa_url = {{ default = \"\" }}\n\
             payment_secret = {{ default = \"\", secret = true }}\n\
             csc_enroll_url = {{ default = \"http://sandbox.spin.internal/api/v1/sandbox/csc/credentials\" }}\n\
             csc_identity_url = {{ default = \"http://sandbox.spin.internal/api/v1/sandbox/csc/identifications\" }}\n\
             [[trigger.http]]\nroute = \"/api/v1/signing/callback\"\ncomponent = \"desk\"\n\
             [[trigger.http]]\nroute = \"/api/v1/payments/webhook\"\ncomponent = \"portal\"\n\
             [[trigger.http]]\nroute = \"/desk/...\"\ncomponent = \"desk\"\n\
             [[trigger.http]]\nroute = \"/verify/...\"\ncomponent = \"verify\"\n\
             [[trigger.http]]\nroute = \"/api/v1/verify/...\"\ncomponent = \"verify\"\n\
             [[trigger.http]]\nroute = \"/admin/...\"\ncomponent = \"admin\"\n\
             [[trigger.http]]\nroute = \"/branding/...\"\ncomponent = \"admin\"\n\
             [[trigger.http]]\nroute = \"/api/v1/admin/...\"\ncomponent = \"admin\"\n\
             [[trigger.http]]\nroute = \"/api/v1/platform/...\"\ncomponent = \"admin\"\n\
             [[trigger.http]]\nroute = \"/q/...\"\ncomponent = \"track\"\n\
             [[trigger.http]]\nroute = \"/track/...\"\ncomponent = \"track\"\n\
             [[trigger.http]]\nroute = \"/api/v1/track/...\"\ncomponent = \"track\"\n\
             [[trigger.http]]\nroute = \"/sandbox/...\"\ncomponent = \"sandbox\"\n\
             [[trigger.http]]\nroute = \"/portal/...\"\ncomponent = \"portal\"\n\
             [[trigger.http]]\nroute = \"/api/v1/sandbox/...\"\ncomponent = \"sandbox\"\n\
             [[trigger.http]]\nroute = \"/probe/...\"\ncomponent = \"probe\"\n\
             [[trigger.http]]\nroute = \"/stats/...\"\ncomponent = \"opendata\"\n\
             [[trigger.http]]\nroute = \"/\"\ncomponent = \"home\"\n\
             [[trigger.http]]\nroute = \"/institutions/...\"\ncomponent = \"home\"\n\
             [[trigger.http]]\nroute = \"/accessibility\"\ncomponent = \"home\"\n\
             [[trigger.http]]\nroute = \"/privacy\"\ncomponent = \"home\"\n\
             [[trigger.http]]\nroute = \"/static/...\"\ncomponent = \"static\"\n\
             [component.home]\nsource = {home:?}\nkey_value_stores = [\"default\"]\n\
             [component.static]\nsource = {static_assets:?}\n\
             files = [{{ source = {static_dir:?}, destination = \"/static\" }}]\n\
             [[trigger.http]]\nroute = \"/api/v1/stats/...\"\ncomponent = \"opendata\"\n\
             [[trigger.http]]\nroute = \"/open311/...\"\ncomponent = \"opendata\"\n\
             [component.opendata]\nsource = {opendata:?}\nkey_value_stores = [\"default\", \"ephemeral\"]\n\
             [component.probe]\nsource = {probe:?}\nkey_value_stores = [\"default\"]\n\
             [component.desk]\nsource = {desk:?}\nkey_value_stores = [\"default\"]\n\
             allowed_outbound_hosts = [\"{{{{ s3_endpoint }}}}\", \"http://sandbox.spin.internal\"]\n\
             [component.desk.variables]\n{vars}\
             notify_url = \"http://sandbox.spin.internal/sandbox/gateway/messages\"\n\
             notify_secret = \"{TEST_NOTIFY_SECRET}\"\n{csc_client}\
             csc_callback_url = \"{{{{ csc_callback_url }}}}\"\n\
             tsa_url = \"{{{{ tsa_url }}}}\"\n\
             [component.verify]\nsource = {verify:?}\nkey_value_stores = [\"default\", \"ephemeral\"]\n\
             allowed_outbound_hosts = [\"{{{{ s3_endpoint }}}}\"]\n\
             [component.verify.variables]\n{s3vars}\
             [component.admin]\nsource = {admin:?}\nkey_value_stores = [\"default\"]\n\
             allowed_outbound_hosts = [\"{{{{ s3_endpoint }}}}\", \"http://sandbox.spin.internal\"]\n\
             [component.admin.variables]\n{vars}\
             notify_url = \"http://sandbox.spin.internal/sandbox/gateway/messages\"\n\
             notify_secret = \"{TEST_NOTIFY_SECRET}\"\nsandbox_enabled = \"true\"\n{csc_client}\
             tsa_url = \"{{{{ tsa_url }}}}\"\n\
             [component.track]\nsource = {track:?}\nkey_value_stores = [\"default\", \"ephemeral\"]\n\
             [component.track.variables]\nrate_limit = \"100000\"\n\
             public_base_url = \"{{{{ public_base_url }}}}\"\n\
             [component.portal]\nsource = {portal:?}\nkey_value_stores = [\"default\"]\n\
             allowed_outbound_hosts = [\"{{{{ s3_endpoint }}}}\", \"http://sandbox.spin.internal\"]\n\
             [component.portal.variables]\n{vars}\
             notify_url = \"http://sandbox.spin.internal/sandbox/gateway/messages\"\n\
             notify_secret = \"{TEST_NOTIFY_SECRET}\"\n{csc_client}\
             tsa_url = \"{{{{ tsa_url }}}}\"\n\
             public_base_url = \"{{{{ public_base_url }}}}\"\n\
             payment_url = \"http://sandbox.spin.internal/sandbox/pay\"\n\
             payment_secret = \"{{{{ payment_secret }}}}\"\n\
             payment_webhook_url = \"http://portal.spin.internal/api/v1/payments/webhook\"\n\
             csc_enroll_url = \"{{{{ csc_enroll_url }}}}\"\n\
             csc_identity_url = \"{{{{ csc_identity_url }}}}\"\n\
             [component.sandbox]\nsource = {sandbox:?}\nkey_value_stores = [\"default\"]\n\
             allowed_outbound_hosts = [\"http://desk.spin.internal\", \"http://portal.spin.internal\", \"http://sandbox.spin.internal\"]\n\
             [component.sandbox.variables]\nenabled = \"true\"\npublic_base_url = \"{{{{ public_base_url }}}}\"\nnotify_secret = \"{TEST_NOTIFY_SECRET}\"\n\
             payment_secret = \"{{{{ payment_secret }}}}\"\n\
             {csc_provider}",
            home = artifact("wasm32-wasip2/release/ghiseu_home.wasm")
                .display()
                .to_string(),
            static_assets = artifact("wasm32-wasip2/release/ghiseu_static.wasm")
                .display()
                .to_string(),
            static_dir = static_copy(&dir),
            verify = artifact("wasm32-wasip2/release/ghiseu_verify.wasm")
                .display()
                .to_string(),
            s3vars = s3vars,
            desk = desk_wasm().display().to_string(),
            probe = probe_wasm().display().to_string(),
            opendata = artifact("wasm32-wasip2/release/ghiseu_opendata.wasm")
                .display()
                .to_string(),
            admin = admin_wasm().display().to_string(),
            track = track_wasm().display().to_string(),
            sandbox = sandbox_wasm().display().to_string(),
            portal = artifact("wasm32-wasip2/release/ghiseu_portal.wasm")
                .display()
                .to_string(),
            csc_client = csc_client_variables(),
            csc_provider = csc_provider_variables("300", "{{ csc_multisign }}"),
        );
        std::fs::write(&path, manifest).expect("writing the desk test manifest");
        path
    })
    .clone()
}

impl App {
    /// The desk, administration and public tracking on `backend`, with
    /// [`TEST_ADMIN_TOKEN`] configured.
    pub fn desk(backend: Backend) -> Self {
        Self {
            manifest: ManifestSource::File(desk_manifest()),
            ..Self::probe(backend)
        }
        .config_variable("platform_admin_token", TEST_ADMIN_TOKEN)
        .config_variable("payment_secret", TEST_PAYMENT_SECRET)
    }
}

impl TestApp {
    /// POSTs a seed document to `/api/v1/platform/seed` with the test admin token.
    pub async fn seed(&self, seed: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/platform/seed"))
            .bearer_auth(TEST_ADMIN_TOKEN)
            .json(seed)
            .send()
            .await
            .expect("POST /api/v1/platform/seed")
    }
}

// ---------------------------------------------------------------------------------------
// The desk, signed in.

/// A reqwest client that does not follow redirects (the desk answers 303s the
/// tests look at).
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of cookie `name` set by `r`, if any.
pub fn cookie_set_by(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (k, val) = v.split(';').next()?.split_once('=')?;
            (k == name).then(|| val.to_owned())
        })
}

/// The value of the first `name="csrf" value="..."` in `html`.
pub fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..at + 64].to_owned()
}

/// The registration number on a receipt.
pub fn regno_in(html: &str) -> String {
    let at = html
        .find("class=\"regno\">")
        .expect("a registration number")
        + 14;
    html[at..].split('<').next().unwrap().to_owned()
}

/// The tracking token of the first QR link in `html`.
pub fn token_in(html: &str) -> String {
    let at = html.find("/q/").expect("a QR link") + 3;
    html[at..at + 26].to_owned()
}

/// A small valid-looking PDF, different every time.
pub fn sample_pdf() -> Vec<u8> {
    let mut v = b"%PDF-1.4\n1 0 obj<<>>endobj\n".to_vec();
    v.extend(random_bytes(64));
    v.extend(b"\n%%EOF\n");
    v
}

/// An official signed in at `/desk/login` (the same session serves `/admin`).
#[derive(Clone)]
pub struct Official {
    /// The client (no redirects).
    pub client: reqwest::Client,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The `Cookie` header value: `ghiseu_desk=...`.
    pub cookie: String,
    /// The session's CSRF token.
    pub csrf: String,
}

impl TestApp {
    /// Posts the desk's sign-in form (with its CSRF cookie and token).
    pub async fn desk_sign_in_attempt(
        &self,
        tenant: &str,
        user: &str,
        password: &str,
    ) -> reqwest::Response {
        desk_sign_in_attempt_at(&self.address, tenant, user, password).await
    }

    /// Signs in at the desk; checks the session cookie's attributes.
    pub async fn desk_sign_in(&self, tenant: &str, user: &str, password: &str) -> Official {
        desk_sign_in_at(&self.address, tenant, user, password).await
    }
}

/// Posts the desk's sign-in form at `base` (with its CSRF cookie and token).
pub async fn desk_sign_in_attempt_at(
    base: &str,
    tenant: &str,
    user: &str,
    password: &str,
) -> reqwest::Response {
    let client = no_redirects();
    let page = client
        .get(format!("{base}/desk/login"))
        .send()
        .await
        .unwrap();
    let login_cookie = cookie_set_by(&page, "ghiseu_login_csrf").expect("a login cookie");
    let csrf = csrf_in(&page.text().await.unwrap());
    client
        .post(format!("{base}/desk/login"))
        .header("cookie", format!("ghiseu_login_csrf={login_cookie}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("institution", tenant),
            ("username", user),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

/// Signs in at the desk at `base`; checks the session cookie's attributes.
pub async fn desk_sign_in_at(base: &str, tenant: &str, user: &str, password: &str) -> Official {
    let r = desk_sign_in_attempt_at(base, tenant, user, password).await;
    assert_eq!(r.status(), 303, "sign-in of {user}@{tenant}");
    let cookie_line = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("ghiseu_desk="))
        .expect("a session cookie");
    for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie_line.contains(attr), "{cookie_line}");
    }
    session_set_by(base, &r).await
}

/// The official signed in at `base` by the session cookie `r` set (a
/// sign-in by password, or one finished with a second factor).
pub async fn session_set_by(base: &str, r: &reqwest::Response) -> Official {
    let cookie = format!(
        "ghiseu_desk={}",
        cookie_set_by(r, "ghiseu_desk").expect("a session cookie")
    );
    let client = no_redirects();
    let inbox = client
        .get(format!("{base}/desk"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 200);
    let csrf = csrf_in(&inbox.text().await.unwrap());
    Official {
        client,
        base: base.to_owned(),
        cookie,
        csrf,
    }
}

impl Official {
    /// The same session, talking to `base` (another instance, or the balancer).
    pub fn at(&self, base: &str) -> Official {
        Official {
            base: base.to_owned(),
            ..self.clone()
        }
    }

    /// `GET path` with the session.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.try_get(path).await.unwrap()
    }

    /// `GET path` with the session; a transport error is returned, not a failure
    /// (for loads during which an instance dies).
    pub async fn try_get(&self, path: &str) -> reqwest::Result<reqwest::Response> {
        self.client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
    }

    /// The HTML of `path`.
    pub async fn html(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// Posts a url-encoded form with the session's CSRF token.
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// Posts a multipart form (the caller puts the CSRF token in it).
    pub async fn multipart(&self, path: &str, form: reqwest::multipart::Form) -> reqwest::Response {
        self.try_multipart(path, form).await.unwrap()
    }

    /// [`Official::multipart`] that returns a transport error.
    pub async fn try_multipart(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> reqwest::Result<reqwest::Response> {
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .multipart(form)
            .send()
            .await
    }

    /// A JSON API call with the session cookie and the CSRF header.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> reqwest::Response {
        let mut rb = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            rb = rb.json(b);
        }
        rb.send().await.unwrap()
    }

    /// Registry intake: `files` as scanned pages, `extra` text fields.
    pub async fn try_intake(
        &self,
        doc_type: &str,
        files: &[(&str, Vec<u8>)],
        extra: &[(&str, &str)],
    ) -> reqwest::Result<reqwest::Response> {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf", self.csrf.clone())
            .text("document_type", doc_type.to_owned());
        for (k, v) in extra {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        for (name, data) in files {
            form = form.part(
                "scan",
                reqwest::multipart::Part::bytes(data.clone()).file_name((*name).to_owned()),
            );
        }
        self.try_multipart("/desk/intake", form).await
    }

    /// Registry intake that fails the test on a transport error.
    pub async fn intake(
        &self,
        doc_type: &str,
        files: &[(&str, Vec<u8>)],
        extra: &[(&str, &str)],
    ) -> reqwest::Response {
        self.try_intake(doc_type, files, extra).await.unwrap()
    }

    /// Registers a paper dossier of `doc_type` (one scanned PDF); returns
    /// (dossier id, registration number, tracking token).
    pub async fn register(&self, doc_type: &str) -> (String, String, String) {
        self.register_with(doc_type, &[]).await
    }

    /// [`Self::register`] with `extra` fields of the intake form (e.g. the
    /// petitioner's `phone`).
    pub async fn register_with(
        &self,
        doc_type: &str,
        extra: &[(&str, &str)],
    ) -> (String, String, String) {
        let r = self
            .intake(doc_type, &[("cerere.pdf", sample_pdf())], extra)
            .await;
        assert_eq!(r.status(), 303, "intake of {doc_type}");
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let id = location.split('/').nth(3).unwrap().to_owned();
        let receipt = self.html(&location).await;
        (id, regno_in(&receipt), token_in(&receipt))
    }

    /// The dossier page's HTML.
    pub async fn page(&self, id: &str) -> String {
        self.html(&format!("/desk/dossiers/{id}")).await
    }

    /// The route head of the dossier as its page shows it.
    pub async fn route_head(&self, id: &str) -> String {
        let html = self.page(id).await;
        let at = html
            .find("name=\"route_head\" value=\"")
            .expect("an action form")
            + 25;
        html[at..at + 64].to_owned()
    }

    /// Posts an action form on dossier `id` (the caller gives `route_head`).
    pub async fn act(&self, id: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.form(&format!("/desk/dossiers/{id}/actions"), fields)
            .await
    }

    /// Acts on the current version of the dossier.
    pub async fn act_now(&self, id: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let head = self.route_head(id).await;
        let mut all = fields.to_vec();
        all.push(("route_head", head.as_str()));
        self.act(id, &all).await
    }

    /// The inbox's HTML for `query`.
    pub async fn inbox(&self, query: &str) -> String {
        self.html(&format!("/desk?{query}")).await
    }

    /// The id of the first dossier listed in the inbox `query`.
    pub async fn first_in_inbox(&self, query: &str) -> String {
        let inbox = self.inbox(query).await;
        let at = inbox
            .find("/desk/dossiers/")
            .expect("a dossier in the inbox")
            + 15;
        inbox[at..at + 26].to_owned()
    }
}

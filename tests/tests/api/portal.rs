//! The citizens' portal: accounts verified by a code, sign-in by password or
//! SMS code, reset, claiming a paper dossier, my documents, and the limits on
//! codes (single use, 5 attempts).

use std::collections::BTreeMap;

use ghiseu_tests::{App, Backend, TestApp};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

pub(crate) fn seed() -> Value {
    json!({"tenants": [{
        "slug": "alfa", "name": "Primăria Alfa", "kind": "town",
        "registration_prefix": "ALF", "languages": ["ro"],
        "departments": [{"code": "registratura", "name": "Registratura"}],
        "officials": [{"username": "reg", "display_name": "Rita Registru",
            "department": "registratura", "roles": ["registrar"], "password": "parola-reg"},
            {"username": "adm", "display_name": "Ada Admin", "department": null,
            "roles": ["tenant_admin"], "password": "parola-adm-lunga"}],
        "document_types": [{"code": "petitie", "titles": {"ro": "Petiție"},
            "deadline": {"count": "calendar_days", "days": 30}, "first_department": "registratura"}]
    }]})
}

pub(crate) async fn spawn() -> TestApp {
    let app = App::desk(Backend::Sqlite).spawn().await;
    let r = app.seed(&seed()).await;
    assert_eq!(r.status(), 200);
    app
}

/// A browser without JavaScript: keeps cookies, reads the form token.
pub(crate) struct Browser {
    pub(crate) client: reqwest::Client,
    pub(crate) base: String,
    pub(crate) cookies: BTreeMap<String, String>,
    pub(crate) csrf: String,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.address.clone(),
            cookies: BTreeMap::new(),
            csrf: String::new(),
        }
    }

    pub(crate) fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let first = v.split(';').next().unwrap();
            let (k, val) = first.split_once('=').unwrap();
            if v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let status = r.status();
        let html = r.text().await.unwrap();
        if let Some(at) = html.find("name=\"csrf\" value=\"") {
            self.csrf = html[at + 19..at + 19 + 64].to_owned();
        }
        (status, html)
    }

    /// The status, content type and bytes of `path` (a file).
    pub(crate) async fn get_bytes(&mut self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let status = r.status();
        let kind = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, kind, r.bytes().await.unwrap().to_vec())
    }

    /// Posts a form from the page last shown (its CSRF token included).
    pub(crate) async fn post(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let mut all = vec![("csrf", self.csrf.clone())];
        all.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(&all)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let html = r.text().await.unwrap();
        if let Some(at) = html.find("name=\"csrf\" value=\"") {
            self.csrf = html[at + 19..at + 19 + 64].to_owned();
        }
        (status, location, html)
    }
}

pub(crate) async fn outbox(app: &TestApp, to: &str) -> Vec<Value> {
    let r = app
        .get(&format!(
            "/api/v1/sandbox/outbox?to={}",
            ghiseu_tests::percent_encode(to)
        ))
        .await;
    r.json::<Value>().await.unwrap()["messages"]
        .as_array()
        .unwrap()
        .clone()
}

/// The newest code sent to `to`.
pub(crate) async fn last_code(app: &TestApp, to: &str) -> String {
    let messages = outbox(app, to).await;
    let text = messages.first().expect("a message")["text"]
        .as_str()
        .unwrap()
        .to_owned();
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a 6-digit code")
        .to_owned()
}

pub(crate) const PHONE: &str = "+40745000111";
const EMAIL: &str = "ana.citizen@example.ro";
const PASSWORD: &str = "o parolă bună 2026";

/// Another citizen, signed up with only a phone (E.164) and confirmed.
pub(crate) async fn signed_up(app: &TestApp, name: &str, phone: &str) -> Browser {
    let mut b = Browser::new(app);
    b.get("/portal/register").await;
    let pw = "încă o parolă lungă";
    let (status, _, _) = b
        .post(
            "/portal/register",
            &[
                ("name", name),
                ("phone", phone),
                ("password", pw),
                ("password2", pw),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let code = last_code(app, phone).await;
    b.get("/portal/verify").await;
    let (status, _, _) = b
        .post("/portal/verify", &[("contact", phone), ("code", &code)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    b
}

pub(crate) async fn registered(app: &TestApp) -> Browser {
    let mut b = Browser::new(app);
    b.get("/portal/register").await;
    let (status, location, _) = b
        .post(
            "/portal/register",
            &[
                ("name", "Ana Cetățean"),
                ("email", EMAIL),
                ("phone", "0745 000 111"),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/portal/verify"), "{location}");
    b.get(&location).await;
    let code = last_code(app, PHONE).await;
    assert_eq!(
        outbox(app, EMAIL).await.len(),
        1,
        "the e-mail gets its own code"
    );
    let (status, location, _) = b
        .post("/portal/verify", &[("contact", PHONE), ("code", &code)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/portal");
    assert!(b.cookies.contains_key("ghiseu_citizen"));
    b
}

#[tokio::test]
async fn register_verify_sign_in_by_password_and_by_sms_and_reset() {
    let app = spawn().await;
    let mut b = registered(&app).await;
    let (status, html) = b.get("/portal").await;
    assert_eq!(status, 200);
    assert!(html.contains("Documentele mele") && html.contains("Ana Cetățean"));
    b.post("/portal/logout", &[]).await;
    assert!(!b.cookies.contains_key("ghiseu_citizen"));

    // Password sign-in: wrong then right.
    let mut c = Browser::new(&app);
    c.get("/portal/login").await;
    let (status, _, html) = c
        .post(
            "/portal/login",
            &[("contact", EMAIL), ("password", "nu e parola mea")],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("href=\"#contact\""));
    // The e-mail was never proven: the right password asks for its code first.
    let (status, _, html) = c
        .post(
            "/portal/login",
            &[("contact", EMAIL), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("action=\"/portal/verify\""), "{html}");
    assert!(!c.cookies.contains_key("ghiseu_citizen"));
    let (status, location, _) = c
        .post(
            "/portal/login",
            &[("contact", "0745 000 111"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal")
    );

    // SMS sign-in without a password; the code works once.
    let mut d = Browser::new(&app);
    d.get("/portal/login/sms").await;
    let (status, _, _) = d
        .post("/portal/login/sms", &[("contact", "0745000111")])
        .await;
    assert_eq!(status, 200);
    let code = last_code(&app, PHONE).await;
    let (status, location, _) = d
        .post(
            "/portal/login/sms/code",
            &[("contact", PHONE), ("code", &code)],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal")
    );
    let mut e = Browser::new(&app);
    e.get("/portal/login/sms").await;
    let (status, _, _) = e
        .post(
            "/portal/login/sms/code",
            &[("contact", PHONE), ("code", &code)],
        )
        .await;
    assert_eq!(status, StatusCode::GONE, "a code works once");

    // Reset: a new password through a code; the old one stops working, and
    // whoever was signed in with it (c, on another device) is signed out.
    let (_, html) = c.get("/portal").await;
    assert!(
        html.contains("Documentele mele"),
        "c is signed in before the reset"
    );
    let mut f = Browser::new(&app);
    f.get("/portal/reset").await;
    // Only a proven contact gets a reset code: the e-mail was never proven.
    let mails = outbox(&app, EMAIL).await.len();
    f.post("/portal/reset", &[("contact", EMAIL)]).await;
    assert_eq!(outbox(&app, EMAIL).await.len(), mails);
    f.post("/portal/reset", &[("contact", PHONE)]).await;
    let code = last_code(&app, PHONE).await;
    let new_password = "alta parolă sigură 2027";
    let (status, location, _) = f
        .post(
            "/portal/reset/confirm",
            &[
                ("contact", PHONE),
                ("code", &code),
                ("password", new_password),
                ("password2", new_password),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal")
    );
    let (_, html) = c.get("/portal").await;
    assert!(
        !html.contains("Documentele mele"),
        "the reset ends earlier sessions"
    );
    let (_, html) = f.get("/portal").await;
    assert!(
        html.contains("Documentele mele"),
        "the session the reset started stands"
    );
    let mut g = Browser::new(&app);
    g.get("/portal/login").await;
    let (status, _, _) = g
        .post(
            "/portal/login",
            &[("contact", PHONE), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = g
        .post(
            "/portal/login",
            &[("contact", PHONE), ("password", new_password)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn guessing_a_code_stops_after_five_attempts_and_unknown_contacts_get_nothing() {
    let app = spawn().await;
    registered(&app).await;
    let mut b = Browser::new(&app);
    b.get("/portal/login/sms").await;
    b.post("/portal/login/sms", &[("contact", PHONE)]).await;
    let code = last_code(&app, PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (status, _, _) = b
            .post(
                "/portal/login/sms/code",
                &[("contact", PHONE), ("code", wrong)],
            )
            .await;
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses, [422, 422, 422, 422, 410]);
    // Even the right code is refused now.
    let (status, _, _) = b
        .post(
            "/portal/login/sms/code",
            &[("contact", PHONE), ("code", &code)],
        )
        .await;
    assert_eq!(status, StatusCode::GONE);
    assert!(!b.cookies.contains_key("ghiseu_citizen"));

    // An unknown phone gets the same answer and no message.
    let (status, _, html) = b
        .post("/portal/login/sms", &[("contact", "0744999888")])
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("10 minute"));
    assert!(outbox(&app, "+40744999888").await.is_empty());

    // Codes to one phone are limited per hour (5): the sixth request sends nothing.
    for _ in 0..6 {
        b.post("/portal/login/sms", &[("contact", PHONE)]).await;
    }
    // register (1) + sms (1) + at most 3 more = 5.
    assert_eq!(outbox(&app, PHONE).await.len(), 5);
}

#[tokio::test]
async fn forms_need_their_csrf_token_and_bad_input_is_explained() {
    let app = spawn().await;
    let mut b = Browser::new(&app);
    b.get("/portal/register").await;
    b.csrf = "0".repeat(64);
    let (status, _, _) = b
        .post("/portal/register", &[("name", "X Y"), ("email", EMAIL)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    b.get("/portal/register").await;
    let (status, _, html) = b
        .post(
            "/portal/register",
            &[
                ("name", "<script>alert(1)</script>"),
                ("phone", "12"),
                ("password", "scurtă"),
                ("password2", "scurtă"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["#phone", "#password"] {
        assert!(html.contains(&format!("href=\"{field}\"")), "{field}");
    }
    assert!(!html.contains("<script>alert(1)</script>"));
}

#[tokio::test]
async fn a_paper_dossier_is_claimed_with_a_code_sent_to_its_contact() {
    let app = spawn().await;
    // The registry registers a petition with the citizen's phone.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let r = reg
        .intake(
            "petitie",
            &[("p.pdf", b"%PDF-1.4 hartie".to_vec())],
            &[("phone", "0745 000 222")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let number = format!("ALF-{}-000001", chrono::Utc::now().format("%Y"));
    let paper_phone = "+40745000222";
    let before = outbox(&app, paper_phone).await.len();

    // A citizen claims it: the code goes to the phone on the dossier.
    let mut b = registered(&app).await;
    b.get("/portal/claim").await;
    let (status, _, _) = b
        .post(
            "/portal/claim",
            &[("institution", "alfa"), ("number", &number)],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(outbox(&app, paper_phone).await.len(), before + 1);
    let code = last_code(&app, paper_phone).await;
    let (status, location, _) = b
        .post(
            "/portal/claim/confirm",
            &[
                ("institution", "alfa"),
                ("number", &number),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal")
    );
    let (_, html) = b.get("/portal").await;
    assert!(html.contains(&number) && html.contains("Petiție"), "{html}");

    // Another citizen sees nothing of it, and a claim of a number that does
    // not exist answers the same and sends nothing.
    let mut other = signed_up(&app, "Alt Om", "+40745000333").await;
    let (_, html) = other.get("/portal").await;
    assert!(!html.contains(&number));
    other.get("/portal/claim").await;
    let total = app
        .get("/api/v1/sandbox/outbox")
        .await
        .json::<Value>()
        .await
        .unwrap()["messages"]
        .as_array()
        .unwrap()
        .len();
    let (status, _, _) = other
        .post(
            "/portal/claim",
            &[("institution", "alfa"), ("number", "ALF-2020-000099")],
        )
        .await;
    assert_eq!(status, 200);
    let after = app
        .get("/api/v1/sandbox/outbox")
        .await
        .json::<Value>()
        .await
        .unwrap()["messages"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(total, after);
    // A wrong code does not link it.
    let (status, _, _) = other
        .post(
            "/portal/claim/confirm",
            &[
                ("institution", "alfa"),
                ("number", &number),
                ("code", "000000"),
            ],
        )
        .await;
    assert!(status == 422 || status == 410, "{status}");
    let (_, html) = other.get("/portal").await;
    assert!(!html.contains(&number));
}

impl Browser {
    pub(crate) async fn post_multipart(
        &mut self,
        path: &str,
        form: Form,
        key: Option<&str>,
    ) -> (StatusCode, String, String) {
        let mut rb = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header());
        if let Some(k) = key {
            rb = rb.header("idempotency-key", k);
        }
        let r = rb.multipart(form).send().await.unwrap();
        self.keep(&r);
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, location, r.text().await.unwrap())
    }
}

/// Creates a document type through the admin API.
pub(crate) async fn create_type(app: &TestApp, definition: &Value) {
    let adm = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let r = adm
        .api(
            reqwest::Method::POST,
            "/api/v1/admin/document-types",
            Some(definition),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

pub(crate) fn aviz(code: &str, signature: &str) -> Value {
    json!({
        "code": code,
        "titles": {"ro": "Aviz de ocupare a domeniului public", "en": "Street occupation permit"},
        "deadline_days": 15, "working_days": false, "first_department": "registratura",
        "signature": signature, "fee_bani": 0, "retention_years": 10,
        "fields": [
            {"name": "adresa", "label": {"ro": "Adresa"}, "required": true, "kind": "address"},
            {"name": "cnp", "label": {"ro": "CNP"}, "required": false, "kind": "cnp"},
            {"name": "motiv", "label": {"ro": "Motivul"}, "required": true, "kind": "text", "max_chars": 200},
            {"name": "plan", "label": {"ro": "Plan de situație"}, "required": true,
             "kind": "attachment", "types": ["pdf", "png"], "max_bytes": 1000000},
            {"name": "act", "label": {"ro": "Act de proprietate"}, "required": true,
             "kind": "attachment", "types": ["pdf", "jpeg"], "max_bytes": 1000000}
        ]
    })
}

pub(crate) fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {tag}\n1 0 obj<<>>endobj\n%%EOF\n").into_bytes()
}

pub(crate) fn submission(
    csrf: &str,
    fields: &[(&str, &str)],
    plan: Vec<u8>,
    plan_name: &str,
) -> Form {
    let mut form = Form::new().text("csrf", csrf.to_owned());
    for (k, v) in fields {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    form.part("f_plan", Part::bytes(plan).file_name(plan_name.to_owned()))
        .part("f_act", Part::bytes(pdf("act")).file_name("act.pdf"))
}

#[tokio::test]
async fn online_submission_registers_once_renders_the_cerere_and_refuses_bad_input() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz", "simple")).await;
    let mut b = registered(&app).await;
    let (status, html) = b.get("/portal/new").await;
    assert_eq!(status, 200);
    assert!(html.contains("/portal/new/alfa/aviz"));
    let (status, html) = b.get("/portal/new/alfa/aviz").await;
    assert_eq!(status, 200);
    for name in [
        "f_adresa",
        "f_cnp",
        "f_motiv",
        "f_plan",
        "f_act",
        "idempotency_key",
    ] {
        assert!(html.contains(&format!("name=\"{name}\"")), "{name}");
    }
    let csrf = b.csrf.clone();
    let good = [
        ("f_adresa", "Str. Republicii 10, Florești"),
        ("f_cnp", "1960529120011"),
        ("f_motiv", "Terasă sezonieră"),
    ];

    // Bad input: each gets a clear error linking to its field; nothing is kept.
    let not_pdf = b"<html>not a pdf</html>".to_vec();
    let big = {
        let mut v = pdf("big");
        v.resize(1_500_000, b' ');
        v
    };
    // (text fields, the plan file, its name, the field the error must link to)
    type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<u8>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (good.to_vec(), not_pdf, "plan.pdf", "#f_plan"),
        (good.to_vec(), big, "plan.pdf", "#f_plan"),
        (
            vec![
                ("f_adresa", "Str. X 1"),
                ("f_cnp", "1960529120012"),
                ("f_motiv", "Da"),
            ],
            pdf("p"),
            "plan.pdf",
            "#f_cnp",
        ),
        (
            vec![("f_cnp", "1960529120011")],
            pdf("p"),
            "plan.pdf",
            "#f_adresa",
        ),
    ];
    for (fields, plan, name, want) in cases {
        let (status, _, html) = b
            .post_multipart(
                "/portal/new/alfa/aviz",
                submission(&csrf, &fields, plan, name),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{want}");
        assert!(html.contains(&format!("href=\"{want}\"")), "{want}: {html}");
    }
    // Markup in a text field comes back escaped, never as markup.
    let (status, _, html) = b
        .post_multipart(
            "/portal/new/alfa/aviz",
            submission(
                &csrf,
                &[("f_motiv", "<img src=x onerror=alert(1)>")],
                pdf("p"),
                "p.pdf",
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!html.contains("<img src=x") && html.contains("&lt;img src=x"));

    // A good submission, retried with the same Idempotency-Key: one dossier.
    let (status, location, _) = b
        .post_multipart(
            "/portal/new/alfa/aviz",
            submission(&csrf, &good, pdf("plan"), "plan.pdf"),
            Some("retry-key-1"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let first = format!("ALF-{}-000001", chrono::Utc::now().format("%Y"));
    assert_eq!(
        location,
        format!("/portal?registered={first}"),
        "the refused ones took no number"
    );
    let (status, again, _) = b
        .post_multipart(
            "/portal/new/alfa/aviz",
            submission(&csrf, &good, pdf("plan"), "plan.pdf"),
            Some("retry-key-1"),
        )
        .await;
    assert_eq!(
        (status, again.as_str()),
        (StatusCode::SEE_OTHER, location.as_str())
    );
    let (_, html) = b.get("/portal").await;
    assert_eq!(html.matches(&first).count(), 1, "{html}");
    assert!(html.contains("Aviz de ocupare"));
    // The citizen was told by SMS.
    let sms = outbox(&app, PHONE).await;
    assert!(sms[0]["text"].as_str().unwrap().contains(&first));

    // The registry sees the cerere PDF and both attachments on the dossier.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let id = reg.first_in_inbox("view=all").await;
    let page = reg.page(&id).await;
    for name in [
        "cerere.pdf",
        "plan.pdf",
        "act.pdf",
        "Str. Republicii 10",
        "online",
    ] {
        assert!(page.contains(name), "{name} missing from the desk page");
    }
    let at = page.find("/files/").unwrap() + 7;
    let cerere = reg
        .get(&format!("/desk/dossiers/{id}/files/{}", &page[at..at + 64]))
        .await;
    assert_eq!(cerere.headers()["content-type"], "application/pdf");
    assert!(cerere.bytes().await.unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn a_type_needing_a_qualified_signature_waits_and_is_not_registered() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz-calificat", "qualified")).await;
    let mut b = registered(&app).await;
    crate::payment::submit_qualified(&mut b).await;
    let (_, html) = b.get("/portal").await;
    assert!(html.contains("semnăturii electronice calificate"), "{html}");
    assert!(!html.contains("ALF-"), "nothing was registered");
}

/// The whole journey of issue 5 through HTTP: register → verify → submit with
/// two attachments → my documents → the institution asks for information →
/// the citizen answers with text and a file → resolved → the messages.
#[tokio::test]
async fn the_citizen_journey_from_account_to_resolution() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz", "simple")).await;
    let mut b = registered(&app).await;
    b.get("/portal/new/alfa/aviz").await;
    let csrf = b.csrf.clone();
    let (status, location, _) = b
        .post_multipart(
            "/portal/new/alfa/aviz",
            submission(
                &csrf,
                &[("f_adresa", "Piața Unirii 1"), ("f_motiv", "Eveniment")],
                pdf("plan"),
                "plan.pdf",
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let number = location.rsplit('=').next().unwrap().to_owned();

    // The registry asks for information.
    let reg = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let id = reg.first_in_inbox("view=all").await;
    // The registrar routes it; a tenant admin asks and decides (roles).
    let r = reg
        .act_now(&id, &[("action", "assign"), ("department", "registratura")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let admin = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let r = admin
        .act_now(
            &id,
            &[
                ("action", "request_info"),
                ("question", "Trimiteți avizul poliției locale"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The citizen sees the question and answers with text and a file.
    let (_, html) = b.get("/portal").await;
    let reply_path = format!("/portal/documents/alfa/{id}/reply");
    assert!(html.contains(&reply_path), "{html}");
    let (status, html) = b.get(&reply_path).await;
    assert_eq!(status, 200);
    assert!(html.contains("avizul poliției locale"));
    let csrf = b.csrf.clone();
    let form = Form::new()
        .text("csrf", csrf)
        .text("message", "Atașez avizul cerut.")
        .part(
            "files",
            Part::bytes(pdf("aviz politie")).file_name("aviz-politie.pdf"),
        );
    let (status, location, _) = b.post_multipart(&reply_path, form, None).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/portal")
    );
    // Another citizen cannot reach that reply form.
    let mut other = signed_up(&app, "Alt Om", "+40745000444").await;
    assert_eq!(other.get(&reply_path).await.0, StatusCode::NOT_FOUND);

    // The desk sees the reply and its file; then resolves.
    let page = reg.page(&id).await;
    assert!(page.contains("Atașez avizul cerut.") && page.contains("aviz-politie.pdf"));
    // A response is attached and issued by the resolution.
    let answer = pdf("aviz emis");
    let form = Form::new()
        .text("csrf", admin.csrf.clone())
        .text("route_head", admin.route_head(&id).await)
        .part(
            "document",
            Part::bytes(answer.clone()).file_name("aviz.pdf"),
        );
    let r = admin
        .multipart(&format!("/desk/dossiers/{id}/response"), form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let issued = format!("/portal/documents/alfa/{id}/issued.pdf");
    assert_eq!(
        b.get_bytes(&issued).await.0,
        StatusCode::NOT_FOUND,
        "not issued yet"
    );
    let r = admin
        .act_now(&id, &[("action", "resolve"), ("resolve_note", "Aviz emis")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = b.get("/portal").await;
    assert!(
        html.contains(&number) && html.contains("Soluționat"),
        "{html}"
    );
    // The citizen downloads the issued document; another citizen cannot.
    assert!(html.contains(&issued), "{html}");
    let (status, kind, bytes) = b.get_bytes(&issued).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert_eq!(bytes, answer);
    assert_eq!(other.get_bytes(&issued).await.0, StatusCode::NOT_FOUND);

    // The messages: registration, in progress, awaiting reply, in progress, resolved.
    let sms = outbox(&app, PHONE).await;
    // Within two segments an SMS may be written in GSM-7 letters.
    let about: Vec<String> = sms
        .iter()
        .map(|m| ghiseu_core::sms::to_gsm7(m["text"].as_str().unwrap()))
        .filter(|t| t.contains(&number))
        .collect();
    assert_eq!(about.len(), 5, "{about:#?}");
    assert!(about[0].contains("Solutionat"));
    assert!(about.iter().any(|t| t.contains("avizul politiei locale")));
}

/// Runs `tests/browser/citizen.mjs` in `mode`; its RESULT line.
async fn citizen_browser(
    app: &TestApp,
    artifacts: &std::path::Path,
    config: &std::path::Path,
    mode: &str,
) -> Value {
    let browser_dir = ghiseu_tests::workspace_root().join("tests/browser");
    let child = tokio::process::Command::new("node")
        .arg(browser_dir.join("citizen.mjs"))
        .arg(&app.address)
        .arg(artifacts)
        .arg(config)
        .arg(mode)
        .current_dir(&browser_dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawning node");
    let output = tokio::time::timeout(
        std::time::Duration::from_secs(180),
        child.wait_with_output(),
    )
    .await
    .unwrap_or_else(|_| panic!("the citizen browser ({mode}) did not finish in 180 s"))
    .expect("waiting for node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the citizen browser ({mode}) failed; screenshots in {}\n{stdout}\n{stderr}\n--- host log\n{}",
        artifacts.display(),
        app.log()
    );
    stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("RESULT "))
        .map(|l| serde_json::from_str(l).expect("RESULT is JSON"))
        .expect("no RESULT line")
}

/// Acts on the only open dossier of alfa as the tenant administrator.
async fn admin_acts(app: &TestApp, fields: &[(&str, &str)]) {
    let admin = app.desk_sign_in("alfa", "adm", "parola-adm-lunga").await;
    let id = admin.first_in_inbox("view=all").await;
    let r = admin.act_now(&id, fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{fields:?}");
}

/// Issue 5's journey in headless Chromium on a phone-sized screen: account,
/// SMS code, submission with two attachments, the institution's question, the
/// citizen's reply, resolution; the messages are in the outbox.
#[tokio::test]
async fn the_citizen_journey_in_a_browser() {
    let test = "the_citizen_journey_in_a_browser";
    let browser_dir = ghiseu_tests::workspace_root().join("tests/browser");
    crate::browser::require_toolchain(&browser_dir);
    let artifacts = crate::browser::artifacts_dir(test);
    println!("browser artifacts: {}", artifacts.display());
    let app = spawn().await;
    create_type(&app, &aviz("aviz", "simple")).await;
    let config = artifacts.join("citizen.json");
    std::fs::write(
        &config,
        serde_json::to_vec_pretty(&json!({
            "name": "Ioana Ungur-Kovács", "phone": "0745 000 555", "phone_e164": "+40745000555",
            "password": "parola mea de test 2026", "form_path": "/portal/new/alfa/aviz",
            "fields": {"f_adresa": "Str. Fabricii 7, Cluj-Napoca", "f_motiv": "Schelă pentru fațadă"},
            "files": ["f_plan", "f_act"], "pages": "f_act",
            "reply": "Am atașat avizul poliției locale.",
            "state": artifacts.join("state.json"),
            "identity": {"kind": "ci", "series": "CJ", "number": "654321",
                "cnp": "2850612120016", "surname": "Ungur-Kovács", "given_name": "Ioana"}
        }))
        .unwrap(),
    )
    .unwrap();
    let submitted = citizen_browser(&app, &artifacts, &config, "submit").await;
    let number = submitted["regno"]
        .as_str()
        .expect("a registration number")
        .to_owned();
    admin_acts(
        &app,
        &[
            ("action", "request_info"),
            ("question", "Avizul poliției locale"),
        ],
    )
    .await;
    citizen_browser(&app, &artifacts, &config, "reply").await;
    admin_acts(
        &app,
        &[("action", "resolve"), ("resolve_note", "Aviz emis")],
    )
    .await;
    citizen_browser(&app, &artifacts, &config, "final").await;
    // Then the qualified signature credential: payment, identification, active.
    citizen_browser(&app, &artifacts, &config, "credential").await;
    for name in [
        "01-register",
        "02-form-filled",
        "03-registered",
        "04-reply",
        "05-replied",
        "06-resolved",
        "07-tracking",
        "08-payment",
        "09-identity",
        "10-credential",
    ] {
        let len = std::fs::metadata(artifacts.join(format!("{name}.png"))).map_or(0, |m| m.len());
        assert!(len > 1000, "screenshot {name} missing");
    }
    // The messages the citizen got: the code, then one per public status change.
    let about: Vec<String> = outbox(&app, "+40745000555")
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .filter(|t| t.contains(&number))
        .collect();
    assert_eq!(
        about.len(),
        4,
        "registered, awaiting reply, in progress, resolved: {about:#?}"
    );
}

/// Pages and messages follow the citizen's language (here English).
#[tokio::test]
async fn pages_and_messages_in_the_citizens_language() {
    let app = spawn().await;
    create_type(&app, &aviz("aviz", "simple")).await;
    let mut b = Browser::new(&app);
    let (_, html) = b.get("/portal/register?lang=en").await;
    assert!(html.contains("Create an account") && html.contains("lang=\"en\""));
    let pw = "an English password";
    let (status, location, _) = b
        .post(
            // As a browser sends it: the form's hidden field carries the language.
            "/portal/register",
            &[
                ("name", "Anna Smith"),
                ("phone", "0745000666"),
                ("password", pw),
                ("password2", pw),
                ("lang", "en"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let code_sms = outbox(&app, "+40745000666").await;
    assert!(
        code_sms[0]["text"]
            .as_str()
            .unwrap()
            .contains("Valid for 10 minutes")
    );
    b.get(&location).await;
    let code = last_code(&app, "+40745000666").await;
    b.post(
        "/portal/verify",
        &[("contact", "+40745000666"), ("code", &code)],
    )
    .await;
    let (_, html) = b.get("/portal/new/alfa/aviz").await;
    assert!(
        html.contains("Street occupation permit"),
        "the type's English title"
    );
    let csrf = b.csrf.clone();
    let (status, _, _) = b
        .post_multipart(
            "/portal/new/alfa/aviz",
            submission(
                &csrf,
                &[("f_adresa", "1 Main St"), ("f_motiv", "Scaffold")],
                pdf("p"),
                "p.pdf",
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let sms = outbox(&app, "+40745000666").await;
    let text = sms[0]["text"].as_str().unwrap();
    assert!(
        text.contains("was registered as no.") && text.contains("Street occupation permit"),
        "{text}"
    );
}

/// Failed password sign-ins are throttled like the desk's: after five for one
/// contact, even the right password is refused for a while.
#[tokio::test]
async fn password_guessing_is_throttled() {
    let app = spawn().await;
    registered(&app).await;
    let mut b = Browser::new(&app);
    b.get("/portal/login").await;
    for _ in 0..5 {
        let (status, _, _) = b
            .post(
                "/portal/login",
                &[("contact", PHONE), ("password", "nu e parola")],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, html) = b
        .post(
            "/portal/login",
            &[("contact", PHONE), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("href=\"#contact\""));
    assert!(!b.cookies.contains_key("ghiseu_citizen"));
}

#[tokio::test]
async fn an_email_address_is_one_identity_whatever_its_letter_case() {
    // Arrange: an account registered with capitals in its e-mail address.
    let app = spawn().await;
    let mut b = Browser::new(&app);
    b.get("/portal/register").await;
    let pw = "o parolă cu litere mari";
    let (status, location, _) = b
        .post(
            "/portal/register",
            &[
                ("name", "Ana Pop"),
                ("email", "Ana.Pop@Example.RO"),
                ("password", pw),
                ("password2", pw),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    b.get(&location).await;
    let code = last_code(&app, "Ana.Pop@example.ro").await;
    let (status, _, _) = b
        .post(
            "/portal/verify",
            &[("contact", "ANA.POP@example.ro"), ("code", &code)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Act
    let mut other = Browser::new(&app);
    other.get("/portal/register").await;
    let (again, _, _) = other
        .post(
            "/portal/register",
            &[
                ("name", "Altcineva"),
                ("email", "ana.pop@example.ro"),
                ("password", pw),
                ("password2", pw),
            ],
        )
        .await;
    let mut c = Browser::new(&app);
    c.get("/portal/login").await;
    let (login, to, _) = c
        .post(
            "/portal/login",
            &[("contact", "ana.pop@EXAMPLE.ro"), ("password", pw)],
        )
        .await;

    // Assert: one account, reached by the address in any case; mail still
    // goes to the address as it was typed.
    assert_ne!(
        again,
        StatusCode::SEE_OTHER,
        "a second account was made for the same address"
    );
    assert_eq!((login, to.as_str()), (StatusCode::SEE_OTHER, "/portal"));
}

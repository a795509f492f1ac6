//! My data (`GET /portal/my-data`): what the platform holds about the
//! account, its download as one ZIP (`GET /portal/my-data.zip`:
//! `date-personale.json` and the files of the dossiers, sent as they are
//! read; a few a day), and closing the account
//! (`POST /portal/my-data/close`: the password and a confirmation), with
//! what closing erases and what the law makes the institutions keep.
//!
//! The use cases are `ghiseu_app::citizen::my_data` and
//! `ghiseu_app::citizen::closing`; this file parses, checks and words.

use ghiseu_app::citizen::{self, closing, my_data::Export};
use ghiseu_core::Lang;
use ghiseu_platform::http::{self as web, Form, cookie, form_raw, see_other, set_cookie};
use ghiseu_platform::rate_limit::FixedWindow;
use ghiseu_platform::s3::S3Client;
use ghiseu_platform::session;
use http::StatusCode;
use maud::{Markup, html};

use crate::ctx::{CITIZEN, Ctx, Res, SESSION_COOKIE};
use crate::pages::{Errors, errors as error_summary, form_state, title};
use crate::texts::pick;

/// The closing form's path: its CSRF token is checked here, since a retry
/// of a closing that stopped halfway comes with a session whose account
/// is already closed.
pub(crate) const CLOSE_PATH: &str = "/portal/my-data/close";

/// Downloads of the ZIP an account may start a day (each reads every file
/// of its dossiers).
const DOWNLOADS_PER_DAY: i64 = 5;

/// Password attempts an account may make at closing, an hour.
const CLOSE_ATTEMPTS_PER_HOUR: i64 = 10;

fn heading(lang: Lang) -> String {
    pick(lang, "Datele mele", "Adataim", "My data")
}

/// `GET /portal/my-data` (nobody is sent to sign in).
pub(crate) async fn page(ctx: &Ctx) -> Res {
    close_page(ctx, StatusCode::OK, &[]).await
}

/// The page, with the closing form's `errors`.
async fn close_page(
    ctx: &Ctx,
    status: StatusCode,
    errors: &[(String, String)],
) -> ghiseu_platform::Result<web::Response> {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    let dossiers = citizen::linked_dossiers(&ctx.store, &account.id)
        .await?
        .len();
    let orders = citizen::orders(&ctx.store, &account.id).await?.len();
    let waiting = citizen::awaiting_signature(&ctx.store, &account.id)
        .await?
        .len();
    let contacts: Vec<String> = [
        account
            .email
            .as_ref()
            .map(|e| (e.as_str(), account.email_verified)),
        account
            .phone
            .as_ref()
            .map(|p| (p.as_str(), account.phone_verified)),
    ]
    .into_iter()
    .flatten()
    .map(|(c, verified)| {
        let state = if verified {
            pick(lang, "confirmat", "megerősítve", "confirmed")
        } else {
            pick(lang, "neconfirmat", "nincs megerősítve", "not confirmed")
        };
        format!("{c} ({state})")
    })
    .collect();
    let name = account.name.as_str().to_owned();
    let created = ghiseu_core::calendar::written_date(
        lang,
        ghiseu_core::calendar::local_date(account.created_at),
    );
    let heading = heading(lang);
    Ok(ctx.page(status, &title(lang, &heading, errors), |csrf| {
        html! {
            h1 { (heading) }
            (error_summary(lang, errors))
            h2 { (pick(lang, "Ce știm despre dumneavoastră", "Amit Önről tárolunk", "What we hold about you")) }
            ul {
                li { (pick(lang, "Numele: ", "Név: ", "Name: ")) strong { (name) } }
                @for c in &contacts { li { (pick(lang, "Contact: ", "Elérhetőség: ", "Contact: ")) (c) } }
                li { (pick(lang, "Cont creat la: ", "Fiók létrehozva: ", "Account created on: ")) (created) }
                li { (pick(lang, "Dosare legate de cont: ", "A fiókhoz kötött ügyiratok: ", "Files linked to the account: ")) (dossiers) }
                li { (pick(lang, "Cereri care așteaptă plata sau semnătura: ", "Fizetésre vagy aláírásra váró kérelmek: ", "Requests waiting for payment or signature: ")) (waiting) }
                li { (pick(lang, "Comenzi și plăți: ", "Megrendelések és fizetések: ", "Orders and payments: ")) (orders) }
            }
            p { (pick(lang,
                "Descărcarea cuprinde tot ce păstrează platforma despre cont: datele contului, identificarea și semnătura electronică, plățile, dosarele cu datele din formulare și contactul dat în fiecare, cererile în așteptare, mesajele trimise despre dosare (date-personale.json), și fișierele dosarelor, câte un dosar pe folder.",
                "A letöltés mindent tartalmaz, amit a platform a fiókról tárol: a fiók adatait, az azonosítást és az elektronikus aláírást, a fizetéseket, az ügyiratokat az űrlapadatokkal és az egyes ügyiratokban megadott elérhetőséggel, a várakozó kérelmeket, az ügyiratokról küldött üzeneteket (date-personale.json), valamint az ügyiratok fájljait, ügyiratonként egy mappában.",
                "The download holds everything the platform keeps about the account: the account's details, the identification and electronic signature, the payments, the files with the form data and the contact given in each, the requests waiting, the messages sent about the files (date-personale.json), and the files' documents, one folder per file.")) }
            p { a href={ "/portal/my-data.zip?lang=" (lang.code()) } download {
                (pick(lang, "Descarcă datele mele (ZIP)", "Adataim letöltése (ZIP)", "Download my data (ZIP)")) } }
            p { (pick(lang,
                "Nu sunt incluse: hash-ul parolei și sesiunile (secrete ale contului), codurile de unică folosință, notele interne ale funcționarilor și datele altor persoane. Fișierul JSON spune de ce.",
                "Nem szerepel benne: a jelszó hash-e és a munkamenetek (a fiók titkai), az egyszer használatos kódok, az ügyintézők belső jegyzetei és mások adatai. A JSON-fájl megmondja, miért.",
                "Not included: the password's hash and the sessions (secrets of the account), one-time codes, officials' internal notes and other people's data. The JSON file says why.")) }
            h2 id="close" { (pick(lang, "Închiderea contului", "A fiók megszüntetése", "Closing the account")) }
            (what_closing_does(lang))
            form method="post" action=(CLOSE_PATH) novalidate {
                (form_state(csrf, lang))
                (password_field(lang, errors))
                (confirm_field(lang, errors))
                button type="submit" { (pick(lang, "Închide contul definitiv", "A fiók végleges megszüntetése", "Close the account for good")) }
            }
            p { a href={ "/portal?lang=" (lang.code()) } { (pick(lang, "Înapoi la documentele mele", "Vissza a dokumentumaimhoz", "Back to my documents")) } }
        }
    }))
}

fn password_field(lang: Lang, errors: &[(String, String)]) -> Markup {
    let error = errors.iter().find(|(f, _)| f == "password").map(|(_, m)| m);
    html! {
        label for="password" { (pick(lang, "Parola contului", "A fiók jelszava", "The account's password")) }
        @if let Some(m) = error { p.error id="password-error" { (m) } }
        input id="password" name="password" type="password" autocomplete="current-password"
            aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "password-error")];
    }
}

fn confirm_field(lang: Lang, errors: &[(String, String)]) -> Markup {
    let error = errors.iter().find(|(f, _)| f == "confirm").map(|(_, m)| m);
    html! {
        @if let Some(m) = error { p.error id="confirm-error" { (m) } }
        div.checkbox {
            input id="confirm" name="confirm" type="checkbox" value="yes"
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "confirm-error")];
            label for="confirm" { (pick(lang,
                "Înțeleg că închiderea este definitivă și că am descărcat ce am nevoie.",
                "Megértettem, hogy a megszüntetés végleges, és letöltöttem, amire szükségem van.",
                "I understand that closing is final and that I have downloaded what I need.")) }
        }
    }
}

/// What closing erases, what it keeps and why.
fn what_closing_does(lang: Lang) -> Markup {
    html! {
        p { (pick(lang,
            "La închidere, toate sesiunile se încheie și se șterg: numele, e-mailul și telefonul, parola, identificarea și datele semnăturii electronice, preferințele, cererile neînregistrate încă și fișierele încărcate pentru ele, mesajele trimise și legătura cu dosarele. E-mailul și telefonul pot fi folosite apoi pentru un cont nou.",
            "A megszüntetéskor minden munkamenet véget ér, és törlődik: a név, az e-mail-cím és a telefonszám, a jelszó, az azonosítás és az elektronikus aláírás adatai, a beállítások, a még nem iktatott kérelmek és a hozzájuk feltöltött fájlok, az elküldött üzenetek és az ügyiratokhoz fűződő kapcsolat. Az e-mail-cím és a telefonszám ezután új fiókhoz használható.",
            "On closing, every session ends and these are erased: the name, e-mail and phone, the password, the identification and electronic signature details, the preferences, the requests not yet registered and the files uploaded for them, the messages sent and the link to the files. The e-mail and phone can then be used for a new account.")) }
        h3 { (pick(lang, "Ce se păstrează și de ce", "Mi marad meg, és miért", "What is kept and why")) }
        ul {
            li { (pick(lang,
                "Dosarele înregistrate, cu cererea, documentele, datele din formular și contactul dat în ele, rămân la instituția care le-a primit până la sfârșitul termenului de păstrare al tipului de document: Legea 16/1996 a Arhivelor Naționale obligă instituțiile să le păstreze. Instituția vă poate răspunde în continuare la adresa dată în dosar.",
                "Az iktatott ügyiratok a kérelemmel, a dokumentumokkal, az űrlapadatokkal és a bennük megadott elérhetőséggel az azokat befogadó intézménynél maradnak a dokumentumtípus megőrzési idejének végéig: a Nemzeti Levéltárról szóló 16/1996-os törvény kötelezi erre az intézményeket. Az intézmény továbbra is válaszolhat az ügyiratban megadott címre.",
                "Registered files, with the request, the documents, the form data and the contact given in them, stay with the institution that received them until the document type's retention period ends: the National Archives Law 16/1996 obliges institutions to keep them. The institution may still answer you at the address given in the file.")) }
            li { (pick(lang,
                "Plățile (suma, data, chitanța și ce s-a plătit) se păstrează pentru evidența contabilă cerută de Legea contabilității 82/1991, fără nume sau contact.",
                "A fizetések (összeg, dátum, nyugta és hogy mit fizettek) a 82/1991-es számviteli törvény által előírt nyilvántartás miatt megmaradnak, név és elérhetőség nélkül.",
                "Payments (amount, date, receipt and what was paid) are kept for the accounting records required by the Accounting Law 82/1991, without name or contact.")) }
            li { (pick(lang,
                "Furnizorul semnăturii electronice își păstrează propriile evidențe despre certificatul emis, după contractul său.",
                "Az elektronikus aláírás szolgáltatója a kiadott tanúsítványról saját nyilvántartást vezet, a szerződése szerint.",
                "The electronic signature provider keeps its own records of the certificate it issued, under its contract.")) }
        }
        p { (pick(lang,
            "Dacă vă înregistrați din nou cu același e-mail sau telefon, veți avea un cont nou, gol: dosarele vechi nu i se leagă automat.",
            "Ha ugyanazzal az e-mail-címmel vagy telefonszámmal újra regisztrál, új, üres fiókot kap: a régi ügyiratok nem kapcsolódnak hozzá automatikusan.",
            "If you sign up again with the same e-mail or phone, you get a new, empty account: the old files are not linked to it automatically.")) }
    }
}

/// `GET /portal/my-data.zip`.
pub(crate) async fn download(ctx: &Ctx) -> Res {
    let lang = ctx.lang;
    let Some((_, account)) = &ctx.signed else {
        return Ok(see_other("/portal/login"));
    };
    if !citizen::within_limit(
        "my-data",
        &account.id,
        FixedWindow::new(DOWNLOADS_PER_DAY, 24 * 3600),
        ctx.now,
    )? {
        let heading = heading(lang);
        let mut r = ctx.page(StatusCode::TOO_MANY_REQUESTS, &heading, |_| {
            html! {
                h1 { (heading) }
                p.error role="alert" { (pick(lang,
                    "Ați descărcat datele de prea multe ori azi. Reîncercați mâine.",
                    "Ma már túl sokszor töltötte le az adatait. Próbálja újra holnap.",
                    "You have downloaded your data too many times today. Try again tomorrow.")) }
            }
        });
        r.headers_mut().insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("3600"),
        );
        return Ok(r);
    }
    let export = Export::of(&ctx.store, account, ctx.now, &left_out(lang)).await?;
    let s3 = S3Client::from_variables().await?;
    Ok(web::streamed_download(
        "application/zip",
        "date-personale.zip",
        move |mut sink| async move { export.send(&s3, &mut sink).await },
    ))
}

/// What the download leaves out, and why, in `lang` (the JSON's
/// `not_included`).
fn left_out(lang: Lang) -> [(&'static str, String); 5] {
    [
        (
            "password",
            pick(
                lang,
                "Parola este păstrată doar ca hash într-un singur sens: este un secret al contului, nu o dată despre persoană, și nu se predă niciodată.",
                "A jelszót csak egyirányú hash-ként tároljuk: a fiók titka, nem a személyre vonatkozó adat, és soha nem adjuk ki.",
                "Only a one-way hash of the password is kept: it is a secret of the account, not data about the person, and is never handed out.",
            ),
        ),
        (
            "sessions",
            pick(
                lang,
                "Identificatorii sesiunilor și jetoanele formularelor lor sunt secrete care autentifică browserul: cine ar avea fișierul ar putea lucra în numele contului.",
                "A munkamenet-azonosítók és űrlapjaik tokenjei a böngészőt beléptető titkok: aki birtokolná a fájlt, a fiók nevében cselekedhetne.",
                "Session identifiers and their form tokens are secrets that sign the browser in: anyone holding the file could act as the account.",
            ),
        ),
        (
            "one_time_codes",
            pick(
                lang,
                "Codurile trimise prin SMS sau e-mail sunt păstrate doar ca hash cu sare, zece minute.",
                "Az SMS-ben vagy e-mailben küldött kódokat csak sózott hash-ként, tíz percig tároljuk.",
                "Codes sent by SMS or e-mail are kept only as a salted hash, for ten minutes.",
            ),
        ),
        (
            "internal_notes",
            pick(
                lang,
                "Notele interne și proiectele de răspuns neemise sunt documentele de lucru ale instituției; traseul, documentele emise și notele publice sunt în arhiva fiecărui dosar și pe pagina lui de urmărire.",
                "A belső jegyzetek és a ki nem adott választervezetek az intézmény munkairatai; az útvonal, a kiadott dokumentumok és a nyilvános megjegyzések minden ügyirat archív csomagjában és követési oldalán megtalálhatók.",
                "Internal notes and drafted answers not issued are the institution's working papers; the route, the documents issued and the public notes are in each file's archive bundle and on its tracking page.",
            ),
        ),
        (
            "other_people",
            pick(
                lang,
                "Conturile funcționarilor și datele altor cetățeni sunt ale lor. Cine a deschis un dosar se vede pe pagina dosarului.",
                "Az ügyintézők fiókjai és más állampolgárok adatai az övék. Hogy ki nyitott meg egy ügyiratot, az ügyirat oldalán látható.",
                "Officials' accounts and other citizens' data are theirs. Who opened a file is shown on the file's page.",
            ),
        ),
    ]
}

/// `POST /portal/my-data/close`: the password and the confirmation, then
/// the closing; the same form posted again after a closing that stopped
/// halfway finishes it.
pub(crate) async fn close(ctx: &Ctx, form: &Form) -> Res {
    let lang = ctx.lang;
    let given_csrf = web::form_field(form, "csrf");
    let Some((s, account)) = &ctx.signed else {
        return retry(ctx, given_csrf).await;
    };
    if !ctx.csrf_ok(given_csrf) {
        return Ok(ctx.expired_form());
    }
    let mut errors = Errors::new();
    if web::form_field(form, "confirm") != Some("yes") {
        errors.push((
            "confirm".to_owned(),
            pick(
                lang,
                "Bifați că înțelegeți că închiderea este definitivă.",
                "Jelölje be, hogy megértette: a megszüntetés végleges.",
                "Tick that you understand closing is final.",
            ),
        ));
    }
    if !citizen::within_limit(
        "close-password",
        &account.id,
        FixedWindow::per_hour(CLOSE_ATTEMPTS_PER_HOUR),
        ctx.now,
    )? {
        errors.push((
            "password".to_owned(),
            pick(
                lang,
                "Prea multe încercări. Reîncercați peste o oră.",
                "Túl sok próbálkozás. Próbálja újra egy óra múlva.",
                "Too many attempts. Try again in an hour.",
            ),
        ));
        return close_page(ctx, StatusCode::TOO_MANY_REQUESTS, &errors).await;
    }
    let password = form_raw(form, "password");
    let right = account
        .password_hash
        .as_deref()
        .is_some_and(|h| session::verify_password(password, h));
    if !right {
        errors.push((
            "password".to_owned(),
            pick(lang,
                "Parola nu este corectă. Dacă nu o mai știți, setați una nouă din pagina de autentificare.",
                "A jelszó nem helyes. Ha elfelejtette, állítson be újat a bejelentkezési oldalon.",
                "The password is not right. If you have forgotten it, set a new one from the sign-in page."),
        ));
    }
    if !errors.is_empty() {
        return close_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, &errors).await;
    }
    let s3 = S3Client::from_variables().await?;
    closing::close(&ctx.store, &s3, &account.id, ctx.now).await?;
    session::destroy(&ctx.store, &s.id).await?;
    Ok(closed_page(ctx))
}

/// Finishes the closing of `contact`'s account if it stopped halfway (called
/// before a sign-in or a sign-up with the contact).
pub(crate) async fn finish_stopped_closing(
    ctx: &Ctx,
    contact: &ghiseu_core::citizen::Contact,
) -> ghiseu_platform::Result<()> {
    if let Some(id) = closing::stopped_by_contact(&ctx.store, contact).await? {
        let s3 = S3Client::from_variables().await?;
        closing::close(&ctx.store, &s3, &id, ctx.now).await?;
    }
    Ok(())
}

/// The closing form posted by a browser whose account is no longer open:
/// with the session that started the closing (and its form token), the
/// closing is finished; anyone else goes to sign in.
async fn retry(ctx: &Ctx, given_csrf: Option<&str>) -> Res {
    let session = match cookie(&ctx.headers, SESSION_COOKIE) {
        Some(id) => session::load(&ctx.store, id, ctx.now).await?,
        None => None,
    };
    let Some(s) = session.filter(|s| {
        s.tenant == CITIZEN
            && session::constant_time_eq(s.csrf.as_bytes(), given_csrf.unwrap_or("-").as_bytes())
    }) else {
        return Ok(see_other("/portal/login"));
    };
    if !closing::is_closed(&ctx.store, &s.username).await? {
        return Ok(see_other("/portal/login"));
    }
    let s3 = S3Client::from_variables().await?;
    closing::close(&ctx.store, &s3, &s.username, ctx.now).await?;
    session::destroy(&ctx.store, &s.id).await?;
    Ok(closed_page(ctx))
}

/// The answer to a closing: what was erased and what is kept; the session's
/// cookie is removed.
fn closed_page(ctx: &Ctx) -> web::Response {
    let lang = ctx.lang;
    let heading = pick(
        lang,
        "Contul a fost închis",
        "A fiók megszűnt",
        "The account is closed",
    );
    let mut r = ctx.signed_out_page(StatusCode::OK, &heading, |_| {
        html! {
            h1 { (heading) }
            p.notice role="status" { (pick(lang,
                "Datele personale ale contului au fost șterse și toate sesiunile s-au încheiat.",
                "A fiók személyes adatai törlődtek, és minden munkamenet véget ért.",
                "The account's personal data has been erased and every session has ended.")) }
            (what_closing_does(lang))
            p { a href={ "/?lang=" (lang.code()) } { (pick(lang, "Pagina principală", "Főoldal", "Home page")) } }
        }
    });
    set_cookie(&mut r, &session::removed_cookie(SESSION_COOKIE));
    r
}

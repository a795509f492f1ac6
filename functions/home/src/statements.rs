//! The accessibility statement (OUG 112/2018, which transposes Directive
//! (EU) 2016/2102) and the privacy notice (GDPR art. 13), in each language.

use ghiseu_core::Lang;
use maud::{Markup, html};

use crate::pages::{layout, pick};

/// A statement: its title and sections of (heading, paragraphs).
struct Statement {
    title: &'static str,
    sections: &'static [(&'static str, &'static [&'static str])],
}

fn render(lang: Lang, path: &str, s: &Statement, updated: Markup) -> String {
    let body = html! {
        h1 { (s.title) }
        (updated)
        @for (heading, paragraphs) in s.sections {
            h2 { (heading) }
            @for p in *paragraphs { p { (p) } }
        }
        p { a href={ "/?lang=" (lang.code()) } { (pick(lang, "Instituțiile și datele lor de contact", "Az intézmények és elérhetőségeik", "The institutions and their contact details")) } }
    };
    layout(lang, s.title, path, None, body)
}

fn updated(lang: Lang) -> Markup {
    html! { p.hint { (pick(lang, "Actualizată la ", "Frissítve: ", "Updated on ")) time datetime="2026-12-04" { "04.12.2026" } } }
}

const ACCESSIBILITY_RO: Statement = Statement {
    title: "Declarația de accesibilitate",
    sections: &[
        (
            "Angajamentul nostru",
            &[
                "Consiliul Județean Cluj și primăriile care folosesc Ghișeul unic se angajează să facă acest site accesibil, conform Ordonanței de urgență a Guvernului nr. 112/2018 privind accesibilitatea site-urilor web și a aplicațiilor mobile ale organismelor din sectorul public.",
                "Declarația se aplică paginilor publice (pagina principală, urmărirea documentelor, verificarea actelor, statistici) și contului cetățeanului.",
            ],
        ),
        (
            "Stadiul conformității",
            &[
                "Site-ul este parțial conform cu standardul EN 301 549 și cu nivelul AA al Ghidului WCAG 2.1, din cauza excepțiilor de mai jos.",
                "Paginile funcționează fără JavaScript, pot fi folosite doar cu tastatura, se pot mări la 400% și se reașază pe un ecran lat de 320 de pixeli fără derulare orizontală.",
            ],
        ),
        (
            "Conținut care nu este accesibil",
            &[
                "Documentele PDF generate de platformă (cererile și răspunsurile semnate) nu sunt încă documente PDF etichetate (PDF/UA): un cititor de ecran le citește textul, dar nu și structura. Aceleași informații apar, ca text, pe pagina de urmărire și în contul dumneavoastră.",
                "Fișierele încărcate de cetățeni sau de instituții (fotografii, scanări) nu au descriere textuală.",
            ],
        ),
        (
            "Cum a fost pregătită declarația",
            &[
                "Prin autoevaluare: testele automate ale platformei verifică fiecare pagină a parcursului unui cetățean cu axe-core (WCAG 2.1 AA), pe un telefon de 360 × 740 și pe un ecran de 1366 × 768, și verifică absența derulării orizontale la 320 de pixeli.",
            ],
        ),
        (
            "Feedback și contact",
            &[
                "Dacă întâmpinați o problemă de accesibilitate sau aveți nevoie de un document într-un format accesibil, scrieți instituției căreia i-ați adresat cererea (datele de contact sunt pe pagina ei). Vă răspundem în cel mult 30 de zile.",
            ],
        ),
        (
            "Procedura de aplicare",
            &[
                "Autoritatea pentru Digitalizarea României monitorizează aplicarea OUG 112/2018. Dacă nu sunteți mulțumit de răspunsul nostru, vă puteți adresa acesteia.",
            ],
        ),
    ],
};

const ACCESSIBILITY_HU: Statement = Statement {
    title: "Akadálymentességi nyilatkozat",
    sections: &[
        (
            "Vállalásunk",
            &[
                "A Kolozs Megyei Tanács és az Egyablakos ügyintézést használó polgármesteri hivatalok vállalják, hogy a honlapot akadálymentessé teszik a közszféra szervezetei honlapjainak és mobilalkalmazásainak akadálymentességéről szóló 112/2018-as sürgősségi kormányrendelet szerint.",
                "A nyilatkozat a nyilvános oldalakra (főoldal, dokumentumkövetés, okiratok ellenőrzése, statisztikák) és a polgárok fiókjára vonatkozik.",
            ],
        ),
        (
            "Megfelelőségi állapot",
            &[
                "A honlap részben felel meg az EN 301 549 szabványnak és a WCAG 2.1 AA szintjének, az alábbi kivételek miatt.",
                "Az oldalak JavaScript nélkül is működnek, csak billentyűzettel is használhatók, 400%-ra nagyíthatók, és 320 képpont széles képernyőn vízszintes görgetés nélkül jelennek meg.",
            ],
        ),
        (
            "Nem akadálymentes tartalom",
            &[
                "A platform által készített PDF-dokumentumok (kérelmek, aláírt válaszok) még nem címkézett PDF-ek (PDF/UA): a képernyőolvasó felolvassa a szöveget, de a szerkezetet nem. Ugyanezek az adatok szövegként megjelennek a követési oldalon és a fiókjában.",
                "A polgárok vagy intézmények által feltöltött fájloknak (fényképek, szkennelt iratok) nincs szöveges leírása.",
            ],
        ),
        (
            "A nyilatkozat elkészítése",
            &[
                "Önértékeléssel: a platform automatikus tesztjei egy polgár útjának minden oldalát ellenőrzik axe-core-ral (WCAG 2.1 AA), 360 × 740-es telefonon és 1366 × 768-as képernyőn, és ellenőrzik, hogy 320 képpontnál nincs vízszintes görgetés.",
            ],
        ),
        (
            "Visszajelzés és kapcsolat",
            &[
                "Ha akadálymentességi problémába ütközik, vagy akadálymentes formátumban van szüksége egy dokumentumra, írjon annak az intézménynek, amelyhez a kérelmét intézte (elérhetősége az oldalán található). Legfeljebb 30 napon belül válaszolunk.",
            ],
        ),
        (
            "Jogérvényesítési eljárás",
            &[
                "A 112/2018-as sürgősségi kormányrendelet alkalmazását a Romániai Digitalizációs Hatóság (Autoritatea pentru Digitalizarea României) felügyeli. Ha nem elégedett a válaszunkkal, hozzá fordulhat.",
            ],
        ),
    ],
};

const ACCESSIBILITY_EN: Statement = Statement {
    title: "Accessibility statement",
    sections: &[
        (
            "Our commitment",
            &[
                "Cluj County Council and the town halls that use the one-stop shop are committed to making this website accessible, in accordance with Government Emergency Ordinance 112/2018 on the accessibility of the websites and mobile applications of public sector bodies.",
                "This statement applies to the public pages (home page, document tracking, verification of acts, statistics) and to the citizen's account.",
            ],
        ),
        (
            "Compliance status",
            &[
                "This website is partially compliant with standard EN 301 549 and level AA of the Web Content Accessibility Guidelines 2.1, due to the exceptions listed below.",
                "The pages work without JavaScript, can be used with a keyboard alone, can be zoomed to 400% and reflow on a screen 320 pixels wide without horizontal scrolling.",
            ],
        ),
        (
            "Content that is not accessible",
            &[
                "The PDF documents the platform produces (requests and signed answers) are not yet tagged PDF (PDF/UA): a screen reader reads their text but not their structure. The same information appears as text on the tracking page and in your account.",
                "Files uploaded by citizens or institutions (photos, scans) have no text description.",
            ],
        ),
        (
            "How this statement was prepared",
            &[
                "By self-assessment: the platform's automated tests check every page of a citizen's journey with axe-core (WCAG 2.1 AA), on a 360 × 740 phone and a 1366 × 768 screen, and check that nothing scrolls horizontally at 320 pixels.",
            ],
        ),
        (
            "Feedback and contact",
            &[
                "If you meet an accessibility problem or need a document in an accessible format, write to the institution your request is addressed to (its contact details are on its page). We answer within 30 days.",
            ],
        ),
        (
            "Enforcement procedure",
            &[
                "The Romanian Digitalisation Authority (Autoritatea pentru Digitalizarea României) monitors the application of GEO 112/2018. If you are not satisfied with our answer, you may contact it.",
            ],
        ),
    ],
};

const PRIVACY_RO: Statement = Statement {
    title: "Protecția datelor personale",
    sections: &[
        (
            "Cine răspunde de datele dumneavoastră",
            &[
                "Operatorul datelor este instituția căreia îi adresați cererea (Consiliul Județean Cluj sau primăria aleasă); datele ei de contact și ale responsabilului cu protecția datelor sunt pe pagina instituției. Platforma Ghișeul unic prelucrează datele în numele instituțiilor, ca persoană împuternicită (art. 28 GDPR).",
            ],
        ),
        (
            "De ce folosim datele și pe ce temei",
            &[
                "Pentru a înregistra, soluționa și arhiva cererile și petițiile: îndeplinirea unor obligații legale (art. 6 alin. (1) lit. c) GDPR; OG 27/2002, Legea 544/2001, Legea 50/1991, Legea 16/1996 a arhivelor) și a unor sarcini de interes public (lit. e).",
                "Pentru contul dumneavoastră, pentru a vă trimite coduri și vești despre cereri prin SMS și e-mail și pentru plata taxelor: la cererea dumneavoastră (lit. b și e).",
                "Pentru semnătura electronică calificată, furnizorul de servicii de încredere vă verifică identitatea (inclusiv CNP-ul) ca operator separat, conform Regulamentului eIDAS.",
            ],
        ),
        (
            "Ce date",
            &[
                "Numele, e-mailul și/sau telefonul, CNP-ul doar când formularul sau semnătura calificată îl cer, conținutul cererii și fișierele atașate, plățile și traseul dosarului în instituție. Pagina publică de urmărire nu arată nicio dată personală.",
            ],
        ),
        (
            "Cine le primește",
            &[
                "Funcționarii instituției care lucrează la cerere; o altă instituție, dacă cererea îi este redirecționată potrivit legii; furnizorul de semnătură electronică, procesatorul de plăți și furnizorul de SMS și e-mail, fiecare doar pentru partea sa. Datele nu sunt transferate în afara Spațiului Economic European și nu sunt folosite pentru decizii automate.",
            ],
        ),
        (
            "Cât timp le păstrăm",
            &[
                "Dosarele se păstrează cât prevede nomenclatorul arhivistic al instituției; termenul fiecărui serviciu este afișat pe pagina instituției. Contul se păstrează până îl închideți. Codurile trimise prin SMS expiră în câteva minute.",
            ],
        ),
        (
            "Drepturile dumneavoastră",
            &[
                "Aveți dreptul de acces, de rectificare, de ștergere (în limitele obligațiilor legale de arhivare), de restricționare și de opoziție. Scrieți instituției. Aveți dreptul să depuneți o plângere la Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal (www.dataprotection.ro).",
            ],
        ),
        (
            "Cookie-uri",
            &[
                "Folosim doar cookie-uri necesare: cel al sesiunii (când sunteți în cont), cel care protejează formularele și cel care ține minte limba aleasă. Nu folosim cookie-uri de urmărire sau de statistică.",
            ],
        ),
    ],
};

const PRIVACY_HU: Statement = Statement {
    title: "Személyes adatok védelme",
    sections: &[
        (
            "Ki felel az adataiért",
            &[
                "Az adatkezelő az az intézmény, amelyhez a kérelmét intézi (a Kolozs Megyei Tanács vagy a választott polgármesteri hivatal); elérhetősége és az adatvédelmi tisztviselőé az intézmény oldalán található. Az Egyablakos ügyintézés platform az intézmények nevében, adatfeldolgozóként kezeli az adatokat (GDPR 28. cikk).",
            ],
        ),
        (
            "Mire és milyen jogalapon használjuk az adatokat",
            &[
                "A kérelmek és petíciók iktatására, elintézésére és archiválására: jogi kötelezettség teljesítése (GDPR 6. cikk (1) c) pont; 27/2002-es kormányrendelet, 544/2001-es, 50/1991-es törvény, a levéltárakról szóló 16/1996-os törvény) és közérdekű feladat (e) pont).",
                "A fiókjához, a kódok és a kérelmekről szóló értesítések SMS-ben és e-mailben való küldéséhez, valamint a díjak fizetéséhez: az Ön kérésére (b) és e) pont).",
                "A minősített elektronikus aláíráshoz a bizalmi szolgáltató önálló adatkezelőként ellenőrzi személyazonosságát (a személyi számot is), az eIDAS-rendelet szerint.",
            ],
        ),
        (
            "Milyen adatok",
            &[
                "Név, e-mail-cím és/vagy telefonszám, személyi szám csak akkor, ha az űrlap vagy a minősített aláírás kéri, a kérelem tartalma és csatolt fájljai, a befizetések és az ügyirat útja az intézményben. A nyilvános követési oldal semmilyen személyes adatot nem mutat.",
            ],
        ),
        (
            "Kik kapják meg",
            &[
                "Az intézmény kérelemmel foglalkozó ügyintézői; egy másik intézmény, ha a kérelmet a törvény szerint oda továbbítják; az elektronikus aláírás szolgáltatója, a fizetési szolgáltató és az SMS- és e-mail-szolgáltató, mindegyik csak a saját részéhez. Az adatok nem kerülnek az Európai Gazdasági Térségen kívülre, és nem használjuk őket automatizált döntéshozatalra.",
            ],
        ),
        (
            "Meddig őrizzük",
            &[
                "Az ügyiratokat az intézmény irattári tervében előírt ideig őrizzük; az egyes szolgáltatások megőrzési ideje az intézmény oldalán látható. A fiókot addig őrizzük, amíg meg nem szünteti. Az SMS-ben küldött kódok néhány perc alatt lejárnak.",
            ],
        ),
        (
            "Az Ön jogai",
            &[
                "Joga van a hozzáféréshez, helyesbítéshez, törléshez (a törvényes irattári kötelezettségek határain belül), a korlátozáshoz és a tiltakozáshoz. Írjon az intézménynek. Panaszt tehet a romániai adatvédelmi hatóságnál (Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal, www.dataprotection.ro).",
            ],
        ),
        (
            "Sütik",
            &[
                "Csak szükséges sütiket használunk: a munkamenetét (ha be van jelentkezve), az űrlapokat védőt és a választott nyelvet megjegyzőt. Nem használunk követő vagy statisztikai sütiket.",
            ],
        ),
    ],
};

const PRIVACY_EN: Statement = Statement {
    title: "Privacy notice",
    sections: &[
        (
            "Who is responsible for your data",
            &[
                "The controller is the institution your request is addressed to (Cluj County Council or the town hall you choose); its contact details and those of its data protection officer are on the institution's page. The one-stop shop processes the data on the institutions' behalf, as a processor (GDPR art. 28).",
            ],
        ),
        (
            "Why we use the data, and on what basis",
            &[
                "To register, handle and archive requests and petitions: legal obligations (GDPR art. 6(1)(c); Government Ordinance 27/2002, Laws 544/2001 and 50/1991, the Archives Law 16/1996) and tasks in the public interest (point (e)).",
                "For your account, to send you codes and news about your requests by SMS and e-mail, and for paying fees: at your request (points (b) and (e)).",
                "For a qualified electronic signature, the trust service provider verifies your identity (including your personal numeric code) as a separate controller, under the eIDAS Regulation.",
            ],
        ),
        (
            "What data",
            &[
                "Your name, e-mail and/or phone, your personal numeric code only when the form or the qualified signature requires it, the content of your request and its attached files, payments, and the route of your file in the institution. The public tracking page shows no personal data.",
            ],
        ),
        (
            "Who receives it",
            &[
                "The institution's officials who handle your request; another institution, if the request is forwarded to it as the law provides; the electronic signature provider, the payment processor and the SMS and e-mail provider, each for its own part only. The data is not transferred outside the European Economic Area and is not used for automated decisions.",
            ],
        ),
        (
            "How long we keep it",
            &[
                "Files are kept as long as the institution's records schedule requires; each service's period is shown on the institution's page. Your account is kept until you close it. Codes sent by SMS expire within minutes.",
            ],
        ),
        (
            "Your rights",
            &[
                "You have the right of access, rectification, erasure (within the limits of legal archiving obligations), restriction and objection. Write to the institution. You may lodge a complaint with the Romanian data protection authority (Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal, www.dataprotection.ro).",
            ],
        ),
        (
            "Cookies",
            &[
                "We use only necessary cookies: the session cookie (when you are signed in), the one that protects forms, and the one that remembers your language. We use no tracking or analytics cookies.",
            ],
        ),
    ],
};

/// `GET /accessibility`.
pub fn accessibility(lang: Lang) -> String {
    let s = match lang {
        Lang::Ro => &ACCESSIBILITY_RO,
        Lang::Hu => &ACCESSIBILITY_HU,
        Lang::En => &ACCESSIBILITY_EN,
    };
    render(lang, "/accessibility", s, updated(lang))
}

/// `GET /privacy`.
pub fn privacy(lang: Lang) -> String {
    let s = match lang {
        Lang::Ro => &PRIVACY_RO,
        Lang::Hu => &PRIVACY_HU,
        Lang::En => &PRIVACY_EN,
    };
    render(lang, "/privacy", s, updated(lang))
}

//! Every word the administration's pages show, in Romanian, Hungarian and
//! English ([`t`]); the roles in words ([`role_name`]); and the confirmation
//! shown after a save ([`Flash`]): a known key in the redirect's query,
//! never text from the request, so a link cannot make the page say anything.

use ghiseu_core::{Lang, Role};
use ghiseu_platform::http::query_param;

/// The texts by key: Romanian, Hungarian, English.
const TEXTS: &[(&str, [&str; 3])] = &[
    (
        "admin",
        ["Administrare", "Adminisztráció", "Administration"],
    ),
    (
        "nav_types",
        ["Tipuri de documente", "Dokumentumtípusok", "Document types"],
    ),
    (
        "nav_departments",
        ["Departamente", "Osztályok", "Departments"],
    ),
    (
        "nav_officials",
        ["Funcționari", "Tisztviselők", "Officials"],
    ),
    (
        "nav_branding",
        ["Identitate vizuală", "Arculat", "Branding"],
    ),
    ("nav_desk", ["Birou", "Ügyintézés", "Desk"]),
    ("logout", ["Ieșire", "Kilépés", "Sign out"]),
    (
        "fix_these",
        [
            "Corectați următoarele:",
            "Javítsa a következőket:",
            "Fix the following:",
        ],
    ),
    (
        "back_admin",
        [
            "Înapoi la administrare",
            "Vissza az adminisztrációhoz",
            "Back to administration",
        ],
    ),
    (
        "saved_type_created",
        [
            "Tipul de document a fost creat.",
            "A dokumentumtípus létrejött.",
            "The document type was created.",
        ],
    ),
    (
        "saved_type_saved",
        [
            "Modificările au fost salvate.",
            "A módosítások mentve.",
            "Your changes were saved.",
        ],
    ),
    (
        "saved_type_deactivated",
        [
            "Tipul de document a fost dezactivat: nu mai poate fi cerut.",
            "A dokumentumtípus kikapcsolva: már nem kérhető.",
            "The document type was deactivated: it can no longer be requested.",
        ],
    ),
    (
        "saved_department",
        [
            "Departamentul a fost salvat.",
            "Az osztály mentve.",
            "The department was saved.",
        ],
    ),
    (
        "saved_official",
        [
            "Datele funcționarului au fost salvate.",
            "A tisztviselő adatai mentve.",
            "The official's details were saved.",
        ],
    ),
    (
        "saved_quotas",
        [
            "Limitele au fost salvate.",
            "A korlátok mentve.",
            "The limits were saved.",
        ],
    ),
    (
        "saved_branding",
        [
            "Identitatea vizuală a fost salvată.",
            "Az arculat mentve.",
            "The branding was saved.",
        ],
    ),
    (
        "saved_second_factor",
        [
            "Setarea a fost salvată.",
            "A beállítás mentve.",
            "The setting was saved.",
        ],
    ),
    (
        "types_title",
        ["Tipuri de documente", "Dokumentumtípusok", "Document types"],
    ),
    (
        "add_type",
        [
            "Adaugă un tip de document",
            "Új dokumentumtípus",
            "Add a document type",
        ],
    ),
    ("col_code", ["Cod", "Kód", "Code"]),
    ("col_version", ["Versiune", "Verzió", "Version"]),
    ("col_deadline", ["Termen", "Határidő", "Deadline"]),
    ("offered", ["oferit", "elérhető", "offered"]),
    ("deactivated", ["dezactivat", "kikapcsolva", "deactivated"]),
    (
        "calendar_days",
        ["zile calendaristice", "naptári nap", "calendar days"],
    ),
    (
        "working_days",
        ["zile lucrătoare", "munkanap", "working days"],
    ),
    ("deactivate", ["Dezactivează", "Kikapcsolás", "Deactivate"]),
    (
        "deactivate_title",
        [
            "Dezactivați tipul de document?",
            "Kikapcsolja a dokumentumtípust?",
            "Deactivate the document type?",
        ],
    ),
    (
        "deactivate_explain",
        [
            "Cetățenii nu îl vor mai putea cere, nici online, nici la registratură. Dosarele existente rămân neschimbate, iar versiunile rămân de citit. Îl puteți oferi din nou salvându-l în editor.",
            "A polgárok többé nem kérhetik sem online, sem az iktatóban. A meglévő ügyiratok változatlanok maradnak, a verziók olvashatók. A szerkesztőben mentve újra elérhetővé teheti.",
            "Citizens will no longer be able to request it, online or at the registry. Existing files stay as they are and its versions stay readable. Saving it in the editor offers it again.",
        ],
    ),
    (
        "deactivate_yes",
        ["Da, dezactivează", "Igen, kikapcsolom", "Yes, deactivate"],
    ),
    ("cancel", ["Anulează", "Mégse", "Cancel"]),
    (
        "new_type",
        [
            "Tip nou de document",
            "Új dokumentumtípus",
            "New document type",
        ],
    ),
    ("type_named", ["Tipul", "Típus:", "Type"]),
    (
        "version_note",
        [
            "Salvarea unei modificări creează o versiune nouă; dosarele existente își păstrează versiunea. Versiunea actuală:",
            "A módosítás mentése új verziót hoz létre; a meglévő ügyiratok megtartják a verziójukat. Jelenlegi verzió:",
            "Saving a change creates a new version; existing files keep theirs. Current version:",
        ],
    ),
    (
        "sec_general",
        ["Date generale", "Általános adatok", "General"],
    ),
    (
        "code_label",
        [
            "Cod (în adresa paginii; litere mici, cifre, cratimă)",
            "Kód (az oldal címében; kisbetűk, számok, kötőjel)",
            "Code (in the page address; lowercase letters, digits, hyphen)",
        ],
    ),
    (
        "title_ro",
        ["Titlul în română", "Cím románul", "Title in Romanian"],
    ),
    (
        "title_hu",
        [
            "Titlul în maghiară (opțional)",
            "Cím magyarul (nem kötelező)",
            "Title in Hungarian (optional)",
        ],
    ),
    (
        "title_en",
        [
            "Titlul în engleză (opțional)",
            "Cím angolul (nem kötelező)",
            "Title in English (optional)",
        ],
    ),
    (
        "deadline_days",
        [
            "Termenul de soluționare (zile)",
            "Elintézési határidő (nap)",
            "Deadline to answer (days)",
        ],
    ),
    (
        "deadline_kind",
        [
            "Zilele se numără",
            "A napok számítása",
            "Days are counted as",
        ],
    ),
    (
        "first_department",
        ["Primul departament", "Első osztály", "First department"],
    ),
    (
        "signature",
        [
            "Semnătura cerută cetățeanului",
            "A polgártól kért aláírás",
            "Signature required of the citizen",
        ],
    ),
    (
        "sig_none",
        ["Fără semnătură", "Aláírás nélkül", "No signature"],
    ),
    (
        "sig_simple",
        [
            "Semnătură electronică simplă",
            "Egyszerű elektronikus aláírás",
            "Simple electronic signature",
        ],
    ),
    (
        "sig_qualified",
        [
            "Semnătură electronică calificată",
            "Minősített elektronikus aláírás",
            "Qualified electronic signature",
        ],
    ),
    (
        "fee_lei",
        [
            "Taxa (lei; 0 dacă e gratuit)",
            "Díj (lej; 0, ha ingyenes)",
            "Fee (lei; 0 if free)",
        ],
    ),
    (
        "retention_years",
        [
            "Păstrare în arhivă (ani)",
            "Megőrzés az irattárban (év)",
            "Kept in the archive (years)",
        ],
    ),
    (
        "sec_fields",
        [
            "Câmpurile formularului",
            "Az űrlap mezői",
            "The form's fields",
        ],
    ),
    (
        "no_fields",
        [
            "Formularul nu are încă niciun câmp.",
            "Az űrlapnak még nincs mezője.",
            "The form has no fields yet.",
        ],
    ),
    ("field_n", ["Câmpul", "Mező", "Field"]),
    (
        "field_name",
        [
            "Nume tehnic (litere mici, cifre, _)",
            "Technikai név (kisbetűk, számok, _)",
            "Technical name (lowercase letters, digits, _)",
        ],
    ),
    (
        "field_kind",
        ["Tipul câmpului", "A mező fajtája", "Kind of field"],
    ),
    (
        "label_ro",
        ["Eticheta în română", "Felirat románul", "Label in Romanian"],
    ),
    (
        "label_hu",
        [
            "Eticheta în maghiară (opțional)",
            "Felirat magyarul (nem kötelező)",
            "Label in Hungarian (optional)",
        ],
    ),
    (
        "label_en",
        [
            "Eticheta în engleză (opțional)",
            "Felirat angolul (nem kötelező)",
            "Label in English (optional)",
        ],
    ),
    (
        "label_translations",
        [
            "Eticheta în maghiară și engleză",
            "Felirat magyarul és angolul",
            "Label in Hungarian and English",
        ],
    ),
    (
        "option_translations",
        [
            "Opțiunile în maghiară și engleză",
            "Értékek magyarul és angolul",
            "Options in Hungarian and English",
        ],
    ),
    ("required", ["Obligatoriu", "Kötelező", "Required"]),
    (
        "max_chars",
        [
            "Cel mult atâtea caractere",
            "Legfeljebb ennyi karakter",
            "At most this many characters",
        ],
    ),
    (
        "min",
        ["Valoarea minimă", "Legkisebb érték", "Smallest value"],
    ),
    (
        "max",
        ["Valoarea maximă", "Legnagyobb érték", "Largest value"],
    ),
    (
        "options",
        [
            "Opțiuni, câte una pe rând",
            "Választható értékek, soronként egy",
            "Options, one a line",
        ],
    ),
    (
        "options_hu",
        [
            "Opțiunile în maghiară, pe aceleași rânduri (opțional)",
            "Az értékek magyarul, ugyanazokban a sorokban (nem kötelező)",
            "The options in Hungarian, on the same lines (optional)",
        ],
    ),
    (
        "options_en",
        [
            "Opțiunile în engleză, pe aceleași rânduri (opțional)",
            "Az értékek angolul, ugyanazokban a sorokban (nem kötelező)",
            "The options in English, on the same lines (optional)",
        ],
    ),
    (
        "file_types",
        ["Fișiere acceptate", "Elfogadott fájlok", "Accepted files"],
    ),
    (
        "max_mb",
        [
            "Mărimea maximă a fișierului (MB)",
            "A fájl legnagyobb mérete (MB)",
            "Largest file (MB)",
        ],
    ),
    ("move_up", ["Mută mai sus", "Feljebb", "Move up"]),
    ("move_down", ["Mută mai jos", "Lejjebb", "Move down"]),
    ("remove", ["Elimină câmpul", "Mező törlése", "Remove field"]),
    (
        "new_field_kind",
        [
            "Tipul câmpului nou",
            "Az új mező fajtája",
            "Kind of the new field",
        ],
    ),
    (
        "add_field",
        ["Adaugă câmpul", "Mező hozzáadása", "Add the field"],
    ),
    (
        "refresh",
        [
            "Actualizează previzualizarea",
            "Előnézet frissítése",
            "Update the preview",
        ],
    ),
    ("save", ["Salvează", "Mentés", "Save"]),
    (
        "preview",
        [
            "Previzualizare: formularul cetățeanului",
            "Előnézet: a polgár űrlapja",
            "Preview: the citizen's form",
        ],
    ),
    (
        "preview_note",
        [
            "Așa vede cetățeanul formularul pe portal (câmpurile nu pot fi completate aici).",
            "Így látja a polgár az űrlapot a portálon (a mezők itt nem tölthetők ki).",
            "This is how a citizen sees the form on the portal (the fields cannot be filled in here).",
        ],
    ),
    ("preview_fee", ["Taxă", "Díj", "Fee"]),
    (
        "preview_submit",
        ["Trimite cererea", "Kérelem elküldése", "Send the request"],
    ),
    (
        "json_summary",
        [
            "Pentru utilizatori avansați: definiția ca JSON (export și import)",
            "Haladóknak: a definíció JSON-ként (export és import)",
            "For advanced users: the definition as JSON (export and import)",
        ],
    ),
    (
        "json_label",
        [
            "Definiția (JSON)",
            "A definíció (JSON)",
            "The definition (JSON)",
        ],
    ),
    (
        "json_hint",
        [
            "Copiați textul pentru a-l păstra sau a-l folosi la altă instituție. Un text lipit aici și importat înlocuiește tot formularul de mai sus și se salvează.",
            "Másolja ki a szöveget megőrzésre vagy más intézményhez. Az ide beillesztett és importált szöveg a fenti űrlap egészét felváltja és mentésre kerül.",
            "Copy the text to keep it or use it at another institution. A text pasted here and imported replaces the whole form above and is saved.",
        ],
    ),
    (
        "json_import",
        [
            "Importă și salvează",
            "Importálás és mentés",
            "Import and save",
        ],
    ),
    (
        "versions",
        [
            "Versiuni anterioare (JSON):",
            "Korábbi verziók (JSON):",
            "Earlier versions (JSON):",
        ],
    ),
    ("kind_text", ["Text scurt", "Rövid szöveg", "Short text"]),
    (
        "kind_multiline",
        ["Text lung", "Hosszú szöveg", "Long text"],
    ),
    ("kind_number", ["Număr", "Szám", "Number"]),
    ("kind_date", ["Dată", "Dátum", "Date"]),
    (
        "kind_select",
        ["Listă de opțiuni", "Választólista", "List of options"],
    ),
    (
        "kind_checkbox",
        [
            "Bifă (da/nu)",
            "Jelölőnégyzet (igen/nem)",
            "Tick box (yes/no)",
        ],
    ),
    (
        "kind_cnp",
        ["CNP", "Személyi szám (CNP)", "Personal number (CNP)"],
    ),
    (
        "kind_email",
        ["Adresă de e-mail", "E-mail-cím", "E-mail address"],
    ),
    ("kind_phone", ["Telefon", "Telefonszám", "Phone number"]),
    (
        "kind_address",
        ["Adresă poștală", "Postacím", "Postal address"],
    ),
    (
        "kind_attachment",
        ["Fișier atașat", "Csatolt fájl", "Attached file"],
    ),
    (
        "err_required",
        [
            "Completați acest câmp.",
            "Töltse ki ezt a mezőt.",
            "Fill in this field.",
        ],
    ),
    (
        "err_control",
        [
            "Fără caractere de control (de exemplu rânduri noi).",
            "Vezérlőkarakter (például sortörés) nélkül.",
            "No control characters (such as line breaks).",
        ],
    ),
    (
        "err_signature",
        [
            "Alegeți una dintre semnăturile din listă.",
            "Válasszon a felsorolt aláírások közül.",
            "Choose one of the signatures listed.",
        ],
    ),
    (
        "err_department",
        [
            "Alegeți un departament activ al instituției.",
            "Válassza az intézmény egyik aktív osztályát.",
            "Choose an active department of the institution.",
        ],
    ),
    (
        "err_no_options",
        [
            "Scrieți cel puțin o opțiune, câte una pe rând.",
            "Írjon legalább egy értéket, soronként egyet.",
            "Write at least one option, one a line.",
        ],
    ),
    (
        "err_no_types",
        [
            "Alegeți cel puțin un tip de fișier.",
            "Válasszon legalább egy fájltípust.",
            "Choose at least one kind of file.",
        ],
    ),
    (
        "err_min_max",
        [
            "Valoarea minimă nu poate depăși valoarea maximă.",
            "A legkisebb érték nem lehet nagyobb a legnagyobbnál.",
            "The smallest value cannot exceed the largest.",
        ],
    ),
    (
        "err_field_name",
        [
            "Între 1 și 40 de litere mici fără diacritice, cifre sau _ (de exemplu adresa_imobilului).",
            "1–40 ékezet nélküli kisbetű, számjegy vagy _ (például ingatlan_cim).",
            "1 to 40 lowercase letters without accents, digits or _ (for example property_address).",
        ],
    ),
    (
        "err_code_chars",
        [
            "Doar litere mici fără diacritice, cifre și cratimă (de exemplu aviz-stradal).",
            "Csak ékezet nélküli kisbetűk, számjegyek és kötőjel (például utcai-engedely).",
            "Only lowercase letters without accents, digits and hyphens (for example street-permit).",
        ],
    ),
    (
        "err_code_start",
        [
            "Codul trebuie să înceapă cu o literă.",
            "A kódnak betűvel kell kezdődnie.",
            "The code must start with a letter.",
        ],
    ),
    (
        "err_reserved",
        [
            "Acest cod este rezervat; alegeți altul.",
            "Ez a kód foglalt; válasszon másikat.",
            "This code is reserved; choose another.",
        ],
    ),
    (
        "err_code_change",
        [
            "Codul unui tip nu se schimbă; creați un tip nou.",
            "A típus kódja nem változtatható; hozzon létre új típust.",
            "A type's code cannot change; create a new type.",
        ],
    ),
    (
        "err_kind",
        [
            "Alegeți un tip de câmp din listă.",
            "Válasszon mezőfajtát a listából.",
            "Choose a kind of field from the list.",
        ],
    ),
    (
        "err_file_type",
        [
            "Tipurile de fișier acceptate sunt PDF, JPEG și PNG.",
            "Az elfogadott fájltípusok: PDF, JPEG és PNG.",
            "The accepted kinds of file are PDF, JPEG and PNG.",
        ],
    ),
    (
        "err_not_applicable",
        [
            "Această setare nu se aplică acestui tip de câmp.",
            "Ez a beállítás nem vonatkozik erre a mezőfajtára.",
            "This setting does not apply to this kind of field.",
        ],
    ),
    (
        "err_taken",
        [
            "Codul este deja folosit; modificați tipul existent sau alegeți alt cod.",
            "A kód már foglalt; módosítsa a meglévő típust, vagy válasszon más kódot.",
            "The code is already in use; edit the existing type or choose another code.",
        ],
    ),
    (
        "err_invalid",
        [
            "Valoarea nu este acceptată.",
            "Az érték nem elfogadható.",
            "The value is not accepted.",
        ],
    ),
    (
        "err_number",
        [
            "Scrieți un număr întreg (de exemplu 30).",
            "Írjon egész számot (például 30).",
            "Write a whole number (for example 30).",
        ],
    ),
    (
        "err_lei",
        [
            "Scrieți suma în lei, de exemplu 25 sau 25,50.",
            "Írja be az összeget lejben, például 25 vagy 25,50.",
            "Write the amount in lei, for example 25 or 25.50.",
        ],
    ),
    (
        "err_mb",
        [
            "Scrieți mărimea în MB, de exemplu 5 sau 2,5.",
            "Írja be a méretet MB-ban, például 5 vagy 2,5.",
            "Write the size in MB, for example 5 or 2.5.",
        ],
    ),
    (
        "json_eof",
        [
            "Textul se termină prea devreme (lipsește o acoladă sau o ghilimea de închidere?)",
            "A szöveg túl korán ér véget (hiányzik egy záró kapcsos zárójel vagy idézőjel?)",
            "The text ends too early (a closing brace or quote missing?)",
        ],
    ),
    (
        "json_syntax",
        [
            "Textul nu este JSON valid (o virgulă în plus sau lipsă, ghilimele, acolade?)",
            "A szöveg nem érvényes JSON (fölösleges vagy hiányzó vessző, idézőjel, kapcsos zárójel?)",
            "The text is not valid JSON (an extra or missing comma, quotes, braces?)",
        ],
    ),
    (
        "json_unknown",
        [
            "Definiția are o cheie necunoscută:",
            "A definíció ismeretlen kulcsot tartalmaz:",
            "The definition has an unknown key:",
        ],
    ),
    (
        "json_missing",
        [
            "Definiției îi lipsește cheia",
            "A definícióból hiányzik a kulcs:",
            "The definition lacks the key",
        ],
    ),
    (
        "json_type",
        [
            "O valoare are alt fel decât cel așteptat (de exemplu text în loc de număr)",
            "Egy érték más fajtájú a vártnál (például szöveg szám helyett)",
            "A value is of another kind than expected (for example text instead of a number)",
        ],
    ),
    (
        "err_summary_json",
        [
            "Definiția JSON nu a fost salvată:",
            "A JSON-definíció nem lett mentve:",
            "The JSON definition was not saved:",
        ],
    ),
    (
        "nav_quotas",
        [
            "Limite de cereri online",
            "Online kérelmek korlátai",
            "Limits on online requests",
        ],
    ),
    (
        "nav_access",
        [
            "Cine a deschis dosarele",
            "Ki nyitotta meg az ügyiratokat",
            "Who opened the files",
        ],
    ),
    (
        "home_access",
        [
            "fiecare deschidere a unui dosar sau fișier, după funcționar și perioadă",
            "minden ügyirat- vagy fájlmegnyitás, ügyintéző és időszak szerint",
            "every opening of a file or document, by official and period",
        ],
    ),
    (
        "access_intro",
        [
            "Fiecare deschidere a unui dosar sau a unui fișier de către un funcționar, cea mai nouă întâi. Cetățeanul vede aceeași listă pentru dosarul său.",
            "Minden alkalom, amikor egy ügyintéző megnyitott egy ügyiratot vagy fájlt, a legújabb elöl. A polgár ugyanezt a listát látja a saját ügyiratánál.",
            "Every time an official opened a file or one of its documents, newest first. The citizen sees the same list for their own file.",
        ],
    ),
    ("access_official", ["Funcționarul", "Ügyintéző", "Official"]),
    ("access_everyone", ["Toți", "Mindenki", "Everyone"]),
    ("access_from", ["De la data", "Kezdő dátum", "From"]),
    ("access_to", ["Până la data", "Záró dátum", "To"]),
    ("access_search", ["Caută", "Keresés", "Search"]),
    (
        "access_none",
        [
            "Nicio deschidere în această perioadă.",
            "Ebben az időszakban nem volt megnyitás.",
            "No openings in this period.",
        ],
    ),
    (
        "access_more",
        [
            "Sunt afișate cele mai noi 500; restrângeți perioada pentru celelalte.",
            "A legújabb 500 látható; a többiért szűkítse az időszakot.",
            "The newest 500 are shown; narrow the period for the others.",
        ],
    ),
    ("access_when", ["Când", "Mikor", "When"]),
    ("access_who", ["Cine", "Ki", "Who"]),
    (
        "access_department",
        ["Compartiment", "Osztály", "Department"],
    ),
    ("access_dossier", ["Dosar", "Ügyirat", "File"]),
    ("access_what", ["Ce", "Mit", "What"]),
    ("access_page", ["dosarul", "az ügyiratot", "the file"]),
    ("access_file", ["fișierul", "a fájlt:", "the document"]),
    (
        "err_access_date",
        [
            "Scrieți data ca AAAA-LL-ZZ.",
            "A dátumot ÉÉÉÉ-HH-NN alakban írja.",
            "Write the date as YYYY-MM-DD.",
        ],
    ),
    (
        "err_access_period",
        [
            "Perioada începe înainte să se termine și are cel mult 366 de zile.",
            "Az időszak a vége előtt kezdődik, és legfeljebb 366 napos.",
            "The period starts before it ends and is at most 366 days long.",
        ],
    ),
    (
        "err_access_official",
        [
            "Alegeți un funcționar din listă.",
            "Válasszon ügyintézőt a listából.",
            "Choose an official from the list.",
        ],
    ),
    (
        "home_types",
        [
            "formulare, termene, taxe, versiuni",
            "űrlapok, határidők, díjak, verziók",
            "forms, deadlines, fees, versions",
        ],
    ),
    (
        "home_officials",
        [
            "invitații, roluri, dezactivare",
            "meghívások, szerepkörök, kikapcsolás",
            "invitations, roles, deactivation",
        ],
    ),
    (
        "home_branding",
        [
            "denumire afișată, culoare, siglă",
            "megjelenített név, szín, logó",
            "displayed name, colour, logo",
        ],
    ),
    (
        "home_quotas",
        [
            "câte cereri primește instituția de la un cont și de la o adresă",
            "hány kérelmet fogad az intézmény egy fiókból és egy címről",
            "how many requests the institution accepts from one account and from one address",
        ],
    ),
    (
        "dep_intro",
        [
            "Cetățenii care citesc în maghiară sau engleză văd denumirea în limba lor; fără ea, pe cea în română.",
            "A magyarul vagy angolul olvasó polgárok a saját nyelvükön látják a nevet; ha az nincs megadva, a románt.",
            "Citizens who read Hungarian or English see the name in their language; without it, the Romanian one.",
        ],
    ),
    ("col_name", ["Denumire", "Megnevezés", "Name"]),
    ("rename", ["Redenumește", "Átnevezés", "Rename"]),
    (
        "new_department",
        ["Departament nou", "Új osztály", "New department"],
    ),
    (
        "dep_code",
        [
            "Cod (litere mici, cifre, cratimă)",
            "Kód (kisbetűk, számok, kötőjel)",
            "Code (lowercase letters, digits, hyphen)",
        ],
    ),
    (
        "dep_name_hu",
        [
            "Denumire în maghiară (opțional)",
            "Megnevezés magyarul (nem kötelező)",
            "Name in Hungarian (optional)",
        ],
    ),
    (
        "dep_name_en",
        [
            "Denumire în engleză (opțional)",
            "Megnevezés angolul (nem kötelező)",
            "Name in English (optional)",
        ],
    ),
    ("add", ["Adaugă", "Hozzáadás", "Add"]),
    ("col_user", ["Utilizator", "Felhasználónév", "Username"]),
    ("col_person", ["Nume", "Név", "Name"]),
    (
        "col_roles",
        [
            "Roluri, departament, stare",
            "Szerepkörök, osztály, állapot",
            "Roles, department, status",
        ],
    ),
    ("roles", ["Roluri", "Szerepkörök", "Roles"]),
    ("department", ["Departament", "Osztály", "Department"]),
    ("active", ["activ", "aktív", "active"]),
    (
        "invite_title",
        [
            "Invită un funcționar",
            "Tisztviselő meghívása",
            "Invite an official",
        ],
    ),
    (
        "display_name_public",
        [
            "Nume afișat (public)",
            "Megjelenített név (nyilvános)",
            "Name shown (public)",
        ],
    ),
    (
        "create_invite",
        [
            "Creează invitația",
            "Meghívó létrehozása",
            "Create the invitation",
        ],
    ),
    (
        "invite_created",
        [
            "Invitație creată",
            "Meghívó létrehozva",
            "Invitation created",
        ],
    ),
    (
        "invite_for",
        ["Invitație pentru", "Meghívó:", "Invitation for"],
    ),
    (
        "invite_send",
        [
            "Trimiteți acest link persoanei invitate. Funcționează o singură dată, până la",
            "Küldje el ezt a linket a meghívott személynek. Egyszer használható, eddig:",
            "Send this link to the person invited. It works once, until",
        ],
    ),
    (
        "invite_once",
        [
            "Linkul nu mai poate fi afișat ulterior.",
            "A link később nem jeleníthető meg újra.",
            "The link cannot be shown again later.",
        ],
    ),
    (
        "back_officials",
        [
            "Înapoi la funcționari",
            "Vissza a tisztviselőkhöz",
            "Back to the officials",
        ],
    ),
    (
        "err_roles",
        [
            "Alegeți cel puțin un rol din listă.",
            "Válasszon legalább egy szerepkört a listából.",
            "Choose at least one role from the list.",
        ],
    ),
    (
        "err_email",
        [
            "Adresa de e-mail nu este validă.",
            "Az e-mail-cím nem érvényes.",
            "The e-mail address is not valid.",
        ],
    ),
    ("reminders", ["Mementouri", "Emlékeztetők", "Reminders"]),
    (
        "err_self_lockout",
        [
            "Nu vă puteți dezactiva și nici retrage rolul de administrator.",
            "Saját magát nem kapcsolhatja ki, és az adminisztrátori szerepkörét sem veheti el.",
            "You cannot deactivate yourself or take away your own administrator role.",
        ],
    ),
    (
        "sf_title",
        [
            "Verificare în doi pași",
            "Kétlépcsős azonosítás",
            "Two-step verification",
        ],
    ),
    (
        "sf_required",
        [
            "Obligatorie pentru semnatari și administratori (la următoarea autentificare)",
            "Kötelező az aláírók és az adminisztrátorok számára (a következő bejelentkezéstől)",
            "Required of signers and administrators (from their next sign-in)",
        ],
    ),
    (
        "sf_none",
        [
            "Niciun funcționar nu are verificarea în doi pași activă.",
            "Egyik tisztviselőnél sincs bekapcsolva a kétlépcsős azonosítás.",
            "No official has two-step verification turned on.",
        ],
    ),
    (
        "sf_reset",
        [
            "Resetează verificarea în doi pași",
            "A kétlépcsős azonosítás visszaállítása",
            "Reset two-step verification",
        ],
    ),
    (
        "brand_display_name",
        [
            "Denumire afișată (implicit: {})",
            "Megjelenített név (alapértelmezés: {})",
            "Name shown (by default: {})",
        ],
    ),
    (
        "brand_accent",
        [
            "Culoare de accent (#rrggbb)",
            "Kiemelőszín (#rrggbb)",
            "Accent colour (#rrggbb)",
        ],
    ),
    (
        "brand_logo",
        [
            "Sigla (PNG sau JPEG, max. 256 KiB)",
            "Logó (PNG vagy JPEG, legfeljebb 256 KiB)",
            "Logo (PNG or JPEG, at most 256 KiB)",
        ],
    ),
    (
        "brand_logo_now",
        ["Sigla actuală", "A jelenlegi logó", "The current logo"],
    ),
    (
        "brand_logo_remove",
        ["Elimină sigla", "A logó eltávolítása", "Remove the logo"],
    ),
    (
        "err_colour",
        [
            "Scrieți culoarea ca #rrggbb, de exemplu #1a7f37.",
            "Adja meg a színt #rrggbb alakban, például #1a7f37.",
            "Write the colour as #rrggbb, for example #1a7f37.",
        ],
    ),
    (
        "err_logo_type",
        [
            "Sigla trebuie să fie o imagine PNG sau JPEG.",
            "A logónak PNG vagy JPEG képnek kell lennie.",
            "The logo must be a PNG or JPEG image.",
        ],
    ),
    (
        "err_logo_size",
        [
            "Sigla poate avea cel mult 256 KiB.",
            "A logó legfeljebb 256 KiB lehet.",
            "The logo can be at most 256 KiB.",
        ],
    ),
    (
        "err_dep_taken",
        [
            "Codul este deja folosit de un departament.",
            "Ezt a kódot már egy osztály használja.",
            "A department already uses this code.",
        ],
    ),
    (
        "err_user_taken",
        [
            "Acest utilizator există deja.",
            "Ez a felhasználónév már foglalt.",
            "This username is already taken.",
        ],
    ),
    (
        "quotas_intro",
        [
            "Câte cereri online primește instituția. Peste limită, cererea nu este înregistrată și cetățeanul află când poate trimite din nou. Un cetățean poate depune multe cereri legitime: limitele opresc un program automat, nu un solicitant harnic. Implicit: 30 pe oră și 100 pe zi dintr-un cont, 100 pe oră și 500 pe zi de la o adresă.",
            "Hány online kérelmet fogad az intézmény. A korláton felül a kérelmet nem iktatják, és a polgár megtudja, mikor küldheti újra. Egy polgár sok jogos kérelmet nyújthat be: a korlátok egy automatikus programot állítanak meg, nem egy szorgalmas kérelmezőt. Alapértelmezés: egy fiókból óránként 30 és naponta 100, egy címről óránként 100 és naponta 500.",
            "How many online requests the institution accepts. Over the limit, a request is not registered and the citizen is told when they can send it again. A citizen may file many legitimate requests: the limits stop an automated program, not a busy applicant. By default: 30 an hour and 100 a day from one account, 100 an hour and 500 a day from one address.",
        ],
    ),
    (
        "quota_account_hour",
        [
            "Dintr-un cont, pe oră",
            "Egy fiókból, óránként",
            "From one account, per hour",
        ],
    ),
    (
        "quota_account_day",
        [
            "Dintr-un cont, pe zi",
            "Egy fiókból, naponta",
            "From one account, per day",
        ],
    ),
    (
        "quota_address_hour",
        [
            "De la o adresă de internet, pe oră",
            "Egy internetcímről, óránként",
            "From one internet address, per hour",
        ],
    ),
    (
        "quota_address_day",
        [
            "De la o adresă de internet, pe zi",
            "Egy internetcímről, naponta",
            "From one internet address, per day",
        ],
    ),
    (
        "err_quota",
        [
            "Limita este un număr întreg de la 1 la 100000.",
            "A korlát 1 és 100000 közötti egész szám.",
            "A limit is a whole number from 1 to 100000.",
        ],
    ),
];

/// The text `key` in `lang` (the key itself if it is missing, which a test
/// of this module rules out for every key the pages use).
pub fn t(lang: Lang, key: &str) -> &'static str {
    TEXTS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, texts)| lang.pick(*texts))
}

/// A role in words.
pub fn role_name(lang: Lang, role: Role) -> &'static str {
    role.name(lang)
}

/// The confirmation shown after a save: the redirect's `?saved=` names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    TypeCreated,
    TypeSaved,
    TypeDeactivated,
    Department,
    Official,
    Quotas,
    Branding,
    SecondFactor,
}

impl Flash {
    const ALL: [Flash; 8] = [
        Flash::TypeCreated,
        Flash::TypeSaved,
        Flash::TypeDeactivated,
        Flash::Department,
        Flash::Official,
        Flash::Quotas,
        Flash::Branding,
        Flash::SecondFactor,
    ];

    /// Its value in `?saved=`.
    pub fn key(self) -> &'static str {
        match self {
            Flash::TypeCreated => "type_created",
            Flash::TypeSaved => "type_saved",
            Flash::TypeDeactivated => "type_deactivated",
            Flash::Department => "department",
            Flash::Official => "official",
            Flash::Quotas => "quotas",
            Flash::Branding => "branding",
            Flash::SecondFactor => "second_factor",
        }
    }

    /// The confirmation a query names, if it names a known one.
    pub fn from_query(query: &str) -> Option<Flash> {
        let given = query_param(query, "saved")?;
        Flash::ALL.into_iter().find(|f| f.key() == given)
    }

    /// `path` with this confirmation in its query.
    pub fn after(self, path: &str) -> String {
        format!("{path}?saved={}", self.key())
    }

    /// The sentence, in `lang`.
    pub fn message(self, lang: Lang) -> &'static str {
        t(lang, &format!("saved_{}", self.key()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_three_languages_and_every_key_is_unique() {
        for (i, (key, texts)) in TEXTS.iter().enumerate() {
            assert!(texts.iter().all(|s| !s.is_empty()), "{key}");
            assert!(TEXTS[..i].iter().all(|(k, _)| k != key), "{key} twice");
        }
    }

    #[test]
    fn roles_and_confirmations_are_words_in_each_language() {
        for lang in Lang::ALL {
            for role in Role::ALL {
                let name = role_name(lang, role);
                assert!(!name.is_empty() && !name.contains('_'), "{role:?}");
            }
            for f in Flash::ALL {
                assert!(!f.message(lang).is_empty(), "{f:?}");
                assert_eq!(Flash::from_query(&format!("saved={}", f.key())), Some(f));
            }
        }
        assert_eq!(
            role_name(Lang::Ro, Role::HeadOfDepartment),
            "Șef de serviciu"
        );
        assert_eq!(Flash::from_query("saved=%3Cscript%3E"), None);
        assert_eq!(Flash::from_query("saved=Orice+text"), None);
    }

    /// The keys the pages name literally (`t(lang, "key")`), and those they
    /// build (`quota_{limit}`), are all in [`TEXTS`]: a misspelt key would
    /// show an empty label.
    #[test]
    fn every_key_the_pages_name_has_its_texts() {
        let sources = [
            include_str!("pages.rs"),
            include_str!("second_factor.rs"),
            include_str!("quotas.rs"),
            include_str!("branding.rs"),
            include_str!("officials.rs"),
            include_str!("editor_page.rs"),
            include_str!("forms.rs"),
        ];
        let mut seen = 0;
        for source in sources {
            for call in ["t(lang, \"", "t(admin.lang, \""] {
                for (_, rest) in source
                    .match_indices(call)
                    .map(|(i, _)| source.split_at(i + call.len()))
                {
                    let key = &rest[..rest.find('"').unwrap()];
                    assert!(TEXTS.iter().any(|(k, _)| *k == key), "no texts for {key:?}");
                    seen += 1;
                }
            }
        }
        assert!(seen > 80, "only {seen} keys found: is the pattern stale?");
        for limit in ghiseu_core::quota::Limit::ALL {
            for lang in Lang::ALL {
                assert!(!t(lang, &format!("quota_{}", limit.code())).is_empty());
            }
        }
    }
}

//! The document types' list and the editor: sections, fields and their kinds, the preview, the JSON import and its errors.

/// The texts by key: Romanian, Hungarian, English.
pub(super) const TEXTS: &[(&str, [&str; 3])] = &[
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
];

//! The institution's departments, officials and invitations, second factor, branding, quotas and access log.

/// The texts by key: Romanian, Hungarian, English.
pub(super) const TEXTS: &[(&str, [&str; 3])] = &[
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
    (
        "access_bundle",
        [
            "arhiva dosarului (toate documentele)",
            "az ügyirat archív csomagját (minden dokumentum)",
            "the file's archive bundle (every document)",
        ],
    ),
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

//! The administration's frame: its menu, its home page, the confirmations after a save, what every page shares.

/// The texts by key: Romanian, Hungarian, English.
pub(super) const TEXTS: &[(&str, [&str; 3])] = &[
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
];

//! Every text of the portal in Romanian, Hungarian and English: [`t`] for the
//! fixed texts, by key; [`pick`] for a text written where it is used.

use ghiseu_core::Lang;

/// Every fixed text of the portal, in Romanian, Hungarian and English.
pub(crate) fn t(lang: Lang, key: &str) -> &'static str {
    let [ro, hu, en] = match key {
        "portal" => ["Contul meu", "Fiókom", "My account"],
        "body_too_large" => [
            "Formularul trimis este prea mare. Trimiteți fișiere mai mici; nimic nu a fost înregistrat.",
            "Az elküldött űrlap túl nagy. Küldjön kisebb fájlokat; semmi sem lett iktatva.",
            "The form sent is too large. Send smaller files; nothing was registered.",
        ],
        "body_incomplete" => [
            "Formularul nu a ajuns întreg (transmisie întreruptă). Trimiteți-l din nou; nimic nu a fost înregistrat.",
            "Az űrlap nem érkezett meg teljesen (megszakadt átvitel). Küldje el újra; semmi sem lett iktatva.",
            "The form did not arrive whole (the transfer broke off). Send it again; nothing was registered.",
        ],
        "sign_waiting" => [
            "Semnați cererea care vă așteaptă",
            "Írja alá a várakozó kérelmét",
            "Sign the request that is waiting",
        ],
        "my_documents" => ["Documentele mele", "Dokumentumaim", "My documents"],
        "my_data" => [
            "Datele mele: descărcare sau închiderea contului",
            "Adataim: letöltés vagy a fiók megszüntetése",
            "My data: download or close the account",
        ],
        "who_opened" => [
            "Cine a deschis dosarul",
            "Ki nyitotta meg az ügyiratot",
            "Who opened the file",
        ],
        "bundle" => [
            "Arhiva dosarului: toate documentele, cu sigiliul instituției (ASiC-E)",
            "Az ügyirat archív csomagja: minden dokumentum, az intézmény bélyegzőjével (ASiC-E)",
            "The file's archive bundle: every document, sealed by the institution (ASiC-E)",
        ],
        "register" => ["Creează cont", "Fiók létrehozása", "Create an account"],
        "login" => ["Autentificare", "Bejelentkezés", "Sign in"],
        "login_sms" => [
            "Intră cu un cod prin SMS",
            "Belépés SMS-kóddal",
            "Sign in with an SMS code",
        ],
        "logout" => ["Ieșire", "Kijelentkezés", "Sign out"],
        "logout_everywhere" => [
            "Ieșire de pe toate dispozitivele",
            "Kijelentkezés minden eszközről",
            "Sign out everywhere",
        ],
        "logout_everywhere_why" => [
            "Ați intrat în cont pe un telefon sau un calculator care nu e al dumneavoastră? Ieșiți de peste tot, de aici inclusiv.",
            "Idegen telefonon vagy számítógépen lépett be? Jelentkezzen ki mindenhonnan, innen is.",
            "Signed in on a phone or computer that is not yours? Sign out everywhere, here included.",
        ],
        "reset" => [
            "Am uitat parola",
            "Elfelejtett jelszó",
            "Forgot your password",
        ],
        "verify" => [
            "Confirmă contul",
            "Fiók megerősítése",
            "Confirm your account",
        ],
        "claim" => [
            "Adaugă un dosar depus pe hârtie",
            "Papíron beadott ügyirat hozzáadása",
            "Add a dossier filed on paper",
        ],
        "name" => ["Nume și prenume", "Teljes név", "Full name"],
        "email" => ["E-mail", "E-mail", "E-mail"],
        "phone" => ["Telefon mobil", "Mobiltelefon", "Mobile phone"],
        "contact" => [
            "E-mail sau telefon",
            "E-mail vagy telefon",
            "E-mail or phone",
        ],
        "password" => [
            "Parola (cel puțin 12 caractere)",
            "Jelszó (legalább 12 karakter)",
            "Password (at least 12 characters)",
        ],
        "password_plain" => ["Parola", "Jelszó", "Password"],
        "password2" => ["Repetați parola", "Jelszó újra", "Repeat the password"],
        "code" => [
            "Codul primit (6 cifre)",
            "A kapott kód (6 számjegy)",
            "The code you received (6 digits)",
        ],
        "send_code" => ["Trimite codul", "Kód küldése", "Send the code"],
        "continue" => ["Continuă", "Tovább", "Continue"],
        "institution" => ["Instituția", "Intézmény", "Institution"],
        "number" => [
            "Numărul de înregistrare",
            "Iktatószám",
            "Registration number",
        ],
        "errors" => [
            "Corectați următoarele:",
            "Kérjük, javítsa:",
            "Please correct the following:",
        ],
        "error_prefix" => ["Eroare: ", "Hiba: ", "Error: "],
        "reply_documents" => ["Documente", "Dokumentumok", "Documents"],
        "attached" => ["Atașat:", "Csatolva:", "Attached:"],
        "replace_file" => [
            "Îl trimitem pe acesta. Pentru a-l înlocui, alegeți alt fișier.",
            "Ezt küldjük. Ha cserélni szeretné, válasszon másik fájlt.",
            "We will send this one. To replace it, choose another file.",
        ],
        "attach_again" => [
            "Fișierul trimis mai devreme nu mai este disponibil: atașați-l din nou.",
            "A korábban küldött fájl már nem érhető el: csatolja újra.",
            "The file sent earlier is no longer available: attach it again.",
        ],
        "file_name_invalid" => [
            "Numele fișierului nu este valid.",
            "A fájlnév nem érvényes.",
            "The file name is not valid.",
        ],
        "text_invalid" => [
            "Textul nu este valid.",
            "A szöveg nem érvényes.",
            "The text is not valid.",
        ],
        "code_sent" => [
            "Dacă datele sunt corecte, v-am trimis un cod valabil 10 minute.",
            "Ha az adatok helyesek, elküldtünk egy 10 percig érvényes kódot.",
            "If the details are right, we sent you a code valid for 10 minutes.",
        ],
        "claim_sent" => [
            "Dacă dosarul are un telefon sau un e-mail înregistrat, am trimis acolo un cod valabil 10 minute.",
            "Ha az ügyirathoz telefonszám vagy e-mail tartozik, oda küldtünk egy 10 percig érvényes kódot.",
            "If the dossier has a phone or e-mail on file, we sent a code valid for 10 minutes there.",
        ],
        "no_documents" => [
            "Nu aveți încă documente în cont.",
            "Még nincs dokumentum a fiókjában.",
            "You have no documents in your account yet.",
        ],
        "status" => ["Stare", "Állapot", "Status"],
        "department" => ["Compartiment", "Osztály", "Department"],
        "official" => ["Funcționar", "Ügyintéző", "Official"],
        "days_in" => [
            "Zile în instituție",
            "Napok az intézményben",
            "Days in the institution",
        ],
        "deadline" => ["Termen", "Határidő", "Deadline"],
        "details" => ["Traseul complet", "Teljes út", "Full route"],
        "language" => ["Limba", "Nyelv", "Language"],
        "issued_document" => [
            "Descărcați documentul emis (PDF)",
            "A kiadott irat letöltése (PDF)",
            "Download the issued document (PDF)",
        ],
        "reply" => [
            "Răspundeți instituției",
            "Válaszoljon az intézménynek",
            "Reply to the institution",
        ],
        "reply_text" => ["Răspunsul dumneavoastră", "Az Ön válasza", "Your reply"],
        "reply_files" => [
            "Documente (PDF, JPEG sau PNG, max. 10 MB fiecare)",
            "Dokumentumok (PDF, JPEG vagy PNG, egyenként max. 10 MB)",
            "Documents (PDF, JPEG or PNG, at most 10 MB each)",
        ],
        "question" => [
            "Instituția vă cere:",
            "Az intézmény kéri:",
            "The institution asks for:",
        ],
        "new_request" => ["Cerere nouă", "Új kérelem", "New request"],
        "submit" => ["Trimite cererea", "Kérelem beküldése", "Submit the request"],
        "needs_qualified" => [
            "Necesită semnătură electronică calificată: cererea se înregistrează după semnare.",
            "Minősített elektronikus aláírást igényel: aláírás után iktatják.",
            "Needs a qualified electronic signature: it is registered once signed.",
        ],
        "registered" => [
            "Cererea a fost înregistrată cu nr.",
            "A kérelmet iktatták, szám:",
            "Your request was registered as no.",
        ],
        "awaiting" => [
            "Cerere în așteptarea semnăturii electronice calificate (neînregistrată încă)",
            "Minősített aláírásra váró kérelem (még nincs iktatva)",
            "Request waiting for a qualified electronic signature (not registered yet)",
        ],
        "have_account" => [
            "Aveți deja cont?",
            "Van már fiókja?",
            "Already have an account?",
        ],
        "signature" => [
            "Semnătura electronică",
            "Elektronikus aláírás",
            "Electronic signature",
        ],
        "signature_intro" => [
            "Unele cereri se depun cu semnătură electronică calificată. O obțineți aici, de acasă: costă 1,00 leu, plătit o singură dată cu cardul. Codurile de semnare vă vin prin SMS, pe telefonul contului.",
            "Egyes kérelmekhez minősített elektronikus aláírás kell. Itt, otthonról megszerezheti: 1,00 lej, egyszer kell kártyával fizetni. Az aláíró kódokat SMS-ben kapja a fiók telefonszámára.",
            "Some requests must carry a qualified electronic signature. Get one here, from home: it costs 1.00 leu, paid once by card. Signing codes come by SMS to your account's phone.",
        ],
        "buy" => ["Cumpără", "Megvásárlás", "Buy"],
        "credential_item" => [
            "Semnătură electronică calificată",
            "Minősített elektronikus aláírás",
            "Qualified electronic signature",
        ],
        "credential_active" => [
            "Semnătura electronică este activă: puteți semna cererile.",
            "Az elektronikus aláírás aktív: aláírhatja a kérelmeit.",
            "Your electronic signature is active: you can sign your requests.",
        ],
        "credential_pending" => [
            "Plata a fost primită, dar semnătura nu a fost creată încă.",
            "A fizetés megérkezett, de az aláírás még nem jött létre.",
            "Your payment was received, but the signature is not created yet.",
        ],
        "needs_phone" => [
            "Pentru semnătură aveți nevoie de un telefon mobil confirmat în cont (codurile vin prin SMS).",
            "Az aláíráshoz megerősített mobiltelefonszám kell a fiókban (a kódok SMS-ben jönnek).",
            "You need a confirmed mobile phone on your account (the codes come by SMS).",
        ],
        "retry" => ["Reîncearcă", "Újrapróbálás", "Try again"],
        "try_again" => ["Încercați din nou", "Próbálja újra", "Try again"],
        "refresh" => [
            "Reîncarcă starea plății",
            "A fizetés állapotának frissítése",
            "Refresh the payment status",
        ],
        "payment" => ["Plata", "Fizetés", "Payment"],
        "payments" => ["Plățile mele", "Fizetéseim", "My payments"],
        "pay_open" => [
            "Așteptăm confirmarea plății.",
            "Várjuk a fizetés visszaigazolását.",
            "Waiting for the payment's confirmation.",
        ],
        "pay_paid" => ["Plătit", "Fizetve", "Paid"],
        "pay_failed" => [
            "Plata a fost refuzată.",
            "A fizetést elutasították.",
            "The payment was refused.",
        ],
        "receipt_no" => ["Număr chitanță", "Nyugta száma", "Receipt number"],
        "fee" => ["Taxă", "Díj", "Fee"],
        "fee_title" => ["Plata taxei", "A díj befizetése", "Paying the fee"],
        "fee_due" => ["de plătit", "fizetendő", "to pay"],
        "fee_paid" => ["achitată", "kifizetve", "paid"],
        "receipt_of" => ["chitanța nr.", "nyugta száma:", "receipt no."],
        "pay_fee" => ["Plătește taxa", "A díj befizetése", "Pay the fee"],
        "continue_payment" => [
            "Continuă plata",
            "A fizetés folytatása",
            "Continue the payment",
        ],
        "fee_form" => [
            "Taxa se plătește cu cardul după ce trimiteți formularul. Cererea se înregistrează numai după plată.",
            "A díjat az űrlap beküldése után kártyával fizeti. A kérelmet csak a fizetés után iktatják.",
            "The fee is paid by card after you send the form. The request is registered only once paid.",
        ],
        "fee_then_register" => [
            "După plată, cererea se înregistrează imediat și primiți numărul de înregistrare.",
            "A fizetés után a kérelmet azonnal iktatják, és megkapja az iktatószámot.",
            "Once paid, the request is registered at once and you get its registration number.",
        ],
        "fee_then_sign" => [
            "Întâi plătiți taxa, apoi semnați cererea cu semnătura electronică calificată; după semnare se înregistrează.",
            "Először fizesse be a díjat, majd írja alá a kérelmet minősített elektronikus aláírással; aláírás után iktatják.",
            "First pay the fee, then sign the request with your qualified electronic signature; once signed, it is registered.",
        ],
        "fee_retry" => [
            "Nu s-a încasat nimic: puteți plăti din nou.",
            "Semmit sem vontak le: újra fizethet.",
            "Nothing was charged: you can pay again.",
        ],
        "fee_registering" => [
            "Taxa este plătită; cererea se înregistrează. Reîncărcați pagina peste câteva secunde.",
            "A díj kifizetve; a kérelem iktatása folyamatban. Frissítse az oldalt néhány másodperc múlva.",
            "The fee is paid; the request is being registered. Reload the page in a few seconds.",
        ],
        "awaiting_fee" => [
            "Cerere în așteptarea plății taxei (neînregistrată încă)",
            "Díjfizetésre váró kérelem (még nincs iktatva)",
            "Request waiting for its fee (not registered yet)",
        ],
        "registered_as" => ["înregistrată cu nr.", "iktatószám:", "registered as no."],
        "amount" => ["Sumă", "Összeg", "Amount"],
        "paid_at" => ["Dată", "Dátum", "Date"],
        "sign" => ["Semnează", "Aláírás", "Sign"],
        "sign_intro" => [
            "Semnați cererea cu semnătura electronică calificată: vă trimitem un cod prin SMS, îl scrieți aici și cererea se înregistrează.",
            "Írja alá a kérelmet minősített elektronikus aláírással: SMS-ben küldünk egy kódot, ide beírja, és a kérelmet iktatjuk.",
            "Sign the request with your qualified electronic signature: we send you a code by SMS, you type it here and the request is registered.",
        ],
        "send_sign_code" => [
            "Trimite codul de semnare",
            "Aláíró kód küldése",
            "Send the signing code",
        ],
        "send_new_code" => ["Trimite un cod nou", "Új kód küldése", "Send a new code"],
        "sign_code_sent" => [
            "V-am trimis prin SMS un cod de semnare valabil 5 minute.",
            "SMS-ben küldtünk egy 5 percig érvényes aláíró kódot.",
            "We sent you a signing code by SMS, valid for 5 minutes.",
        ],
        "sign_in_progress" => [
            "Cererea este deja semnată și se înregistrează. Reîncărcați pagina „Documentele mele”.",
            "A kérelmet már aláírták, iktatása folyamatban. Frissítse a Dokumentumaim oldalt.",
            "The request is already signed and being registered. Reload \u{201c}My documents\u{201d}.",
        ],
        "code_format" => [
            "Scrieți cele 6 cifre ale codului primit.",
            "Írja be a kapott kód 6 számjegyét.",
            "Enter the 6 digits of the code you received.",
        ],
        "code_wrong" => [
            "Codul nu este corect.",
            "A kód nem helyes.",
            "The code is not right.",
        ],
        "code_locked" => [
            "Prea multe coduri greșite: cereți un cod nou.",
            "Túl sok hibás kód: kérjen újat.",
            "Too many wrong codes: ask for a new code.",
        ],
        "code_expired" => [
            "Codul a expirat: cereți un cod nou.",
            "A kód lejárt: kérjen újat.",
            "The code has expired: ask for a new code.",
        ],
        "code_spent" => [
            "Codul a fost deja folosit: cereți un cod nou.",
            "A kódot már felhasználták: kérjen újat.",
            "The code was already used: ask for a new code.",
        ],
        _ => return "",
    };
    lang.pick([ro, hu, en])
}

/// A text written where it is used, in `lang`: the Romanian, Hungarian or
/// English one.
pub(crate) fn pick(lang: Lang, ro: &str, hu: &str, en: &str) -> String {
    lang.pick([ro, hu, en]).to_owned()
}

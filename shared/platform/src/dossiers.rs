//! Dossiers across components: the one registration path (registry intake,
//! seed, online submission), files, the public tracking snapshot (with the
//! journey across institutions), forwarding between institutions, and the
//! citizen's notifications.

use chrono::{DateTime, Utc};
use ghiseu_core::dossier::{NewDossier, Origin, OriginalName};
use ghiseu_core::permissions::authorize_registration;
use ghiseu_core::public_view::{PublicNames, status_label};
use ghiseu_core::regno::registration_year;
use ghiseu_core::{
    Actor, Attachment, Channel, CitizenContact, Denied, DocumentTypeCode, Dossier, DossierId,
    InternalNote, Lang, MediaType, PublicNote, PublicStatus, RegistrationNumber, RouteActor,
    Sha256Digest, Tenant, TrackingToken,
};

use crate::keys::TenantScope;
use crate::kv::Store;
use crate::notify::{self, Message};
use crate::repo::{self, TokenEntry};
use crate::s3::S3Client;
use crate::session::random_bytes;
use crate::tracking::{Leg, Snapshot, put_snapshot, snapshot_of};

/// Why a dossier use case failed; nothing was changed unless said otherwise.
#[derive(Debug)]
pub enum IntakeError {
    /// No such dossier, document type or tenant (also: another tenant's).
    NotFound,
    /// The actor's role does not allow it.
    Forbidden(String),
    /// Not possible in the present state.
    NotAllowed(String),
    /// A field is invalid: (field id, message).
    Invalid(Vec<(String, String)>),
    /// A store failed.
    Platform(crate::Error),
}

impl From<crate::Error> for IntakeError {
    fn from(e: crate::Error) -> Self {
        Self::Platform(e)
    }
}

fn random16() -> Result<[u8; 16], IntakeError> {
    Ok(random_bytes::<16>()?)
}

/// A scanned page, already checked by content.
pub struct Scan {
    /// The uploader's file name.
    pub name: OriginalName,
    /// What the content is.
    pub media_type: MediaType,
    /// The bytes.
    pub data: Vec<u8>,
}

/// A submission, parsed and validated: paper at the registry or online.
pub struct Intake {
    /// The document type.
    pub document_type: DocumentTypeCode,
    /// How it arrived.
    pub channel: Channel,
    /// Files already stored (e.g. the rendered cerere), listed first.
    pub stored: Vec<Attachment>,
    /// The citizen's private contact.
    pub contact: CitizenContact,
    /// The scanned pages.
    pub scans: Vec<Scan>,
    /// An internal note.
    pub note: Option<InternalNote>,
    /// A public note on the first route event.
    pub public_note: Option<PublicNote>,
    /// The form data (validated by the caller against the document type).
    pub form: ghiseu_core::form::FormData,
}

/// Who registers a dossier.
#[derive(Debug, Clone, Copy)]
pub enum Registrant<'a> {
    /// An official at the registry (checked: the role must allow it).
    Official(&'a Actor),
    /// The citizen, submitting online (the caller has authenticated them).
    Citizen,
}

/// Registers `intake` in `tenant` by `by` at `now`: stores the files, takes
/// the next number, writes the dossier, the token and inbox indexes and the
/// tracking snapshot, and tells the citizen. The one intake path (desk form,
/// seed, online submission).
pub async fn register(
    store: &Store,
    tenant: &Tenant,
    by: Registrant<'_>,
    intake: Intake,
    now: DateTime<Utc>,
) -> Result<Dossier, IntakeError> {
    let route_actor = match by {
        Registrant::Official(actor) => {
            authorize_registration(actor, &tenant.slug).map_err(|d| match d {
                Denied::OtherTenant => IntakeError::NotFound,
                Denied::NotPermitted => IntakeError::Forbidden(d.to_string()),
            })?;
            actor.route_actor()
        }
        Registrant::Citizen => RouteActor::Citizen,
    };
    let scope = TenantScope::new(&tenant.slug);
    let Some(doc_type) = repo::document_type(store, &scope, &intake.document_type).await? else {
        return Err(IntakeError::Invalid(vec![(
            "document_type".into(),
            "Alegeți un tip de document al instituției.".into(),
        )]));
    };
    // Content-addressed, so storing the same page twice is harmless; stored
    // before the number is taken, so a failed upload wastes no number.
    let mut attachments = intake.stored;
    if !intake.scans.is_empty() {
        let s3 = S3Client::from_variables().await?;
        for scan in intake.scans {
            attachments.push(store_file(&s3, &scope, scan).await?);
        }
    }
    let year = registration_year(now);
    let seq = repo::next_sequence(&scope, year)?;
    let number = RegistrationNumber::new(tenant.registration_prefix.clone(), year, seq)
        .map_err(|e| IntakeError::NotAllowed(e.to_string()))?;
    let id = DossierId::from_random(random16()?);
    let token = TrackingToken::from_random(random16()?);
    let new = NewDossier {
        id,
        tenant: tenant.slug.clone(),
        channel: intake.channel,
        number,
        token,
        attachments,
        note: intake.note,
        contact: intake.contact,
        public_note: intake.public_note,
        origin: None,
        form: intake.form,
    };
    let dossier = Dossier::register(new, &doc_type, route_actor, now);
    // The number's index entry first: the registry view then finds every
    // dossier that was written, and shows a number whose dossier never was.
    repo::put_index_entry(store, &scope, year, seq, &id).await?;
    repo::create_dossier(&scope, &dossier)?;
    repo::index_open(&scope, &dossier)?;
    repo::put_token(
        store,
        &token,
        &TokenEntry {
            tenant: tenant.slug.to_string(),
            dossier: id.to_string(),
        },
    )
    .await?;
    publish(store, tenant, &dossier).await?;
    notify_citizen(store, tenant, &dossier, None).await;
    Ok(dossier)
}

/// Display names of the tenant's departments and officials.
pub async fn names(store: &Store, scope: &TenantScope) -> Result<PublicNames, IntakeError> {
    Ok(PublicNames::of(
        &repo::departments(store, scope).await?,
        &repo::officials(store, scope).await?,
    ))
}

/// Stores `scan` under its SHA-256 in the tenant's files (storing the same
/// bytes twice is harmless) and describes it.
pub async fn store_file(
    s3: &S3Client,
    scope: &TenantScope,
    scan: Scan,
) -> Result<Attachment, IntakeError> {
    let sha = Sha256Digest::of(&scan.data);
    let size = scan.data.len() as u64;
    s3.put_object(
        &scope.attachment_object(&sha),
        scan.data,
        scan.media_type.mime(),
    )
    .await?;
    Ok(Attachment {
        sha256: sha,
        media_type: scan.media_type,
        size,
        original_name: scan.name,
    })
}

/// The snapshot of one dossier in its own tenant (`known` when it is that
/// tenant, else read).
async fn snapshot(
    store: &Store,
    known: &Tenant,
    dossier: &Dossier,
) -> Result<Snapshot, IntakeError> {
    let scope = TenantScope::new(dossier.tenant());
    let read;
    let tenant = if &known.slug == dossier.tenant() {
        known
    } else {
        read = repo::get_tenant(store, dossier.tenant())
            .await?
            .ok_or(IntakeError::NotFound)?;
        &read
    };
    let names = names(store, &scope).await?;
    let titles = repo::document_type_version(
        store,
        &scope,
        dossier.document_type(),
        dossier.document_type_version(),
    )
    .await?
    .map(|t| t.titles)
    .ok_or(IntakeError::NotFound)?;
    Ok(snapshot_of(
        dossier,
        tenant.name.as_str(),
        Some(&tenant.public_base_url),
        &titles,
        &names,
    ))
}

/// The longest chain of institutions followed.
const MAX_LEGS: usize = 8;

/// Every dossier of the request `dossier` belongs to, across institutions,
/// oldest first: back through the origins, then forward through the
/// forwardings. A single dossier for a request that never left its institution.
async fn journey(store: &Store, dossier: &Dossier) -> Result<Vec<Dossier>, IntakeError> {
    let mut first = dossier.clone();
    for _ in 0..MAX_LEGS {
        let Some(origin) = first.origin().cloned() else {
            break;
        };
        let scope = TenantScope::new(&origin.tenant);
        match repo::get_dossier(store, &scope, &origin.dossier).await? {
            Some(v) => first = v.dossier,
            None => break,
        }
    }
    let mut legs = vec![first];
    while legs.len() < MAX_LEGS {
        let last = legs.last().expect("never empty");
        let Some((tenant, id)) = last.forwarded_to() else {
            break;
        };
        let scope = TenantScope::new(tenant);
        match repo::get_dossier(store, &scope, id).await? {
            Some(v) => legs.push(v.dossier),
            None => break,
        }
    }
    Ok(legs)
}

/// Writes the public tracking snapshot of `dossier` of `tenant`, and, for a
/// request forwarded between institutions, the snapshots of every leg (each
/// token shows the whole journey).
pub async fn publish(store: &Store, tenant: &Tenant, dossier: &Dossier) -> Result<(), IntakeError> {
    let legs = journey(store, dossier).await?;
    if legs.len() < 2 {
        let snap = snapshot(store, tenant, dossier).await?;
        put_snapshot(store, dossier.token(), &snap).await?;
        return Ok(());
    }
    let mut snaps = Vec::with_capacity(legs.len());
    for leg in &legs {
        snaps.push(snapshot(store, tenant, leg).await?);
    }
    let journey: Vec<Leg> = snaps.iter().map(Leg::of).collect();
    for (leg, mut snap) in legs.iter().zip(snaps) {
        snap.journey = journey.clone();
        put_snapshot(store, leg.token(), &snap).await?;
    }
    Ok(())
}

/// The receiving institution's document type a forwarded dossier continues
/// under: the same code if the receiving tenant has it, else its petition.
pub async fn receiving_type(
    store: &Store,
    scope: &TenantScope,
    code: &DocumentTypeCode,
) -> Result<Option<ghiseu_core::DocumentType>, IntakeError> {
    if let Some(t) = repo::document_type(store, scope, code).await? {
        return Ok(Some(t));
    }
    let petition = DocumentTypeCode::parse("petitie").expect("a valid code");
    Ok(repo::document_type(store, scope, &petition).await?)
}

/// Makes sure the dossier `from` was forwarded into exists in the receiving
/// tenant: creates it (with its own number, the same files, contact and a
/// link back) when it does not. Idempotent, so an interrupted forwarding is
/// completed by the next call (the dossier page calls it too).
pub async fn complete_forwarding(store: &Store, from: &Dossier) -> Result<(), IntakeError> {
    let Some((to_tenant, to_id)) = from.forwarded_to() else {
        return Ok(());
    };
    let to_scope = TenantScope::new(to_tenant);
    if repo::get_dossier(store, &to_scope, to_id).await?.is_some() {
        return Ok(());
    }
    let tenant = repo::get_tenant(store, to_tenant)
        .await?
        .ok_or(IntakeError::NotFound)?;
    let Some(doc_type) = receiving_type(store, &to_scope, from.document_type()).await? else {
        return Err(IntakeError::NotAllowed(format!(
            "{} nu are un tip de document pentru acest dosar.",
            tenant.name.as_str()
        )));
    };
    let from_scope = TenantScope::new(from.tenant());
    if !from.attachments().is_empty() {
        let s3 = S3Client::from_variables().await?;
        for a in from.attachments() {
            let Some(bytes) = s3
                .get_object(&from_scope.attachment_object(&a.sha256))
                .await?
            else {
                return Err(IntakeError::Platform(crate::Error::Corrupt {
                    key: from_scope.attachment_object(&a.sha256),
                    detail: "an attachment is missing from the object store".to_owned(),
                }));
            };
            s3.put_object(
                &to_scope.attachment_object(&a.sha256),
                bytes,
                a.media_type.mime(),
            )
            .await?;
        }
    }
    let from_tenant = repo::get_tenant(store, from.tenant())
        .await?
        .ok_or(IntakeError::NotFound)?;
    let now = from.updated_at();
    let year = registration_year(now);
    let seq = repo::next_sequence(&to_scope, year)?;
    let number = RegistrationNumber::new(tenant.registration_prefix.clone(), year, seq)
        .map_err(|e| IntakeError::NotAllowed(e.to_string()))?;
    let note = PublicNote::parse(&format!(
        "Primit de la {}, nr. {}",
        from_tenant.name.as_str(),
        from.number()
    ))
    .ok();
    let new = NewDossier {
        id: *to_id,
        tenant: to_tenant.clone(),
        channel: from.channel(),
        number,
        token: TrackingToken::from_random(random16()?),
        attachments: from.attachments().to_vec(),
        note: None,
        contact: from.contact().clone(),
        public_note: note,
        origin: Some(Origin {
            tenant: from.tenant().clone(),
            dossier: from.id(),
            number: from.number().clone(),
        }),
        form: from.form().clone(),
    };
    let dossier = Dossier::register(new, &doc_type, RouteActor::System, now);
    if !repo::create_dossier_once(&to_scope, &dossier)? {
        // Someone completed it meanwhile; the number just taken stays unused.
        return Ok(());
    }
    repo::put_index_entry(store, &to_scope, year, seq, to_id).await?;
    repo::put_token(
        store,
        dossier.token(),
        &TokenEntry {
            tenant: to_tenant.to_string(),
            dossier: to_id.to_string(),
        },
    )
    .await?;
    repo::index_open(&to_scope, &dossier)?;
    publish(store, &tenant, &dossier).await?;
    notify_citizen(store, &tenant, &dossier, None).await;
    Ok(())
}

/// The messages telling the citizen about `d` (just registered when
/// `before` is `None`, else its public status changed from `before`): one
/// per contact the citizen left (SMS to the phone, e-mail to the address),
/// with the tracking link. Ids are derived from the dossier and its route
/// length, so recording them twice sends them once.
pub fn citizen_messages(
    tenant: &Tenant,
    d: &Dossier,
    title: &str,
    before: Option<PublicStatus>,
) -> Vec<Message> {
    let lang = d.contact().lang.unwrap_or(Lang::Ro);
    let url = tenant.public_base_url.tracking_url(d.token());
    let institution = tenant.name.as_str();
    let number = d.number();
    let status = status_label(PublicStatus::from(d.status()), lang);
    let (on, due) = (
        d.registered_on().format("%d.%m.%Y").to_string(),
        d.deadline().format("%d.%m.%Y").to_string(),
    );
    let (subject, text) = match (before, lang) {
        (None, Lang::Ro) => (
            format!("{institution}: cererea nr. {number} a fost înregistrată"),
            format!(
                "{institution}: cererea dvs. „{title}” a fost înregistrată cu nr. {number} \
                 din {on}. Termen de răspuns: {due}. Urmăriți-o: {url}"
            ),
        ),
        (None, Lang::Hu) => (
            format!("{institution}: kérelmét {number} számon iktatták"),
            format!(
                "{institution}: „{title}” kérelmét {on}-n {number} számon iktatták. \
                 Válaszadási határidő: {due}. Kövesse itt: {url}"
            ),
        ),
        (None, Lang::En) => (
            format!("{institution}: request no. {number} registered"),
            format!(
                "{institution}: your request \"{title}\" was registered as no. {number} on {on}. \
                 Deadline for the answer: {due}. Follow it: {url}"
            ),
        ),
        (Some(_), _) => {
            let extra = match (d.pending_question(), lang) {
                (Some((q, _)), Lang::Ro) => format!(" Vă rugăm să ne trimiteți: {q}."),
                (Some((q, _)), Lang::Hu) => format!(" Kérjük, küldje el: {q}."),
                (Some((q, _)), Lang::En) => format!(" Please send us: {q}."),
                (None, _) => String::new(),
            };
            let (dossier, follow) = match lang {
                Lang::Ro => ("dosarul nr.", "Urmăriți"),
                Lang::Hu => ("ügyirat", "Követés"),
                Lang::En => ("dossier no.", "Follow it"),
            };
            (
                format!("{institution}: {dossier} {number} — {status}"),
                format!("{institution}: {dossier} {number} — {status}.{extra} {follow}: {url}"),
            )
        }
    };
    let key = format!("{}-{}", d.id(), d.route().len());
    let contact = d.contact();
    let mut out = Vec::new();
    if let Some(phone) = &contact.phone {
        out.push(Message {
            id: format!("{key}-sms"),
            channel: notify::Channel::Sms,
            to: phone.as_str().to_owned(),
            lang: lang.code().to_owned(),
            subject: subject.clone(),
            text: text.clone(),
        });
    }
    if let Some(email) = &contact.email {
        out.push(Message {
            id: format!("{key}-email"),
            channel: notify::Channel::Email,
            to: email.as_str().to_owned(),
            lang: lang.code().to_owned(),
            subject,
            text,
        });
    }
    out
}

/// Queues the citizen's messages about `d` and tries to deliver what is due.
/// Never fails the caller: the change is already stored, and a message that
/// cannot be queued or delivered now is logged (and retried when queued).
pub async fn notify_citizen(
    store: &Store,
    tenant: &Tenant,
    d: &Dossier,
    before: Option<PublicStatus>,
) {
    let scope = TenantScope::new(&tenant.slug);
    let title = match repo::document_type_version(
        store,
        &scope,
        d.document_type(),
        d.document_type_version(),
    )
    .await
    {
        Ok(Some(t)) => t
            .titles
            .get(d.contact().lang.unwrap_or(Lang::Ro))
            .to_string(),
        _ => d.document_type().to_string(),
    };
    let messages = citizen_messages(tenant, d, &title, before);
    if messages.is_empty() {
        return;
    }
    let sent = match notify::Gateway::from_variables().await {
        Ok(Some(gateway)) => {
            notify::send_now(
                store,
                &gateway,
                tenant.slug.as_str(),
                &d.id().to_string(),
                messages,
                Utc::now(),
            )
            .await
        }
        // Notifications are switched off.
        Ok(None) => return,
        Err(e) => Err(e),
    };
    if let Err(e) = sent {
        eprintln!("notify: {}: {e}", d.number());
    }
}

/// Delivers up to `max` due messages (every pending one with `retry_now`;
/// nothing when notifications are off).
pub async fn dispatch_notifications(
    store: &Store,
    max: usize,
    retry_now: bool,
) -> Result<notify::Report, crate::Error> {
    match notify::Gateway::from_variables().await? {
        Some(gateway) => notify::dispatch_due(store, &gateway, Utc::now(), max, retry_now).await,
        None => Ok(notify::Report::default()),
    }
}

/// The citizen's reply to an information request on dossier `id` of `tenant`
/// (the caller has checked that the dossier is linked to the citizen's
/// account): stores the files, records the reply with a leased replace,
/// publishes and tells the citizen.
pub async fn reply_as_citizen(
    store: &Store,
    tenant: &Tenant,
    id: &DossierId,
    message: Option<ghiseu_core::Reason>,
    files: Vec<Scan>,
    now: DateTime<Utc>,
) -> Result<Dossier, IntakeError> {
    let scope = TenantScope::new(&tenant.slug);
    let Some(current) = repo::get_dossier(store, &scope, id).await? else {
        return Err(IntakeError::NotFound);
    };
    // Refused before anything is stored.
    ghiseu_core::workflow::citizen_may_reply(&current.dossier)
        .map_err(|e| IntakeError::NotAllowed(e.to_string()))?;
    let mut documents = Vec::with_capacity(files.len());
    if !files.is_empty() {
        let s3 = S3Client::from_variables().await?;
        for f in files {
            documents.push(store_file(&s3, &scope, f).await?);
        }
    }
    let event = ghiseu_core::workflow::citizen_reply(&current.dossier, message, documents, now)
        .map_err(|e| IntakeError::NotAllowed(e.to_string()))?;
    let mut next = current.dossier.clone();
    next.record(event);
    match repo::update_dossier(&scope, &current, &next)? {
        repo::UpdateOutcome::Updated => {}
        repo::UpdateOutcome::Conflict => {
            return Err(IntakeError::NotAllowed(
                "the dossier changed meanwhile; reload the page".to_owned(),
            ));
        }
    }
    repo::index_open(&scope, &next)?;
    publish(store, tenant, &next).await?;
    notify_citizen(
        store,
        tenant,
        &next,
        Some(PublicStatus::from(current.dossier.status())),
    )
    .await;
    Ok(next)
}

//! Dossiers across components: the one registration path ([`register`](mod@register):
//! registry intake, seed, online submission), their files ([`files`](mod@files)), the
//! public tracking snapshot with the journey across institutions
//! ([`publish`](mod@publish)), forwarding between institutions ([`forward`](mod@forward)), an
//! official's action on a dossier ([`act`](mod@act)), the citizen's reply ([`reply`](mod@reply))
//! telling the citizen ([`notify`](mod@notify)), and the registry's numbers
//! without a dossier and their annulment ([`annul`](mod@annul)).

pub mod act;
pub mod annul;
pub mod files;
pub mod forward;
pub mod notify;
pub mod publish;
pub mod register;
pub mod reply;

pub use act::{act, act_on};
pub use annul::{Annulled, WithoutDossier, annul, without_dossier};
pub use files::{Scan, store_file, store_files};
pub use forward::{complete_forwarding, receiving_type};
pub use notify::{citizen_messages, dispatch_notifications, messages_about, notify_citizen};
pub use publish::{names, publish};
pub use register::{Intake, Registrant, index_written, register, register_as};
pub use reply::reply_as_citizen;

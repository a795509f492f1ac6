//! The batch page's view of a signing batch (`pages` renders plain values
//! and imports no handler): the stored shape's strings, and the counts the
//! typed batch decides.

use ghiseu_core::signing::Batch;
use ghiseu_core::stored::{StoredBatch, StoredItemState};

use crate::pages::{BatchPage, BatchRow, ItemView};

/// The page's view of `batch`, whose stored shape is `stored`.
pub fn page<'a>(batch: &Batch, stored: &'a StoredBatch) -> BatchPage<'a> {
    BatchPage {
        id: &stored.id,
        items: stored
            .items
            .iter()
            .map(|it| BatchRow {
                dossier: &it.dossier,
                number: &it.number,
                response: &it.response,
                name: &it.name,
                verify: &it.verify,
                state: match &it.state {
                    StoredItemState::Pending => ItemView::Pending,
                    StoredItemState::Signed { document } => ItemView::Signed { document },
                    StoredItemState::Failed { reason } => ItemView::Failed { reason },
                },
            })
            .collect(),
        counts: batch.counts(),
        part: batch.next_part(),
        multisign: batch.multisign,
        in_flight: batch.in_flight.is_some(),
        lost_parts: batch.lost_parts,
    }
}

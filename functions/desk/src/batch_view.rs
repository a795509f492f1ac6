//! The batch page's view of a signing batch (`pages` renders plain values and
//! imports no handler): goes with `signing.rs`'s move to `ghiseu_app`.

use crate::pages::{BatchPage, BatchRow, ItemView};
use crate::signing::{Batch, ItemState};

impl<'a> From<&'a Batch> for BatchPage<'a> {
    fn from(batch: &'a Batch) -> Self {
        Self {
            id: &batch.id,
            items: batch
                .items
                .iter()
                .map(|it| BatchRow {
                    dossier: &it.dossier,
                    number: &it.number,
                    response: &it.response,
                    name: &it.name,
                    verify: &it.verify,
                    state: match &it.state {
                        ItemState::Pending => ItemView::Pending,
                        ItemState::Signed { document } => ItemView::Signed { document },
                        ItemState::Failed { reason } => ItemView::Failed { reason },
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
}

//! Writes a sample cerere to the path given (default `cerere.pdf`), to look at:
//! `cargo run -p ghiseu-cerere --example sample -- /tmp/cerere.pdf`.

use chrono::{TimeZone, Utc};
use ghiseu_cerere::{Applicant, AttachedFile, Cerere, Field, Lang, Reference, Sha256Digest};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "cerere.pdf".into());
    let detail = "Solicit eliberarea certificatului de urbanism în vederea construirii unei \
                  locuințe unifamiliale P+1E, cu anexă gospodărească și împrejmuire.\n\
                  Terenul are 850 mp și se află în intravilan.";
    let mut fields = vec![
        Field {
            label: "Adresa imobilului",
            value: "Strada Eroilor nr. 17, Luna de Sus, comuna Florești",
        },
        Field {
            label: "Număr cadastral",
            value: "54321-C1",
        },
        Field {
            label: "Scopul solicitării",
            value: detail,
        },
    ];
    let extra: Vec<String> = (1..=40)
        .map(|i| format!("Valoarea câmpului {i} (ăâîșț őű)"))
        .collect();
    fields.extend(extra.iter().map(|v| Field {
        label: "Câmp suplimentar",
        value: v,
    }));
    let files = [AttachedFile {
        file_name: "plan-de-situație.pdf",
        media_type: "application/pdf",
        size: 1_234_567,
        sha256: Sha256Digest::of(b"plan"),
    }];
    let cerere = Cerere {
        lang: Lang::Ro,
        institution: "Primăria Comunei Florești",
        document_type: "Certificat de urbanism",
        applicant: Applicant {
            name: "Ștefan Țăranu",
            email: Some("stefan@example.ro"),
            phone: Some("+40 712 345 678"),
            address: None,
        },
        fields: &fields,
        attachments: &files,
        submitted_at: Utc.with_ymd_and_hms(2025, 6, 12, 11, 5, 0).unwrap(),
        reference: Some(Reference::RegistrationNumber("FLO-2025-000042")),
    };
    let pdf = ghiseu_cerere::render(&cerere).expect("renders");
    std::fs::write(&path, &pdf.bytes).expect("writes the file");
    println!(
        "{path}: {} pages, {} bytes, sha256 {}",
        pdf.pages,
        pdf.bytes.len(),
        pdf.sha256
    );
}

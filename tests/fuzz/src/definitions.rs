//! Document-type definitions as an administrator sends them
//! (`/api/v1/admin/document-types`, the admin component's wire shapes, read
//! here from that component's own `dto.rs`), and the stored records they
//! become: whatever is accepted is stored, read back and edited again as the
//! same definition.

use std::sync::OnceLock;

use ghiseu_core::document_type::TypeVersion;
use ghiseu_core::stored::StoredDocumentType;
use ghiseu_core::{DepartmentCode, DocumentType, DocumentTypeCode, TenantSlug};

/// The admin component's JSON of a definition, compiled from its source.
#[allow(missing_docs, clippy::all)]
#[path = "../../../functions/admin/src/dto.rs"]
pub mod admin_dto;

use admin_dto::DefinitionDto;

/// The tenant, type code and active departments every definition is checked against.
pub struct Scope {
    /// The tenant.
    pub tenant: TenantSlug,
    /// The type's code.
    pub code: DocumentTypeCode,
    /// The tenant's active departments.
    pub departments: Vec<DepartmentCode>,
}

/// The one scope of the targets.
pub fn scope() -> &'static Scope {
    static SCOPE: OnceLock<Scope> = OnceLock::new();
    SCOPE.get_or_init(|| Scope {
        tenant: TenantSlug::parse("cj").expect("a slug"),
        code: DocumentTypeCode::parse("certificat-urbanism").expect("a code"),
        departments: ["registratura", "urbanism"]
            .iter()
            .map(|d| DepartmentCode::parse(d).expect("a department"))
            .collect(),
    })
}

/// The target `document_type`: the first byte chooses the wire definition
/// (even) or the stored record (odd); the rest is JSON.
pub fn document_type(data: &[u8]) {
    let Some((choice, json)) = data.split_first() else {
        return;
    };
    if choice % 2 == 0 {
        if let Ok(dto) = serde_json::from_slice::<DefinitionDto>(json) {
            definition(&dto);
        }
    } else if let Ok(stored) = serde_json::from_slice::<StoredDocumentType>(json)
        && let Ok(t) = DocumentType::from_stored(&stored)
    {
        round_trip(&t);
    }
}

/// An accepted definition is stored and read back the same, and editing it
/// as the editor shows it accepts it again unchanged.
fn definition(dto: &DefinitionDto) {
    let s = scope();
    let version = TypeVersion::new(1).expect("version 1");
    match dto
        .to_draft()
        .validate(&s.tenant, &s.code, version, &s.departments)
    {
        Ok(t) => round_trip(&t),
        Err(errors) => assert!(!errors.is_empty(), "refused without a reason"),
    }
}

fn round_trip(t: &DocumentType) {
    let stored = t.to_stored();
    let back = DocumentType::from_stored(&stored).expect("a stored type reads back");
    assert_eq!(&back, t);
    let json = serde_json::to_vec(&stored).expect("serializes");
    let reread: StoredDocumentType = serde_json::from_slice(&json).expect("reads its own JSON");
    assert_eq!(reread, stored);
    let shown = DefinitionDto::of(t);
    let edited = shown.to_draft().validate(
        &t.tenant,
        &t.code,
        t.version,
        std::slice::from_ref(&t.first_department),
    );
    match edited {
        Ok(again) => assert!(again.same_definition(t), "{t:?} edited as {again:?}"),
        Err(e) => panic!("the editor's own definition is refused: {e:?}"),
    }
}

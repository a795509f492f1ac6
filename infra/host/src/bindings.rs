//! Host bindings for the Spin interfaces of `wit/host.wit`.

#![allow(missing_docs, clippy::all)]

wasmtime::component::bindgen!({
    path: "wit",
    world: "ghiseu:host/host",
    imports: { default: async | trappable },
    with: {
        "fermyon:spin/key-value.store": crate::kv::StoreHandle,
        "wasi:keyvalue/store.bucket": crate::kv::StoreHandle,
        "wasi:keyvalue/atomics.cas": crate::kv::CasHandle,
    },
    trappable_error_type: {
        "fermyon:spin/key-value.error" => fermyon::spin::key_value::Error,
        "fermyon:spin/variables.error" => fermyon::spin::variables::Error,
        "wasi:keyvalue/store.error" => wasi::keyvalue::store::Error,
        "wasi:keyvalue/atomics.cas-error" => wasi::keyvalue::atomics::CasError,
    },
});

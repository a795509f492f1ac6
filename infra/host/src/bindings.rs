//! Host bindings for the Spin interfaces of `wit/host.wit`.

#![allow(missing_docs, clippy::all)]

wasmtime::component::bindgen!({
    path: "wit",
    world: "ghiseu:host/host",
    imports: { default: async | trappable },
    with: {
        "spin:key-value/key-value.store": crate::kv_host::StoreHandle,
        "wasi:keyvalue/store.bucket": crate::kv_host::StoreHandle,
        "wasi:keyvalue/atomics.cas": crate::kv_host::CasHandle,
    },
    trappable_error_type: {
        "spin:key-value/key-value.error" => spin::key_value::key_value::Error,
        "spin:variables/variables.error" => spin::variables::variables::Error,
        "wasi:keyvalue/store.error" => wasi::keyvalue::store::Error,
        "wasi:keyvalue/atomics.cas-error" => wasi::keyvalue::atomics::CasError,
    },
});

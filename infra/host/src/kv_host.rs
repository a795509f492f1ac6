//! `fermyon:spin/key-value@2.0.0` and `wasi:keyvalue@0.2.0-draft2` (store,
//! atomics, batch) over the configured [`KvStore`]s.
//!
//! A component may open only the labels listed in its `key_value_stores`;
//! anything else is `access-denied`, as in Spin.

use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::component::{HasData, Resource, ResourceTable};

use crate::bindings::fermyon::spin::key_value as spin_kv;
use crate::bindings::wasi::keyvalue::{atomics, batch, store as wasi_kv};
use crate::kv::{CasHandle, CasOutcome, KvStore, StoreHandle};

/// Per-instance key-value state: the labels the component may open.
#[derive(Clone, Default)]
pub struct KvCtx {
    stores: Arc<HashMap<String, KvStore>>,
}

impl KvCtx {
    /// The stores of one component (only its allowed labels).
    pub fn new(stores: HashMap<String, KvStore>) -> Self {
        Self {
            stores: Arc::new(stores),
        }
    }

    fn lookup(&self, label: &str) -> Option<KvStore> {
        self.stores.get(label).cloned()
    }
}

/// What the bindings see of the store data.
pub struct KvView<'a> {
    /// The guest's resource table.
    pub table: &'a mut ResourceTable,
    /// The component's stores.
    pub ctx: &'a KvCtx,
}

/// Marker for `add_to_linker`.
pub struct KvHost;

impl HasData for KvHost {
    type Data<'a> = KvView<'a>;
}

fn other(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn spin_err(e: anyhow::Error) -> spin_kv::Error {
    tracing::warn!("key-value error: {e:#}");
    spin_kv::Error::Other(other(e))
}

fn wasi_err(e: anyhow::Error) -> wasi_kv::Error {
    tracing::warn!("key-value error: {e:#}");
    wasi_kv::Error::Other(other(e))
}

fn table_err(e: wasmtime::component::ResourceTableError) -> wasmtime::Error {
    wasmtime::Error::new(e)
}

// ---- fermyon:spin/key-value@2.0.0 ------------------------------------------

fn store_of(view: &KvView<'_>, rep: &Resource<StoreHandle>) -> Result<KvStore, spin_kv::Error> {
    view.table
        .get(rep)
        .map(|h| h.store.clone())
        .map_err(|_| spin_kv::Error::Other("unknown store handle".into()))
}

impl spin_kv::Host for KvView<'_> {
    fn convert_error(&mut self, err: spin_kv::Error) -> wasmtime::Result<spin_kv::Error> {
        Ok(err)
    }
}

impl spin_kv::HostStore for KvView<'_> {
    async fn open(&mut self, label: String) -> Result<Resource<StoreHandle>, spin_kv::Error> {
        let store = self
            .ctx
            .lookup(&label)
            .ok_or(spin_kv::Error::AccessDenied)?;
        self.table
            .push(StoreHandle { store })
            .map_err(|_| spin_kv::Error::StoreTableFull)
    }

    async fn get(
        &mut self,
        rep: Resource<StoreHandle>,
        key: String,
    ) -> Result<Option<Vec<u8>>, spin_kv::Error> {
        store_of(self, &rep)?.get(&key).await.map_err(spin_err)
    }

    async fn set(
        &mut self,
        rep: Resource<StoreHandle>,
        key: String,
        value: Vec<u8>,
    ) -> Result<(), spin_kv::Error> {
        store_of(self, &rep)?
            .set(&key, &value)
            .await
            .map_err(spin_err)
    }

    async fn delete(
        &mut self,
        rep: Resource<StoreHandle>,
        key: String,
    ) -> Result<(), spin_kv::Error> {
        store_of(self, &rep)?.delete(&key).await.map_err(spin_err)
    }

    async fn exists(
        &mut self,
        rep: Resource<StoreHandle>,
        key: String,
    ) -> Result<bool, spin_kv::Error> {
        store_of(self, &rep)?.exists(&key).await.map_err(spin_err)
    }

    async fn get_keys(
        &mut self,
        rep: Resource<StoreHandle>,
    ) -> Result<Vec<String>, spin_kv::Error> {
        store_of(self, &rep)?.keys().await.map_err(spin_err)
    }

    async fn drop(&mut self, rep: Resource<StoreHandle>) -> wasmtime::Result<()> {
        self.table.delete(rep).map_err(table_err)?;
        Ok(())
    }
}

// ---- wasi:keyvalue@0.2.0-draft2 -------------------------------------------

fn bucket(view: &mut KvView<'_>, rep: &Resource<StoreHandle>) -> Result<KvStore, wasi_kv::Error> {
    view.table
        .get(rep)
        .map(|h| h.store.clone())
        .map_err(|_| wasi_kv::Error::Other("unknown bucket handle".into()))
}

impl wasi_kv::Host for KvView<'_> {
    async fn open(&mut self, identifier: String) -> Result<Resource<StoreHandle>, wasi_kv::Error> {
        let store = self
            .ctx
            .lookup(&identifier)
            .ok_or(wasi_kv::Error::AccessDenied)?;
        self.table
            .push(StoreHandle { store })
            .map_err(|e| wasi_kv::Error::Other(other(e)))
    }

    fn convert_error(&mut self, err: wasi_kv::Error) -> wasmtime::Result<wasi_kv::Error> {
        Ok(err)
    }
}

impl wasi_kv::HostBucket for KvView<'_> {
    async fn get(
        &mut self,
        rep: Resource<StoreHandle>,
        key: String,
    ) -> Result<Option<Vec<u8>>, wasi_kv::Error> {
        bucket(self, &rep)?.get(&key).await.map_err(wasi_err)
    }

    async fn set(
        &mut self,
        rep: Resource<StoreHandle>,
        key: String,
        value: Vec<u8>,
    ) -> Result<(), wasi_kv::Error> {
        bucket(self, &rep)?
            .set(&key, &value)
            .await
            .map_err(wasi_err)
    }

    async fn delete(
        &mut self,
        rep: Resource<StoreHandle>,
        key: String,
    ) -> Result<(), wasi_kv::Error> {
        bucket(self, &rep)?.delete(&key).await.map_err(wasi_err)
    }

    async fn exists(
        &mut self,
        rep: Resource<StoreHandle>,
        key: String,
    ) -> Result<bool, wasi_kv::Error> {
        bucket(self, &rep)?.exists(&key).await.map_err(wasi_err)
    }

    async fn list_keys(
        &mut self,
        rep: Resource<StoreHandle>,
        cursor: Option<String>,
    ) -> Result<wasi_kv::KeyResponse, wasi_kv::Error> {
        // One page holds every key; a cursor from a previous page therefore
        // means "nothing after it".
        let mut keys = bucket(self, &rep)?.keys().await.map_err(wasi_err)?;
        if let Some(after) = cursor {
            keys.retain(|k| *k > after);
        }
        Ok(wasi_kv::KeyResponse { keys, cursor: None })
    }

    async fn drop(&mut self, rep: Resource<StoreHandle>) -> wasmtime::Result<()> {
        self.table.delete(rep).map_err(table_err)?;
        Ok(())
    }
}

impl atomics::Host for KvView<'_> {
    async fn increment(
        &mut self,
        rep: Resource<StoreHandle>,
        key: String,
        delta: i64,
    ) -> Result<i64, wasi_kv::Error> {
        bucket(self, &rep)?
            .increment(&key, delta)
            .await
            .map_err(wasi_err)
    }

    async fn swap(
        &mut self,
        cas: Resource<CasHandle>,
        value: Vec<u8>,
    ) -> Result<(), atomics::CasError> {
        let handle = self
            .table
            .delete(cas)
            .map_err(|e| atomics::CasError::StoreError(wasi_kv::Error::Other(other(e))))?;
        let outcome = handle
            .store
            .compare_and_swap(&handle.key, handle.current.as_deref(), &value)
            .await
            .map_err(|e| atomics::CasError::StoreError(wasi_err(e)))?;
        match outcome {
            CasOutcome::Swapped => Ok(()),
            CasOutcome::Conflict(current) => {
                let fresh = self
                    .table
                    .push(CasHandle {
                        store: handle.store,
                        key: handle.key,
                        current,
                    })
                    .map_err(|e| atomics::CasError::StoreError(wasi_kv::Error::Other(other(e))))?;
                Err(atomics::CasError::CasFailed(fresh))
            }
        }
    }

    fn convert_cas_error(&mut self, err: atomics::CasError) -> wasmtime::Result<atomics::CasError> {
        Ok(err)
    }
}

impl atomics::HostCas for KvView<'_> {
    async fn new(
        &mut self,
        rep: Resource<StoreHandle>,
        key: String,
    ) -> Result<Resource<CasHandle>, wasi_kv::Error> {
        let store = bucket(self, &rep)?;
        let current = store.get(&key).await.map_err(wasi_err)?;
        self.table
            .push(CasHandle {
                store,
                key,
                current,
            })
            .map_err(|e| wasi_kv::Error::Other(other(e)))
    }

    async fn current(
        &mut self,
        cas: Resource<CasHandle>,
    ) -> Result<Option<Vec<u8>>, wasi_kv::Error> {
        self.table
            .get(&cas)
            .map(|h| h.current.clone())
            .map_err(|e| wasi_kv::Error::Other(other(e)))
    }

    async fn drop(&mut self, cas: Resource<CasHandle>) -> wasmtime::Result<()> {
        self.table.delete(cas).map_err(table_err)?;
        Ok(())
    }
}

impl batch::Host for KvView<'_> {
    async fn get_many(
        &mut self,
        rep: Resource<StoreHandle>,
        keys: Vec<String>,
    ) -> Result<Vec<(String, Option<Vec<u8>>)>, wasi_kv::Error> {
        let values = bucket(self, &rep)?
            .get_many(&keys)
            .await
            .map_err(wasi_err)?;
        Ok(keys.into_iter().zip(values).collect())
    }

    async fn set_many(
        &mut self,
        rep: Resource<StoreHandle>,
        key_values: Vec<(String, Vec<u8>)>,
    ) -> Result<(), wasi_kv::Error> {
        bucket(self, &rep)?
            .set_many(key_values)
            .await
            .map_err(wasi_err)
    }

    async fn delete_many(
        &mut self,
        rep: Resource<StoreHandle>,
        keys: Vec<String>,
    ) -> Result<(), wasi_kv::Error> {
        bucket(self, &rep)?
            .delete_many(keys)
            .await
            .map_err(wasi_err)
    }
}

/// Adds both key-value interfaces to `linker`.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut wasmtime::component::Linker<T>,
    get: fn(&mut T) -> KvView<'_>,
) -> wasmtime::Result<()> {
    spin_kv::add_to_linker::<T, KvHost>(linker, get)?;
    wasi_kv::add_to_linker::<T, KvHost>(linker, get)?;
    atomics::add_to_linker::<T, KvHost>(linker, get)?;
    batch::add_to_linker::<T, KvHost>(linker, get)?;
    Ok(())
}

//! Adapters over spin-sdk shared by the Ghiseu components.

//! Persisted record shapes (added in the next commit).

//! The visible stamp.

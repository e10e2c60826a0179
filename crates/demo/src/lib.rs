//! Deterministic demo hospital generator (work in progress).

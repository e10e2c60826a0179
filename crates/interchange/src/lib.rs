//! Inventory import and export (work in progress).

//! The Environment of Care committee / survey report, laid out for
//! reading and printing: a self-contained HTML page (inline CSS and SVG
//! charts) and a PDF (vector charts, base-14 fonts), both from the
//! figures `biomend_analytics::survey` computes.
//!
//! Owns: the report's layout, its charts, and the words around the
//! figures (period, site scope, counts and formula of every section).
//!
//! Must not know: SQL, files, the network, the clock, or how the figures
//! were computed. It does no I/O: it returns HTML as a `String` and the
//! PDF as bytes, and the caller writes them where it likes.

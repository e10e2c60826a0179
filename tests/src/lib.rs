//! Cross-crate checks that no single crate can make about itself: the
//! architecture rules of `ARCHITECTURE.md` (tidy tests). Holds no product
//! code and is never a dependency of anything.

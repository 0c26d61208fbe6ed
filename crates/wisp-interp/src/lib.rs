//! wisp-interp

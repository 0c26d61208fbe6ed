//! wisp-coverage

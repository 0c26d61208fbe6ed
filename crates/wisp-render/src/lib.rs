//! wisp-render

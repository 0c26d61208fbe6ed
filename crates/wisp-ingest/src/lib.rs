//! wisp-ingest

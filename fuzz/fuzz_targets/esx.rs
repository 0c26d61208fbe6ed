//! The Ekahau `.esx` importer on an in-memory archive, under limits small enough that libFuzzer's
//! memory cap is never the one that stops it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp_ingest::esx::{import_reader, ZipLimits};

fuzz_target!(|data: &[u8]| {
    let limits = ZipLimits {
        max_entries: 1000,
        max_entry_bytes: 8 << 20,
        max_total_bytes: 32 << 20,
    };
    let _ = import_reader(std::io::Cursor::new(data), "fuzz", "fuzz.esx", &limits);
});

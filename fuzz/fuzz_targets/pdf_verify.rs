#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ghiseu_fuzz_targets::pdf::pdf_verify(data));

//! AddressSanitizer's defaults for every target. Its quarantine keeps up to 256 MiB of
//! freed memory out of reuse, which alone reaches `-rss_limit_mb=256` in a target that
//! allocates and frees a few MiB per input (regex caches, JSON values): the limit
//! would then measure ASan, not the reader. 16 MiB of quarantine still catches a use
//! after free of recent allocations. `ASAN_OPTIONS` in the environment still wins.

#[no_mangle]
pub extern "C" fn __asan_default_options() -> *const std::ffi::c_char {
    c"quarantine_size_mb=16".as_ptr()
}

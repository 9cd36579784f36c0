import CFastCGI

/// File parts are 10 MiB buffers allocated and freed by many threads. glibc raises its mmap threshold after
/// the first such free and then serves them from per-thread arenas that never shrink, so the process would
/// keep the peak of every thread. A fixed threshold keeps large buffers mmapped: freed, they leave the process.
///
/// Two arenas, not glibc's 8 per core: with one per worker thread (24 of them), each kept about 600 KB of a
/// request's leftovers resident (measured: 14 arenas, +7 MiB after a roster burst), which `malloc_trim` could
/// not give back. On 2 cores at most 2 threads allocate at once, and a roster answer mallocs a few times only.
enum MemoryPolicy {
    static func returnLargeBuffersToTheSystem() {
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 4 << 20)
        _ = mallopt(M_ARENA_MAX, 2)
    }
}

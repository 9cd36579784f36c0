import CFastCGI

/// File parts are 10 MiB buffers allocated and freed by many threads. glibc raises its mmap threshold after
/// the first such free and then serves them from per-thread arenas that never shrink, so the process would
/// keep the peak of every thread. A fixed threshold keeps large buffers mmapped: freed, they leave the process.
enum MemoryPolicy {
    static func returnLargeBuffersToTheSystem() {
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 4 << 20)
    }
}

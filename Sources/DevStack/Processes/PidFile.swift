import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// DIR/pids/NAME.pid: a service's pid, and an exclusive `flock` on the file that the service inherits (as its
/// descriptor 3) when it starts. The lock lasts exactly as long as the service and the processes it starts, so a later
/// `status` or `down` knows whether the pid in the file is still that service without reading /proc to tell it from a
/// process that reused the pid.
struct PidFile: Sendable {
    enum State: Equatable {
        /// No pid file.
        case absent
        /// A pid file nobody holds: the service is gone.
        case stale
        /// The service holds the file; its pid, unless it is still being recorded.
        case running(pid_t?)
    }

    /// The lock, taken for a service about to start and handed to it; this process's descriptor closes with the claim.
    struct Claim: ~Copyable {
        let descriptor: Int32

        /// Writes the pid of the process that now holds the lock.
        func record(_ pid: pid_t) {
            let text = Array("\(pid)\n".utf8)
            ftruncate(descriptor, 0)
            _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }

        deinit { close(descriptor) }
    }

    let path: String

    var state: State {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .absent }
        defer { close(descriptor) }
        // A shared lock is granted only when no service holds the exclusive one (closing the file releases it).
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 { return .stale }
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        let text = String(decoding: bytes.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return .running(pid_t(text).flatMap { $0 > 0 ? $0 : nil })
    }

    /// Takes the lock for a service about to start.
    func claim(for service: ServiceName) throws(StackError) -> Claim {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StackError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw StackError("\(service.program) is already running (it holds \(path))")
        }
        ftruncate(descriptor, 0)
        return Claim(descriptor: descriptor)
    }

    func remove() {
        unlink(path)
    }
}

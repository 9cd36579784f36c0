import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Follows logs from their current end, as `tail -F` does (a log that is truncated or replaced is read again from its
/// start, one that does not exist yet is waited for), and hands over each new complete line that is not empty,
/// prefixed with its log's name: `web        | GET /healthz`.
final class LogFollower {
    private struct FollowedLog {
        let name: String
        let path: String
        /// The file being read, kept open, so that its inode cannot be reused by a file that replaces it.
        var descriptor: Int32 = -1
        var offset: off_t = 0
        var partialLine: [UInt8] = []
    }

    private var logs: [FollowedLog]

    /// Follows the files at `paths`, each named by its file name without `.log`.
    init(paths: [String]) {
        logs = paths.map { path in
            let name = URL(fileURLWithPath: path).lastPathComponent
            var log = FollowedLog(name: name.hasSuffix(".log") ? String(name.dropLast(4)) : name, path: path)
            if Self.reopen(&log) { log.offset = Self.size(of: log.descriptor) }
            return log
        }
    }

    deinit {
        for log in logs where log.descriptor >= 0 { close(log.descriptor) }
    }

    /// `name` padded to 11 columns, a bar, and `line`.
    static func prefixed(_ line: String, from name: String) -> String {
        name.padding(toLength: max(11, name.count), withPad: " ", startingAt: 0) + "| " + line
    }

    /// The lines written since the last call.
    func newLines() -> [String] {
        logs.indices.flatMap { Self.read(&logs[$0]) }
    }

    private static func read(_ log: inout FollowedLog) -> [String] {
        if isReplaced(log) {
            guard reopen(&log) else { return [] }
        } else if size(of: log.descriptor) < log.offset {
            log.offset = 0
            log.partialLine = []
        }
        var bytes = log.partialLine
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(log.descriptor, $0.baseAddress, $0.count, log.offset) }
            guard count > 0 else { break }
            bytes += buffer.prefix(count)
            log.offset += off_t(count)
        }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        log.partialLine = Array(lines.removeLast())
        return lines.filter { !$0.isEmpty }.map { prefixed(String(decoding: $0, as: UTF8.self), from: log.name) }
    }

    /// Whether the path names another file than the one open (or the file is not open yet).
    private static func isReplaced(_ log: FollowedLog) -> Bool {
        guard log.descriptor >= 0 else { return true }
        var current = stat()
        var open = stat()
        guard stat(log.path, &current) == 0, fstat(log.descriptor, &open) == 0 else { return false }
        return current.st_dev != open.st_dev || current.st_ino != open.st_ino
    }

    /// Opens the file at the log's path, to be read from its start; false if there is none.
    private static func reopen(_ log: inout FollowedLog) -> Bool {
        let descriptor = open(log.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        if log.descriptor >= 0 { close(log.descriptor) }
        log.descriptor = descriptor
        log.offset = 0
        log.partialLine = []
        return true
    }

    private static func size(of descriptor: Int32) -> off_t {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? info.st_size : 0
    }
}

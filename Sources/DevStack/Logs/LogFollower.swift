import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Follows logs from their current end, as `tail -F` does (a log that is truncated or replaced is read again from its
/// start, one that does not exist yet is waited for), and hands over each new complete line that is not empty,
/// prefixed with its log's name: `web        | GET /healthz`.
public struct LogFollower: Sendable {
    private struct FollowedLog: Sendable {
        let name: String
        let path: String
        var file: (device: UInt64, inode: UInt64)?
        var offset: Int64 = 0
        var partialLine: [UInt8] = []
    }

    private var logs: [FollowedLog]

    /// Follows the files at `paths`, each named by its file name without `.log`.
    public init(paths: [String]) {
        logs = paths.map { path in
            let name = String(path.split(separator: "/").last ?? "")
            var log = FollowedLog(name: name.hasSuffix(".log") ? String(name.dropLast(4)) : name, path: path)
            if let info = Self.status(of: path) {
                log.file = (UInt64(info.st_dev), UInt64(info.st_ino))
                log.offset = Int64(info.st_size)
            }
            return log
        }
    }

    /// `name` padded to 11 columns, a bar, and `line`.
    public static func prefixed(_ line: String, from name: String) -> String {
        name.padding(toLength: max(11, name.count), withPad: " ", startingAt: 0) + "| " + line
    }

    /// The lines written since the last call.
    public mutating func newLines() -> [String] {
        logs.indices.flatMap { read(&logs[$0]) }
    }

    private func read(_ log: inout FollowedLog) -> [String] {
        guard let info = Self.status(of: log.path) else { return [] }
        let file = (UInt64(info.st_dev), UInt64(info.st_ino))
        if let known = log.file, known == file, Int64(info.st_size) >= log.offset {
            // The same file, grown or not.
        } else {
            log.file = file
            log.offset = 0
            log.partialLine = []
        }
        let descriptor = open(log.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var bytes = log.partialLine
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(log.offset)) }
            guard count > 0 else { break }
            bytes += buffer.prefix(count)
            log.offset += Int64(count)
        }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        log.partialLine = Array(lines.removeLast())
        return lines.filter { !$0.isEmpty }.map { Self.prefixed(String(decoding: $0, as: UTF8.self), from: log.name) }
    }

    private static func status(of path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }
}

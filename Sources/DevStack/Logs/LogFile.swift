import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The stack's logs in DIR/logs: what the services write, and the lines the stack adds to mark a start.
enum LogFile {
    /// Appends `line` and a newline to the log at `path`, creating it if needed.
    static func append(_ line: String, to path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// `=== 2026-12-06 20:15:03 what`: the line that opens a new run of a service in its log.
    static func mark(_ what: String, in path: String) {
        append("=== \(timestamp()) \(what)", to: path)
    }

    /// Empties the log at `path`, creating it if needed.
    static func truncate(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor >= 0 { close(descriptor) }
    }

    /// The local time as `YYYY-MM-DD HH:MM:SS`.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%F %T", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

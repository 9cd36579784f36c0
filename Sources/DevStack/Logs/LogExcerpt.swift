import Foundation

/// The last lines of a log, as a failure shows them:
///
///     ---- last lines of DIR/logs/web.log ----
///         line
///     ----
public struct LogExcerpt: CustomStringConvertible, Equatable, Sendable {
    public let path: String
    public let lines: [String]

    /// How much of the end of a log is read to find its last lines.
    private static let window: UInt64 = 64 << 10

    /// Reads the last `lines` lines of the file at `path` (none if it is missing or empty).
    public init(path: String, lines: Int) {
        self.path = path
        self.lines = Self.tail(of: path, lines: lines)
    }

    public var description: String {
        guard !lines.isEmpty else { return "    (\(path) is empty)" }
        return (["---- last lines of \(path) ----"] + lines.map { "    " + $0 } + ["----"]).joined(separator: "\n")
    }

    private static func tail(of path: String, lines count: Int) -> [String] {
        guard let file = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? file.close() }
        guard let end = try? file.seekToEnd() else { return [] }
        let start = end > window ? end - window : 0
        guard (try? file.seek(toOffset: start)) != nil, let data = try? file.readToEnd() else { return [] }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if start > 0 { lines.removeFirst() }  // cut in the middle
        if lines.last == "" { lines.removeLast() }
        return Array(lines.suffix(count))
    }
}

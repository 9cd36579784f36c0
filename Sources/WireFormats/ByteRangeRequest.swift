import Foundation

/// A single `Range: bytes=…` request (RFC 9110 §14.2) resolved against a representation's length.
public enum ByteRangeRequest: Equatable {
    /// No usable range: send the whole representation (also for multiple ranges, which GuildGate does
    /// not serve as multipart/byteranges, and for units other than bytes).
    case whole
    /// Bytes `lower...upper` (inclusive), answered with 206.
    case partial(lower: Int, upper: Int)
    /// A syntactically valid range outside the representation: 416 with `Content-Range: bytes */length`.
    case unsatisfiable

    public static func resolve(_ header: String?, length: Int) -> ByteRangeRequest {
        guard let header else { return .whole }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = trimmed.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        let digits = { (text: String) in text.allSatisfy { $0.isASCII && $0.isNumber } }
        guard digits(first), digits(last), !(first.isEmpty && last.isEmpty) else {
            return .whole
        }
        if first.isEmpty {
            // A suffix: the last N bytes.
            guard let count = Int(last) else { return .whole }
            guard count > 0, length > 0 else { return .unsatisfiable }
            return .partial(lower: max(0, length - count), upper: length - 1)
        }
        guard let lower = Int(first) else { return .unsatisfiable }
        guard lower < length else { return .unsatisfiable }
        guard !last.isEmpty else { return .partial(lower: lower, upper: length - 1) }
        // A last-pos past the end (or too big for Int) means the end.
        let upper = min(Int(last) ?? Int.max, length - 1)
        guard Int(last).map({ $0 >= lower }) ?? true else {
            return .whole  // last-pos before first-pos is invalid syntax: ignore the header
        }
        return .partial(lower: lower, upper: upper)
    }
}

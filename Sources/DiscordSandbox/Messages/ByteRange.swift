/// What a `Range` header asks of a body of known length (RFC 9110 §14). Only a single `bytes` range is
/// served; a header the server may ignore (another unit, several ranges, bad syntax) means the whole body.
enum ByteRange: Equatable {
    case whole
    case partial(Range<Int>)
    case unsatisfiable

    init(header: String?, length: Int) {
        guard let header, let equals = header.firstIndex(of: "="),
            header[..<equals].trimmingSpaces.lowercased() == "bytes"
        else {
            self = .whole
            return
        }
        let spec = header[header.index(after: equals)...].trimmingSpaces
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        guard first.allSatisfy(\.isASCIIDigit), last.allSatisfy(\.isASCIIDigit), !(first.isEmpty && last.isEmpty) else {
            self = .whole
            return
        }
        if first.isEmpty {
            // `-n`: the last n bytes.
            let suffix = Int(last) ?? Int.max
            guard suffix > 0, length > 0 else {
                self = .unsatisfiable
                return
            }
            self = .partial(max(0, length - suffix)..<length)
            return
        }
        guard let start = Int(first), start < length else {
            self = .unsatisfiable
            return
        }
        if last.isEmpty {
            self = .partial(start..<length)
            return
        }
        let end = Int(last) ?? Int.max
        guard end >= start else {
            self = .whole
            return
        }
        self = .partial(start..<(min(end, length - 1) + 1))
    }
}

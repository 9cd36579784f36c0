/// Checks the start of a FastCGI connection (BEGIN_REQUEST, then PARAMS up to the empty record that
/// ends them) before libfcgi reads it. Debian 12's libfcgi 2.4.2-2+deb12u1 aborts the whole process
/// when two name/value lengths near 2 GiB add up past `Int32.max` (the unfinished CVE-2025-23016 fix):
/// lengths are accepted here only when the bytes they announce are really there.
enum RequestHeadCheck {
    enum Verdict: Equatable {
        case complete
        case needMore
        case invalid(String)
    }

    /// The most a request head may take; nginx sends at most 64 KiB of params.
    static let maxHeadBytes = 128 * 1024

    static func check(_ bytes: ArraySlice<UInt8>) -> Verdict {
        var offset = bytes.startIndex
        var params: [UInt8] = []
        var sawBegin = false
        while true {
            guard bytes.endIndex - offset >= 8 else { return tooLong(offset - bytes.startIndex) ?? .needMore }
            let version = bytes[offset]
            let type = bytes[offset + 1]
            let contentLength = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
            let paddingLength = Int(bytes[offset + 6])
            guard version == 1 else { return .invalid("unsupported FastCGI version \(version)") }
            let recordEnd = offset + 8 + contentLength + paddingLength
            if let overflow = tooLong(recordEnd - bytes.startIndex) { return overflow }
            guard recordEnd <= bytes.endIndex else { return .needMore }
            let content = bytes[(offset + 8)..<(offset + 8 + contentLength)]
            offset = recordEnd
            switch (sawBegin, type) {
            case (false, 1):
                guard contentLength == 8 else { return .invalid("BEGIN_REQUEST of \(contentLength) bytes") }
                sawBegin = true
            case (true, 4) where contentLength > 0:
                params.append(contentsOf: content)
            case (true, 4):
                return validPairs(params) ? .complete : .invalid("name-value lengths do not match the params")
            default:
                return .invalid("unexpected record type \(type)")
            }
        }
    }

    private static func tooLong(_ length: Int) -> Verdict? {
        length > maxHeadBytes ? .invalid("request head over \(maxHeadBytes) bytes") : nil
    }

    /// Every pair's lengths must add up to exactly the params' bytes.
    static func validPairs(_ params: [UInt8]) -> Bool {
        var index = 0
        func length() -> Int? {
            guard index < params.count else { return nil }
            if params[index] & 0x80 == 0 {
                index += 1
                return Int(params[index - 1])
            }
            guard params.count - index >= 4 else { return nil }
            let value =
                Int(params[index] & 0x7f) << 24 | Int(params[index + 1]) << 16
                | Int(params[index + 2]) << 8 | Int(params[index + 3])
            index += 4
            return value
        }
        while index < params.count {
            guard let nameLength = length(), let valueLength = length(),
                nameLength <= params.count - index, valueLength <= params.count - index - nameLength
            else { return false }
            index += nameLength + valueLength
        }
        return true
    }
}

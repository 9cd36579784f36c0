import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole `multipart/form-data` body (RFC 7578) split into its parts, as a bot sends files (reference §2.3).
/// Part contents are slices of the body, not copies; boundaries are found with `memchr` and `memcmp`, so a
/// 25 MiB body is split quickly even in a debug build.
struct MultipartBody {
    struct Part {
        /// The `name` of its `Content-Disposition`.
        let name: String
        /// Set for file parts.
        let filename: String?
        let contentType: String?
        let body: ByteBuffer
    }

    struct MalformedError: Error, CustomStringConvertible {
        let description: String
    }

    let parts: [Part]

    init(_ body: ByteBuffer, boundary: String) throws(MalformedError) {
        guard !boundary.isEmpty, boundary.utf8.count <= 70 else { throw MalformedError(description: "bad boundary") }
        let sections = try Self.sections(of: body, delimiter: Array("--\(boundary)".utf8))
        var parts: [Part] = []
        parts.reserveCapacity(sections.count)
        for (headers, content) in sections {
            let headerText = body.getString(at: body.readerIndex + headers.lowerBound, length: headers.count) ?? ""
            guard let slice = body.getSlice(at: body.readerIndex + content.lowerBound, length: content.count) else {
                throw MalformedError(description: "part outside the body")
            }
            parts.append(try Self.part(headerText: headerText, body: slice))
        }
        self.parts = parts
    }

    /// The byte ranges of each part's header block and content, relative to the reader index.
    private static func sections(
        of body: ByteBuffer,
        delimiter: [UInt8]
    ) throws(MalformedError) -> [(headers: Range<Int>, content: Range<Int>)] {
        let result: Result<[(headers: Range<Int>, content: Range<Int>)], MalformedError> = body.withUnsafeReadableBytes { raw in
            let finder = ByteFinder(raw)
            let nextDelimiter = [UInt8(ascii: "\r"), UInt8(ascii: "\n")] + delimiter
            guard let first = finder.find(delimiter, from: 0) else {
                return .failure(MalformedError(description: "no boundary"))
            }
            var sections: [(headers: Range<Int>, content: Range<Int>)] = []
            var position = first + delimiter.count
            while true {
                if finder.hasPrefix([UInt8(ascii: "-"), UInt8(ascii: "-")], at: position) { return .success(sections) }
                // Transport padding, then the line break ending the boundary line.
                while position < raw.count, raw[position] == UInt8(ascii: " ") || raw[position] == UInt8(ascii: "\t") {
                    position += 1
                }
                guard finder.hasPrefix(ByteFinder.lineBreak, at: position) else {
                    return .failure(MalformedError(description: "bad boundary line"))
                }
                position += 2
                let headers: Range<Int>
                let contentStart: Int
                if finder.hasPrefix(ByteFinder.lineBreak, at: position) {
                    (headers, contentStart) = (position..<position, position + 2)
                } else if let end = finder.find(ByteFinder.lineBreak + ByteFinder.lineBreak, from: position) {
                    (headers, contentStart) = (position..<end, end + 4)
                } else {
                    return .failure(MalformedError(description: "unterminated part headers"))
                }
                guard let contentEnd = finder.find(nextDelimiter, from: contentStart) else {
                    return .failure(MalformedError(description: "no closing boundary"))
                }
                sections.append((headers, contentStart..<contentEnd))
                position = contentEnd + nextDelimiter.count
            }
        }
        return try result.get()
    }

    private static func part(headerText: String, body: ByteBuffer) throws(MalformedError) -> Part {
        var disposition: String?
        var contentType: String?
        for line in headerText.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { throw MalformedError(description: "bad part header") }
            let value = String(line[line.index(after: colon)...].trimmingSpaces)
            switch line[..<colon].trimmingSpaces.lowercased() {
            case "content-disposition": disposition = value
            case "content-type": contentType = value
            default: continue
            }
        }
        guard let disposition, disposition.lowercased().hasPrefix("form-data") else {
            throw MalformedError(description: "a part without Content-Disposition: form-data")
        }
        let parameters = dispositionParameters(disposition)
        guard let name = parameters["name"] else { throw MalformedError(description: "a part without a name") }
        let extendedFilename = parameters["filename*"].flatMap(decodeExtendedValue)
        return Part(name: name, filename: extendedFilename ?? parameters["filename"], contentType: contentType, body: body)
    }

    /// `form-data; name="files[0]"; filename="a;b.bin"`: the parameters, names lowercased, quoted values
    /// unquoted (with `\"` escapes).
    private static func dispositionParameters(_ value: String) -> [String: String] {
        var parameters: [String: String] = [:]
        var characters = value.drop { $0 != ";" }.dropFirst()[...]
        while !characters.isEmpty {
            let name = characters.prefix { $0 != "=" && $0 != ";" }
            characters = characters.dropFirst(name.count)
            guard characters.first == "=" else {
                characters = characters.dropFirst()
                continue
            }
            characters = characters.dropFirst()
            var parameterValue = ""
            if characters.first == "\"" {
                characters = characters.dropFirst()
                while let character = characters.first, character != "\"" {
                    characters = characters.dropFirst()
                    if character == "\\", let escaped = characters.first {
                        parameterValue.append(escaped)
                        characters = characters.dropFirst()
                    } else {
                        parameterValue.append(character)
                    }
                }
                characters = characters.drop { $0 != ";" }
            } else {
                parameterValue = String(characters.prefix { $0 != ";" }.trimmingSpaces)
                characters = characters.drop { $0 != ";" }
            }
            characters = characters.dropFirst()
            parameters[name.trimmingSpaces.lowercased()] = parameterValue
        }
        return parameters
    }

    /// RFC 8187 `UTF-8''na%C3%AFve.txt`.
    private static func decodeExtendedValue(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        return try? URLEncoding.decode(pieces[2], plusIsSpace: false)
    }
}

/// Searches a buffer for byte sequences.
private struct ByteFinder {
    static let lineBreak = [UInt8(ascii: "\r"), UInt8(ascii: "\n")]

    let raw: UnsafeRawBufferPointer

    init(_ raw: UnsafeRawBufferPointer) {
        self.raw = raw
    }

    /// The offset of the first occurrence of `needle` at or after `start`: `memchr` for its first byte (which
    /// in a multipart delimiter is rare in the content), then a comparison of the rest.
    func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard let base = raw.baseAddress, let first = needle.first else { return nil }
        var position = start
        while position + needle.count <= raw.count {
            guard let found = memchr(base + position, Int32(first), raw.count - position) else { return nil }
            let offset = base.distance(to: UnsafeRawPointer(found))
            guard offset + needle.count <= raw.count else { return nil }
            let matches = needle.withUnsafeBytes { memcmp(found, $0.baseAddress!, needle.count) == 0 }
            if matches { return offset }
            position = offset + 1
        }
        return nil
    }

    func hasPrefix(_ bytes: [UInt8], at offset: Int) -> Bool {
        guard offset + bytes.count <= raw.count else { return false }
        return bytes.indices.allSatisfy { raw[offset + $0] == bytes[$0] }
    }
}

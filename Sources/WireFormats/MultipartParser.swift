import Foundation

/// Why a multipart body was refused; each message says what was wrong with the request.
public enum MultipartError: Error, Equatable, CustomStringConvertible {
    case missingBoundary
    case malformed(String)
    case headersTooLarge
    case tooManyParts
    case truncated

    public var description: String {
        switch self {
        case .missingBoundary: return "The Content-Type has no valid multipart boundary."
        case .malformed(let what): return "The multipart body is malformed: \(what)."
        case .headersTooLarge: return "A multipart part has more than 16 KiB of headers."
        case .tooManyParts: return "The multipart body has too many parts."
        case .truncated: return "The multipart body ended before its closing boundary."
        }
    }
}

/// The headers of one part of a `multipart/form-data` body.
public struct MultipartPartHeaders: Sendable, Equatable {
    /// The form field name.
    public let name: String
    /// The client's file name as sent (RFC 8187 `filename*` before `filename`), directories and all; nil for a
    /// plain field. What may be shown of it is the receiver's call.
    public let filename: String?
    public let contentType: String?
}

/// A push parser for `multipart/form-data` (RFC 7578): bytes go in as they arrive, in chunks of any
/// size, and events come out; a part's content is never held whole.
public struct MultipartParser {
    public enum Event: Equatable {
        case part(MultipartPartHeaders)
        case data([UInt8])
        case partEnd
        case end
    }

    private enum State {
        case preamble, afterBoundary, headers, body, done
    }

    static let maxHeaderBytes = 16 * 1024
    static let maxParts = 64

    /// `--boundary` for the first delimiter, `\r\n--boundary` for the others.
    private let delimiter: [UInt8]
    private var state = State.preamble
    private var pending: [UInt8] = []
    private var parts = 0

    public init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// The boundary parameter of a `multipart/form-data` Content-Type, or nil.
    public static func boundary(contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "="), piece[..<equals].lowercased() == "boundary" else { continue }
            var value = String(piece[piece.index(after: equals)...])
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            // RFC 2046: 1–70 characters from a restricted set, not ending in a space.
            let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")
            guard (1...70).contains(value.count), value.allSatisfy(allowed.contains), value.last != " " else { return nil }
            return value
        }
        return nil
    }

    /// Feeds the next bytes of the body and returns what they complete.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(MultipartError) -> [Event] {
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        while try step(&events) {}
        return events
    }

    /// The body ended: throws unless the closing boundary was seen.
    public func finish() throws(MultipartError) {
        guard case .done = state else { throw .truncated }
    }

    /// Advances by one state transition; false when more bytes are needed.
    private mutating func step(_ events: inout [Event]) throws(MultipartError) -> Bool {
        switch state {
        case .preamble:
            // The first delimiter may open the body without the leading CRLF.
            let opening = Array(delimiter.dropFirst(2))
            if pending.starts(with: opening) {
                pending.removeFirst(opening.count)
                state = .afterBoundary
                return true
            }
            if let index = find(delimiter, in: pending) {
                pending.removeFirst(index + delimiter.count)
                state = .afterBoundary
                return true
            }
            if pending.count > 64 * 1024 { throw .malformed("no boundary in the first 64 KiB") }
            return false
        case .afterBoundary:
            // Transport padding (spaces, tabs) may follow a delimiter.
            guard let end = pending.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }), pending.count >= end + 2 else {
                if pending.count > 1024 { throw .malformed("padding after a boundary") }
                return false
            }
            if pending[end] == 0x2D, pending[end + 1] == 0x2D {
                pending.removeAll()
                state = .done
                events.append(.end)
                return false
            }
            guard pending[end] == 0x0D, pending[end + 1] == 0x0A else { throw .malformed("a boundary not followed by CRLF") }
            pending.removeFirst(end + 2)
            state = .headers
            return true
        case .headers:
            guard let index = find([0x0D, 0x0A, 0x0D, 0x0A], in: pending) else {
                if pending.count > Self.maxHeaderBytes { throw .headersTooLarge }
                // A part without headers is a CRLF right away.
                if pending.starts(with: [0x0D, 0x0A]) { throw .malformed("a part without Content-Disposition") }
                return false
            }
            guard index <= Self.maxHeaderBytes else { throw .headersTooLarge }
            parts += 1
            guard parts <= Self.maxParts else { throw .tooManyParts }
            let headers = try Self.partHeaders(Array(pending[..<index]))
            pending.removeFirst(index + 4)
            events.append(.part(headers))
            state = .body
            return true
        case .body:
            if let index = find(delimiter, in: pending) {
                if index > 0 { events.append(.data(Array(pending[..<index]))) }
                events.append(.partEnd)
                pending.removeFirst(index + delimiter.count)
                state = .afterBoundary
                return true
            }
            // Everything but a tail that could be the start of a split delimiter is content.
            let safe = pending.count - (delimiter.count - 1)
            if safe > 0 {
                events.append(.data(Array(pending[..<safe])))
                pending.removeFirst(safe)
            }
            return false
        case .done:
            pending.removeAll()  // the epilogue is ignored
            return false
        }
    }

    /// `memchr` for the needle's first byte (a CR, rare in file content), then `memcmp` for the rest: a 25 MiB
    /// body fed at once is searched in milliseconds, even in a debug build.
    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard let first = needle.first else { return nil }
        return haystack.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress else { return nil }
            var position = 0
            while position + needle.count <= raw.count {
                guard let found = memchr(base + position, Int32(first), raw.count - position) else { return nil }
                let offset = base.distance(to: UnsafeRawPointer(found))
                guard offset + needle.count <= raw.count else { return nil }
                if needle.withUnsafeBytes({ memcmp(found, $0.baseAddress!, needle.count) }) == 0 { return offset }
                position = offset + 1
            }
            return nil
        }
    }

    static func partHeaders(_ bytes: [UInt8]) throws(MultipartError) -> MultipartPartHeaders {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("part headers that are not UTF-8") }
        var disposition: String?
        var contentType: String?
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("a part header without a colon") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-disposition": disposition = value
            case "content-type": contentType = value
            default: continue
            }
        }
        guard let disposition else { throw .malformed("a part without Content-Disposition") }
        let parameters = HeaderParameters.parse(disposition)
        guard parameters.value.lowercased() == "form-data", let name = parameters["name"] else {
            throw .malformed("a part whose Content-Disposition is not form-data with a name")
        }
        let filename = parameters["filename*"].flatMap(HeaderParameters.decodeExtended) ?? parameters["filename"]
        return MultipartPartHeaders(name: name, filename: filename, contentType: contentType)
    }
}

/// `value; name="quoted \"string\""; other=token` header parameters (RFC 9110 §5.6.6), with RFC 8187
/// `name*=UTF-8''percent-encoded` values left for `decodeExtended`.
struct HeaderParameters {
    let value: String
    private let parameters: [String: String]

    subscript(name: String) -> String? { parameters[name.lowercased()] }

    static func parse(_ header: String) -> HeaderParameters {
        var characters = Substring(header)
        func skipSpaces() { characters = characters.drop { $0 == " " || $0 == "\t" } }
        let value = characters.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces)
        characters = characters.drop { $0 != ";" }
        var parameters: [String: String] = [:]
        while characters.first == ";" {
            characters = characters.dropFirst()
            skipSpaces()
            let name = characters.prefix { $0 != "=" && $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
            characters = characters.dropFirst(characters.prefix { $0 != "=" && $0 != ";" }.count)
            guard characters.first == "=" else { continue }
            characters = characters.dropFirst()
            skipSpaces()
            var parameter = ""
            if characters.first == "\"" {
                characters = characters.dropFirst()
                while let character = characters.first, character != "\"" {
                    characters = characters.dropFirst()
                    if character == "\\", let escaped = characters.first {
                        parameter.append(escaped)
                        characters = characters.dropFirst()
                    } else {
                        parameter.append(character)
                    }
                }
                characters = characters.dropFirst()
                characters = characters.drop { $0 != ";" }
            } else {
                parameter = characters.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces)
                characters = characters.drop { $0 != ";" }
            }
            if !name.isEmpty, parameters[name] == nil { parameters[name] = parameter }
        }
        return HeaderParameters(value: value, parameters: parameters)
    }

    /// `UTF-8''na%C3%AFve.txt` → `naïve.txt`; nil for other charsets or bad encoding.
    static func decodeExtended(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        return PercentDecoding.decode(String(pieces[2]), plusAsSpace: false)
    }
}

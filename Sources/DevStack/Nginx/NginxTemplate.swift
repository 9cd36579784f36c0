import Foundation

/// A template from nginx/, rendered by replacing its placeholders: `@TOKEN@` must be given a value (which may be
/// empty), `@TOKEN?@` becomes empty when none is given. Token names are capitals, digits and underscores, starting
/// with a capital; values are taken literally and hold no line break. The one renderer of nginx/*.conf.in, for the
/// stack and for production (`guildgate-dev render-nginx`).
public struct NginxTemplate: Sendable {
    public let path: String
    public let text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    public init(contentsOf path: String) throws(NginxTemplateError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable(path: path) }
        self.init(path: path, text: text)
    }

    /// Values from `TOKEN=VALUE` arguments, checked; the last one given for a token wins.
    public static func values(fromAssignments assignments: [String]) throws(NginxTemplateError) -> [String: String] {
        var values: [String: String] = [:]
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else { throw .malformedAssignment(assignment) }
            values[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        try check(values)
        return values
    }

    /// The template with every placeholder replaced, ending in one line break.
    public func render(_ values: [String: String]) throws(NginxTemplateError) -> String {
        try Self.check(values)
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var missing: Set<String> = []
        var index = 0
        while index < bytes.count {
            guard let placeholder = Self.placeholder(in: bytes, at: index) else {
                output.append(bytes[index])
                index += 1
                continue
            }
            if let value = values[placeholder.name] {
                output += value.utf8
            } else if !placeholder.isOptional {
                missing.insert(placeholder.name)
            }
            index = placeholder.end
        }
        guard missing.isEmpty else { throw .missingValues(path: path, tokens: missing.sorted()) }
        while output.last == UInt8(ascii: "\n") { output.removeLast() }
        return String(decoding: output, as: UTF8.self) + "\n"
    }

    /// Token names are names, and values fit on the line of their placeholder.
    private static func check(_ values: [String: String]) throws(NginxTemplateError) {
        for (name, value) in values {
            guard isTokenName(name.utf8) else { throw .badTokenName(name) }
            guard !value.contains(where: \.isNewline) else { throw .lineBreakInValue(token: name) }
        }
    }

    /// The placeholder `@NAME@` or `@NAME?@` starting at `start`, and the index after it.
    private static func placeholder(in bytes: [UInt8], at start: Int) -> (name: String, isOptional: Bool, end: Int)? {
        guard bytes[start] == UInt8(ascii: "@") else { return nil }
        var index = start + 1
        while index < bytes.count, isTokenByte(bytes[index], first: index == start + 1) { index += 1 }
        let name = bytes[(start + 1)..<index]
        guard !name.isEmpty, index < bytes.count else { return nil }
        let isOptional = bytes[index] == UInt8(ascii: "?")
        if isOptional { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "@") else { return nil }
        return (String(decoding: name, as: UTF8.self), isOptional, index + 1)
    }

    private static func isTokenName(_ name: String.UTF8View) -> Bool {
        !name.isEmpty && name.enumerated().allSatisfy { isTokenByte($1, first: $0 == 0) }
    }

    private static func isTokenByte(_ byte: UInt8, first: Bool) -> Bool {
        first ? byte.isCapital : byte.isNameCharacter
    }
}

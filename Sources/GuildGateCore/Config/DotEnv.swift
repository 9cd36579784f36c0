import Foundation

/// `.env` files: `NAME=value` lines, `#` comments, optional `export `, single or double quotes. A single-quoted value
/// may be written as a shell writes one that holds a quote (`'it'\''s'` is `it's`), so a file a shell can source
/// (guildgate-dev's `stack.env`) reads back as it was written.
public enum DotEnv {
    public static func load(path: String, required: Bool) throws(ConfigError) -> [String: String] {
        guard !path.isEmpty else { return [:] }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            if required { throw .unreadableFile(path) }
            return [:]
        }
        return parse(text)
    }

    public static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if let quote = value.first, quote == "\"" || quote == "'", value.count >= 2, value.last == quote {
                let unquoted = String(value.dropFirst().dropLast())
                value = quote == "'" ? shellSingleQuoted(value) ?? unquoted : unquoted
            } else if let comment = value.range(of: " #") {
                value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            values[name] = value
        }
        return values
    }

    /// A shell word made of single-quoted parts and `\'` (a quote), as `'it'\''s'`; nil if `word` is anything else.
    private static func shellSingleQuoted(_ word: String) -> String? {
        var result = ""
        var rest = word[...]
        while let first = rest.first {
            if first == "'" {
                guard let closing = rest.dropFirst().firstIndex(of: "'") else { return nil }
                result += rest[rest.index(after: rest.startIndex)..<closing]
                rest = rest[rest.index(after: closing)...]
            } else if rest.hasPrefix("\\'") {
                result += "'"
                rest = rest.dropFirst(2)
            } else {
                return nil
            }
        }
        return result
    }
}

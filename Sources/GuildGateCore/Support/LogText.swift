/// Text from outside (a username typed into a form, …) as it may appear in a log line: quoted, with
/// quotes, backslashes, control and format characters and line separators escaped as `\u{…}`, and cut
/// to 64 characters, so a value can neither start a forged line nor pass for more metadata.
public enum LogText {
    public static let maxCharacters = 64

    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars.prefix(maxCharacters) {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                switch scalar.properties.generalCategory {
                case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate:
                    out += "\\u{" + hex(scalar.value) + "}"
                default:
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        if text.unicodeScalars.count > maxCharacters { out += "…" }
        return out + "\""
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 2 - digits.count)) + digits
    }
}

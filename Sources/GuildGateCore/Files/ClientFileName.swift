import Foundation

/// The file name a client sent with an upload, as GuildGate may store and show it.
public enum ClientFileName {
    /// What may be shown of a client's file name: the last path component, without control or
    /// bidirectional-override characters, at most 255 characters; "file" when nothing is left.
    public static func displayName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(
            String.UnicodeScalarView(
                last.unicodeScalars.filter { scalar in
                    let category = scalar.properties.generalCategory
                    return category != .control && category != .format && category != .lineSeparator && category != .paragraphSeparator
                })
        ).trimmingCharacters(in: .whitespaces)
        let name = String(cleaned.prefix(255))
        return name.isEmpty || name == "." || name == ".." ? "file" : name
    }
}

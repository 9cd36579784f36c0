/// `Content-Disposition` for a download (RFC 6266): an ASCII fallback `filename` plus the exact name
/// as RFC 8187 `filename*`, so any name is safe in the header and shown right by browsers.
public enum ContentDisposition {
    public static func attachment(filename: String) -> String {
        let fallback = String(
            filename.unicodeScalars.map { scalar -> Character in
                switch scalar.value {
                case 0x20...0x7E where scalar != "\"" && scalar != "\\" && scalar != "%" && scalar != ";": return Character(scalar)
                default: return "_"
                }
            })
        // RFC 8187 allows any octet percent-encoded; the unreserved set is a safe subset of its attr-char.
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(PercentEncoding.encode(filename))"
    }
}

import WireFormats

/// The decoded `name=value` pairs of a query string or form body (`FormDecoding`: the first value of a
/// repeated name wins).
struct FormFields: Sendable {
    private let values: [String: String]

    init() {
        values = [:]
    }

    /// `nil` when a name or value is badly percent-encoded or not UTF-8.
    init?(parsing encoded: Substring) {
        guard let values = FormDecoding.decode(String(encoded)) else { return nil }
        self.values = values
    }

    /// `nil` when a name or value is badly percent-encoded or not UTF-8.
    init?(parsing bytes: [UInt8]) {
        guard let values = FormDecoding.decode(bytes) else { return nil }
        self.values = values
    }

    /// The value given for `name`, treating an empty value as absent.
    subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }
}

import Foundation

/// Collects field errors while reading input, so one response names every problem at once.
public struct FieldValidator {
    public private(set) var errors: [FieldError] = []
    public init() {}

    /// A required string of 1…`maxLength` characters without control characters, trimmed.
    public mutating func text(_ field: String, _ value: String?, maxLength: Int) -> String {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            errors.append(FieldError(field, "is required"))
            return ""
        }
        guard value.count <= maxLength else {
            errors.append(FieldError(field, "must be at most \(maxLength) characters"))
            return ""
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            errors.append(FieldError(field, "must not contain control characters"))
            return ""
        }
        return value
    }

    public mutating func email(_ field: String, _ value: String?) -> String {
        let address = text(field, value, maxLength: 254)
        guard !address.isEmpty else { return "" }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), !address.contains(where: \.isWhitespace)
        else {
            errors.append(FieldError(field, "must be an email address such as name@example.com"))
            return ""
        }
        return address
    }

    public mutating func choice(_ field: String, _ value: String?, from choices: [String]) -> String {
        guard let value, choices.contains(value) else {
            errors.append(FieldError(field, "must be one of: \(choices.joined(separator: ", "))"))
            return ""
        }
        return value
    }

    /// Throws the collected errors, if any.
    public func check() throws(HTTPError) {
        if !errors.isEmpty { throw .validation(errors) }
    }
}

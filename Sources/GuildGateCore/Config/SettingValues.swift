import Foundation

/// The raw settings (the environment over `.env`), read by name with the conversions settings share.
struct SettingValues {
    let settings: [String: String]

    init(_ settings: [String: String]) {
        self.settings = settings
    }

    /// The first of `names` that is set and not blank (later names are aliases).
    func value(_ names: String...) -> String? {
        for name in names {
            if let value = settings[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty { return value }
        }
        return nil
    }

    func required(_ name: String) throws(ConfigError) -> String {
        guard let found = value(name) else { throw .missing(name) }
        return found
    }

    func nonNegativeInteger(_ name: String, atMost limit: Int = .max) throws(ConfigError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), number >= 0 else { throw .invalid(name, reason: "must be a whole number, 0 or more") }
        guard number <= limit else { throw .invalid(name, reason: "must be at most \(limit)") }
        return number
    }

    func positiveInteger(_ name: String, atMost limit: Int = .max) throws(ConfigError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), number > 0 else { throw .invalid(name, reason: "must be a positive whole number") }
        guard number <= limit else { throw .invalid(name, reason: "must be at most \(limit)") }
        return number
    }

    func flag(_ name: String) -> Bool {
        ["1", "true", "yes", "on"].contains(value(name)?.lowercased() ?? "")
    }

    /// An absolute URL without a trailing slash, in one of `schemes` unless it points at loopback.
    func url(_ name: String, default fallback: String, schemes: [String]) throws(ConfigError) -> String {
        let url = value(name).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? fallback
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), parsed.host != nil else {
            throw .invalid(name, reason: "must be an absolute URL such as \(fallback)")
        }
        guard schemes.contains(scheme) || LoopbackURL.isLoopback(url) else {
            throw .invalid(name, reason: "must use \(schemes.joined(separator: " or ")) unless it points at loopback")
        }
        return url
    }
}

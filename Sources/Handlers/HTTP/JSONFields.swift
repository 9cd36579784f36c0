import JSONSupport

/// The members of a JSON request body, read by type: a member that is absent (or `null`) is nil, one of
/// the wrong type is a field error, and `check()` throws every such error at once (400).
struct JSONFields {
    private let body: JSON
    private(set) var errors: [FieldError] = []

    init(_ body: JSON) {
        self.body = body
    }

    mutating func string(_ key: String) -> String? {
        read(key, "must be a string") { $0.string }
    }

    mutating func bool(_ key: String) -> Bool? {
        read(key, "must be true or false") { $0.bool }
    }

    mutating func integer(_ key: String) -> Int? {
        read(key, "must be a whole number") { $0.wholeNumber }
    }

    /// Throws the collected errors, if any.
    func check() throws(HTTPError) {
        if !errors.isEmpty { throw .validation(errors) }
    }

    private mutating func read<T>(_ key: String, _ expectation: String, _ value: (JSON) -> T?) -> T? {
        guard let member = body[key], member != .null else { return nil }
        guard let typed = value(member) else {
            errors.append(FieldError(key, expectation))
            return nil
        }
        return typed
    }
}

/// The environment web and bot get: the caller's, with the stack's settings on top. The `--env-file` the apps will
/// read counts too when the stack decides what it must provide itself (a database, a Discord).
struct ServiceEnvironment: Sendable {
    private(set) var values: [String: String]
    private let envFile: [String: String]

    init(_ values: [String: String], envFile: [String: String] = [:]) {
        self.values = values
        self.envFile = envFile
    }

    subscript(name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// Whether one of `names` has a non-empty value, in the environment or in the env file.
    func isConfigured(_ names: String...) -> Bool {
        names.contains { !(values[$0] ?? "").isEmpty || !(envFile[$0] ?? "").isEmpty }
    }

    /// The settings among the variables: what stack.env records.
    var settings: [String: String] { values.filter { ConfigurationNames.contains($0.key) } }

    mutating func remove(where shouldRemove: (String) -> Bool) {
        values = values.filter { !shouldRemove($0.key) }
    }

    mutating func merge(_ settings: [String: String]) {
        values.merge(settings) { _, new in new }
    }
}

import Foundation

/// Finds a program as a shell does: a name with a slash as it is, else the first executable file of that name in
/// the directories of `PATH`.
enum ExecutableSearch {
    static func find(_ name: String, in environment: [String: String], fallback: [String] = []) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let directories = (environment["PATH"] ?? "").split(separator: ":").map(String.init) + fallback
        return directories.lazy.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

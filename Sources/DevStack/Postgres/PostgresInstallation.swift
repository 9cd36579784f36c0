import Foundation

/// PostgreSQL's server programs, where Debian installs each version: /usr/lib/postgresql/VERSION/bin.
enum PostgresInstallation {
    static let root = "/usr/lib/postgresql"

    /// The programs for the cluster in `data`: those of its version (PG_VERSION), or the newest installed for a new one.
    static func binaries(for data: String, directory: StackDirectory) throws(StackError) -> String {
        if let version = FileSystem.read(data + "/PG_VERSION")?.trimmingCharacters(in: .whitespacesAndNewlines) {
            let binaries = "\(root)/\(version)/bin"
            guard FileManager.default.isExecutableFile(atPath: binaries + "/postgres") else {
                throw StackError(
                    "the cluster in \(data) is PostgreSQL \(version), which is not installed (guildgate-dev down --dir \(directory.path) --purge)"
                )
            }
            return binaries
        }
        return try newest()
    }

    /// The programs of the newest version installed.
    static func newest() throws(StackError) -> String {
        let installed = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb") }
            .max { $0.compare($1, options: .numeric) == .orderedAscending }
        guard let installed else {
            throw StackError("PostgreSQL server binaries not found in \(root)/*/bin (run scripts/install-deps)")
        }
        return "\(root)/\(installed)/bin"
    }
}

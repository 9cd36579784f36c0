import Foundation
import Store

extension Doctor {
    /// Whether everything the database keeps sealed opens with the listed keys, and what is still under older
    /// ones (so an operator knows when a key may go): files' data keys by the key their rows name, the secrets
    /// saved at `/admin/client` by the key that opens them.
    func secretKeys() -> DoctorCheck {
        check("secret keys") {
            let keys = config.secretKeys
            var unlisted: [String: Int] = [:]
            var older = 0
            var legacy = 0
            for (keyID, count) in try FileStore(db).countsByDataKey() {
                switch keyID {
                case nil: legacy += count
                case keys.newest.id: break
                case let id? where keys.key(id: id) != nil: older += count
                case let id?: unlisted[id] = count
                }
            }
            var olderSecrets: [String] = []
            var unopenable: [String] = []
            if let stored = try ClientSettingsStore(db).load() {
                for (field, keyID) in ClientSettingsVault(keys: keys).secretKeyIDs(stored) {
                    let name = field.label.lowercased()
                    if keyID == nil { unopenable.append(name) } else if keyID != keys.newest.id { olderSecrets.append(name) }
                }
            }
            if !unlisted.isEmpty || !unopenable.isEmpty {
                let files = unlisted.values.reduce(0, +)
                var what: [String] = []
                if files > 0 {
                    what.append(
                        "\(files) file(s) sealed under key(s) \(unlisted.keys.sorted().joined(separator: ", ")) (they cannot be downloaded)"
                    )
                }
                if !unopenable.isEmpty { what.append("the saved \(unopenable.joined(separator: " and ")) (read as not saved)") }
                return .problem(
                    "no key GUILDGATE_SECRET_KEY lists opens " + what.joined(separator: " or ") + ".",
                    fix:
                        "List the key(s) they were sealed under in GUILDGATE_SECRET_KEY, after the newest, and run `guildgate-web rotate-keys`; or save the secrets again at /admin/client."
                )
            }
            let listed = "\(keys.all.count) key(s) listed, newest \(keys.newest.id)"
            var behind: [String] = []
            if older > 0 { behind.append("\(older) file(s)") }
            behind += olderSecrets.map { "the saved \($0)" }
            var notes: [String] = []
            if !behind.isEmpty { notes.append("under older keys: " + behind.joined(separator: ", ")) }
            if legacy > 0 { notes.append("\(legacy) file(s) stored before key ids were recorded") }
            guard notes.isEmpty else {
                return .ok(
                    listed + "; " + notes.joined(separator: "; ")
                        + " (`guildgate-web rotate-keys` seals them under the newest; only then may an older key go)")
            }
            return .ok(listed + "; everything stored is sealed under the newest")
        }
    }
}

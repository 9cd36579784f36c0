import DiscordKit
import Foundation
import JSONSupport
import Logging
import Store

/// `guildgate-web rotate-keys`: seals what the database keeps under older `GUILDGATE_SECRET_KEY`s again under the
/// newest, so that the older keys can be removed: the client secret and the bot token saved at `/admin/client`, and
/// each file's data key (32 bytes in its row; the parts on Discord stay as they are).
///
/// A file stored before migration 12 has no sealed key: its key is derived from the master key it was stored under
/// and its salt, and that master key is found by the GCM tag of the file's first chunk, fetched alone from Discord.
/// Nothing is assumed: a file whose chunk no listed key opens is named, not guessed.
///
/// It first opens everything; when anything opens with no listed key it names every such row and changes nothing.
/// Then each row is written in a statement (the client settings in a transaction that locks their row) that
/// applies only if the row is still as it was read, so it is safe while the processes run and write, and running
/// it again changes nothing more.
public struct KeyRotation {
    /// A row that opens with none of the listed keys.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// `client_settings.bot_token`, `files 12`.
        public let row: String
        public let reason: String

        public var description: String { "\(row): \(reason)" }
    }

    public struct CannotOpen: Error, CustomStringConvertible {
        public let problems: [Problem]

        public var description: String {
            "\(problems.count) stored secret(s) open with none of the listed keys (\(problems.map(\.row).joined(separator: ", "))); "
                + "nothing was changed. List the key(s) they were sealed under in GUILDGATE_SECRET_KEY, after the newest, and run "
                + "rotate-keys again, or delete those rows."
        }
    }

    /// What a run did (or, dry, would do).
    public struct Report: Sendable, Equatable {
        /// Client secret and bot token sealed again under the newest key.
        public var secretsResealed = 0
        /// Files whose data key was sealed again under the newest key.
        public var fileKeysResealed = 0
        /// Files stored before migration 12 whose data key is now sealed, under the newest key.
        public var legacyFileKeysSealed = 0
        /// Secrets and files already under the newest key.
        public var alreadyCurrent = 0
        /// Uploads still running in a guildgate-web older than migration 12, left as they are: run again once they
        /// end. (Files of that age being deleted are left too, uncounted: nothing reads them again.)
        public var uploadsLeft = 0
        /// Rows that changed between being read and written (deleted, saved again, sealed by another run).
        public var changedMeanwhile = 0

        /// One line for the operator.
        public var summary: String {
            "sealed again under the newest key: \(secretsResealed) saved secret(s), \(fileKeysResealed) file key(s); "
                + "sealed for the first time (files stored before key ids): \(legacyFileKeysSealed); already under the newest: "
                + "\(alreadyCurrent); uploads in progress left: \(uploadsLeft); changed meanwhile: \(changedMeanwhile)"
        }

        var json: JSON {
            [
                "secrets_resealed": .number(Double(secretsResealed)), "file_keys_resealed": .number(Double(fileKeysResealed)),
                "legacy_file_keys_sealed": .number(Double(legacyFileKeysSealed)), "already_current": .number(Double(alreadyCurrent)),
                "uploads_left": .number(Double(uploadsLeft)), "changed_meanwhile": .number(Double(changedMeanwhile)),
            ]
        }
    }

    let keys: SecretKeys
    let db: PostgresConnection
    /// Makes a Discord client for the first chunks of files stored before migration 12, when there are any.
    let discord: @Sendable (Logger) -> DiscordClient
    let logger: Logger

    public init(keys: SecretKeys, db: PostgresConnection, logger: Logger, discord: @escaping @Sendable (Logger) -> DiscordClient) {
        self.keys = keys
        self.db = db
        self.logger = logger
        self.discord = discord
    }

    /// A file and its data key sealed under the newest key.
    private struct FilePlan {
        let file: StoredFile
        let sealed: SealedDataKey
    }

    /// Seals everything under the newest key (with `dryRun`, only says what it would do); throws `CannotOpen`,
    /// having changed nothing, when something opens with no listed key.
    public func run(dryRun: Bool = false) throws -> Report {
        var report = Report()
        var problems: [Problem] = []
        let vault = ClientSettingsVault(keys: keys)
        let newest = keys.newest.id

        var secretsToReseal = 0
        if let stored = try ClientSettingsStore(db).load() {
            for (field, keyID) in vault.secretKeyIDs(stored) {
                switch keyID {
                case nil:
                    problems.append(
                        Problem(
                            row: "client_settings.\(field.rawValue)",
                            reason:
                                "the \(field.label.lowercased()) saved at /admin/client opens with none of the \(keys.all.count) listed key(s)"
                        ))
                case newest: report.alreadyCurrent += 1
                default: secretsToReseal += 1
                }
            }
        }

        let files = FileStore(db)
        let fileKeys = FileKeys(keys: keys)
        var plans: [FilePlan] = []
        var legacyPlans = 0
        for file in try files.files(notSealedUnder: newest) {
            let row = "files \(file.id)"
            do {
                if let dataKey = try fileKeys.dataKey(of: file) {
                    plans.append(FilePlan(file: file, sealed: try fileKeys.seal(dataKey, salt: file.salt)))
                    continue
                }
            } catch {
                problems.append(Problem(row: row, reason: "\(error)"))
                continue
            }
            switch file.state {
            case .complete, .damaged: break
            case .uploading:
                logger.notice("upload in progress left as it is", metadata: ["file_id": "\(file.id)"])
                report.uploadsLeft += 1
                continue
            case .failed, .deleting:
                continue
            }
            do {
                guard let master = try legacyKey(of: file) else {
                    problems.append(
                        Problem(
                            row: row, reason: "none of the listed keys opens the first chunk on Discord of \(LogText.quoted(file.name))"))
                    continue
                }
                let dataKey = FileCipher.legacyKey(secretKey: master.bytes, salt: file.salt)
                plans.append(FilePlan(file: file, sealed: try fileKeys.seal(dataKey, salt: file.salt)))
                legacyPlans += 1
            } catch {
                problems.append(
                    Problem(row: row, reason: "the first chunk of \(LogText.quoted(file.name)) could not be read from Discord: \(error)"))
            }
        }
        report.alreadyCurrent += try files.count(sealedUnder: newest)
        guard problems.isEmpty else { throw CannotOpen(problems: problems) }

        if dryRun {
            report.secretsResealed = secretsToReseal
            report.fileKeysResealed = plans.count - legacyPlans
            report.legacyFileKeysSealed = legacyPlans
            return report
        }
        if secretsToReseal > 0 {
            let resealed = try resealSecrets(vault: vault)
            report.secretsResealed = resealed
            report.changedMeanwhile += secretsToReseal - resealed
        }
        for plan in plans {
            guard try files.replaceDataKey(fileID: plan.file.id, old: plan.file.dataKey, new: plan.sealed) else {
                report.changedMeanwhile += 1
                continue
            }
            if plan.file.dataKey == nil { report.legacyFileKeysSealed += 1 } else { report.fileKeysResealed += 1 }
        }
        try AuditLogStore(db).record(
            actor: AuditActor.commandLine.description, action: "keys.rotate", target: AuditTarget.secretKey(newest), detail: report.json)
        return report
    }

    /// The master key a file stored before migration 12 was sealed under, by its first chunk; nil when none opens it.
    private func legacyKey(of file: StoredFile) throws -> MasterKey? {
        let download = try FileDownload(
            file: file, parts: try FileStore(db).parts(fileID: file.id), keys: keys, attachmentURLs: AttachmentURLCache(),
            now: Date.init, logger: logger, discord: discord)
        return try download.storedUnderKey(discord: discord(logger)).flatMap(keys.key(id:))
    }

    /// Seals the saved secrets again under the newest key, their row locked; how many it sealed.
    private func resealSecrets(vault: ClientSettingsVault) throws -> Int {
        try db.transaction { db in
            let store = ClientSettingsStore(db)
            guard let stored = try store.load(lockingRow: true) else { return 0 }
            guard let (settings, resealed) = try vault.resealingSecrets(stored) else {
                // Saved meanwhile by a process with other keys: the transaction changes nothing.
                throw CannotOpen(problems: [Problem(row: "client_settings", reason: "was saved meanwhile under a key that is not listed")])
            }
            if resealed > 0 {
                try store.replaceSecrets(clientSecretSealed: settings.clientSecretSealed, botTokenSealed: settings.botTokenSealed)
            }
            return resealed
        }
    }
}

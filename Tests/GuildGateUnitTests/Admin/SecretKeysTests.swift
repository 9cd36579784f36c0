import Foundation
@testable import GuildGateCore
import GuildGateTesting
import Logging
import Store
import Testing

/// `GUILDGATE_SECRET_KEY` as a list, newest first: how it is read, and what each key opens or verifies.
@Suite struct SecretKeysTests {
    static let a = [UInt8](repeating: 0xA, count: 32)
    static let b = [UInt8](repeating: 0xB, count: 32)
    static let c = [UInt8](repeating: 0xC, count: 32)

    static func base64(_ key: [UInt8]) -> String { Data(key).base64EncodedString() }

    // MARK: - The setting

    @Test func oneKeyOrACommaSeparatedListNewestFirst() throws {
        #expect(try SecretKeys.parse(Self.base64(Self.a)).all.map(\.bytes) == [Self.a])
        let keys = try SecretKeys.parse(" \(Self.base64(Self.b)) ,\(Self.base64(Self.a))\n")
        #expect(keys.all.map(\.bytes) == [Self.b, Self.a])
        #expect(keys.newest.bytes == Self.b)
        #expect(keys.key(id: MasterKey(Self.a).id)?.bytes == Self.a)
        #expect(keys.key(id: MasterKey(Self.c).id) == nil)
    }

    @Test func eachBadEntryIsNamedByItsPositionNeverByItsValue() {
        let short = Self.base64([UInt8](repeating: 1, count: 16))
        let text = [Self.base64(Self.a), "", "not base64!", short, Self.base64(Self.a)].joined(separator: ",")
        #expect(throws: SecretKeys.ParseError.self) { try SecretKeys.parse(text) }
        do {
            _ = try SecretKeys.parse(text)
        } catch {
            #expect(
                error.problems == [
                    "entry 2 of 5 is empty", "entry 3 of 5 is not base64", "entry 4 of 5 is 16 bytes, not 32",
                    "entry 5 of 5 repeats entry 1",
                ])
            #expect(!error.description.contains(Self.base64(Self.a)) && !error.description.contains(short))
            #expect(error.description.contains("newest first"))
        }
        #expect(throws: SecretKeys.ParseError(problems: ["the key is 5 bytes, not 32"])) { try SecretKeys.parse("c2hvcnQ=") }
        #expect(throws: SecretKeys.ParseError(problems: ["the key is empty"])) { try SecretKeys.parse(" ") }
        #expect(throws: SecretKeys.ParseError(problems: ["entry 2 of 2 is empty"])) { try SecretKeys.parse(Self.base64(Self.a) + ",") }
    }

    @Test func theConfigurationNamesTheSettingAndTheBadEntry() throws {
        var settings = AppConfigTests.base
        settings["GUILDGATE_SECRET_KEY"] = Self.base64(Self.b) + ",c2hvcnQ="
        #expect(throws: ConfigError.self) { try AppConfig(settings: settings) }
        do {
            _ = try AppConfig(settings: settings)
        } catch {
            #expect("\(error)".hasPrefix("GUILDGATE_SECRET_KEY is invalid: entry 2 of 2 is 5 bytes, not 32"))
        }
        settings["GUILDGATE_SECRET_KEY"] = Self.base64(Self.b) + "," + Self.base64(Self.a)
        #expect(try AppConfig(settings: settings).secretKeys.all.map(\.bytes) == [Self.b, Self.a])
    }

    @Test func aKeyIDNamesTheKeyWithoutRevealingIt() {
        let id = MasterKey(Self.a).id
        #expect(id.count == 16 && id.allSatisfy(\.isHexDigit))
        #expect(id == MasterKey(Self.a).id)
        #expect(id != MasterKey(Self.b).id)
        #expect(!Self.a.map { String(format: "%02x", $0) }.joined().contains(id))
    }

    // MARK: - Seal with the newest, open with any

    @Test func sealedUnderTheNewestAndOpenedUnderAnyListedKey() throws {
        let old = KeyedSealer(keys: SecretKeys([Self.a]), purpose: "test")
        let (sealed, keyID) = try old.seal(Array("secret".utf8), authenticating: [1])
        #expect(keyID == MasterKey(Self.a).id)

        let rotated = KeyedSealer(keys: SecretKeys([Self.b, Self.a]), purpose: "test")
        #expect(rotated.open(sealed, authenticating: [1])?.plaintext == Array("secret".utf8))
        #expect(rotated.open(sealed, authenticating: [1])?.keyID == MasterKey(Self.a).id)
        #expect(rotated.open(sealed, authenticating: [1], keyID: MasterKey(Self.a).id) != nil)
        #expect(rotated.open(sealed, authenticating: [1], keyID: MasterKey(Self.b).id) == nil)
        #expect(rotated.open(sealed, authenticating: [2]) == nil)
        #expect(try rotated.seal([1, 2, 3], authenticating: []).keyID == MasterKey(Self.b).id)

        // Without the old key nothing opens; another purpose's key is another key.
        #expect(KeyedSealer(keys: SecretKeys([Self.b]), purpose: "test").open(sealed, authenticating: [1]) == nil)
        #expect(KeyedSealer(keys: SecretKeys([Self.a]), purpose: "other").open(sealed, authenticating: [1]) == nil)
    }

    @Test func savedSecretsOpenAfterARotationAndSayUnderWhichKey() throws {
        var settings = DiscordClientSettings()
        settings[.botToken] = "bot-token"
        settings[.clientSecret] = "client-secret"
        let stored = try ClientSettingsVault(keys: SecretKeys([Self.a])).seal(settings)
        #expect(ClientSettingsVault(keys: SecretKeys([Self.b, Self.a])).open(stored) == settings)
        #expect(ClientSettingsVault(keys: SecretKeys([Self.b])).open(stored)[.botToken] == nil)
        let resealed = try ClientSettingsVault(keys: SecretKeys([Self.b, Self.a])).seal(settings)
        #expect(ClientSettingsVault(keys: SecretKeys([Self.b])).open(resealed) == settings)
    }

    @Test func fileDataKeysAreSealedPerFileAndNamedByTheirKey() async throws {
        let db = try await TestApplication().database()
        let salt = FileCipher.randomSalt()
        let dataKey = FileCipher.randomKey()
        let sealed = try FileKeys(keys: SecretKeys([Self.a])).seal(dataKey, salt: salt)
        #expect(sealed.keyID == MasterKey(Self.a).id)
        #expect(sealed.sealed.count == 12 + 32 + 16)

        let file = try Self.storedFile(db, salt: salt, dataKey: sealed)
        #expect(try FileKeys(keys: SecretKeys([Self.b, Self.a])).dataKey(of: file) == dataKey)
        #expect(throws: FileKeyError.keyNotListed(fileID: file.id, keyID: sealed.keyID)) {
            try FileKeys(keys: SecretKeys([Self.b])).dataKey(of: file)
        }
        // Moved to a row with another salt, it does not open.
        let moved = try Self.storedFile(db, salt: FileCipher.randomSalt(), dataKey: sealed)
        #expect(throws: FileKeyError.doesNotOpen(fileID: moved.id, keyID: sealed.keyID)) {
            try FileKeys(keys: SecretKeys([Self.a])).dataKey(of: moved)
        }
        // A file from before migration 12: its key is one of the derived candidates, newest first.
        let legacy = try Self.storedFile(db, salt: salt, dataKey: nil)
        #expect(try FileKeys(keys: SecretKeys([Self.a])).dataKey(of: legacy) == nil)
        let candidates = FileKeys(keys: SecretKeys([Self.b, Self.a])).legacyCandidates(salt: salt)
        #expect(candidates.map(\.keyID) == [MasterKey(Self.b).id, MasterKey(Self.a).id])
        #expect(candidates[1].dataKey == FileCipher.legacyKey(secretKey: Self.a, salt: salt))
    }

    @Test func theFirstChunkAloneTellsWhichKeySealedAPart() throws {
        let right = FileCipher(key: FileCipher.legacyKey(secretKey: Self.a, salt: [1, 2]))
        let wrong = FileCipher(key: FileCipher.legacyKey(secretKey: Self.b, salt: [1, 2]))
        for size in [0, 100, FileCipher.chunkSize, FileCipher.chunkSize * 2 + 7] {
            let plaintext = [UInt8](repeating: 9, count: size)
            let sealed = try right.seal(plaintext, part: 0)
            let first = sealed.prefix(FileCipher.firstChunkSealedSize(plain: size))
            #expect(right.authenticates(first, part: 0, plainSize: size, chunk: 0))
            #expect(!wrong.authenticates(first, part: 0, plainSize: size, chunk: 0))
            #expect(!right.authenticates(first.dropLast(), part: 0, plainSize: size, chunk: 0))
            #expect(!right.authenticates(first, part: 1, plainSize: size, chunk: 0))
        }
    }

    /// A `files` row as the store reads it, with the salt and sealed key given (in the in-process tests' database).
    static func storedFile(_ db: PostgresConnection, salt: [UInt8], dataKey: SealedDataKey?) throws -> StoredFile {
        let id = try FileStore(db).create(
            ownerUserID: nil, name: "key-test.bin", contentType: "application/octet-stream", salt: salt, dataKey: dataKey, partSize: 1024)
        defer { _ = try? FileStore(db).delete(fileID: id) }
        return try #require(try FileStore(db).file(id: id))
    }

    // MARK: - Sessions and sign-in flows across a rotation

    @Test func sessionsSignedWithAnyListedKeyAreAcceptedAndNewOnesUseTheNewest() async throws {
        let db = try await TestApplication().database()
        let keysA = SecretKeys([Self.a]).derived(purpose: GuildGateCore.Sessions.keyPurpose)
        let keysBA = SecretKeys([Self.b, Self.a]).derived(purpose: GuildGateCore.Sessions.keyPurpose)
        let keysB = SecretKeys([Self.b]).derived(purpose: GuildGateCore.Sessions.keyPurpose)
        let now = Date()
        let underA = try GuildGateCore.Sessions(db: db, keys: keysA).start(userID: nil, adminID: nil, replacing: nil, now: now)
        #expect(try GuildGateCore.Sessions(db: db, keys: keysBA).session(fromValue: underA.value, now: now) != nil)
        #expect(try GuildGateCore.Sessions(db: db, keys: keysB).session(fromValue: underA.value, now: now) == nil)
        let underB = try GuildGateCore.Sessions(db: db, keys: keysBA).start(userID: nil, adminID: nil, replacing: nil, now: now)
        #expect(try GuildGateCore.Sessions(db: db, keys: keysB).session(fromValue: underB.value, now: now) != nil)
        #expect(try GuildGateCore.Sessions(db: db, keys: keysA).session(fromValue: underB.value, now: now) == nil)
    }

    @Test func aSignInFlowStartedBeforeARotationUsesTheKeyItStartedWith() async throws {
        let app = try await TestApplication()
        let db = app.database()
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        func signIn(_ keys: [[UInt8]]) -> DiscordSignIn {
            DiscordSignIn(
                config: app.config, pkceKeys: SecretKeys(keys).derived(purpose: DiscordSignIn.pkceKeyPurpose), db: db, logger: logger)
        }
        let session = Secrets.sha256(Secrets.randomToken())
        let now = Date()
        for (later, completes) in [([Self.b, Self.a], true), ([Self.b], false)] {
            let url = try #require(try signIn([Self.a]).start(sessionIDHash: session, returnTo: "/", verificationTokenHash: nil, now: now))
            let query = try #require(URLComponents(string: url)?.queryItems)
            let state = try #require(query.first { $0.name == "state" }?.value)
            let challenge = try #require(query.first { $0.name == "code_challenge" }?.value)
            if completes {
                let flow = try signIn(later).resume(state: state, sessionIDHash: session, now: now)
                #expect(PKCE.challenge(of: PKCE(state: state, key: flow.pkceKey.bytes).verifier) == challenge)
            } else {
                #expect(throws: CallbackFailure.invalidToken) { try signIn(later).resume(state: state, sessionIDHash: session, now: now) }
            }
        }
    }
}

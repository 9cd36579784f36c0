@testable import GuildGateCore
@testable import Handlers
import Store
import Testing

@Suite struct PasswordHasherTests {
    @Test func newHashesUseScryptWithNTwoToTheSeventeenth() throws {
        let hash = try PasswordHasher.hash("correct horse battery")
        #expect(hash.hasPrefix("scrypt$131072$8$1$"), "\(hash)")
        #expect(PasswordHasher.verify("correct horse battery", against: hash))
        #expect(!PasswordHasher.verify("correct horse batterz", against: hash))
    }

    /// Made with N = 2^15 before the cost went up (Python: hashlib.scrypt(password, salt=bytes(range(16)),
    /// n=1<<15, r=8, p=1, dklen=32)): a stored hash keeps its parameters and still verifies.
    @Test func hashesWithTheirOwnParametersStillVerify() {
        let old = "scrypt$32768$8$1$AAECAwQFBgcICQoLDA0ODw$xy6UCICz8Vv_P6JqOkkUD4DOmhxN0tXSe6sQAUBxupQ"
        #expect(PasswordHasher.verify("correct horse battery", against: old))
        #expect(!PasswordHasher.verify("correct horse batterz", against: old))
        #expect(!PasswordHasher.verify("correct horse battery", against: "scrypt$32768$8$1$AAECAwQFBgcICQoLDA0ODw"))
    }

    /// An unknown username is checked against a hash with the current parameters, so it costs the same
    /// scrypt work as a known one and its answer time does not tell which usernames exist.
    @Test func anUnknownUsernameIsCheckedAgainstAHashWithTheCurrentParameters() throws {
        let known = Admin(id: 1, username: "ann", passwordHash: try PasswordHasher.hash("s3cret-passphrase"))
        #expect(AdminSignIn.hashToCheck(for: known) == known.passwordHash)
        let unknown = AdminSignIn.hashToCheck(for: nil)
        let parameters = { (hash: String) in hash.split(separator: "$").prefix(4).joined(separator: "$") }
        #expect(parameters(unknown) == parameters(known.passwordHash))
        #expect(unknown.split(separator: "$").count == 6)
        #expect(!PasswordHasher.verify("", against: unknown))
        #expect(!PasswordHasher.verify("s3cret-passphrase", against: unknown))
    }
}

@Suite struct LogTextTests {
    @Test func aValueCannotForgeOrBreakALogLine() {
        #expect(LogText.quoted("ann") == #""ann""#)
        #expect(
            LogText.quoted("x\n2026-12-06T00:00:00+0000 info guildgate-web: admin signed in")
                == #""x\u{0A}2026-12-06T00:00:00+0000 info guildgate-web: admin signed in""#)
        #expect(LogText.quoted("a\r\u{1B}[2Kb\u{7F}\u{85}") == #""a\u{0D}\u{1B}[2Kb\u{7F}\u{85}""#)
        #expect(LogText.quoted("\u{2028}\u{2029}\u{202E}") == #""\u{2028}\u{2029}\u{202E}""#)
        #expect(LogText.quoted(#"say "hi" \n"#) == #""say \"hi\" \\n""#)
        #expect(LogText.quoted("élan 😀") == #""élan 😀""#)
    }

    @Test func longValuesAreCut() {
        let quoted = LogText.quoted(String(repeating: "a", count: 500))
        #expect(quoted == "\"" + String(repeating: "a", count: 64) + "…\"")
    }
}

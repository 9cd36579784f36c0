@testable import JSONSupport
import Testing
@testable import Handlers
@testable import GuildGateCore
import WireFormats

@Suite struct PercentDecodingTests {
    @Test func decodesEscapesAndPlus() {
        #expect(PercentDecoding.decode("a%20b+c", plusAsSpace: true) == "a b c")
        #expect(PercentDecoding.decode("a%20b+c", plusAsSpace: false) == "a b+c")
        #expect(PercentDecoding.decode("%C3%A9t%C3%A9", plusAsSpace: false) == "été")
    }

    @Test(arguments: ["%", "%2", "%zz", "%G1", "%C3", "%FF%FE", "abc%"])
    func refusesMalformedInput(_ input: String) {
        #expect(PercentDecoding.decode(input, plusAsSpace: true) == nil)
    }
}

@Suite struct FormDecodingTests {
    @Test func firstValueWinsAndEmptyValuesAreKept() {
        let fields = FormDecoding.decode("a=1&b=&a=2&c")
        #expect(fields == ["a": "1", "b": "", "c": ""])
    }

    @Test func refusesInvalidUTF8Bytes() {
        #expect(FormDecoding.decode([0x61, 0x3D, 0xFF]) == nil)
        #expect(FormDecoding.decode("name=%FF") == nil)
    }
}

@Suite struct RequestParsingTests {
    @Test func splitsPathAndQuery() throws {
        let request = try Request(
            method: "get", requestURI: "/api/files/42?x=1&y=%2F", headers: [:], remoteAddress: "", body: nil)
        #expect(request.method == "GET")
        #expect(request.pathSegments == ["api", "files", "42"])
        #expect(request.query == ["x": "1", "y": "/"])
        #expect(request.isAPI)
    }

    @Test(arguments: ["/a%zz", "/%FF", "relative", "/ok?bad=%"])
    func refusesMalformedURIs(_ uri: String) {
        #expect(throws: HTTPError.self) {
            try Request(method: "GET", requestURI: uri, headers: [:], remoteAddress: "", body: nil)
        }
    }

    @Test func mediaTypeIgnoresParameters() throws {
        let request = try Request(
            method: "POST", requestURI: "/", headers: ["content-type": "Application/JSON; charset=utf-8"],
            remoteAddress: "", body: nil)
        #expect(request.mediaType == "application/json")
    }

    @Test func bodyOverTheLimitIs413() throws {
        let request = try Request(
            method: "POST", requestURI: "/", headers: [:], remoteAddress: "", body: BytesBody(Array(repeating: 1, count: 100)))
        #expect(throws: HTTPError.payloadTooLarge(limit: 99)) { try request.collectBody(limit: 99) }
        let exact = try Request(
            method: "POST", requestURI: "/", headers: [:], remoteAddress: "", body: BytesBody(Array(repeating: 1, count: 100)))
        #expect(try exact.collectBody(limit: 100).count == 100)
    }

    @Test func declaredLengthOverTheLimitIsRefusedBeforeReading() throws {
        let request = try Request(
            method: "POST", requestURI: "/", headers: ["content-length": "1000000"], remoteAddress: "", body: BytesBody([]))
        #expect(throws: HTTPError.payloadTooLarge(limit: 10)) { try request.collectBody(limit: 10) }
    }
}

/// A request body from memory, handed out in small pieces to exercise the read loop.
final class BytesBody: RequestBodyStream {
    private var remaining: ArraySlice<UInt8>
    init(_ bytes: [UInt8]) { remaining = bytes[...] }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RequestBodyError) -> Int {
        let count = min(buffer.count, remaining.count, 7)
        for index in 0..<count { buffer[index] = remaining[remaining.startIndex + index] }
        remaining = remaining.dropFirst(count)
        return count
    }
}

@Suite struct JSONTests {
    @Test func escapesForSafeEmbedding() {
        let json: JSON = ["a": "<script>\"\n\u{1}", "n": 3, "f": .number(1.5), "b": true, "z": .null]
        #expect(json.serialized == #"{"a":"\u003cscript\u003e\"\n\u0001","n":3,"f":1.5,"b":true,"z":null}"#)
    }

    @Test func parsesAndRoundTrips() throws {
        let parsed = try #require(JSON.parse(Array(#"{"name":"Ann","tags":[1,true,null]}"#.utf8)))
        #expect(parsed["name"]?.string == "Ann")
        #expect(parsed["tags"] == [1, true, .null])
    }

    @Test func decodesEscapesAndSurrogatePairs() {
        #expect(JSON.parse(Array(#"["\u00e9\ud83d\ude00\n\/"]"#.utf8)) == ["é😀\n/"])
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(JSON.parse(Array(deep.utf8)) == nil)
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(JSON.parse(Array(fine.utf8)) != nil)
    }

    @Test func aRepeatedKeyKeepsItsFirstPlaceAndTakesTheLastValue() throws {
        let parsed = try #require(JSON.parse(Array(#"{"a":1,"b":2,"a":3,"c":{"x":1,"x":[2]},"b":4}"#.utf8)))
        #expect(parsed == ["a": 3, "b": 4, "c": ["x": [2]]])
        #expect(parsed.serialized == #"{"a":3,"b":4,"c":{"x":[2]}}"#)
    }

    @Test func objectsWithThousandsOfKeysKeepEveryKeyInOrder() throws {
        let count = 20_000
        let members = (0..<count).map { #""k\#($0)":\#($0)"# } + (0..<count).filter { $0 % 1000 == 0 }.map { #""k\#($0)":-1"# }
        let parsed = try #require(JSON.parse(Array(("{" + members.joined(separator: ",") + "}").utf8)))
        guard case .object(let object) = parsed else { Issue.record("not an object"); return }
        #expect(object.count == count)
        #expect(object.map(\.0) == (0..<count).map { "k\($0)" })
        #expect(object[1000].1 == -1 && object[1001].1 == 1001 && object[count - 1].1 == .int(count - 1))
    }

    @Test(arguments: ["{", "{\"a\":}", "nul", "[1,]", "\u{0}", "{\"a\":1}}", "01", "1.", "\"\\ud800\"", "\"a\u{1}\"", "{a:1}", "NaN"])
    func refusesBrokenJSON(_ text: String) {
        #expect(JSON.parse(Array(text.utf8)) == nil)
    }
}

@Suite struct DotEnvTests {
    @Test func readsCommentsQuotesAndExport() {
        let values = DotEnv.parse(
            """
            # comment
            export A=1
            B = "two words"
            C='single # not a comment'
            D=value # trailing comment
            broken line
            """)
        #expect(values == ["A": "1", "B": "two words", "C": "single # not a comment", "D": "value"])
    }
}

@Suite struct AppConfigTests {
    static let base = [
        "DATABASE_URL": "postgresql:///x", "WEB_APP_BASE_URL": "https://example.com/",
        "GUILDGATE_SECRET_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    ]

    @Test func aliasesOfOtherSetupsWork() throws {
        var settings = Self.base
        settings["DISCORD_TOKEN"] = "tok"
        settings["SERVER_ID"] = "1"
        settings["CHANNEL_ID"] = "2, 3"
        let config = try AppConfig(settings: settings)
        #expect(config.discordBotToken == "tok")
        #expect(config.discordGuildID == "1")
        #expect(config.discordStorageChannelIDs == ["2", "3"])
        #expect(config.webAppBaseURL == "https://example.com")
        #expect(config.discordRedirectURI == "https://example.com/api/discord/callback")
        #expect(config.usesHTTPS)
    }

    @Test func namesTheMissingSetting() {
        var settings = Self.base
        settings["DATABASE_URL"] = nil
        #expect(throws: ConfigError.missing("DATABASE_URL")) { try AppConfig(settings: settings) }
    }

    @Test func refusesAShortSecretKey() {
        var settings = Self.base
        settings["GUILDGATE_SECRET_KEY"] = "c2hvcnQ="
        #expect(throws: ConfigError.self) { try AppConfig(settings: settings) }
    }

    @Test func bypassAuthIsOnlyForASandboxOnLoopback() throws {
        var settings = Self.base
        settings["BYPASS_AUTH"] = "true"
        #expect(throws: ConfigError.self) { try AppConfig(settings: settings) }
        settings["DISCORD_API_BASE"] = "http://127.0.0.1:8099/api/v10"
        settings["DISCORD_OAUTH_AUTHORIZE_URL"] = "http://localhost:8099/oauth2/authorize"
        #expect(try AppConfig(settings: settings).bypassAuth)
        settings["DISCORD_GATEWAY_URL"] = "wss://gateway.discord.gg"
        #expect(throws: ConfigError.self) { try AppConfig(settings: settings) }
        settings["DISCORD_GATEWAY_URL"] = "ws://[::1]:8099/gateway"
        #expect(try AppConfig(settings: settings).bypassAuth)
        settings["DISCORD_API_BASE"] = "http://127.evil.example/api/v10"
        #expect(throws: ConfigError.self) { try AppConfig(settings: settings) }
    }

    @Test func discordIsReachedOverTLSUnlessItIsOnLoopback() throws {
        var settings = Self.base
        settings["DISCORD_API_BASE"] = "http://discord.com/api/v10"
        #expect(throws: ConfigError.invalid("DISCORD_API_BASE", reason: "must use https unless it points at loopback")) {
            try AppConfig(settings: settings)
        }
        settings["DISCORD_API_BASE"] = "http://127.0.0.1:9/api/v10/"
        #expect(try AppConfig(settings: settings).discordAPIBase == "http://127.0.0.1:9/api/v10")
        settings["DISCORD_GATEWAY_URL"] = "ws://gateway.discord.gg"
        #expect(throws: ConfigError.self) { try AppConfig(settings: settings) }
    }

    @Test func quotaAndRosterAccessHaveSafeDefaults() throws {
        var config = try AppConfig(settings: Self.base)
        #expect(config.userQuota == 10 << 30)
        #expect(config.rosterAccess == .members)
        #expect(!config.allowNonMembers)
        var settings = Self.base
        settings["GUILDGATE_USER_QUOTA"] = "0"
        settings["GUILDGATE_ROSTER_ACCESS"] = "Public"
        settings["GUILDGATE_ALLOW_NON_MEMBERS"] = "true"
        config = try AppConfig(settings: settings)
        #expect(config.userQuota == nil)
        #expect(config.rosterAccess == .public)
        #expect(config.allowNonMembers)
        settings["GUILDGATE_ROSTER_ACCESS"] = "everyone"
        #expect(throws: ConfigError.self) { try AppConfig(settings: settings) }
        settings["GUILDGATE_ROSTER_ACCESS"] = nil
        settings["GUILDGATE_USER_QUOTA"] = "-1"
        #expect(throws: ConfigError.self) { try AppConfig(settings: settings) }
    }

    @Test func eventsArePublishedOnNginxsUnixSocketOrALoopbackURLOnly() throws {
        #expect(try AppConfig(settings: Self.base).eventsPublishTarget == nil)
        var settings = Self.base
        settings["GUILDGATE_EVENTS_PUBLISH_URL"] = "unix:/run/guildgate/events.sock"
        let socket = try #require(try AppConfig(settings: settings).eventsPublishTarget)
        #expect(socket.unixSocket == "/run/guildgate/events.sock" && socket.url == "http://localhost/roster")
        settings["GUILDGATE_EVENTS_PUBLISH_URL"] = "http://127.0.0.1:8081/pub"
        let loopback = try #require(try AppConfig(settings: settings).eventsPublishTarget)
        #expect(loopback.url == "http://127.0.0.1:8081/pub" && loopback.unixSocket == nil)
        for refused in ["unix:events.sock", "http://example.org/pub", "https://127.0.0.1/pub"] {
            settings["GUILDGATE_EVENTS_PUBLISH_URL"] = refused
            #expect(throws: ConfigError.self, "\(refused)") { try AppConfig(settings: settings) }
        }
    }
}

@Suite struct PKCETests {
    /// RFC 7636 appendix B: the verifier's S256 challenge.
    @Test func theChallengeIsTheBase64URLSHA256OfTheVerifier() {
        let pkce = PKCE(state: "some-state", key: Array(repeating: 7, count: 32))
        #expect(pkce.verifier.count == 43)
        #expect(pkce.verifier.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(pkce.challenge.count == 43)
        #expect(PKCE(state: "some-state", key: Array(repeating: 7, count: 32)).verifier == pkce.verifier)
        #expect(PKCE(state: "other-state", key: Array(repeating: 7, count: 32)).verifier != pkce.verifier)
        #expect(PKCE(state: "some-state", key: Array(repeating: 8, count: 32)).verifier != pkce.verifier)
        #expect(PKCE.challenge(of: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }
}

@Suite struct RouterTests {
    @Test func matchesParametersAndReportsAllowedMethods() {
        var router = Router()
        router.get("/api/files/{id}", .member) { _, _ in .text("get") }
        router.delete("/api/files/{id}", .member, csrf: .header) { _, _ in .text("delete") }
        guard case .found(_, let parameters) = router.match(method: "GET", segments: ["api", "files", "7"]) else {
            Issue.record("no match")
            return
        }
        #expect(parameters == ["id": "7"])
        guard case .methodNotAllowed(let allowed) = router.match(method: "POST", segments: ["api", "files", "7"]) else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["GET", "DELETE"])
        guard case .notFound = router.match(method: "GET", segments: ["api", "files"]) else {
            Issue.record("expected 404")
            return
        }
        guard case .found = router.match(method: "HEAD", segments: ["api", "files", "1"]) else {
            Issue.record("HEAD should fall back to GET")
            return
        }
    }

    /// The route table: every state change says how it is protected against CSRF, and what strangers may
    /// reach is a short, known list.
    @Test func everyRouteDeclaresItsProtection() {
        let routes = Application.routes.routes
        #expect(routes.allSatisfy { ($0.method == "GET") == ($0.csrf == nil) })
        let open = routes.filter { $0.access == .anyone && $0.method != "GET" }.map { "\($0.method) \($0.pattern)" }
        #expect(Set(open) == ["POST /onboarding", "POST /api/user/onboarding", "POST /logout", "POST /admin/login"])
        // Onboarding changes no existing user; the sync API takes only a Discord bearer token and ignores cookies.
        #expect(
            routes.filter { $0.csrf == .notNeeded }.map(\.pattern)
                == ["/api/user/onboarding", "/api/sync/conversations", "/api/sync/conversations/{id}"])
    }
}

@Suite struct ValidationTests {
    @Test func collectsEveryFieldError() {
        #expect(
            throws: HTTPError.validation([
                FieldError("name", "is required"),
                FieldError("email", "must be an email address such as name@example.com"),
                FieldError("selectedPersonality", "must be one of: friendly, loving, professional, playful"),
                FieldError("communicationChannel", "must be one of: discord, email, web"),
            ])
        ) {
            try OnboardingRoutes.validate { ["name": " ", "email": "no-at-sign", "selectedPersonality": "grumpy"][$0] }
        }
    }

    @Test func acceptsAndTrimsValidInput() throws {
        let input = try OnboardingRoutes.validate {
            ["name": "  Ann  ", "email": "ann@example.com", "selectedPersonality": "loving", "communicationChannel": "discord"][$0]
        }
        #expect(input.name == "Ann")
        #expect(input.personality == "loving")
    }

    @Test(arguments: ["/", "/files?x=1", "/staff/roster"])
    func followsLocalPaths(_ path: String) {
        #expect(DiscordAuthRoutes.localPath(path) == path)
    }

    @Test(arguments: ["//evil.example", "https://evil.example", "/\\evil.example", "evil", "/a\nb"])
    func refusesOpenRedirects(_ path: String) {
        #expect(DiscordAuthRoutes.localPath(path) == "/")
    }
}

@Suite struct SecretsTests {
    @Test func tokensAreUniqueAndURLSafe() {
        let tokens = Set((0..<100).map { _ in Secrets.randomToken() })
        #expect(tokens.count == 100)
        #expect(tokens.allSatisfy { $0.count == 43 && !$0.contains("+") && !$0.contains("/") && !$0.contains("=") })
    }

    @Test func passwordHashesVerifyOnlyTheRightPassword() throws {
        let hash = try PasswordHasher.hash("correct horse")
        #expect(hash.hasPrefix("scrypt$"))
        #expect(PasswordHasher.verify("correct horse", against: hash))
        #expect(!PasswordHasher.verify("correct horsE", against: hash))
        #expect(!PasswordHasher.verify("correct horse", against: "scrypt$garbage"))
    }
}

import Foundation
import GuildGateTesting
import Testing

extension EndToEnd {
    /// discord-sandbox itself, spoken to over HTTP and WebSocket as any client would: each test checks one
    /// row of docs/SANDBOX.md's fidelity table, i.e. that the sandbox answers in Discord's documented shape.
    @Suite struct SandboxFidelity {
        static let botHeaders = ["Authorization": "Bot sandbox-bot-token", "User-Agent": "DiscordBot (https://guildgate.test, 1)"]
        static let identify = #"{"token":"sandbox-bot-token","intents":37635,"properties":{"os":"linux","browser":"test","device":"test"}}"#

        let stack: TestStack
        let sandbox: SandboxControl
        let api: Browser
        let gatewayURL: String

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            api = Browser(baseURL: stack.sandboxURL + "/api/v10")
            gatewayURL = try #require(try api.get("/gateway/bot", headers: Self.botHeaders).json?["url"] as? String)
        }

        /// A connection on the gateway URL, identified: returns it with READY's `d`.
        func session() throws -> (RawWebSocket, [String: Any]) {
            let socket = try RawWebSocket(url: gatewayURL + "/?v=10&encoding=json")
            #expect(socket.payload()?["op"] as? Int == 10)
            socket.send(op: 2, Self.identify)
            let ready = try #require(socket.dispatch("READY")?["d"] as? [String: Any])
            return (socket, ready)
        }

        @Test func gatewayURLsHaveNoPathAndTheGatewayIsAtSlash() throws {
            let port = try #require(URLComponents(string: stack.sandboxURL)?.port)
            #expect(gatewayURL == "ws://127.0.0.1:\(port)")
            #expect(try api.get("/gateway", headers: Self.botHeaders).json?["url"] as? String == gatewayURL)
            let bot = try #require(try api.get("/gateway/bot", headers: Self.botHeaders).json)
            let limit = try #require(bot["session_start_limit"] as? [String: Any])
            #expect(bot["shards"] as? Int == 1 && limit["max_concurrency"] as? Int == 1 && limit["reset_after"] is Int)

            // A client that appends the query to the bare URL sends an empty path: no gateway there, nor at /gateway.
            #expect(throws: RawWebSocket.UpgradeRefused.self) { try RawWebSocket(url: gatewayURL + "?v=10&encoding=json") }
            #expect(throws: RawWebSocket.UpgradeRefused.self) { try RawWebSocket(url: gatewayURL + "/gateway?v=10&encoding=json") }
            #expect(try RawWebSocket(url: gatewayURL + "/?v=9&encoding=json").closeCode() == 4012)
            #expect(try RawWebSocket(url: gatewayURL + "/?v=10&encoding=etf").closeCode() == 4002)
            #expect(try RawWebSocket(url: gatewayURL + "/?v=10").closeCode() == 4002)

            let hello = try #require(try RawWebSocket(url: gatewayURL + "/?v=10&encoding=json").payload())
            #expect(hello["op"] as? Int == 10)
            #expect((hello["d"] as? [String: Any])?["heartbeat_interval"] is Int)
            #expect(hello["s"] is NSNull && hello["t"] is NSNull)
        }

        @Test func readyHandsOutAResumeURLOnAnotherPortThatOnlyResumes() throws {
            let (socket, ready) = try session()
            let resumeURL = try #require(ready["resume_gateway_url"] as? String)
            #expect(resumeURL.wholeMatch(of: /ws:\/\/127\.0\.0\.1:[0-9]+/) != nil, "\(resumeURL)")
            #expect(resumeURL != gatewayURL)
            #expect(ready["v"] as? Int == 10)
            #expect((ready["user"] as? [String: Any])?["id"] is String)
            #expect((ready["application"] as? [String: Any])?["flags"] is Int)
            let guilds = try #require(ready["guilds"] as? [[String: Any]])
            #expect(guilds.count == 1 && guilds[0]["id"] is String && guilds[0]["unavailable"] as? Bool == true)
            let created = try #require(socket.dispatch("GUILD_CREATE"))
            let sequence = try #require(created["s"] as? Int)
            let sessionID = try #require(ready["session_id"] as? String)

            // A gateway host serves no REST, and IDENTIFY on the resume URL is refused.
            #expect(
                try Browser(baseURL: resumeURL.replacingOccurrences(of: "ws://", with: "http://")).get("/api/v10/gateway").status == 404)
            let identifying = try RawWebSocket(url: resumeURL + "/?v=10&encoding=json")
            #expect(identifying.payload()?["op"] as? Int == 10)
            identifying.send(op: 2, Self.identify)
            #expect(identifying.closeCode() == 4000)

            let resuming = try RawWebSocket(url: resumeURL + "/?v=10&encoding=json")
            #expect(resuming.payload()?["op"] as? Int == 10)
            resuming.send(op: 6, #"{"token":"sandbox-bot-token","session_id":"\#(sessionID)","seq":\#(sequence)}"#)
            #expect(resuming.dispatch("RESUMED")?["s"] as? Int == sequence + 1)
            let opened = try sandbox.gatewaySessions()["connections_opened"] as? [String: Int]
            #expect(opened == ["gateway": 1, "resume": 2])
        }

        @Test func opOneAsksForAHeartbeatThatIsAnsweredAtOnce() throws {
            let (socket, _) = try session()
            _ = socket.dispatch("GUILD_CREATE")
            try sandbox.send("POST", "/_sandbox/gateway/heartbeat-request", json: "{}")
            let request = try #require(socket.payload())
            #expect(request["op"] as? Int == 1)
            socket.send(op: 1, "2")
            #expect(socket.payload()?["op"] as? Int == 11)
            let sessions = try sandbox.gatewaySessions()
            #expect(sessions["heartbeat_requests"] as? Int == 1 && sessions["heartbeat_answers"] as? Int == 1, "\(sessions)")
        }

        @Test func invalidSessionSaysWhetherTheSessionCanBeResumed() throws {
            let (socket, _) = try session()
            _ = socket.dispatch("GUILD_CREATE")
            try sandbox.send("POST", "/_sandbox/gateway/invalidate", json: #"{"resumable":true}"#)
            let resumable = try #require(socket.payload())
            #expect(resumable["op"] as? Int == 9 && resumable["d"] as? Bool == true)
            try sandbox.send("POST", "/_sandbox/gateway/invalidate", json: #"{"resumable":false}"#)
            let ended = try #require(socket.payload())
            #expect(ended["op"] as? Int == 9 && ended["d"] as? Bool == false)
        }

        @Test func oneIdentifyPerFiveSecondsAsMaxConcurrencySays() throws {
            let limit = {
                try #require(try api.get("/gateway/bot", headers: Self.botHeaders).json?["session_start_limit"] as? [String: Any])
            }
            #expect(try limit()["remaining"] as? Int == 1000)
            _ = try session()
            #expect(try limit()["remaining"] as? Int == 999)
            let early = try RawWebSocket(url: gatewayURL + "/?v=10&encoding=json")
            #expect(early.payload()?["op"] as? Int == 10)
            early.send(op: 2, Self.identify)
            let refused = try #require(early.payload())
            #expect(refused["op"] as? Int == 9 && refused["d"] as? Bool == false, "\(refused)")
            let sessions = try sandbox.gatewaySessions()
            #expect(sessions["identifies"] as? Int == 1 && sessions["identifies_refused"] as? Int == 1, "\(sessions)")
        }

        /// IDENTIFY as `shard` of `count` on a new connection; returns the connection after HELLO.
        func identify(shard: Int, of count: Int?) throws -> RawWebSocket {
            let socket = try RawWebSocket(url: gatewayURL + "/?v=10&encoding=json")
            #expect(socket.payload()?["op"] as? Int == 10)
            let field = count.map { #","shard":[\#(shard),\#($0)]"# } ?? ""
            socket.send(op: 2, String(Self.identify.dropLast()) + field + "}")
            return socket
        }

        @Test func shardsIdentifyOncePerRateLimitBucketWindowAndMustBeInRange() throws {
            try sandbox.configureGateway(#"{"shards":2,"max_concurrency":2}"#)
            let bot = try #require(try api.get("/gateway/bot", headers: Self.botHeaders).json)
            #expect(bot["shards"] as? Int == 2 && (bot["session_start_limit"] as? [String: Any])?["max_concurrency"] as? Int == 2)

            // Buckets 0 and 1 (shard_id % max_concurrency) start a session each at once; bucket 0 again is too soon.
            let zero = try identify(shard: 0, of: 2)
            #expect(zero.dispatch("READY") != nil)
            let one = try identify(shard: 1, of: 2)
            let ready = try #require(one.dispatch("READY")?["d"] as? [String: Any])
            #expect(ready["shard"] as? [Int] == [1, 2])
            let again = try identify(shard: 0, of: 2)
            let refused = try #require(again.payload())
            #expect(refused["op"] as? Int == 9 && refused["d"] as? Bool == false, "\(refused)")

            #expect(try identify(shard: 0, of: nil).closeCode() == 4011, "no shard while GET /gateway/bot says 2")
            #expect(try identify(shard: 0, of: 1).closeCode() == 4011, "fewer shards than GET /gateway/bot says")
            #expect(try identify(shard: 2, of: 2).closeCode() == 4010, "a shard id out of range")
            let sessions = try sandbox.gatewaySessions()
            #expect(sessions["identifies"] as? Int == 2 && sessions["identifies_refused"] as? Int == 1, "\(sessions)")
        }

        @Test func aResumeOfAnUnknownOrExpiredSessionIsInvalid() throws {
            try sandbox.configureGateway(#"{"resume_window_ms":200}"#)
            let (socket, ready) = try session()
            let sessionID = try #require(ready["session_id"] as? String)
            let resumeURL = try #require(ready["resume_gateway_url"] as? String)
            func resume(_ id: String) throws -> [String: Any]? {
                let resuming = try RawWebSocket(url: resumeURL + "/?v=10&encoding=json")
                #expect(resuming.payload()?["op"] as? Int == 10)
                resuming.send(op: 6, #"{"token":"sandbox-bot-token","session_id":"\#(id)","seq":1}"#)
                return resuming.payload()
            }
            #expect(try resume("0123456789abcdef0123456789abcdef")?["d"] as? Bool == false)
            try sandbox.dropGateway(code: nil)
            _ = socket.closeCode()
            let expired = poll(timeout: 3) {
                let sessions = try sandbox.gatewaySessions()["sessions"] as? [[String: Any]] ?? []
                return !sessions.contains { $0["session_id"] as? String == sessionID }
            }
            #expect(expired, "the session outlived its resume window")
            #expect(try resume(sessionID)?["d"] as? Bool == false, "a session past its resume window was resumed")
        }

        @Test func anOutageMakesTheGuildUnavailableUntilItEnds() throws {
            try sandbox.configureGateway(#"{"identify_window_ms":0}"#)
            try sandbox.addMember(id: "500000000000000101", username: "ann", status: "online")
            let (live, _) = try session()
            let guildID = try #require(live.dispatch("GUILD_CREATE").flatMap { $0["d"] as? [String: Any] }?["id"] as? String)
            try sandbox.send("PUT", "/_sandbox/guild/outage", json: #"{"unavailable":true}"#)
            let deleted = try #require(live.dispatch("GUILD_DELETE")?["d"] as? [String: Any])
            #expect(deleted["id"] as? String == guildID && deleted["unavailable"] as? Bool == true)

            let (connecting, _) = try session()
            let unavailable = try #require(connecting.dispatch("GUILD_CREATE")?["d"] as? [String: Any])
            #expect(unavailable.count == 2 && unavailable["unavailable"] as? Bool == true, "\(unavailable)")

            try sandbox.send("PUT", "/_sandbox/guild/outage", json: #"{"unavailable":false}"#)
            for socket in [live, connecting] {
                let guild = try #require(socket.dispatch("GUILD_CREATE")?["d"] as? [String: Any])
                #expect(guild["unavailable"] as? Bool == false)
                let members = guild["members"] as? [[String: Any]] ?? []
                let ann = try #require(members.first { ($0["user"] as? [String: Any])?["id"] as? String == "500000000000000101" })
                #expect(ann["nick"] is NSNull && ann["banner"] is NSNull && ann["communication_disabled_until"] is NSNull, "\(ann)")
            }
        }

        @Test(arguments: [
            ("user", "You are being rate limited."), ("shared", "The resource is being rate limited."),
            ("global", "You are being rate limited."),
        ])
        func tooManyRequestsHaveDiscordsHeadersAndBody(scope: String, message: String) throws {
            let ok = try api.get("/gateway/bot", headers: Self.botHeaders)
            #expect(ok.headers["x-ratelimit-reset-after"]?.wholeMatch(of: /[0-9]+\.[0-9]{3}/) != nil, "\(ok.headers)")
            #expect(ok.headers["x-ratelimit-reset"]?.wholeMatch(of: /[0-9]+\.[0-9]{3}/) != nil, "\(ok.headers)")

            try sandbox.send(
                "POST", "/_sandbox/faults", json: #"{"path":"/gateway/bot","kind":"ratelimit","delay_ms":1250,"scope":"\#(scope)"}"#)
            let limited = try api.get("/gateway/bot", headers: Self.botHeaders)
            #expect(limited.status == 429)
            #expect(limited.headers["x-ratelimit-scope"] == scope)
            #expect(limited.headers["retry-after"] == "2")
            #expect(limited.headers["x-ratelimit-global"] == (scope == "global" ? "true" : nil))
            if scope != "global" { #expect(limited.headers["x-ratelimit-reset-after"] == "1.250") }
            let body = try #require(limited.json)
            #expect(body["message"] as? String == message)
            #expect(body["retry_after"] as? Double == 1.25)
            #expect(body["global"] as? Bool == (scope == "global"))
        }

        @Test func errorsAreMessageAndCodeWithNestedFieldErrors() throws {
            let unknown = try api.get("/channels/1/messages/1", headers: Self.botHeaders)
            #expect(unknown.status == 404)
            #expect(unknown.json?["message"] as? String == "Unknown Channel" && unknown.json?["code"] as? Int == 10003)

            let clientID = try #require(stack.settings["DISCORD_CLIENT_ID"])
            let invalid = try api.send(
                "PUT", "/applications/\(clientID)/commands",
                headers: Self.botHeaders.merging(["Content-Type": "application/json"]) { $1 },
                body: Array(#"[{"name":"help","description":"x","type":9}]"#.utf8))
            #expect(invalid.status == 400)
            let body = try #require(invalid.json)
            #expect(body["code"] as? Int == 50035 && body["message"] as? String == "Invalid Form Body")
            let errors =
                (((body["errors"] as? [String: Any])?["0"] as? [String: Any])?["type"] as? [String: Any])?["_errors"] as? [[String: Any]]
            #expect(errors?.first?["code"] as? String == "BASE_TYPE_CHOICES" && errors?.first?["message"] is String, "\(body)")
        }

        @Test func guildMembersAndInteractionsAnswerWithDiscordsErrorCodes() throws {
            let guildID = try #require(stack.settings["DISCORD_GUILD_ID"])
            try sandbox.addMember(id: "500000000000000201", username: "cid")
            #expect(try api.get("/guilds/\(guildID)/members/500000000000000201", headers: Self.botHeaders).status == 200)
            let notMember = try api.get("/guilds/\(guildID)/members/500000000000000202", headers: Self.botHeaders)
            #expect(
                notMember.status == 404 && notMember.json?["code"] as? Int == 10007
                    && notMember.json?["message"] as? String == "Unknown Member")
            let otherGuild = try api.get("/guilds/1/members/500000000000000201", headers: Self.botHeaders)
            #expect(otherGuild.status == 404 && otherGuild.json?["code"] as? Int == 10004)
            let notSnowflake = try api.get("/guilds/\(guildID)/members/ann", headers: Self.botHeaders)
            #expect(notSnowflake.json?["code"] as? Int == 50035)
            #expect(
                ((notSnowflake.json?["errors"] as? [String: Any])?["user_id"] as? [String: Any])?["_errors"] is [Any],
                "\(notSnowflake.body)")

            let clientID = try #require(stack.settings["DISCORD_CLIENT_ID"])
            let json = Self.botHeaders.merging(["Content-Type": "application/json"]) { $1 }
            #expect(
                try api.send(
                    "PUT", "/applications/\(clientID)/commands", headers: json,
                    body: Array(#"[{"name":"help","description":"What I can do","type":1}]"#.utf8)
                ).status == 200)
            let started = try sandbox.browser.send(
                "POST", "/_sandbox/interactions", headers: ["Content-Type": "application/json"],
                body: Array(#"{"user_id":"500000000000000201","command":"help"}"#.utf8))
            let id = try #require(started.json?["id"] as? String, "\(started.status) \(started.body)")
            let token = try #require(started.json?["token"] as? String)
            let answer = Array(#"{"type":4,"data":{"content":"hi","flags":64}}"#.utf8)
            let noAuth = ["User-Agent": "DiscordBot (https://guildgate.test, 1)", "Content-Type": "application/json"]
            #expect(try api.send("POST", "/interactions/\(id)/\(token)/callback", headers: noAuth, body: answer).status == 204)
            let again = try api.send("POST", "/interactions/\(id)/\(token)/callback", headers: noAuth, body: answer)
            #expect(again.status == 400 && again.json?["code"] as? Int == 40060, "\(again.body)")
            let unknown = try api.send("POST", "/interactions/1/\(token)/callback", headers: noAuth, body: answer)
            #expect(unknown.status == 404 && unknown.json?["code"] as? Int == 10062, "\(unknown.body)")
        }

        @Test func messagesHaveStringSnowflakesNullsAndSignedAttachmentURLs() throws {
            let channel = try #require(stack.settings["DISCORD_STORAGE_CHANNEL_IDS"]?.split(separator: ",").first.map(String.init))
            let boundary = "fidelity-boundary"
            let body = Array(
                """
                --\(boundary)\r
                Content-Disposition: form-data; name="files[0]"; filename="part.bin"\r
                Content-Type: application/octet-stream\r
                \r
                hello\r
                --\(boundary)\r
                Content-Disposition: form-data; name="payload_json"\r
                Content-Type: application/json\r
                \r
                {"content":"","attachments":[{"id":0,"filename":"part.bin"}]}\r
                --\(boundary)--\r

                """.utf8)
            let created = try api.send(
                "POST", "/channels/\(channel)/messages",
                headers: Self.botHeaders.merging(["Content-Type": "multipart/form-data; boundary=\(boundary)"]) { $1 }, body: body)
            #expect(created.status == 200, "\(created.body)")
            let message = try #require(created.json)
            #expect(message["id"] is String && message["channel_id"] as? String == channel)
            #expect(message["edited_timestamp"] is NSNull)
            let author = try #require(message["author"] as? [String: Any])
            #expect(author["id"] is String && author["global_name"] is NSNull && author["avatar"] is NSNull)
            let attachment = try #require((message["attachments"] as? [[String: Any]])?.first)
            #expect(attachment["id"] is String && attachment["size"] as? Int == 5)
            let url = try #require(attachment["url"] as? String)
            #expect(url.contains(/\/attachments\/[0-9]+\/[0-9]+\/part\.bin\?ex=[0-9a-f]{8}&is=[0-9a-f]{8}&hm=[0-9a-f]{64}&$/), "\(url)")
        }
    }
}

@testable import DevStack
import Foundation
import GuildGateTesting
import Testing

extension EndToEnd {
    /// Metrics and request ids through the real processes: guildgate-web's `/metrics` behind nginx, the bot's
    /// loopback listener, and one request's id in nginx's answer and in guildgate-web's log lines.
    @Suite struct Signals {
        let stack: TestStack
        let sandbox: SandboxControl
        let browser: Browser

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            browser = Browser(baseURL: stack.webURL)
        }

        @Test func webMetricsThroughNginxAnswerOnlyTheAPIToken() throws {
            let token = try #require(stack.settings["GUILDGATE_API_TOKEN"])
            // The browser's address is loopback (127.0.0.x): through nginx that opens nothing.
            for headers in [[:], ["Authorization": "Bearer wrong"], ["Authorization": "Basic \(Data(token.utf8).base64EncodedString())"]] {
                let refused = try browser.get("/metrics", headers: headers)
                #expect(refused.status == 401, "\(headers) got \(refused.status)")
                #expect(!refused.body.contains("guildgate_"))
            }
            _ = try browser.get("/healthz")
            let served = try browser.get("/metrics", headers: ["Authorization": "Bearer \(token)"])
            #expect(served.status == 200)
            let scrape = MetricsScrape(served.body)
            #expect(scrape.value(of: #"guildgate_http_requests_total{method="GET",route="/healthz",status="200"}"#) ?? 0 >= 1)
        }

        @Test func fileBytesUploadedAndDownloadedAreCounted() throws {
            let bearer = ["Authorization": "Bearer \(try #require(stack.settings["GUILDGATE_API_TOKEN"]))"]
            func scrape() throws -> MetricsScrape { MetricsScrape(try browser.get("/metrics", headers: bearer).body) }
            let (uploaded, downloaded) = ("guildgate_file_upload_bytes_total", "guildgate_file_download_bytes_total")
            let before = try scrape()
            let bytes = FileStorage.randomBytes(300_000)
            let created = try EndToEnd.uploadFile(browser, bytes, name: "counted.bin", headers: bearer)
            let id = try #require(created.json?["id"] as? Int, "\(created.body)")
            #expect(try browser.get("/api/files/\(id)/content", headers: bearer).bytes == bytes)
            #expect(try browser.get("/api/files/\(id)/content", headers: bearer.merging(["Range": "bytes=0-99"]) { $1 }).status == 206)

            let after = try scrape()
            #expect((after.value(of: uploaded) ?? 0) - (before.value(of: uploaded) ?? 0) == 300_000)
            #expect((after.value(of: downloaded) ?? 0) - (before.value(of: downloaded) ?? 0) == 300_100)
        }

        @Test func oneRequestsIDIsInItsResponseItsLogLinesAndNginxsAccessLog() throws {
            let page = try browser.get("/api/discord/callback?error=access_denied")
            #expect(page.status == 302)
            let id = try #require(page.headers["x-request-id"])
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit), "not nginx's $request_id: \(id)")
            #expect(
                poll(timeout: 5) {
                    stack.webLog.split(separator: "\n").contains { $0.contains("discord callback failed") && $0.contains(id) }
                },
                "no log line of guildgate-web has the id \(id)")
            let accessLog = stack.directory + "/logs/nginx-access.log"
            #expect(poll(timeout: 5) { ((try? String(contentsOfFile: accessLog, encoding: .utf8)) ?? "").contains(" \(id)\n") })
        }

        @Test func theBotsMetricsListenerShowsTheGatewayAndPresenceEvents() throws {
            let port = try PortProbe.freePort()
            let bot = try BotProcess(stack: stack, overrides: ["GUILDGATE_BOT_METRICS_PORT": "\(port)", "LOG_FORMAT": "json"])
            #expect(bot.waitUntilReady(), "the bot never became ready: \(bot.errorOutput.suffix(2000))")
            #expect(Self.listeningAddress(port: port) == "0100007F", "the listener is not bound to 127.0.0.1 alone")

            let metrics = Browser(baseURL: "http://127.0.0.1:\(port)")
            func scrape() throws -> MetricsScrape { MetricsScrape(try metrics.get("/metrics").body) }
            let connected = #"guildgate_discord_gateway_state{state="connected"}"#
            #expect(poll(timeout: 5) { try scrape().value(of: connected) == 1 })
            #expect(try scrape().value(of: #"guildgate_discord_gateway_state{state="connecting"}"#) == 0)
            let before = try scrape().value(of: "guildgate_presence_events_total") ?? 0
            try sandbox.addMember(id: "500000000000000077", username: "signals")
            for status in ["online", "idle", "dnd"] {
                try sandbox.pushPresence(userID: "500000000000000077", status: status)
            }
            #expect(poll(timeout: 5) { try scrape().value(of: "guildgate_presence_events_total") ?? 0 >= before + 3 })
            #expect(try metrics.get("/anything-else").status == 404)

            // LOG_FORMAT=json: every line the bot wrote, to its last on the way out, is one JSON object.
            bot.signal(SIGTERM)
            #expect(bot.waitForExit(timeout: 15) == 0)
            let lines = bot.errorOutput.split(separator: "\n")
            #expect(lines.count > 3)
            for line in lines {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["message"] is String && object?["label"] is String, "not a JSON log line: \(line)")
            }
        }

        @Test func withJSONLogsEvenPostgreSQLsNoticesAreJSONLines() throws {
            // A second migrate gets the server's NOTICE that schema_migrations exists, which libpq would write
            // to stderr as it is.
            let migrate = try WebProcess(stack: stack, arguments: ["migrate"], overrides: ["LOG_FORMAT": "json"])
            #expect(migrate.waitForExit(timeout: 30) == 0)
            let lines = migrate.errorOutput.split(separator: "\n")
            #expect(lines.contains { $0.contains("already exists, skipping") })
            for line in lines {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["message"] is String, "not a JSON log line: \(line)")
            }
        }

        /// The local address (hex, as /proc/net/tcp writes it) of the socket listening on `port`.
        static func listeningAddress(port: Int) -> String? {
            let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
            let suffix = String(format: ":%04X", port)
            for line in table.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 3, fields[1].hasSuffix(suffix), fields[3] == "0A" else { continue }
                return String(fields[1].dropLast(suffix.count))
            }
            return nil
        }
    }
}

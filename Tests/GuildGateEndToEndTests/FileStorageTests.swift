import Crypto
import Foundation
import GuildGateTesting
@testable import Handlers
import Store
import Testing
@testable import GuildGateCore
import WireFormats

extension EndToEnd {
    /// Files stored on the sandbox's Discord through nginx and guildgate-web, read back, expired, faulted.
    @Suite struct FileStorage {
        static let partSize = PartLayout(attachmentLimit: 10_485_760).plainPartSize

        let stack: TestStack
        let sandbox: SandboxControl
        let owner: Browser
        let csrf: String

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            try sandbox.send("PUT", "/_sandbox/ratelimits", json: #"{"enabled":false}"#)
            (owner, csrf) = try EndToEnd.logIn(stack, sandbox, username: "file_owner")
        }

        static func randomBytes(_ count: Int) -> [UInt8] {
            var generator = SystemRandomNumberGenerator()
            var bytes = [UInt8](repeating: 0, count: count)
            var index = 0
            while index < count {
                withUnsafeBytes(of: generator.next()) { word in
                    for byte in word where index < count {
                        bytes[index] = byte
                        index += 1
                    }
                }
            }
            return bytes
        }

        static func multipart(_ bytes: [UInt8], name: String, boundary: String = "gg-test-boundary") -> [UInt8] {
            Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .utf8)
                + bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        }

        func upload(_ bytes: [UInt8], name: String = "data.bin", as browser: Browser? = nil, token: String? = nil) throws -> Page {
            try EndToEnd.uploadFile(browser ?? owner, bytes, name: name, headers: ["X-CSRF-Token": token ?? csrf])
        }

        func storedMessages() throws -> [[String: Any]] {
            try stack.settings["DISCORD_STORAGE_CHANNEL_IDS", default: ""].split(separator: ",").flatMap { channel in
                let page = try sandbox.browser.get("/_sandbox/channels/\(channel)/messages")
                return (try? JSONSerialization.jsonObject(with: Data(page.bytes)) as? [[String: Any]]) ?? []
            }
        }

        @Test(arguments: [0, 1, partSize - 1, partSize, partSize + 1, 2 * partSize + 1])
        func filesRoundTripByteForByte(size: Int) throws {
            let bytes = Self.randomBytes(size)
            let created = try upload(bytes, name: "size-\(size).bin")
            #expect(created.status == 201, "\(created.body)")
            let file = try #require(created.json)
            let id = try #require(file["id"] as? Int)
            #expect(file["size"] as? Int == size)
            #expect(file["parts"] as? Int == max(1, (size + Self.partSize - 1) / Self.partSize))
            #expect(file["sha256"] as? String == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())

            let download = try owner.get("/api/files/\(id)/content")
            #expect(download.status == 200)
            #expect(download.bytes == bytes)
            #expect(download.headers["content-length"] == String(size))
            #expect(
                download.headers["content-disposition"] == "attachment; filename=\"size-\(size).bin\"; filename*=UTF-8''size-\(size).bin")
            #expect(download.headers["etag"] == "\"\(file["sha256"] as? String ?? "")\"")
        }

        @Test func twentyFiveMebibytesRoundTripAndAreNotStoredInPlaintext() throws {
            let bytes = Self.randomBytes(25 << 20)
            let created = try upload(bytes, name: "big.bin")
            #expect(created.status == 201, "\(created.body)")
            let id = try #require(created.json?["id"] as? Int)
            #expect(try owner.get("/api/files/\(id)/content").bytes == bytes)

            let messages = try storedMessages().filter { ($0["content"] as? String)?.hasPrefix("guildgate file \(id) ") == true }
            #expect(!messages.isEmpty)
            let probe = Array(bytes[1000..<1064])
            for message in messages {
                for attachment in message["attachments"] as? [[String: Any]] ?? [] {
                    let raw = try sandbox.browser.get(
                        "/_sandbox/channels/\(message["channel_id"] as? String ?? "")/attachments/\(attachment["id"] as? String ?? "")/raw")
                    #expect(raw.status == 200)
                    #expect(raw.bytes.count > 0)
                    #expect(!raw.bytes.starts(with: bytes[0..<64]))
                    #expect(raw.bytes.firstRange(of: probe) == nil, "plaintext found in a stored attachment")
                }
            }
        }

        @Test func rangesHeadAndConditionalRequests() throws {
            let bytes = Self.randomBytes(Self.partSize + 5000)
            let id = try #require(try upload(bytes).json?["id"] as? Int)
            let path = "/api/files/\(id)/content"
            let head = try owner.send("HEAD", path, body: [])
            #expect(head.status == 200)
            #expect(head.bytes.isEmpty)
            #expect(head.headers["accept-ranges"] == "bytes")

            let slice = try owner.get(path, headers: ["Range": "bytes=5-20"])
            #expect(slice.status == 206)
            #expect(slice.bytes == Array(bytes[5...20]))
            #expect(slice.headers["content-range"] == "bytes 5-20/\(bytes.count)")
            let across = try owner.get(path, headers: ["Range": "bytes=\(Self.partSize - 7)-\(Self.partSize + 7)"])
            #expect(across.bytes == Array(bytes[(Self.partSize - 7)...(Self.partSize + 7)]))
            let suffix = try owner.get(path, headers: ["Range": "bytes=-10"])
            #expect(suffix.bytes == Array(bytes.suffix(10)))
            let outside = try owner.get(path, headers: ["Range": "bytes=\(bytes.count)-"])
            #expect(outside.status == 416)
            #expect(outside.headers["content-range"] == "bytes */\(bytes.count)")
            let etag = try #require(head.headers["etag"])
            #expect(try owner.get(path, headers: ["If-None-Match": etag]).status == 304)
            #expect(try owner.get(path, headers: ["Range": "bytes=0-0", "If-Range": "\"other\""]).status == 200)
        }

        @Test func downloadsSurviveExpiredAttachmentURLs() throws {
            let bytes = Self.randomBytes(2 * Self.partSize + 3)
            let id = try #require(try upload(bytes).json?["id"] as? Int)
            #expect(try owner.get("/api/files/\(id)/content").bytes == bytes)  // caches the signed URLs
            try sandbox.send("POST", "/_sandbox/cdn/expire", json: "{}")
            #expect(try owner.get("/api/files/\(id)/content").bytes == bytes)
            try sandbox.send("PUT", "/_sandbox/cdn/ttl", json: #"{"seconds":-1}"#)
            try sandbox.send("POST", "/_sandbox/cdn/expire", json: "{}")
            let expired = try? owner.get("/api/files/\(id)/content")
            #expect((expired?.bytes.count ?? 0) < bytes.count, "served the file although every URL the CDN hands out is expired")
        }

        @Test func anUploadCompletesThroughInjectedFailures() throws {
            try sandbox.send("PUT", "/_sandbox/ratelimits", json: #"{"enabled":true}"#)
            for (kind, extra) in [("status", #","status":503"#), ("ratelimit", ""), ("reset", "")] {
                try sandbox.send(
                    "POST", "/_sandbox/faults",
                    json: #"{"method":"POST","path":"/api/v10/channels/{id}/messages","kind":"\#(kind)"\#(extra),"probability":0.07}"#)
            }
            let bytes = Self.randomBytes(5 * Self.partSize)
            let created = try upload(bytes)
            #expect(created.status == 201, "\(created.body)")
            try sandbox.send("DELETE", "/_sandbox/faults", json: "{}")
            let id = try #require(created.json?["id"] as? Int)
            #expect(try owner.get("/api/files/\(id)/content").bytes == bytes)
            let limits = try sandbox.browser.get("/_sandbox/ratelimits").json ?? [:]
            #expect(limits["limited_requests"] as? Int ?? 0 == 0, "the uploader ran into Discord's own limits: \(limits)")
        }

        @Test func theFilesPageUploadsThroughItsFormAndListsTheFile() throws {
            let body =
                Array("--gg-test-boundary\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(csrf)\r\n".utf8)
                + Self.multipart(Array("hello".utf8), name: "from-the-form.txt")
            let posted = try owner.send(
                "POST", "/files", headers: ["Content-Type": "multipart/form-data; boundary=gg-test-boundary"], body: body)
            #expect(posted.status == 303)
            #expect(posted.location == "/files")
            let page = try owner.get("/files")
            #expect(page.body.contains("from-the-form.txt"))
            #expect(page.body.contains("/download"))
            let forged =
                Array("--gg-test-boundary\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nforged\r\n".utf8)
                + Self.multipart(Array("x".utf8), name: "forged.txt")
            #expect(
                try owner.send("POST", "/files", headers: ["Content-Type": "multipart/form-data; boundary=gg-test-boundary"], body: forged)
                    .status == 403)
            #expect(try Browser(baseURL: stack.webURL).get("/files").location == "/login?next=/files")

            // The page's script comes from /scripts/, so the policy allows no inline script.
            #expect(page.body.contains("<script src=\"/scripts/files.js\" defer></script>"))
            let policy = try #require(page.headers["content-security-policy"])
            let scriptSources = policy.split(separator: ";").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("script-src") }
            #expect(scriptSources?.trimmingCharacters(in: .whitespaces) == "script-src 'self'")
            let script = try owner.get("/scripts/files.js")
            #expect(script.status == 200)
            #expect(script.headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(script.body.contains("upload-form"))
            #expect(try owner.get("/scripts/nope.js").status == 404)
            #expect(try owner.get("/scripts/..%2Flayout.mustache").status == 404)
        }

        @Test func smallPartsPostedToSeveralChannelsAtOnceRoundTrip() throws {
            // A web process with 100 kB attachments (ten parts per message) posting three messages at once.
            let web = try WebProcess(stack: stack, overrides: ["DISCORD_ATTACHMENT_LIMIT": "100000", "GUILDGATE_UPLOAD_PARALLELISM": "3"])
            #expect(web.waitUntilServing())
            let bytes = Self.randomBytes(3_000_123)
            let reply = try #require(
                RawFastCGI.call(
                    socketPath: web.socketPath, "POST", "/api/files",
                    headers: [
                        "Content-Type": "multipart/form-data; boundary=gg-test-boundary",
                        "Authorization": "Bearer \(stack.settings["GUILDGATE_API_TOKEN"] ?? "")",
                    ], body: Self.multipart(bytes, name: "parallel.bin"), timeout: 60))
            #expect(reply.status == 201, "\(reply.text.prefix(400))")
            let file = try #require(reply.json)
            let id = try #require(file["id"] as? Int)
            #expect(
                file["parts"] as? Int == (bytes.count + FileCipher.plainPartSize(attachmentLimit: 100_000) - 1)
                    / FileCipher.plainPartSize(attachmentLimit: 100_000))
            let channels = Set(
                try storedMessages().filter { ($0["content"] as? String)?.hasPrefix("guildgate file \(id) ") == true }
                    .compactMap { $0["channel_id"] as? String })
            #expect(channels.count == 3, "the messages did not go to every storage channel")
            // Any web process reads it back: the part size is stored with the file.
            let admin = ["Authorization": "Bearer \(stack.settings["GUILDGATE_API_TOKEN"] ?? "")"]
            #expect(try owner.get("/api/files/\(id)/content", headers: admin).bytes == bytes)
        }

        @Test func aPartThatFailsVerificationAbortsTheDownloadAndMarksTheFileDamaged() throws {
            let bytes = Self.randomBytes(Self.partSize + 10)
            let id = try #require(try upload(bytes).json?["id"] as? Int)
            let db = EndToEnd.database(stack)
            try db.query("UPDATE file_parts SET sha256 = sha256(sha256) WHERE file_id = $1 AND index = 1", [id])
            let asked = Date()
            let broken = try? owner.get("/api/files/\(id)/content")
            #expect(broken == nil, "the transfer ended as if complete: \(broken?.bytes.count ?? 0) bytes")
            #expect(Date().timeIntervalSince(asked) < 10, "the broken transfer was not cut off at once")
            #expect((broken?.bytes.count ?? 0) <= Self.partSize, "bytes of the damaged part were served")
            #expect(try FileStore(db).file(id: id)?.state == .damaged)
            #expect(try owner.get("/api/files/\(id)/content").status == 410)
            #expect(try owner.get("/api/files/\(id)").json?["state"] as? String == "damaged")
        }

        @Test func discordsTooLargeIsAConfigurationErrorAndNotRetried() throws {
            try sandbox.send("PUT", "/_sandbox/attachments/limit", json: #"{"bytes":1000}"#)
            try sandbox.clearRequests()
            let refused = try upload(Self.randomBytes(5000))
            #expect(refused.status == 503)
            #expect((refused.json?["error"] as? String)?.contains("could not be stored") == true, "\(refused.body)")
            #expect(!refused.body.contains("DISCORD_ATTACHMENT_LIMIT"), "configuration is for the log, not the caller")
            #expect(stack.webLog.contains("DISCORD_ATTACHMENT_LIMIT"), "the operator is told what to change")
            #expect(try sandbox.requestedPaths().filter { $0.hasSuffix("/messages") }.count == 1)
            #expect(
                try EndToEnd.database(stack).query("SELECT count(*) AS n FROM files WHERE state = 'complete' AND size = 5000").first?.int(
                    "n") == 0)
        }

        @Test func usersSeeOnlyTheirOwnFilesAndAdminsSeeAll() throws {
            let id = try #require(try upload(Self.randomBytes(100), name: "secret.txt").json?["id"] as? Int)
            let (other, otherCSRF) = try EndToEnd.logIn(stack, sandbox, username: "file_other")
            #expect(try other.get("/api/files/\(id)").status == 404)
            #expect(try other.get("/api/files/\(id)/content").status == 404)
            #expect(try other.send("DELETE", "/api/files/\(id)", headers: ["X-CSRF-Token": otherCSRF], body: []).status == 404)
            let listed = try JSONSerialization.jsonObject(with: Data(try other.get("/api/files").bytes)) as? [[String: Any]]
            #expect(listed?.contains { $0["id"] as? Int == id } == false)
            #expect(try Browser(baseURL: stack.webURL).get("/api/files/\(id)").status == 401)

            let admin = ["Authorization": "Bearer \(stack.settings["GUILDGATE_API_TOKEN"] ?? "")"]
            #expect(try other.get("/api/files/\(id)", headers: admin).status == 200)
            #expect(try owner.send("DELETE", "/api/files/\(id)", body: []).status == 403, "a cookie DELETE without its CSRF header")
            #expect(try owner.send("DELETE", "/api/files/\(id)", headers: ["X-CSRF-Token": csrf], body: []).status == 204)
            #expect(try owner.get("/api/files/\(id)").status == 404)
        }

        @Test func badUploadsGetClearErrors() throws {
            let tooBig = try owner.send(
                "POST", "/api/files",
                headers: [
                    "Content-Type": "multipart/form-data; boundary=b", "X-CSRF-Token": csrf, "Content-Length": String(3 << 30),
                ], body: [])
            #expect([413, 400].contains(tooBig.status))
            let noBoundary = try owner.send(
                "POST", "/api/files", headers: ["Content-Type": "multipart/form-data", "X-CSRF-Token": csrf], body: [1, 2])
            #expect(noBoundary.status == 415)
            let noFile = try owner.send(
                "POST", "/api/files",
                headers: [
                    "Content-Type": "multipart/form-data; boundary=b", "X-CSRF-Token": csrf,
                ], body: Array("--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n".utf8))
            #expect(noFile.status == 400)
            #expect(noFile.json?["error"] as? String == "The form has no file in the field \"file\".")
            let truncated = try owner.send(
                "POST", "/api/files",
                headers: [
                    "Content-Type": "multipart/form-data; boundary=gg-test-boundary", "X-CSRF-Token": csrf,
                ], body: Array(Self.multipart([1, 2, 3], name: "x").dropLast(10)))
            #expect(truncated.status == 400)
            #expect(truncated.json?["error"] as? String == MultipartError.truncated.description)
            let odd = try upload([7], name: "../../etc/\u{202E}passwd\r\nX-Evil: 1")
            // The CR LF ends the header line: the name is cut there, and "X-Evil" is a header of the part, ignored.
            #expect(odd.json?["name"] as? String == "passwd")
            let withoutCSRF = try owner.send(
                "POST", "/api/files", headers: ["Content-Type": "multipart/form-data; boundary=gg-test-boundary"],
                body: Self.multipart([1], name: "x"))
            #expect(withoutCSRF.status == 403)
            let db = EndToEnd.database(stack)
            #expect(try db.query("SELECT count(*) AS n FROM files WHERE state = 'complete' AND name = 'x'").first?.int("n") == 0)
        }

        @Test func aWebProcessKilledMidUploadLeavesNoFileAndTheCleanupRemovesItsMessages() throws {
            let web = try WebProcess(stack: stack)
            #expect(web.waitUntilServing())
            let descriptor = try #require(RawFastCGI.connect(socketPath: web.socketPath))
            defer { close(descriptor) }
            let body = Self.multipart(Self.randomBytes(6 * Self.partSize), name: "doomed.bin")
            let head =
                RawFastCGI.beginRequest()
                + RawFastCGI.params([
                    ("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/api/files"), ("REMOTE_ADDR", "127.0.0.1"),
                    ("CONTENT_TYPE", "multipart/form-data; boundary=gg-test-boundary"), ("CONTENT_LENGTH", String(body.count)),
                    ("HTTP_AUTHORIZATION", "Bearer \(stack.settings["GUILDGATE_API_TOKEN"] ?? "")"),
                ])
            RawFastCGI.sendAll(descriptor, head)
            // About half of the body: a few messages are posted, the file is not finished.
            for offset in stride(from: 0, to: body.count / 2, by: 65535) {
                RawFastCGI.sendAll(
                    descriptor, RawFastCGI.record(type: 5, content: Array(body[offset..<min(offset + 65535, body.count / 2)])))
            }
            let db = EndToEnd.database(stack)
            func fileID() throws -> Int? {
                try db.query("SELECT id FROM files WHERE name = 'doomed.bin' ORDER BY id DESC LIMIT 1").first?.int("id")
            }
            func messages(of id: Int) throws -> [[String: Any]] {
                try storedMessages().filter { ($0["content"] as? String)?.hasPrefix("guildgate file \(id) ") == true }
            }
            #expect(poll(timeout: 20) { try fileID().map { try !messages(of: $0).isEmpty } ?? false }, "no part reached Discord")
            web.signal(SIGKILL)
            _ = web.waitForExit(timeout: 5)
            let id = try #require(try fileID())
            #expect(try FileStore(db).file(id: id)?.state == .uploading)
            #expect(try !messages(of: id).isEmpty)

            try db.query("UPDATE files SET heartbeat_at = now() - interval '10 minutes' WHERE id = $1", [id])
            let deleted = try #require(try upload(Self.randomBytes(10), name: "deleted.bin").json?["id"] as? Int)
            #expect(try !messages(of: deleted).isEmpty)
            #expect(try owner.send("DELETE", "/api/files/\(deleted)", headers: ["X-CSRF-Token": csrf], body: []).status == 204)
            let bot = try BotProcess(stack: stack)
            #expect(bot.waitUntilReady())
            let job = try JobStore(db).enqueue(.filesCleanup(fileID: nil))
            #expect(
                poll(timeout: 20) { try JobStore(db).job(id: job.id)?.state == .succeeded },
                "\((try? JobStore(db).job(id: job.id)?.lastError) ?? nil ?? "") \(bot.errorOutput.suffix(2000))")
            #expect(try messages(of: id).isEmpty)
            #expect(try messages(of: deleted).isEmpty)
            #expect(try FileStore(db).file(id: id) == nil)
            #expect(try FileStore(db).file(id: deleted) == nil)
        }
    }
}

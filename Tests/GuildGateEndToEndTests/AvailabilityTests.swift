import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// No stranger can starve the site (issue 8): slow uploads, slow downloads and floods, through nginx.
    /// Misbehaving clients connect from loopback addresses of their own (127.0.0.20–99), so nginx's
    /// per-address limits they run into never touch the rest of the suite (`Browser`s use 127.0.0.100–249).
    @Suite struct Availability {
        let stack: TestStack
        let sandbox: SandboxControl
        let port: Int
        let bearer: [String: String]

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            port = try #require(Int(stack.settings["HTTP_PORT"] ?? ""))
            bearer = ["Authorization": "Bearer \(stack.settings["GUILDGATE_API_TOKEN"] ?? "")"]
        }

        static let boundary = "gg-slow-boundary"

        /// The multipart head of the file part: after it, every byte is the file's.
        static func partHead(name: String) -> [UInt8] {
            Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .utf8)
        }

        /// An upload's request head and the start of its body; 100 kB announced, the rest still to come.
        static func uploadStart(name: String, headers: [String: String]) -> [UInt8] {
            var head =
                "POST /api/files HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\nContent-Length: 100000\r\n"
            for (header, value) in headers { head += "\(header): \(value)\r\n" }
            return Array((head + "\r\n").utf8) + partHead(name: name)
        }

        /// GET `path` on a fresh connection from `source`; the reply (nil after 3 s) and how long it took.
        func timedGet(_ path: String, from source: String) -> (RawHTTP.Reply?, TimeInterval) {
            let asked = Date()
            let connection = RawHTTP(port: port, from: source)
            connection?.send(RawHTTP.request("GET", path))
            return (connection?.response(timeout: 3), Date().timeIntervalSince(asked))
        }

        @Test func fortyEightTricklingUploadsLeavePagesAnsweringWithinASecond() throws {
            let (browser, csrf) = try EndToEnd.logIn(stack, sandbox, username: "slow_uploader")
            let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let name = "slow-\(UUID().uuidString.prefix(8)).bin"
            // Six addresses with eight uploads each (nginx's limit per address): half of them with
            // credentials (the API token, a session with its CSRF token), half with none.
            let credentials: [[String: String]] = [bearer, ["Cookie": cookie, "X-CSRF-Token": csrf], bearer, [:], [:], [:]]
            var uploads: [RawHTTP] = []
            for (index, headers) in credentials.enumerated() {
                for _ in 0..<8 {
                    let upload = try #require(RawHTTP(port: port, from: "127.0.0.\(20 + index)"))
                    #expect(upload.send(Self.uploadStart(name: name, headers: headers)))
                    uploads.append(upload)
                }
            }
            usleep(1_000_000)
            // A ninth transfer from one address is refused at once.
            let ninth = try #require(RawHTTP(port: port, from: "127.0.0.20"))
            ninth.send(Self.uploadStart(name: name, headers: bearer))
            let refused = ninth.response(timeout: 5)
            #expect(refused?.status == 429)
            #expect(refused?.headers["content-type"] == "application/json")
            #expect(refused?.text.contains(#""code":"too_many_requests""#) == true)

            // A byte to every upload every 2 s, while pages are asked for every second.
            let started = Date()
            var round = 0
            while round < 10, Date().timeIntervalSince(started) < 45 {
                if round % 2 == 0 {
                    for upload in uploads { upload.send([UInt8(ascii: "x")]) }
                }
                for path in ["/healthz", "/onboarding"] {
                    let (page, took) = timedGet(path, from: "127.0.0.30")
                    #expect(page?.status == 200, "\(path) did not answer while 48 uploads trickled (round \(round))")
                    #expect(took < 1, "\(path) took \(took) s while 48 uploads trickled (round \(round))")
                }
                round += 1
                usleep(1_000_000)
            }

            // The clients leave: their uploads are abandoned, and transfers work again.
            uploads.removeAll()
            let db = EndToEnd.database(stack)
            #expect(
                poll(timeout: 30) {
                    try db.query("SELECT count(*) AS n FROM files WHERE name = $1 AND state = 'uploading'", [name]).first?.int("n") == 0
                }, "slow uploads whose clients left are still uploading")
            let reached = try db.query("SELECT count(*) AS n FROM files WHERE name = $1", [name]).first?.int("n") ?? 0
            #expect(reached > 0, "no slow upload with credentials reached the app")
            let upload = try EndToEnd.uploadFile(
                Browser(baseURL: stack.webURL), FileStorage.randomBytes(1000), name: "after-the-trickle.bin", headers: bearer)
            #expect(upload.status == 201, "\(upload.body)")
        }

        @Test func anUploadRefusedBeforeItsBodyIsAnsweredAtOnce() throws {
            let upload = try #require(RawHTTP(port: port, from: "127.0.0.31"))
            upload.send(Self.uploadStart(name: "stranger.bin", headers: [:]))
            upload.send([UInt8(ascii: "x")])
            // Not after the 100 kB announced: the app answers before the body and closes its connection.
            let answer = upload.response(timeout: 2)
            #expect(answer?.status == 401)
            #expect(answer?.text.contains("unauthorized") == true)
        }

        @Test func anUploadThatTricklesIsCutOffAndAbandoned() throws {
            // 1000 bytes a second with 2 s of slack; the stack's own process allows 20 s.
            let web = try WebProcess(stack: stack, serveOptions: ["--min-body-rate", "1000", "--slow-client-timeout", "2"])
            #expect(web.waitUntilServing())
            let descriptor = try #require(RawFastCGI.connect(socketPath: web.socketPath))
            defer { close(descriptor) }
            let name = "trickle-\(UUID().uuidString.prefix(8)).bin"
            RawFastCGI.sendAll(
                descriptor,
                RawFastCGI.beginRequest()
                    + RawFastCGI.params([
                        ("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/api/files"), ("REMOTE_ADDR", "127.0.0.1"),
                        ("CONTENT_TYPE", "multipart/form-data; boundary=\(Self.boundary)"), ("CONTENT_LENGTH", "100000"),
                        ("HTTP_AUTHORIZATION", bearer["Authorization"] ?? ""),
                    ]) + RawFastCGI.record(type: 5, content: Self.partHead(name: name)))
            // Two bytes a second, as nginx passes on what a slow client sends.
            let started = Date()
            var reply: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !RawFastCGI.stdout(of: reply).contains("\r\n\r\n"), Date().timeIntervalSince(started) < 15 {
                RawFastCGI.sendAll(descriptor, RawFastCGI.record(type: 5, content: [UInt8(ascii: "x")]))
                usleep(500_000)
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if count > 0 { reply += buffer[0..<count] }
            }
            let took = Date().timeIntervalSince(started)
            let stdout = RawFastCGI.stdout(of: reply)
            #expect(stdout.hasPrefix("Status: 408"), "\(stdout.prefix(300))")
            #expect(stdout.contains(#""code":"request_timeout""#))
            #expect(took >= 1.5 && took < 10, "cut off after \(took) s")
            let db = EndToEnd.database(stack)
            let row = try #require(try db.query("SELECT state, error FROM files WHERE name = $1", [name]).first)
            #expect(row["state"] == "failed")
            #expect(row["error"]?.contains("slower than 1000 bytes a second") == true, "\(row["error"] ?? "")")
        }

        @Test func downloadsAreNotSpooledToNginxTemporaryFiles() throws {
            try sandbox.send("PUT", "/_sandbox/ratelimits", json: #"{"enabled":false}"#)
            let bytes = FileStorage.randomBytes(16_000_000)
            let created = try EndToEnd.uploadFile(Browser(baseURL: stack.webURL), bytes, name: "streamed.bin", headers: bearer)
            let id = try #require(created.json?["id"] as? Int, "\(created.body)")

            // nginx never passes X-Accel-* on to the client: ask the app directly.
            let head =
                RawFastCGI.beginRequest()
                + RawFastCGI.params([
                    ("REQUEST_METHOD", "HEAD"), ("REQUEST_URI", "/api/files/\(id)/content"), ("REMOTE_ADDR", "127.0.0.1"),
                    ("CONTENT_LENGTH", ""), ("HTTP_AUTHORIZATION", bearer["Authorization"] ?? ""),
                ]) + RawFastCGI.stdin([])
            let reply = RawFastCGI.stdout(
                of: try #require(RawFastCGI.exchange(socketPath: stack.directory + "/run/transfer.sock", bytes: head)))
            #expect(reply.hasPrefix("Status: 200"), "\(reply.prefix(300))")
            #expect(reply.contains("\r\nX-Accel-Buffering: no\r\n"))

            // A client that reads slowly: nginx holds what it cannot send yet in memory, not in a file.
            let client = try #require(RawHTTP(port: port, from: "127.0.0.32", receiveBuffer: 4096))
            client.send(RawHTTP.request("GET", "/api/files/\(id)/content", headers: bearer))
            #expect(client.response(timeout: 10, bodyLimit: 1)?.status == 200)
            usleep(1_500_000)
            let spooled = try nginxTemporaryFiles()
            #expect(spooled.isEmpty, "nginx spooled the download to \(spooled)")
            let whole = client.response(timeout: 60)
            #expect(whole?.body.count == bytes.count)
            #expect(whole?.body == bytes)
        }

        @Test func aResponseNobodyReadsIsCutOff() throws {
            try sandbox.send("PUT", "/_sandbox/ratelimits", json: #"{"enabled":false}"#)
            let bytes = FileStorage.randomBytes(3_000_000)
            let created = try EndToEnd.uploadFile(Browser(baseURL: stack.webURL), bytes, name: "unread.bin", headers: bearer)
            let id = try #require(created.json?["id"] as? Int, "\(created.body)")
            let web = try WebProcess(stack: stack, serveOptions: ["--slow-client-timeout", "2"])
            #expect(web.waitUntilServing())
            let descriptor = try #require(RawFastCGI.connect(socketPath: web.socketPath))
            defer { close(descriptor) }
            RawFastCGI.sendAll(
                descriptor,
                RawFastCGI.beginRequest()
                    + RawFastCGI.params([
                        ("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/api/files/\(id)/content"), ("REMOTE_ADDR", "127.0.0.1"),
                        ("CONTENT_LENGTH", ""), ("HTTP_AUTHORIZATION", bearer["Authorization"] ?? ""),
                    ]) + RawFastCGI.stdin([]))
            // Like nginx when its client reads nothing: the app's writes block, then fail.
            #expect(web.waitForOutput("client went away during the response", timeout: 15), "\(web.errorOutput.suffix(1000))")
            var received = 0
            var buffer = [UInt8](repeating: 0, count: 65536)
            var seconds = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
            while received < 2 * bytes.count {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                received += count
            }
            #expect(received < bytes.count, "the whole file was sent to a reader that took nothing")
        }

        /// Files nginx's workers hold open under its fastcgi_temp_path (nginx unlinks them at once, so only
        /// the workers' descriptors show them).
        func nginxTemporaryFiles() throws -> [String] {
            let master = try String(contentsOfFile: stack.directory + "/pids/nginx.pid", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let workers = try String(contentsOfFile: "/proc/\(master)/task/\(master)/children", encoding: .utf8).split(separator: " ")
            return try workers.flatMap { worker in
                try FileManager.default.contentsOfDirectory(atPath: "/proc/\(worker)/fd").compactMap { fd in
                    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(worker)/fd/\(fd)"))
                }.filter { $0.contains("/tmp/fastcgi/") }
            }
        }

        @Test func aFloodOfSignInsGetsTooManyRequestsAndPeopleDoNot() throws {
            var statuses: [Int] = []
            var refusal: RawHTTP.Reply?
            for _ in 0..<150 {
                let connection = try #require(RawHTTP(port: port, from: "127.0.0.33"))
                connection.send(RawHTTP.request("GET", "/login"))
                let reply = connection.response(timeout: 5)
                statuses.append(reply?.status ?? 0)
                if reply?.status == 429, refusal == nil { refusal = reply }
            }
            // nginx lets a burst of 60 through, then 2 a second.
            #expect(statuses.prefix(50).allSatisfy { $0 == 302 }, "a burst of sign-ins was refused: \(statuses)")
            #expect(statuses.filter { $0 == 429 }.count >= 50, "the flood went through: \(statuses)")
            let page = try #require(refusal)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(page.text.contains("Too many requests came from your address"))
            #expect(page.headers["retry-after"] == "10")
            #expect(page.headers["content-security-policy"] != nil, "the 429 page lacks the security headers")

            let api = try #require(RawHTTP(port: port, from: "127.0.0.33"))
            api.send(RawHTTP.request("POST", "/api/user/onboarding", headers: ["Content-Type": "application/json"], body: Array("{}".utf8)))
            let json = try #require(api.response(timeout: 5))
            #expect(json.status == 429)
            let error = try #require(try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: Any])
            #expect(error["success"] as? Bool == false)
            #expect(error["code"] as? String == "too_many_requests")
            #expect((error["error"] as? String)?.isEmpty == false)

            // Everyone else is unaffected.
            #expect(try Browser(baseURL: stack.webURL).get("/login").status == 302)
        }

        @Test func filesXIsNotAFileRoute() throws {
            let browser = Browser(baseURL: stack.webURL)
            #expect(try browser.get("/filesX").status == 404)
            // nginx's 1 MiB limit, not the file routes' 2 GiB: the body never reaches the app.
            let big = [UInt8](repeating: 0x61, count: 2 << 20)
            #expect(try browser.send("POST", "/filesX", headers: ["Content-Type": "application/octet-stream"], body: big).status == 413)
            #expect(try browser.send("POST", "/api/filesX", headers: ["Content-Type": "application/octet-stream"], body: big).status == 413)
            #expect(try browser.get("/files").location == "/login?next=/files")
            #expect(try browser.get("/api/files/").status == 401)
        }

        @Test func securityHeadersAndNoOAuthSecretsInTheAccessLog() throws {
            let browser = Browser(baseURL: stack.webURL)
            let page = try browser.get("/onboarding")
            #expect(page.headers["permissions-policy"]?.contains("camera=()") == true)
            let policy = try #require(page.headers["content-security-policy"])
            // Only this stack's discord-sandbox, never every loopback port.
            #expect(policy.contains("img-src 'self' data: https: \(stack.sandboxURL);"), "\(policy)")
            #expect(!policy.contains("127.0.0.1:*"))
            #expect(page.headers["strict-transport-security"] == nil, "HSTS over plain HTTP")

            let code = "code\(UUID().uuidString.prefix(12))", state = "state\(UUID().uuidString.prefix(12))"
            let token = "token\(UUID().uuidString.prefix(12))"
            _ = try browser.get("/api/discord/callback?code=\(code)&state=\(state)")
            let alias = try browser.get("/discord/sso/callback?code=\(code)&state=\(state)")
            #expect(alias.location == stack.webURL + "/discord/error?error=invalid_token", "seed 004's callback path is the callback")
            _ = try browser.get("/discord/verify?token=\(token)")
            _ = try browser.get("/healthz", headers: ["Referer": "\(stack.webURL)/discord/verify?token=\(token)"])
            let logPath = stack.directory + "/logs/nginx-access.log"
            func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
            #expect(poll(timeout: 5) { log().contains("\"GET /healthz HTTP/1.1\" 200") })
            #expect(log().contains("\"GET /api/discord/callback HTTP/1.1\""))
            #expect(log().contains("\"GET /discord/sso/callback HTTP/1.1\""))
            #expect(log().contains("\"GET /discord/verify HTTP/1.1\""))
            #expect(log().contains("\"\(stack.webURL)/discord/verify\""))
            for secret in [code, state, token] {
                #expect(!log().contains(secret), "the access log holds \(secret)")
            }
        }
    }
}

import Foundation
import GuildGateTesting
import Testing

extension EndToEnd {
    /// `make run`'s `scripts/stack run`: one SIGINT to its process group stops everything it started, also
    /// when it was started in the background with SIGINT ignored and its output going to a file.
    @Suite struct StackRun {
        @Test func oneSIGINTStopsEverythingEvenWhenSIGINTWasIgnoredOnEntry() throws {
            let directory = NSTemporaryDirectory() + "guildgate-run-" + UUID().uuidString.prefix(8)
            let log = directory + ".log"
            defer {
                TestStack.runStack(["down", "--dir", directory, "--purge"])
                try? FileManager.default.removeItem(atPath: directory)
                try? FileManager.default.removeItem(atPath: log)
            }
            // A new session with nothing blocked (the test runner's threads block signals, which a child would
            // inherit), and SIGINT ignored by `env --ignore-signal=INT`, as a shell does for a command started
            // with `&`.
            let group = try Self.spawnInNewSession(
                [
                    "/usr/bin/env", "--ignore-signal=INT", TestStack.repositoryRoot + "/scripts/stack", "run",
                    "--dir", directory, "--bin", TestStack.binaryDirectory, "--http-port", "0", "--no-bot", "--isolated",
                ],
                environment: TestStack.stackEnvironment, output: log)
            #expect(
                poll(timeout: 90) {
                    (try String(contentsOfFile: log, encoding: .utf8)).contains("GuildGate is running")
                }, "the stack did not come up: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

            kill(-group, SIGINT)
            #expect(
                poll(timeout: 15) { Self.processes(mentioning: directory).isEmpty },
                "still running 15 s after SIGINT: \(Self.processes(mentioning: directory))")
        }

        /// Starts `arguments` as the leader of a new session and process group (`POSIX_SPAWN_SETSID`) with an
        /// empty signal mask and default signal handling, its output to `output`; returns its pid (= the
        /// process group).
        static func spawnInNewSession(_ arguments: [String], environment: [String: String], output: String) throws -> pid_t {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var empty = sigset_t()
            sigemptyset(&empty)
            var all = sigset_t()
            sigfillset(&all)
            posix_spawnattr_setsigmask(&attributes, &empty)
            posix_spawnattr_setsigdefault(&attributes, &all)
            // POSIX_SPAWN_SETSID (0x80, glibc 2.26) is not visible to Swift's Glibc module.
            let setSID: Int32 = 0x80
            posix_spawnattr_setflags(&attributes, Int16(setSID | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)))
            let argv = arguments.map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { (argv + envp).forEach { free($0) } }
            var pid = pid_t()
            let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
            guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
            return pid
        }

        /// Live processes whose command line names `text` (zombies excluded).
        static func processes(mentioning text: String) -> [String] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return entries.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                    !stat.contains(") Z "),
                    let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
                else { return nil }
                let line = String(decoding: command.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
                return line.contains(text) ? "\(pid): \(line)" : nil
            }
        }
    }
}

import DevStack
import Foundation
import GuildGateTesting
import Testing

extension EndToEnd {
    /// `make run`'s `guildgate-dev run`: one SIGINT to its process group stops everything it started, also when it was
    /// started in the background with SIGINT ignored and its output going to a file.
    @Suite struct StackRun {
        @Test func oneSIGINTStopsEverythingEvenWhenSIGINTWasIgnoredOnEntry() throws {
            let directory = NSTemporaryDirectory() + "guildgate-run-" + UUID().uuidString.prefix(8)
            let log = directory + ".log"
            defer {
                TestStack.localStack(directory).down(purge: true)
                try? FileManager.default.removeItem(atPath: directory)
                try? FileManager.default.removeItem(atPath: log)
            }
            // The leader of a new session and process group, with SIGINT ignored by `env --ignore-signal=INT`, as a
            // shell does for a command started with `&` (every other signal at its default and none blocked, although
            // the test runner's threads block them), as `make run` runs it: its binaries next to it.
            let run = try ChildProcess.spawn(
                Invocation(
                    "/usr/bin/env",
                    [
                        "--ignore-signal=INT", TestStack.binaryDirectory + "/guildgate-dev", "run", "--dir", directory, "--http-port", "0",
                        "--no-bot", "--isolated",
                    ],
                    environment: TestStack.stackEnvironment),
                output: .append(log), newSession: true)
            #expect(
                poll(timeout: 90) {
                    (try String(contentsOfFile: log, encoding: .utf8)).contains("GuildGate is running")
                }, "the stack did not come up: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

            kill(-run.pid, SIGINT)
            // A process that is exiting has an empty command line before it can be collected, so its end is waited
            // for on its own.
            var ended: Termination?
            #expect(
                poll(timeout: 15) {
                    ended = ended ?? run.termination()
                    return ended != nil && Self.processes(mentioning: directory).isEmpty
                },
                "still running 15 s after SIGINT: \(Self.processes(mentioning: directory))")
            #expect(ended == .exited(0), "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
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

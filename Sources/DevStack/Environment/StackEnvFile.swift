import Foundation
import GuildGateCore

/// DIR/stack.env: the settings web and bot got, one `KEY='value'` line each, which a shell can source
/// (`set -a; . ./stack.env; set +a`) and scripts read with sed, then the stack's own state (`STACK_*`) for `restart`.
/// Mode 0600: it holds secrets. Read back with Core's `DotEnv`, as the apps read a `.env` file.
struct StackEnvFile: Sendable {
    let path: String

    func write(settings: [String: String], state: StackState) throws(StackError) {
        try FileSystem.save(try Self.render(settings: settings, state: state, writtenAt: LogFile.timestamp()), to: path, mode: 0o600)
    }

    /// Every variable in the file.
    func read() throws(StackError) -> [String: String] {
        guard let text = FileSystem.read(path) else {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            throw StackError("\(path) not found: is the stack up? (guildgate-dev up --dir \(directory) ...)")
        }
        return DotEnv.parse(text)
    }

    static func render(settings: [String: String], state: StackState, writtenAt: String) throws(StackError) -> String {
        var lines = [
            "# Written by guildgate-dev up on \(writtenAt): the environment of web and bot.",
            "# Shell-sourceable: set -a; . ./stack.env; set +a",
        ]
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) + state.variables.map({ ($0.name, $0.value) }) {
            guard !value.contains(where: \.isNewline) else {
                throw StackError("the value of \(name) holds a line break, which stack.env cannot record: set it without one")
            }
            lines.append("\(name)=\(quoted(value))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `value` in single quotes, as a shell reads it: `it's` is `'it'\''s'`.
    static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

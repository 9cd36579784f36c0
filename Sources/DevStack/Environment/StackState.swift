/// What `restart` needs to know about a running stack beyond the apps' settings; stack.env records it as `STACK_*`
/// variables, which the apps do not read.
struct StackState: Equatable, Sendable {
    var directory: String
    var binaries: String
    /// The checkout whose nginx/ templates the stack's nginx configuration is rendered from.
    var repository: String
    var threads: Int
    var transferThreads: Int
    var webSocket: String
    var transferSocket: String
    var socketGroup: String
    var startsBot: Bool
    var httpPortArgument: Int

    /// The variables, in the order stack.env lists them.
    var variables: [(name: String, value: String)] {
        [
            ("STACK_DIR", directory), ("STACK_BIN", binaries), ("STACK_REPOSITORY", repository), ("STACK_THREADS", String(threads)),
            ("STACK_TRANSFER_THREADS", String(transferThreads)), ("STACK_SOCKET", webSocket),
            ("STACK_TRANSFER_SOCKET", transferSocket), ("STACK_SOCKET_GROUP", socketGroup), ("STACK_NO_BOT", startsBot ? "0" : "1"),
            ("STACK_HTTP_PORT_ARG", String(httpPortArgument)),
        ]
    }

}

extension StackState {
    /// Reads the variables back from the values of stack.env at `path`.
    init(_ values: [String: String], path: String) throws(StackError) {
        func value(_ name: String) throws(StackError) -> String {
            guard let value = values[name] else {
                throw StackError("\(path) has no \(name): it was not written by this guildgate-dev (guildgate-dev down, then up)")
            }
            return value
        }
        func number(_ name: String) throws(StackError) -> Int {
            guard let number = Int(try value(name)) else { throw StackError("\(path): \(name) is not a number") }
            return number
        }
        self.init(
            directory: try value("STACK_DIR"), binaries: try value("STACK_BIN"), repository: try value("STACK_REPOSITORY"),
            threads: try number("STACK_THREADS"),
            transferThreads: try number("STACK_TRANSFER_THREADS"), webSocket: try value("STACK_SOCKET"),
            transferSocket: try value("STACK_TRANSFER_SOCKET"), socketGroup: try value("STACK_SOCKET_GROUP"),
            startsBot: try value("STACK_NO_BOT") != "1", httpPortArgument: try number("STACK_HTTP_PORT_ARG"))
    }
}

import JSONSupport
import NIOCore

/// JSON as the sandbox reads and writes it, with Discord's conventions.
extension JSON {
    /// The JSON body of a Discord request; text that is not JSON is Discord's 50109.
    init(discordBody buffer: ByteBuffer) throws(HTTPError) {
        guard let json = JSON.parse(Array(buffer.readableBytesView)) else { throw HTTPError.invalidJSON }
        self = json
    }

    /// A duration in seconds with millisecond precision (`0.873`, not `0.8730000000000001`).
    static func seconds(milliseconds: Int) -> JSON {
        .number(Double(milliseconds) / 1000)
    }

    /// The text as Discord writes it: `<` and `>` (mentions) are not escaped.
    var text: String {
        serialized(escapingHTML: false)
    }

    /// An object with `other`'s members replacing its own of the same name and added after them; other values
    /// are returned as they are.
    func merging(_ other: JSON) -> JSON {
        guard case .object(let own) = self, case .object(let new) = other else { return self }
        let replaced = own.map { member in (member.0, other[member.0] ?? member.1) }
        return .object(replaced + new.filter { member in self[member.0] == nil })
    }

    /// An object with more members after its own; other values are returned as they are.
    func appending(_ members: [(String, JSON)]) -> JSON {
        guard case .object(let own) = self else { return self }
        return .object(own + members)
    }
}

import JSONSupport
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One payload a client sent, decoded as far as its opcode; `data(_:)` decodes its `d` for that opcode.
struct GatewayPayload {
    /// Larger client payloads close the connection with 4002 (docs: `events/gateway` "Connecting").
    static let maxSize = 4096

    let opcode: Int
    private let json: Data

    /// Fails with 4002 for a payload over 4096 bytes or one that is not a JSON object with an integer `op`.
    init(_ message: ByteBuffer) throws(GatewayCloseCode) {
        guard message.readableBytes <= Self.maxSize else { throw .decodeError }
        json = Data(message.readableBytesView)
        do {
            opcode = try JSONDecoder().decode(Envelope.self, from: json).op
        } catch {
            throw .decodeError
        }
    }

    /// `d` as the command of this opcode. A payload of the wrong shape is 4001, which Discord documents as
    /// "an invalid payload for an opcode".
    func data<Command: Decodable>(_ type: Command.Type) throws(GatewayCloseCode) -> Command {
        do {
            return try JSONDecoder().decode(Body<Command>.self, from: json).d
        } catch {
            throw .unknownOpcode
        }
    }

    private struct Envelope: Decodable {
        let op: Int
    }

    private struct Body<Command: Decodable>: Decodable {
        let d: Command
    }
}

import WireFormats

/// Reads a request body as it streams in from the web server.
public protocol RequestBodyStream: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 at the end of the body.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RequestBodyError) -> Int
}

/// Tells whether the client is still there, so long work can stop for a client that left.
public protocol ClientConnection: AnyObject {
    var isClosed: Bool { get }
}

/// The client disconnected; the work for it stops and nothing is written.
public struct ClientGone: Error {}

public enum RequestBodyError: Error, Equatable, CustomStringConvertible {
    /// The client went away before sending the whole body.
    case aborted
    /// The body came slower than `minimumRate` bytes a second for longer than `window` seconds (a slow
    /// client holding a worker thread); the connection is closed.
    case tooSlow(minimumRate: Int, windowSeconds: Int)

    public var description: String {
        switch self {
        case .aborted: return "the client went away before sending the whole body"
        case .tooSlow(let rate, let window):
            return "the body arrived slower than \(rate) bytes a second for \(window) seconds"
        }
    }
}

/// An HTTP request as the web server handed it over (CGI-style parameters, already parsed).
public struct Request {
    public let method: String
    /// The raw path without the query, still percent-encoded.
    public let rawPath: String
    /// The decoded path segments (no empty segments).
    public let pathSegments: [String]
    public let query: [String: String]
    /// Header names in lowercase, `-` separated.
    public let headers: [String: String]
    public let remoteAddress: String
    /// nginx's `$request_id`, or one made here (`RequestID`).
    public let requestID: String
    public let body: RequestBodyStream?
    public let connection: ClientConnection?
    /// Path parameters filled in by the router.
    public internal(set) var parameters: [String: String] = [:]

    /// Builds a request from its raw parts; refuses malformed paths and query strings.
    public init(
        method: String, requestURI: String, headers: [String: String], remoteAddress: String, requestID: String? = nil,
        body: RequestBodyStream?, connection: ClientConnection? = nil
    ) throws(HTTPError) {
        self.method = method.uppercased()
        let parts = requestURI.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        rawPath = parts.first.map(String.init) ?? "/"
        guard rawPath.hasPrefix("/") else { throw .badRequest("The request path must start with /.") }
        var segments: [String] = []
        for raw in rawPath.split(separator: "/") {
            guard let decoded = PercentDecoding.decode(raw, plusAsSpace: false) else {
                throw .badRequest("The request path is not valid percent-encoded UTF-8.")
            }
            segments.append(decoded)
        }
        pathSegments = segments
        guard let query = FormDecoding.decode(parts.count > 1 ? String(parts[1]) : "") else {
            throw .badRequest("The query string is not valid percent-encoded UTF-8.")
        }
        self.query = query
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.requestID = RequestID.accepting(requestID)
        self.body = body
        self.connection = connection
    }

    /// Throws `ClientGone` when the client has disconnected: call it between the steps of long work.
    public func ensureClientConnected() throws(ClientGone) {
        if connection?.isClosed == true { throw ClientGone() }
    }

    public var path: String { "/" + pathSegments.joined(separator: "/") }
    public var isAPI: Bool { pathSegments.first == "api" }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The media type of the body without parameters, lowercased (`application/json`).
    public var mediaType: String? {
        header("content-type").map {
            $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }
    }

    public var cookies: [String: String] { Cookies.parse(header("cookie") ?? "") }

    /// Reads the whole body, refusing bodies over `limit` bytes with 413.
    public func collectBody(limit: Int) throws(HTTPError) -> [UInt8] {
        if let declared = header("content-length").flatMap(Int.init), declared > limit {
            throw .payloadTooLarge(limit: limit)
        }
        guard let body else { return [] }
        var collected: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count: Int
            do {
                count = try chunk.withUnsafeMutableBytes { buffer throws(RequestBodyError) in try body.read(into: buffer) }
            } catch RequestBodyError.tooSlow {
                throw .requestTimeout
            } catch {
                throw .badRequest("The request body was cut off.")
            }
            if count == 0 { return collected }
            guard collected.count + count <= limit else { throw .payloadTooLarge(limit: limit) }
            collected.append(contentsOf: chunk[0..<count])
        }
    }
}

import Foundation
import WireFormats

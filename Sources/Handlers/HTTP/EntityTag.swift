import Foundation

/// A strong entity tag for conditional GETs: `ETag` on the answer, `If-None-Match` from the client.
public struct EntityTag: Equatable {
    /// The quoted form, as the `ETag` header carries it.
    public let header: String

    /// `opaque` must be visible ASCII without `"` (a version number, digits and dots).
    public init(_ opaque: String) {
        header = "\"" + opaque + "\""
    }

    /// Whether the request's `If-None-Match` lists this tag (or `*`): the client's copy is current. Compared
    /// weakly, as RFC 9110 asks for `If-None-Match`: a proxy that compresses the answer marks its tag `W/`.
    public func isCurrent(for request: Request) -> Bool {
        guard let field = request.header("if-none-match") else { return false }
        return field.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == header || tag == "W/" + header
        }
    }
}

import CLibPQ

/// A query's rows as libpq holds them, in text format, read in place by column position (see
/// `PostgresConnection.withRawRows`): valid only while the closure given the result runs.
public struct RawQueryResult {
    @usableFromInline let result: OpaquePointer?
    public let rowCount: Int

    init(_ result: OpaquePointer?) {
        self.result = result
        rowCount = Int(PQntuples(result))
    }

    @inlinable
    public func isNull(row: Int, column: Int) -> Bool {
        PQgetisnull(result, Int32(row), Int32(column)) == 1
    }

    /// The value's text (empty for NULL: ask `isNull`), without its terminating NUL.
    @inlinable
    public func bytes(row: Int, column: Int) -> UnsafeRawBufferPointer {
        let row = Int32(row)
        let column = Int32(column)
        return UnsafeRawBufferPointer(start: PQgetvalue(result, row, column), count: Int(PQgetlength(result, row, column)))
    }
}

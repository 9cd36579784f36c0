import Foundation
import Logging
import Store
import Synchronization

/// The in-process tests' own database in the test stack's PostgreSQL, created and migrated at first use.
/// It keeps them apart from the end-to-end suite, which runs alongside them and truncates, rewrites and
/// renames tables of the stack's database.
enum TestDatabase {
    private static let created = Mutex<Result<String, any Error>?>(nil)

    /// The shared test stack and the database's URL, made ready on a thread of their own: the stack may
    /// take seconds to start, and a test task waiting for it would hold a thread of the tasks' small pool.
    static func prepare() async throws -> (TestStack, String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        let stack = try TestStack.shared()
                        return (stack, try url(in: stack))
                    })
            }
        }
    }

    private static func url(in stack: TestStack) throws -> String {
        try created.withLock { state in
            if state == nil { state = Result { try create(in: stack) } }
            return try state!.get()
        }
    }

    private static func create(in stack: TestStack) throws -> String {
        let name = "guildgate_in_process_\(UUID().uuidString.prefix(8).lowercased())"
        var components = URLComponents(string: stack.databaseURL)
        components?.path = "/" + name
        guard let url = components?.string else {
            throw TestStack.StackError(description: "DATABASE_URL is not a URL: \(stack.databaseURL)")
        }
        try PostgresConnection(url: stack.databaseURL).query("CREATE DATABASE \(name)")
        try Migrations.migrate(PostgresConnection(url: url), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        return url
    }
}

import Foundation

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
public func poll(timeout: TimeInterval, _ condition: () throws -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        if (try? condition()) == true { return true }
        usleep(50_000)
    } while Date() < deadline
    return (try? condition()) == true
}

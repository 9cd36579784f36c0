/// Why the sync API refused a request about conversations; nothing was changed.
public enum ConversationSyncError: Error, Equatable {
    /// No conversation with this id belongs to the caller: another's and an unknown id alike.
    case notFound
    /// The Idempotency-Key was used before with a different request.
    case idempotencyKeyReused
}

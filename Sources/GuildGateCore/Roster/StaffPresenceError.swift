/// Why a staff member's presence page or card setting was refused.
public enum StaffPresenceError: Error, Equatable {
    /// No active staff member has this id.
    case notFound(id: Int)
    /// The signed-in user is not that staff member (their linked Discord account is another).
    case notYours
}

import JSONSupport

/// The guild's roles (docs: `topics/permissions` "Role Object", "Permission Hierarchy"): `@everyone`, whose id
/// is the guild's and whose position is 0, and the others bottom to top at positions 1…n, kept contiguous as
/// the Discord client keeps them when roles are dragged, created (at the given position, default 1, the ones
/// above moving up) or deleted.
struct GuildRoles: Sendable {
    private(set) var everyone: SandboxRole
    /// Bottom to top: the role at index `i` has position `i + 1`.
    private var ranked: [SandboxRole]

    init(everyone: SandboxRole, ranked: [SandboxRole]) {
        self.everyone = everyone
        self.ranked = ranked
        renumber()
    }

    /// Every role, `@everyone` first, by position.
    var all: [SandboxRole] { [everyone] + ranked }

    var json: JSON { .array(all.map(\.json)) }

    func role(id: String) -> SandboxRole? {
        id == everyone.id ? everyone : ranked.first { $0.id == id }
    }

    /// Whether the id names a role a member can hold (any role but `@everyone`, which everyone has).
    func isAssignable(_ id: String) -> Bool {
        ranked.contains { $0.id == id }
    }

    /// The highest of these roles, `@everyone` when there are none.
    func highest(of ids: [String]) -> SandboxRole {
        ranked.last { ids.contains($0.id) } ?? everyone
    }

    /// What holding these roles grants: `@everyone`'s bits and theirs. ADMINISTRATOR is left to the caller.
    func permissions(of ids: [String]) -> UInt64 {
        ranked.reduce(everyone.permissions) { ids.contains($1.id) ? $0 | $1.permissions : $0 }
    }

    /// Adds a role at `position` (clamped to 1…n+1; its `position` field is ignored).
    mutating func insert(_ role: SandboxRole, at position: Int) {
        ranked.insert(role, at: min(max(position, 1), ranked.count + 1) - 1)
        renumber()
    }

    /// Changes a role and, for another than `@everyone`, moves it to `position` if one is given; `nil` for an
    /// unknown role.
    @discardableResult
    mutating func update(id: String, moveTo position: Int? = nil, _ change: (inout SandboxRole) -> Void) -> SandboxRole? {
        if id == everyone.id {
            change(&everyone)
            everyone.position = 0
            return everyone
        }
        guard let index = ranked.firstIndex(where: { $0.id == id }) else { return nil }
        var role = ranked.remove(at: index)
        change(&role)
        insert(role, at: position ?? index + 1)
        return self.role(id: id)
    }

    /// Removes a role other than `@everyone`; `nil` when there is none with that id.
    mutating func remove(id: String) -> SandboxRole? {
        guard let index = ranked.firstIndex(where: { $0.id == id }) else { return nil }
        defer { renumber() }
        return ranked.remove(at: index)
    }

    private mutating func renumber() {
        everyone.position = 0
        for index in ranked.indices { ranked[index].position = index + 1 }
    }
}

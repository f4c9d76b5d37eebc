/// Who may call a route. Each route declares one when it is added, and `docs/openapi.yaml`
/// repeats it as `x-hekaton-access` (a test holds the two together).
public enum RouteAccess: String, Sendable, CaseIterable {
    /// Anyone who can reach the socket: public facts of a competition (its rules, its
    /// leaderboard, its template) and the caller's own identity.
    case anyone
    /// Anyone, but only about their own objects: the handler looks objects up as the
    /// caller's (hosts see all), and another participant's are "not found".
    case owner
    /// Hosts only: root, the daemon's user and the admin group. Refused before the request
    /// body is read.
    case host
}

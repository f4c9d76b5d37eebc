import ControlAPI
#if canImport(Glibc)
import Glibc
#endif

/// Decides who a caller is from the socket's peer credentials, never from anything the
/// caller says about itself.
public struct CallerIdentity: Sendable {
    public let adminGroup: String
    /// The daemon's own user: a user's private daemon is administered by that user.
    public let daemonUID: UInt32

    public init(adminGroup: String, daemonUID: UInt32 = UInt32(geteuid())) {
        self.adminGroup = adminGroup
        self.daemonUID = daemonUID
    }

    public func caller(uid: UInt32, gid: UInt32, pid: Int32) -> Caller {
        let user = Self.userName(uid: uid)
        let isAdmin = uid == 0 || uid == daemonUID || isMember(user: user, primaryGID: gid, of: adminGroup)
        return Caller(uid: uid, gid: gid, pid: pid, user: user, isAdmin: isAdmin)
    }

    static func userName(uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return String(cString: entry.pw_name)
    }

    /// The uid of user `name`, from the system's user database; nil when there is none.
    static func userID(named name: String) -> UInt32? {
        guard !name.isEmpty, name.utf8.count <= 64, !name.contains("/") else { return nil }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    static func groupID(named name: String) -> UInt32? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    func isMember(user: String?, primaryGID: UInt32, of groupName: String) -> Bool {
        guard let adminGID = Self.groupID(named: groupName) else { return false }
        if primaryGID == adminGID { return true }
        guard let user else { return false }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, primaryGID, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(user, primaryGID, &groups, &count) >= 0 else { return false }
        }
        return groups.prefix(Int(count)).contains(adminGID)
    }
}

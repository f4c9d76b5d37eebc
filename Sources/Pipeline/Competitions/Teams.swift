import Foundation
import GRDB
import StrictYAML

/// A competition's teams, as hosts define them: a participant belongs to at most one team per
/// competition. A team shares one daily submission limit and one fair share of the machine,
/// and ranks on the leaderboard as one entry.
public enum Teams {
    public struct Member: Sendable, Equatable, Codable {
        public var name: String
        public var uid: UInt32
        public init(name: String, uid: UInt32) {
            self.name = name
            self.uid = uid
        }
    }

    public static let maximumMembers = 100

    /// A team name: lower-case letters, digits and dashes, up to 63 characters.
    public static func validate(team: String) throws {
        guard team.range(of: "^[a-z0-9][a-z0-9-]{0,62}$", options: .regularExpression) != nil else {
            throw PipelineError(.invalidManifest, "'\(team.prefix(80))' is not a valid team name; use lower-case letters, digits and dashes, starting with a letter or digit, at most 63 characters")
        }
    }

    /// Makes `team` exactly `members` (replacing who it had). Refused, changing nothing, when
    /// a member is in another team of the competition or the list is empty or too long.
    public static func set(_ team: String, of competition: String, members: [Member], now: Date, _ db: Database) throws {
        try validate(team: team)
        guard !members.isEmpty else {
            throw PipelineError(.invalidManifest, "team '\(team)' needs at least one member; `hekatonctl team remove` deletes a team")
        }
        guard members.count <= maximumMembers else {
            throw PipelineError(.invalidManifest, "team '\(team)' lists \(members.count) members; the limit is \(maximumMembers)")
        }
        guard try CompetitionVersion.latest(of: competition, db) != nil else {
            throw PipelineError(.unknownCompetition, "no competition named '\(competition)'; `hekatonctl competition list` shows them")
        }
        for member in members {
            if let other = try String.fetchOne(db, sql: """
                SELECT team FROM competition_team_member WHERE competition = ? AND member_uid = ? AND team != ?
                """, arguments: [competition, member.uid, team]) {
                throw PipelineError(.conflict, "\(member.name) is already in team '\(other)' of '\(competition)'; a participant belongs to one team: remove them there first")
            }
        }
        try db.execute(sql: "DELETE FROM competition_team_member WHERE competition = ? AND team = ?", arguments: [competition, team])
        for member in Set(members.map(\.uid)).sorted() {
            let name = members.first { $0.uid == member }!.name
            try db.execute(sql: """
                INSERT INTO competition_team_member (competition, team, member, member_uid, added_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [competition, team, name, member, now])
        }
    }

    /// The largest teams file read: a few thousand teams.
    public static let maximumFileBytes = 256 << 10

    /// A teams file (`teams:` in the manifest): one team per key, its members' user names as
    /// a list, `red-team: [alice, bob]`. Each name is checked, a member listed twice (in one
    /// team or two) is refused, and `uid` resolves names; unknown users are refused together.
    public static func parseFile(_ path: String, uid: (String) -> UInt32?) throws -> [(team: String, members: [Member])] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw PipelineError(.invalidManifest, "the teams file \(path) cannot be read")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maximumFileBytes + 1)) ?? Data()
        guard data.count <= maximumFileBytes else {
            throw PipelineError(.invalidManifest, "the teams file \(path) is over \(maximumFileBytes >> 10) KiB; split the competition's teams more simply")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineError(.invalidManifest, "the teams file \(path) is not UTF-8 text")
        }
        var teams: [(team: String, members: [Member])] = []
        var unknown: [String] = []
        var seen: [String: String] = [:]
        do {
            let root = try YAMLMapping.parse(text, file: path)
            for team in root.keys {
                try validate(team: team)
                let value = try root.required(team)
                let names = try value.stringList()
                guard !names.isEmpty, names.count <= maximumMembers else {
                    throw value.invalid("team '\(team)' lists \(names.count) members", suggestion: "list 1 to \(maximumMembers) user names")
                }
                var members: [Member] = []
                for name in names {
                    if let other = seen[name] {
                        throw value.invalid("\(name) is listed in team '\(other)' and again in '\(team)'",
                                            suggestion: "a participant belongs to one team: list them once")
                    }
                    seen[name] = team
                    if let id = uid(name) { members.append(Member(name: name, uid: id)) } else { unknown.append(name) }
                }
                teams.append((team, members))
            }
        } catch let error as YAMLError {
            throw PipelineError(.invalidManifest, "\(error)")
        }
        guard unknown.isEmpty else {
            throw PipelineError(.invalidManifest, "the teams file \(path) names no user \(unknown.prefix(10).map { "'\($0.prefix(64))'" }.joined(separator: ", ")) on this machine; members are the users who submit (`id NAME` shows one)")
        }
        return teams
    }

    /// Deletes `team`; false when there was none.
    public static func remove(_ team: String, of competition: String, _ db: Database) throws -> Bool {
        try db.execute(sql: "DELETE FROM competition_team_member WHERE competition = ? AND team = ?", arguments: [competition, team])
        return db.changesCount > 0
    }

    /// Every team of `competition`, by name, with its members by name.
    public static func all(of competition: String, _ db: Database) throws -> [(team: String, members: [Member])] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT team, member, member_uid FROM competition_team_member WHERE competition = ? ORDER BY team, member
            """, arguments: [competition])
        var teams: [(team: String, members: [Member])] = []
        for row in rows {
            let team: String = row["team"]
            let member = Member(name: row["member"], uid: row["member_uid"])
            if teams.last?.team == team { teams[teams.count - 1].members.append(member) } else { teams.append((team, [member])) }
        }
        return teams
    }

    /// The team `uid` is in, in `competition`, with all its members' uids.
    public static func team(of uid: UInt32, in competition: String, _ db: Database) throws -> (name: String, uids: [UInt32])? {
        guard let name = try String.fetchOne(db, sql: """
            SELECT team FROM competition_team_member WHERE competition = ? AND member_uid = ?
            """, arguments: [competition, uid]) else { return nil }
        let uids = try UInt32.fetchAll(db, sql: """
            SELECT member_uid FROM competition_team_member WHERE competition = ? AND team = ?
            """, arguments: [competition, name])
        return (name, uids)
    }

    /// Each member's team in `competition`, by uid.
    public static func byMember(in competition: String, _ db: Database) throws -> [UInt32: String] {
        let rows = try Row.fetchAll(db, sql: "SELECT member_uid, team FROM competition_team_member WHERE competition = ?",
                                    arguments: [competition])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["member_uid"], $0["team"]) })
    }
}

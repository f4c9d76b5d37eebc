import Foundation
import Pipeline
import StrictYAML
import Testing

/// `phases:` in hekaton.yaml and where a competition stands on its calendar.
@Suite("Competition phases")
struct CompetitionPhaseTests {
    static func manifest(_ phases: String) throws -> CompetitionManifest {
        try CompetitionManifest.parse(CompetitionManifestTests.valid + "\nphases:\n" + phases, file: "hekaton.yaml")
    }

    static func instant(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    @Test("Local times are read in the manifest's zone, and times with an offset as written")
    func parses() throws {
        let tokyo = try Self.manifest("  opens_at: 2026-12-01 09:00\n  closes_at: \"2027-01-31T23:59:30\"\n  time_zone: Asia/Tokyo\n")
        #expect(tokyo.phases?.opensAt == Self.instant("2026-12-01T00:00:00Z"))
        #expect(tokyo.phases?.closesAt == Self.instant("2027-01-31T14:59:30Z"))
        #expect(tokyo.phases?.local(tokyo.phases!.opensAt!) == "2026-12-01 09:00 Asia/Tokyo")
        let offset = try Self.manifest("  closes_at: 2027-01-31T23:59:00-05:00\n")
        #expect(offset.phases?.closesAt == Self.instant("2027-02-01T04:59:00Z"))
        #expect(offset.phases?.opensAt == nil && offset.phases?.timeZone == "UTC")
        let utc = try Self.manifest("  closes_at: 2027-01-31T23:59:00Z\n  time_zone: Europe/Berlin\n")
        #expect(utc.phases?.closesAt == Self.instant("2027-01-31T23:59:00Z"))
    }

    @Test("Bad phases are refused with the field and a fix", arguments: [
        ("  opens_at: 2027-01-02 00:00\n  closes_at: 2027-01-01 00:00\n", "phases.closes_at", "is not after opens_at"),
        ("  closes_at: 2027-01-01 00:00\n  time_zone: Mars/Olympus\n", "phases.time_zone", "unknown time zone"),
        ("  closes_at: next friday\n", "phases.closes_at", "is not a date and time"),
        ("  closes_at: 2027-02-30 12:00\n", "phases.closes_at", "does not exist"),
        ("  opens_at: 2026-03-08 02:30\n  time_zone: America/New_York\n", "phases.opens_at", "does not exist in America/New_York"),
        ("  closes_at: 2027-01-01 25:00\n", "phases.closes_at", "is not a valid date and time"),
        ("  time_zone: UTC\n", "phases", "neither opens_at nor closes_at"),
        ("  closes: 2027-01-01 00:00\n", "phases.closes", "closes"),
    ])
    func refuses(phases: String, field: String, message: String) throws {
        #expect(CompetitionManifestTests.refuses(CompetitionManifestTests.valid + "\nphases:\n" + phases, field: field, message),
                "\(phases)")
    }

    @Test("Before opens_at it is upcoming, then open, then closed at closes_at; a hand's close comes first")
    func phases() throws {
        let manifest = try Self.manifest("  opens_at: 2026-12-01 09:00\n  closes_at: 2026-12-31 09:00\n  time_zone: Asia/Tokyo\n")
        let opens = manifest.phases!.opensAt!, closes = manifest.phases!.closesAt!
        let before = CompetitionPhase(manifest, closedByHand: nil, now: opens - 3 * 3600)
        #expect(before == .upcoming(opensAt: opens))
        #expect(before.refusal("pococha", manifest, now: opens - 3 * 3600) == "'pococha' opens at 2026-12-01 09:00 Asia/Tokyo (in 3 h); submit then")
        #expect(CompetitionPhase(manifest, closedByHand: nil, now: opens) == .open)
        #expect(CompetitionPhase(manifest, closedByHand: nil, now: opens).refusal("pococha", manifest, now: opens) == nil)
        let after = CompetitionPhase(manifest, closedByHand: nil, now: closes + 86400 * 3)
        #expect(after == .closed(at: closes, byHand: false))
        #expect(after.refusal("pococha", manifest, now: closes + 86400 * 3)?.contains("closed at 2026-12-31 09:00 Asia/Tokyo (3 days ago)") == true)
        let byHand = opens + 86400
        let closed = CompetitionPhase(manifest, closedByHand: byHand, now: byHand + 60)
        #expect(closed == .closed(at: byHand, byHand: true))
        #expect(closed.refusal("pococha", manifest, now: byHand + 60)?.contains("was closed by a host at 2026-12-02 09:00 Asia/Tokyo") == true)
        let always = try CompetitionManifest.parse(CompetitionManifestTests.valid, file: "hekaton.yaml")
        #expect(CompetitionPhase(always, closedByHand: nil, now: Date()) == .open, "without phases it is always open")
    }
}

/// `metric.splits`: the public and private leaderboards' shares of the evaluation rows.
@Suite("Leaderboard splits")
struct LeaderboardSplitTests {
    static func manifest(_ splits: String) throws -> CompetitionManifest {
        try CompetitionManifest.parse(CompetitionManifestTests.valid.replacingOccurrences(
            of: "  direction: maximize\n", with: "  direction: maximize\n  splits: \(splits)\n"), file: "hekaton.yaml")
    }

    @Test("Shares that add up to 1 are read, and the score stage is told them as JSON")
    func parses() throws {
        let splits = try #require(try Self.manifest("{public: 0.3, private: 0.7}").metric.splits)
        #expect(splits.publicFraction == 0.3)
        let decoded = try JSONSerialization.jsonObject(with: Data(splits.json.utf8)) as? [String: Double]
        #expect(decoded?["public"] == 0.3 && abs((decoded?["private"] ?? 0) - 0.7) < 1e-12)
        #expect(try CompetitionManifest.parse(CompetitionManifestTests.valid, file: "h.yaml").metric.splits == nil)
    }

    @Test("Splits that do not add up, or name other parts, are refused", arguments: [
        ("{public: 0.3, private: 0.6}", "metric.splits", "do not add up to 1"),
        ("{public: 1, private: 0}", "metric.splits", "do not add up to 1 with both above 0"),
        ("{public: 0.3, test: 0.7}", "metric.splits.test", "test"),
        ("{public: 0.3}", "metric.splits.private", "private"),
    ])
    func refuses(splits: String, field: String, message: String) {
        let text = CompetitionManifestTests.valid.replacingOccurrences(of: "  direction: maximize\n", with: "  direction: maximize\n  splits: \(splits)\n")
        #expect(CompetitionManifestTests.refuses(text, field: field, message), "\(splits)")
    }
}

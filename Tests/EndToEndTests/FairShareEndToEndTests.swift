import ControlAPI
import ControlClient
import Foundation
import Testing

/// Fair sharing through the real daemon, with two real participants: the order in which the
/// stages started, read back from the jobs, is what is asserted; never a time.
@Suite("Fair sharing with real users", .serialized)
struct FairShareEndToEndTests {
    @Test("Participant A queues fifty submissions, then B one: B's first stage starts within one stage slot, before A's fifty end")
    func oneParticipantDoesNotHoldBackAnother() throws {
        try AccessRuleTests.ensureSecondUser()
        let second = AccessRuleTests.secondUser
        // One stage slot: whatever runs, runs one at a time.
        let daemon = try DaemonUnderTest.withPocochaDay(configuration: "max_concurrent_jobs: 1\n", listeners: 100, livers: 30)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition")) {
            $0.replacingOccurrences(of: "per_participant_per_day: 20", with: "per_participant_per_day: 60")
        }
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)
        let bundle = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: bundle)

        func submit(_ user: String, _ tag: String) throws -> SubmissionInfo {
            let result = try runCommand("/usr/sbin/runuser", ["-u", user, "--", BuiltProducts.hekatonctl,
                                                              "submit", "--competition", "pococha", "--tag", tag, "--json", bundle.path],
                                        environment: ["HEKATON_SOCKET": daemon.socketPath])
            try #require(result.status == 0, "\(user): \(result.stderr)")
            return try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8))
        }
        // A host job holds the one slot while the submissions queue up behind it.
        let holder = try hekatonctl(["job", "submit", "--json", "--", "/bin/sleep", "600"], socket: daemon.socketPath)
        try #require(holder.status == 0, "\(holder.stderr)")
        let holderID = try JSONDecoder().decode(JobInfo.self, from: Data(holder.stdout.utf8)).id
        try waitUntil("the host's job to hold the slot", timeout: .seconds(60), poll: .milliseconds(50)) {
            try daemon.client.call("GET", "/v1/jobs/\(holderID)", as: JobInfo.self).state == "running"
        }
        let fifty = try (1...50).map { try submit("nobody", "a-\($0)") }
        let bob = try submit(second, "b")
        for submission in fifty + [bob] {
            #expect(try daemon.client.call("GET", "/v1/submissions/\(submission.id)", as: SubmissionInfo.self).state == "queued")
        }
        #expect(try hekatonctl(["job", "cancel", "\(holderID)"], socket: daemon.socketPath).status == 0)
        // B's environment is A's (the same requirements): its first stage of its own is train.
        let bobTrain = try #require(bob.jobs["train"])
        try waitUntil("B's train stage to start", timeout: .seconds(600), poll: .milliseconds(200)) {
            try daemon.client.call("GET", "/v1/jobs/\(bobTrain)", as: JobInfo.self).startedAt != nil
        }
        let bobStarted = try #require(try daemon.client.call("GET", "/v1/jobs/\(bobTrain)", as: JobInfo.self).startedAt)
        let bobJob = try daemon.client.call("GET", "/v1/jobs/\(bobTrain)", as: JobInfo.self)
        #expect(bobJob.share == "participant:\(second)")

        // Every stage of A's own (the shared build aside) that started before B's train.
        var before: [Int64] = []
        for submission in fifty {
            for (stage, id) in submission.jobs where stage != "build" {
                let job = try daemon.client.call("GET", "/v1/jobs/\(id)", as: JobInfo.self)
                #expect(job.share == "participant:nobody")
                if let started = job.startedAt, started < bobStarted { before.append(id) }
            }
        }
        #expect(before.count <= 1, "at most one stage slot's worth of A's stages went first; \(before.count) did: \(before)")
        let scored = try fifty.filter { try daemon.client.call("GET", "/v1/submissions/\($0.id)", as: SubmissionInfo.self).state == "scored" }
        #expect(scored.count < 50, "B started before A's fifty ended")
    }
}

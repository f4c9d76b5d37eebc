import ControlAPI
import ControlClient
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Two daemons on one machine (a staging and a production instance, or tests beside the
/// service): their job ids coincide, yet neither touches the other's sandboxes.
@Suite("Daemon instances on one machine", .serialized, .enabled(if: getuid() == 0, "sandbox uids and control groups need root, as CI runs"))
struct InstanceIsolationTests {
    /// A Trainer that says it started, then waits for `release` in its model directory.
    static let waitsForRelease = """
            import os, time
            open(os.path.join(os.environ["HEKATON_MODEL_DIR"], "started"), "w").write("yes")
            while not os.path.exists(os.path.join(os.environ["HEKATON_MODEL_DIR"], "release")):
                time.sleep(0.05)
    """

    /// The processes of `daemon`'s stages: its descendants in a resource group of Hekaton's.
    func stageProcesses(_ daemon: DaemonUnderTest) -> [HostProcess] {
        HostProcess.descendants(of: daemon.pid).filter { $0.memoryGroup?.contains("/hekaton/") == true }
    }

    @Test("Stages with the same job id in two daemons run in groups and as uids of their own; one's end leaves the other running")
    func sameJobIDs() throws {
        let hostile = HostileSubmissionTests()
        let first = try hostile.daemonWithTightLimits(memory: "256MiB", wallTime: "120s")
        defer { first.stop() }
        let second = try hostile.daemonWithTightLimits(memory: "384MiB", wallTime: "120s")
        defer { second.stop() }
        var submissions: [SubmissionInfo] = []
        for daemon in [first, second] {
            let id = try hostile.submit(try hostile.hostile("waits", Self.waitsForRelease, in: daemon), daemon)
            submissions.append(try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self))
        }
        let trainJob = try #require(submissions[0].jobs["train"])
        try #require(submissions[1].jobs["train"] == trainJob, "the two train jobs share an id, as they would in two fresh daemons")
        try #require(submissions[0].id == submissions[1].id)
        let model = { (daemon: DaemonUnderTest) in daemon.stateDirectory + "/runs/submission-\(submissions[0].id)/model" }
        for daemon in [first, second] {
            try waitUntil("the train stage of \(daemon.root.path) to start", timeout: .seconds(180), poll: .milliseconds(100)) {
                FileManager.default.fileExists(atPath: model(daemon) + "/started")
            }
        }

        let firstStage = stageProcesses(first)
        let secondStage = stageProcesses(second)
        try #require(!firstStage.isEmpty && !secondStage.isEmpty, "each stage runs in a resource group")
        let firstGroups = Set(firstStage.compactMap(\.memoryGroup))
        let secondGroups = Set(secondStage.compactMap(\.memoryGroup))
        #expect(firstGroups.isDisjoint(with: secondGroups), "\(firstGroups) and \(secondGroups)")
        #expect(firstGroups.allSatisfy { ControlGroups.memoryLimit($0) == 256 << 20 }, "\(firstGroups.map { "\($0): \(ControlGroups.memoryLimit($0) ?? -1)" })")
        #expect(secondGroups.allSatisfy { ControlGroups.memoryLimit($0) == 384 << 20 }, "\(secondGroups.map { "\($0): \(ControlGroups.memoryLimit($0) ?? -1)" })")
        let firstUIDs = Set(firstStage.map(\.uid).filter { $0 != 0 })
        let secondUIDs = Set(secondStage.map(\.uid).filter { $0 != 0 })
        #expect(!firstUIDs.isEmpty && firstUIDs.isDisjoint(with: secondUIDs), "sandbox uids \(firstUIDs) and \(secondUIDs)")

        // The first daemon's stage ends (cancelled) and its group goes; the second's carries on.
        let cancel = try hekatonctl(["job", "cancel", "\(trainJob)"], socket: first.socketPath)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        try waitUntil("the first daemon's train job to be cancelled") {
            try first.client.call("GET", "/v1/jobs/\(trainJob)", as: JobInfo.self).state == "cancelled"
        }
        try "go".write(toFile: model(second) + "/release", atomically: true, encoding: .utf8)
        var trained: JobInfo?
        try waitUntil("the second daemon's train job to end", timeout: .seconds(60), poll: .milliseconds(100)) {
            trained = try second.client.call("GET", "/v1/jobs/\(trainJob)", as: JobInfo.self)
            return ["succeeded", "failed", "dead", "cancelled"].contains(trained!.state)
        }
        #expect(trained?.state == "succeeded", "\(trained?.state ?? "-"): \(trained?.error ?? "")")
        #expect(trained?.attempt == 1, "its first attempt was not killed")
    }

    @Test("At start-up a daemon removes its own instance's stale control groups, and no other instance's")
    func staleGroups() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var daemon = try DaemonUnderTest(root: root)
        let instance = try #require(try Self.instanceID(daemon), "the state directory names its instance")
        daemon.stop()

        let own = "hekaton/\(instance)/job-77"
        let other = "hekaton/other-\(UUID().uuidString.prefix(8).lowercased())/job-77"
        var sleepers: [Process] = []
        defer {
            for sleeper in sleepers where sleeper.isRunning { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() }
            ControlGroups.remove("hekaton/" + other.split(separator: "/")[1])
        }
        for group in [own, other] {
            try ControlGroups.make(group)
            let sleeper = try Process.run(URL(fileURLWithPath: "/bin/sleep"), arguments: ["300"])
            sleepers.append(sleeper)
            try ControlGroups.join(sleeper.processIdentifier, group)
        }

        try FileManager.default.removeItem(atPath: daemon.notify.path)
        daemon = try DaemonUnderTest(root: root)
        defer { daemon.stop() }
        try waitUntil("the daemon's stale group to be gone") { !ControlGroups.exists(own) }
        try waitUntil("the process left in it to be killed") { !sleepers[0].isRunning }
        #expect(ControlGroups.exists(other), "another instance's group stays")
        #expect(sleepers[1].isRunning, "and so does its process")
    }

    /// The instance id a daemon keeps in its state directory.
    static func instanceID(_ daemon: DaemonUnderTest) throws -> String? {
        let data = try Data(contentsOf: URL(fileURLWithPath: daemon.stateDirectory + "/instance.json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["id"] as? String
    }
}

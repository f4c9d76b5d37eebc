import ControlAPI
import ControlClient
import Foundation
import Testing

/// `retention:` in hekatond.yaml applied by the daemon's pruner loop, and what hekatonctl then
/// says about the versions whose data went.
extension DatasetEndToEndTests {
    @Test("The pruner removes an expired run directory and prunes old versions' data; gc frees it, fsck says pruned, dataset show and lineage say so")
    func retentionThroughThePruner() throws {
        let daemon = try DaemonUnderTest(configuration: "retention: {runs: 2s, dataset_versions: 1}\n")
        defer { daemon.stop() }
        // An ingestion's directory whose job job_retention already deleted: its last change dates it.
        let stale = daemon.stateDirectory + "/runs/ingest-999999"
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: true)
        let other = daemon.stateDirectory + "/runs/kept-by-the-host"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        for day in 1...3 {
            let data = try makeData(daemon.root, files: ["train/day.csv": "day \(day)\n", "train/shared.csv": "the same every day\n"])
            let registered = try hekatonctl(["dataset", "register", "demo", "--tag", "day\(day)", data.path], socket: daemon.socketPath)
            #expect(registered.status == 0, "\(registered.stderr)")
        }
        try waitUntil("the data of the two older versions to be pruned", timeout: .seconds(30)) {
            let detail = try daemon.client.call("GET", "/v1/datasets/demo", as: DatasetDetail.self)
            return detail.versions.map { $0.dataPrunedAt != nil } == [true, true, false]
        }
        try waitUntil("the expired run directory to be removed", timeout: .seconds(30)) { !FileManager.default.fileExists(atPath: stale) }
        #expect(FileManager.default.fileExists(atPath: other), "a name that is no run's stays")

        // gc frees each pruned version's manifest and own file, not the file the latest shares.
        let gc = try hekatonctl(["gc", "--grace", "0s", "--json"], socket: daemon.socketPath)
        #expect(gc.status == 0, "\(gc.stderr)")
        let collected = try JSONDecoder().decode(GCReport.self, from: Data(gc.stdout.utf8))
        #expect(collected.removedBlobs.count == 4, "\(collected)")

        let fsck = try hekatonctl(["fsck", "--json"], socket: daemon.socketPath)
        let report = try JSONDecoder().decode(FsckReport.self, from: Data(fsck.stdout.utf8))
        #expect(fsck.status == 0 && report.healthy && report.missing.isEmpty, "\(fsck.stdout)")
        #expect(report.prunedDatasetVersions == ["demo@day1", "demo@day2"])
        let text = try hekatonctl(["fsck"], socket: daemon.socketPath)
        #expect(text.stdout.contains("pruned: the data of 2 dataset version(s) was pruned by retention"), "\(text.stdout)")

        let show = try hekatonctl(["dataset", "show", "demo"], socket: daemon.socketPath)
        #expect(show.stdout.split(separator: "\n").filter { $0.contains("pruned by retention") }.count == 2, "\(show.stdout)")
        let lineage = try hekatonctl(["lineage", "dataset:demo@day1", "--downstream"], socket: daemon.socketPath)
        #expect(lineage.status == 0 && lineage.stdout.contains("data pruned by retention"), "\(lineage.stdout)\(lineage.stderr)")
        let json = try hekatonctl(["lineage", "dataset:demo@day1", "--format", "json"], socket: daemon.socketPath)
        #expect(json.stdout.contains("data_pruned_at"), "\(json.stdout)")
        try daemon.expectHealthyStore()
    }

    @Test("The pruner frees pruned versions' bytes itself once they are past gc's grace period: no host's cron needed")
    func retentionCollectsGarbage() throws {
        let daemon = try DaemonUnderTest(configuration: "retention: {runs: 2s, dataset_versions: 1}\n")
        defer { daemon.stop() }
        func register(_ day: Int) throws {
            let data = try makeData(daemon.root, files: ["train/day.csv": "day \(day)\n", "train/shared.csv": "the same every day\n"])
            let registered = try hekatonctl(["dataset", "register", "demo", "--tag", "day\(day)", data.path], socket: daemon.socketPath)
            #expect(registered.status == 0, "\(registered.stderr)")
        }
        func blobCount() throws -> Int {
            let fsck = try hekatonctl(["fsck", "--json"], socket: daemon.socketPath)
            return try JSONDecoder().decode(FsckReport.self, from: Data(fsck.stdout.utf8)).checkedBlobs
        }
        try register(1)
        try register(2)
        try waitUntil("day1's data to be pruned", timeout: .seconds(30)) {
            try daemon.client.call("GET", "/v1/datasets/demo", as: DatasetDetail.self).versions.first?.dataPrunedAt != nil
        }
        let before = try blobCount()
        #expect(before == 5, "each version's manifest and day file, the shared file once; young blobs stay within the grace period (an hour): \(before)")
        // Two hours pass for the stored bytes; then the next version prunes day2, and the pass frees both.
        let aged = try runCommand("/usr/bin/find", [daemon.stateDirectory + "/blobs", "-type", "f", "-exec", "touch", "-d", "2 hours ago", "{}", "+"])
        #expect(aged.status == 0, "\(aged.stderr)")
        try register(3)
        try waitUntil("the pruner to free the pruned versions' bytes", timeout: .seconds(30)) {
            daemon.log.contains("freed the blobs nothing references any more")
        }
        let after = try blobCount()
        #expect(after == 3, "day1's and day2's manifest and day file gone; day3's and the shared file left: \(after)")
        try daemon.expectHealthyStore()
    }
}

import ArgumentParser
import Foundation
import GRDB
import Lineage

extension HekatonBench {
    /// The lineage hot paths: hashing a dataset, registering it again unchanged, and
    /// walking the provenance graph.
    struct LineageBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lineage",
            abstract: "Snapshot hashing, re-registration and provenance queries.",
            subcommands: [Snapshot.self, Register.self, Query.self])
    }
}

/// Where generated data goes and how much of it there is.
struct GeneratedDataOptions: ParsableArguments {
    @Option(help: "Total size of the generated files, in MB (10^6 bytes).")
    var megabytes = 1024

    @Option(help: "Number of generated files; sizes vary from small to large.")
    var files = 200

    @Option(help: "Directory to generate data in (a temporary directory is made inside it).")
    var directory = NSTemporaryDirectory()

    func validate() throws {
        guard megabytes > 0, files > 0 else { throw ValidationError("--megabytes and --files must be positive") }
    }
}

extension HekatonBench.LineageBench {
    /// Snapshot hashing against `openssl dgst -sha256` over the same files, one core and
    /// every core, best of a few rounds (the cores are shared with other work).
    struct Snapshot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Snapshot hashing throughput compared with openssl dgst -sha256.")

        @OptionGroup var data: GeneratedDataOptions

        @Option(help: "Rounds per measurement; the best is reported.")
        var rounds = 3

        func run() throws {
            let workspace = try BenchWorkspace(under: data.directory)
            defer { workspace.remove() }
            let tree = try workspace.generateTree(megabytes: data.megabytes, files: data.files)
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let snapshot = try TreeSnapshot(store: BlobStore(root: workspace.path("blobs")), width: 1)
            let everyCore = TreeSnapshot(store: snapshot.store, width: cores)
            _ = try everyCore.manifest(of: tree.root)  // warms the page cache for every contender

            print("lineage snapshot: \(tree.files.count) files, \(megabytes(tree.totalBytes)) MB, \(cores) cores")
            let opensslOne = try best(rounds) { try OpenSSL.digest(tree.files, processes: 1) }
            let opensslAll = try best(rounds) { try OpenSSL.digest(tree.files, processes: cores) }
            var manifest: TreeManifest?
            let oursOne = try best(rounds) { manifest = try snapshot.manifest(of: tree.root) }
            let oursAll = try best(rounds) { manifest = try everyCore.manifest(of: tree.root) }

            // The figures mean nothing unless both computed the same digests.
            let reference = try OpenSSL.digests(tree.files)
            let ours = Dictionary(uniqueKeysWithValues: manifest!.entries.compactMap { entry -> (String, String)? in
                guard case .file(let digest, _, _) = entry.kind else { return nil }
                return (tree.root + "/" + entry.path, digest.hex)
            })
            precondition(ours == reference, "snapshot digests differ from openssl's")

            let rate = { (seconds: Double) in Double(tree.totalBytes) / 1e6 / seconds }
            print(String(format: "  openssl dgst -sha256, 1 process:   %7.0f MB/s", rate(opensslOne)))
            print(String(format: "  openssl dgst -sha256, %d processes: %7.0f MB/s (%.0f MB/s per core)", cores, rate(opensslAll), rate(opensslAll) / Double(cores)))
            print(String(format: "  TreeSnapshot, 1 thread:            %7.0f MB/s (%.0f%% of openssl per core)", rate(oursOne), 100 * opensslOne / oursOne))
            print(String(format: "  TreeSnapshot, %d threads:           %7.0f MB/s (%.0f MB/s per core, %.0f%% of openssl on every core)", cores, rate(oursAll), rate(oursAll) / Double(cores), 100 * opensslAll / oursAll))
        }
    }

    /// Registering a dataset, then the same unchanged dataset again: time and bytes written.
    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "First registration and re-registration of unchanged data: time and bytes written.")

        @OptionGroup var data: GeneratedDataOptions

        func run() throws {
            let workspace = try BenchWorkspace(under: data.directory)
            defer { workspace.remove() }
            let tree = try workspace.generateTree(megabytes: data.megabytes, files: data.files)
            let snapshot = try TreeSnapshot(store: BlobStore(root: workspace.path("blobs")))
            let database = try DatabasePool(path: workspace.path("hekaton.sqlite3"))
            var migrator = DatabaseMigrator()
            LineageSchema.registerMigrations(in: &migrator)
            try migrator.migrate(database)

            print("lineage register: \(tree.files.count) files, \(megabytes(tree.totalBytes)) MB")
            for attempt in ["first registration", "same data again"] {
                let before = ProcessIO.current()
                var outcome = ""
                var report: SnapshotReport?
                let seconds = try measure {
                    let captured = try snapshot.capture(tree.root)
                    report = captured
                    let registration = try database.write { db in
                        try DatasetVersion.register(dataset: "bench", manifest: captured.manifest, source: tree.root, at: Date(), db)
                    }
                    switch registration {
                    case .created(let version): outcome = "created \(version.tag)"
                    case .unchanged(let version): outcome = "unchanged, still \(version.tag)"
                    }
                }
                let io = ProcessIO.current().since(before)
                print("  \(attempt): \(String(format: "%.2f", seconds)) s, \(outcome); blob bytes written \(grouped(report!.bytesWritten)), "
                  + "write() bytes \(grouped(io.writeCalls)), bytes sent to storage \(grouped(io.storage))")
            }
        }
    }

    /// Upstream and downstream queries on a generated graph of competitions.
    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upstream and downstream query time on a generated provenance graph.")

        @Option(help: "Runs in the generated graph.")
        var runs = 100_000

        @Option(help: "Queries of each shape; the median and the slowest are reported.")
        var repetitions = 200

        @Option(help: "Directory for the SQLite file (a temporary directory is made inside it).")
        var directory = NSTemporaryDirectory()

        @Flag(help: "Run ANALYZE before querying, as a daemon running PRAGMA optimize would.")
        var analyze = false

        func run() throws {
            let workspace = try BenchWorkspace(under: directory)
            defer { workspace.remove() }
            let database = try DatabasePool(path: workspace.path("hekaton.sqlite3"))
            var migrator = DatabaseMigrator()
            LineageSchema.registerMigrations(in: &migrator)
            try migrator.migrate(database)

            var graph = BenchGraph()
            let buildSeconds = try measure { try database.write { try graph.build(runs: runs, $0) } }
            let counts = try database.read { db in
                try ["lineage_run", "lineage_edge", "lineage_model"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)")! }
            }
            print("lineage query: \(grouped(Int64(counts[0]))) runs, \(grouped(Int64(counts[1]))) edges, "
                  + "\(grouped(Int64(counts[2]))) models (built in \(String(format: "%.1f", buildSeconds)) s)"
                  + (analyze ? ", analyzed" : ""))

            if analyze { try database.write { try $0.execute(sql: "ANALYZE") } }
            var random = SplitMix64(seed: 42)
            let shapes: [(String, LineageGraph.Direction, () -> LineageNode)] = [
                ("upstream of an artifact", .upstream, { .artifact(graph.artifacts.randomElement(using: &random)!) }),
                ("upstream of a champion's artifact", .upstream, { .artifact(graph.championArtifacts.randomElement(using: &random)!) }),
                ("downstream of a training dataset version", .downstream, { .datasetVersion(graph.trainVersions.randomElement(using: &random)!) }),
                ("downstream of a test dataset version", .downstream, { .datasetVersion(graph.testVersions.randomElement(using: &random)!) }),
            ]
            for (name, direction, pick) in shapes {
                var times: [Double] = []
                var sizes: [Int] = []
                for _ in 0..<repetitions {
                    let node = pick()
                    var result: LineageGraph?
                    times.append(try measure { result = try database.read { try LineageGraph(direction: direction, root: node, $0) } })
                    sizes.append(result!.records.count)
                }
                times.sort()
                sizes.sort()
                let median = String(format: "%.2f", times[times.count / 2] * 1000)
                let slowest = String(format: "%.2f", times.last! * 1000)
                print("  \(name): median \(median) ms, slowest \(slowest) ms; "
                      + "\(sizes.first!)–\(sizes.last!) nodes (median \(sizes[sizes.count / 2]))")
            }
        }
    }
}

/// A generated provenance graph shaped like a busy Hekaton: competitions with a training
/// dataset of ten versions and a test dataset, participants' submissions (code bundles),
/// and for each submission attempt a train run, a score run and an artifact run. Every
/// tenth training retrains the competition's champion from its model and becomes the new
/// champion, which makes upstream chains some thirty trainings deep.
private struct BenchGraph {
    var artifacts: [Int64] = []
    /// The artifact of each competition's latest champion: the deepest upstream.
    var championArtifacts: [Int64] = []
    var trainVersions: [Int64] = []
    var testVersions: [Int64] = []

    mutating func build(runs: Int, _ db: Database) throws {
        // Rounded up, so the graph has at least `runs` runs.
        let competitions = max(1, runs / 1000)
        let attemptsPerCompetition = max(1, (runs + 3 * competitions - 1) / (3 * competitions))
        let now = Date()
        let environments = try (0..<20).map { index in
            try Environment.findOrCreate(digest: digest("environment \(index)"), at: now, db).id!
        }
        let insertRun = try db.makeStatement(sql: "INSERT INTO lineage_run (uuid, kind, job_id, status, started_at, finished_at) VALUES (?, ?, ?, 'succeeded', ?, ?)")
        let insertEdge = try db.makeStatement(sql: "INSERT INTO lineage_edge (run_id, direction, node_kind, node_id) VALUES (?, ?, ?, ?)")
        let insertModel = try db.makeStatement(sql: "INSERT INTO lineage_model (digest, run_id, created_at) VALUES (?, ?, ?)")
        let insertScore = try db.makeStatement(sql: "INSERT INTO lineage_score (metric, value, model_id, dataset_version_id, run_id, created_at) VALUES ('ndcg@10', ?, ?, ?, ?, ?)")
        let insertArtifact = try db.makeStatement(sql: "INSERT INTO lineage_artifact (kind, digest, run_id, created_at) VALUES ('serving-bundle', ?, ?, ?)")
        var job: Int64 = 0

        func run(_ kind: String, inputs: [(String, Int64)]) throws -> Int64 {
            job += 1
            try insertRun.execute(arguments: [UUID().uuidString.lowercased(), kind, job, now, now])
            let id = db.lastInsertedRowID
            for (nodeKind, nodeID) in inputs { try insertEdge.execute(arguments: [id, "input", nodeKind, nodeID]) }
            return id
        }

        for competition in 0..<competitions {
            var versions: [Int64] = []
            for version in 0..<10 {
                let manifest = try TreeManifest(entries: [.init(path: "train.csv", kind: .file(digest: digest("train \(competition) \(version)"), size: 1, executable: false))])
                versions.append(try DatasetVersion.register(dataset: "train-\(competition)", manifest: manifest, source: "bench", at: now, db).version.id!)
            }
            let testManifest = try TreeManifest(entries: [.init(path: "test.csv", kind: .file(digest: digest("test \(competition)"), size: 1, executable: false))])
            let test = try DatasetVersion.register(dataset: "test-\(competition)", manifest: testManifest, source: "bench", at: now, db).version.id!
            trainVersions += versions
            testVersions.append(test)
            let bundles = try (0..<50).map { submission in
                try CodeBundle.findOrCreate(digest: digest("code \(competition) \(submission)"), submitter: "participant-\(submission)", at: now, db).id!
            }

            var champion: Int64?
            var championArtifact: Int64?
            for attempt in 0..<attemptsPerCompetition {
                var inputs: [(String, Int64)] = [
                    ("dataset_version", versions[attempt * versions.count / attemptsPerCompetition]),
                    ("code_bundle", bundles[attempt % bundles.count]),
                    ("environment", environments[(competition + attempt) % environments.count]),
                ]
                if attempt % 10 == 0, let champion { inputs.append(("model", champion)) }
                let train = try run("train", inputs: inputs)
                try insertModel.execute(arguments: [digest("model \(competition) \(attempt)").description, train, now])
                let model = db.lastInsertedRowID
                try insertEdge.execute(arguments: [train, "output", "model", model])

                let score = try run("score", inputs: [("model", model), ("dataset_version", test)])
                try insertScore.execute(arguments: [Double(attempt % 1000) / 1000, model, test, score, now])
                try insertEdge.execute(arguments: [score, "output", "score", db.lastInsertedRowID])

                let build = try run("artifact", inputs: [("model", model)])
                try insertArtifact.execute(arguments: [digest("artifact \(competition) \(attempt)").description, build, now])
                artifacts.append(db.lastInsertedRowID)
                try insertEdge.execute(arguments: [build, "output", "artifact", db.lastInsertedRowID])
                if attempt % 10 == 0 {
                    champion = model
                    championArtifact = artifacts.last
                }
            }
            championArtifacts.append(championArtifact!)
        }
    }

    /// Digests here need only be well-formed, distinct and the same on every run: FNV-1a.
    private func digest(_ text: String) -> Digest {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return try! Digest(hex: String(repeating: "0", count: 64 - hex.count) + hex)
    }
}

/// A temporary directory for one benchmark, and the files generated in it.
private struct BenchWorkspace {
    let root: String

    struct Tree {
        var root: String
        var files: [String]
        var totalBytes: Int64
    }

    init(under parent: String) throws {
        root = (parent as NSString).appendingPathComponent("hekaton-bench-lineage-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    /// Files from a few kilobytes to tens of megabytes (sizes in a 1:64 spread), in a few
    /// directories, filled with pseudo-random bytes so nothing is sparse or compressible.
    func generateTree(megabytes: Int, files count: Int) throws -> Tree {
        let total = Int64(megabytes) * 1_000_000
        let weights = (0..<count).map { 1 << ($0 % 7) }
        let weightSum = Int64(weights.reduce(0, +))
        var random = SplitMix64(seed: 7)
        var files: [String] = []
        var written: Int64 = 0
        var chunk = [UInt64](repeating: 0, count: 1 << 17)
        for (index, weight) in weights.enumerated() {
            let size = index == count - 1 ? total - written : total * Int64(weight) / weightSum
            let file = path("data/part-\(index % 8)/file-\(index).bin")
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: file, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            var remaining = Int(size)
            while remaining > 0 {
                for slot in chunk.indices { chunk[slot] = random.next() }
                let length = min(remaining, chunk.count * 8)
                chunk.withUnsafeBytes { handle.write(Data($0.prefix(length))) }
                remaining -= length
            }
            try handle.close()
            files.append(file)
            written += size
        }
        // Flushed now, so write-back of the generated data does not compete with the
        // measurements that follow.
        sync()
        return Tree(root: path("data"), files: files, totalBytes: written)
    }

    func remove() {
        // Materialized or stored files are read-only; removal only needs the directories writable.
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// `openssl dgst -sha256` as a child process, the reference for hashing speed.
private enum OpenSSL {
    /// Hashes `files` with `processes` openssl processes at once, the files dealt out by size.
    static func digest(_ files: [String], processes: Int) throws {
        var groups = Array(repeating: [String](), count: processes)
        for (index, file) in files.enumerated() { groups[index % processes].append(file) }
        let children = try groups.filter { !$0.isEmpty }.map { group in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["dgst", "-sha256"] + group
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        for child in children {
            child.waitUntilExit()
            precondition(child.terminationStatus == 0, "openssl failed")
        }
    }

    /// File path → hex digest, as openssl computes them.
    static func digests(_ files: [String]) throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["dgst", "-sha256"] + files
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var digests: [String: String] = [:]
        for line in text.split(separator: "\n") {
            // "SHA2-256(/path/file)= 3f2a…"
            guard let open = line.firstIndex(of: "("), let close = line.range(of: ")= ", options: .backwards) else { continue }
            digests[String(line[line.index(after: open)..<close.lowerBound])] = String(line[close.upperBound...])
        }
        return digests
    }
}

/// This process's I/O counters from `/proc/self/io`.
private struct ProcessIO {
    /// Bytes passed to write-like system calls.
    var writeCalls: Int64
    /// Bytes this process caused to be sent to the storage layer.
    var storage: Int64

    static func current() -> ProcessIO {
        let text = (try? String(contentsOfFile: "/proc/self/io", encoding: .utf8)) ?? ""
        var fields: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":")
            if parts.count == 2 { fields[String(parts[0])] = Int64(parts[1].trimmingCharacters(in: .whitespaces)) }
        }
        return ProcessIO(writeCalls: fields["wchar"] ?? 0, storage: fields["write_bytes"] ?? 0)
    }

    func since(_ earlier: ProcessIO) -> ProcessIO {
        ProcessIO(writeCalls: writeCalls - earlier.writeCalls, storage: storage - earlier.storage)
    }
}

/// A small, seedable generator so every run builds the same data and graph.
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func measure(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let elapsed = start.duration(to: clock.now).components
    return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
}

/// The fastest of `rounds` runs of `body`, in seconds.
private func best(_ rounds: Int, _ body: () throws -> Void) rethrows -> Double {
    var fastest = Double.infinity
    for _ in 0..<max(1, rounds) { fastest = min(fastest, try measure(body)) }
    return fastest
}

private func megabytes(_ bytes: Int64) -> String {
    String(format: "%.0f", Double(bytes) / 1e6)
}

private func grouped(_ value: Int64) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return (value < 0 ? "-" : "") + result
}

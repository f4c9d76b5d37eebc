import ControlAPI
import ControlClient
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("What hekatond refuses at start-up, and what it recovers from")
struct StartupTests {
    @Test("A second daemon on the same state directory exits non-zero naming the running one")
    func secondDaemon() throws {
        let first = try DaemonUnderTest()
        defer { first.stop() }
        let second = try runCommand(BuiltProducts.hekatond, ["--state-dir", first.stateDirectory,
                                                             "--socket", first.root.appendingPathComponent("other.sock").path])
        #expect(second.status != 0)
        #expect(second.stderr.contains("pid \(first.pid)"), "message: \(second.stderr)")
        #expect(second.stderr.contains(first.stateDirectory))
        #expect(try first.client.call("GET", "/v1/status", as: StatusResponse.self).pid == first.pid)
    }

    @Test("A live daemon's socket is not taken over by a daemon on another state directory")
    func liveSocketKept() throws {
        let first = try DaemonUnderTest()
        defer { first.stop() }
        let other = first.root.appendingPathComponent("other-state").path
        let second = try runCommand(BuiltProducts.hekatond, ["--state-dir", other, "--socket", first.socketPath])
        #expect(second.status != 0)
        #expect(second.stderr.contains("already listening on \(first.socketPath)"), "message: \(second.stderr)")
        #expect(try first.client.call("GET", "/v1/status", as: StatusResponse.self).pid == first.pid)
    }

    @Test("A stale socket file left by a killed daemon is replaced")
    func staleSocketReplaced() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try DaemonUnderTest(root: root)
        first.signal(SIGKILL)
        _ = try first.waitForExit()
        #expect(FileManager.default.fileExists(atPath: first.socketPath), "kill -9 leaves the socket file behind")
        try FileManager.default.removeItem(atPath: first.notify.path)
        let second = try DaemonUnderTest(root: root)
        defer { second.stop() }
        #expect(try second.client.call("GET", "/v1/status", as: StatusResponse.self).pid == second.pid)
    }

    @Test("A database written by a newer hekatond is refused and left untouched")
    func newerDatabase() throws {
        let root = try makeScratchDirectory()
        let first = try DaemonUnderTest(root: root)
        first.stop()
        let database = first.stateDirectory + "/hekaton.sqlite3"
        let insert = try runCommand("/usr/bin/env", ["python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO grdb_migrations VALUES ('zz-from-the-future')\"); c.commit()",
            database])
        try #require(insert.status == 0, "\(insert.stderr)")
        let dump = ["python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('SELECT group_concat(name) FROM (SELECT name FROM sqlite_master ORDER BY name)').fetchone()[0]); print(c.execute('SELECT group_concat(identifier) FROM (SELECT identifier FROM grdb_migrations ORDER BY 1)').fetchone()[0])",
            database]
        let before = try runCommand("/usr/bin/env", dump).stdout
        let second = try refusedStart(first)
        #expect(second.stderr.contains("newer hekatond"), "message: \(second.stderr)")
        #expect(second.stderr.contains("zz-from-the-future"))
        #expect(try runCommand("/usr/bin/env", dump).stdout == before, "no table or migration was added")
        try? FileManager.default.removeItem(at: root)
    }

    /// A stopped daemon's state directory with a registered dataset (so the blob store holds blobs).
    func stoppedStateWithBlobs(_ root: URL) throws -> DaemonUnderTest {
        let daemon = try DaemonUnderTest(root: root)
        let data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try "1,2\n".write(to: data.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
        let registered = try hekatonctl(["dataset", "register", "demo", data.path], socket: daemon.socketPath)
        try #require(registered.status == 0, "\(registered.stderr)")
        daemon.stop()
        try #require(try daemon.waitForExit() == 0, "\(daemon.log)")
        let wal = daemon.stateDirectory + "/hekaton.sqlite3-wal"
        let walBytes = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? NSNumber)?.intValue ?? 0
        #expect(walBytes == 0, "a clean stop checkpoints the write-ahead log into the database file")
        return daemon
    }

    /// hekatond on `daemon`'s state directory, expected to refuse to start (exit 1); one that
    /// starts instead is stopped after 30 s, and the test fails rather than hangs.
    func refusedStart(_ daemon: DaemonUnderTest, sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
        let result = try runCommand("/usr/bin/timeout", ["30", BuiltProducts.hekatond, "--state-dir", daemon.stateDirectory,
                                                         "--socket", daemon.socketPath])
        #expect(result.status == 1, "hekatond started (124: stopped by timeout) instead of refusing", sourceLocation: sourceLocation)
        return result
    }

    @Test("A database with a damaged page is refused at start-up, saying to restore it from a backup, and left untouched")
    func damagedDatabase() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try stoppedStateWithBlobs(root)
        let database = first.stateDirectory + "/hekaton.sqlite3"
        // Every page in the file itself (a no-op after the daemon's own checkpoint at stop).
        let checkpoint = try runCommand("/usr/bin/sqlite3", [database, "PRAGMA wal_checkpoint(TRUNCATE)"])
        try #require(checkpoint.status == 0, "\(checkpoint.stderr)")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: database)[.size] as? NSNumber).uint64Value
        try #require(size >= 16 * 4096, "the tables are in \(database) (\(size) bytes)")
        // Two pages of garbage in the middle: some table's or index's b-tree pages.
        try Damage.overwrite(database, at: size / 2 / 4096 * 4096, count: 2 * 4096)
        let damaged = try Data(contentsOf: URL(fileURLWithPath: database))

        let second = try refusedStart(first)
        #expect(second.stderr.contains("\(database) is damaged"), "message: \(second.stderr)")
        #expect(second.stderr.contains("restore \(database) from a backup"), "message: \(second.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == damaged, "nothing was written to the damaged file")
    }

    @Test("A missing or empty database beside a blob store that holds blobs is refused, naming both; a fresh state directory starts",
          arguments: ["missing", "empty"])
    func newDatabaseBesideBlobs(_ how: String) throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try stoppedStateWithBlobs(root)
        let database = first.stateDirectory + "/hekaton.sqlite3"
        for file in [database, database + "-wal", database + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
        if how == "empty" { try #require(FileManager.default.createFile(atPath: database, contents: nil)) }

        let second = try refusedStart(first)
        let blobs = first.stateDirectory + "/blobs"
        #expect(second.stderr.contains("the database \(database) is missing or empty"), "message: \(second.stderr)")
        #expect(second.stderr.contains("the blob store \(blobs) holds blobs"), "message: \(second.stderr)")
        #expect(second.stderr.contains("Restore \(database) from a backup"), "message: \(second.stderr)")
        #expect(how == "empty" ? (try FileManager.default.attributesOfItem(atPath: database)[.size] as? NSNumber) == 0
                               : !FileManager.default.fileExists(atPath: database), "the database was not created")

        // The same state directory without its blobs is a fresh install, and starts.
        try FileManager.default.removeItem(atPath: blobs)
        try? FileManager.default.removeItem(atPath: first.notify.path)
        let fresh = try DaemonUnderTest(root: root)
        defer { fresh.stop() }
        #expect(try fresh.client.call("GET", "/v1/datasets", as: DatasetList.self).datasets.isEmpty)
    }

    @Test("A state directory the sandbox users cannot reach is refused at start-up, naming the directory and the permission",
          .enabled(if: getuid() == 0, "sandboxes run as uids of their own only under root"))
    func unreachableStateDirectory() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let closed = root.appendingPathComponent("closed")
        try FileManager.default.createDirectory(at: closed, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let daemon = try DaemonUnderTest(root: closed, waitForReady: false)
        #expect(try daemon.waitForExit() != 0, "it refuses to start")
        #expect(daemon.log.contains(closed.path), "\(daemon.log)")
        #expect(daemon.log.contains("o+x"), "\(daemon.log)")
        #expect(daemon.notify.index(of: "READY=1") == nil)
    }

    @Test("After a crash, READY is sent only once the earlier daemon's leases are rescued")
    func readyAfterRescue() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let pidFile = root.appendingPathComponent("child.pid").path
        let first = try DaemonUnderTest(root: root)
        let submitted = try hekatonctl(["job", "submit", "--json", "--", "/bin/sh", "-c", "echo $$ > \(pidFile); exec sleep 300"],
                                       socket: first.socketPath)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let id = try JSONDecoder().decode(JobInfo.self, from: Data(submitted.stdout.utf8)).id
        try waitUntil("the job to run") { FileManager.default.fileExists(atPath: pidFile) }
        first.signal(SIGKILL)
        _ = try first.waitForExit()
        // Outside systemd the child outlives the daemon; end it here.
        if let child = Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(child, SIGKILL)
        }

        try FileManager.default.removeItem(atPath: first.notify.path)
        let second = try DaemonUnderTest(root: root)
        defer { second.stop() }
        let ready = try #require(second.notify.index(of: "READY=1"))
        let rescued = second.notify.index(of: "STATUS=rescued 1 job")
        #expect(rescued.map { $0 < ready } == true, "the rescue is announced before READY: \(second.notify.messages)")
        let job = try second.client.call("GET", "/v1/jobs/\(id)", as: JobInfo.self)
        #expect(!(job.state == "running" && job.attempt == 1), "at READY the crashed attempt no longer holds the job")
    }

    @Test("A configuration file with an unknown key names the file, the line and the key")
    func unknownConfigurationKey() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("bad.yaml").path
        try "socket_mode: \"0660\"\nadmin_grup: wheel\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runCommand(BuiltProducts.hekatond, ["--config", file, "--state-dir", root.path + "/s"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(file):2"), "message: \(result.stderr)")
        #expect(result.stderr.contains("admin_grup"))
        #expect(result.stderr.contains("did you mean 'admin_group'"))
        #expect(!FileManager.default.fileExists(atPath: root.path + "/s/hekaton.sqlite3"), "nothing is created")
    }

    @Test("hekatonctl says where it looked and how to start the daemon when none runs")
    func noDaemon() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let socket = root.appendingPathComponent("none.sock").path
        let result = try hekatonctl(["status"], socket: socket)
        #expect(result.status == 69)
        #expect(result.stderr.contains(socket))
        #expect(result.stderr.contains("systemctl start hekatond"))
    }
}

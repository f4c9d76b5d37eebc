import Foundation
import Testing

@Suite("hekaton-bench ctl")
struct CtlBenchTests {
    @Test("Against a daemon of its own, it prints a row for each command it measured, and stops the daemon")
    func printsItsTable() throws {
        let before = try Self.benchDirectories()
        let bench = try runCommand(BuiltProducts.hekatonBench, ["ctl", "--calls", "2",
                                                                "--hekatonctl", BuiltProducts.hekatonctl,
                                                                "--hekatond", BuiltProducts.hekatond])
        #expect(bench.status == 0, "\(bench.stderr)")
        let rows = bench.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first == "ctl: 2 calls of each, in turn; milliseconds per call")
        #expect(rows.contains { $0.hasPrefix("ctl: COMMAND") && $0.contains("CPU p50") && $0.contains("WALL p90") }, "\(rows)")
        for command in ["hekatonctl status", "hekatonctl --version"] {
            // A figure is a number; which number is never asserted.
            let row = rows.first { $0.hasPrefix("ctl: " + command + " ") }
            #expect(row?.split(separator: " ").suffix(4).allSatisfy { Double($0) != nil } == true, "\(rows)")
        }
        let leftovers = try Self.benchDirectories().subtracting(before)
        #expect(leftovers.isEmpty, "the bench removes its state directory: \(leftovers)")
    }

    static func benchDirectories() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("hekaton-ctl-bench-") })
    }
}

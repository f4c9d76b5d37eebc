import Execution
import Foundation
import Scheduler
import Testing

@Suite("Waiting for children")
struct ChildReaperTests {
    let fixture: ExecutionFixture
    let executor = LocalExecutor(configuration: LocalExecutorConfiguration(gracePeriod: .milliseconds(300)))

    init() throws { fixture = try ExecutionFixture() }

    /// The names of this process's threads, as the kernel shows them.
    static func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test("Children running at once are waited for by one thread, not a thread each, and every exit is seen")
    func oneThreadForAllChildren() async throws {
        // One child first: once its exit has been seen, the reaper thread runs and has named itself.
        let first = try await executor.run(try fixture.job(["/bin/true"]),
                                           context: ExecutionContext(logURL: URL(fileURLWithPath: fixture.path("first.log")), stop: ExecutionStop()))
        #expect(first.termination == .exited(0))
        let count = 12
        let stops = (0..<count).map { _ in ExecutionStop() }
        let jobs = try (0..<count).map { i in
            try fixture.job(["/bin/sh", "-c", "echo $$ > \(fixture.path("child-\(i).pid")); exec sleep 100"])
        }
        try await withThrowingTaskGroup(of: ExecutionResult.self) { group in
            for (i, job) in jobs.enumerated() {
                let context = ExecutionContext(logURL: URL(fileURLWithPath: fixture.path("job-\(i).log")), stop: stops[i])
                group.addTask { [executor] in try await executor.run(job, context: context) }
            }
            for i in 0..<count { _ = try await fixture.pid(writtenTo: "child-\(i).pid") }
            let names = Self.threadNames()
            #expect(names.filter { $0.hasPrefix("hekaton-wait") }.isEmpty, "\(names)")
            #expect(names.filter { $0 == "hekaton-reaper" }.count == 1, "\(names)")
            for stop in stops { stop.request(.cancel) }
            var results: [ExecutionResult] = []
            for try await result in group { results.append(result) }
            #expect(results.count == count)
            #expect(results.allSatisfy { $0.stoppedBy == .cancel && $0.termination == .signalled(SIGTERM) })
        }
    }
}

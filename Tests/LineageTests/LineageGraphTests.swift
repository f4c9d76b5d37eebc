import TestSupport
import Foundation
import GRDB
import Testing
@testable import Lineage

@Suite("Lineage graph and exports")
struct LineageGraphTests {
    private let options = OpenLineageOptions(namespace: "hekaton://test-host", producer: "https://example.org/hekaton/v0.1.0")

    private func chainGraphs() throws -> (LineageChain, upstream: LineageGraph, downstream: LineageGraph) {
        let database = try LineageChain.makeDatabase()
        return try database.write { db in
            let chain = try LineageChain.build(db)
            return (chain, try LineageGraph.upstream(of: chain.artifact.node, db), try LineageGraph.downstream(of: chain.trainData.node, db))
        }
    }

    @Test("upstream of an artifact reaches the data, code and environment it came from")
    func upstreamComplete() throws {
        let (chain, upstream, _) = try chainGraphs()
        #expect(Set(upstream.nodes) == [
            chain.artifact.node, chain.artifactRun.node, chain.model.node, chain.trainRun.node,
            chain.trainData.node, chain.code.node, chain.environment.node,
        ])
        #expect(Set(upstream.edges) == [
            LineageEdge(runID: chain.artifactRun.id!, direction: .input, node: chain.model.node),
            LineageEdge(runID: chain.artifactRun.id!, direction: .output, node: chain.artifact.node),
            LineageEdge(runID: chain.trainRun.id!, direction: .input, node: chain.trainData.node),
            LineageEdge(runID: chain.trainRun.id!, direction: .input, node: chain.code.node),
            LineageEdge(runID: chain.trainRun.id!, direction: .input, node: chain.environment.node),
            LineageEdge(runID: chain.trainRun.id!, direction: .output, node: chain.model.node),
        ])
        #expect(upstream.contexts[chain.trainRun.node]?.map(\.name) == ["movielens-challenge"])
    }

    @Test("downstream of a dataset version reaches everything that must be rebuilt")
    func downstreamComplete() throws {
        let (chain, _, downstream) = try chainGraphs()
        #expect(Set(downstream.nodes) == [
            chain.trainData.node, chain.trainRun.node, chain.model.node, chain.scoreRun.node,
            chain.score.node, chain.artifactRun.node, chain.artifact.node,
        ])
        #expect(!downstream.nodes.contains(chain.code.node), "the code is an input, not derived from the data")
        #expect(Set(downstream.edges) == [
            LineageEdge(runID: chain.trainRun.id!, direction: .input, node: chain.trainData.node),
            LineageEdge(runID: chain.trainRun.id!, direction: .output, node: chain.model.node),
            LineageEdge(runID: chain.scoreRun.id!, direction: .input, node: chain.model.node),
            LineageEdge(runID: chain.scoreRun.id!, direction: .output, node: chain.score.node),
            LineageEdge(runID: chain.artifactRun.id!, direction: .input, node: chain.model.node),
            LineageEdge(runID: chain.artifactRun.id!, direction: .output, node: chain.artifact.node),
        ], "the score run's other input, the test data, is not downstream")
    }

    @Test("upstream of a score includes the data it was measured on and the model's own history")
    func scoreUpstream() throws {
        let database = try LineageChain.makeDatabase()
        try database.write { db in
            let chain = try LineageChain.build(db)
            let graph = try LineageGraph.upstream(of: chain.score.node, db)
            #expect(Set(graph.nodes) == [
                chain.score.node, chain.scoreRun.node, chain.model.node, chain.testData.node,
                chain.trainRun.node, chain.trainData.node, chain.code.node, chain.environment.node,
            ])
            let missing = #expect(throws: LineageError.self) { try LineageGraph.upstream(of: .model(999), db) }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("a long chain of retrained models comes back whole")
    func deepChain() throws {
        let database = try LineageChain.makeDatabase()
        try database.write { db in
            let data = try DatasetVersion.register(dataset: "d", manifest: LineageChain.manifest("d"), source: "s", at: LineageChain.start, db).version
            var previous: LineageNode = data.node
            for step in 0..<300 {
                var run = try Run.start(.train, jobID: nil, inputs: [previous, data.node], at: LineageChain.start, db)
                previous = try run.recordModel(digest: LineageChain.digest("model \(step)"), at: LineageChain.start, db).node
                try run.finish(.succeeded, at: LineageChain.start, db)
            }
            let upstream = try LineageGraph.upstream(of: previous, db)
            #expect(upstream.nodes.count == 601, "300 runs, 300 models and the data")
            let downstream = try LineageGraph.downstream(of: data.node, db)
            #expect(downstream.nodes.count == 601)
            let tree = upstream.treeText()
            #expect(tree.contains("(see above)"), "the data, used by every run, is expanded once")
            // The root, each run, each earlier model, and the data once per run.
            #expect(tree.split(separator: "\n").count == 1 + 300 + 299 + 300)
        }
    }

    @Test("graph queries stay on the edge indexes, without Bloom filters, even after ANALYZE")
    func queryPlan() throws {
        let database = try LineageChain.makeDatabase()
        try database.write { db in
            _ = try LineageChain.build(db)
            try db.execute(sql: "ANALYZE")
            for direction in LineageGraph.Direction.allCases {
                let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + LineageGraph.reachQuery(direction), arguments: ["model", 1])
                    .map { $0["detail"] as String }
                #expect(!plan.contains { $0.contains("BLOOM FILTER") }, "\(direction): \(plan)")
                #expect(!plan.contains { $0.hasPrefix("SCAN e") }, "\(direction): \(plan)")
                #expect(plan.contains { $0.contains("USING COVERING INDEX lineage_edge_by_node") }, "\(direction): \(plan)")
                #expect(plan.contains { $0.contains("USING PRIMARY KEY (run_id=? AND direction=?)") }, "\(direction): \(plan)")
            }
        }
    }

    @Test("tree: one readable line per node, digests shortened")
    func treeExport() throws {
        let (chain, upstream, downstream) = try chainGraphs()
        let tree = upstream.treeText()
        #expect(tree == """
            upstream of artifact serving-bundle #1  \(chain.artifact.digest.short)
            └── made by artifact run #3  succeeded · 2025-06-15T15:18:40Z · job 43
                └── used model #1  \(chain.model.digest.short)
                    └── made by train run #1  succeeded · 2025-06-15T15:12:40Z · job 41
                        ├── used dataset movielens@v1  \(chain.trainData.rootDigest.short) · 5 B · 1 file
                        ├── used code bundle #1 by alice  \(chain.code.digest.short)
                        └── used environment #1  \(chain.environment.digest.short)

            """)
        let down = downstream.treeText()
        #expect(down.contains("└── used by train run #1"))
        #expect(down.contains("produced score #1 ndcg@10 = 0.4312\n"))
        #expect(down.contains("produced artifact serving-bundle #1"))
        #expect(!down.contains(chain.code.digest.short))
    }

    @Test("json: every node with its row, every edge")
    func jsonExport() throws {
        let (chain, upstream, _) = try chainGraphs()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(upstream.jsonText().utf8)) as? [String: Any])
        #expect(object["direction"] as? String == "upstream")
        #expect(object["root"] as? String == chain.artifact.node.description)
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(Set(nodes.compactMap { $0["id"] as? String }) == Set(upstream.nodes.map(\.description)))
        let version = try #require(nodes.first { $0["kind"] as? String == "dataset_version" }?["record"] as? [String: Any])
        #expect(version["dataset_name"] as? String == "movielens")
        #expect(version["root_digest"] as? String == chain.trainData.rootDigest.description)
        let edges = try #require(object["edges"] as? [[String: Any]])
        #expect(edges.count == upstream.edges.count)
        #expect(edges.contains { $0["run"] as? String == "run#1" && $0["direction"] as? String == "output" && $0["node"] as? String == "model#1" })
    }

    @Test("dot: shapes per kind, and it renders with Graphviz")
    func dotExport() throws {
        let (chain, _, downstream) = try chainGraphs()
        let dot = downstream.dotText()
        #expect(dot.hasPrefix("digraph lineage {"))
        #expect(dot.contains("\"dataset_version#1\" [shape=cylinder"))
        #expect(dot.contains("\"model#1\" [shape=box3d"))
        #expect(dot.contains("\"dataset_version#1\" -> \"run#1\";"), "inputs point into their run")
        #expect(dot.contains("\"run#1\" -> \"model#1\";"), "a run points to its outputs")
        #expect(dot.contains("penwidth=3"), "the root stands out")

        guard ChildProcess.exists("/usr/bin/dot") else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("lineage.dot", dot)
        let rendered = try ChildProcess.run("/usr/bin/dot", ["-Tsvg", file])
        #expect(rendered.status == 0, "dot: \(rendered.errors)")
        #expect(rendered.errors.isEmpty, "dot warned: \(rendered.errors)")
        #expect(rendered.text.contains("<svg"))
        #expect(rendered.text.contains("movielens@v1"))
        for node in downstream.nodes {
            #expect(rendered.text.contains("<title>\(node)</title>"), "\(node) is drawn")
        }
        #expect(rendered.text.contains("fill=\"#fce7f3\""), "the artifact has its colour")
    }

    @Test("openlineage: START and COMPLETE per run, with inputs and outputs")
    func openLineageEvents() throws {
        let (chain, upstream, downstream) = try chainGraphs()
        let events = downstream.openLineageEvents(options)
        #expect(events.count == 6)
        #expect(events.map(\.eventType) == [.start, .complete, .start, .complete, .start, .complete])
        let train = try #require(events.first { $0.run.runId == chain.trainRun.uuid.uuidString.lowercased() && $0.eventType == .complete })
        #expect(train.job.name == "movielens-challenge.train")
        #expect(train.job.namespace == options.namespace)
        #expect(train.inputs.map(\.name) == ["datasets/movielens"])
        #expect(train.outputs.map(\.name) == ["models/\(chain.model.id!)"])
        #expect(train.outputs.first?.facets.version?.datasetVersion == chain.model.digest.description)
        #expect(train.eventTime == "2025-06-15T15:14:40.000Z")
        #expect(events.allSatisfy { $0.producer == options.producer && $0.schemaURL.hasPrefix("https://openlineage.io/spec/") })

        let upstreamTrain = try #require(upstream.openLineageEvents(options).first { $0.run.runId == chain.trainRun.uuid.uuidString.lowercased() && $0.eventType == .start })
        #expect(Set(upstreamTrain.inputs.map(\.name)) == ["datasets/movielens", "code-bundles/1", "environments/1"])
        #expect(upstreamTrain.outputs.isEmpty, "outputs are reported when the run ends")
    }

    @Test("openlineage: a failed run ends with FAIL, a running one has only START")
    func openLineageStatuses() throws {
        let database = try LineageChain.makeDatabase()
        try database.write { db in
            let data = try DatasetVersion.register(dataset: "d", manifest: LineageChain.manifest("d"), source: "s", at: LineageChain.start, db).version
            var failed = try Run.start(.train, jobID: nil, inputs: [data.node], at: LineageChain.start, db)
            try failed.finish(.failed, at: LineageChain.start + 5, db)
            _ = try Run.start(.train, jobID: nil, inputs: [data.node], at: LineageChain.start + 10, db)
            let events = try LineageGraph.downstream(of: data.node, db).openLineageEvents(options)
            #expect(events.map(\.eventType) == [.start, .fail, .start])
        }
    }

    @Test("openlineage: every event validates against the OpenLineage RunEvent schema")
    func openLineageValidates() throws {

        let (_, upstream, downstream) = try chainGraphs()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let valid = try directory.write("events.ndjson", try upstream.openLineageText(options) + downstream.openLineageText(options))
        let broken = try directory.write("broken.ndjson", #"{"eventTime":"2025-06-15T15:15:00.000Z","producer":"https://example.org","job":{"namespace":"n","name":"j"},"run":{"runId":"not-a-uuid"}}"# + "\n")

        let accepted = try validateOpenLineage(valid)
        #expect(accepted.status == 0, "validation failed: \(accepted.errors)")
        // Two runs upstream of the artifact and three downstream of the data, two events each.
        #expect(accepted.text.trimmingCharacters(in: .whitespacesAndNewlines) == "10")
        let rejected = try validateOpenLineage(broken)
        #expect(rejected.status != 0, "the validator must reject a bad runId, or it proves nothing")
        #expect(URL(string: options.producer)?.scheme == "https")
    }

    private func validateOpenLineage(_ events: String) throws -> ChildProcess {
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/OpenLineage.json").path
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            validator = Draft202012Validator(json.load(open(sys.argv[1])), format_checker=Draft202012Validator.FORMAT_CHECKER)
            count = 0
            for line in open(sys.argv[2]):
                validator.validate(json.loads(line))
                count += 1
            print(count)
            """
        // Through env: the python3 on PATH is the one with jsonschema installed.
        return try ChildProcess.run("/usr/bin/env", ["python3", "-c", script, schema, events])
    }

    @Test("every format renders through one entry point")
    func renderEveryFormat() throws {
        let (_, upstream, _) = try chainGraphs()
        for format in LineageExportFormat.allCases {
            let text = try upstream.render(format, openLineage: options)
            #expect(!text.isEmpty, "\(format)")
        }
    }
}

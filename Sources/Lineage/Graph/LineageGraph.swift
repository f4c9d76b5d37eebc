import GRDB

/// The part of the provenance graph upstream or downstream of one node, with the rows of
/// every node in it: what the exports render.
public struct LineageGraph: Sendable {
    public enum Direction: String, Sendable, Codable, CaseIterable {
        /// Everything the root derives from, down to dataset versions and code digests.
        case upstream
        /// Everything derived from the root: what must be rebuilt if it was wrong.
        case downstream
    }

    public let root: LineageNode
    public let direction: Direction
    public let records: [LineageNode: LineageRecord]
    /// Every edge between two nodes of the graph, in order.
    public let edges: [LineageEdge]
    /// The contexts (competition, submission) of each run in the graph.
    public let contexts: [LineageNode: [LineageContext]]

    /// The nodes, in order of kind then id.
    public var nodes: [LineageNode] { records.keys.sorted() }

    public static func upstream(of node: LineageNode, _ db: Database) throws -> LineageGraph {
        try LineageGraph(direction: .upstream, root: node, db)
    }

    public static func downstream(of node: LineageNode, _ db: Database) throws -> LineageGraph {
        try LineageGraph(direction: .downstream, root: node, db)
    }

    public init(direction: Direction, root: LineageNode, _ db: Database) throws {
        try root.requireExists(db)
        self.root = root
        self.direction = direction
        let (reached, runEdges) = try Self.reach(from: root, direction, db)
        let records = try Self.fetchRecords(reached, db)
        self.records = records
        edges = runEdges.filter { records[$0.node] != nil }.sorted()
        contexts = try Self.fetchContexts(runIDs: reached.filter { $0.kind == .run }.map(\.id), db)
    }

    /// The nodes one step further from the root: the producers of a node and the inputs of
    /// a run upstream; the runs using a node and the outputs of a run downstream.
    public func next(after node: LineageNode) -> [LineageNode] {
        let following: [LineageNode]
        switch (direction, node.kind == .run) {
        case (.upstream, true):
            following = edges.filter { $0.runID == node.id && $0.direction == .input }.map(\.node)
        case (.upstream, false):
            following = edges.filter { $0.node == node && $0.direction == .output }.map { .run($0.runID) }
        case (.downstream, true):
            following = edges.filter { $0.runID == node.id && $0.direction == .output }.map(\.node)
        case (.downstream, false):
            following = edges.filter { $0.node == node && $0.direction == .input }.map { .run($0.runID) }
        }
        return following.sorted()
    }

    // MARK: Queries

    /// One recursive query over the two covering indexes of `lineage_edge`, so the work
    /// grows with the size of the answer, not of the database. It returns every node
    /// reached and, joined to each run, all of that run's edges; edges to nodes outside
    /// the answer are dropped by the caller.
    private static func reach(
        from root: LineageNode, _ direction: Direction, _ db: Database
    ) throws -> (nodes: [LineageNode], runEdges: [LineageEdge]) {
        let rows = try Row.fetchCursor(db, sql: reachQuery(direction), arguments: [root.kind, root.id])
        var nodes: Set<LineageNode> = []
        var runEdges: [LineageEdge] = []
        while let row = try rows.next() {
            let node = LineageNode(kind: try row.decode(atIndex: 0), id: try row.decode(atIndex: 1))
            nodes.insert(node)
            if let edgeDirection: LineageEdge.Direction = try row.decode(atIndex: 2) {
                let target = LineageNode(kind: try row.decode(atIndex: 3), id: try row.decode(atIndex: 4))
                runEdges.append(LineageEdge(runID: node.id, direction: edgeDirection, node: target))
            }
        }
        return (Array(nodes), runEdges)
    }

    /// Upstream, a node is reached from the runs that output it and a run from its inputs;
    /// downstream, the other way round.
    ///
    /// The `likelihood` hints tell SQLite that few rows are reached at each step. Without
    /// them, once ANALYZE has run (as `PRAGMA optimize` does) on a table of under a million
    /// edges, SQLite assumes a CTE holds a million rows and builds a Bloom filter over the
    /// whole edge table at every step: a full scan that turns a 1 ms query into 20 ms.
    static func reachQuery(_ direction: Direction) -> String {
        let (towardRun, fromRun) = direction == .upstream ? ("output", "input") : ("input", "output")
        return """
            WITH RECURSIVE reached(kind, id) AS (
                VALUES (?, ?)
                UNION
                SELECT 'run', e.run_id
                    FROM reached r JOIN lineage_edge e
                    ON e.node_kind = r.kind AND e.node_id = r.id AND e.direction = '\(towardRun)'
                    WHERE likelihood(r.kind <> 'run', 0.000001)
                UNION
                SELECT e.node_kind, e.node_id
                    FROM reached r JOIN lineage_edge e
                    ON e.run_id = r.id AND e.direction = '\(fromRun)'
                    WHERE likelihood(r.kind = 'run', 0.000001)
            )
            SELECT r.kind, r.id, e.direction, e.node_kind, e.node_id
                FROM reached r LEFT JOIN lineage_edge e ON r.kind = 'run' AND e.run_id = r.id
                WHERE likelihood(r.id IS NOT NULL, 0.000001)
            """
    }

    /// Bound parameters stay far below SQLite's limit however large the graph.
    private static let idsPerQuery = 500

    private static func fetch<Record: FetchableRecord & TableRecord>(
        _ type: Record.Type, ids: [Int64], _ db: Database
    ) throws -> [Record] {
        var records: [Record] = []
        for start in stride(from: 0, to: ids.count, by: idsPerQuery) {
            records += try Record.fetchAll(db, keys: Array(ids[start..<min(start + idsPerQuery, ids.count)]))
        }
        return records
    }

    private static func fetchRecords(_ nodes: [LineageNode], _ db: Database) throws -> [LineageNode: LineageRecord] {
        let ids = Dictionary(grouping: nodes, by: \.kind).mapValues { $0.map(\.id) }
        var records: [LineageRecord] = []
        let versions = try fetch(DatasetVersion.self, ids: ids[.datasetVersion] ?? [], db)
        let datasets = try Dictionary(
            uniqueKeysWithValues: fetch(Dataset.self, ids: Array(Set(versions.map(\.datasetID))), db).map { ($0.id!, $0) })
        records += versions.compactMap { version in datasets[version.datasetID].map { .datasetVersion(version, dataset: $0) } }
        records += try fetch(CodeBundle.self, ids: ids[.codeBundle] ?? [], db).map { .codeBundle($0) }
        records += try fetch(Environment.self, ids: ids[.environment] ?? [], db).map { .environment($0) }
        records += try fetch(Run.self, ids: ids[.run] ?? [], db).map { .run($0) }
        records += try fetch(Model.self, ids: ids[.model] ?? [], db).map { .model($0) }
        records += try fetch(Score.self, ids: ids[.score] ?? [], db).map { .score($0) }
        records += try fetch(Artifact.self, ids: ids[.artifact] ?? [], db).map { .artifact($0) }
        return Dictionary(uniqueKeysWithValues: records.map { ($0.node, $0) })
    }

    private static func fetchContexts(runIDs: [Int64], _ db: Database) throws -> [LineageNode: [LineageContext]] {
        var contexts: [LineageNode: [LineageContext]] = [:]
        for start in stride(from: 0, to: runIDs.count, by: idsPerQuery) {
            let chunk = Array(runIDs[start..<min(start + idsPerQuery, runIDs.count)])
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.node_id AS member_run_id, c.* FROM lineage_context_member m
                JOIN lineage_context c ON c.id = m.context_id
                WHERE m.node_kind = 'run' AND m.node_id IN (\(placeholders))
                ORDER BY c.id
                """, arguments: StatementArguments(chunk))
            for row in rows {
                contexts[.run(row["member_run_id"]), default: []].append(try LineageContext(row: row))
            }
        }
        return contexts
    }
}

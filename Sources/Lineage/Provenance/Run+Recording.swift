import Foundation
import GRDB

/// Recording what a run used and produced. Every function works inside the caller's
/// transaction (`_ db: Database`), so the queue can mark its job finished in the same
/// commit: a crash never leaves a finished job without its records, or the reverse.
extension Run {
    /// Records a new running run and the nodes it starts from.
    public static func start(
        _ kind: Kind, jobID: Int64?, inputs: [LineageNode] = [], at date: Date, _ db: Database
    ) throws -> Run {
        var run = Run(kind: kind, jobID: jobID, startedAt: date)
        try run.insert(db)
        try run.recordInputs(inputs, db)
        return run
    }

    /// The run with this id.
    public static func find(_ id: Int64, _ db: Database) throws -> Run {
        guard let run = try Run.fetchOne(db, key: id) else {
            throw LineageError(.notFound, "run \(id) does not exist")
        }
        return run
    }

    /// Records that the run used `nodes`. Recording a node twice is harmless.
    public func recordInputs(_ nodes: [LineageNode], _ db: Database) throws {
        for node in nodes { try link(node, .input, db) }
    }

    /// Records that the run produced `node`: a dataset version from an ingest run, an
    /// environment from a build run. Models, scores and artifacts have their own calls.
    public func recordOutput(_ node: LineageNode, _ db: Database) throws {
        try link(node, .output, db)
    }

    public func recordModel(digest: Digest, at date: Date, _ db: Database) throws -> Model {
        try requireRunning(db)
        var model = Model(digest: digest, runID: id!, createdAt: date)
        try model.insert(db)
        try link(model.node, .output, db)
        return model
    }

    /// Records a measurement of `modelID` on `datasetVersionID`; both become inputs of the run.
    public func recordScore(
        metric: String, value: Double, modelID: Int64, datasetVersionID: Int64, at date: Date, _ db: Database
    ) throws -> Score {
        try LineageName.validate(metric, as: .metric)
        try recordInputs([.model(modelID), .datasetVersion(datasetVersionID)], db)
        var score = Score(metric: metric, value: value, modelID: modelID, datasetVersionID: datasetVersionID, runID: id!, createdAt: date)
        try score.insert(db)
        try link(score.node, .output, db)
        return score
    }

    public func recordArtifact(kind: String, digest: Digest, at date: Date, _ db: Database) throws -> Artifact {
        try LineageName.validate(kind, as: .artifactKind)
        try requireRunning(db)
        var artifact = Artifact(kind: kind, digest: digest, runID: id!, createdAt: date)
        try artifact.insert(db)
        try link(artifact.node, .output, db)
        return artifact
    }

    /// Ends the run. Only a running run can finish, and only into a final status.
    public mutating func finish(_ status: Status, at date: Date, _ db: Database) throws {
        guard status != .running else {
            throw LineageError(.conflict, "a run finishes as succeeded, failed or cancelled, not running")
        }
        try requireRunning(db)
        self.status = status
        finishedAt = date
        try update(db, columns: [CodingKeys.status, CodingKeys.finishedAt])
    }

    /// The nodes this run used, or produced.
    public func nodes(_ direction: LineageEdge.Direction, _ db: Database) throws -> [LineageNode] {
        try LineageEdge
            .filter(LineageEdge.CodingKeys.runID == id! && LineageEdge.CodingKeys.direction == direction)
            .fetchAll(db)
            .map(\.node)
            .sorted()
    }

    private func link(_ node: LineageNode, _ direction: LineageEdge.Direction, _ db: Database) throws {
        guard node.kind != .run else {
            throw LineageError(.conflict, "a run uses and produces data, code and models, not other runs (\(node))")
        }
        try requireRunning(db)
        try node.requireExists(db)
        try LineageEdge(runID: id!, direction: direction, node: node).insert(db, onConflict: .ignore)
    }

    /// Records of a finished run are final: a late write would change history that
    /// exports may already have shown.
    private func requireRunning(_ db: Database) throws {
        guard let id else { throw LineageError(.notFound, "the run was never saved; create it with Run.start") }
        let current = try Run.find(id, db)
        guard current.status == .running else {
            throw LineageError(.conflict, "run \(id) already finished as \(current.status.rawValue); record its inputs and outputs before finishing it")
        }
    }
}

import Foundation
import GRDB
@testable import Lineage

/// The chain the issue asks to trace: dataset version → train run → model → score, and
/// model → artifact run → artifact, with the code and environment of the training.
struct LineageChain {
    var trainData: DatasetVersion
    var testData: DatasetVersion
    var code: CodeBundle
    var environment: Environment
    var trainRun: Run
    var model: Model
    var scoreRun: Run
    var score: Score
    var artifactRun: Run
    var artifact: Artifact
    var competition: LineageContext

    static let start = Date(timeIntervalSince1970: 1_750_000_000)

    static func makeDatabase() throws -> DatabaseQueue {
        let database = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        LineageSchema.registerMigrations(in: &migrator)
        try migrator.migrate(database)
        return database
    }

    static func digest(_ text: String) -> Digest {
        Digest.of(Data(text.utf8))
    }

    static func manifest(_ text: String) throws -> TreeManifest {
        try TreeManifest(entries: [.init(path: "data.csv", kind: .file(digest: digest(text), size: Int64(text.utf8.count), executable: false))])
    }

    static func build(_ db: Database) throws -> LineageChain {
        var time = start
        func tick() -> Date { time += 60; return time }

        let trainData = try DatasetVersion.register(dataset: "movielens", manifest: manifest("train"), source: "/srv/movielens", at: tick(), db).version
        let testData = try DatasetVersion.register(dataset: "movielens-test", manifest: manifest("test"), source: "/srv/movielens-test", at: tick(), db).version
        let code = try CodeBundle.findOrCreate(digest: digest("code"), submitter: "alice", at: tick(), db)
        let environment = try Environment.findOrCreate(digest: digest("requirements"), at: tick(), db)
        let competition = try LineageContext.findOrCreate(.competition, name: "movielens-challenge", at: tick(), db)

        var trainRun = try Run.start(.train, jobID: 41, inputs: [trainData.node, code.node, environment.node], at: tick(), db)
        let model = try trainRun.recordModel(digest: digest("model weights"), at: tick(), db)
        try trainRun.finish(.succeeded, at: tick(), db)

        var scoreRun = try Run.start(.score, jobID: 42, at: tick(), db)
        let score = try scoreRun.recordScore(metric: "ndcg@10", value: 0.4312, modelID: model.id!, datasetVersionID: testData.id!, at: tick(), db)
        try scoreRun.finish(.succeeded, at: tick(), db)

        var artifactRun = try Run.start(.artifact, jobID: 43, inputs: [model.node], at: tick(), db)
        let artifact = try artifactRun.recordArtifact(kind: "serving-bundle", digest: digest("bundle"), at: tick(), db)
        try artifactRun.finish(.succeeded, at: tick(), db)

        try competition.add([trainRun.node, scoreRun.node, artifactRun.node], db)
        return LineageChain(
            trainData: trainData, testData: testData, code: code, environment: environment, trainRun: trainRun,
            model: model, scoreRun: scoreRun, score: score, artifactRun: artifactRun, artifact: artifact,
            competition: competition)
    }
}

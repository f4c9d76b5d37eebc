import GRDB
import Lineage

extension Artifact {
    /// The predictions the submission's predict job recorded, the latest when it ran more
    /// than once: what its score stage reads, and the input its score run records.
    static func predictions(of submission: Submission, _ db: Database) throws -> Artifact? {
        guard let predictJob = submission.predictJob else { return nil }
        return try Artifact.filter(sql: "kind = 'predictions' AND run_id IN (SELECT id FROM lineage_run WHERE job_id = ?)",
                                   arguments: [predictJob]).order(sql: "id DESC").fetchOne(db)
    }
}

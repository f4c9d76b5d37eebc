import Foundation
import GRDB
import Scheduler

/// A submission's state, read from its stage jobs: the jobs are the truth, so a stage that
/// never ran because an earlier one failed still shows where things went wrong.
public struct SubmissionStatus: Sendable, Equatable {
    public var state: Submission.State
    /// The stage that failed, or the one running.
    public var stage: Stage?
    public var jobID: Int64?

    public static func of(_ submission: Submission, _ db: Database) throws -> SubmissionStatus {
        if submission.state == .scored { return SubmissionStatus(state: .scored, stage: nil, jobID: submission.scoreJob) }
        let stages: [(Stage, Int64?)] = [(.build, submission.buildJob), (.train, submission.trainJob),
                                         (.predict, submission.predictJob), (.score, submission.scoreJob)]
        for (stage, jobID) in stages {
            guard let jobID else { continue }
            // A pruned shared build job finished long ago.
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM job WHERE id = ?", arguments: [jobID])
                .flatMap(JobState.init(rawValue:)) else { continue }
            switch state {
            case .succeeded:
                continue
            case .dead:
                return SubmissionStatus(state: .failed, stage: stage, jobID: jobID)
            case .cancelled:
                return SubmissionStatus(state: .cancelled, stage: stage, jobID: jobID)
            case .upstreamFailed:
                continue
            case .running:
                return SubmissionStatus(state: stage.runningState, stage: stage, jobID: jobID)
            case .waiting, .queued, .failed:
                return SubmissionStatus(state: stage == .build ? .queued : stage.runningState, stage: stage, jobID: jobID)
            }
        }
        return SubmissionStatus(state: submission.state, stage: nil, jobID: nil)
    }
}

import Foundation

extension LineageGraph {
    /// One START event per run, and one COMPLETE, FAIL or ABORT for each finished run, in
    /// time order. Inputs are known from the start; outputs appear on the final event.
    /// Jobs are named `<competition>.<kind>` when the run belongs to a competition.
    public func openLineageEvents(_ options: OpenLineageOptions) -> [OpenLineageRunEvent] {
        let runs = nodes.compactMap { node -> Run? in
            guard case .run(let run) = records[node] else { return nil }
            return run
        }
        var events: [(time: Date, event: OpenLineageRunEvent)] = []
        for run in runs {
            let inputs = datasets(of: run, .input, options)
            let start = event(.start, run: run, at: run.startedAt, inputs: inputs, outputs: [], options)
            events.append((run.startedAt, start))
            if let finishedAt = run.finishedAt, let type = Self.finalEventType(run.status) {
                events.append((finishedAt, event(type, run: run, at: finishedAt, inputs: inputs, outputs: datasets(of: run, .output, options), options)))
            }
        }
        // Stable: a run's START stays before its end even when both have the same time.
        return events.enumerated()
            .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
            .map(\.element.event)
    }

    /// The events as newline-delimited JSON, one event per line, as OpenLineage's file
    /// transport writes them.
    public func openLineageText(_ options: OpenLineageOptions) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try openLineageEvents(options)
            .map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }
            .joined()
    }

    private static func finalEventType(_ status: Run.Status) -> OpenLineageRunEvent.EventType? {
        switch status {
        case .running: nil
        case .succeeded: .complete
        case .failed: .fail
        case .cancelled: .abort
        }
    }

    private func event(
        _ type: OpenLineageRunEvent.EventType, run: Run, at time: Date,
        inputs: [OpenLineageRunEvent.Dataset], outputs: [OpenLineageRunEvent.Dataset], _ options: OpenLineageOptions
    ) -> OpenLineageRunEvent {
        let competition = contexts[run.node]?.first { $0.kind == .competition }
        let jobType = OpenLineageRunEvent.JobTypeFacet(
            _producer: options.producer, _schemaURL: OpenLineageRunEvent.JobTypeFacet.schemaURL,
            processingType: "BATCH", integration: "HEKATON", jobType: run.kind.rawValue.uppercased())
        return OpenLineageRunEvent(
            eventType: type,
            eventTime: time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)),
            run: .init(runId: run.uuid.uuidString.lowercased()),
            job: .init(
                namespace: options.namespace,
                name: competition.map { "\($0.name).\(run.kind.rawValue)" } ?? run.kind.rawValue,
                facets: .init(jobType: jobType)),
            inputs: inputs,
            outputs: outputs,
            producer: options.producer,
            schemaURL: OpenLineageRunEvent.schemaURL)
    }

    private func datasets(of run: Run, _ direction: LineageEdge.Direction, _ options: OpenLineageOptions) -> [OpenLineageRunEvent.Dataset] {
        edges.filter { $0.runID == run.id && $0.direction == direction }.compactMap { edge in
            records[edge.node].map { Self.dataset($0, options) }
        }
    }

    /// OpenLineage names a dataset per logical thing (all versions of `movielens` share a
    /// name); the content digest is the version.
    private static func dataset(_ record: LineageRecord, _ options: OpenLineageOptions) -> OpenLineageRunEvent.Dataset {
        let name: String
        switch record {
        case .datasetVersion(_, let dataset): name = "datasets/\(dataset.name)"
        case .codeBundle(let bundle): name = "code-bundles/\(bundle.id!)"
        case .environment(let environment): name = "environments/\(environment.id!)"
        case .model(let model): name = "models/\(model.id!)"
        case .score(let score): name = "scores/\(score.id!)/\(score.metric)"
        case .artifact(let artifact): name = "artifacts/\(artifact.kind)/\(artifact.id!)"
        case .run(let run): name = "runs/\(run.id!)"
        }
        let version = record.digest.map {
            OpenLineageRunEvent.VersionFacet(_producer: options.producer, _schemaURL: OpenLineageRunEvent.VersionFacet.schemaURL, datasetVersion: $0.description)
        }
        return .init(namespace: options.namespace, name: name, facets: .init(version: version))
    }
}

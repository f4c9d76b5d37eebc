import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Process signals as an async sequence, so the daemon's main loop handles them in order
/// instead of in a signal handler.
public enum SignalEvents {
    public static func stream(_ signals: [Int32]) -> AsyncStream<Int32> {
        AsyncStream { continuation in
            let sources = signals.map { number -> DispatchSourceSignal in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                return source
            }
            let box = SourceBox(sources)
            continuation.onTermination = { _ in box.cancel() }
        }
    }

    private final class SourceBox: @unchecked Sendable {
        // Only touched at creation and once at termination.
        private let sources: [DispatchSourceSignal]
        init(_ sources: [DispatchSourceSignal]) { self.sources = sources }
        func cancel() { sources.forEach { $0.cancel() } }
    }
}

import Foundation

/// Fires schedules on time: at start-up it catches up what the daemon missed, then it
/// sleeps until the next fire time, a change to the schedules (`wake()`), or cancellation.
public final class ScheduleRunner: Sendable {
    public let book: ScheduleBook
    private let wakeups: WakeSignal
    /// Called with every event, for logging.
    private let onEvent: @Sendable (ScheduleEvent) -> Void
    private let onError: @Sendable (any Error) -> Void

    public init(book: ScheduleBook, onEvent: @escaping @Sendable (ScheduleEvent) -> Void = { _ in },
                onError: @escaping @Sendable (any Error) -> Void = { _ in }) {
        self.book = book
        wakeups = WakeSignal(clock: book.clock)
        self.onEvent = onEvent
        self.onError = onError
    }

    /// Something changed (a schedule was added, resumed or run): look again now.
    public func wake() {
        wakeups.signal()
    }

    public func run() async {
        while !Task.isCancelled {
            do {
                for event in try await book.fireDue() { onEvent(event) }
            } catch {
                onError(error)
            }
            // Sleep on the book's clock until the next fire (its timer follows a changed system
            // clock), or with no schedule until a wake-up, which also cuts a sleep short. A
            // millisecond past the fire time, so a timer that ends a hair early still finds it due.
            // When the next fire cannot be read, try again in a minute.
            let next: Date?
            do {
                next = try await book.nextFireDate().map { $0 + 0.001 }
            } catch {
                onError(error)
                next = book.clock.now() + 60
            }
            await wakeups.wait(until: next)
        }
    }
}

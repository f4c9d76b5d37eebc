/// One slot per work item, written by whichever thread handles that item.
///
/// Safe without a lock because `ParallelWork` hands every item number to exactly one
/// thread and the results are read only after all threads have joined.
final class ResultSlots<Element>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Element?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    subscript(index: Int) -> Element? {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    var values: [Element?] { Array(storage) }
}

/// Collects archive bytes from a writer's sink.
final class ByteSink {
    private(set) var bytes: [UInt8] = []
    func append(_ chunk: ArraySlice<UInt8>) { bytes += chunk }
}

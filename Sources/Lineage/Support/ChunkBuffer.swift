/// The fixed-size buffer every streaming read goes through, so memory stays flat whatever
/// the size of the file. 256 KiB keeps each chunk in the core's cache between `read`
/// copying it in and SHA-256 reading it again.
enum ChunkBuffer {
    static let size = 256 * 1024

    static func with<T>(_ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 4096)
        defer { buffer.deallocate() }
        return try body(buffer)
    }

    /// One buffer per worker thread of a `ParallelWork` run. Unchecked: worker `n` is the
    /// only thread that touches buffer `n`, and the buffers outlive the run.
    final class PerWorker: @unchecked Sendable {
        private let buffers: [UnsafeMutableRawBufferPointer]

        init(width: Int) {
            buffers = (0..<max(1, width)).map { _ in
                UnsafeMutableRawBufferPointer.allocate(byteCount: ChunkBuffer.size, alignment: 4096)
            }
        }

        deinit { buffers.forEach { $0.deallocate() } }

        subscript(worker: Int) -> UnsafeMutableRawBufferPointer { buffers[worker] }
    }
}

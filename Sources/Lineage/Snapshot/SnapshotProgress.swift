/// How far a snapshot has come, for a progress display over large data.
public struct SnapshotProgress: Sendable, Hashable {
    /// Bytes hashed so far. Copying content new to the store follows each file's hashing
    /// and is counted in `filesDone`, which advances once a file is hashed and stored.
    public var bytesDone: Int64
    public var bytesTotal: Int64
    public var filesDone: Int
    public var filesTotal: Int

    public init(bytesDone: Int64, bytesTotal: Int64, filesDone: Int, filesTotal: Int) {
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.filesDone = filesDone
        self.filesTotal = filesTotal
    }

    /// 0...1, by bytes; a tree of empty files counts by files.
    public var fractionDone: Double {
        if bytesTotal > 0 { return Double(bytesDone) / Double(bytesTotal) }
        return filesTotal > 0 ? Double(filesDone) / Double(filesTotal) : 1
    }
}

import Foundation
import Images
import TestSupport

extension DaemonUnderTest {
    /// Makes the environment of every submission without requirements (the popularity
    /// baseline, the hostile submissions) an image of the test's base (`ImageRootFixture`):
    /// its record and unpacked root where the daemon's image store keeps them, as a build
    /// leaves them. Its stages then run in that image.
    func seedEnvironmentImage() throws {
        let rootfs = try ImageRootFixture.rootfs
        let bundle = (rootfs as NSString).deletingLastPathComponent
        // The key of an environment without requirements on the daemon's python (PipelineLayout.environmentDigest).
        let definition = try ChildProcess.run("/usr/bin/sha256sum", ["-"], input: Data("python=/usr/bin/python3\n".utf8))
        let key = "sha256:" + definition.text.prefix(64)
        let store = ImageStore(stateDirectory: stateDirectory)
        let image = EnvironmentImage(key: key, manifestDigest: "sha256:" + (bundle as NSString).lastPathComponent,
                                     base: "hk-python", baseDigest: "sha256:" + (bundle as NSString).lastPathComponent,
                                     environment: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"],
                                     workingDir: nil, fromDockerfile: false)
        let unpacked = (store.rootfs(image) as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: (unpacked as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: unpacked, withDestinationPath: bundle)
        let record = store.recordPath(key: key)
        try FileManager.default.createDirectory(atPath: (record as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try JSONEncoder().encode(image).write(to: URL(fileURLWithPath: record))
    }
}

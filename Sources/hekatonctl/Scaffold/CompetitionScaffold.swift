/// A competition directory that works as it is: a manifest, the four host entrypoints, a
/// data generator for a toy task (house prices, scored by RMSE) and a participant template,
/// all standard-library Python on the SDK in `python/src/hekaton`.
///
/// The files follow `examples/pococha/competition`, the reference for the layout.
struct CompetitionScaffold {
    let name: String

    /// The host's helper module: named after the competition, and with a leading
    /// underscore, so it cannot shadow a module a submission ships (the script's
    /// directory comes first on `sys.path`).
    var helperModule: String { "_" + name.replacing( "-", with: "_") }

    var files: [ScaffoldFile] {
        [
            ScaffoldFile(path: "hekaton.yaml", contents: Self.manifest),
            ScaffoldFile(path: "README.md", contents: Self.hostReadme),
            ScaffoldFile(path: "make_data.py", contents: Self.dataGenerator, isExecutable: true),
            ScaffoldFile(path: "host/\(helperModule).py", contents: Self.hostShared),
            ScaffoldFile(path: "host/train.py", contents: Self.hostTrain),
            ScaffoldFile(path: "host/predict.py", contents: Self.hostPredict),
            ScaffoldFile(path: "host/score.py", contents: Self.hostScore),
            ScaffoldFile(path: "host/artifact.py", contents: Self.hostArtifact),
            ScaffoldFile(path: "template/submission.py", contents: Self.templateSubmission),
            ScaffoldFile(path: "template/requirements.txt", contents: Self.templateRequirements),
            ScaffoldFile(path: "template/README.md", contents: Self.templateReadme),
            ScaffoldFile(path: "template/.hekatonignore", contents: Self.templateIgnore),
        ].map { file in
            var file = file
            file.contents = file.contents
                .replacing( "__MODULE__", with: helperModule)
                .replacing( "__NAME__", with: name)
            return file
        }
    }
}

import Foundation

@testable import Ablate

// Ablate's own fixtures (the shared helpers are in Tests/TestSupport).

/// A fresh empty directory under the system temporary directory (removed by the caller if it cares).
func temporaryDirectory(_ label: String = "ablate-tests") throws -> String {
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A recipe that trains in well under a second in a debug build: a one-block model of width 16 on one-step
/// arithmetic with one-digit numbers (sequences of about 12 tokens).
func tinyRecipe(steps: Int = 40) -> PretrainRecipe {
    var r = PretrainRecipe()
    r.preset = "small"
    r.layers = 1
    r.heads = 2
    r.dModel = 16
    r.mlpHidden = 64
    r.mix = ["arith": 1]
    r.familyOverrides = ["arith": #"{"digits": 1, "maxOperands": 2}"#]
    r.steps = steps
    r.batchSize = 16
    r.learningRate = 1e-2
    r.warmupSteps = 5
    r.evalInterval = 20
    r.heldOutExamples = 32
    r.bucketBatches = 2
    return r
}

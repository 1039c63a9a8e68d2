import Foundation
import RewardZoo
import Testing

@testable import Ablate

/// Pins the hashes of a few resolved training configs and of the default pre-training recipe. A hash names a
/// trial directory (`runs/trials/<hash>`) or a cached base model (`runs/cache/<preset>-<hash>.safetensors`), so a
/// refactor that changes one orphans every result on disk. A failure here means the change is not a pure refactor.
@Suite struct ConfigHashPinTests {
    @Test func defaultTrainConfig() {
        #expect(TrainConfig().hash == "f9d1e9dbf066a4a8")
    }

    @Test func trainConfigWithOverrides() throws {
        var c = TrainConfig(base: "runs/cache/base-14087b0ae9d03d9a.safetensors")
        c.seed = 3
        c.learningRate = 1e-4
        c.maxSteps = 300
        c.reward = try RewardRegistry.spec(name: "random", options: [:])
        #expect(c.hash == "953def6fe1460089")
    }

    @Test func defaultPretrainRecipe() throws {
        #expect(try PretrainRecipe().hash() == "14087b0ae9d03d9a")
    }

    @Test func pretrainRecipeWithOverrides() throws {
        var r = PretrainRecipe()
        r.steps = 500
        r.seed = 2
        r.mix = ["arith": 2, "trace": 1]
        let h = try r.hash()
        #expect(h == "11eedd627d68c785")
    }
}

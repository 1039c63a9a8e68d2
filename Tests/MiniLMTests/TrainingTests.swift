import Testing
@testable import MiniLM

@Suite struct TrainingTests {
    /// A tiny model memorises a fixed batch: AdamW + clipping + schedule drive the loss from ~log V to a small value.
    @Test func tinyModelOverfitsAFixedBatch() throws {
        let config = ModelConfig(vocabSize: 11, contextLength: 16, layers: 2, heads: 2, dModel: 16, mlpHidden: 64)
        let model = try GPT(config: config, seed: 1)
        let seqs = randomSequences(lengths: [12, 9, 16, 7], vocab: 11, seed: 31)
        let batch = try TokenBatch.teacherForcing(sequences: seqs, lossStart: [1, 1, 1, 1], normalization: .tokenMean, pad: 0, contextLength: 16)
        let runner = GPTRunner(model: model, threads: 2)
        var adamConfig = AdamW.Config()
        adamConfig.weightDecay = 0
        let opt = AdamW(layout: model.layout, config: adamConfig)
        let schedule = LearningRateSchedule(peak: 1e-2, warmupSteps: 10, totalSteps: 150)
        let grads = FloatBuffer(count: model.parameterCount)
        var first = 0.0, last = 0.0
        for step in 0..<150 {
            let loss = try runner.lossAndGradients(batch, grads: grads)
            if step == 0 { first = loss }
            last = loss
            clipGlobalNorm(grads, maxNorm: 1)
            opt.update(params: model.params, grads: grads, lr: schedule.rate(at: step))
        }
        #expect(abs(first - Foundation.log(11.0)) < 0.3, "initial loss \(first) should be near log V")
        #expect(last < 0.15, "loss fell from \(first) to \(last)")
    }

    @Test func scheduleWarmsUpThenDecays() {
        let s = LearningRateSchedule(peak: 1, warmupSteps: 10, totalSteps: 110, minRatio: 0.1)
        #expect(abs(s.rate(at: 0) - 0.1) < 1e-12)
        #expect(abs(s.rate(at: 9) - 1) < 1e-12)
        #expect(abs(s.rate(at: 60) - 0.55) < 1e-12)
        #expect(abs(s.rate(at: 110) - 0.1) < 1e-12)
        #expect(abs(s.rate(at: 500) - 0.1) < 1e-12)
    }

    @Test func adamWFirstStepIsSignTimesRateAndDecaysOnlyMatrices() throws {
        let config = try ModelConfig.preset("tiny", vocabSize: 11)
        let model = try GPT(config: config, seed: 2)
        let before = model.params.array
        let grads = FloatBuffer(count: model.parameterCount)
        for i in 0..<grads.count { grads[i] = i % 2 == 0 ? 0.5 : -2 }
        var c = AdamW.Config()
        c.weightDecay = 0.1
        AdamW(layout: model.layout, config: c).update(params: model.params, grads: grads, lr: 0.01)
        for e in model.layout.entries {
            let i = e.offset
            // Bias-corrected first step: m̂/√v̂ = sign(g) (up to ε).
            let expected = before[i] - 0.01 * (grads[i] > 0 ? 1 : -1) - (e.decays ? 0.01 * 0.1 * before[i] : 0)
            #expect(abs(model.params[i] - expected) < 1e-6, "\(e.name)")
        }
    }

    @Test func clippingScalesToTheMaximumNorm() {
        let g = FloatBuffer([3, 4])
        #expect(clipGlobalNorm(g, maxNorm: 1) == 5)
        #expect(abs(globalNorm(g) - 1) < 1e-6)
    }
}

import Foundation

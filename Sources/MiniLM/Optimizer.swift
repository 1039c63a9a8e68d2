/// One optimisation step as every trainer takes it (pre-training, SFT and GRPO): clip the gradient's global
/// norm, read the learning rate off the schedule, update with AdamW, and stop before a non-finite quantity
/// reaches the weights.
public final class Optimizer {
    public let adam: AdamW
    public let schedule: LearningRateSchedule
    /// Global gradient-norm clip; 0 = off.
    public let maxGradNorm: Double
    /// Steps taken so far.
    public private(set) var steps = 0

    public init(layout: ParameterLayout, adam: AdamW.Config, schedule: LearningRateSchedule, maxGradNorm: Double) {
        self.adam = AdamW(layout: layout, config: adam)
        self.schedule = schedule
        self.maxGradNorm = maxGradNorm
    }

    /// What a step did.
    public struct Step: Sendable {
        /// The gradient's global norm before clipping.
        public var gradNorm: Double
        public var learningRate: Double
    }

    /// Clips `grads`, updates `params` restricted to `range` (all by default), and checks the result. Throws
    /// `MiniLMError.diverged` naming the step (1-based) and the quantity when the gradient norm is not finite (the
    /// weights are then left untouched) or when an updated parameter is not finite.
    @discardableResult
    public func step(params: FloatBuffer, grads: FloatBuffer, range: Range<Int>? = nil) throws -> Step {
        let number = steps + 1
        let norm = maxGradNorm > 0 ? clipGlobalNorm(grads, maxNorm: maxGradNorm) : globalNorm(grads)
        guard norm.isFinite else { throw MiniLMError.diverged(step: number, quantity: "gradient norm", value: norm) }
        let lr = schedule.rate(at: steps)
        adam.update(params: params, grads: grads, lr: lr, range: range)
        steps += 1
        let r = range ?? 0..<params.count
        for i in r where !params[i].isFinite {
            throw MiniLMError.diverged(step: number, quantity: "parameter \(i)", value: Double(params[i]))
        }
        return Step(gradNorm: norm, learningRate: lr)
    }
}

import Foundation

/// One progress report of a pre-training run (every `evalInterval` steps, at step 0 and at the end).
public struct PretrainProgress: Sendable, Codable {
    /// Steps done.
    public let step: Int
    public let totalSteps: Int
    /// Mean training loss (token-mean NLL of the solution tokens) over the steps since the last report; NaN at 0.
    public let loss: Double
    /// Token-mean NLL of the solution tokens of the held-out (test split) examples.
    public let heldOutLoss: Double
    /// Learning rate of the last step.
    public let learningRate: Double
    /// Real (non-padding) tokens per second of training, held-out evaluation excluded.
    public let tokensPerSecond: Double
    /// Wall seconds since the start, and the estimated seconds left.
    public let elapsed: Double
    public let eta: Double

    enum CodingKeys: String, CodingKey {
        case step, totalSteps = "total_steps", loss, heldOutLoss = "heldout_loss", learningRate = "lr"
        case tokensPerSecond = "tokens_per_s", elapsed = "elapsed_s", eta = "eta_s"
    }

    /// `step  100/1000  loss 1.234  held-out 1.250  lr 2.0e-03  21.3k tok/s  elapsed 0:47  ETA 7:05`.
    public var line: String {
        let width = String(totalSteps).count
        let s = String(repeating: " ", count: max(0, width - String(step).count)) + String(step)
        return "step \(s)/\(totalSteps)  loss " + (loss.isNaN ? "  -  " : String(format: "%.3f", loss))
            + String(format: "  held-out %.3f  lr %.1e  %.1fk tok/s  elapsed %@  ETA %@", heldOutLoss, learningRate,
                     tokensPerSecond / 1000, Self.clock(elapsed), Self.clock(eta))
    }

    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}

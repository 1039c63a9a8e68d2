import Ablate
import ArgumentParser
import Foundation
import Statistics

/// `ablate stats`: scipy-compatible statistics as JSON in, JSON out (see `StatsRequest`).
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Run statistical tests on your own numbers: JSON requests on stdin, JSON results on stdout.",
        discussion: """
        Input is one request or an array of requests; output is one result per request, in order. Test and parameter names follow scipy.stats (rliable and statsmodels for the extras); matrices are x[run][task]; NaN and infinities are the strings "nan", "inf", "-inf". A bad request yields {"id": ..., "error": "..."} and never stops the others.

        Example: ablate stats < requests.json > results.json, with requests.json
          [{"id": 1, "test": "wilcoxon", "params": {"alternative": "greater"},
            "x": [0.61, 0.58, 0.66, 0.70, 0.64],
            "y": [0.55, 0.57, 0.60, 0.62, 0.66]},
           {"id": 2, "test": "bootstrap_ci",
            "params": {"statistic": "mean", "method": "BCa", "seed": 7},
            "x": [0.61, 0.58, 0.66, 0.70, 0.64]}]
        gives
          [{"id": 1, "statistic": 13, "pvalue": 0.09375, "method_used": "exact"},
           {"id": 2, "statistic": 0.638, "ci_low": ..., "ci_high": ..., ...}]

        Tests: \(StatsRequest.tests.map(\.name).joined(separator: ", ")).
        """)

    func run() throws {
        do {
            let result = try StatsRequest.respond(toDocument: try StandardStreams.readInput())
            try StandardStreams.emit(result.serialized)
        } catch {
            throw CommandFailure.report("stats", error)
        }
    }
}

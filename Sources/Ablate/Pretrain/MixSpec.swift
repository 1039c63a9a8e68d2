import Foundation
import Tasks

/// The `--mix` syntax: `name=weight` pairs separated by commas, e.g. `arith=0.45,word=0.45,trace=0.1`.
/// Weights are relative (the corpus normalises them); a family left out gets 0.
public enum MixSpec {
    /// Parses `text`; an unknown family, a repeated one, a non-numeric, negative or non-finite weight, or an
    /// all-zero mix is an `AblateError` naming the bad part and the valid families.
    public static func parse(_ text: String) throws -> [String: Double] {
        var mix: [String: Double] = [:]
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        for raw in parts {
            let part = raw.trimmingCharacters(in: .whitespaces)
            let pieces = part.split(separator: "=", omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else {
                throw AblateError.malformedMix(text: text, reason: "'\(part)' is not name=weight")
            }
            let name = pieces[0].trimmingCharacters(in: .whitespaces)
            guard TaskRegistry.names.contains(name) else {
                throw AblateError.unknownSuite(name: name, valid: TaskRegistry.names)
            }
            guard mix[name] == nil else {
                throw AblateError.malformedMix(text: text, reason: "'\(name)' appears twice")
            }
            let valueText = pieces[1].trimmingCharacters(in: .whitespaces)
            guard let w = Double(valueText), w.isFinite, w >= 0 else {
                throw AblateError.malformedMix(text: text, reason: "the weight of '\(name)' is '\(valueText)', not a finite number ≥ 0")
            }
            mix[name] = w
        }
        guard mix.values.reduce(0, +) > 0 else {
            throw AblateError.malformedMix(text: text, reason: "at least one family needs a positive weight")
        }
        return mix
    }

    /// `name=weight` pairs in registry order (the inverse of `parse` up to number formatting).
    public static func format(_ mix: [String: Double]) -> String {
        let order = TaskRegistry.names + mix.keys.sorted().filter { !TaskRegistry.names.contains($0) }
        return order.compactMap { name in mix[name].map { "\(name)=\($0)" } }.joined(separator: ",")
    }
}

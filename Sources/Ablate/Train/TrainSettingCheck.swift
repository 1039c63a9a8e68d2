import Foundation
import JSON
import MiniLM
import RewardZoo

extension TrainConfig {
    /// `--set help`: every setting with its type and default, one per line (`name  type  default`).
    public static func settingsTable() -> String {
        let defaults = (try? JSONValue.parse(Data(TrainConfig().json().utf8))) ?? .null
        let width = fieldNames.map(\.count).max() ?? 0
        var lines = ["training settings (--set name=value; lists and rewards as JSON, e.g. --set 'eval_suites=[\"arith\",\"word\"]'):"]
        for name in fieldNames {
            let value = defaults[name]
            let type: String
            switch value {
            case .number?:
                let fraction = try? TrainConfig.decode(json: Data(#"{"\#(name)": 1.5}"#.utf8), source: "--set")
                type = fraction == nil ? "integer" : "number"
            case .bool?: type = "true|false"
            case .array?: type = "list"
            case .object?: type = "reward"
            case .string? where name == CodingKeys.lossType.rawValue: type = GRPOLossType.allCases.map(\.rawValue).joined(separator: "|")
            case .string? where name == CodingKeys.scaleRewards.rawValue: type = AdvantageScaling.allCases.map(\.rawValue).joined(separator: "|")
            case .string?: type = "text"
            case .null?, nil where name == CodingKeys.shaping.rawValue: type = Shaping.allCases.map(\.rawValue).joined(separator: "|")
            case .null?, nil where name == CodingKeys.evalTemperature.rawValue: type = "number"
            case .null?, nil where [CodingKeys.evalKSuites, .checkpointSteps, .evalKSplits].map(\.rawValue).contains(name): type = "list"
            case .null?, nil: type = "text"
            }
            let absent = [CodingKeys.shaping.rawValue: "(the reward's own)", CodingKeys.evalTemperature.rawValue: "(0.8)",
                          CodingKeys.evalKSuites.rawValue: "(every evaluated suite)", CodingKeys.checkpointSteps.rawValue: "(none)",
                          CodingKeys.evalKSplits.rawValue: "(test and validation)"]
            let shown = absent[name] ?? value?.serialized ?? ""
            lines.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + type.padding(toLength: 22, withPad: " ", startingAt: 0) + "  " + shown)
        }
        return lines.joined(separator: "\n")
    }

    /// Checks one `key=value` training setting on its own (as `ablate train --set` gives it), so the error names
    /// the key, the value as written and the valid range: an unknown key lists the keys; a number that does not
    /// fit the key's integer type (`seed=-1`, `max_steps=1e30`) or is not whole says which integers it takes; any
    /// other value is checked by `validate()` against the defaults.
    /// - Parameters: `value` is the JSON value (from `JSONSerialization`), `text` the value as written.
    public static func checkSetting(key: String, value: Any, text: String) throws {
        guard fieldNames.contains(key) else {
            throw AblateError.invalidTrainConfig(field: key, value: text, reason: Suggestion.unknownKey(key, valid: fieldNames, list: fieldNames.joined(separator: ", ")))
        }
        func decoded(_ v: Any) -> TrainConfig? {
            guard let data = try? JSONSerialization.data(withJSONObject: [key: v], options: [.fragmentsAllowed]) else { return nil }
            return try? TrainConfig.decode(json: data, source: "--set")
        }
        /// validate()'s reason for `c` when it concerns `key` (nil when `c` passes or another key fails).
        func problem(_ c: TrainConfig) -> String? {
            var c = c
            if key != "base" { c.base = "base.safetensors" }
            // Limits on a combination are checked once every setting is in (e.g. prompts × generations).
            if key == "num_generations" { c.promptsPerStep = 1 }
            if key == "prompts_per_step" { c.numGenerations = 1 }
            do { try c.validate() } catch let AblateError.invalidTrainConfig(field, _, reason) where field == key {
                return reason
            } catch {}
            return nil
        }
        if let c = decoded(value) {
            if let reason = problem(c) { throw AblateError.invalidTrainConfig(field: key, value: text, reason: reason) }
            return
        }

        // Integer keys: 1 decodes, 1.5 does not; unsigned ones (seed) refuse -1.
        let written = text.trimmingCharacters(in: .whitespaces)
        let isNumber = value is NSNumber && written != "true" && written != "false"
        if isNumber, let number = value as? NSNumber, decoded(1) != nil, decoded(1.5) == nil {
            let d = number.doubleValue
            let unsigned = decoded(-1) == nil
            // validate()'s limits for this key when it has some (probed at the nearest value the type holds),
            // else the type's own.
            var range = unsigned ? "must be an integer in 0...\(UInt64.max)" : "must be an integer in \(Int.min)...\(Int.max)"
            if !unsigned, d.isFinite || d.isInfinite {
                let probe: Int = d >= 9.2e18 ? Int.max : d <= -9.2e18 ? Int.min : Int(d.rounded())
                if let c = decoded(probe), let reason = problem(c) { range = reason }
            }
            if d.isFinite, d != d.rounded() {
                let limits = decoded(Int(d.rounded())).flatMap(problem).map { "; \($0)" } ?? ""
                throw AblateError.invalidTrainConfig(field: key, value: text, reason: "must be a whole number\(limits)")
            }
            throw AblateError.invalidTrainConfig(field: key, value: text, reason: range)
        }
        let expected: String
        if decoded(1.5) != nil { expected = "a number" }
        else if decoded(1) != nil { expected = "an integer" }
        else if decoded(true) != nil { expected = "true or false" }
        else if decoded(["arith"]) != nil { expected = "a list of names, e.g. [\"arith\",\"word\"]" }
        else if decoded("x") == nil && decoded(["name": "gold"]) != nil { expected = "a reward object, e.g. {\"name\":\"vigor\"}" }
        else { expected = "a valid value" }
        // A string key with a closed set of values: let the full decoder say which (TrainConfig.decode lists them).
        if let data = try? JSONSerialization.data(withJSONObject: [key: value], options: [.fragmentsAllowed]) {
            do { _ = try TrainConfig.decode(json: data, source: "--set") } catch let e as AblateError {
                if case let .invalidTrainConfig(field, _, reason) = e, field == key || field == "(config)", !reason.hasPrefix("expected ") {
                    throw AblateError.invalidTrainConfig(field: key, value: text, reason: reason)
                }
            } catch {
                // A reward spec's own error (unknown reward or option) says what is valid.
                if key == "reward" { throw AblateError.invalidTrainConfig(field: key, value: text, reason: "\(error)") }
            }
        }
        throw AblateError.invalidTrainConfig(field: key, value: text, reason: "expected \(expected)")
    }
}

import Foundation
import JSON
import RewardZoo

/// The one place study files validate a `reward:` object: through `RewardRegistry` (a `RewardSpec` decoded from
/// the flat object), so a study accepts exactly what `ablate train` accepts.
public enum RewardCheck {
    /// What is wrong with a flat reward spec `{"name": ..., option: value, ...}`, or nil: the offending key
    /// ("name" or the option) and a message that lists the valid values; the parser reports it at that key's
    /// line and column.
    public static func problem(spec: [(key: String, value: JSONValue)]) -> (key: String, message: String)? {
        do {
            _ = try RewardSpec.decode(json: JSONValue.object(spec).serialized)
            return nil
        } catch let e as RewardZooError {
            switch e {
            case let .unknownOption(_, option, _), let .badOptionValue(_, option, _, _), let .missingOption(_, option):
                return (option, "\(e)")
            default: return ("name", "\(e)")  // unknown or missing name: the message lists the registry
            }
        } catch {
            return ("name", "\(error)")
        }
    }
}

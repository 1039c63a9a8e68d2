/// The alternative hypothesis, with scipy's spelling as the raw value.
///
/// `greater` means the statistic (x's location, x − y, or the correlation) is larger than under the null.
public enum Alternative: String, Sendable, CaseIterable, Codable {
    case twoSided = "two-sided"
    case less
    case greater

    /// Parses scipy's spelling, or throws a `StatsError.invalidOption` listing the valid ones.
    public init(parsing text: String) throws {
        guard let value = Alternative(rawValue: text.lowercased()) else {
            throw StatsError.invalidOption(name: "alternative", value: text, valid: Alternative.allCases.map(\.rawValue))
        }
        self = value
    }
}

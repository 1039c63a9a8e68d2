import Testing

/// A named case of a parametrised test: Swift Testing shows `name` for each argument.
///
///     static let cases = [Named("empty", "", 0), Named("one", "a", 1)]
///     @Test(arguments: cases) func length(_ c: Named<String, Int>) { #expect(c.input.count == c.expected) }
public struct Named<Input: Sendable, Output: Sendable>: Sendable, CustomTestStringConvertible {
    public let name: String
    public let input: Input
    public let expected: Output

    public init(_ name: String, _ input: Input, _ expected: Output) {
        self.name = name
        self.input = input
        self.expected = expected
    }

    public var testDescription: String { name }
}

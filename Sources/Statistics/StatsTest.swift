import JSON

/// One test of the `ablate stats` protocol: its name, the parameters it accepts, the data fields it reads and the
/// function that answers it. `StatsRequest.tests` is the list of them, so adding a test is adding one entry there
/// (and reference cases to the fixture); the protocol itself (`StatsRequest.run`) never names a test.
public struct StatsTest: Sendable {
    /// The request's `"test"`: scipy's function name where scipy has the test.
    public let name: String
    /// The `params` it accepts, with scipy's names (statsmodels' or rliable's where scipy has no such test), in the
    /// order an error message lists them. Any other parameter is refused with this list.
    public let params: [String]
    /// The data fields it reads: `["x", "y"]`, `["x"]`, or none (the power calculations). A field it does not read
    /// may be absent, null or an empty array; holding data, it is refused rather than silently ignored.
    public let data: [String]
    /// The outputs after `id`, in order, from the request's data and its checked params.
    let answer: @Sendable (Request, Params) throws -> StatsRequest.Outputs

    init(_ name: String, params: [String], data: [String] = ["x", "y"],
         answer: @escaping @Sendable (Request, Params) throws -> StatsRequest.Outputs) {
        self.name = name
        self.params = params
        self.data = data
        self.answer = answer
    }
}

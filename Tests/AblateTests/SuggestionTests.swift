import Testing

@testable import Ablate

@Suite struct SuggestionTests {
    @Test func mistypedSettingsGetTheirName() throws {
        #expect(Suggestion.closest(to: "lr", in: TrainConfig.fieldNames).contains("learning_rate"))
        #expect(Suggestion.closest(to: "max_step", in: TrainConfig.fieldNames) == ["max_steps"])
        #expect(Suggestion.closest(to: "temprature", in: TrainConfig.fieldNames) == ["temperature"])
        #expect(Suggestion.closest(to: "zzzzzz", in: TrainConfig.fieldNames).isEmpty)
        #expect(Suggestion.distance("kitten", "sitting") == 3 && Suggestion.distance("", "abc") == 3)
        do {
            try TrainConfig.checkSetting(key: "lr", value: 1e-4, text: "1e-4")
            Issue.record("lr accepted")
        } catch {
            #expect("\(error)".contains("did you mean 'learning_rate'"), "\(error)")
        }
    }
}

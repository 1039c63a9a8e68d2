import TestSupport
import Testing
@testable import Tasks

@Suite struct CorpusTests {
    static let corpus: [CorpusExample] = {
        (try? CorpusGenerator().examples(count: 3000, seed: 42)) ?? []
    }()

    @Test func deterministicPerSeed() throws {
        let generator = try CorpusGenerator()
        let a = try generator.examples(count: 200, seed: 1)
        #expect(a == (try generator.examples(count: 200, seed: 1)))
        #expect(a != (try generator.examples(count: 200, seed: 2)))
        var stream = generator.stream(seed: 1)
        #expect(try (0..<200).map { _ in try stream.next() } == a)
    }

    @Test func mixesFamiliesByWeightWithTraceUnderRepresented() {
        let corpus = Self.corpus
        #expect(corpus.count == 3000)
        func share(_ name: String) -> Double { Double(corpus.filter { $0.family == name }.count) / Double(corpus.count) }
        #expect(abs(share("arith") - 0.45) < 0.04)
        #expect(abs(share("word") - 0.45) < 0.04)
        #expect(abs(share("trace") - 0.10) < 0.03)
        #expect(share("trace") < share("arith") && share("trace") < share("word"))
    }

    @Test func flawedExamplesAreAsRequestedAndReallyWrong() throws {
        let corpus = Self.corpus
        let flawed = corpus.filter(\.isFlawed)
        let fraction = Double(flawed.count) / Double(corpus.count)
        #expect(fraction > 0.08 && fraction < 0.12, "\(fraction)")
        for e in flawed {
            #expect(e.solution != e.problem.solution)
            #expect(AnswerParser.parse(e.solution) != nil)
            #expect(!AnswerParser.verify(e.solution, gold: e.problem.answer), "\(e.text)")
            expectFlags(ScratchpadChecker.check(e.solution), wrong: [e.slippedStep ?? -1], "\(e.text)")
        }
        for e in corpus where !e.isFlawed {
            #expect(e.solution == e.problem.solution && e.slippedStep == nil)
            #expect(AnswerParser.verify(e.solution, gold: e.problem.answer))
        }
    }

    @Test func trainsOnTheTrainSplitOnly() throws {
        #expect(Self.corpus.allSatisfy { $0.problem.split == .train })
        let heldOut = try CorpusGenerator().examples(count: 200, seed: 42, split: .test)
        #expect(heldOut.allSatisfy { $0.problem.split == .test })
        #expect(Self.corpus.allSatisfy { Alphabet.covers($0.text) && $0.text.count <= 126 })
    }

    @Test func controllableMixAndFlawedFraction() throws {
        var config = CorpusConfig()
        config.weights = ["trace": 1]
        config.flawedFraction = 0
        let onlyTrace = try CorpusGenerator(config: config).examples(count: 100, seed: 3)
        #expect(onlyTrace.allSatisfy { $0.family == "trace" && !$0.isFlawed })
        config.flawedFraction = 1
        let allFlawed = try CorpusGenerator(config: config).examples(count: 100, seed: 3)
        #expect(allFlawed.filter(\.isFlawed).count >= 98)
        let overridden = try CorpusConfig.decoding(overridesJSON: #"{"flawedFraction": 0.25}"#)
        #expect(overridden.flawedFraction == 0.25 && overridden.weights == CorpusConfig().weights)
    }

    static let badConfigs: [Named<String, String>] = [
        Named("unknown family", #"{"weights": {"arith": 1, "code": 1}}"#, "unknown task family 'code'"),
        Named("negative weight", #"{"weights": {"arith": -1, "word": 1}}"#, "weights.arith = -1.0"),
        Named("all zero", #"{"weights": {"arith": 0}}"#, "at least one family needs a positive weight"),
        Named("fraction above one", #"{"flawedFraction": 1.5}"#, "flawedFraction = 1.5: must be in 0...1"),
        Named("unknown key", #"{"flawed": 0.1}"#, "unknown key 'flawed' in corpus config"),
        // Each finite, but the sum is +inf: weightedIndex then always picked the last family (no arith at all).
        Named("weights overflow", #"{"weights": {"arith": 1e308, "word": 1e308}}"#, "weights"),
    ]

    @Test(arguments: badConfigs)
    func badConfigsAreTypedErrors(_ c: Named<String, String>) {
        do {
            _ = try CorpusGenerator(config: CorpusConfig.decoding(overridesJSON: c.input))
            Issue.record("expected an error")
        } catch let error as TasksError {
            #expect(error.description.contains(c.expected), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func weightForAFamilyNotGivenIsAnError() {
        #expect(throws: TasksError.self) { try CorpusGenerator(families: [ArithFamily()]) }
        var config = CorpusConfig()
        config.weights = ["arith": 1]
        #expect((try? CorpusGenerator(config: config, families: [ArithFamily()])) != nil)
    }
}

@Suite struct AlphabetTests {
    @Test func sortedUniqueAndSmall() {
        let scalars = Alphabet.characters.map { $0.unicodeScalars.first?.value ?? 0 }
        #expect(scalars == scalars.sorted() && Set(scalars).count == scalars.count)
        #expect(Alphabet.characters.allSatisfy { $0.unicodeScalars.count == 1 })
        #expect(Alphabet.characters.count < 96)
        #expect(Alphabet.string == String(Alphabet.characters))
        #expect(Alphabet.covers("a=3\nb=a*2\nif b>5:b=b-1\nprint(b)\na=3. b=3*2=6. #### 5"))
        #expect(Alphabet.foreignCharacters(in: "a,b;c,") == [",", ";"])
    }

    @Test func everyTemplateWordIsCovered() {
        let vocabulary = WordFamily.people.map { $0.name + $0.subject.capitalizedFirst + $0.object }
            + WordFamily.objects + WordFamily.starts + WordFamily.adds + WordFamily.subs + WordFamily.doubles
            + WordFamily.triples + WordFamily.halves + WordFamily.thirds + WordFamily.packs + WordFamily.moreThan
            + WordFamily.fewerThan + WordFamily.twiceAs + WordFamily.questions + WordFamily.leftQuestions
            + WordFamily.togetherQuestions
        for text in vocabulary {
            #expect(Alphabet.covers(text.replacing("{", with: "").replacing("}", with: "")), "\(text)")
        }
    }
}

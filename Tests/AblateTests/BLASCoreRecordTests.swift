import Foundation
import JSON
import Testing
@testable import Ablate

/// What a report's setup shows of a trial's OpenBLAS core, from its config.json run_info (issue 16).
@Suite struct BLASCoreRecordTests {
    func core(_ runInfo: String) throws -> String? {
        TrialResult.blasCore(runInfo: try JSONValue.parse(Data(runInfo.utf8)))
    }

    @Test func reportShowsTheCoreAndHowItWasChosen() throws {
        #expect(try core(#"{"openblas_core": "Zen", "blas_core_detected": "Zen", "blas_core": "Zen", "blas_core_choice": "openblas"}"#) == "Zen")
        #expect(try core(#"{"blas_core_detected": "Prescott", "blas_core": "SkylakeX", "blas_core_choice": "chosen"}"#)
                == "SkylakeX (chosen by ablate; OpenBLAS detected Prescott)")
        #expect(try core(#"{"blas_core_detected": null, "blas_core": "Haswell", "blas_core_choice": "user"}"#)
                == "Haswell (OPENBLAS_CORETYPE set by the user)")
        #expect(try core(#"{"blas_core_detected": "Prescott", "blas_core": "Prescott", "blas_core_choice": "fallback: SkylakeX raised SIGILL"}"#)
                == "Prescott (detected; fallback: SkylakeX raised SIGILL)")
        #expect(try core(#"{"openblas_core": "Haswell"}"#) == "Haswell", "trials written before the blas_core fields")
        #expect(try core(#"{"machine": "x"}"#) == nil)
    }
}

/// The pre-training recipes that ship with a name (and a checkpoint in `models/`): a study picks one with
/// `base_model: {recipe: NAME}`, `ablate pretrain` with `--recipe NAME`; other keys then override it.
public struct NamedRecipe: Sendable {
    public let name: String
    /// Overrides of the default recipe, as study files spell them (snake_case JSON).
    public let overrides: String
    /// One line: what this base model is for.
    public let summary: String

    public static let all: [NamedRecipe] = [
        NamedRecipe(name: "base", overrides: "{}",
                    summary: "the default base model: one canonical scratchpad per problem"),
        // The nearest to the self-consistency regime that the base-model search found (docs/BASE-MODELS.md): on
        // arith validation greedy 27.5%, maj@8 − greedy −1.1 points at τ = 1 and +0.9 at τ = 0.7 (the default's
        // −4.5 at τ = 1). Two to four operands (its arith splits hold 1000 problems each), no flawed scratchpads,
        // more arith in the mix.
        NamedRecipe(name: "op4",
                    overrides: #"{"mix": {"arith": 0.35, "word": 0.5, "trace": 0.15}, "flawed_fraction": 0, "family_overrides": {"arith": {"max_operands": 4, "solutions": "canonical"}}}"#,
                    summary: "2–4 operand arith, no flawed scratchpads: sampled answers agree with greedy more than the default's (not yet +5)"),
    ]
}

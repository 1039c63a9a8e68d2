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
    ]
}

/// How GRPO divides the group-centred rewards (docs/REFERENCE.md, "GRPO"): `group` by the group's std (GRPO, TRL's
/// default), `batch` by the std of the whole batch (TRL `scale_rewards="batch"`), `none` not at all (Dr. GRPO).
public enum AdvantageScaling: String, CaseIterable, Codable, Sendable {
    case group, batch, none
}

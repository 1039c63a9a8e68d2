/// Ablate: studies, trial runner, statistics on GSL and reports (DESIGN.md, Ablate).
public enum AblateModule {}

/// Ablate: studies, trial runner, statistics on GSL and reports (docs/ARCHITECTURE.md, "Modules").
public enum AblateModule {}

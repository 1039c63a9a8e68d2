/// Tasks: synthetic math and code-tracing task families with exact verifiers (DESIGN.md, Tasks).
/// This module knows nothing of models; it produces and checks strings.
public enum TasksModule {}

// Placeholder until the trace lands.

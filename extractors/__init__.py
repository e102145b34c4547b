"""clausewise's clause engine: parse -> segment -> tag -> refine -> rules -> result."""

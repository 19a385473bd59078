VERSION = (2, 1, 0, "final", 0)

"""Channel adapters: each translates between one platform and the engine, nothing else."""

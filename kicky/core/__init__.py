"""The base layer: what crosses stages. Instances and their per-clip store, clips (finding, loading,
streaming), simulator truth as instances, label quality against truth, and the domain's constants.
Every stage may import it; it imports no stage."""

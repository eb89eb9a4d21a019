"""Teacher labelling: backends that turn frames into per-frame instances (class, mask, box, score,
source), chained so that a later backend only fills what the earlier ones left empty."""

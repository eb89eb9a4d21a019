from .test_build import labelled  # noqa: F401  (shared session fixture: oracle-labelled sim clips)

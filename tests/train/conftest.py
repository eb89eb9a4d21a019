from tests.dataset.test_build import labelled  # noqa: F401  (oracle-labelled sim clips, session-wide)

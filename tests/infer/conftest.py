from tests.detect.conftest import eval_data, short_clips, tiny_run  # noqa: F401  (memoised, shared)

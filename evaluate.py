"""`python evaluate.py [sources=...] [clips=data/clips] [dataset=classes3|classes5] [data=datasets/<name>]`

Every detector source through the same analysis, scored against truth: the `evaluate` stage
(kicky/evaluate/__main__.py, also `python -m kicky.evaluate` and `kicky evaluate`); see conf/evaluate.yaml."""
from kicky.evaluate.__main__ import main

if __name__ == "__main__":
    main()

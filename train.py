"""`python train.py [model=small] [res=384] [dataset=classes3] [trainer=gpu] [logger=wandb] [experiment=...]`

Trains the RF-DETR-Seg student on a built dataset: the `train` stage (kicky/train/__main__.py, also
`python -m kicky.train` and `kicky train`); see conf/train.yaml."""
from kicky.train.__main__ import main

if __name__ == "__main__":
    main()

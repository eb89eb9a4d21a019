"""The DDP code path on CPU: two processes over gloo through Lightning's own DDP strategy (the same
`trainer=ddp` config a multi-GPU host uses), outputs written once by rank 0."""
import json
import subprocess
import sys

from tests.train.test_train import ROOT


def test_ddp_two_cpu_processes(dataset, tmp_path):
    out = tmp_path / "ddp"
    p = subprocess.run(
        [sys.executable, "train.py", "trainer=ddp", "trainer.accelerator=cpu", "trainer.devices=2",
         "trainer.sync_bn=false", "trainer.num_workers=0", "model=nano", "res=96", "epochs=1", "limit_batches=2",
         "batch_size=1", f"data={dataset}", "logger=wandb", "run_test=false", f"hydra.run.dir={out}"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]
    log = p.stdout + p.stderr
    assert "distributed_backend=gloo" in log and "MEMBER: 2/2" in log
    assert "x 2 device(s)" in log and "effective batch 2" in log
    assert log.count("starts from random init") == 1                      # said once, not per rank
    history = json.loads((out / "history.json").read_text())
    assert history[0]["train_images"] == 2 * 2 * 1                        # 2 batches x 2 ranks x batch 1
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["devices"] == 2 and set(metrics["valid_last"]["per_class_ap"]) == {"ball", "player", "goal"}
    assert len(list((out / "wandb").glob("offline-run-*"))) == 1          # one W&B run (rank 0)
    assert (out / "last.ckpt").is_file() and (out / "checkpoint_best_total.pth").is_file()

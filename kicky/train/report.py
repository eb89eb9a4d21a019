"""What a finished run leaves behind: metrics.json (headline.json: its figures to compare across runs;
history_plot.json: the epochs as rows for `dvc plots`), the per-class AP table (markdown) and a plot of
per-class AP over epochs."""
from __future__ import annotations

from pathlib import Path

from kicky.io.atomic import replacing, write_json, write_text


def per_class(row: dict, split: str, classes: list[str]) -> dict[str, float | None]:
    """AP 50:95 of every class (None where the split has no instance of it: rfdetr skips those)."""
    return {c: row.get(f"{split}/AP/{c}", row.get(f"{split}/ema_AP/{c}")) for c in classes}


def best_map(row: dict, prefix: str = "") -> float:
    """A row's box mAP@50:95: the better of the model's and its EMA's (keys `{prefix}mAP_50_95` and
    `{prefix}ema_mAP_50_95`; 0 where neither was measured)."""
    return float(max(row.get(f"{prefix}mAP_50_95") or 0.0, row.get(f"{prefix}ema_mAP_50_95") or 0.0))


def best_epoch(history: list[dict]) -> dict:
    scored = [r for r in history if r.get("val/mAP_50_95") is not None or r.get("val/ema_mAP_50_95") is not None]
    return max(scored, key=lambda r: best_map(r, "val/"), default={})


def summary(history: list[dict], test: dict, classes: list[str], info: dict) -> dict:
    last, best = (history[-1] if history else {}), best_epoch(history)

    def split_metrics(row: dict, split: str) -> dict:
        keys = ("mAP_50_95", "mAP_50", "segm_mAP_50_95", "segm_mAP_50")
        return {**{k: row.get(f"{split}/{k}") for k in keys},
                **{f"ema_{k}": row.get(f"{split}/ema_{k}") for k in keys if f"{split}/ema_{k}" in row},
                "per_class_ap": per_class(row, split, classes)}

    speed = [r["images_per_s"] for r in history if r.get("images_per_s")]
    return {**info, "classes": classes, "epochs_done": len(history),
            "valid_last": split_metrics(last, "val"), "valid_best": {"epoch": best.get("epoch"),
                                                                      **split_metrics(best, "val")},
            "test": split_metrics(test, "test") if test else None,
            "throughput": {"images_per_s_last": speed[-1] if speed else None,
                           "images_per_s_mean_after_first": (round(sum(speed[1:]) / len(speed[1:]), 2)
                                                             if len(speed) > 1 else None),
                           "gpu_util_mean_last": last.get("gpu_util_mean"),
                           "gpu_mem_peak_gb": last.get("gpu_mem_peak_gb")},
            "history": history}


def table(metrics: dict) -> str:
    def f(v):
        return "-" if v is None else f"{v:.3f}"
    cols = [("valid (last epoch)", metrics["valid_last"]), (f"valid (best, epoch {metrics['valid_best']['epoch']})",
                                                           metrics["valid_best"])]
    if metrics.get("test"):
        cols.append(("test (best model)", metrics["test"]))
    lines = [f"# {metrics['run_name']}: per-class AP 50:95 (bbox)", "",
             "| class | " + " | ".join(c for c, _ in cols) + " |", "|---|" + "---:|" * len(cols)]
    for c in metrics["classes"]:
        lines.append(f"| {c} | " + " | ".join(f(m["per_class_ap"][c]) for _, m in cols) + " |")
    for key, label in (("mAP_50_95", "**mAP 50:95**"), ("mAP_50", "mAP 50"), ("segm_mAP_50_95", "segm mAP 50:95")):
        lines.append(f"| {label} | " + " | ".join(f(m.get(key)) for _, m in cols) + " |")
    t = metrics["throughput"]
    lines += ["", f"Training speed: {t['images_per_s_last']} images/s (last epoch, train loop), "
              f"GPU util {t['gpu_util_mean_last']} %, peak GPU memory {t['gpu_mem_peak_gb']} GB."]
    return "\n".join(lines) + "\n"


def plot(history: list[dict], classes: list[str], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.5))
    epochs = [r["epoch"] + 1 for r in history]
    for c in classes:
        ys = [per_class(r, "val", classes)[c] for r in history]
        if any(y is not None for y in ys):
            ax.plot(epochs, [float("nan") if y is None else y for y in ys], marker="o", label=c)
    ax.set_xlabel("epoch"), ax.set_ylabel("valid AP 50:95"), ax.set_title("per-class AP")
    ax.grid(alpha=0.3), ax.legend()
    fig.tight_layout()
    with replacing(path, ".png") as tmp:
        fig.savefig(tmp, dpi=100)
    plt.close(fig)


def headline(metrics: dict) -> dict:
    """What `dvc metrics show / diff` compares across runs: the model, the best valid and the test mAP,
    the test AP per class and the training speed (the epoch history lives in history_plot.json)."""
    keep = ("mAP_50_95", "mAP_50", "segm_mAP_50_95", "segm_mAP_50")
    vb, test = metrics.get("valid_best") or {}, metrics.get("test") or {}
    return {"model": metrics.get("model"), "res": metrics.get("res"), "epochs_done": metrics.get("epochs_done"),
            "valid_best": {"epoch": vb.get("epoch"), **{k: vb.get(k) for k in keep}},
            "test": {**{k: test.get(k) for k in keep}, "per_class_ap": test.get("per_class_ap")} if test else None,
            "images_per_s": (metrics.get("throughput") or {}).get("images_per_s_mean_after_first")}


def history_plot(history: list[dict]) -> list[dict]:
    """The epoch history as flat {epoch, key: number} rows: what `dvc plots show / diff` reads."""
    return [{k: v for k, v in r.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
            for r in history if "epoch" in r]


def write(run_dir: Path, metrics: dict) -> None:
    write_json(run_dir / "metrics.json", metrics, indent=1)
    write_json(run_dir / "headline.json", headline(metrics), indent=1)
    write_json(run_dir / "history_plot.json", history_plot(metrics.get("history") or []), indent=1)
    write_text(run_dir / "per_class_ap.md", table(metrics))
    plot(metrics["history"], metrics["classes"], run_dir / "per_class_ap.png")

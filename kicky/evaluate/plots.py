"""Evaluation plots: per-class AP of every detector (bbox and segm, AP@50:95), and each detector's
precision/recall curves per class at IoU 0.5."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from kicky.io.atomic import replacing


def _save(fig, path: Path) -> None:
    with replacing(path, ".png") as tmp:
        fig.savefig(tmp, dpi=110)


def per_class_ap(ev: dict, split: str, path: Path) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    classes, names = ev["classes"], list(ev["sources"])
    fig, axes = plt.subplots(1, 2, figsize=(5 + 1.2 * len(classes) * max(len(names), 1) / 2, 3.6), sharey=True)
    w = 0.8 / max(len(names), 1)
    for ax, kind in zip(axes, ("bbox", "segm")):
        x = np.arange(len(classes))
        for j, n in enumerate(names):
            per = ev["sources"][n]["detection"][split][kind]["per_class"]
            v = [per[c]["AP"] or 0.0 for c in classes]
            ax.bar(x + (j - (len(names) - 1) / 2) * w, v, w, label=n)
        ax.set_xticks(x, classes)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"{kind} AP@50:95 ({split})")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("AP")
    axes[-1].legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
    return path


def pr_rows(ev: dict, split: str) -> list[dict]:
    """Every source's segm PR curve at IoU 0.5 as flat rows {source, class, recall, precision}: the
    JSON `dvc plots show / diff` draws (x recall, y precision), beside the PNGs."""
    return [{"source": n, "class": c, "recall": r, "precision": p}
            for n, s in ev["sources"].items() for c in ev["classes"]
            for r, p in zip(s["detection"][split]["segm"]["pr"][c]["recall"],
                            s["detection"][split]["segm"]["pr"][c]["precision"])]


def ap_rows(ev: dict, split: str) -> list[dict]:
    """Per source and class, segm and bbox AP@50:95 as flat rows (a bar plot for `dvc plots`)."""
    return [{"source": n, "class": c, **{f"{k}_AP": s["detection"][split][k]["per_class"][c]["AP"]
                                         for k in ("segm", "bbox")}}
            for n, s in ev["sources"].items() for c in ev["classes"]]


def pr_curves(ev: dict, name: str, split: str, path: Path) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4.8, 4.0))
    det = ev["sources"][name]["detection"][split]
    for k, c in enumerate(ev["classes"]):
        for kind, style in (("segm", "-"), ("bbox", "--")):
            pr = det[kind]["pr"][c]
            if pr["recall"]:
                ax.plot(pr["recall"], pr["precision"], style, color=f"C{k}",
                        label=f"{c} {kind} (AP50 {det[kind]['per_class'][c]['AP50'] or 0:.2f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title(f"{name}: PR at IoU 0.5 ({split})")
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
    return path

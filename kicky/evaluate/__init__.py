"""Evaluation: each detector source (simulator truth, teacher labels, student detections) through the
same analysis; detection AP (pycocotools) and downstream accuracy against simulator truth, per split;
throughput; the markdown table, plots and a W&B run."""

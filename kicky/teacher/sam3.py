"""SAM3 teacher backend: text-prompted video segmentation with transformers' `Sam3VideoModel`.

Each project class is turned into a text prompt (the ontology, e.g. player -> "person"); all prompts
go into one `Sam3VideoInferenceSession` (vision features are shared between prompts), the model
detects and tracks through the clip with `propagate_in_video_iterator`, `Sam3VideoProcessor.
postprocess_outputs` turns each frame into objects, and those become `Instance`s. `refine_boxes`
turns another teacher's boxes into masks with `Sam3TrackerModel` (SAM2-style box prompts on one
image) loaded from the same checkpoint. Weights are read from a local directory only, on first use.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from kicky.core.clips import ClipInput
from kicky.core.instances import Instance, Labels
from kicky.errors import KickyError

_DTYPES = ("float32", "float16", "bfloat16")
CHECKPOINT = "the facebook/sam3 checkpoint (config.json, model.safetensors, processor and tokenizer files)"


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


class _TorchCvUtils:
    """Stand-in for the hub kernel `kernels-community/cv-utils` that Sam3VideoModel fetches for
    detection NMS and mask hole filling; without it transformers silently skips both (duplicate
    objects, speckled masks). Same interface, plain torch + scipy, nothing downloaded."""

    @staticmethod
    def generic_nms(ious, probs, iou_threshold: float, use_iou_matrix: bool = True):
        import torch
        keep, suppressed = [], torch.zeros(len(probs), dtype=torch.bool, device=probs.device)
        for i in torch.argsort(probs, descending=True).tolist():
            if not suppressed[i]:
                keep.append(i)
                suppressed |= ious[i] > iou_threshold
        return torch.tensor(keep, dtype=torch.long, device=probs.device)

    @staticmethod
    def cc_2d(mask, get_counts: bool = True):
        """(N, 1, H, W) uint8 -> 8-connected component labels and, per pixel, its component's area."""
        import torch
        from scipy import ndimage
        m = mask.detach().cpu().numpy().astype(bool)
        labels, counts = np.zeros(m.shape, np.int32), np.zeros(m.shape, np.int32)
        for i in range(m.shape[0]):
            lab, _ = ndimage.label(m[i, 0], structure=np.ones((3, 3)))
            area = np.bincount(lab.ravel())
            area[0] = 0
            labels[i, 0], counts[i, 0] = lab, area[lab]
        return torch.from_numpy(labels).to(mask.device), torch.from_numpy(counts).to(mask.device)


class Sam3Backend:
    """`threshold`: minimum object score kept (the checkpoint's own gates, config
    `score_threshold_detection` and `new_det_thresh`, act first). `mask_threshold`: per-pixel
    probability; SAM3's post-processing already cuts at 0.5, so only values above 0.5 tighten video
    masks (box masks use it as given). `max_frames`: most frames one inference session holds; a
    longer clip runs in consecutive chunks (tracks restart per chunk; instances carry no track id)."""
    name = "sam3"

    def __init__(self, weights: str | Path | None, ontology: dict[str, str], device: str = "cpu",
                 threshold: float = 0.5, mask_threshold: float = 0.5, dtype: str = "float32",
                 max_frames: int | None = None):
        if dtype not in _DTYPES:
            raise KickyError(f"teacher.backends.sam3.dtype={dtype!r}: use one of {', '.join(_DTYPES)}")
        if max_frames is not None and max_frames < 1:
            raise KickyError(f"teacher.backends.sam3.max_frames={max_frames}: use a positive frame count or null")
        self.weights = Path(weights) if weights else None
        self.ontology = dict(ontology)
        self.device, self.threshold, self.mask_threshold = device, threshold, mask_threshold
        self.dtype, self.max_frames = dtype, max_frames
        self._video = self._processor = self._tracker = self._tracker_processor = None

    # ---------------------------------------------------------------- loading
    def check(self) -> None:
        """Fail before any labelling when the checkpoint is not where the config says."""
        self._weights_dir()

    def _weights_dir(self) -> Path:
        w = self.weights
        if w is None or not (w / "config.json").is_file():
            raise KickyError(
                f"sam3 weights not found at {w if w is not None else '(teacher.backends.sam3.weights is unset)'}: put "
                f"{CHECKPOINT} in that directory, or set teacher.backends.sam3.weights=<dir> (or KICKY_SAM3_WEIGHTS)")
        try:
            conf = json.loads((w / "config.json").read_text())
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise KickyError(f"sam3 checkpoint {w / 'config.json'} is not valid JSON ({e}): copy {CHECKPOINT} "
                             f"there again") from None
        if not isinstance(conf, dict) or not str(conf.get("model_type", "sam3")).startswith("sam3"):
            got = conf.get("model_type") if isinstance(conf, dict) else type(conf).__name__
            raise KickyError(f"sam3 checkpoint {w / 'config.json'} is not a SAM3 config (model_type {got!r}): "
                             f"put {CHECKPOINT} there")
        return w

    def _pretrained(self, cls, **kw):
        """cls.from_pretrained of the local checkpoint; damaged or missing files are one clear line."""
        try:
            return cls.from_pretrained(self.weights, local_files_only=True, **kw)
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as e:
            first = (str(e).strip().splitlines() or [""])[0]
            raise KickyError(f"cannot load the sam3 checkpoint at {self.weights} ({e.__class__.__name__}: "
                             f"{first}): copy {CHECKPOINT} there again") from None

    def _load_video(self) -> None:
        if self._video is not None:
            return
        w = self._weights_dir()
        try:
            import torch
            from transformers import Sam3VideoModel, Sam3VideoProcessor
            from transformers.models.sam3_video import modeling_sam3_video
        except (ImportError, RuntimeError) as e:  # e.g. a torchvision whose C ops don't match torch
            raise KickyError("sam3 needs transformers' Sam3VideoModel and a torchvision that loads with this "
                             f"torch: {e.__cause__ or e}") from e
        if not modeling_sam3_video.cv_utils_kernel:
            modeling_sam3_video.cv_utils_kernel = _TorchCvUtils()
        self._torch_dtype = getattr(torch, self.dtype)
        self._processor = self._pretrained(Sam3VideoProcessor)
        self._video = self._pretrained(Sam3VideoModel).to(self.device, dtype=self._torch_dtype).eval()

    def _load_tracker(self) -> None:
        if self._tracker is not None:
            return
        self._load_video()
        from transformers import Sam3TrackerModel, Sam3TrackerProcessor
        # The sam3_video checkpoint holds the tracker; from_pretrained renames its weights across.
        tracker, info = self._pretrained(Sam3TrackerModel, output_loading_info=True)
        if info["missing_keys"]:
            raise KickyError(f"sam3 weights at {self.weights} do not hold the tracker in the facebook/sam3 "
                             f"layout (missing e.g. {sorted(info['missing_keys'])[0]}): refine_boxes needs "
                             "the original checkpoint files")
        self._tracker = tracker.to(self.device, dtype=self._torch_dtype).eval()
        self._tracker_processor = Sam3TrackerProcessor(image_processor=self._processor.image_processor)

    # ---------------------------------------------------------------- video
    def label(self, clip: ClipInput, classes: tuple[str, ...], todo: np.ndarray) -> Labels:
        self._weights_dir()  # a missing checkpoint is reported even when this clip asks for nothing
        out: Labels = [[] for _ in range(len(clip))]
        wanted = [j for j, c in enumerate(classes) if c in self.ontology and todo[:, j].any()]
        if not wanted:
            return out
        prompts: dict[str, list[int]] = {}  # prompt text -> indices of the classes that use it
        for j in wanted:
            prompts.setdefault(self.ontology[classes[j]], []).append(j)
        self._load_video()
        rows = np.flatnonzero(todo[:, wanted].any(axis=1))
        first, last = int(rows[0]), int(rows[-1]) + 1  # only the span that holds work
        step = self.max_frames or (last - first)
        for t0 in range(first, last, step):
            for t, prompt, score, mask in self._segment(clip.frames[t0:t0 + step], list(prompts), clip.shape):
                for j in prompts[prompt]:
                    if todo[t0 + t, j]:
                        out[t0 + t].append(Instance(classes[j], mask, score, self.name))
        return out

    def _segment(self, frames: np.ndarray, prompts: list[str], shape: tuple[int, int]):
        """Yield (index into `frames`, prompt, score, bool HxW mask) for every object kept."""
        import torch
        import torch.nn.functional as F

        session = self._processor.init_video_session(
            video=list(frames), inference_device=self.device, processing_device=self.device,
            video_storage_device="cpu", dtype=self._torch_dtype)
        self._processor.add_text_prompt(session, prompts)
        for raw in self._video.propagate_in_video_iterator(inference_session=session):
            post = self._processor.postprocess_outputs(session, raw)
            ids = [int(i) for i in post["object_ids"]]
            if not ids:
                continue
            masks = post["masks"]  # (N, h, w) bool, per-prompt non-overlapping
            if self.mask_threshold > 0.5:
                logits = torch.cat([raw.obj_id_to_mask[i] for i in ids]).float().unsqueeze(1)
                probs = F.interpolate(logits, size=masks.shape[-2:], mode="bilinear", align_corners=False)
                masks = masks & (probs[:, 0] > _logit(self.mask_threshold))
            if tuple(masks.shape[-2:]) != shape:
                masks = F.interpolate(masks[:, None].float(), size=shape, mode="nearest")[:, 0] > 0.5
            masks = masks.cpu().numpy()
            prompt_of = {i: p for p, obj_ids in post["prompt_to_obj_ids"].items() for i in obj_ids}
            for k, (obj_id, score) in enumerate(zip(ids, post["scores"].tolist())):
                if score >= self.threshold and masks[k].any():
                    yield raw.frame_idx, prompt_of[obj_id], float(score), masks[k]

    # ---------------------------------------------------------------- boxes -> masks
    def refine_boxes(self, frame: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> list[np.ndarray]:
        """One bool HxW mask per x0, y0, x1, y1 pixel box on `frame` (HxWx3 uint8 RGB): each box is a
        separate single-mask prompt to the SAM3 tracker (`Sam3TrackerModel`); may be empty."""
        if len(boxes) == 0:
            return []
        import torch

        self._load_tracker()
        proc = self._tracker_processor
        inputs = proc(images=frame, input_boxes=[[[float(v) for v in b] for b in boxes]], return_tensors="pt")
        with torch.inference_mode():
            pred = self._tracker(pixel_values=inputs["pixel_values"].to(self.device, self._torch_dtype),
                                 input_boxes=inputs["input_boxes"].to(self.device),
                                 multimask_output=False).pred_masks  # (1, N, 1, h, w) logits
        masks = proc.post_process_masks(pred.float().cpu(), inputs["original_sizes"],
                                        mask_threshold=_logit(self.mask_threshold))[0]
        return [m[0].numpy().astype(bool) for m in masks]

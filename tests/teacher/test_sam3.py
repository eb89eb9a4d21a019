"""SAM3 backend on a tiny randomly initialised SAM3 video checkpoint built here (no downloads).

Random weights give random masks, so these tests check the plumbing: shapes, types, classes, the todo
mask, thresholds and the box path, with the real transformers model doing every forward pass.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from kicky.core.clips import ClipInput
from kicky.core.instances import Instance, mask_box
from kicky.errors import KickyError
from kicky.teacher.sam3 import Sam3Backend, _TorchCvUtils

ONTOLOGY = {"ball": "ball", "player": "person", "goal": "goal post"}
CLASSES = ("ball", "player", "goal", "keeper")  # keeper has no prompt: never labelled
T, H, W = 4, 96, 128
SIZE, PATCH, DIM = 112, 14, 128  # DIM > 64: the tracker splits object pointers into 64-wide memory tokens





def tiny_sam3(path) -> None:
    """Write a 4.5 M parameter sam3_video checkpoint, its processor and a hand-made CLIP tokenizer."""
    from safetensors.torch import save_file
    from transformers import CLIPTokenizer, Sam3Config, Sam3TrackerVideoConfig, Sam3VideoConfig, Sam3VideoModel
    from transformers import Sam3VideoProcessor
    from transformers.models.sam2_video.video_processing_sam2_video import Sam2VideoVideoProcessor
    from transformers.models.sam3.configuration_sam3 import Sam3ViTConfig, Sam3VisionConfig
    from transformers.models.sam3.image_processing_sam3 import Sam3ImageProcessor

    g = SIZE // PATCH
    vit = Sam3ViTConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                        image_size=SIZE, patch_size=PATCH, window_size=4, global_attn_indexes=[1],
                        pretrain_image_size=SIZE)
    vision = Sam3VisionConfig(backbone_config=vit, fpn_hidden_size=DIM,
                              backbone_feature_sizes=[[4 * g, 4 * g], [2 * g, 2 * g], [g, g]])
    small = dict(hidden_size=DIM, num_attention_heads=2, intermediate_size=64)
    detector = Sam3Config(
        vision_config=vision,
        text_config=dict(vocab_size=64, hidden_size=DIM, intermediate_size=64, projection_dim=DIM,
                         num_hidden_layers=1, num_attention_heads=2, max_position_embeddings=32,
                         bos_token_id=0, eos_token_id=1, pad_token_id=1),
        geometry_encoder_config=dict(num_layers=1, **small), detr_encoder_config=dict(num_layers=1, **small),
        detr_decoder_config=dict(num_layers=1, num_queries=8, **small),
        mask_decoder_config=dict(hidden_size=DIM, num_attention_heads=2))
    tracker = Sam3TrackerVideoConfig(
        vision_config=vision.to_dict(), image_size=SIZE,
        prompt_encoder_config=dict(hidden_size=DIM, image_size=SIZE, patch_size=PATCH),
        mask_decoder_config=dict(hidden_size=DIM, mlp_dim=64, num_attention_heads=2, iou_head_hidden_dim=DIM),
        memory_attention_hidden_size=DIM, memory_attention_num_layers=1,
        memory_attention_feed_forward_hidden_size=64,
        memory_encoder_hidden_size=DIM, mask_downsampler_embed_dim=DIM, memory_fuser_embed_dim=DIM,
        memory_fuser_intermediate_dim=64, num_maskmem=2)
    # Detection gates at 0 so the random model proposes objects; no hotstart buffering for 4 frames.
    config = Sam3VideoConfig(detector_config=detector, tracker_config=tracker, low_res_mask_size=4 * g,
                             score_threshold_detection=0.0, new_det_thresh=0.0, hotstart_delay=0,
                             hotstart_unmatch_thresh=0, hotstart_dup_thresh=0)
    torch.manual_seed(0)
    model = Sam3VideoModel(config)
    model.save_pretrained(path)
    # Rewrite the weights under the module names (the facebook/sam3 layout): transformers 5.24's
    # save_pretrained stores the tracker as tracker_model.tracker_model.*, which Sam3TrackerModel can't map.
    save_file({k: v.detach().clone().contiguous() for k, v in model.state_dict().items()},
              str(path / "model.safetensors"), metadata={"format": "pt"})

    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1, **{c: 2 + i for i, c in enumerate(letters)},
             **{c + "</w>": 28 + i for i, c in enumerate(letters)}}
    norm = dict(size={"height": SIZE, "width": SIZE}, image_mean=[0.5] * 3, image_std=[0.5] * 3)
    Sam3VideoProcessor(image_processor=Sam3ImageProcessor(mask_size={"height": 4 * g, "width": 4 * g}, **norm),
                       video_processor=Sam2VideoVideoProcessor(**norm),
                       tokenizer=CLIPTokenizer(vocab=vocab, merges=[])).save_pretrained(path)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    path = tmp_path_factory.mktemp("sam3")
    tiny_sam3(path)
    return path


@pytest.fixture(scope="module")
def clip():
    frames = np.random.default_rng(0).integers(0, 256, (T, H, W, 3), dtype=np.uint8)
    return ClipInput("tiny", frames, fps=30.0)


def test_missing_weights_names_the_path(tmp_path, clip):
    todo = np.ones((T, len(CLASSES)), bool)
    for weights in (tmp_path / "nope", tmp_path):  # absent, and present without config.json
        with pytest.raises(KickyError, match="sam3 weights not found") as e:
            Sam3Backend(weights, ONTOLOGY).label(clip, CLASSES, todo)
        assert str(weights) in str(e.value) and "config.json" in str(e.value)
    with pytest.raises(KickyError, match="teacher.backends.sam3.weights"):
        Sam3Backend(None, ONTOLOGY).label(clip, CLASSES, todo)
    with pytest.raises(KickyError, match="dtype"):
        Sam3Backend(tmp_path, ONTOLOGY, dtype="float8")


def test_label_plumbing(weights, clip):
    todo = np.ones((T, len(CLASSES)), bool)
    todo[1, 0] = False  # no ball on frame 1
    todo[:, 2] = False  # no goal anywhere
    todo[3, :] = False  # nothing on frame 3
    labels = Sam3Backend(weights, ONTOLOGY, threshold=0.0).label(clip, CLASSES, todo)

    assert len(labels) == T
    assert labels[3] == []
    for t, insts in enumerate(labels):
        for inst in insts:
            assert isinstance(inst, Instance) and inst.source == "sam3"
            assert inst.cls in ONTOLOGY and todo[t, CLASSES.index(inst.cls)]
            assert inst.mask.dtype == bool and inst.mask.shape == (H, W) and inst.area > 0
            assert inst.box == mask_box(inst.mask) and 0.0 <= inst.score <= 1.0
    # threshold 0 keeps every object: both prompts find something, and players are tracked on
    assert {"ball", "player"} <= {i.cls for i in labels[0]}
    assert all(any(i.cls == "player" for i in labels[t]) for t in range(3))


def test_threshold_and_chunks(weights, clip):
    todo = np.ones((T, len(CLASSES)), bool)
    assert Sam3Backend(weights, ONTOLOGY, threshold=1.01).label(clip, CLASSES, todo) == [[]] * T
    chunked = Sam3Backend(weights, ONTOLOGY, threshold=0.0, max_frames=3).label(clip, CLASSES, todo)
    assert len(chunked) == T and all(any(i.cls == "player" for i in insts) for insts in chunked)
    tight = Sam3Backend(weights, ONTOLOGY, threshold=0.0, mask_threshold=0.999).label(clip, CLASSES, todo)
    loose = Sam3Backend(weights, ONTOLOGY, threshold=0.0).label(clip, CLASSES, todo)
    assert sum(i.area for f in tight for i in f) < sum(i.area for f in loose for i in f)


def test_refine_boxes(weights, clip):
    backend = Sam3Backend(weights, ONTOLOGY)
    masks = backend.refine_boxes(clip.frames[0], [(10, 10, 50, 60), (60.5, 20.0, 120.0, 90.0), (0, 0, 128, 96)])
    assert len(masks) == 3
    assert all(m.dtype == bool and m.shape == (H, W) for m in masks)
    assert backend.refine_boxes(clip.frames[0], []) == []


def test_cv_utils_stand_in():
    ious = torch.tensor([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert _TorchCvUtils.generic_nms(ious, torch.tensor([0.5, 0.8, 0.3]), 0.5).tolist() == [1, 2]
    mask = torch.zeros(1, 1, 4, 5, dtype=torch.uint8)
    mask[0, 0, 0, :2] = 1
    mask[0, 0, 1, 2] = 1  # diagonal neighbour: same 8-connected component (3 px)
    mask[0, 0, 3, 4] = 1  # a 1 px component
    labels, counts = _TorchCvUtils.cc_2d(mask)
    assert counts[0, 0, 0, 0] == 3 and counts[0, 0, 1, 2] == 3 and counts[0, 0, 3, 4] == 1
    assert labels[0, 0, 0, 0] == labels[0, 0, 1, 2] != labels[0, 0, 3, 4]

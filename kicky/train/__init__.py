"""Student training: rfdetr's RF-DETR-Seg on its own Lightning stack, configured by Hydra."""

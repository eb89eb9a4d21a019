"""Closing a W&B run so its offline directory is complete when we return (ready for `wandb sync`)."""


def close(run) -> None:
    """Finish `run` and stop the W&B service: `finish()` alone can return before the offline run file
    is flushed to disk."""
    import wandb
    run.finish()
    wandb.teardown()

"""Entry points: a KickyError or a dead worker process is one line on stderr and exit status 2."""
import os
from concurrent.futures import ProcessPoolExecutor

import pytest
from omegaconf import OmegaConf

from kicky.cli import call
from kicky.errors import KickyError


def _die(_):
    os._exit(9)          # what an OOM kill looks like to the pool


def _pool_job(conf):
    with ProcessPoolExecutor(1) as ex:
        return list(ex.map(_die, [0]))


def _bad(conf):
    raise KickyError("clips=nowhere does not exist")


@pytest.mark.parametrize("job, words", [(_bad, "clips=nowhere"), (_pool_job, "worker process died")])
def test_errors_are_one_line(job, words, capsys):
    with pytest.raises(SystemExit) as e:
        call(job, OmegaConf.create({}))
    err = capsys.readouterr().err
    assert e.value.code == 2 and words in err and err.count("\n") == 1 and "Traceback" not in err

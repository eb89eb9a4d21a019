"""staged_dir replaces only folders the stage made (they hold its mark file): a user's folder (or a file) named as out= is never
removed, and a failed stage leaves the old output as it was."""
import pytest

from kicky.errors import KickyError
from kicky.io.atomic import staged_dir


def _stage(out, name="a.txt", text="new"):
    with staged_dir(out, "report.json") as tmp:
        (tmp / "report.json").write_text("{}")
        (tmp / name).write_text(text)


def test_user_folder_is_never_removed(tmp_path):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "holiday.mp4").write_text("precious")
    with pytest.raises(KickyError, match="did not write"):
        _stage(user)
    assert (user / "holiday.mp4").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]   # no staging folder left behind


def test_file_as_output_is_refused(tmp_path):
    f = tmp_path / "out"
    f.write_text("x")
    with pytest.raises(KickyError, match="is a file"):
        _stage(f)
    assert f.read_text() == "x"


def test_kicky_output_and_empty_folder_are_replaced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()                       # empty: fine
    _stage(out, "a.txt", "first")
    assert (out / "a.txt").read_text() == "first"
    _stage(out, "b.txt", "second")    # made by kicky: replaced whole
    assert not (out / "a.txt").exists() and (out / "b.txt").read_text() == "second"


def test_failure_keeps_the_old_output(tmp_path):
    out = tmp_path / "out"
    _stage(out, "a.txt", "old")
    with pytest.raises(RuntimeError):
        with staged_dir(out, "report.json") as tmp:
            (tmp / "a.txt").write_text("half")
            raise RuntimeError("disk full")
    assert (out / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

import gc

import pytest

from tka.forking import shared_with_forks


def test_objects_are_frozen_inside_and_released_after() -> None:
    assert gc.get_freeze_count() == 0
    with shared_with_forks():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_objects_are_released_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), shared_with_forks():
        raise RuntimeError("a reader failed")
    assert gc.get_freeze_count() == 0

import gc

import pytest

from tka.memory import release_free_memory, shared_with_forks


def test_objects_are_frozen_inside_and_released_after() -> None:
    assert gc.get_freeze_count() == 0
    with shared_with_forks():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_objects_are_released_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), shared_with_forks():
        raise RuntimeError("a reader failed")
    assert gc.get_freeze_count() == 0


def test_release_free_memory_gives_freed_heap_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("malloc_trim is glibc's")

    def rss_kib() -> int:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS"))

    release_free_memory()
    before = rss_kib()
    # Many small blocks (below glibc's mmap threshold) stay mapped after free() until trimmed.
    blocks = [bytearray(64 * 1024) for _ in range(3000)]  # about 190 MiB
    keep = blocks[::100]  # a few survivors scattered through the heap
    del blocks
    assert release_free_memory() is True
    assert rss_kib() - before < 60 * 1024, "freed heap pages were not returned"
    assert len(keep) == 30

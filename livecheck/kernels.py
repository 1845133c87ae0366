"""The per-frame checks' two hot loops, compiled from C when the package is installed.

``edge_energy`` (livecheck/_edges.c): the sharpness's per-direction edge energies.
``tile_statistics`` (livecheck/_tiles.c): the noise estimate's per-tile statistics.
Each C file's header says what it computes; tests/*_reference.py say the same in NumPy.
"""
try:
    from livecheck._edges import edge_energy
    from livecheck._tiles import tile_statistics
except ImportError as error:  # a source checkout that was never installed
    raise ImportError("livecheck's C kernels are not built: install the package (`make demo`, or "
                      "`pip install -e .`), which compiles them with the system's C compiler") from error

__all__ = ["edge_energy", "tile_statistics"]

"""What `%load_ext workbench` adds to IPython's start-up: `ipython -c "%load_ext workbench"` minus `ipython -c pass`.

Median of several alternating runs, in a private IPYTHONDIR. Target: 200 ms or less, which holds because loading
the extension imports only IPython, traitlets and the magic's own module (no httpx, pydantic, jinja2,
ipywidgets, nbformat or markdown_it until a magic runs).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 7
HEAVY = ("httpx", "pydantic", "jinja2", "ipywidgets", "nbformat", "markdown_it")


def timed(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "IPython", "--no-banner", "--quick", "-c", code], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    with tempfile.TemporaryDirectory() as ipython_dir:
        env = {**os.environ, "IPYTHONDIR": ipython_dir}
        timed("pass", env)  # warm the file cache and create the profile
        bare, loaded = [], []
        for _ in range(RUNS):
            bare.append(timed("pass", env))
            loaded.append(timed("%load_ext workbench", env))
        probe = subprocess.run(
            [sys.executable, "-m", "IPython", "--no-banner", "--quick", "-c",
             f"%load_ext workbench\nimport sys; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()
    net = statistics.median(loaded) - statistics.median(bare)
    print(f"ipython -c pass:                 median {statistics.median(bare) * 1000:.0f} ms over {RUNS} runs")
    print(f'ipython -c "%load_ext workbench": median {statistics.median(loaded) * 1000:.0f} ms over {RUNS} runs')
    print(f"%load_ext workbench costs {net * 1000:.0f} ms (target <= 200 ms: {'met' if net <= 0.2 else 'missed'})")
    print(f"heavy modules imported by %load_ext: {probe or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m diklat.cli``: the `diklat` command (a warm zygote runs commands this way)."""

from diklat.cli import main

main()

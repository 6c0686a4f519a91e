"""``python -m autograd``: the command line of autograd/cli.py."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main(prog="python -m autograd"))

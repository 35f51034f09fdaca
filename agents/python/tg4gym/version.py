"""The package version (pyproject.toml reads it from here) and the server versions it works with."""
__version__ = "0.1.0"
# `tg4 serve` announces itself in hello as "tg4-gym/X.Y.Z"; before 1.0 a minor version may change the wire's meaning,
# so the client accepts a server of the same major.minor version only.
SERVER_NAME_PREFIX = "tg4-gym/"

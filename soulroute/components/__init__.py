"""Reusable page pieces: the page shell (skip link, header, main landmark, footer)."""

from soulroute.components.shell import page_shell

__all__ = ["page_shell"]

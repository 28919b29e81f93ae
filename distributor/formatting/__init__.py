"""Posts that the platforms accept whatever the article holds; share links; previews."""

from distributor.formatting.render import FormatOptions, render
from distributor.formatting.text import Unformattable

__all__ = ["FormatOptions", "Unformattable", "render"]

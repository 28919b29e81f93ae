"""Posts that the platforms accept whatever the article holds; share links; previews."""

from distributor.formatting.fit import Unformattable
from distributor.formatting.options import FormatOptions
from distributor.formatting.render import render

__all__ = ["FormatOptions", "Unformattable", "render"]

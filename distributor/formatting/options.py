"""What formatting needs besides the article: campaign, share-link base, labels, templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from distributor.config import Settings
from distributor.errors import ConfigError
from distributor.formatting.template import PostTemplate
from distributor.formatting.templates import DEFAULTS, load_templates, shipped_templates
from distributor.models import Destination

READ_MORE: Mapping[str, str] = MappingProxyType({"id": "Baca selengkapnya", "en": "Read more"})


@dataclass(frozen=True)
class FormatOptions:
    """Formatting choices; ``templates`` maps a file name to its checked template."""

    utm_campaign: str = "distributor"
    public_base_url: str | None = None  # share links become {base}/s/{article_id}/{network}
    read_more_labels: Mapping[str, str] = field(default_factory=lambda: READ_MORE)
    default_language: str = "id"
    templates: Mapping[str, PostTemplate] = field(default_factory=shipped_templates)

    @classmethod
    def from_settings(cls, settings: Settings) -> FormatOptions:
        """Options from the settings; templates are the shipped ones plus any ``*.html.j2`` /
        ``*.txt.j2`` in a ``templates`` directory beside the routing file (same name wins)."""
        templates = dict(shipped_templates())
        own = settings.routing_file.parent / "templates"
        if own.is_dir():
            templates.update(load_templates(own))
        return cls(
            utm_campaign=settings.utm_campaign,
            public_base_url=settings.public_base_url,
            templates=MappingProxyType(templates),
        )

    def read_more(self, *languages: str) -> str:
        """The read button's label in the first of ``languages`` that has one, else the default."""
        for language in (*languages, self.default_language):
            if language in self.read_more_labels:
                return self.read_more_labels[language]
        return READ_MORE["id"]

    def template_for(self, destination: Destination) -> PostTemplate:
        """The destination's template, or its platform's default (ConfigError if unusable)."""
        name = destination.template or DEFAULTS[destination.platform]
        template = self.templates.get(name)
        if template is None:
            raise ConfigError(f"destination {destination.id}: no template named {name!r}")
        if template.platform != destination.platform:
            raise ConfigError(
                f"destination {destination.id}: template {name} is for {template.platform}"
            )
        return template

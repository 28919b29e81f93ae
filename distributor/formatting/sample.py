"""The seed article (tests/fixtures/seed.py builds the same from the saved page): templates are
checked against it when loaded."""

from __future__ import annotations

from distributor.models import Article

_SITE = "https://visualjambi.com"
_SLUG = "gubernur-al-haris-pimpin-rakor-politik-se-provinsi-jambi"


def sample_article(*, with_image: bool = True) -> Article:
    """The seed article; without its image it renders as a Telegram message, not a photo."""
    return Article.model_validate(
        {
            "id": "20240201-rakor",
            "url": f"{_SITE}/2024/02/01/{_SLUG}/",
            "title": "Gubernur Al Haris Pimpin Rakor Politik Se-Provinsi Jambi",
            "excerpt": (
                "<p>VisualJambi, Kota Jambi. – Dalam rangka menyukseskan Pemilu 2024, Badan "
                "Kesatuan Bangsa dan Politik (Kesbangpol) Provinsi Jambi menyelenggarakan "
                "Rapat Koordinasi Politik Se-Provinsi Jambi pada tahun anggaran 2024 "
                "Persiapan Pemilu Serentak tahun 2024. Rakor Politik ini mengusung tema "
                "“Sinergitas Pemerintah Daerah dan Penyelenggara Pemilu dalam menyukseskan "
                "pemilu serentak 2024”, bertempat di Golden Harvest Hotel, Kamis "
                "(01/02/2024).</p><p>Rakor Politik ini dibuka dan dipimpin langsung oleh "
                "Gubernur Jambi\xa0 H. Al Haris, S.Sos., MH dengan didampingi oleh Ketua Bawaslu "
                "Provinsi Jambi, Komisioner KPU Provinsi Jambi, dan Polda Jambi.</p>"
            ),
            "author": "Redaksi",
            "category": "Politik",
            "tags": ["al haris", "gubernur", "rakor"],
            "image_url": f"{_SITE}/wp-content/uploads/2024/02/{_SLUG[:40]}.jpg"
            if with_image
            else None,
            "published_at": "2024-02-01T09:30:00+07:00",
            "revision": 1,
        }
    )

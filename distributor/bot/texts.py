"""What the bot says, in Indonesian (the default) and English (HTML parse mode: every value
put in is escaped by ``say``)."""

from __future__ import annotations

import html

from distributor.audience.readers.subscriptions import Language

TEXTS: dict[str, dict[Language, str]] = {
    "welcome": {
        "id": "Halo {name}! Saya mengirimkan artikel sesuai topik pilihan Anda, sekali untuk "
        "setiap artikel. Pilih topik di bawah ini, atau tulis /subscribe &lt;topik&gt;. "
        "Perintah lain: /help",
        "en": "Hi {name}! I send you articles on the topics you choose, once per article. Pick "
        "topics below, or write /subscribe &lt;topic&gt;. Other commands: /help",
    },
    "picker": {
        "id": "Topik yang tersedia (ketuk untuk berlangganan atau berhenti):",
        "en": "Available topics (tap to follow or unfollow):",
    },
    "no_topics": {"id": "Belum ada topik.", "en": "There are no topics yet."},
    "subscribed": {"id": "Anda sekarang mengikuti {topic}.", "en": "You now follow {topic}."},
    "already": {"id": "Anda sudah mengikuti {topic}.", "en": "You already follow {topic}."},
    "unsubscribed": {
        "id": "Anda berhenti mengikuti {topic}.",
        "en": "You no longer follow {topic}.",
    },
    "not_following": {"id": "Anda tidak mengikuti {topic}.", "en": "You do not follow {topic}."},
    "unknown_topic": {
        "id": "Topik “{query}” tidak dikenal.",
        "en": "There is no topic “{query}”.",
    },
    "did_you_mean": {"id": " Mungkin maksud Anda: {options}?", "en": " Did you mean: {options}?"},
    "see_topics": {"id": " Lihat /topics.", "en": " See /topics."},
    "usage_subscribe": {
        "id": "Tulis /subscribe &lt;kategori atau tag&gt;, misalnya /subscribe Politik.",
        "en": "Write /subscribe &lt;category or tag&gt;, for example /subscribe Politik.",
    },
    "usage_unsubscribe": {
        "id": "Tulis /unsubscribe &lt;topik&gt;. Topik Anda: /mine",
        "en": "Write /unsubscribe &lt;topic&gt;. Your topics: /mine",
    },
    "mine": {"id": "Topik Anda: {topics}.", "en": "Your topics: {topics}."},
    "mine_none": {
        "id": "Anda belum mengikuti topik apa pun. Pilih di /topics.",
        "en": "You follow no topic yet. Pick some in /topics.",
    },
    "mode_instant": {
        "id": "Setiap artikel baru langsung dikirim.",
        "en": "Every new article is sent at once.",
    },
    "mode_digest": {
        "id": "Ringkasan harian pukul {hour:02d}.00.",
        "en": "A daily digest at {hour:02d}:00.",
    },
    "latest": {"id": "Artikel terbaru:", "en": "The newest articles:"},
    "latest_none": {"id": "Belum ada artikel.", "en": "No articles yet."},
    "popular": {"id": "Terpopuler saat ini:", "en": "Popular now:"},
    "popular_none": {"id": "Belum ada artikel populer.", "en": "Nothing is popular yet."},
    "digest_on": {
        "id": "Ringkasan harian aktif: satu pesan setiap hari pukul {hour:02d}.00 berisi "
        "artikel topik Anda, bukan pesan untuk setiap artikel.",
        "en": "Daily digest on: one message every day at {hour:02d}:00 with your topics' "
        "articles, instead of a message for each.",
    },
    "digest_off": {
        "id": "Ringkasan harian nonaktif: setiap artikel baru langsung dikirim.",
        "en": "Daily digest off: every new article is sent at once.",
    },
    "usage_digest": {
        "id": "Tulis /digest on [jam 0-23] atau /digest off.",
        "en": "Write /digest on [hour 0-23] or /digest off.",
    },
    "stopped": {
        "id": "Data Anda sudah dihapus dan Anda tidak akan menerima pesan lagi. Tulis /start "
        "untuk mulai lagi.",
        "en": "Your data is deleted and you will get no more messages. Write /start to begin "
        "again.",
    },
    "help": {
        "id": "/topics pilih topik\n/subscribe &lt;topik&gt; ikuti topik\n/unsubscribe "
        "&lt;topik&gt; berhenti mengikuti\n/mine topik Anda\n/latest lima artikel terbaru\n"
        "/popular terpopuler\n/digest on|off ringkasan harian\n/stop hapus data saya",
        "en": "/topics pick topics\n/subscribe &lt;topic&gt; follow a topic\n/unsubscribe "
        "&lt;topic&gt; unfollow\n/mine your topics\n/latest the five newest articles\n"
        "/popular popular now\n/digest on|off daily digest\n/stop forget me",
    },
}


def say(language: Language, key: str, **values: object) -> str:
    """The text ``key`` in ``language``, with ``values`` HTML-escaped into it."""
    escaped = {
        k: html.escape(v, quote=False) if isinstance(v, str) else v for k, v in values.items()
    }
    return TEXTS[key][language].format(**escaped)
